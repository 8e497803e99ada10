//! The device setup screen (F11 7, a manager's) and the card terminal's payment (F9 when a
//! terminal is set): their UI state and the commands they send. The terminal's texts arrive as
//! `terminal-progress` events while `pay_by_card` or `terminal_action` runs; Abort (Esc) goes
//! around the command queue, since the payment holds it.

import type { App } from './app';
import { ask, call, onEvent, TERMINAL_PROGRESS, toIpcError } from './ipc';
import { entryAmount, normalizeAmount } from './money';
import type {
  AdminResult,
  CardStatus,
  DeviceSetup,
  IpcError,
  PrintedTestPage,
  Recovered,
  Recovery,
  ScanRead,
} from './types';

/** What a check button showed last: a title and its lines. */
export interface CheckResult {
  title: string;
  lines: string[];
}

export interface DevicesDialog {
  kind: 'devices';
  setup: DeviceSetup | null;
  /** What is typed in each setting's field and not saved yet. */
  edits: Record<string, string>;
  /** A refused save, shown under its setting. */
  errors: Record<string, IpcError>;
  /** The setting saved last (its row says so). */
  saved: string | null;
  page: PrintedTestPage | null;
  check: CheckResult | null;
  /** The check waiting on a device (`scan`, `scale`, `terminal`…). */
  busy: string | null;
  progress: string[];
  /** A check that asks to be confirmed (the terminal's end of day), pressed once. */
  confirm: Check | null;
}

export type CardPhase = 'entry' | 'running' | 'declined' | 'pending' | 'recovered';

export interface CardDialog {
  kind: 'card';
  amount: string;
  phase: CardPhase;
  /** The terminal's texts, oldest first. */
  progress: string[];
  /** Why the last payment did not go through. */
  failure: IpcError | null;
  recovered: Recovered[] | null;
}

/** The device setup checks, on F1…F7 in their dialog. */
export const CHECKS = [
  'test_page',
  'drawer',
  'scan',
  'scale',
  'diagnosis',
  'status',
  'end_of_day',
] as const;
export type Check = (typeof CHECKS)[number];

/** The checks that ask the card terminal (`terminal_action`), whose texts show live. */
export const TERMINAL_CHECKS: readonly Check[] = ['diagnosis', 'status', 'end_of_day'];

let subscribed: Promise<boolean> | null = null;
let progressTo: ((text: string) => void) | null = null;

/**
 * Subscribes once to the terminal's texts; they go to the dialog waiting on the terminal.
 * Resolves when the subscription is in place: a command sent before would lose its first texts.
 */
function listen(): Promise<boolean> {
  subscribed ??= onEvent(TERMINAL_PROGRESS, (payload) => {
    if (typeof payload === 'string') progressTo?.(payload);
  });
  return subscribed;
}

/** Forgets the subscription (tests give each App a fresh backend). */
export function resetDeviceEvents(): void {
  subscribed = null;
  progressTo = null;
}

/** Sends the terminal's texts to `d` from now on; resolves once they can arrive. */
async function follow(app: App, d: { progress: string[] }): Promise<void> {
  progressTo = (text) => {
    if (app.state.dialog !== (d as unknown)) return;
    d.progress.push(text);
    app.paint();
  };
  await listen();
}

// The setup screen.

export function openDevices(app: App): void {
  const d: DevicesDialog = {
    kind: 'devices',
    setup: null,
    edits: {},
    errors: {},
    saved: null,
    page: null,
    check: null,
    busy: null,
    progress: [],
    confirm: null,
  };
  void listen();
  app.show(d);
  void app.enqueue(async () => {
    d.setup = await ask<DeviceSetup>('device_setup');
  });
}

/** The value shown in a setting's field: what is typed, else the saved value (secrets empty). */
export function settingValue(d: DevicesDialog, key: string): string {
  if (key in d.edits) return d.edits[key]!;
  const s = d.setup?.settings.find((x) => x.key === key);
  if (!s || s.secret) return '';
  return s.value;
}

/** Saves one setting; a refusal shows under it and keeps what was typed. */
export function saveSetting(
  app: App,
  d: DevicesDialog,
  key: string,
  value?: string,
): Promise<boolean> {
  const sent = value ?? settingValue(d, key);
  return app.enqueue(async () => {
    try {
      d.setup = await ask<DeviceSetup>('set_setting', { key, value: sent });
      delete d.edits[key];
      delete d.errors[key];
      d.saved = key;
      if (key.startsWith('terminal')) await refreshCard(app);
    } catch (e) {
      d.errors[key] = toIpcError(e);
      d.edits[key] = sent;
      d.saved = null;
    }
  });
}

/** A keyboard-wedge scanner's burst on the setup screen: what it typed, and that it is one. */
export function wedgeRead(app: App, d: DevicesDialog, code: string): void {
  d.check = {
    title: app.t('devices_scan'),
    lines: [`${app.t('devices_data')} : ${code}`, app.t('devices_wedge')],
  };
  app.paint();
}

/** A printer-class USB device becomes the receipt printer. */
export function useAsPrinter(app: App, d: DevicesDialog, setting: string): Promise<boolean> {
  d.edits.printer = setting;
  return saveSetting(app, d, 'printer', setting);
}

/** The title of what a terminal check found. */
const CHECK_TITLE = {
  diagnosis: 'devices_diagnosis',
  status: 'devices_terminal_status',
  end_of_day: 'devices_end_of_day',
} as const;

/**
 * Runs one check; what it found shows in the dialog, a failure in its error banner. The
 * terminal's end of day closes its day with the bank, so it runs only when asked twice.
 */
export function runCheck(app: App, d: DevicesDialog, check: Check): Promise<boolean> {
  if (check === 'end_of_day' && d.confirm !== check) {
    d.confirm = check;
    d.check = null;
    app.paint();
    return Promise.resolve(false);
  }
  d.confirm = null;
  d.busy = check;
  d.check = null;
  d.progress = [];
  if (check !== 'test_page') d.page = null;
  const terminal = TERMINAL_CHECKS.includes(check);
  const following = terminal ? follow(app, d) : Promise.resolve();
  app.state.error = null;
  app.paint();
  return app
    .enqueue(async () => {
      await following;
      try {
        switch (check) {
          case 'test_page': {
            d.page = await ask<PrintedTestPage>('print_test_page');
            await refreshView(app);
            const p = d.page.page;
            d.check = {
              title: app.t('devices_test_page'),
              lines: [
                `${app.t('devices_printer')} : ${p.printer} (${p.profile})`,
                p.printed ? app.t('devices_printed') : (p.error ?? app.t('devices_not_printed')),
              ],
            };
            return;
          }
          case 'drawer':
            await ask<boolean>('test_drawer');
            await refreshView(app);
            d.check = { title: app.t('devices_drawer'), lines: [app.t('devices_drawer_opened')] };
            return;
          case 'scan': {
            const s = await ask<ScanRead>('read_scan');
            d.check = {
              title: app.t('devices_scan'),
              lines: [
                `${app.t('devices_data')} : ${s.data}`,
                `${app.t('devices_symbology')} : ${
                  s.aim ? `${s.aim} ${s.symbology ?? ''}`.trim() : app.t('devices_none')
                }`,
                `${app.t('devices_meaning')} : ${s.action} — ${s.meaning}`,
                ...s.fields.map((f) => `${f.ai ? `(${f.ai}) ` : ''}${f.name} : ${f.value}`),
              ],
            };
            return;
          }
          case 'scale': {
            const w = await ask<string>('read_scale');
            d.check = { title: app.t('devices_scale'), lines: [`${w} kg`] };
            return;
          }
          case 'diagnosis':
          case 'status':
          case 'end_of_day': {
            const r = await ask<AdminResult>('terminal_action', { action: check });
            d.check = {
              title: app.t(CHECK_TITLE[check]),
              lines: [
                `${app.t('devices_result')} : ${r.message} (${r.result})`,
                ...(r.software ? [`${app.t('devices_software')} : ${r.software}`] : []),
                ...r.receipt,
              ],
            };
            return;
          }
        }
      } finally {
        d.busy = null;
      }
    })
    .then((ok) => {
      if (terminal) progressTo = null;
      return ok;
    });
}

/** The printer's and the drawer's state after a check (the check answers no View). */
async function refreshView(app: App): Promise<void> {
  app.pushed(await call('view'));
}

// The card terminal.

/** Whether a terminal is set and payments are unsettled, for F9 and the sale screen's banner. */
export async function refreshCard(app: App): Promise<void> {
  try {
    app.card = await ask<CardStatus>('card_status');
  } catch {
    app.card = null;
  }
  app.paint();
}

export function openCard(app: App): void {
  const v = app.state.view!;
  const d: CardDialog = {
    kind: 'card',
    amount: entryAmount(v.cart.remaining, app.lang),
    phase: 'entry',
    progress: [],
    failure: null,
    recovered: null,
  };
  void listen();
  app.show(d);
}

/** Enter in the card dialog: pays, asks the terminal again, or starts over after a refusal. */
export function cardEnter(app: App, d: CardDialog): void {
  switch (d.phase) {
    case 'entry':
      return void pay(app, d);
    case 'declined':
      d.phase = 'entry';
      d.failure = null;
      d.progress = [];
      return app.paint();
    case 'pending':
      return void recover(app, d);
    case 'recovered':
      return app.close();
    case 'running':
      return;
  }
}

/** Esc: aborts a payment in progress on the terminal, else closes. */
export function cardEscape(app: App, d: CardDialog): void {
  if (d.phase === 'running') return void abort(app, d);
  // A payment whose outcome is unknown stays on screen until the terminal is asked.
  app.close();
}

/** The refund's card part runs on the terminal: its texts go to the refund dialog. */
export function followRefund(app: App, d: { progress: string[] }): void {
  follow(app, d);
}

/** The terminal is done with the refund: its texts no longer go anywhere. */
export function stopFollowing(): void {
  progressTo = null;
}

/** Asks the terminal to abort; outside the queue, which the payment holds. */
export async function abort(app: App, d: { progress: string[] }): Promise<void> {
  d.progress.push(app.t('card_aborting'));
  app.paint();
  try {
    await call('abort_card_payment');
  } catch {
    // The payment's own answer says how it ended.
  }
}

async function pay(app: App, d: CardDialog): Promise<void> {
  const receipt = app.state.view?.last_sale?.receipt_no ?? null;
  d.phase = 'running';
  d.progress = [];
  d.failure = null;
  app.state.error = null;
  app.paint();
  await follow(app, d);
  const ok = await app.run('pay_by_card', { amount: normalizeAmount(d.amount) });
  progressTo = null;
  if (app.state.dialog !== d) return;
  if (ok) {
    void refreshCard(app);
    if (app.paidOff(receipt)) return;
    // Part paid: the rest is taken in the tender dialog.
    return app.close();
  }
  const e = app.state.error!;
  app.state.error = null;
  d.failure = e;
  d.phase = e.code === 'card_payment_pending' ? 'pending' : 'declined';
  await refreshCard(app);
  app.paint();
}

/** "Ask the terminal": what became of the payments whose answer was lost. */
export async function recover(app: App, d: CardDialog): Promise<void> {
  const receipt = app.state.view?.last_sale?.receipt_no ?? null;
  d.phase = 'running';
  d.progress = [];
  app.paint();
  await follow(app, d);
  let result: Recovery | null = null;
  const ok = await app.enqueue(async () => {
    result = await ask<Recovery>('recover_card_payments');
  });
  progressTo = null;
  if (result) app.pushed((result as Recovery).view);
  await refreshCard(app);
  if (app.state.dialog !== d) return;
  if (!ok || !result) {
    d.failure = app.state.error;
    app.state.error = null;
    d.phase = 'pending';
    return app.paint();
  }
  const found = (result as Recovery).recovered;
  d.recovered = found;
  if (found.some((r) => r.outcome === 'approved') && app.paidOff(receipt)) return;
  d.phase = found.some((r) => r.outcome === 'pending') ? 'pending' : 'recovered';
  d.failure = null;
  app.paint();
}

/** The banner's "Ask the terminal", from the sale screen. */
export function recoverFromBanner(app: App): void {
  openCard(app);
  const d = app.state.dialog as CardDialog;
  void recover(app, d);
}
