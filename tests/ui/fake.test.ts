// The fake register rings a Montréal basket the way docs/ipc.md says the real one does.

import { describe, expect, it } from 'vitest';
import { createFake, type FakeRegister } from '../../ui/src/fake';
import type { Preview, View } from '../../ui/src/types';
import { AVON, CANTAL, CARAMEL, CREME, FANTA, IPA, KETCHUP, RICE, code, rejects } from './products';

async function open(clock = { now: Date.parse('2026-12-03T19:00:00Z') }, pin = '1234') {
  const fake = createFake({ now: () => clock.now });
  await fake.invoke('sign_in', { pin });
  await fake.invoke('open_shift', { float: '150.00' });
  return { fake, clock };
}

async function scan(fake: FakeRegister, ...skus: string[]): Promise<View> {
  let v = await fake.invoke('view');
  for (const sku of skus) v = await fake.invoke('scan', { code: code(sku), source: 'scanner' });
  return v;
}

describe('the fake register', () => {
  it('starts signed out, then asks for the float', async () => {
    const fake = createFake();
    expect((await fake.invoke('view')).screen).toBe('sign_in');
    const v = await fake.invoke('sign_in', { pin: '1234' });
    expect(v.screen).toBe('open_shift');
    expect(v.cashier?.name).toBe('Camille Tremblay');
    expect((await fake.invoke('open_shift', { float: '150' })).screen).toBe('sale');
  });

  it('rings a Montréal basket: GST and QST on standard lines, groceries zero-rated', async () => {
    const { fake } = await open();
    await fake.invoke('set_multiplier', { qty: '3' });
    const v = await scan(fake, CREME, KETCHUP, FANTA, IPA, RICE, AVON);
    const c = v.cart;
    expect(c.lines.map((l) => [l.line, l.qty, l.amount, l.tax_class])).toEqual([
      [1, '3', '7.77', 'zero_rated'],
      [2, '1', '4.89', 'zero_rated'],
      [3, '1', '1.89', 'standard'],
      [4, '1', '4.59', 'standard'],
      [5, '1', '3.89', 'zero_rated'],
      [6, '1', '5.89', 'standard'],
    ]);
    expect(c.subtotal).toBe('28.92');
    // Taxable base 12.37: GST 0.6185 → 0.62, QST 1.2339… → 1.23.
    expect(c.taxes.map((t) => [t.label, t.rate, t.base, t.amount, t.included])).toEqual([
      ['TPS', '5', '12.37', '0.62', false],
      ['TVQ', '9.975', '12.37', '1.23', false],
    ]);
    expect([c.total, c.cash_total, c.last_line]).toEqual(['30.77', '30.75', 6]);
  });

  it('rounds cash to 0.05 and gives change', async () => {
    const { fake } = await open();
    // 4.89 + 1.89 (GST 0.09, QST 0.19) = 7.06, 7.05 in cash.
    const v = await scan(fake, KETCHUP, FANTA);
    expect([v.cart.total, v.cart.cash_total, v.cart.cash_remaining]).toEqual([
      '7.06',
      '7.05',
      '7.05',
    ]);
    const after = await fake.invoke('tender_cash', { amount: '10.00' });
    expect(after.last_sale).toMatchObject({
      total: '7.06',
      cash_rounding: '-0.01',
      change: '2.95',
    });
    expect(after.cart.lines).toEqual([]);
    expect(after.drawer.state).toBe('open');
    const preview = (await fake.invoke('receipt_preview', {
      job: after.last_sale!.print_job,
    })) as unknown as Preview;
    expect(preview.job).toBe(after.last_sale!.print_job);
    expect(preview.lines.map((l) => l.text).join('\n')).toContain('Monnaie');
    expect(preview.lines.at(-1)?.kind).toBe('cut');
  });

  it('takes a split tender: card with its reference, then cash for the rest', async () => {
    const { fake } = await open();
    // 4.59 taxable (GST 0.23, QST 0.46) + 6.49 = 11.77.
    await scan(fake, IPA, CANTAL);
    expect(
      (await rejects(fake.invoke('tender_card', { amount: '5.00', reference: ' ' }))).code,
    ).toBe('card_reference_required');
    expect(
      (await rejects(fake.invoke('tender_card', { amount: '99.00', reference: 'X' }))).code,
    ).toBe('tender_exceeds_due');
    const mid = await fake.invoke('tender_card', { amount: '5.00', reference: 'A1' });
    expect(mid.screen).toBe('tender');
    expect([mid.cart.paid, mid.cart.remaining, mid.cart.cash_remaining]).toEqual([
      '5.00',
      '6.77',
      '6.75',
    ]);
    expect((await rejects(fake.invoke('scan', { code: code(FANTA) }))).code).toBe(
      'tender_in_progress',
    );
    const done = await fake.invoke('tender_cash', { amount: '10' });
    expect(done.screen).toBe('sale');
    expect(done.last_sale).toMatchObject({
      total: '11.77',
      change: '3.25',
      cash_rounding: '-0.02',
    });
  });

  it('an unknown barcode fails, and leaves a notice offering an open price', async () => {
    const { fake } = await open();
    const error = await rejects(fake.invoke('scan', { code: '123', source: 'keyboard' }));
    expect(error.code).toBe('unknown_barcode');
    const v = await fake.invoke('view');
    expect(v.notice).toMatchObject({
      code: 'unknown_barcode',
      offer: 'open_price',
      message: error.message,
    });
    const added = await fake.invoke('add_open_price', {
      name: 'Sac',
      price: '2.50',
      tax_class: 'zero_rated',
    });
    expect(added.cart.lines[0]).toMatchObject({
      name: 'Sac',
      amount: '2.50',
      tax_class: 'zero_rated',
      open_price: true,
    });
    expect(added.notice).toBeNull();
  });

  it('an item without a price is sold at an open price under its SKU', async () => {
    const { fake } = await open();
    expect((await rejects(fake.invoke('add_item', { sku: 'MOPEN1' }))).code).toBe('needs_price');
    const v = await fake.invoke('add_open_price', {
      name: 'Produit du jour',
      price: '3.50',
      tax_class: 'zero_rated',
      sku: 'MOPEN1',
    });
    expect(v.cart.lines[0]).toMatchObject({ sku: 'MOPEN1', amount: '3.50' });
  });

  it('locks out after five wrong PINs for five minutes', async () => {
    const clock = { now: 0 };
    const fake = createFake({ now: () => clock.now });
    for (let i = 0; i < 4; i++)
      expect((await rejects(fake.invoke('sign_in', { pin: '0' }))).code).toBe('wrong_pin');
    const out = await rejects(fake.invoke('sign_in', { pin: '0' }));
    expect(out.code).toBe('locked_out');
    expect((await rejects(fake.invoke('sign_in', { pin: '1234' }))).code).toBe('locked_out');
    clock.now += 5 * 60 * 1000;
    expect((await fake.invoke('sign_in', { pin: '1234' })).screen).toBe('open_shift');
  });

  it('locks, and another cashier signs in on the same shift', async () => {
    const { fake } = await open();
    await scan(fake, CREME);
    const locked = await fake.invoke('lock');
    expect([locked.screen, locked.cashier]).toEqual(['locked', null]);
    expect((await rejects(fake.invoke('scan', { code: code(CREME) }))).code).toBe('not_signed_in');
    const noah = await fake.invoke('sign_in', { pin: '2468' });
    expect([noah.screen, noah.cashier?.name, noah.shift?.number, noah.cart.lines.length]).toEqual([
      'sale',
      'Noah Gagnon',
      1,
      1,
    ]);
    expect(noah.permissions).not.toContain('open_price');
    expect((await rejects(fake.invoke('no_sale', { reason: 'x' }))).code).toBe('permission_denied');
  });

  it('parks and resumes', async () => {
    const { fake } = await open();
    await scan(fake, CARAMEL);
    const parked = await fake.invoke('park');
    expect(parked.cart.lines).toEqual([]);
    expect(parked.parked).toMatchObject([{ id: 1, lines: 1, total: '4.29' }]);
    await scan(fake, CREME);
    expect((await rejects(fake.invoke('resume', { id: 1 }))).code).toBe('cart_not_empty');
    await fake.invoke('void_cart', { reason: 'test' });
    const back = await fake.invoke('resume', { id: 1 });
    expect(back.cart.lines[0]?.sku).toBe(CARAMEL);
    expect(back.parked).toEqual([]);
  });

  it('searches without accents or case, in the store language', async () => {
    const { fake } = await open();
    expect(
      (await fake.invoke('search', { query: 'CREME' })).search_results.map((r) => r.sku),
    ).toEqual([CREME, CARAMEL]);
    const open1 = (await fake.invoke('search', { query: 'produit du' })).search_results;
    expect(open1).toEqual([
      {
        sku: 'MOPEN1',
        barcode: null,
        name: 'Produit du jour',
        price: null,
        tax_class: 'zero_rated',
      },
    ]);
    const check = await fake.invoke('price_check', { code: code(CANTAL) });
    expect(check.price_check).toMatchObject({
      sku: CANTAL,
      price: '6.49',
      tax_class: 'zero_rated',
    });
    expect(check.cart.lines).toEqual([]);
    const gone = await fake.invoke('dismiss');
    expect([gone.price_check, gone.search_results]).toEqual([null, []]);
  });

  it('reasons are required for void, no sale and paid out', async () => {
    const { fake } = await open();
    await scan(fake, CREME);
    expect((await rejects(fake.invoke('void_cart', { reason: '' }))).code).toBe('reason_required');
    expect((await rejects(fake.invoke('no_sale', { reason: ' ' }))).code).toBe('reason_required');
    expect((await rejects(fake.invoke('paid_out', { amount: '5', reason: '' }))).code).toBe(
      'reason_required',
    );
  });

  it('closes the shift with a Z report: expected, counted, difference', async () => {
    const { fake } = await open();
    await scan(fake, KETCHUP, FANTA);
    await fake.invoke('tender_cash', { amount: '10' });
    await fake.invoke('paid_in', { amount: '20', reason: 'monnaie' });
    await fake.invoke('paid_out', { amount: '5.50', reason: 'lait' });
    const x = await fake.invoke('report_x');
    expect(x.report).toMatchObject({
      kind: 'x',
      number: 1,
      closed_at: null,
      cash: { counted: null },
    });
    await fake.invoke('dismiss');
    // 150 + 7.05 + 20 - 5.50 = 171.55 expected.
    const z = await fake.invoke('close_shift', { counted: '171.50' });
    expect(z.screen).toBe('open_shift');
    expect(z.report).toMatchObject({
      kind: 'z',
      number: 1,
      shift: 1,
      sales_count: 1,
      gross: '7.05',
      voids: 0,
      no_sales: 0,
      taxes: [
        { code: 'GST', label: 'TPS', rate: '5', base: '1.89', amount: '0.09' },
        { code: 'QST', label: 'TVQ', rate: '9.975', base: '1.89', amount: '0.19' },
      ],
      tenders: [{ kind: 'cash', count: 1, amount: '7.05' }],
      cash: {
        float: '150.00',
        cash_sales: '7.05',
        paid_in: '20.00',
        paid_out: '5.50',
        expected: '171.55',
        counted: '171.50',
        difference: '-0.05',
      },
    });
  });

  it('keeps receipts while the printer is out of paper', async () => {
    const { fake } = await open();
    fake.setPrinter('out_of_paper');
    await scan(fake, CREME);
    const v = await fake.invoke('tender_cash', { amount: '10' });
    expect(v.printer).toMatchObject({ state: 'out_of_paper', pending_jobs: 1 });
    expect(v.notice).toMatchObject({ code: 'printer_out_of_paper', offer: 'reprint' });
    expect((await rejects(fake.invoke('reprint_last'))).code).toBe('printer_out_of_paper');
    const pushed: View[] = [];
    fake.onView((view) => pushed.push(view));
    fake.setPrinter('ok');
    expect(pushed[0]?.printer).toMatchObject({ state: 'ok', pending_jobs: 0, message: null });
  });

  it('speaks the store language, and switches', async () => {
    const { fake } = await open();
    const en = await fake.invoke('set_language', { lang: 'en' });
    expect(en.store.lang).toBe('en');
    const v = await scan(fake, FANTA);
    expect(v.cart.taxes.map((t) => t.label)).toEqual(['GST', 'QST']);
    expect((await rejects(fake.invoke('tender_cash', { amount: 'abc' }))).message).toMatch(
      /^Invalid amount/,
    );
  });
});
