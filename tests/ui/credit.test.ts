// Store credit as a tender, refunds that need a manager or more cash than the drawer holds, and
// carts that cost nothing: the fake's arithmetic (the same baskets as
// crates/comptoir-app/tests/it/return_screens.rs rings on the real register), and the dialogs
// driven by synthetic keys.
//
// The basket of returns.test.ts: paid 14.51, 5.00 on card AUTH-1 and 10.00 cash. The ketchup
// (4.89, zero-rated) back on store credit issues CR-MTL01-000001 for 4.89. A French IPA then
// costs 5.28 (4.59, GST 0.23, QST 0.46): 4.89 off the note, 0.39 left, 0.40 in cash.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../ui/src/app';
import { createFake, type FakeRegister } from '../../ui/src/fake';
import { useBackend } from '../../ui/src/ipc';
import type { CreditBalance, View } from '../../ui/src/types';
import { Keyboard, ManualTimers } from './keys';
import { FANTA, IPA, KETCHUP, code, rejects } from './products';

const NOTE = 'CR-MTL01-000001';

const legs = (v: View) =>
  (v.last_sale?.tenders ?? []).map((l) =>
    [l.kind, l.amount, l.reference].filter((x) => x !== null && x !== undefined).join(' '),
  );

async function open(pin = '1234', float = '150'): Promise<FakeRegister> {
  const fake = createFake({ now: () => Date.parse('2026-12-03T19:00:00Z') });
  await fake.invoke('sign_in', { pin });
  await fake.invoke('open_shift', { float });
  return fake;
}

/** Rings and pays the basket (5.00 on card, the rest in cash unless `allCard`). */
async function sold(fake: FakeRegister, allCard = false): Promise<string> {
  await fake.invoke('scan', { code: code(IPA) });
  await fake.invoke('set_multiplier', { qty: '2' });
  await fake.invoke('scan', { code: code(FANTA) });
  await fake.invoke('scan', { code: code(KETCHUP) });
  if (allCard) {
    const v = await fake.invoke('tender_card', { amount: '14.51', reference: 'AUTH-9' });
    return v.last_sale!.receipt_no;
  }
  await fake.invoke('tender_card', { amount: '5.00', reference: 'AUTH-1' });
  const v = await fake.invoke('tender_cash', { amount: '10.00' });
  return v.last_sale!.receipt_no;
}

const ret = (fake: FakeRegister, receipt: string, line: number) =>
  fake.invoke('return_line', {
    receipt_no: receipt,
    line,
    qty: '1',
    disposition: 'restock',
    reason: 'x',
  });

/** The ketchup back on store credit: the note. */
async function noted(fake: FakeRegister): Promise<string> {
  const receipt = await sold(fake);
  await ret(fake, receipt, 3);
  const v = await fake.invoke('refund', { to: 'store_credit' });
  expect(legs(v)).toEqual([`store_credit -4.89 ${NOTE}`]);
  return receipt;
}

const balance = async (fake: FakeRegister, reference: string) =>
  (await fake.invoke('store_credit', { reference })) as unknown as CreditBalance;

describe('the fake pays with store credit as the register does', () => {
  it('the note pays part of a sale, the rest in cash; its balance goes down', async () => {
    const fake = await open();
    await noted(fake);
    expect(await balance(fake, 'cr-mtl01-000001')).toEqual({
      reference: NOTE,
      issued: '4.89',
      spent: '0.00',
      balance: '4.89',
      chain_wide: false,
    });
    await fake.invoke('scan', { code: code(IPA) });
    const short = await rejects(
      fake.invoke('tender_store_credit', { amount: '5.00', reference: NOTE }),
    );
    expect(short.code).toBe('credit_short');
    const part = await fake.invoke('tender_store_credit', { amount: '4.89', reference: NOTE });
    expect(part.cart.remaining).toBe('0.39');
    expect(part.cart.cash_remaining).toBe('0.40');
    expect((await balance(fake, NOTE)).balance).toBe('0.00');
    const paid = await fake.invoke('tender_cash', { amount: '0.40' });
    expect(legs(paid)).toEqual([`store_credit 4.89 ${NOTE}`, 'cash 0.40']);
    expect(paid.last_sale).toMatchObject({ total: '5.28', change: '0.00', cash_rounding: '0.01' });
    expect(await balance(fake, NOTE)).toMatchObject({
      issued: '4.89',
      spent: '4.89',
      balance: '0.00',
    });
  });

  it('refuses what the register refuses: unknown, empty, offline, more than remains, a scanned note', async () => {
    const fake = await open();
    await noted(fake);
    fake.setCreditElsewhere('CR-MTL02-000004');
    const codes = async (p: Promise<unknown>) => (await rejects(p)).code;
    expect(await codes(fake.invoke('store_credit', { reference: 'CR-NOPE' }))).toBe(
      'unknown_credit',
    );
    expect(await codes(fake.invoke('store_credit', { reference: ' ' }))).toBe('credit_required');
    expect(await codes(fake.invoke('store_credit', { reference: 'CR-MTL02-000004' }))).toBe(
      'credit_not_here_offline',
    );
    await fake.invoke('scan', { code: code(FANTA) });
    // 1.89 + 0.09 + 0.19 = 2.17 due: the note holds more.
    expect(
      await codes(fake.invoke('tender_store_credit', { amount: '2.18', reference: NOTE })),
    ).toBe('tender_exceeds_due');
    const scanned = await rejects(fake.invoke('scan', { code: NOTE.toLowerCase() }));
    expect(scanned.code).toBe('credit_scanned');
    const v = await fake.invoke('view');
    expect(v.notice).toMatchObject({ code: 'credit_scanned', offer: 'store_credit' });
    expect(v.notice!.message).toContain(NOTE);
  });

  it('a cart that costs nothing: complete records it; a tender other than zero is nothing_due', async () => {
    const fake = await open();
    await fake.invoke('scan', { code: code(KETCHUP) });
    expect((await rejects(fake.invoke('complete'))).code).toBe('payment_due');
    await fake.invoke('discount_order', {
      kind: 'percent',
      value: '100',
      reason: 'x',
      approval: null,
    });
    const due = await rejects(fake.invoke('tender_cash', { amount: '5.00' }));
    expect(due.code).toBe('nothing_due');
    expect(
      (await rejects(fake.invoke('tender_card', { amount: '1.00', reference: 'A' }))).code,
    ).toBe('nothing_due');
    const v = await fake.invoke('complete');
    expect(v.last_sale).toMatchObject({ kind: 'sale', total: '0.00', change: '0.00', tenders: [] });
    expect((await rejects(fake.invoke('complete'))).code).toBe('cart_empty');
  });

  it('an even exchange is completed; with money to give back, complete is refund_due', async () => {
    const fake = await open();
    const receipt = await sold(fake);
    await ret(fake, receipt, 3);
    expect((await rejects(fake.invoke('complete'))).code).toBe('refund_due');
    await fake.invoke('scan', { code: code(KETCHUP) });
    const v = await fake.invoke('complete');
    expect(v.last_sale).toMatchObject({ kind: 'exchange', total: '0.00', tenders: [] });
  });

  it('cash for what a card paid takes a manager; never more cash than the drawer holds', async () => {
    const fake = await open('2468');
    const receipt = await sold(fake);
    await ret(fake, receipt, 1);
    expect((await rejects(fake.invoke('refund', { to: 'cash' }))).code).toBe('manager_required');
    expect((await rejects(fake.invoke('refund', { to: 'cash', approval: '9999' }))).code).toBe(
      'wrong_pin',
    );
    const v = await fake.invoke('refund', { to: 'cash', approval: '1234' });
    expect(legs(v)).toEqual(['cash -5.30']);

    const empty = await open('1234', '0');
    const card = await sold(empty, true);
    await ret(empty, card, 3);
    const short = await rejects(empty.invoke('refund', { to: 'cash' }));
    expect(short.code).toBe('drawer_short');
    expect((await empty.invoke('view')).cart.returns!.length).toBe(1);
    expect(legs(await empty.invoke('refund', { to: 'original' }))).toEqual(['card -4.89 AUTH-9']);
  });
});

let app: App;
let fake: FakeRegister;
let timers: ManualTimers;
let keys: Keyboard;
let t: number;
let calls: { command: string; args: Record<string, unknown> }[];

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel);
const $$ = (sel: string) => [...document.querySelectorAll<HTMLElement>(sel)];
const text = (sel: string) => $(sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const field = (name: string) => $<HTMLInputElement>(`[data-field="${name}"]`)!;
const last = (command: string) => calls.filter((c) => c.command === command).at(-1)?.args;
const count = (command: string) => calls.filter((c) => c.command === command).length;

async function settle(): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await app.idle();
    await new Promise((r) => setTimeout(r, 0));
  }
}

async function human(s: string): Promise<void> {
  t = keys.human(s, t + 1000);
  await settle();
}

async function press(key: string, init: KeyboardEventInit = {}): Promise<void> {
  t += 1000;
  timers.advance(t);
  keys.down(key, t, init);
  await settle();
}

async function scanCode(c: string): Promise<void> {
  t = keys.scan(c, t + 1000, 4) + 1000;
  await settle();
}

async function click(sel: string): Promise<void> {
  $(sel)!.click();
  await settle();
}

function type(name: string, value: string): Promise<void> {
  field(name).value = value;
  field(name).dispatchEvent(new InputEvent('input', { bubbles: true }));
  return settle();
}

/** Signs in and opens the shift through the screens. */
async function start(pin = '1234', float = '150'): Promise<void> {
  await human(pin);
  await press('Enter');
  await human(float);
  await press('Enter');
}

/** The basket sold and its ketchup refunded on a note, then an IPA scanned. */
async function withNote(): Promise<void> {
  await start();
  await noted(fake);
  await app.run('view');
  await scanCode(code(IPA));
}

beforeEach(async () => {
  document.body.innerHTML = '<div id="app"></div>';
  fake = createFake({ now: () => Date.parse('2026-12-03T19:00:00Z') });
  calls = [];
  useBackend({
    invoke: (command, args) => {
      calls.push({ command, args });
      return fake.invoke(command, args);
    },
    onView: (l) => fake.onView(l),
  });
  timers = new ManualTimers();
  keys = new Keyboard(timers);
  t = 0;
  app = new App(document.getElementById('app')!, { timers });
  await app.start();
  await settle();
});

afterEach(() => {
  app.stop();
  useBackend(null);
});

describe('paying with store credit', () => {
  it('⇧F8, the note, Enter: its balance; the amount is what it can pay; the rest in cash', async () => {
    await withNote();
    await press('F8', { shiftKey: true });
    expect($('[data-dialog="tender"] .tab.on')?.textContent).toContain('Crédit');
    expect(document.activeElement).toBe(field('note'));
    await human(NOTE);
    await press('Enter');
    expect(last('store_credit')).toEqual({ reference: NOTE });
    expect($('[data-balance]')?.dataset.balance).toBe('4.89');
    expect(text('.credit-history')).toBe('émis 4,89 $ · utilisé 0,00 $');
    expect(field('credit').value).toBe('4,89');
    expect(document.activeElement).toBe(field('credit'));
    await press('Enter');
    expect(last('tender_store_credit')).toEqual({ amount: '4.89', reference: NOTE });
    // The leg is in the tenders, and the rest is paid as usual, on the cash tab.
    expect(
      $$('[data-dialog="tender"] .leg span').map((x) => x.textContent!.replace(/\s+/g, ' ').trim()),
    ).toEqual([`Crédit magasin #${NOTE}`, '4,89 $']);
    expect($('[data-remaining]')?.dataset.remaining).toBe('0.39');
    expect($('[data-dialog="tender"] .tab.on')?.textContent).toContain('Comptant');
    await click('[data-dialog="tender"] .quick.exact');
    expect(last('tender_cash')).toEqual({ amount: '0.40' });
    expect($('[data-change]')?.dataset.change).toBe('0.00');
    expect(text('.paper')).toContain(`Crédit magasin ${NOTE}`);
  });

  it('the amount is editable, and never more than the sale needs by default', async () => {
    await start();
    await noted(fake);
    await app.run('view');
    await scanCode(code(FANTA));
    await press('F8', { shiftKey: true });
    await human(NOTE);
    await press('Enter');
    // 2.17 due, 4.89 on the note: 2.17 by default; 1,00 typed instead.
    expect(field('credit').value).toBe('2,17');
    await type('credit', '1,00');
    await press('Enter');
    expect(last('tender_store_credit')).toEqual({ amount: '1.00', reference: NOTE });
    expect($('[data-remaining]')?.dataset.remaining).toBe('1.17');
  });

  it('a note scanned on the sale screen offers itself; the button opens the payment with its balance', async () => {
    await withNote();
    await scanCode(NOTE);
    expect($('.banner[data-code="credit_scanned"]')).not.toBeNull();
    await click('.banner[data-code="credit_scanned"] .btn.primary');
    expect(last('store_credit')).toEqual({ reference: NOTE });
    expect($('[data-balance]')?.dataset.balance).toBe('4.89');
    // A note scanned in the payment dialog is looked up too.
    await press('F8');
    await scanCode(NOTE);
    expect(count('store_credit')).toBe(2);
    expect($('[data-dialog="tender"] .tab.on')?.textContent).toContain('Crédit');
  });

  it('refusals say what to do, in French and English, and keep what was typed', async () => {
    await withNote();
    fake.setCreditElsewhere('CR-MTL02-000004');
    await press('F8', { shiftKey: true });
    await press('Enter');
    expect(text('.banner[data-code="credit_required"] .what')).toBe(
      'Scannez ou tapez le numéro de la note de crédit (CR-…), puis Entrée.',
    );
    await human('CR-NOPE');
    await press('Enter');
    expect(text('.banner[data-code="unknown_credit"] .what')).toBe(
      'Note de crédit inconnue : vérifiez le numéro sur le reçu du client, ou prenez un autre paiement.',
    );
    expect(field('note').value).toBe('CR-NOPE');
    await app.run('set_language', { lang: 'en' });
    await type('note', 'CR-MTL02-000004');
    await press('Enter');
    expect(text('.banner[data-code="credit_not_here_offline"] .what')).toBe(
      'This note is from another register and the server cannot be reached: take another payment (F8 cash, F9 card), or try again once online.',
    );
    await type('note', NOTE);
    await press('Enter');
    await type('credit', '5.00');
    await press('Enter');
    expect(text('.banner[data-code="credit_short"] .what')).toBe(
      'The note does not hold that much: take at most its balance, and the rest in cash (F8) or by card (F9).',
    );
    expect(field('credit').value).toBe('5.00');
    expect(app.state.view!.cart.tenders).toEqual([]);
    expect(app.state.view!.cart.lines.length).toBe(1);
  });
});

describe('a refund that needs a manager or more cash than the drawer holds', () => {
  it('cash for what a card paid: the manager PIN pad, then the refund goes again with the PIN', async () => {
    await start('2468');
    const receipt = await sold(fake);
    await ret(fake, receipt, 1);
    await app.run('view');
    await press('F8');
    await human('2');
    await press('Enter');
    expect(last('refund')).toEqual({ to: 'cash' });
    expect($('[data-dialog="approve"]')).not.toBeNull();
    expect(text('[data-dialog="approve"] .lead')).toBe(
      'Un gérant entre son NIP pour rembourser en comptant ce qu’une carte a payé. Sinon : Échap, puis 1 (sur la carte) ou 3 (crédit magasin).',
    );
    expect(text('[data-note]')).toContain('5.00');
    await human('2468');
    await press('Enter');
    expect($('[data-dialog="approve"] .banner[data-code="manager_required"]')).not.toBeNull();
    await human('1234');
    await press('Enter');
    expect(last('refund')).toEqual({ to: 'cash', approval: '1234' });
    expect($$('[data-leg]').map((l) => [l.dataset.leg, l.dataset.amount])).toEqual([
      ['cash', '-5.30'],
    ]);
    expect(text('[data-dialog="refunded"] .receipt-no')).toBe('Reçu n° MTL01-000002');
  });

  it('Esc on the PIN pad goes back to the refund, where the card or the note is chosen', async () => {
    await start('2468');
    const receipt = await sold(fake);
    await ret(fake, receipt, 1);
    await app.run('view');
    await press('F8');
    await human('2');
    await press('Enter');
    await press('Escape');
    expect($('[data-dialog="refund"]')).not.toBeNull();
    await human('3');
    await press('Enter');
    expect(last('refund')).toEqual({ to: 'store_credit' });
    expect($('[data-leg="store_credit"]')?.dataset.amount).toBe('-5.28');
  });

  it('drawer_short says to refund to the card or on store credit; the return stays in the cart', async () => {
    await start('1234', '0');
    const receipt = await sold(fake, true);
    await ret(fake, receipt, 3);
    await app.run('view');
    await press('F8');
    await human('2');
    await press('Enter');
    expect(text('.banner[data-code="drawer_short"] .what')).toBe(
      'Pas assez de comptant dans le tiroir pour ce remboursement : remboursez sur la carte (1 Moyens de paiement d’origine) ou en crédit magasin (3). Le retour reste dans le panier.',
    );
    expect(app.state.view!.cart.returns!.length).toBe(1);
    await app.run('set_language', { lang: 'en' });
    await press('Enter');
    expect(text('.banner[data-code="drawer_short"] .what')).toBe(
      'Not enough cash in the drawer for this refund: refund it to the card (1 Original tenders) or on store credit (3). The return stays in the cart.',
    );
    await human('1');
    await press('Enter');
    expect($('[data-leg="card"]')?.dataset.amount).toBe('-4.89');
  });
});

describe('nothing to pay', () => {
  it('a sale discounted 100 %: F8 asks to record it, Enter completes it and shows the receipt', async () => {
    await start();
    await scanCode(code(KETCHUP));
    await app.run('discount_order', { kind: 'percent', value: '100', reason: 'x', approval: null });
    await press('F8');
    expect($('[data-dialog="nothing-due"]')).not.toBeNull();
    expect(text('[data-dialog="nothing-due"] .lead')).toBe(
      'La vente ne coûte rien : elle est enregistrée sans paiement, avec son reçu.',
    );
    expect(text('[data-dialog="nothing-due"] footer')).toContain('Rien à payer — enregistrer');
    await press('Enter');
    expect(count('complete')).toBe(1);
    expect(count('tender_cash')).toBe(0);
    expect($('[data-change]')?.dataset.change).toBe('0.00');
    expect(text('[data-dialog="change"] .receipt-no')).toBe('Reçu n° MTL01-000001');
  });

  it('an even exchange: F9 (or ⇧F8) asks the same, and records it with complete', async () => {
    await start();
    const receipt = await sold(fake);
    await ret(fake, receipt, 3);
    await app.run('view');
    await scanCode(code(KETCHUP));
    expect($('[data-due]')?.dataset.due).toBe('0.00');
    await press('F8', { shiftKey: true });
    expect($('[data-dialog="nothing-due"]')).not.toBeNull();
    expect(text('[data-dialog="nothing-due"] .lead')).toContain('L’échange est égal');
    await press('Escape');
    await press('F9');
    await press('F9');
    expect(count('complete')).toBe(1);
    expect(app.state.view!.last_sale?.kind).toBe('exchange');
    expect(app.state.view!.cart.returns).toEqual([]);
  });
});
