// The cashier's screens in happy-dom, driven by synthetic keys against the fake register.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../ui/src/app';
import { createFake, type FakeRegister } from '../../ui/src/fake';
import { useBackend } from '../../ui/src/ipc';
import type { SyncView } from '../../ui/src/types';
import { Keyboard, ManualTimers } from './keys';
import { AVON, CANTAL, CARAMEL, CREME, FANTA, IPA, KETCHUP, POUTINE, code } from './products';

/** A register enrolled with a server, synced, nothing waiting; `over` says what differs. */
const sync = (over: Partial<SyncView>): SyncView => ({
  state: 'online',
  server: 'https://serveur:8443',
  pending: 0,
  last_success_at: null,
  last_error: null,
  rejected: 0,
  ...over,
});

let fake: FakeRegister;
let app: App;
let timers: ManualTimers;
let keys: Keyboard;
let t: number;
let calls: { command: string; args: Record<string, unknown> }[];

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel);
const text = (sel: string) => $(sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const field = (name: string) => $<HTMLInputElement>(`[data-field="${name}"]`)!;

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await app.idle();
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** A person types `s` (keys 120 ms apart), then the UI settles. */
async function human(s: string): Promise<void> {
  t = keys.human(s, t + 1000);
  await settle();
}

async function press(key: string): Promise<KeyboardEvent> {
  t += 1000;
  timers.advance(t);
  const e = keys.down(key, t);
  await settle();
  return e;
}

async function scan(barcode: string): Promise<void> {
  t = keys.scan(barcode, t + 1000, 4) + 1000;
  await settle();
}

async function signedIn(): Promise<void> {
  await human('1234');
  await press('Enter');
  await human('150');
  await press('Enter');
}

beforeEach(async () => {
  document.body.innerHTML = '<div id="app"></div>';
  fake = createFake({ now: () => Date.parse('2026-12-03T19:00:00Z') });
  calls = [];
  useBackend({
    invoke: (command, args) => {
      // `card_status` is a read the app makes on entering the sale screen, not an action.
      if (command !== 'card_status') calls.push({ command, args });
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

describe('sign-in and shift', () => {
  it('typing a PIN and Enter signs in, then the float opens the shift', async () => {
    expect(document.activeElement).toBe(field('pin'));
    await human('1234');
    expect(field('pin').value).toBe('1234');
    await press('Enter');
    expect(calls.at(-1)).toEqual({ command: 'sign_in', args: { pin: '1234' } });
    expect(text('h1')).toBe('Ouvrir le quart');
    await human('150');
    await press('Enter');
    expect(calls.at(-1)).toEqual({ command: 'open_shift', args: { float: '150' } });
    expect(document.activeElement).toBe(field('scan'));
  });

  it('the PIN pad types too', async () => {
    for (const d of ['1', '2', '3', '4'])
      $<HTMLButtonElement>(`.pin-pad [data-key="${d}"]`)!.click();
    $<HTMLButtonElement>('.entry-pad .primary')!.click();
    await settle();
    expect(calls.at(-1)).toEqual({ command: 'sign_in', args: { pin: '1234' } });
  });

  it('shows the lockout message, from the error code', async () => {
    for (let i = 0; i < 5; i++) {
      await human('0000');
      await press('Enter');
    }
    expect($('.lockout')?.dataset.code).toBe('locked_out');
    expect(text('.lockout')).toContain('bloquée pour 5 minutes');
  });
});

describe('the sale screen', () => {
  beforeEach(signedIn);

  it('Enter in the scan field scans the typed code as keyboard input', async () => {
    await human(code(CREME));
    await press('Enter');
    expect(calls.at(-1)).toEqual({
      command: 'scan',
      args: { code: code(CREME), source: 'keyboard' },
    });
    expect(field('scan').value).toBe('');
    expect(text('.row.line.last .name')).toBe('Crème entière fluide');
  });

  it('a scanner burst is a scan with source scanner', async () => {
    await scan(code(FANTA));
    expect(calls.at(-1)).toEqual({
      command: 'scan',
      args: { code: code(FANTA), source: 'scanner' },
    });
    expect(text('[data-tax="GST"]')).toBe('TPS 5 % sur 1,89 $ 0,09 $');
    expect(text('.total')).toBe('2,17 $');
  });

  it('shows the stock of the item just scanned, and its age once it is old', async () => {
    fake.setStock({ sku: 'S1', on_hand: '3', as_of: '2026-12-03T15:00:00Z', age_minutes: 1 });
    expect($('.scan-row .stock')).toBeNull();
    await human(code(CREME));
    await press('Enter');
    expect(text('.scan-row .stock')).toBe('En stock : 3');
    fake.setStock({ sku: 'S1', on_hand: '-2', as_of: '2026-12-03T15:00:00Z', age_minutes: 90 });
    await app.run('view');
    await settle();
    expect(text('.scan-row .stock')).toBe('En stock : -2 (il y a 90 min)');
    expect($('.scan-row .stock.out')).not.toBeNull();
  });

  it('"3*" then a scan adds three', async () => {
    await human('3*');
    expect(calls.at(-1)).toEqual({ command: 'set_multiplier', args: { qty: '3' } });
    expect(text('.multiplier')).toBe('3 ×');
    await scan(code(FANTA));
    expect(text('.row.line .qty')).toBe('3');
  });

  it('Esc drops a pending multiplier', async () => {
    await human('5*');
    await press('Escape');
    expect(calls.at(-1)).toEqual({ command: 'set_multiplier', args: { qty: null } });
    expect($('.multiplier')).toBeNull();
  });

  it('arrows select a line; + and - change its quantity; Del removes it', async () => {
    await scan(code(CREME));
    await scan(code(KETCHUP));
    expect($('.row.last')?.dataset.line).toBe('2');
    expect($('.row.selected')).toBeNull();
    // The first ↑ picks the last line (as tests/e2e expects), the next one moves up.
    await press('ArrowUp');
    expect($('.row.selected')?.dataset.line).toBe('2');
    await press('ArrowUp');
    expect($('.row.selected')?.dataset.line).toBe('1');
    await human('+');
    expect(calls.at(-1)).toEqual({ command: 'set_quantity', args: { line: 1, qty: '2' } });
    expect(field('scan').value).toBe('');
    await human('-');
    expect(calls.at(-1)).toEqual({ command: 'set_quantity', args: { line: 1, qty: '1' } });
    await press('Delete');
    expect(calls.at(-1)).toEqual({ command: 'remove_line', args: { line: 1 } });
    expect(
      [...document.querySelectorAll('.row.line')].map((r) => (r as HTMLElement).dataset.line),
    ).toEqual(['2']);
  });

  it('↑ then F2 sets the quantity of the line just scanned (the flow of tests/e2e)', async () => {
    for (const sku of [CREME, FANTA, KETCHUP]) await scan(code(sku));
    await press('ArrowUp');
    await press('F2');
    expect(text('[data-dialog="qty"] .lead')).toBe('Ligne 3 : Tomato Ketchup');
    await human('2');
    await press('Enter');
    expect(calls.at(-1)).toEqual({ command: 'set_quantity', args: { line: 3, qty: '2' } });
    expect($('input[name="scan"]')).toBe(document.activeElement);
  });

  it('a scan while the quantity dialog is open never lands in the quantity field', async () => {
    await scan(code(CREME));
    await press('F2');
    expect($('[data-dialog="qty"]')).not.toBeNull();
    expect(document.activeElement).toBe(field('qty'));
    await scan(code(AVON));
    timers.flush();
    await settle();
    expect(field('qty').value).toBe('');
    expect(calls.at(-1)).toEqual({
      command: 'scan',
      args: { code: code(AVON), source: 'scanner' },
    });
    await human('4');
    await press('Enter');
    // The dialog was opened for line 1; the scan in between added line 2 and changed nothing else.
    expect(calls.at(-1)).toEqual({ command: 'set_quantity', args: { line: 1, qty: '4' } });
    expect($('[data-dialog="qty"]')).toBeNull();
  });

  it('function keys are taken from the browser', async () => {
    const e = await press('F5');
    expect(e.defaultPrevented).toBe(true);
    expect($('[data-dialog="open-price"]')).not.toBeNull();
  });

  it('an unknown barcode shows the message and offers the open price, which F5 opens', async () => {
    await scan('0000000000017');
    expect($('.banner.error')?.dataset.code).toBe('unknown_barcode');
    expect(text('.banner.error .msg')).toContain('Code-barres inconnu 0000000000017');
    expect(text('.banner.error .btn.primary')).toContain('F5');
    await press('F5');
    await human('Sac');
    await press('Enter');
    expect(document.activeElement).toBe(field('price'));
    await human('2.50');
    await press('ArrowDown');
    await press('Enter');
    expect(calls.at(-1)).toEqual({
      command: 'add_open_price',
      args: { name: 'Sac', price: '2.50', tax_class: 'zero_rated' },
    });
  });

  it('F4 searches, arrows and Enter add', async () => {
    await press('F4');
    await human('poutine');
    expect(calls.at(-1)).toEqual({ command: 'search', args: { query: 'poutine' } });
    expect(text('.result.selected .name')).toBe('Poutine');
    await press('Enter');
    expect(calls.some((c) => c.command === 'add_item' && c.args.sku === POUTINE)).toBe(true);
    expect($('.dialog')).toBeNull();
  });

  it('a found item with no price opens the open-price dialog under its SKU', async () => {
    await press('F4');
    await human('produit du');
    expect(text('.result.selected .num')).toBe('Prix libre');
    await press('Enter');
    expect(field('name').value).toBe('Produit du jour');
    expect(document.activeElement).toBe(field('price'));
    await human('3.50');
    await press('Enter');
    expect(calls.at(-1)).toEqual({
      command: 'add_open_price',
      args: { name: 'Produit du jour', price: '3.50', tax_class: 'zero_rated', sku: 'MOPEN1' },
    });
  });

  it('F3 checks a price and adds nothing', async () => {
    await press('F3');
    await scan(code(CANTAL));
    expect(calls.at(-1)).toEqual({ command: 'price_check', args: { code: code(CANTAL) } });
    expect(text('.price-card .price')).toBe('6,49 $');
    expect(text('.price-card .tax')).toBe('Détaxé');
    await press('Escape');
    expect(calls.at(-1)?.command).toBe('dismiss');
    expect(document.querySelectorAll('.row.line')).toHaveLength(0);
  });

  it('F8, a quick bill, the change screen with its receipt, any key for the next sale', async () => {
    await scan(code(KETCHUP));
    await scan(code(FANTA));
    await press('F8');
    expect(text('.quick .exact')).toContain('7,05 $');
    expect(
      [...document.querySelectorAll('.quick .btn:not(.exact)')].map((b) =>
        b.textContent?.replace(/\s+/g, ' ').trim(),
      ),
    ).toEqual(['10,00 $', '20,00 $', '50,00 $', '100,00 $']);
    $<HTMLButtonElement>('.quick .btn:not(.exact)')!.click();
    await settle();
    expect(calls.find((c) => c.command === 'tender_cash')?.args).toEqual({ amount: '10.00' });
    expect(text('.change-amount')).toBe('2,95 $');
    expect(text('.receipt-no')).toBe('Reçu n° MTL01-000001');
    expect(calls.at(-1)).toEqual({ command: 'receipt_preview', args: { job: 'job-1' } });
    expect(text('.paper')).toContain('TOTAL');
    await human('x');
    expect($('.dialog')).toBeNull();
    expect(document.activeElement).toBe(field('scan'));
  });

  it('a split tender keeps the dialog up until paid', async () => {
    await scan(code(IPA));
    await press('F9');
    // 4.59 + GST 0.23 + QST 0.46.
    expect(field('card').value).toBe('5,28');
    field('card').select();
    await human('2');
    await press('Enter');
    expect(document.activeElement).toBe(field('reference'));
    await press('Enter');
    expect($('.dialog .banner.error')?.dataset.code).toBe('card_reference_required');
    await human('A1');
    await press('Enter');
    expect(text('[data-remaining]')).toBe('3,28 $');
    await press('Escape');
    expect($('[data-dialog="tender"]')).not.toBeNull();
    await press('F8');
    await press('Enter');
    expect(calls.find((c) => c.command === 'tender_cash')).toEqual({
      command: 'tender_cash',
      args: { amount: '3.30' },
    });
    expect(text('.change-amount')).toBe('0,00 $');
  });

  it('F6 parks, F6 lists, Enter resumes', async () => {
    await scan(code(CARAMEL));
    await press('F6');
    expect(calls.at(-1)?.command).toBe('park');
    expect(text('.fkey.f6 .badge')).toBe('1');
    await press('F6');
    expect(text('.result.selected .num')).toBe('4,29 $');
    await press('Enter');
    expect(calls.at(-1)).toEqual({ command: 'resume', args: { id: 1 } });
  });

  it('F7 voids with a reason', async () => {
    await scan(code(CARAMEL));
    await press('F7');
    await press('Enter');
    expect($('.dialog .banner.error')?.dataset.code).toBe('reason_required');
    await human('Erreur');
    await press('Enter');
    expect(calls.at(-1)).toEqual({ command: 'void_cart', args: { reason: 'Erreur' } });
    expect(document.querySelectorAll('.row.line')).toHaveLength(0);
  });

  it('F10 shows the last receipt; Enter reprints it', async () => {
    await scan(code(CREME));
    await press('F8');
    await press('Enter');
    await press('Escape');
    await press('F10');
    expect(calls.at(-1)).toEqual({ command: 'receipt_preview', args: {} });
    expect(text('[data-dialog="receipt"] .paper')).toContain('Crème entière fluide');
    await press('Enter');
    expect(calls.at(-1)?.command).toBe('reprint_last');
    expect($('.dialog')).toBeNull();
  });

  it('F11 then 4 prints the X report; Enter dismisses it', async () => {
    await press('F11');
    await human('4');
    expect(calls.at(-1)?.command).toBe('report_x');
    expect(text('.report h2')).toBe('Rapport X n° 1');
    await press('Enter');
    expect(calls.at(-1)?.command).toBe('dismiss');
    expect($('.report')).toBeNull();
  });

  it('closing the shift shows expected, counted and difference', async () => {
    await press('F11');
    await human('5');
    await human('149.95');
    await press('Enter');
    expect(calls.at(-1)).toEqual({ command: 'close_shift', args: { counted: '149.95' } });
    expect(text('.rrow.diff')).toContain('-0,05 $');
    expect(text('.report h2')).toBe('Rapport Z n° 1');
  });

  it('closing the shift while offline says which sales the server has not received', async () => {
    expect(text('.report .unsynced')).toBe('');
    fake.setSync(sync({ state: 'offline', pending: 2 }));
    await press('F11');
    await human('5');
    await human('150');
    await press('Enter');
    expect(text('.report h2')).toBe('Rapport Z n° 1');
    expect(text('.report .unsynced')).toContain(
      '2 vente(s) de ce quart pas encore reçue(s) par le serveur',
    );
  });

  it('F12 locks; another cashier signs in', async () => {
    await press('F12');
    expect(text('h1')).toBe('Caisse verrouillée');
    await human('2468');
    await press('Enter');
    expect(text('.status .who')).toBe('Noah Gagnon');
    expect($<HTMLButtonElement>('.fkey.f5')!.disabled).toBe(true);
    expect($<HTMLButtonElement>('.fkey.f7')!.disabled).toBe(false);
  });

  it('the printer banner shows the message and the waiting receipts', async () => {
    fake.setPrinter('out_of_paper');
    await settle();
    await scan(code(CREME));
    await press('F8');
    await press('Enter');
    await press('Escape');
    expect(text('.printer-banner .msg')).toContain('Plus de papier');
    expect(text('.printer-banner .pending')).toBe('1 impression(s) en attente');
  });

  it('the status bar says whether the register is synced, and what waits', async () => {
    expect(text('.status .sync')).toBe('Sans serveur');
    fake.setSync(
      sync({
        state: 'offline',
        pending: 3,
        last_success_at: '2026-12-03T14:15:06Z',
        last_error: {
          code: 'offline',
          message: 'cannot reach the server',
          at: '2026-12-03T14:20:11Z',
        },
      }),
    );
    await app.run('view'); // the app pushes a new View when sync changes
    await settle();
    expect(text('.status .sync')).toBe('Hors ligne · 3 en attente');
    expect($('.status .sync')!.className).toContain('warn');
    expect($('.status .sync')!.getAttribute('title')).toContain(
      'Dernière synchro : 2026-12-03T14:15:06Z',
    );
    fake.setSync(sync({ state: 'refused', pending: 3 }));
    await app.run('view'); // the app pushes a new View when sync changes
    await settle();
    expect(text('.status .sync')).toBe('Synchro refusée · appelez le soutien');
    expect($('.status .sync')!.className).toContain('bad');
    fake.setSync(sync({ state: 'online', last_success_at: '2026-12-03T14:25:00Z' }));
    await app.run('view'); // the app pushes a new View when sync changes
    await settle();
    expect(text('.status .sync')).toBe('Synchronisé');
    expect($('.status .sync')!.className).toContain('ok');
    expect(text('.status .clock')).toBe('');
    fake.setSync(
      sync({
        state: 'online',
        last_success_at: '2026-12-03T14:25:00Z',
        clock_skew_seconds: 259_200,
      }),
    );
    await app.run('view');
    await settle();
    expect(text('.status .clock')).toBe('Horloge décalée de 3 j : faites-la régler');
  });

  it('the language toggle switches every label', async () => {
    expect(text('.status .lang')).toBe('EN');
    $<HTMLButtonElement>('.status .lang')!.click();
    await settle();
    expect(calls.at(-1)).toEqual({ command: 'set_language', args: { lang: 'en' } });
    expect(text('.fkey.f8 .fl')).toBe('Cash');
    expect(document.querySelector('.app')?.getAttribute('lang')).toBe('en');
  });

  it('shows VAT included in prices as such, and no toggle for a one-language store', async () => {
    await scan(code(FANTA));
    const v = structuredClone(app.state.view!);
    v.store = { ...v.store, currency: 'GBP', lang: 'en' };
    v.languages = ['en'];
    v.cart.taxes = [
      { code: 'VAT', label: 'VAT', rate: '20', base: '1.89', amount: '0.32', included: true },
    ];
    app.pushed(v);
    expect(text('[data-tax="VAT"]')).toBe('incl. VAT 20% on £1.89 £0.32');
    expect($('.status .lang')).toBeNull();
  });
});

describe('fixes from the tester', () => {
  beforeEach(signedIn);

  it('the card amount is prefilled as the UI writes amounts, and sent with a point', async () => {
    await scan(code(IPA));
    await press('F9');
    // 4.59 + GST 0.23 + QST 0.46, in French.
    expect(field('card').value).toBe('5,28');
    expect(text('[data-remaining]')).toBe('5,28 $');
    field('card').select();
    await human('2,5');
    await press('Enter');
    await human('A1');
    await press('Enter');
    expect(calls.find((c) => c.command === 'tender_card')?.args).toEqual({
      amount: '2.5',
      reference: 'A1',
    });
    // The next leg starts from what remains, formatted the same way; a point works too.
    expect(field('card').value).toBe('2,78');
    field('card').focus();
    field('card').select();
    await human('1.5');
    await press('Enter');
    await human('A2');
    await press('Enter');
    expect(calls.filter((c) => c.command === 'tender_card').at(-1)?.args).toEqual({
      amount: '1.5',
      reference: 'A2',
    });
    expect(text('[data-remaining]')).toBe('1,28 $');
  });

  it('the amount pad types a comma in French, and the amount still goes out with a point', async () => {
    await scan(code(IPA));
    await press('F9');
    field('card').select();
    for (const k of ['1', '.', '2', '5'])
      $<HTMLButtonElement>(`.amount-pad [data-key="${k}"]`)!.click();
    expect(field('card').value).toBe('1,25');
    await press('Enter');
    await human('B7');
    await press('Enter');
    expect(calls.find((c) => c.command === 'tender_card')?.args.amount).toBe('1.25');
  });

  it('an unknown-barcode notice does not follow into the next sale', async () => {
    await scan(code(CREME));
    await scan('0000000000017');
    expect($('.banner')?.dataset.code).toBe('unknown_barcode');
    await press('F8');
    await press('Enter');
    expect($('[data-dialog="change"]')).not.toBeNull();
    await human('x');
    expect($('.dialog')).toBeNull();
    expect(calls.at(-1)?.command).toBe('dismiss');
    expect(app.state.view!.notice).toBeNull();
    expect($('.banner')).toBeNull();
  });

  it('a scan that adds a line clears the unknown-barcode message', async () => {
    await scan('0000000000017');
    expect($('.banner')?.dataset.code).toBe('unknown_barcode');
    await scan(code(CREME));
    expect(document.querySelectorAll('.row.line')).toHaveLength(1);
    expect(app.state.error).toBeNull();
    expect($('.banner')).toBeNull();
  });

  it('a scan on the change screen starts the next sale with no old notice', async () => {
    await scan(code(CREME));
    await scan('0000000000017');
    await press('F8');
    await press('Enter');
    await scan(code(FANTA));
    expect($('.dialog')).toBeNull();
    expect($('.banner')).toBeNull();
    expect(document.querySelectorAll('.row.line')).toHaveLength(1);
  });

  it("the X report and parked sales show the store's wall clock, not the machine's", async () => {
    // The fake's clock is 19:00 UTC, 14:00 in Montréal (-05:00).
    await scan(code(CARAMEL));
    await press('F6');
    await press('F6');
    expect(text('.result.selected .code')).toBe('mise en attente à 14 h 00');
    await press('Escape');
    await press('F11');
    await human('4');
    expect(text('.report .muted')).toBe('Depuis 3 déc. 2026, 14 h 00');
  });
});

describe('start-up errors', () => {
  const message =
    'Cette caisse est déjà ouverte par un autre processus (fenêtre ou commande comptoir).';
  let views: number;

  async function boot(lang: string, rejects: () => boolean) {
    app.stop();
    document.body.innerHTML = '<div id="app"></div>';
    Object.defineProperty(window.navigator, 'language', { value: lang, configurable: true });
    views = 0;
    useBackend({
      invoke: (command, args) => {
        calls.push({ command, args });
        if (command === 'view') views += 1;
        if (rejects()) return Promise.reject({ code: 'already_running', message });
        return fake.invoke(command, args);
      },
      onView: () => {},
    });
    app = new App(document.getElementById('app')!, { timers });
    await app.start();
    await settle();
  }

  afterEach(() => {
    Reflect.deleteProperty(window.navigator, 'language');
  });

  it('already_running shows the message full screen, in French, with a retry', async () => {
    let busy = true;
    await boot('fr-CA', () => busy);
    expect(text('main')).not.toContain('Démarrage');
    expect($('.blocked')?.dataset.code).toBe('already_running');
    expect(text('.blocked-message')).toBe(message);
    expect(text('.blocked .lead')).toContain('déjà ouverte dans une autre fenêtre');
    expect(text('.blocked .retry')).toBe('Réessayer');
    $<HTMLButtonElement>('.blocked .retry')!.click();
    await settle();
    expect(views).toBe(2);
    expect($('.blocked')).not.toBeNull();
    // The other window is closed: the retry gets the View.
    busy = false;
    $<HTMLButtonElement>('.blocked .retry')!.click();
    await settle();
    expect(views).toBe(3);
    expect($('.blocked')).toBeNull();
    expect(text('h1')).toBe('Connexion');
  });

  it('in English when the browser is not French; Enter retries too', async () => {
    await boot('en-US', () => true);
    expect(text('.blocked .lead')).toContain('already open in another window');
    expect(text('.blocked .retry')).toBe('Try again');
    await press('Enter');
    expect(views).toBe(2);
  });

  it('any other start-up error is shown the same way', async () => {
    app.stop();
    document.body.innerHTML = '<div id="app"></div>';
    useBackend({
      invoke: () => Promise.reject({ code: 'storage_failed', message: 'Disque illisible.' }),
      onView: () => {},
    });
    app = new App(document.getElementById('app')!, { timers });
    await app.start();
    await settle();
    expect($('.blocked')?.dataset.code).toBe('storage_failed');
    expect(text('.blocked-message')).toBe('Disque illisible.');
  });
});

describe('a sale in tender', () => {
  beforeEach(signedIn);

  it('F7 from the tender dialog voids; Escape from the void goes back to the tender', async () => {
    await scan(code(IPA));
    await press('F9');
    field('card').select();
    await human('2');
    await press('Enter');
    await human('A9');
    await press('Enter');
    expect(text('[data-remaining]')).toBe('3,28 $');
    await press('F7');
    expect($('[data-dialog="void"]')).not.toBeNull();
    await press('Escape');
    expect($('[data-dialog="tender"]')).not.toBeNull();
    await press('F7');
    await human('Client parti');
    await press('Enter');
    expect(calls.at(-1)).toEqual({ command: 'void_cart', args: { reason: 'Client parti' } });
    expect($('.dialog')).toBeNull();
  });
});
