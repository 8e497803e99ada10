// The device setup screen (F11 7, a manager's) and the card terminal's payment (F9 when a
// terminal is set), driven by synthetic keys against the fake register: what is plugged in,
// settings saved or refused inline, the test page's preview, the checks, and the card
// payment's live texts, abort, decline, lost answer and recovery.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../ui/src/app';
import { resetDeviceEvents } from '../../ui/src/devices';
import { createFake, type FakeRegister } from '../../ui/src/fake';
import { useBackend, type Backend } from '../../ui/src/ipc';
import type { DeviceSetup, Preview } from '../../ui/src/types';
import { Keyboard, ManualTimers } from './keys';
import { FANTA, IPA, code } from './products';

let fake: FakeRegister;
let app: App;
let timers: ManualTimers;
let keys: Keyboard;
let t: number;
let calls: { command: string; args: Record<string, unknown> }[];

const $ = (sel: string) => document.querySelector<HTMLElement>(sel);
const $$ = (sel: string) => [...document.querySelectorAll<HTMLElement>(sel)];
const text = (sel: string) => $(sel)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const field = (name: string) => $(`[data-field="${name}"]`) as HTMLInputElement | null;
const sent = (command: string) => calls.filter((c) => c.command === command);

async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await app.idle();
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** Lets events and renders run without waiting for the command queue (a payment holds it). */
async function ticks(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(r, 0));
}

/** A key while a command is still running. */
async function pressNow(key: string): Promise<void> {
  t += 1000;
  timers.advance(t);
  keys.down(key, t);
  await ticks();
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

async function click(sel: string): Promise<void> {
  const el = $(sel);
  expect(el, sel).not.toBeNull();
  el!.click();
  await settle();
}

/** Types into a field as a person does: focus it, clear it, type. */
async function typeInto(name: string, value: string): Promise<void> {
  const el = field(name)!;
  el.focus();
  el.value = '';
  el.dispatchEvent(new InputEvent('input', { bubbles: true }));
  await human(value);
}

beforeEach(async () => {
  document.body.innerHTML = '<div id="app"></div>';
  fake = createFake({ now: () => Date.parse('2026-12-03T19:00:00Z') });
  calls = [];
  resetDeviceEvents();
  useBackend(recording());
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

/** The fake as the backend, every command recorded in `calls`; `changes` replaces a part. */
function recording(changes: Partial<Backend> = {}): Backend {
  return {
    invoke: (command, args) => {
      calls.push({ command, args });
      return fake.invoke(command, args);
    },
    onView: (l) => fake.onView(l),
    onEvent: (e, l) => fake.onEvent(e, l),
    ...changes,
  };
}

/** Signs in (the manager by default) and opens the shift; `terminal` sets one first. */
async function start(pin = '1234', terminal: string | null = null): Promise<void> {
  await human(pin);
  await press('Enter');
  if (terminal) await fake.invoke('set_setting', { key: 'terminal', value: terminal });
  await human('150');
  await press('Enter');
  expect(app.state.view!.screen).toBe('sale');
}

/** Two items in the cart, rung behind the screen's back, then shown. */
async function basket(): Promise<void> {
  await fake.invoke('scan', { code: code(IPA) });
  await fake.invoke('scan', { code: code(FANTA) });
  await app.run('view');
  await settle();
}

async function openDevices(): Promise<void> {
  await press('F11');
  await human('7');
  expect($('[data-dialog="devices"]')).not.toBeNull();
}

describe('the device setup screen', () => {
  it('F11 7 lists what is plugged in by vendor:product and names, and every setting', async () => {
    await start();
    await openDevices();
    expect(sent('device_setup')).toHaveLength(1);
    expect(text('.plugged.serial')).toBe(
      '/dev/ttyUSB0 067b:2303 Prolific Technology Inc. — USB-Serial Controller',
    );
    const usb = $$('.plugged.usb li').map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    expect(usb).toEqual([
      '04b8:0e28 EPSON — TM-T20III — X7RG012345 Utiliser comme imprimante',
      '046d:c31c Logitech — USB Keyboard',
    ]);
    const keysShown = $$('[data-setting]').map((e) => e.dataset.setting);
    expect(keysShown).toEqual([
      'printer',
      'printer.profile',
      'drawer.pin',
      'drawer.on_ms',
      'drawer.off_ms',
      'scanner.burst_max_gap_ms',
      'scanner.burst_min_len',
      'scanner',
      'scale',
      'display',
      'display.idle',
      'terminal',
      'terminal.password',
    ]);
    // The password is a password field, empty: it is never shown.
    expect(field('setting-terminal.password')!.type).toBe('password');
    expect(field('setting-terminal.password')!.value).toBe('');
    // The profile is one of the known profiles.
    const profile = $('select[data-field="setting-printer.profile"]') as HTMLSelectElement;
    expect([...profile.options].map((o) => o.value)).toEqual(FAKE_PROFILES);
    expect(profile.value).toBe('epson-tm-t20');
    // The first field has the focus: the screen is usable from the keyboard.
    expect(document.activeElement).toBe(field('setting-printer'));
  });

  it('a cashier without the permission cannot open it', async () => {
    await start('2468');
    await press('F11');
    const item = $$('.menu-item')[6] as HTMLButtonElement;
    expect(item.textContent).toContain('Périphériques');
    expect(item.disabled).toBe(true);
    await human('7');
    expect($('[data-dialog="devices"]')).toBeNull();
    expect(sent('device_setup')).toHaveLength(0);
  });

  it('an invalid value shows the register’s refusal under its setting; a valid one is saved', async () => {
    await start();
    await openDevices();
    await typeInto('setting-drawer.pin', '7');
    await press('Enter');
    expect(sent('set_setting').at(-1)!.args).toEqual({ key: 'drawer.pin', value: '7' });
    const refused = $('[data-setting="drawer.pin"] .banner.error')!;
    expect(refused.dataset.code).toBe('invalid_setting');
    expect(refused.textContent).toContain('drawer.pin is 2 or 5');
    // What was typed stays, to be corrected; nothing else shows an error.
    expect(field('setting-drawer.pin')!.value).toBe('7');
    expect($$('.setting .banner.error')).toHaveLength(1);
    await typeInto('setting-drawer.pin', '5');
    await press('Enter');
    expect($('[data-setting="drawer.pin"] .banner.error')).toBeNull();
    expect(text('[data-setting="drawer.pin"] .saved-note')).toContain('Enregistré');
    const setup = (await fake.invoke('device_setup')) as unknown as DeviceSetup;
    expect(setup.settings.find((s) => s.key === 'drawer.pin')).toMatchObject({
      value: '5',
      saved: true,
    });
  });

  it('a terminal of another protocol is refused with the register’s message', async () => {
    await start();
    await openDevices();
    await typeInto('setting-terminal', 'tcp://10.0.0.9:20007');
    await click('[data-setting="terminal"] .btn.save');
    expect(text('[data-setting="terminal"] .banner.error')).toContain('the protocol is zvt');
    expect(app.card?.terminal).toBe(false);
  });

  it('a printer-class USB device is used as the printer with one tap', async () => {
    await start();
    await openDevices();
    await click('.plugged.usb .use-printer');
    expect(sent('set_setting').at(-1)!.args).toEqual({
      key: 'printer',
      value: 'usb:04b8:0e28:X7RG012345',
    });
    expect(field('setting-printer')!.value).toBe('usb:04b8:0e28:X7RG012345');
    expect(text('[data-setting="printer"] .saved-note')).toContain('Enregistré');
  });

  it('F1 prints the test page and shows the preview of exactly the job it printed', async () => {
    await start();
    await openDevices();
    await press('F1');
    const printed = sent('print_test_page');
    expect(printed).toHaveLength(1);
    const job = $('.test-preview')!.dataset.job!;
    const preview = (await fake.invoke('receipt_preview', { job })) as unknown as Preview;
    const shown = $$('.test-preview .paper .pl').map((e) => e.textContent);
    const expected = preview.lines
      .filter((l) => l.kind !== 'cut')
      .map((l) => (l.kind === 'text' ? l.text || '\u00a0' : l.text));
    expect(shown).toEqual(expected);
    expect(shown).toContain('Français : àâæçéèêëîïôœùûüÿ ÀÂÇÉÈÊËÎÏÔŒÙÛÜ');
    expect(text('.check-result')).toContain('Imprimée');
  });

  it('F3 without a serial scanner says so; with one set, shows the data, symbology and meaning', async () => {
    await start();
    await openDevices();
    await press('F3');
    expect($('[data-dialog="devices"] .banner.error')!.dataset.code).toBe('no_device');
    await typeInto('setting-scanner', 'serial:/dev/ttyUSB0@9600');
    await press('Enter');
    await press('F3');
    expect($$('.check-result .check-line').map((l) => l.textContent)).toEqual([
      'Données : 0064200116473',
      'Symbologie (AIM) : ]E0 EAN-13 / UPC-A / UPC-E',
      'Sens : ring_item — item 0064200116473',
    ]);
  });

  it('F2 opens the drawer; F5 runs the terminal diagnosis with its texts live', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await openDevices();
    await press('F2');
    expect(sent('test_drawer')).toHaveLength(1);
    expect(app.state.view!.drawer.state).toBe('open');
    await press('F5');
    expect(sent('terminal_action').at(-1)!.args).toEqual({ action: 'diagnosis' });
    expect($$('.terminal-texts li').map((l) => l.textContent)).toEqual([
      'Diagnose',
      'Bitte warten',
    ]);
    expect(text('.check-result')).toContain('Logiciel : GT800-SIM 1.0');
    expect(text('.check-result')).toContain('Terminal-ID 52500038');
  });

  it('F6 asks the terminal its status; F7 runs its end of day once confirmed', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: [], result: 'approved' });
    await press('F9');
    await press('Enter');
    await openDevices();
    expect(text('.device-checks')).toContain('F6 État du terminal');
    expect(text('.device-checks')).toContain('F7 Clôture du terminal');
    await press('F6');
    expect(sent('terminal_action').at(-1)!.args).toEqual({ action: 'status' });
    expect($$('.terminal-texts li').map((l) => l.textContent)).toEqual(['Statusabfrage']);
    expect(text('.check-result')).toContain('État du terminal');
    expect(text('.check-result')).toContain('Logiciel : GT800-SIM 1.0');
    // The end of day closes the terminal's day with the bank: a first F7 only asks.
    await press('F7');
    expect(sent('terminal_action')).toHaveLength(1);
    expect(text('[data-confirm="end_of_day"]')).toContain('F7 de nouveau');
    await press('F7');
    expect(sent('terminal_action').at(-1)!.args).toEqual({ action: 'end_of_day' });
    expect($('[data-confirm]')).toBeNull();
    expect($$('.terminal-texts li').map((l) => l.textContent)).toEqual([
      'Kassenschnitt',
      'Bitte warten',
    ]);
    const total = app.state.view!.last_sale!.total.replace('.', ',');
    expect(text('.check-result')).toContain(`Summe: EUR ${total}`);
    // Its button confirms too; the day starts again from zero.
    await click('.check-end_of_day');
    await click('[data-confirm] .btn.confirm');
    expect(sent('terminal_action')).toHaveLength(3);
    expect(text('.check-result')).toContain('Summe: EUR 0,00');
  });

  it('a setting the UI has no words for is named from its key; the new ones have theirs', async () => {
    const extra = (key: string, def: string) => ({
      key,
      value: def,
      default: def,
      secret: false,
      saved: false,
    });
    useBackend(
      recording({
        invoke: async (command, args) => {
          const answer = await fake.invoke(command, args);
          if (command !== 'device_setup') return answer;
          const setup = answer as unknown as DeviceSetup;
          setup.settings.push(
            extra('printer.auto_status', 'false'),
            extra('printer.logo', ''),
            extra('drawer.realtime_ms', '200'),
            extra('drawer.realtime_in_error', 'true'),
            extra('drawer.open_when_high', 'true'),
            extra('drawer.warn_open_secs', '30'),
            extra('scale.tare_mode', 'auto'),
          );
          return setup;
        },
      }),
    );
    await start();
    await openDevices();
    expect($$('[data-setting]')).toHaveLength(20);
    const labelOf = (key: string) => text(`[data-setting="${key}"] .label`);
    const hintOf = (key: string) => text(`[data-setting="${key}"] .hint`);
    expect(labelOf('scale.tare_mode')).toBe('Scale: tare mode');
    expect(hintOf('scale.tare_mode')).toBe('Par défaut : auto');
    expect(labelOf('printer.auto_status')).toBe('Imprimante : état automatique');
    expect(hintOf('printer.logo')).toMatch(/image \.pbm ou \.pgm.* Par défaut : aucun$/);
    expect(labelOf('drawer.warn_open_secs')).toBe('Tiroir : alerte si ouvert (s)');
    expect(hintOf('drawer.warn_open_secs')).toMatch(/^De 0 à 3600 .* Par défaut : 30$/);
    await fake.invoke('set_language', { lang: 'en' });
    await app.run('view');
    await press('Escape');
    await openDevices();
    expect(labelOf('drawer.realtime_in_error')).toBe('Drawer: open despite an error');
    expect(hintOf('drawer.realtime_ms')).toMatch(/^100 to 800: .* Default: 200$/);
    expect(labelOf('scale.tare_mode')).toBe('Scale: tare mode');
  });

  it('in English', async () => {
    await start();
    await fake.invoke('set_language', { lang: 'en' });
    await app.run('view');
    await openDevices();
    expect(text('[data-dialog="devices"] h2')).toBe('Devices');
    expect(text('.device-checks')).toContain('F1 Test page');
    expect(text('.device-checks')).toContain('F5 Terminal diagnosis');
  });
});

const FAKE_PROFILES = ['epson-tm-t20', 'epson-tm-t88', 'star-tsp100', 'generic-58mm'];

describe('the card terminal', () => {
  it('a refund to the card goes through the terminal: its texts show, Esc aborts it there', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: ['Karte bitte'], result: 'approved' });
    const paid = await fake.invoke('pay_by_card', { amount: app.state.view!.cart.total });
    const receipt = paid.last_sale!.receipt_no;
    await fake.invoke('return_line', {
      receipt_no: receipt,
      line: 1,
      qty: '1',
      disposition: 'restock',
      reason: 'x',
    });
    await app.run('view');
    await settle();
    fake.setTerminal({ texts: ['Karte bitte', 'Gutschrift'], result: 'approved', hold: true });
    await press('F8');
    expect($('[data-dialog="refund"]')).not.toBeNull();
    await pressNow('Enter');
    expect(sent('refund').at(-1)!.args).toEqual({ to: 'original' });
    expect($$('.dialog.refund .terminal-texts li').map((l) => l.textContent)).toEqual([
      'Karte bitte',
      'Gutschrift',
    ]);
    // No other key while the terminal has the refund; Esc aborts it there.
    await pressNow('2');
    expect($('[data-refund-to="original"]')?.getAttribute('aria-checked')).toBe('true');
    await pressNow('Escape');
    expect(sent('abort_card_payment')).toHaveLength(1);
    await settle();
    expect(app.state.error?.code).toBe('card_refund_declined');
    expect($('[data-dialog="refund"]')).not.toBeNull();
    expect(app.state.view!.cart.returns).toHaveLength(1);
  });

  it('without a terminal, F9 is the typed reference as before', async () => {
    await start();
    await basket();
    await press('F9');
    expect($('[data-dialog="card"]')).toBeNull();
    expect(app.state.dialog).toMatchObject({ kind: 'tender', tab: 'card' });
  });

  it('F9 offers what is left; Enter pays, the texts show live, approved completes the sale', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    const total = app.state.view!.cart.total;
    fake.setTerminal({ texts: ['Karte bitte', 'PIN eingeben'], result: 'approved', hold: true });
    await press('F9');
    expect($('[data-dialog="card"]')).not.toBeNull();
    expect(field('amount')!.value).toBe(total.replace('.', ','));
    await pressNow('Enter');
    expect(sent('pay_by_card').at(-1)!.args).toEqual({ amount: total });
    // The customer is at the PIN pad: the terminal's texts are on screen, Abort is offered.
    expect($$('.terminal-texts li').map((l) => l.textContent)).toEqual([
      'Karte bitte',
      'PIN eingeben',
    ]);
    expect($('.dialog.card .btn.abort')).not.toBeNull();
    // No lock while the terminal has the payment.
    await pressNow('F12');
    expect(sent('lock')).toHaveLength(0);
    fake.releaseTerminal();
    await settle();
    expect(app.state.dialog?.kind).toBe('change');
    const sale = app.state.view!.last_sale!;
    expect(sale.tenders!.map((l) => [l.kind, l.amount, l.reference])).toEqual([
      ['card', total, 'TID 52500038 RCPT 0001'],
    ]);
    expect(app.state.view!.cart.lines).toHaveLength(0);
    expect(app.state.preview?.job).toBe(sale.print_job);
  });

  it('Esc while the terminal waits aborts it: nothing charged, the cart unchanged', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: ['Karte bitte'], result: 'approved', hold: true });
    await press('F9');
    await pressNow('Enter');
    await pressNow('Escape');
    await settle();
    expect(sent('abort_card_payment')).toHaveLength(1);
    expect($('.dialog.card .banner.error')!.dataset.code).toBe('card_aborted');
    expect(text('.dialog.card')).toContain('Le panier n’a pas changé');
    expect($$('.terminal-texts li').map((l) => l.textContent)).toContain('Abbruch');
    expect(app.state.view!.cart.lines).toHaveLength(2);
    expect(app.state.view!.cart.tenders).toHaveLength(0);
  });

  it('declined: the message, the cart unchanged; Enter tries again', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: ['Karte bitte'], result: 'declined' });
    await press('F9');
    await press('Enter');
    expect($('.dialog.card .banner.error')!.dataset.code).toBe('card_declined');
    expect(text('.dialog.card .banner.error')).toContain('Carte refusée');
    expect(app.state.view!.cart.lines).toHaveLength(2);
    expect(app.state.view!.cart.tenders).toHaveLength(0);
    fake.setTerminal({ texts: [], result: 'approved' });
    await press('Enter');
    expect(field('amount')).not.toBeNull();
    await press('Enter');
    expect(app.state.dialog?.kind).toBe('change');
  });

  it('the answer lost: explained, Ask the terminal finds it paid and the sale completes', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: ['Autorisierung'], result: 'pending' });
    await press('F9');
    await press('Enter');
    expect($('.dialog.card .banner.warn')!.dataset.code).toBe('card_payment_pending');
    expect(text('.dialog.card')).toContain('Ne faites pas payer à nouveau');
    expect(app.card?.unsettled).toHaveLength(1);
    fake.setRecovery('approved');
    await press('Enter');
    expect(sent('recover_card_payments')).toHaveLength(1);
    expect(app.state.dialog?.kind).toBe('change');
    expect(app.state.view!.last_sale!.tenders![0]!.kind).toBe('card');
    expect(app.card?.unsettled).toHaveLength(0);
  });

  it('a payment left unsettled puts a banner on the sale screen; asking finds it not charged', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: [], result: 'pending' });
    await press('F9');
    await press('Enter');
    await press('Escape');
    expect($('[data-dialog="card"]')).toBeNull();
    expect(text('.card-unsettled')).toContain('attend la réponse du terminal');
    fake.setRecovery('not_charged');
    await click('.card-unsettled .ask-terminal');
    expect(text('.dialog.card .recovered')).toContain('carte non débitée');
    expect($('.card-unsettled')).toBeNull();
    expect(app.state.view!.cart.lines).toHaveLength(2);
    expect(app.state.view!.cart.tenders).toHaveLength(0);
  });

  it('a pushed View asks again for the unsettled payments: the banner follows', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: [], result: 'pending' });
    await press('F9');
    await press('Enter');
    await press('Escape');
    expect($('.card-unsettled')).not.toBeNull();
    // Settled outside any command of this screen, then a View pushed (a device changed).
    fake.setRecovery('not_charged');
    await fake.invoke('recover_card_payments');
    const before = sent('card_status').length;
    app.pushed(await fake.invoke('view'));
    await settle();
    expect(sent('card_status')).toHaveLength(before + 1);
    expect($('.card-unsettled')).toBeNull();
  });

  it('the terminal’s first text is not lost: the payment waits for the subscription', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    // A backend whose subscription takes a while to be in place, as Tauri's does (its own IPC).
    let subscribe: () => void = () => {};
    resetDeviceEvents();
    useBackend(
      recording({
        onEvent: (e, l) =>
          new Promise<void>((resolve) => {
            subscribe = () => {
              fake.onEvent(e, l);
              resolve();
            };
          }),
      }),
    );
    fake.setTerminal({ texts: ['Karte bitte', 'PIN eingeben'], result: 'approved', hold: true });
    await press('F9');
    await pressNow('Enter');
    expect(sent('pay_by_card')).toHaveLength(0);
    subscribe();
    await ticks();
    expect(sent('pay_by_card')).toHaveLength(1);
    expect($$('.terminal-texts li').map((l) => l.textContent)).toEqual([
      'Karte bitte',
      'PIN eingeben',
    ]);
    fake.releaseTerminal();
    await settle();
    expect(app.state.dialog?.kind).toBe('change');
  });

  it('part paid by card: the tender dialog takes the rest', async () => {
    await start('1234', 'zvt+tcp://127.0.0.1:20007');
    await basket();
    fake.setTerminal({ texts: [], result: 'approved' });
    await press('F9');
    await typeInto('amount', '5');
    await press('Enter');
    expect(sent('pay_by_card').at(-1)!.args).toEqual({ amount: '5' });
    expect(app.state.view!.screen).toBe('tender');
    expect(app.state.dialog?.kind).toBe('tender');
    expect(app.state.view!.cart.tenders.map((l) => l.amount)).toEqual(['5.00']);
  });
});

describe('scans on the setup screen', () => {
  it('a keyboard-wedge burst shows what it sent; nothing is rung', async () => {
    await start();
    await openDevices();
    t = keys.scan('0064200116473', t + 1000, 4) + 1000;
    await settle();
    expect($$('.check-result .check-line').map((l) => l.textContent)).toEqual([
      'Données : 0064200116473',
      'Lu par un scanner clavier (il tape dans l’écran de vente) : rien n’a été ajouté.',
    ]);
    expect(sent('scan')).toHaveLength(0);
    expect(app.state.view!.cart.lines).toHaveLength(0);
    expect(field('setting-printer')!.value).toBe('virtual');
  });
});
