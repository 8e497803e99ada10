// Returns, exchanges, refunds and coupons: the fake's arithmetic (the same baskets as
// crates/comptoir-app/tests/it/return_screens.rs rings on the real register), and the dialogs
// driven by synthetic keys.
//
// The basket: French IPA 4.59 and 2 Fanta at 1.89 (taxable, 8.37), ketchup 4.89 (zero-rated).
// GST 5 % of 8.37 = 0.4185 → 0.42, QST 9.975 % = 0.8349… → 0.83; total 14.51. Each line's
// share by largest remainder on 459 : 378: GST 0.23 / 0.19, QST 0.46 / 0.37. So the customer
// paid 5.28 for the IPA, 4.34 for the two Fanta and 4.89 for the ketchup. Paid 5.00 on card
// AUTH-1 and 10.00 cash: cash due 9.51 → 9.50, change 0.50, rounding −0.01.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../ui/src/app';
import { createFake, type FakeRegister } from '../../ui/src/fake';
import { useBackend } from '../../ui/src/ipc';
import type { SaleForReturn, View } from '../../ui/src/types';
import { Keyboard, ManualTimers } from './keys';
import { AVON, CARAMEL, FANTA, IPA, KETCHUP, code, rejects } from './products';

const legs = (v: View) =>
  (v.last_sale?.tenders ?? []).map((l) =>
    [l.kind, l.amount, l.reference].filter((x) => x !== null && x !== undefined).join(' '),
  );

async function open(pin = '1234'): Promise<FakeRegister> {
  const fake = createFake({ now: () => Date.parse('2026-12-03T19:00:00Z') });
  await fake.invoke('sign_in', { pin });
  await fake.invoke('open_shift', { float: '150' });
  return fake;
}

/** Rings and pays the basket; returns its receipt number. */
async function sold(fake: FakeRegister): Promise<string> {
  await fake.invoke('scan', { code: code(IPA) });
  await fake.invoke('set_multiplier', { qty: '2' });
  await fake.invoke('scan', { code: code(FANTA) });
  await fake.invoke('scan', { code: code(KETCHUP) });
  await fake.invoke('tender_card', { amount: '5.00', reference: 'AUTH-1' });
  const v = await fake.invoke('tender_cash', { amount: '10.00' });
  expect(v.last_sale).toMatchObject({ total: '14.51', change: '0.50', cash_rounding: '-0.01' });
  return v.last_sale!.receipt_no;
}

const ret = (fake: FakeRegister, receipt: string, line: number, qty: string, d = 'restock') =>
  fake.invoke('return_line', { receipt_no: receipt, line, qty, disposition: d, reason: 'x' });

describe('the fake returns and refunds as the core does', () => {
  it('finds the sale with what each line cost and what is left to return', async () => {
    const fake = await open();
    const receipt = await sold(fake);
    expect(receipt).toBe('MTL01-000001');
    const found = (await fake.invoke('find_sale', {
      receipt_no: receipt,
    })) as unknown as SaleForReturn;
    expect(found.lines.map((l) => [l.line, l.qty, l.returnable, l.paid])).toEqual([
      [1, '1', '1', '5.28'],
      [2, '2', '2', '4.34'],
      [3, '1', '1', '4.89'],
    ]);
    expect(found.tenders).toEqual([
      { kind: 'external_card', amount: '5.00', reference: 'AUTH-1' },
      { kind: 'cash', tendered: '10.00' },
    ]);
    expect(await fake.invoke('find_sales_by', { query: 'AUTH-1' })).toEqual([receipt]);
  });

  it('an exchange: one Fanta back (half its line, half up), a caramel bought, the difference paid', async () => {
    const fake = await open();
    const receipt = await sold(fake);
    // 1.89 + half of 0.19 (0.095 → 0.10) + half of 0.37 (0.185 → 0.19) = 2.18.
    let v = await ret(fake, receipt, 2, '1');
    expect(v.cart.returns!.map((r) => [r.line, r.original?.receipt_no, r.refund])).toEqual([
      [1001, receipt, '2.18'],
    ]);
    v = await fake.invoke('scan', { code: code(CARAMEL) });
    expect([v.cart.total, v.cart.refund, v.cart.due]).toEqual(['4.29', '2.18', '2.11']);
    // 2.11 in cash is 2.10: 5.00 given, 2.90 back.
    v = await fake.invoke('tender_cash', { amount: '5.00' });
    expect(v.last_sale).toMatchObject({
      kind: 'exchange',
      total: '2.11',
      change: '2.90',
      cash_rounding: '-0.01',
      refund: '2.18',
    });
    const again = (await fake.invoke('find_sale', {
      receipt_no: receipt,
    })) as unknown as SaleForReturn;
    expect(again.lines[1]!.returnable).toBe('1');
  });

  it('an exchange worth less gives the difference back in cash, rounded', async () => {
    const fake = await open();
    const receipt = await sold(fake);
    await ret(fake, receipt, 1, '1');
    // A Fanta: 1.89 + 0.09 + 0.19 = 2.17; 5.28 back less 2.17 is 3.11, 3.10 in cash.
    let v = await fake.invoke('scan', { code: code(FANTA) });
    expect(v.cart.due).toBe('-3.11');
    expect((await rejects(fake.invoke('tender_cash', { amount: '1.00' }))).code).toBe('refund_due');
    v = await fake.invoke('refund', { to: 'cash' });
    expect(legs(v)).toEqual(['cash -3.10']);
    expect(v.last_sale).toMatchObject({ kind: 'exchange', cash_rounding: '0.01' });
  });

  it('to the original tenders: the card first, then the cash rounded on the running total', async () => {
    const fake = await open();
    const receipt = await sold(fake);
    await ret(fake, receipt, 1, '1');
    // 5.28: the card's 5.00, then 0.28 of cash, 0.30 handed out (rounding −0.02).
    let v = await fake.invoke('refund', { to: 'original' });
    expect(legs(v)).toEqual(['card -5.00 AUTH-1', 'cash -0.30']);
    expect(v.last_sale).toMatchObject({ kind: 'return', total: '-5.28', cash_rounding: '-0.02' });
    // The rest, 9.23: all cash; 9.50 handed out over both refunds, the cash the sale kept.
    await ret(fake, receipt, 2, '2');
    await ret(fake, receipt, 3, '1');
    v = await fake.invoke('refund', { to: 'original' });
    expect(legs(v)).toEqual(['cash -9.20']);
    expect(v.last_sale?.cash_rounding).toBe('0.03');
    const e = await rejects(ret(fake, receipt, 1, '1'));
    expect(e.code).toBe('nothing_left_to_return');
  });

  it('without a receipt: a manager approves, and it goes on store credit', async () => {
    const fake = await open('2468');
    const args = { code: code(IPA), qty: '1', disposition: 'restock', reason: 'cadeau' };
    const ask = (approval: string | null) =>
      fake.invoke('return_without_receipt', { ...args, approval });
    expect((await rejects(ask(null))).code).toBe('manager_required');
    expect((await rejects(ask('2468'))).code).toBe('manager_required');
    // Today's price and taxes: 4.59 + 0.23 + 0.46.
    let v = await ask('1234');
    expect(v.cart.returns![0]).toMatchObject({ refund: '5.28', approved_by: 'c1' });
    expect(v.cart.returns![0]!.original).toBeUndefined();
    expect((await rejects(fake.invoke('refund', { to: 'cash' }))).code).toBe('store_credit_only');
    v = await fake.invoke('refund', { to: 'original' });
    expect(legs(v)).toEqual(['store_credit -5.28 CR-MTL01-000001']);
  });

  it('a coupon: entered before the cart reaches it, then 5.00 off shared over the lines', async () => {
    const fake = await open();
    await fake.invoke('set_multiplier', { qty: '4' });
    let v = await fake.invoke('scan', { code: code(AVON) });
    v = await fake.invoke('enter_coupon', { code: 'bienvenue5' });
    expect(v.cart.coupons).toMatchObject([{ code: 'BIENVENUE5', applied: false }]);
    expect(v.cart.savings).toBe('0.00');
    await fake.invoke('set_multiplier', { qty: '2' });
    v = await fake.invoke('scan', { code: code(IPA) });
    // 23.56 and 9.18 share 5.00 by largest remainder: 3.60 and 1.40. Nets 27.74: GST 1.387 →
    // 1.39, QST 2.767… → 2.77; total 31.90.
    expect(v.cart.coupons).toMatchObject([{ code: 'BIENVENUE5', applied: true }]);
    expect(
      v.cart.lines.map((l) => l.adjustments!.discounts.map((d) => [d.kind, d.amount])),
    ).toEqual([[['promotion', '3.60']], [['promotion', '1.40']]]);
    expect([v.cart.savings, v.cart.subtotal, v.cart.total]).toEqual(['5.00', '27.74', '31.90']);
    expect(v.cart.promotions).toMatchObject([{ id: 'MTL-DEMO-004', saving: '5.00' }]);
    expect((await rejects(fake.invoke('enter_coupon', { code: 'NOPE' }))).code).toBe(
      'unknown_coupon',
    );
    v = await fake.invoke('remove_coupon', { code: 'BIENVENUE5' });
    expect([v.cart.coupons, v.cart.total]).toEqual([[], '37.65']);
    expect((await rejects(fake.invoke('remove_coupon', { code: 'BIENVENUE5' }))).code).toBe(
      'coupon_not_entered',
    );
  });

  it('refuses what cannot be, and the cart keeps everything', async () => {
    const fake = await open();
    const receipt = await sold(fake);
    const find = (receipt_no: string) => fake.invoke('find_sale', { receipt_no });
    expect((await rejects(find('MTL01-000099'))).code).toBe('no_such_sale');
    fake.setElsewhere('MTL02-000007');
    expect((await rejects(find('MTL02-000007'))).code).toBe('sale_not_here_offline');
    expect((await rejects(ret(fake, receipt, 9, '1'))).code).toBe('no_such_line');
    expect((await rejects(ret(fake, receipt, 2, '3'))).code).toBe('nothing_left_to_return');
    await ret(fake, receipt, 3, '1');
    await fake.invoke('scan', { code: code(AVON) });
    // 5.89 + 0.29 + 0.59 = 6.77 new, 4.89 back: the customer pays 1.88.
    expect((await rejects(fake.invoke('refund', { to: 'cash' }))).code).toBe('nothing_to_refund');
    expect((await rejects(fake.invoke('park'))).code).toBe('return_in_progress');
    const v = await fake.invoke('view');
    expect([v.cart.lines.length, v.cart.returns!.length, v.cart.due]).toEqual([1, 1, '1.88']);
  });
});

// The dialogs.

let fake: FakeRegister;
let app: App;
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

/** Signs in, opens the shift, and rings and pays the basket through the fake directly. */
async function start(pin = '1234'): Promise<string> {
  await human(pin);
  await press('Enter');
  await human('150');
  await press('Enter');
  const receipt = await sold(fake);
  await app.run('view');
  await settle();
  return receipt;
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

describe('the returns dialog', () => {
  it('⇧F10, the receipt number, F2 ticks the Fanta, one of two, written off: in the cart apart', async () => {
    const receipt = await start();
    await press('F10', { shiftKey: true });
    expect($('[data-dialog="returns"]')).not.toBeNull();
    expect(document.activeElement).toBe(field('query'));
    await human(receipt);
    await press('Enter');
    expect(last('find_sale')).toEqual({ receipt_no: receipt });
    expect(text('.sale-head strong')).toBe(`Reçu ${receipt}`);
    expect(text('.sale-head')).toContain('14,51 $');
    expect(text('.sale-head')).toContain('Vendu à cette caisse (Caisse 1)');
    expect(text('.sale-head')).toContain('Carte AUTH-1 5,00 $');
    expect(
      $$('[data-return-line]').map((r) =>
        text(`[data-return-line="${r.dataset.returnLine}"] .left`),
      ),
    ).toEqual(['1', '2', '1']);
    await press('F2');
    expect(field('qty-2').value).toBe('2');
    expect(document.activeElement).toBe(field('qty-2'));
    field('qty-2').value = '1';
    field('qty-2').dispatchEvent(new InputEvent('input', { bubbles: true }));
    await press('ArrowDown');
    expect($('[data-return-line="2"] [data-disposition]')?.dataset.disposition).toBe('write_off');
    await press('Enter');
    expect(document.activeElement).toBe(field('reason'));
    await click('[data-dialog="returns"] .reason-row .chip');
    await press('Enter');
    expect(last('return_line')).toEqual({
      receipt_no: receipt,
      line: 2,
      qty: '1',
      disposition: 'write_off',
      reason: 'Changement d’avis',
    });
    expect($('.dialog')).toBeNull();
    expect(text('[data-returned="1001"] .from')).toBe(`du reçu ${receipt} · mis au rebut`);
    expect(text('[data-returned="1001"] .amount')).toBe('−2,18 $');
    expect(text('.total-box .label')).toBe('À rendre');
    expect($('[data-due]')?.dataset.due).toBe('-2.18');
    // An exchange: a caramel scanned in the same cart, listed under the new items.
    await scanCode(code(CARAMEL));
    expect(text('.row.section:not(.returned-head)')).toBe('Nouveaux articles');
    expect(text('.total-box .label')).toBe('À payer');
    expect($('[data-due]')?.dataset.due).toBe('2.11');
    expect($('[data-new-total]')?.dataset.newTotal).toBe('4.29');
    expect($('.refund-row')?.dataset.refund).toBe('2.18');
    // The customer pays the difference by the usual tender.
    await press('F8');
    expect($('[data-dialog="tender"]')).not.toBeNull();
    expect($('[data-remaining]')?.dataset.remaining).toBe('2.11');
    await human('5');
    await press('Enter');
    expect($('[data-change]')?.dataset.change).toBe('2.90');
  });

  it('a receipt scanned on the sale screen offers its return, and the button opens it', async () => {
    const receipt = await start();
    await scanCode(receipt);
    expect($('.banner[data-code="receipt_scanned"]')).not.toBeNull();
    await click('.banner[data-code="receipt_scanned"] .btn.primary');
    expect(last('find_sale')).toEqual({ receipt_no: receipt });
    expect(text('.sale-head strong')).toBe(`Reçu ${receipt}`);
    // The scanner in the dialog finds the sale too.
    await scanCode(receipt);
    expect(count('find_sale')).toBe(2);
  });

  it('found by the card reference; a sale of one returnable line has it ticked', async () => {
    const receipt = await start();
    // Everything but the ketchup back first, so one line is left.
    await ret(fake, receipt, 1, '1');
    await ret(fake, receipt, 2, '2');
    await fake.invoke('refund', { to: 'cash' });
    await app.run('view');
    await press('F10', { shiftKey: true });
    await human('AUTH-1');
    await press('Enter');
    expect(last('find_sales_by')).toEqual({ query: 'AUTH-1' });
    expect(text('.sale-head strong')).toBe(`Reçu ${receipt}`);
    expect(text('[data-return-line="1"] .left')).toBe('tout retourné');
    expect($('[data-return-line="3"]')?.classList.contains('on')).toBe(true);
    expect(text('[data-dialog="returns"] footer .primary')).toContain('Retourner 1 article(s)');
  });

  it('a line refused half-way: the lines before stay in the cart, the error says what to do', async () => {
    const receipt = await start();
    await press('F10', { shiftKey: true });
    await human(receipt);
    await press('Enter');
    await press('F1');
    await press('F2');
    field('qty-2').value = '3';
    field('qty-2').dispatchEvent(new InputEvent('input', { bubbles: true }));
    field('reason').value = 'Défectueux';
    field('reason').dispatchEvent(new InputEvent('input', { bubbles: true }));
    await settle();
    // jsdom does not scroll: record what the app brings into view.
    const shown: Element[] = [];
    const proto = Element.prototype as { scrollIntoView?: unknown };
    const before = proto.scrollIntoView;
    proto.scrollIntoView = function (this: Element) {
      shown.push(this);
    };
    await click('[data-dialog="returns"] footer .primary');
    proto.scrollIntoView = before;
    expect(count('return_line')).toBe(2);
    expect($('[data-dialog="returns"] .banner[data-code="nothing_left_to_return"]')).not.toBeNull();
    // Below the fold of a long sale, the refusal is brought into view.
    expect(shown.some((e) => e.matches('.dialog .banner.error'))).toBe(true);
    expect(text('.banner .what')).toBe(
      'Il ne reste pas autant à retourner sur cette ligne : baissez la quantité (colonne Reste).',
    );
    expect(text('.banner .detail')).toContain('2 left to return');
    // The IPA is in the cart, and its line is no longer ticked; the Fanta still is.
    expect(app.state.view!.cart.returns!.map((r) => r.sku)).toEqual([IPA]);
    expect(text('[data-return-line="1"] .left')).toBe('tout retourné');
    expect($('[data-return-line="2"]')?.classList.contains('on')).toBe(true);
  });

  it('unknown receipts and offline ones say what to do, in French and English', async () => {
    await start();
    fake.setElsewhere('MTL02-000007');
    await press('F10', { shiftKey: true });
    await human('MTL01-000099');
    await press('Enter');
    expect(text('.banner[data-code="no_such_sale"] .what')).toBe(
      'Vente introuvable : vérifiez le numéro du reçu, ou faites un retour sans reçu.',
    );
    await app.run('set_language', { lang: 'en' });
    await settle();
    const d = app.state.dialog as { query: string };
    d.query = 'MTL02-000007';
    await press('Enter');
    expect(text('.banner[data-code="sale_not_here_offline"] .what')).toBe(
      'This receipt is from another register and the server cannot be reached: try again when online, or return without a receipt.',
    );
    expect(app.state.view!.cart.returns).toEqual([]);
  });

  it('without a receipt: the item, the manager PIN pad, then the line in the cart', async () => {
    await start('2468');
    await press('F10', { shiftKey: true });
    await click('[data-dialog="returns"] footer .btn.soft');
    expect($('[data-dialog="no-receipt"]')).not.toBeNull();
    await scanCode(code(IPA));
    expect($('[data-price]')?.dataset.price).toBe('4.59');
    field('reason').value = 'Cadeau';
    field('reason').dispatchEvent(new InputEvent('input', { bubbles: true }));
    await settle();
    await click('[data-dialog="no-receipt"] footer .primary');
    expect($('[data-dialog="approve"]')).not.toBeNull();
    expect(text('[data-dialog="approve"] .lead')).toBe(
      'Un gérant entre son NIP pour approuver ce retour sans reçu.',
    );
    await human('2468');
    await press('Enter');
    expect($('[data-dialog="approve"] .banner[data-code="manager_required"]')).not.toBeNull();
    await human('1234');
    await press('Enter');
    expect(last('return_without_receipt')).toMatchObject({ code: code(IPA), approval: '1234' });
    expect($('.dialog')).toBeNull();
    expect(text('[data-returned="1001"] .from')).toBe('sans reçu · remis en stock');
    expect(text('.total-box .label')).toBe('À rendre');
  });
});

describe('refusals on the sale screen', () => {
  it('a return cannot be parked: the banner says to finish or void it, in French and English', async () => {
    const receipt = await start();
    await ret(fake, receipt, 1, '1');
    await app.run('view');
    await scanCode(code(CARAMEL));
    await press('F6');
    expect(text('.banner[data-code="return_in_progress"] .what')).toBe(
      'Un retour ne peut pas être mis en attente : terminez-le ou annulez-le (F7).',
    );
    await app.run('set_language', { lang: 'en' });
    await press('F6');
    expect(text('.banner[data-code="return_in_progress"] .what')).toBe(
      'A return cannot be parked: finish it, or void it (F7).',
    );
    expect(app.state.view!.cart.returns!.length).toBe(1);
    expect(app.state.view!.cart.lines.length).toBe(1);
    expect(app.state.view!.parked).toEqual([]);
  });
});

describe('the refund', () => {
  it('a refund to the original card says to run it on the card terminal', async () => {
    const receipt = await start();
    await ret(fake, receipt, 1, '1');
    await app.run('view');
    await press('F8');
    await press('Enter');
    expect(last('refund')).toEqual({ to: 'original' });
    expect($$('[data-leg]').map((l) => l.dataset.leg)).toEqual(['card', 'cash']);
    expect(text('[data-card-hint]')).toContain('terminal de paiement');
  });

  it('F8 with money to give back opens the refund; 2 in cash; the legs and the rounding show', async () => {
    const receipt = await start();
    await ret(fake, receipt, 1, '1');
    await app.run('view');
    await press('F8');
    expect($('[data-dialog="refund"]')).not.toBeNull();
    expect($('[data-refund]')?.dataset.refund).toBe('5.28');
    expect($('[data-refund-to="original"]')?.getAttribute('aria-checked')).toBe('true');
    await human('2');
    expect($('[data-refund-to="cash"]')?.getAttribute('aria-checked')).toBe('true');
    await press('Enter');
    expect(last('refund')).toEqual({ to: 'cash' });
    // 5.28 in cash is 5.30: the refund records −0.02 of rounding.
    expect($$('[data-leg]').map((l) => [l.dataset.leg, l.dataset.amount])).toEqual([
      ['cash', '-5.30'],
    ]);
    expect($('[data-rounding]')?.dataset.rounding).toBe('-0.02');
    // All in cash: nothing to do on the card terminal.
    expect($('[data-card-hint]')).toBeNull();
    expect(text('[data-dialog="refunded"] .receipt-no')).toBe('Reçu n° MTL01-000002');
    expect(text('.paper')).toContain('RETOUR');
    expect(text('.paper')).toContain('de MTL01-000001');
    await press('Escape');
    expect($('.dialog')).toBeNull();
    expect(app.state.view!.cart.returns).toEqual([]);
  });

  it('to the original tenders: the card first, then cash; on store credit the note number shows', async () => {
    const receipt = await start();
    await ret(fake, receipt, 1, '1');
    await app.run('view');
    await click('.refund-btn');
    await press('Enter');
    expect(last('refund')).toEqual({ to: 'original' });
    const shown = (l: HTMLElement) =>
      [...l.children].map((c) =>
        c
          .textContent!.replace(/\s+/g, ' ')
          .replace(/\u2212/g, '-')
          .trim(),
      );
    expect($$('[data-leg]').map(shown)).toEqual([
      ['Carte AUTH-1', '-5,00 $'],
      ['Comptant', '-0,30 $'],
    ]);
    await press('Escape');
    await ret(fake, receipt, 3, '1');
    await app.run('view');
    await press('F9');
    await press('ArrowDown');
    await press('ArrowDown');
    await press('Enter');
    expect(last('refund')).toEqual({ to: 'store_credit' });
    expect(shown($('[data-leg="store_credit"]')!)).toEqual([
      'Crédit magasin CR-MTL01-000001',
      '-4,89 $',
    ]);
  });

  it('a returned line comes out of the cart before the refund', async () => {
    const receipt = await start();
    await ret(fake, receipt, 1, '1');
    await ret(fake, receipt, 3, '1');
    await app.run('view');
    expect($$('[data-returned]').length).toBe(2);
    await click('[data-returned="1002"] .remove-return');
    expect(last('remove_return')).toEqual({ line: 1002 });
    expect($$('[data-returned]').length).toBe(1);
    // ↑ selects it, Del removes it too.
    await press('ArrowUp');
    await press('Delete');
    expect(last('remove_return')).toEqual({ line: 1001 });
    expect(app.state.view!.cart.returns).toEqual([]);
  });

  it('an even exchange completes with nothing paid or given back', async () => {
    const receipt = await start();
    await ret(fake, receipt, 2, '1');
    await ret(fake, receipt, 2, '1');
    await app.run('view');
    await scanCode(code(FANTA));
    await scanCode(code(FANTA));
    // Both Fanta back (4.34), two bought (3.78 + 0.19 + 0.38 = 4.35): 0.01 to pay, 0.00 in cash.
    expect($('[data-due]')?.dataset.due).toBe('0.01');
    await press('F8');
    await click('[data-dialog="tender"] .quick.exact');
    expect(last('tender_cash')).toEqual({ amount: '0.00' });
    expect($('[data-change]')?.dataset.change).toBe('0.00');
  });

  it('refusals show what to do, and nothing in the cart is lost', async () => {
    const receipt = await start('2468');
    await fake.invoke('return_without_receipt', {
      code: code(IPA),
      qty: '1',
      disposition: 'restock',
      reason: 'x',
      approval: '1234',
    });
    await ret(fake, receipt, 3, '1');
    await app.run('view');
    await press('F8');
    await human('2');
    await press('Enter');
    expect(text('.banner[data-code="store_credit_only"] .what')).toBe(
      'Un retour sans reçu est remboursé en crédit magasin dans ce magasin : choisissez Crédit magasin.',
    );
    expect(app.state.view!.cart.returns!.length).toBe(2);
    expect($('[data-dialog="refund"]')).not.toBeNull();
  });
});

describe('the coupon dialog', () => {
  it('⇧F1, the code, Enter: on the cart not yet applied, then applied with its saving', async () => {
    await start();
    await press('F1', { shiftKey: true });
    expect($('[data-dialog="coupon"]')).not.toBeNull();
    await human('bienvenue5');
    await press('Enter');
    expect(last('enter_coupon')).toEqual({ code: 'bienvenue5' });
    expect($('[data-dialog="coupon"] [data-coupon="BIENVENUE5"]')?.dataset.applied).toBe('false');
    expect(text('[data-dialog="coupon"] [data-coupon="BIENVENUE5"] .state')).toBe(
      'pas encore appliqué : le panier n’atteint pas ses conditions · Bienvenue : 5,00 $ de rabais sur 30,00 $',
    );
    expect(field('coupon').value).toBe('');
    // An unknown one: the app's clear error, nothing entered.
    await human('NOPE');
    await press('Enter');
    expect(text('.banner[data-code="unknown_coupon"] .what')).toContain('Coupon inconnu');
    await press('Escape');
    await app.run('set_multiplier', { qty: '6' });
    await scanCode(code(AVON));
    expect($('.cart-coupons [data-coupon="BIENVENUE5"]')?.dataset.applied).toBe('true');
    expect(text('.cart-coupons [data-coupon="BIENVENUE5"] .num')).toBe('−5,00 $');
    expect($('[data-savings]')?.dataset.savings).toBe('5.00');
    await click('.cart-coupons [data-coupon="BIENVENUE5"] .btn');
    expect(last('remove_coupon')).toEqual({ code: 'BIENVENUE5' });
    expect($('.cart-coupons')).toBeNull();
  });

  it('is also in the F1 menu (8), and a scanned coupon is entered', async () => {
    await start();
    await press('F1');
    await human('8');
    expect($('[data-dialog="coupon"]')).not.toBeNull();
    await scanCode('BIENVENUE5');
    expect(last('enter_coupon')).toEqual({ code: 'BIENVENUE5' });
  });
});
