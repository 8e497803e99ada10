// Discounts, price overrides with a manager's PIN, and tax exemptions: the fake's arithmetic
// (the same cases crates/comptoir-app/tests/it/discounts.rs checks on the real register), and
// the F1 dialogs driven by synthetic keys.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../ui/src/app';
import { createFake, type FakeRegister } from '../../ui/src/fake';
import { useBackend } from '../../ui/src/ipc';
import type { View } from '../../ui/src/types';
import { Keyboard, ManualTimers } from './keys';
import { AVON, FANTA, IPA, code, rejects } from './products';

/** Each line's discounts as `[line, kind, label, amount]`. */
const discounts = (v: View) =>
  v.cart.lines.flatMap((l) =>
    l.adjustments!.discounts.map((d) => [l.line, d.kind, d.label, d.amount]),
  );

describe('the fake prices discounts as the core does', () => {
  async function basket(pin = '1234'): Promise<FakeRegister> {
    const fake = createFake({ now: () => Date.parse('2026-12-03T19:00:00Z') });
    await fake.invoke('sign_in', { pin });
    await fake.invoke('open_shift', { float: '150' });
    for (const sku of [IPA, AVON]) await fake.invoke('scan', { code: code(sku) });
    return fake;
  }

  it('a percent is of the net, half up; the order discount is shared by largest remainder', async () => {
    const fake = await basket();
    // 10 % of 4.59 is 0.459: 0.46 off.
    let v = await fake.invoke('discount_line', {
      line: 1,
      kind: 'percent',
      value: '10',
      reason: 'Boîte abîmée',
      approval: null,
    });
    expect(discounts(v)).toEqual([[1, 'line', 'Boîte abîmée', '0.46']]);
    expect(v.cart.lines[0]!.adjustments).toMatchObject({ gross: '4.59', net: '4.13' });
    // 10 % of the nets 4.13 + 5.89 = 10.02 is 1.00, shared 41.2 : 58.8 → 0.41 + 0.59.
    v = await fake.invoke('discount_order', {
      kind: 'percent',
      value: '10',
      reason: 'Fidélité',
      approval: null,
    });
    expect(discounts(v)).toEqual([
      [1, 'line', 'Boîte abîmée', '0.46'],
      [1, 'order', 'Fidélité', '0.41'],
      [2, 'order', 'Fidélité', '0.59'],
    ]);
    expect(v.cart.subtotal).toBe('9.02');
    expect(v.cart.adjustments).toMatchObject({
      gross: '10.48',
      savings: '1.46',
      order_discount: { rule: 'percent', value: '10', reason: 'Fidélité', amount: '1.00' },
    });
    // Taxes on the nets: GST 0.451 → 0.45, QST 0.89974… → 0.90.
    expect(v.cart.taxes.map((t) => [t.code, t.base, t.amount, t.exempt])).toEqual([
      ['GST', '9.02', '0.45', false],
      ['QST', '9.02', '0.90', false],
    ]);
    expect(v.cart.total).toBe('10.37');
  });

  it('an amount off takes at most what is left of the line', async () => {
    const fake = await basket();
    await fake.invoke('scan', { code: code(FANTA) });
    await fake.invoke('set_quantity', { line: 3, qty: '2' });
    let v = await fake.invoke('discount_line', {
      line: 3,
      kind: 'amount',
      value: '3.00',
      reason: 'Offert',
      approval: null,
    });
    expect(discounts(v)).toEqual([[3, 'line', 'Offert', '3.00']]);
    expect(v.cart.lines[2]!.adjustments?.net).toBe('0.78');
    // One left at 1.89: the 3.00 off takes 1.89, the line is free.
    v = await fake.invoke('set_quantity', { line: 3, qty: '1' });
    expect(discounts(v)).toEqual([[3, 'line', 'Offert', '1.89']]);
    expect(v.cart.lines[2]!.adjustments?.net).toBe('0.00');
    expect(v.cart.lines[2]!.adjustments?.line_discount).toEqual({
      rule: 'amount',
      value: '3.00',
      reason: 'Offert',
    });
    // More than the line costs is over even a manager's 100 %.
    const e = await rejects(
      fake.invoke('discount_line', {
        line: 3,
        kind: 'amount',
        value: '5.00',
        reason: 'Offert',
        approval: null,
      }),
    );
    expect(e.code).toBe('discount_over_limit');
  });

  it("a cashier's limit is 10 %; a manager's PIN approves more, a cashier's does not", async () => {
    const fake = await basket('2468');
    const ask = (approval: string | null) =>
      fake.invoke('discount_order', { kind: 'percent', value: '15', reason: 'x', approval });
    expect((await rejects(ask(null))).code).toBe('discount_over_limit');
    expect((await rejects(ask('0000'))).code).toBe('wrong_pin');
    expect((await rejects(ask('2468'))).code).toBe('manager_required');
    // 15 % of 10.48 is 1.572: 1.57.
    expect((await ask('1234')).cart.adjustments?.order_discount?.amount).toBe('1.57');
    // 1.04 is 9.9 % of 10.48: within the limit. 1.05 is over it.
    const amount = (value: string) =>
      fake.invoke('discount_order', { kind: 'amount', value, reason: 'x', approval: null });
    expect((await amount('1.04')).cart.adjustments?.order_discount?.amount).toBe('1.04');
    expect((await rejects(amount('1.05'))).code).toBe('discount_over_limit');
  });

  it('a price override needs a manager, keeps the shelf price, and reprices the line', async () => {
    const fake = await basket('2468');
    const over = (pin: string) =>
      fake.invoke('override_price', {
        line: 2,
        price: '4.99',
        reason: 'Prix affiché',
        manager_pin: pin,
      });
    expect((await rejects(over('2468'))).code).toBe('manager_required');
    const v = await over('1234');
    const line = v.cart.lines[1]!;
    expect([line.unit_price, line.amount]).toEqual(['4.99', '4.99']);
    expect(line.adjustments?.price_override).toEqual({
      shelf_price: '5.89',
      reason: 'Prix affiché',
    });
  });

  it('an exemption needs its certificate and leaves the taxes it covers uncharged', async () => {
    const fake = await basket();
    const exempt = (certificate: string, taxes: string[]) =>
      fake.invoke('set_exemption', { certificate, taxes });
    expect((await rejects(exempt(' ', ['GST']))).code).toBe('certificate_required');
    expect((await rejects(exempt('123', ['HST']))).code).toBe('unknown_tax');
    const v = await exempt('QC-4471', ['GST']);
    expect(v.cart.adjustments?.exemption).toEqual({ certificate: 'QC-4471', taxes: ['GST'] });
    expect(v.cart.taxes.map((t) => [t.code, t.amount, t.exempt])).toEqual([
      ['GST', '0.52', true],
      ['QST', '1.05', false],
    ]);
    expect(v.cart.total).toBe('11.53');
    const all = await exempt('QC-4471', []);
    expect(all.cart.adjustments?.exemption?.taxes).toEqual(['GST', 'QST']);
    expect(all.cart.total).toBe('10.48');
    expect((await fake.invoke('clear_exemption')).cart.adjustments?.exemption).toBeNull();
  });

  it('nothing changes once a tender is taken', async () => {
    const fake = await basket();
    await fake.invoke('tender_cash', { amount: '5.00' });
    const e = await rejects(
      fake.invoke('discount_order', { kind: 'percent', value: '5', reason: 'x', approval: null }),
    );
    expect(e.code).toBe('tender_in_progress');
  });

  it('the receipt shows each discount, what was saved, the taxes and the certificate', async () => {
    const fake = await basket();
    await fake.invoke('discount_line', {
      line: 1,
      kind: 'percent',
      value: '10',
      reason: 'Boîte abîmée',
      approval: null,
    });
    await fake.invoke('set_exemption', { certificate: 'QC-4471', taxes: ['QST'] });
    const v = await fake.invoke('tender_cash', { amount: '20.00' });
    const preview = (await fake.invoke('receipt_preview', {
      job: v.last_sale!.print_job,
    })) as unknown as { lines: { text: string }[] };
    const paper = preview.lines.map((l) => l.text).join('\n');
    for (const expected of [
      '  Boîte abîmée                     -0.46  ',
      'Vous économisez                     0.46  ',
      'TPS 5 % / 10.02                     0.50  ',
      'TVQ 9.975 % exonérée / 10.02      (1.00)  ',
      'Exonération de taxe, certificat QC-4471',
    ]) {
      expect(paper).toContain(expected);
    }
  });
});

// The dialogs, through the keyboard.

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

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await app.idle();
    await new Promise((r) => setTimeout(r, 0));
  }
}

async function human(s: string): Promise<void> {
  t = keys.human(s, t + 1000);
  await settle();
}

async function press(key: string): Promise<void> {
  t += 1000;
  timers.advance(t);
  keys.down(key, t);
  await settle();
}

async function scan(sku: string): Promise<void> {
  t = keys.scan(code(sku), t + 1000, 4) + 1000;
  await settle();
}

/** Signs in with `pin`, opens the shift, and rings the French IPA and the Avon body care. */
async function ring(pin: string): Promise<void> {
  await human(pin);
  await press('Enter');
  await human('150');
  await press('Enter');
  await scan(IPA);
  await scan(AVON);
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

describe('the discounts dialogs', () => {
  it('↑, F1, 1: a 10 % discount on the line, shown under it with "Vous économisez"', async () => {
    await ring('2468');
    await press('ArrowUp');
    await press('ArrowUp');
    await press('F1');
    expect(text('[data-dialog="adjust"] .lead')).toBe('Ligne 1 : French IPA');
    // Nothing to remove yet: those entries are off.
    expect($<HTMLButtonElement>('[data-adjust="remove_line"]')!.disabled).toBe(true);
    await human('1');
    expect($('[data-dialog="discount"]')).not.toBeNull();
    expect(document.activeElement).toBe(field('value'));
    await human('10');
    await press('Enter');
    expect(document.activeElement).toBe(field('reason'));
    await human('Boite abimee');
    await press('Enter');
    expect(last('discount_line')).toEqual({
      line: 1,
      kind: 'percent',
      value: '10',
      reason: 'Boite abimee',
      approval: null,
    });
    expect($('.dialog')).toBeNull();
    expect(text('[data-of="1"][data-adjustment="line"]')).toBe('Boite abimee −0,46 $');
    expect(text('.saved')).toBe('Vous économisez 0,46 $');
    expect($('[data-savings]')?.dataset.savings).toBe('0.46');
    expect(document.activeElement).toBe(field('scan'));
    // The cart still counts two lines.
    expect($$('[data-line]').length).toBe(2);
  });

  it('an amount, chosen with ↑ ↓ or by typing "$", and a preset reason', async () => {
    await ring('1234');
    await press('F1');
    await human('1');
    await press('ArrowDown');
    expect($('[data-rule]')?.dataset.rule).toBe('amount');
    await press('ArrowUp');
    expect($('[data-rule]')?.dataset.rule).toBe('percent');
    await human('1,50$');
    expect($('[data-rule]')?.dataset.rule).toBe('amount');
    expect(field('value').value).toBe('1,50');
    $$('[data-dialog="discount"] .chip')[1]!.click();
    await settle();
    await press('Enter');
    await press('Enter');
    expect(last('discount_line')).toEqual({
      line: 2,
      kind: 'amount',
      value: '1.50',
      reason: 'Correspondance de prix',
      approval: null,
    });
  });

  it('over the limit, the manager PIN pad asks, refuses a wrong PIN, and approves', async () => {
    await ring('2468');
    await press('F1');
    await human('4');
    expect(text('[data-dialog="discount"] .lead')).toBe('Sous-total 10,48 $');
    await human('20');
    await press('Enter');
    await human('Fidélité');
    await press('Enter');
    expect(calls.at(-1)?.command).toBe('discount_order');
    expect($('[data-dialog="approve"]')).not.toBeNull();
    expect(text('[data-note]')).toContain('un gérant l’approuve avec son NIP');
    const pin = field('manager_pin');
    expect(pin.type).toBe('password');
    expect(document.activeElement).toBe(pin);

    await human('9999');
    await press('Enter');
    expect($('[data-dialog="approve"] [data-code]')?.dataset.code).toBe('wrong_pin');
    expect(field('manager_pin').value).toBe('');
    await human('2468');
    await press('Enter');
    expect($('[data-dialog="approve"] [data-code]')?.dataset.code).toBe('manager_required');

    for (const d of ['1', '2', '3', '4'])
      $<HTMLButtonElement>(`.pin-pad [data-key="${d}"]`)!.click();
    expect(document.body.textContent).not.toContain('1234');
    await press('Enter');
    expect(calls.at(-1)).toEqual({
      command: 'discount_order',
      args: { kind: 'percent', value: '20', reason: 'Fidélité', approval: '1234' },
    });
    expect($('.dialog')).toBeNull();
    // 20 % of 10.48 is 2.096: 2.10, shared 0.92 + 1.18.
    expect(text('[data-order-discount]')).toBe('Rabais sur la commande 20 % −2,10 $');
    expect(
      $$('[data-adjustment="order"]').map((r) => r.textContent!.replace(/\s+/g, ' ').trim()),
    ).toEqual(['Rabais sur la commande −0,92 $', 'Rabais sur la commande −1,18 $']);
    expect(text('.saved')).toBe('Vous économisez 2,10 $');
  });

  it('Esc on the PIN pad goes back to the discount, values kept', async () => {
    await ring('2468');
    await press('F1');
    await human('4');
    await human('50');
    await press('Enter');
    await human('x');
    await press('Enter');
    expect($('[data-dialog="approve"]')).not.toBeNull();
    await press('Escape');
    expect($('[data-dialog="discount"]')).not.toBeNull();
    expect(field('value').value).toBe('50');
    expect(field('reason').value).toBe('x');
    // Enter sends it again, back to the PIN pad: a manager typing their PIN now types it
    // there, never into the reason (where it would print on the receipt).
    await press('Enter');
    expect($('[data-dialog="approve"]')).not.toBeNull();
    await human('1234');
    expect(field('manager_pin').value).toBe('1234');
    await press('Escape');
    expect(field('reason').value).toBe('x');
  });

  it('a price override: new price, reason, then the manager PIN; the shelf price shows', async () => {
    await ring('2468');
    await press('F1');
    await human('3');
    expect(text('[data-dialog="override"] .muted')).toBe('Prix en rayon 5,89 $');
    await human('4,99');
    await press('Enter');
    await human('Prix affiché');
    await press('Enter');
    expect(calls.some((c) => c.command === 'override_price')).toBe(false);
    expect($('[data-dialog="approve"]')).not.toBeNull();
    await human('1234');
    await press('Enter');
    expect(last('override_price')).toEqual({
      line: 2,
      price: '4.99',
      reason: 'Prix affiché',
      manager_pin: '1234',
    });
    expect($('.dialog')).toBeNull();
    expect(text('[data-line="2"] .amount')).toBe('4,99 $');
    expect(text('[data-of="2"][data-adjustment="override"]')).toBe('Prix modifié, était 5,89 $');
  });

  it('a refusal that is not about the PIN goes back to the dialog that asked', async () => {
    await ring('2468');
    await press('F1');
    await human('3');
    await human('4,99');
    await press('Enter');
    await press('Enter');
    await human('1234');
    await press('Enter');
    expect(last('override_price')?.reason).toBe('');
    expect($('[data-dialog="override"]')).not.toBeNull();
    expect($('[data-dialog="override"] [data-code]')?.dataset.code).toBe('reason_required');
    expect(field('price').value).toBe('4,99');
  });

  it('a tax exemption: certificate, F2 leaves QST out, shown on the cart and removable', async () => {
    await ring('2468');
    await press('F1');
    await human('6');
    expect($$('[data-dialog="exemption"] .segment.on').length).toBe(2);
    await human('QC-4471');
    await press('F2');
    expect(text('[data-dialog="exemption"] .segment.on')).toBe('F1 TPS ✓');
    await press('Enter');
    expect(last('set_exemption')).toEqual({ certificate: 'QC-4471', taxes: ['GST'] });
    expect(text('[data-exemption]')).toBe('Exonération · certificat QC-4471 · TPS Retirer');
    expect(text('[data-tax="GST"]')).toBe('TPS 5 % exonérée sur 10,48 $ 0,52 $');
    expect($('[data-tax="GST"] s')).not.toBeNull();
    expect(text('[data-total]')).toBe('11,53 $');
    $<HTMLButtonElement>('[data-exemption] .btn')!.click();
    await settle();
    expect(calls.at(-1)?.command).toBe('clear_exemption');
    expect($('[data-exemption]')).toBeNull();
  });

  it('removes a line discount from the menu, or a second tap on the line opens it', async () => {
    await ring('1234');
    await press('F1');
    await human('1');
    await human('10');
    await press('Enter');
    await human('x');
    await press('Enter');
    $<HTMLElement>('[data-line="2"]')!.click();
    $<HTMLElement>('[data-line="2"]')!.click();
    await settle();
    expect(text('[data-dialog="adjust"] .lead')).toBe('Ligne 2 : Avon naturals body care');
    await human('2');
    expect(last('remove_line_discount')).toEqual({ line: 2 });
    expect($('[data-adjustment]')).toBeNull();
    expect($('.saved')).toBeNull();
  });

  it('speaks English: "You saved", the exemption, the manager approval', async () => {
    await fake.invoke('set_language', { lang: 'en' });
    await ring('2468');
    await press('F1');
    expect(text('[data-dialog="adjust"] h2')).toBe('Discounts, prices and exemption');
    await human('1');
    await human('5');
    await press('Enter');
    await human('Damaged');
    await press('Enter');
    expect(text('.saved')).toBe('You saved $0.29');
    expect(text('.fkey.f1 .fl')).toBe('Discounts');
  });
});
