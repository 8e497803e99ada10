//! The cashier's screens: UI state (which dialog is open, what is typed, which line is selected),
//! the keyboard map, and the commands sent to the register. Business state lives only in the last
//! `View`; everything here is about presentation and input.

import { render } from 'lit-html';
import { call, findSale, findSalesBy, preview, storeCredit, toIpcError, type Args } from './ipc';
import { t, type Key } from './i18n';
import {
  cents,
  decimalSeparator,
  entryAmount,
  fromCents,
  normalizeAmount,
  normalizeEntry,
  stepQty,
} from './money';
import type {
  CardStatus,
  CreditBalance,
  DiscountRule,
  IpcError,
  Lang,
  Line,
  Preview,
  ReturnLine,
  SaleForReturn,
  TaxClass,
  View,
} from './types';
import { attachWedge, insertText, type Timers } from './wedge';
import { page } from './screens/page';
import {
  abort as abortOnTerminal,
  cardEnter,
  cardEscape,
  CHECKS,
  followRefund,
  stopFollowing,
  openCard,
  openDevices,
  refreshCard,
  runCheck,
  saveSetting,
  wedgeRead,
  type CardDialog,
  type DevicesDialog,
} from './devices';

export type Dialog =
  | { kind: 'qty'; line: number | null; value: string }
  | { kind: 'price_check'; value: string }
  | { kind: 'search'; value: string; index: number }
  | { kind: 'open_price'; name: string; price: string; tax: TaxClass; sku: string | null }
  | { kind: 'parked'; index: number }
  | { kind: 'void'; reason: string }
  | {
      kind: 'tender';
      tab: TenderTab;
      cash: string;
      card: string;
      reference: string;
      /** The credit note typed or scanned, and what it holds once looked up. */
      note: string;
      balance: CreditBalance | null;
      /** What to take off the note: at most its balance and what remains due. */
      credit: string;
    }
  | { kind: 'nothing_due' }
  | { kind: 'change'; receipt_no: string; change: string; total: string; rounding: string }
  | { kind: 'receipt' }
  | { kind: 'menu'; index: number }
  | { kind: 'paid_in' | 'paid_out'; amount: string; reason: string }
  | { kind: 'no_sale'; reason: string }
  | { kind: 'close_shift'; counted: string }
  | { kind: 'adjust'; index: number; line: number | null }
  | {
      kind: 'discount';
      target: 'line' | 'order';
      line: number | null;
      rule: DiscountRule;
      value: string;
      reason: string;
    }
  | { kind: 'override'; line: number; price: string; reason: string }
  | { kind: 'approve'; pin: string; ask: Approval; note: string | null; back: Dialog }
  | { kind: 'exemption'; certificate: string; taxes: string[] }
  | {
      kind: 'returns';
      /** What the cashier scanned or typed: a receipt number, a card reference, a customer. */
      query: string;
      sale: SaleForReturn | null;
      /** Receipts found by card reference or customer, to choose from. */
      results: string[] | null;
      picks: Pick[];
      reason: string;
    }
  | {
      kind: 'no_receipt';
      code: string;
      qty: string;
      disposition: Disposition;
      reason: string;
      /** Today's price of the item scanned, as `price_check` gives it. */
      price: string | null;
    }
  | {
      kind: 'refund';
      to: RefundTo;
      done: boolean;
      /** While the card terminal refunds the card part: what it shows. */
      running?: boolean;
      progress?: string[];
    }
  | { kind: 'coupon'; code: string }
  | DevicesDialog
  | CardDialog;

/** The tender dialog's tabs: F8 cash, F9 card, ⇧F8 store credit. */
export type TenderTab = 'cash' | 'card' | 'credit';

/** What happens to a returned item: back on the shelf, or damaged. */
export type Disposition = 'restock' | 'write_off';
/** Where a refund goes (`refund`'s `to`). */
export type RefundTo = 'original' | 'cash' | 'store_credit';
export const REFUND_TO: RefundTo[] = ['original', 'cash', 'store_credit'];

/** A line of the sale found for a return: ticked or not, how many come back, and where to. */
export interface Pick {
  line: number;
  on: boolean;
  qty: string;
  disposition: Disposition;
}

/**
 * A command that waits for a manager's PIN: sent again with the PIN in `pin_arg` (`approval`
 * for a discount over the cashier's limit, `manager_pin` for a price override).
 */
export interface Approval {
  command: string;
  args: Args;
  pin_arg: 'approval' | 'manager_pin';
  why: 'discount' | 'override' | 'return' | 'cash_refund';
}

/** The PIN pad stays up on these; any other refusal goes back to the dialog that asked. */
const PIN_CODES = ['wrong_pin', 'manager_required', 'locked_out'];

export interface UiState {
  view: View | null;
  /** No backend at all: the page was opened outside Tauri without `?fake=1`. */
  offline: boolean;
  dialog: Dialog | null;
  /** The main field of the screen: the PIN, the float, or the code typed on the sale screen. */
  entry: string;
  /** The line chosen with ↑ ↓ or a tap; none until then, and none again after the cart changes. */
  selected: number | null;
  /** The line the last command added or changed, highlighted. */
  highlight: number | null;
  /** The last rejected command, shown until the next action. */
  error: IpcError | null;
  /** The receipt shown on the change screen and in the F10 dialog (`receipt_preview`). */
  preview: Preview | null;
}

/** The F11 menu, in order; digits 1 to 5 choose too. */
export const MENU: {
  kind: 'no_sale' | 'paid_in' | 'paid_out' | 'report_x' | 'close_shift' | 'returns' | 'devices';
  label: Key;
  permission?: string;
}[] = [
  { kind: 'no_sale', label: 'no_sale', permission: 'no_sale' },
  { kind: 'paid_in', label: 'paid_in', permission: 'paid_in' },
  { kind: 'paid_out', label: 'paid_out', permission: 'paid_out' },
  { kind: 'report_x', label: 'report_x' },
  { kind: 'close_shift', label: 'close_shift' },
  { kind: 'returns', label: 'returns_title' },
  { kind: 'devices', label: 'devices_title', permission: 'device_setup' },
];

/** The F1 menu of discounts, price overrides and the tax exemption; digits 1 to 7 choose too. */
export const ADJUST: {
  kind:
    | 'line'
    | 'remove_line'
    | 'override'
    | 'order'
    | 'remove_order'
    | 'exemption'
    | 'remove_exemption'
    | 'coupon';
  label: Key;
}[] = [
  { kind: 'line', label: 'adjust_line' },
  { kind: 'remove_line', label: 'adjust_remove_line' },
  { kind: 'override', label: 'adjust_override' },
  { kind: 'order', label: 'adjust_order' },
  { kind: 'remove_order', label: 'adjust_remove_order' },
  { kind: 'exemption', label: 'adjust_exemption' },
  { kind: 'remove_exemption', label: 'adjust_remove_exemption' },
  { kind: 'coupon', label: 'coupon_title' },
];

export interface AppOptions {
  timers?: Timers;
}

/** The screens that sell, where the unsettled card payments' banner shows. */
function selling(screen: string | undefined): boolean {
  return screen === 'sale' || screen === 'tender';
}

export class App {
  readonly state: UiState = {
    view: null,
    offline: false,
    dialog: null,
    entry: '',
    selected: null,
    highlight: null,
    error: null,
    preview: null,
  };
  /** Whether a card terminal is set, and the card payments still unsettled (`card_status`). */
  card: CardStatus | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private detach: (() => void)[] = [];

  constructor(
    readonly root: HTMLElement,
    options: AppOptions = {},
  ) {
    const win = root.ownerDocument.defaultView!;
    const scanner = () => {
      const s = this.state.view?.scanner;
      return { maxGapMs: s?.burst_max_gap_ms ?? 35, minLen: s?.burst_min_len ?? 6 };
    };
    this.detach.push(
      attachWedge(
        win,
        scanner,
        { scan: (c) => this.scanned(c), type: (el, s) => this.typed(el, s) },
        options.timers,
      ),
    );
    const onKey = (e: Event) => this.key(e as KeyboardEvent);
    win.addEventListener('keydown', onKey);
    const refocus = () => queueMicrotask(() => this.focus());
    win.addEventListener('pointerup', refocus);
    this.detach.push(() => {
      win.removeEventListener('keydown', onKey);
      win.removeEventListener('pointerup', refocus);
    });
  }

  /** The store's language; a language the UI has no strings for falls back to English. */
  get lang(): Lang {
    const lang = this.state.view?.store.lang ?? browserLang(this.root.ownerDocument.defaultView);
    return lang === 'fr' ? 'fr' : 'en';
  }

  /**
   * The register cannot be used: the first View never came (another window or a `comptoir`
   * command holds the data folder, the storage failed…), or a command says another one holds it.
   */
  get blocked(): IpcError | null {
    const e = this.state.error;
    if (!e) return null;
    return !this.state.view || e.code === 'already_running' ? e : null;
  }

  t(key: Key, params?: Record<string, string | number>): string {
    return t(this.lang, key, params);
  }

  can(permission: string): boolean {
    return this.state.view?.permissions.includes(permission) ?? false;
  }

  /** Loads the first View; also the retry of the start-up error screen. */
  async start(): Promise<boolean> {
    return this.run('view');
  }

  /**
   * A View pushed by the register (a device changed state). On the sale screen it may follow a
   * card payment settled outside a command (recovered, reversed): the unsettled payments'
   * banner is asked again, since the View does not carry them.
   */
  pushed(view: View): void {
    const before = this.state.view?.screen;
    this.apply(view);
    this.paint();
    if (selling(view.screen) && selling(before)) void refreshCard(this);
  }

  stop(): void {
    for (const d of this.detach) d();
    this.detach = [];
  }

  /** Sends a command; commands run one at a time, in the order they were asked for. */
  run(command: string, args: Args = {}): Promise<boolean> {
    return this.enqueue(async () => this.apply(await call(command, args)));
  }

  /** Fetches a receipt's printed lines (the last receipt without `job`) into `state.preview`. */
  loadPreview(job: string | null): Promise<boolean> {
    return this.enqueue(async () => {
      this.state.preview = await preview(job);
    });
  }

  /** Runs a step in the command queue; a rejection becomes `state.error`. */
  enqueue(step: () => Promise<void>): Promise<boolean> {
    const next = this.queue.then(async () => {
      try {
        await step();
        this.state.error = null;
        return true;
      } catch (e) {
        this.state.error = toIpcError(e);
        return false;
      } finally {
        this.paint();
      }
    });
    this.queue = next;
    return next;
  }

  /** Waits for every command sent so far (tests). */
  idle(): Promise<unknown> {
    return this.queue;
  }

  private apply(view: View): void {
    const before = this.state.view;
    this.state.view = view;
    // Signed in on the sale screen: is a card terminal set, is a card payment unsettled?
    if (selling(view.screen) && !selling(before?.screen)) void refreshCard(this);
    if (
      before &&
      before.screen !== view.screen &&
      !(before.screen === 'sale' && view.screen === 'tender')
    ) {
      this.state.entry = '';
    }
    const lines = view.cart.lines;
    const changed = changedLine(before, view);
    const highlight =
      view.cart.last_line !== undefined ? view.cart.last_line : (changed ?? this.state.highlight);
    // The cart changed: the line just added or changed is the one Del, +, - and F2 act on.
    if (changed !== null) this.state.selected = null;
    this.state.highlight = lines.some((l) => l.line === highlight) ? highlight : null;
    const returned = view.cart.returns ?? [];
    const kept = (n: number | null) =>
      lines.some((l) => l.line === n) || returned.some((r) => r.line === n);
    if (!kept(this.state.selected)) this.state.selected = null;
    // A line was added or changed: the code that was not found is no longer the news.
    const n = view.notice;
    if (changed !== null && n && (n.code === 'unknown_barcode' || n.code === 'needs_price'))
      void this.run('dismiss');
    const d = this.state.dialog;
    if (view.screen !== 'sale' && view.screen !== 'tender' && d && d.kind !== 'change')
      this.state.dialog = null;
    this.keepTender();
  }

  /** Legs taken: the sale is in tender until paid or voided, so the tender dialog comes back. */
  private keepTender(): void {
    const v = this.state.view;
    if (v?.screen !== 'tender' || this.state.dialog) return;
    this.state.dialog = this.tenderDialog('cash');
  }

  private tenderDialog(tab: TenderTab, note = ''): Extract<Dialog, { kind: 'tender' }> {
    const v = this.state.view!;
    return {
      kind: 'tender',
      tab,
      cash: '',
      card: entryAmount(v.cart.remaining, this.lang),
      reference: '',
      note,
      balance: null,
      credit: '',
    };
  }

  // Rendering and focus.

  paint(): void {
    render(page(this), this.root);
    this.focus();
    const current =
      this.root.querySelector('.cart .selected') ?? this.root.querySelector('.cart .last');
    current?.scrollIntoView?.({ block: 'nearest' });
    // A refusal in a long dialog (the returns of a big sale) is brought into view: below the
    // fold, Enter would seem to do nothing.
    if (this.state.error)
      this.root.querySelector('.dialog .banner.error')?.scrollIntoView?.({ block: 'nearest' });
  }

  /** Keeps the focus in a field of the current dialog or screen: the scan field on the sale screen. */
  focus(): void {
    const scope = this.root.querySelector<HTMLElement>('.dialog') ?? this.root;
    const active = this.root.ownerDocument.activeElement;
    if (active && scope.contains(active) && active.matches('input, textarea, select')) return;
    const target = scope.querySelector<HTMLElement>('[data-autofocus]');
    if (target) return target.focus();
    // A dialog with no field (the menu): keys go to the page, not to a field hidden behind it.
    if (active instanceof HTMLElement && !scope.contains(active)) active.blur();
  }

  clearError(): void {
    this.state.error = null;
    this.paint();
  }

  /**
   * The sale is over (the change screen is gone): a notice from before it, an unknown barcode
   * say, must not follow the cashier into the next sale. A printer problem stays: it is current.
   */
  private dropStaleNotice(): void {
    const n = this.state.view?.notice;
    if (n && !n.code.startsWith('printer_')) void this.run('dismiss');
  }

  open(dialog: Dialog): void {
    this.state.dialog = dialog;
    this.state.error = null;
  }

  /** Closes the dialog; views that fill `price_check`, `search_results` or a preview are dismissed. */
  close(): void {
    const d = this.state.dialog;
    // The manager's PIN pad goes back to the dialog that asked for it, values kept.
    this.state.dialog = d?.kind === 'approve' ? d.back : null;
    this.state.error = null;
    this.keepTender();
    const v = this.state.view;
    const over = d?.kind === 'change' || (d?.kind === 'refund' && d.done);
    if (d?.kind === 'receipt' || over) this.state.preview = null;
    if (over) this.dropStaleNotice();
    const shown = d?.kind === 'price_check' || d?.kind === 'search';
    if (shown && v && (v.price_check || v.search_results.length)) void this.run('dismiss');
    this.paint();
  }

  // Input.

  /** A code from the scanner, wherever the focus was. */
  private scanned(code: string): void {
    const d = this.state.dialog;
    if (d?.kind === 'price_check') {
      d.value = code;
      void this.run('price_check', { code });
      return;
    }
    // A receipt's barcode in the returns dialog finds its sale; an item's in the dialog
    // without a receipt is the item coming back; a coupon's is entered.
    if (d?.kind === 'returns') {
      d.query = code;
      return void this.lookupSale(d);
    }
    if (d?.kind === 'no_receipt') {
      d.code = code;
      return void this.priceOf(d);
    }
    if (d?.kind === 'coupon') {
      d.code = code;
      return this.enterCoupon(d);
    }
    // On the setup screen a keyboard-wedge scanner shows what it sends; nothing is rung.
    if (d?.kind === 'devices') return wedgeRead(this, d, code);
    if (d?.kind === 'card') return;
    // A credit note's barcode in the payment: it is the note to pay with.
    if (d?.kind === 'tender' && looksLikeCredit(code)) {
      d.tab = 'credit';
      d.note = code;
      return void this.lookupCredit(d);
    }
    if (d?.kind === 'change' || (d?.kind === 'refund' && d.done)) {
      this.state.dialog = null;
      this.state.preview = null;
      this.state.error = null;
      this.dropStaleNotice();
    }
    void this.run('scan', { code, source: 'scanner' });
  }

  /** Characters a person typed, released by the wedge to the field they were typed in. */
  private typed(target: EventTarget | null, text: string): void {
    const d = this.state.dialog;
    if (d?.kind === 'change' || (d?.kind === 'refund' && d.done)) return this.close();
    if (d?.kind === 'refund') {
      const n = Number(text[text.length - 1]);
      const to = REFUND_TO[n - 1];
      if (to) {
        d.to = to;
        this.paint();
      }
      return;
    }
    if (d?.kind === 'menu') {
      const n = Number(text[text.length - 1]);
      if (n >= 1 && n <= MENU.length) this.choose(n - 1);
      return;
    }
    if (d?.kind === 'adjust') {
      const n = Number(text[text.length - 1]);
      if (n >= 1 && n <= ADJUST.length) this.adjust(n - 1);
      return;
    }
    if (insertText(target, text)) return;
    // The focus was on no field (a click on the cart, say): the text goes to the screen's field.
    this.focus();
    insertText(this.root.ownerDocument.activeElement, text);
  }

  /** The scan field, the PIN and the float all edit `entry`. */
  entryInput(value: string): void {
    const v = this.state.view;
    if (v && (v.screen === 'sale' || v.screen === 'tender')) {
      const sign = /[+-]/.exec(value);
      if (sign) {
        this.state.entry = value.replace(/[+-]/g, '');
        this.paint();
        return void this.step(sign[0] === '+' ? 1 : -1);
      }
      const star = /^(\d+(?:[.,]\d+)?)\*$/.exec(value);
      if (star) {
        this.state.entry = '';
        this.paint();
        return void this.run('set_multiplier', { qty: normalizeEntry(star[1]!) });
      }
      if (value.includes('*')) value = value.replace(/\*/g, '');
    }
    this.state.entry = value;
    this.paint();
  }

  /** Changes the selected line's quantity by one. */
  step(delta: number): void {
    const line = this.selectedLine();
    if (!line) return;
    void this.run('set_quantity', { line: line.line, qty: stepQty(line.qty, delta) });
  }

  /** The line Del, +, - and F2 act on: the one chosen, or else the last added or changed. */
  selectedLine() {
    const lines = this.state.view?.cart.lines ?? [];
    const current = this.state.selected ?? this.state.highlight;
    return lines.find((l) => l.line === current) ?? lines[lines.length - 1] ?? null;
  }

  select(line: number): void {
    this.state.selected = line;
    this.paint();
  }

  /** A tap on a line selects it; a second tap opens its discounts menu (F1). */
  tapLine(line: number): void {
    if (this.state.selected === line) return this.function(1);
    this.select(line);
  }

  /** An on-screen keypad key: characters go to the focused field, as if typed. */
  keypad(key: string): void {
    const doc = this.root.ownerDocument;
    this.focus();
    const el = doc.activeElement as HTMLInputElement | null;
    switch (key) {
      case 'enter':
        return this.enter();
      case 'clear':
        if (el && 'value' in el) {
          el.value = '';
          el.dispatchEvent(new InputEvent('input', { bubbles: true }));
        }
        return;
      case 'back':
        if (el && 'setRangeText' in el) {
          const end = el.selectionEnd ?? el.value.length;
          const start =
            el.selectionStart === end ? Math.max(0, end - 1) : (el.selectionStart ?? end);
          el.setRangeText('', start, end, 'end');
          el.dispatchEvent(new InputEvent('input', { bubbles: true }));
        }
        return;
      case 'del':
        return this.removeSelected();
      default:
        // The point key types the separator the cashier reads ("," in French); both are accepted.
        insertText(el, key === '.' ? decimalSeparator(this.lang) : key);
    }
  }

  removeSelected(): void {
    const returned = this.selectedReturn();
    if (returned) return this.removeReturn(returned.line);
    const line = this.selectedLine();
    if (line) void this.run('remove_line', { line: line.line });
  }

  /** The returned line chosen with ↑ ↓ or a tap, if the selection is on one. */
  selectedReturn(): ReturnLine | null {
    const returned = this.state.view?.cart.returns ?? [];
    return returned.find((r) => r.line === this.state.selected) ?? null;
  }

  /** Takes a returned line back out of the cart (before the refund). */
  removeReturn(line: number): void {
    void this.run('remove_return', { line });
  }

  // The keyboard map.

  private key(e: KeyboardEvent): void {
    const v = this.state.view;
    if (this.blocked) {
      if (e.key === 'Enter') {
        e.preventDefault();
        void this.start();
      }
      return;
    }
    if (!v) return;
    const fkey = /^F([1-9]|1[0-2])$/.test(e.key) ? Number(e.key.slice(1)) : 0;
    // Function keys belong to the register, never to the webview (F5 reload, F12 devtools…).
    if (fkey) e.preventDefault();
    const d = this.state.dialog;
    if (d?.kind === 'change' || (d?.kind === 'refund' && d.done)) {
      this.close();
      if (!fkey) return e.preventDefault();
    } else if (v.report) {
      if (e.key === 'Enter' || e.key === 'Escape') {
        e.preventDefault();
        void this.run('dismiss');
      }
      return;
    } else if (d) {
      return this.dialogKey(e, d, fkey);
    }
    if (v.screen === 'sign_in' || v.screen === 'locked' || v.screen === 'open_shift') {
      return this.entryKey(e, fkey);
    }
    if (fkey) return this.function(fkey, e.shiftKey);
    switch (e.key) {
      case 'Enter':
        e.preventDefault();
        return this.enter();
      case 'Escape':
        e.preventDefault();
        return this.escape();
      case 'ArrowUp':
      case 'ArrowDown':
        e.preventDefault();
        return this.move(e.key === 'ArrowUp' ? -1 : 1);
      case 'Delete':
        e.preventDefault();
        return this.removeSelected();
      case 'Tab':
        e.preventDefault();
        return;
    }
  }

  private entryKey(e: KeyboardEvent, fkey: number): void {
    if (fkey === 12 && this.state.view?.screen === 'open_shift') return void this.run('lock');
    if (e.key === 'Enter') {
      e.preventDefault();
      this.enter();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.state.entry = '';
      this.state.error = null;
      this.paint();
    }
  }

  /** Esc on the sale screen: clears the field, the message, and a pending multiplier. */
  private escape(): void {
    const v = this.state.view;
    this.state.entry = '';
    this.state.error = null;
    if (v?.notice) void this.run('dismiss');
    if (pendingMultiplier(v)) void this.run('set_multiplier', { qty: null });
    this.paint();
  }

  /** ↑ ↓: the first press picks the current line, the next ones move from it. */
  private move(delta: number): void {
    const c = this.state.view?.cart;
    const lines = [...(c?.lines ?? []), ...(c?.returns ?? [])].map((l) => l.line);
    const current = this.selectedReturn()?.line ?? this.selectedLine()?.line ?? lines[0];
    if (current === undefined) return;
    if (this.state.selected === null) return this.select(current);
    const at = lines.indexOf(current);
    this.select(lines[Math.min(lines.length - 1, Math.max(0, at + delta))]!);
  }

  /** The function keys of the sale screen; with Shift, ⇧F1 a coupon and ⇧F10 a return. */
  function(n: number, shift = false): void {
    const v = this.state.view!;
    const entry = normalizeEntry(this.state.entry);
    const hasLines = v.cart.lines.length > 0;
    if (shift && n === 1) return this.show({ kind: 'coupon', code: entry });
    if (shift && n === 10) return this.openReturns(entry || null);
    if (n === 8 || n === 9) return this.pay(n === 9 ? 'card' : shift ? 'credit' : 'cash');
    switch (n) {
      case 1:
        return this.show({ kind: 'adjust', index: 0, line: this.selectedLine()?.line ?? null });
      case 2:
        if (/^\d+(\.\d+)?$/.test(entry)) {
          this.state.entry = '';
          void this.run('set_multiplier', { qty: entry });
          return;
        }
        return this.show({ kind: 'qty', line: this.selectedLine()?.line ?? null, value: '' });
      case 3:
        this.show({ kind: 'price_check', value: entry });
        if (entry) void this.run('price_check', { code: entry });
        return;
      case 4:
        this.show({ kind: 'search', value: entry, index: 0 });
        void this.run('search', { query: entry });
        return;
      case 5:
        return this.show({
          kind: 'open_price',
          name: '',
          price: /^\d/.test(entry) ? entry : '',
          tax: taxClasses(v)[0]!,
          sku: null,
        });
      case 6:
        if (hasLines) return void this.run('park');
        return this.show({ kind: 'parked', index: 0 });
      case 7:
        return this.show({ kind: 'void', reason: '' });
      case 10:
        void this.loadPreview(null).then((ok) => ok && this.show({ kind: 'receipt' }));
        return;
      case 11:
        return this.show({ kind: 'menu', index: 0 });
      case 12:
        void this.run('lock');
        return;
    }
  }

  /**
   * F8, F9, ⇧F8: the payment on that tab; money to give back opens the refund, and a cart that
   * costs nothing (a 100 % discount, an even exchange) asks to record it without a payment.
   * `note` is a credit note to pay with (scanned on the sale screen).
   */
  pay(tab: TenderTab, note = ''): void {
    const v = this.state.view!;
    // Returned lines worth more than the new ones: the money goes back, not in.
    if (refundDue(v)) return this.openRefund();
    if (nothingDue(v)) return this.show({ kind: 'nothing_due' });
    // F9 with a card terminal set: the terminal takes the payment.
    if (tab === 'card' && this.card?.terminal) return openCard(this);
    const d = this.tenderDialog(tab, note);
    this.show(d);
    if (note) void this.lookupCredit(d);
  }

  show(dialog: Dialog): void {
    if (dialog.kind !== 'receipt' && dialog.kind !== 'change') this.state.entry = '';
    this.open(dialog);
    this.paint();
  }

  /** Enter, from the keyboard or the keypad: confirms what the current screen or dialog is for. */
  enter(): void {
    const v = this.state.view;
    if (!v) return;
    const d = this.state.dialog;
    if (d) return this.dialogEnter(d);
    const entry = normalizeEntry(this.state.entry);
    switch (v.screen) {
      case 'sign_in':
      case 'locked':
        if (!entry) return;
        this.state.entry = '';
        void this.run('sign_in', { pin: entry });
        return;
      case 'open_shift':
        void this.run('open_shift', { float: entry || '0' });
        return;
      default:
        if (!entry) return;
        this.state.entry = '';
        this.paint();
        void this.run('scan', { code: entry, source: 'keyboard' });
    }
  }

  // Dialogs.

  private dialogKey(e: KeyboardEvent, d: Dialog, fkey: number): void {
    if (d.kind === 'refund' && d.running) {
      // The terminal has the refund: Esc aborts it there, no other key does anything.
      e.preventDefault();
      if (e.key === 'Escape' && d.progress) void abortOnTerminal(this, { progress: d.progress });
      return;
    }
    if (d.kind === 'card') {
      if (e.key === 'Escape') return (e.preventDefault(), cardEscape(this, d));
      if (e.key === 'Enter') return (e.preventDefault(), cardEnter(this, d));
      // No lock or other key while the terminal has the payment.
      if (d.phase === 'running') return;
    }
    if (d.kind === 'devices' && fkey >= 1 && fkey <= CHECKS.length) {
      if (!d.busy) void runCheck(this, d, CHECKS[fkey - 1]!);
      return;
    }
    if (fkey === 12) return void this.run('lock');
    if (d.kind === 'tender' && fkey === 9 && this.card?.terminal) return openCard(this);
    if (d.kind === 'tender' && (fkey === 8 || fkey === 9)) {
      d.tab = fkey === 9 ? 'card' : e.shiftKey ? 'credit' : 'cash';
      this.state.error = null;
      return this.paint();
    }
    if (d.kind === 'nothing_due' && (fkey === 8 || fkey === 9)) return this.dialogEnter(d);
    if (d.kind === 'receipt' && fkey === 10) return this.dialogEnter(d);
    // The found sale's lines: F1 ticks the first in or out, F2 the second…
    if (d.kind === 'returns' && fkey >= 1 && fkey <= 9 && d.sale)
      return this.togglePick(d, fkey - 1);
    if (d.kind === 'refund' && !d.done && (fkey === 8 || fkey === 9)) return this.dialogEnter(d);
    // The exemption's taxes: F1 takes the store's first tax in or out, F2 the second…
    if (d.kind === 'exemption' && fkey) {
      const tax = this.state.view?.cart.adjustments?.exemptible[fkey - 1];
      if (tax) this.toggleTax(d, tax.code);
      return;
    }
    // A customer who cannot pay the rest: the sale is voided from the tender dialog.
    if (d.kind === 'tender' && fkey === 7) return this.show({ kind: 'void', reason: '' });
    switch (e.key) {
      case 'Escape':
        e.preventDefault();
        if (d.kind === 'tender' && this.state.view?.screen === 'tender') return;
        return this.close();
      case 'Enter':
        e.preventDefault();
        return this.dialogEnter(d);
      case 'ArrowUp':
      case 'ArrowDown':
        return this.dialogMove(e, d, e.key === 'ArrowUp' ? -1 : 1);
      case 'ArrowLeft':
      case 'ArrowRight':
        if (d.kind === 'open_price' && !(e.target as Element | null)?.matches?.('input')) {
          this.cycleTax(d, e.key === 'ArrowLeft' ? -1 : 1);
        }
        return;
    }
  }

  private dialogMove(e: KeyboardEvent, d: Dialog, delta: number): void {
    const clamp = (i: number, n: number) => Math.min(Math.max(i, 0), Math.max(n - 1, 0));
    if (d.kind === 'search')
      d.index = clamp(d.index + delta, this.state.view!.search_results.length);
    else if (d.kind === 'parked') d.index = clamp(d.index + delta, this.state.view!.parked.length);
    else if (d.kind === 'menu') d.index = clamp(d.index + delta, MENU.length);
    else if (d.kind === 'adjust') d.index = clamp(d.index + delta, ADJUST.length);
    else if (d.kind === 'open_price') return (e.preventDefault(), this.cycleTax(d, delta));
    else if (d.kind === 'discount') d.rule = d.rule === 'percent' ? 'amount' : 'percent';
    else if (d.kind === 'no_receipt') d.disposition = flip(d.disposition);
    else if (d.kind === 'refund') {
      const at = REFUND_TO.indexOf(d.to) + delta;
      d.to = REFUND_TO[Math.min(Math.max(at, 0), REFUND_TO.length - 1)]!;
    } else if (d.kind === 'returns') {
      // In a line's quantity: ↑ ↓ switch it between restock and write-off.
      const pick = d.picks.find((p) => `qty-${p.line}` === this.field());
      if (!pick) return;
      pick.disposition = flip(pick.disposition);
    } else return;
    e.preventDefault();
    this.paint();
  }

  /** The field of the open dialog that has the focus, by its `data-field`. */
  private field(): string | null {
    const active = this.root.ownerDocument.activeElement as HTMLElement | null;
    return active?.dataset?.field ?? null;
  }

  private focusField(name: string): void {
    this.root.querySelector<HTMLElement>(`.dialog [data-field="${name}"]`)?.focus();
  }

  private dialogEnter(d: Dialog): void {
    const v = this.state.view!;
    switch (d.kind) {
      case 'qty': {
        const qty = normalizeEntry(d.value);
        const ok =
          d.line === null
            ? this.run('set_multiplier', { qty })
            : this.run('set_quantity', { line: d.line, qty });
        return this.closeOn(ok);
      }
      case 'price_check':
        if (d.value.trim()) void this.run('price_check', { code: d.value.trim() });
        return;
      case 'search': {
        const item = v.search_results[d.index];
        if (!item) return;
        // An item with no price in the catalog is sold at an open price, under its own SKU.
        if (item.price === null) {
          void this.run('dismiss');
          return this.show({
            kind: 'open_price',
            name: item.name,
            price: '',
            tax: item.tax_class,
            sku: item.sku,
          });
        }
        return this.closeOn(this.run('add_item', { sku: item.sku }));
      }
      case 'open_price':
        if (this.field() === 'name') return this.focusField('price');
        return this.closeOn(
          this.run('add_open_price', {
            name: d.name.trim() || this.t('open_price_default_name'),
            price: normalizeAmount(d.price),
            tax_class: d.tax,
            ...(d.sku ? { sku: d.sku } : {}),
          }),
        );
      case 'parked': {
        const parked = v.parked[d.index];
        if (parked) this.closeOn(this.run('resume', { id: parked.id }));
        return;
      }
      case 'void':
        return this.closeOn(this.run('void_cart', { reason: d.reason.trim() }));
      case 'tender':
        return this.tender(d);
      case 'nothing_due':
        return this.complete();
      case 'change':
        return this.close();
      case 'receipt':
        return this.closeOn(this.run('reprint_last'));
      case 'menu':
        return this.choose(d.index);
      case 'paid_in':
      case 'paid_out':
        // Enter goes on to the reason only while it is empty: back from the PIN pad with
        // everything filled in, Enter sends again (and a PIN typed then never lands in a field).
        if (this.field() === 'amount' && !d.reason.trim()) return this.focusField('reason');
        return this.closeOn(
          this.run(d.kind, { amount: normalizeAmount(d.amount), reason: d.reason.trim() }),
        );
      case 'no_sale':
        return this.closeOn(this.run('no_sale', { reason: d.reason.trim() }));
      case 'close_shift':
        return this.closeOn(
          this.run('close_shift', { counted: normalizeAmount(d.counted) || '0' }),
        );
      case 'adjust':
        return this.adjust(d.index);
      case 'discount':
        if (this.field() === 'value' && !d.reason.trim()) return this.focusField('reason');
        return this.discount(d);
      case 'override':
        if (this.field() === 'price' && !d.reason.trim()) return this.focusField('reason');
        return this.show({
          kind: 'approve',
          pin: '',
          note: null,
          ask: {
            command: 'override_price',
            args: { line: d.line, price: normalizeAmount(d.price), reason: d.reason.trim() },
            pin_arg: 'manager_pin',
            why: 'override',
          },
          back: d,
        });
      case 'approve':
        return this.approve(d);
      case 'exemption':
        return this.closeOn(
          this.run('set_exemption', { certificate: d.certificate.trim(), taxes: d.taxes }),
        );
      case 'returns': {
        const field = this.field();
        if (
          !d.sale ||
          (field === 'query' && d.query.trim() && d.query.trim() !== d.sale.receipt_no)
        )
          return void this.lookupSale(d);
        if ((field === 'query' || field?.startsWith('qty-')) && !d.reason.trim())
          return this.focusField('reason');
        return void this.returnPicked(d);
      }
      case 'no_receipt':
        if (this.field() === 'code' && !d.reason.trim()) {
          void this.priceOf(d);
          return this.focusField('qty');
        }
        if (this.field() === 'qty' && !d.reason.trim()) return this.focusField('reason');
        return this.returnWithoutReceipt(d);
      case 'refund':
        if (d.done) return this.close();
        return this.refund(d);
      case 'coupon':
        if (!d.code.trim()) return this.close();
        return this.enterCoupon(d);
      case 'devices': {
        const key = this.field()?.replace(/^setting-/, '');
        if (key && d.setup?.settings.some((x) => x.key === key)) void saveSetting(this, d, key);
        return;
      }
      case 'card':
        return cardEnter(this, d);
    }
  }

  // Returns, exchanges and refunds.

  /** The dialog's main button: what Enter does from its last field, wherever the focus is. */
  submit(): void {
    const d = this.state.dialog;
    if (d?.kind === 'returns' && d.sale) return void this.returnPicked(d);
    if (d?.kind === 'no_receipt') return this.returnWithoutReceipt(d);
    this.enter();
  }

  /** The returns dialog; with a receipt number (scanned, typed, or from the notice), its sale. */
  openReturns(receipt: string | null): void {
    const d: Extract<Dialog, { kind: 'returns' }> = {
      kind: 'returns',
      query: receipt ?? '',
      sale: null,
      results: null,
      picks: [],
      reason: '',
    };
    this.show(d);
    if (receipt) void this.lookupSale(d);
  }

  /**
   * Finds the sale the dialog's query names: a receipt number directly; a card reference or a
   * customer lists their receipts, and a single one is opened.
   */
  lookupSale(d: Extract<Dialog, { kind: 'returns' }>, receipt?: string): Promise<boolean> {
    const query = (receipt ?? d.query).trim();
    if (!query) return Promise.resolve(false);
    return this.enqueue(async () => {
      let sale: SaleForReturn | null = null;
      if (receipt) sale = await findSale(receipt);
      else if (looksLikeReceipt(query)) {
        // A receipt number first; a card reference can have its shape ("AUTH-1").
        try {
          sale = await findSale(query);
        } catch (e) {
          if (toIpcError(e).code !== 'no_such_sale') throw e;
          const results = await findSalesBy(query);
          if (results.length === 0) throw e;
        }
      }
      if (!sale) {
        const results = await findSalesBy(query);
        d.results = results;
        if (results.length !== 1) {
          d.sale = null;
          d.picks = [];
          return;
        }
        sale = await findSale(results[0]!);
      } else if (!receipt) d.results = null;
      this.showSale(d, sale);
    });
  }

  /** The sale found: its lines to tick, keeping what the cashier chose on a sale shown again. */
  private showSale(d: Extract<Dialog, { kind: 'returns' }>, sale: SaleForReturn): void {
    const again = d.sale?.receipt_no === sale.receipt_no;
    const open = sale.lines.filter((x) => Number(x.returnable) > 0);
    d.picks = sale.lines.map((l) => {
      const before = again ? d.picks.find((p) => p.line === l.line) : undefined;
      const left = Number(l.returnable) > 0;
      if (before) return { ...before, on: before.on && left };
      // A sale of one line still returnable: that is the line coming back.
      return {
        line: l.line,
        on: open.length === 1 && left,
        qty: entryAmount(l.returnable, this.lang),
        disposition: 'restock',
      };
    });
    d.sale = sale;
    d.query = sale.receipt_no;
  }

  /** Ticks the found sale's line in or out; a ticked line takes all that is left by default. */
  togglePick(d: Extract<Dialog, { kind: 'returns' }>, index: number): void {
    const pick = d.picks[index];
    const line = d.sale?.lines[index];
    if (!pick || !line || Number(line.returnable) <= 0) return;
    pick.on = !pick.on;
    this.state.error = null;
    this.paint();
    if (pick.on) this.focusField(`qty-${pick.line}`);
  }

  /**
   * Brings the ticked lines into the cart, one command each. A refusal stops there: the lines
   * already brought in stay in the cart (and come off the list), the dialog shows what is wrong.
   */
  private async returnPicked(d: Extract<Dialog, { kind: 'returns' }>): Promise<void> {
    const sale = d.sale!;
    const picked = d.picks.filter((p) => p.on);
    if (picked.length === 0) {
      this.state.error = { code: 'nothing_picked', message: this.t('returns_pick_first') };
      return this.paint();
    }
    for (const pick of picked) {
      const ok = await this.run('return_line', {
        receipt_no: sale.receipt_no,
        line: pick.line,
        qty: normalizeEntry(pick.qty),
        disposition: pick.disposition,
        reason: d.reason.trim(),
      });
      if (this.state.dialog !== d) return;
      if (!ok) {
        const error = this.state.error;
        if (pick !== picked[0]) await this.lookupSale(d, sale.receipt_no);
        this.state.error = error;
        return this.paint();
      }
      pick.on = false;
    }
    this.close();
  }

  /** The price of the item coming back without a receipt, shown before it is added. */
  private priceOf(d: Extract<Dialog, { kind: 'no_receipt' }>): Promise<boolean> {
    const code = d.code.trim();
    if (!code) return Promise.resolve(false);
    return this.run('price_check', { code }).then((ok) => {
      d.price = ok ? (this.state.view?.price_check?.price ?? null) : null;
      this.paint();
      return ok;
    });
  }

  /** A return without a receipt; the manager's PIN pad asks when the store's policy wants it. */
  private returnWithoutReceipt(d: Extract<Dialog, { kind: 'no_receipt' }>): void {
    const args: Args = {
      code: d.code.trim(),
      qty: normalizeEntry(d.qty) || '1',
      disposition: d.disposition,
      reason: d.reason.trim(),
      approval: null,
    };
    void this.run('return_without_receipt', args).then((ok) => {
      if (ok) return this.close();
      const e = this.state.error;
      if (e?.code !== 'manager_required') return;
      this.show({
        kind: 'approve',
        pin: '',
        note: null,
        ask: { command: 'return_without_receipt', args, pin_arg: 'approval', why: 'return' },
        back: d,
      });
    });
  }

  /** The refund dialog: to the original tenders when a returned line has its receipt. */
  openRefund(): void {
    const returned = this.state.view?.cart.returns ?? [];
    const to: RefundTo = returned.some((r) => r.original) ? 'original' : 'store_credit';
    this.show({ kind: 'refund', to, done: false });
  }

  /**
   * Gives the money back (or, for an even exchange, records it); then shows the legs. Cash for
   * what a card paid opens the manager's PIN pad and goes again with their PIN.
   */
  private refund(d: Extract<Dialog, { kind: 'refund' }>): void {
    const v = this.state.view!;
    const even = (cents(v.cart.due ?? '0') ?? 0) >= 0;
    const args: Args = { to: d.to };
    const progress: string[] = [];
    if (!even) {
      // A card part may go back on the terminal: its texts show until it answers.
      d.progress = progress;
      d.running = true;
      followRefund(this, d as typeof d & { progress: string[] });
    }
    const sent = even ? this.run('complete') : this.run('refund', args);
    void sent.then((ok) => {
      d.running = false;
      stopFollowing();
      if (this.state.dialog !== d) return;
      if (ok) return this.refunded(d);
      if (this.state.error?.code !== 'manager_required') return;
      this.show({
        kind: 'approve',
        pin: '',
        note: this.state.error.message,
        ask: { command: 'refund', args, pin_arg: 'approval', why: 'cash_refund' },
        back: d,
      });
    });
  }

  /** The refund is recorded: its dialog shows the legs given back and the receipt. */
  private refunded(d: Extract<Dialog, { kind: 'refund' }>): void {
    this.state.dialog = d;
    d.done = true;
    this.state.preview = null;
    this.paint();
    void this.loadPreview(this.state.view?.last_sale?.print_job ?? null);
  }

  /** Records a cart that costs nothing; the receipt shows as after a payment. */
  private complete(): void {
    const receipt = this.state.view?.last_sale?.receipt_no ?? null;
    void this.run('complete').then((ok) => {
      if (ok) this.paidOff(receipt);
    });
  }

  /** Looks up the credit note typed or scanned: its balance, and what to take off it. */
  lookupCredit(d: Extract<Dialog, { kind: 'tender' }>): Promise<boolean> {
    const note = d.note.trim();
    d.balance = null;
    d.credit = '';
    return this.enqueue(async () => {
      const balance = await storeCredit(note);
      if (this.state.dialog !== d) return;
      const v = this.state.view!;
      const take = Math.max(Math.min(cents(balance.balance) ?? 0, cents(v.cart.remaining) ?? 0), 0);
      d.balance = balance;
      d.note = balance.reference;
      d.credit = entryAmount(fromCents(take), this.lang);
    }).then((ok) => {
      if (ok && this.state.dialog === d) this.focusField('credit');
      return ok;
    });
  }

  /** Enters the coupon typed or scanned; the dialog stays to take another. */
  enterCoupon(d: Extract<Dialog, { kind: 'coupon' }>): void {
    const code = d.code.trim();
    if (!code) return;
    void this.run('enter_coupon', { code }).then((ok) => {
      if (ok && this.state.dialog === d) {
        d.code = '';
        this.paint();
      }
    });
  }

  removeCoupon(code: string): void {
    void this.run('remove_coupon', { code });
  }

  /** Opens the return without a receipt, from the returns dialog. */
  noReceipt(): void {
    this.show({
      kind: 'no_receipt',
      code: '',
      qty: '1',
      disposition: 'restock',
      reason: '',
      price: null,
    });
  }

  /** An entry of the F1 menu, on the line it was opened for. */
  adjust(index: number): void {
    const d = this.state.dialog;
    const item = ADJUST[index];
    const v = this.state.view!;
    if (!item || d?.kind !== 'adjust') return;
    d.index = index;
    const line = v.cart.lines.find((l) => l.line === d.line) ?? null;
    if (!adjustable(item.kind, v, line)) return this.paint();
    switch (item.kind) {
      case 'line': {
        const given = line!.adjustments?.line_discount;
        return this.show({
          kind: 'discount',
          target: 'line',
          line: line!.line,
          rule: given?.rule ?? 'percent',
          value: given ? entryAmount(given.value, this.lang) : '',
          reason: given?.reason ?? '',
        });
      }
      case 'remove_line':
        return this.closeOn(this.run('remove_line_discount', { line: line!.line }));
      case 'override':
        return this.show({ kind: 'override', line: line!.line, price: '', reason: '' });
      case 'order': {
        const given = v.cart.adjustments?.order_discount;
        return this.show({
          kind: 'discount',
          target: 'order',
          line: null,
          rule: given?.rule ?? 'percent',
          value: given ? entryAmount(given.value, this.lang) : '',
          reason: given?.reason ?? '',
        });
      }
      case 'remove_order':
        return this.closeOn(this.run('remove_order_discount'));
      case 'exemption': {
        const given = v.cart.adjustments?.exemption;
        const all = (v.cart.adjustments?.exemptible ?? []).map((x) => x.code);
        return this.show({
          kind: 'exemption',
          certificate: given?.certificate ?? '',
          taxes: given ? [...given.taxes] : all,
        });
      }
      case 'remove_exemption':
        return this.closeOn(this.run('clear_exemption'));
      case 'coupon':
        return this.show({ kind: 'coupon', code: '' });
    }
  }

  /** Gives a discount; over the cashier's limit, the manager's PIN pad asks and sends it again. */
  private discount(d: Extract<Dialog, { kind: 'discount' }>): void {
    const command = d.target === 'line' ? 'discount_line' : 'discount_order';
    const args: Args = {
      ...(d.target === 'line' ? { line: d.line } : {}),
      kind: d.rule,
      value:
        d.rule === 'amount' ? normalizeAmount(d.value) : normalizeAmount(d.value).replace(/%$/, ''),
      reason: d.reason.trim(),
      approval: null,
    };
    void this.run(command, args).then((ok) => {
      if (ok) return this.close();
      const e = this.state.error;
      if (e?.code !== 'discount_over_limit') return;
      this.show({
        kind: 'approve',
        pin: '',
        note: e.message,
        ask: { command, args, pin_arg: 'approval', why: 'discount' },
        back: d,
      });
    });
  }

  /** The manager's PIN: the command goes again with it; the PIN is forgotten at once. */
  private approve(d: Extract<Dialog, { kind: 'approve' }>): void {
    const pin = normalizeEntry(d.pin);
    if (!pin) return;
    d.pin = '';
    this.paint();
    const sent = this.run(d.ask.command, { ...d.ask.args, [d.ask.pin_arg]: pin });
    void sent.then((ok) => {
      if (this.state.dialog !== d) return;
      if (ok && d.back.kind === 'refund') return this.refunded(d.back);
      if (ok) {
        this.state.dialog = null;
        return this.close();
      }
      const e = this.state.error;
      if (!e || PIN_CODES.includes(e.code)) return;
      // Not the PIN: back to the dialog that asked, with what is wrong there.
      this.state.dialog = d.back;
      this.paint();
    });
  }

  /** The exemption dialog's taxes: a tap or its digit takes a tax in or out. */
  toggleTax(d: Extract<Dialog, { kind: 'exemption' }>, code: string): void {
    d.taxes = d.taxes.includes(code) ? d.taxes.filter((c) => c !== code) : [...d.taxes, code];
    this.paint();
  }

  private closeOn(ok: Promise<boolean>): void {
    void ok.then((done) => {
      if (done) this.close();
    });
  }

  /** A menu entry (F11). */
  choose(index: number): void {
    const item = MENU[index];
    if (!item) return;
    if (item.kind === 'report_x') {
      this.state.dialog = null;
      void this.run('report_x');
      return;
    }
    if (item.kind === 'close_shift') return this.show({ kind: 'close_shift', counted: '' });
    if (item.kind === 'returns') return this.openReturns(null);
    if (item.kind === 'devices') {
      if (!this.can('device_setup')) return;
      return openDevices(this);
    }
    if (item.kind === 'no_sale') return this.show({ kind: 'no_sale', reason: '' });
    this.show({ kind: item.kind, amount: '', reason: '' });
  }

  /** Enter in the tender dialog, or a quick cash button (`amount`). */
  tender(d: Extract<Dialog, { kind: 'tender' }>, amount?: string): void {
    const v = this.state.view!;
    const receipt = v.last_sale?.receipt_no ?? null;
    let sent: Promise<boolean>;
    if (d.tab === 'credit' && amount === undefined) {
      const note = d.note.trim().toUpperCase();
      if (!d.balance || this.field() === 'note' || note !== d.balance.reference) {
        return void this.lookupCredit(d);
      }
      sent = this.run('tender_store_credit', {
        amount: normalizeAmount(d.credit),
        reference: d.balance.reference,
      });
    } else if (d.tab === 'cash' || amount !== undefined) {
      const cash = amount ?? (normalizeAmount(d.cash) || cashDue(v));
      sent = this.run('tender_cash', { amount: cash });
    } else {
      if (this.field() === 'card') return this.focusField('reference');
      sent = this.run('tender_card', {
        amount: normalizeAmount(d.card),
        reference: d.reference.trim(),
      });
    }
    void sent.then((ok) => {
      if (!ok || this.paidOff(receipt)) return;
      // A partial leg: the next one starts from what remains; after the note, the rest in cash.
      const after = this.state.view!;
      d.cash = '';
      d.card = entryAmount(after.cart.remaining, this.lang);
      d.reference = '';
      if (d.tab === 'credit') {
        d.tab = 'cash';
        d.note = '';
        d.balance = null;
        d.credit = '';
      }
      this.paint();
    });
  }

  /** A new receipt since `receipt`: the change screen shows it. False while still to pay. */
  paidOff(receipt: string | null): boolean {
    const sale = this.state.view!.last_sale;
    if (!sale || sale.receipt_no === receipt) return false;
    this.open({
      kind: 'change',
      receipt_no: sale.receipt_no,
      change: sale.change,
      total: sale.total,
      rounding: sale.cash_rounding,
    });
    this.state.preview = null;
    this.paint();
    void this.loadPreview(sale.print_job ?? null);
    return true;
  }

  /** The store's next language (FR ⇄ EN). */
  nextLanguage(): string | null {
    const langs = this.state.view?.languages ?? ['fr', 'en'];
    if (langs.length < 2) return null;
    const at = langs.indexOf(this.state.view?.store.lang ?? '');
    return langs[(at + 1) % langs.length] ?? null;
  }

  setLanguage(): void {
    const lang = this.nextLanguage();
    if (lang) void this.run('set_language', { lang });
  }

  /** The open-price dialog's tax class, one step along the store's classes. */
  cycleTax(d: Extract<Dialog, { kind: 'open_price' }>, delta: number): void {
    const classes = taxClasses(this.state.view!);
    const at = Math.max(classes.indexOf(d.tax), 0);
    d.tax = classes[(at + delta + classes.length) % classes.length]!;
    this.paint();
  }
}

/** The UI's language before any View: the browser's, French if it starts with "fr". */
export function browserLang(win: Window | null): Lang {
  const lang = win?.navigator?.language ?? '';
  return lang.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** A multiplier other than one waits for the next item. */
export function pendingMultiplier(v: View | null): string | null {
  const m = v?.cart.multiplier ?? null;
  return m !== null && m !== '1' ? m : null;
}

/** Whether an entry of the F1 menu applies to this cart and line. */
export function adjustable(
  kind: (typeof ADJUST)[number]['kind'],
  v: View,
  line: Line | null,
): boolean {
  const a = v.cart.adjustments;
  switch (kind) {
    case 'line':
    case 'override':
      return line !== null;
    case 'remove_line':
      return !!line?.adjustments?.line_discount;
    case 'order':
      return v.cart.lines.length > 0;
    case 'remove_order':
      return !!a?.order_discount;
    case 'exemption':
      return true;
    case 'remove_exemption':
      return !!a?.exemption;
    case 'coupon':
      return true;
  }
}

/** The store's tax classes, taxable first. */
export function taxClasses(v: View): string[] {
  const classes = v.tax_classes?.length ? v.tax_classes : ['standard', 'zero_rated'];
  return [...classes].sort((a, b) => Number(b === 'standard') - Number(a === 'standard'));
}

/** The cash still due, rounded as the register rounds it. */
export function cashDue(v: View): string {
  if (v.cart.cash_remaining !== undefined) return v.cart.cash_remaining;
  return v.cart.paid === '0.00' ? v.cart.cash_total : v.cart.remaining;
}

/** The line that is new or whose quantity changed, when the backend does not say. */
function changedLine(before: View | null, after: View): number | null {
  const old = new Map((before?.cart.lines ?? []).map((l) => [l.line, l.qty]));
  for (const l of [...after.cart.lines].reverse()) {
    if (old.get(l.line) !== l.qty) return l.line;
  }
  return null;
}

/** Whether a code has a receipt number's shape (`MTL01-000042`, `MTL01-2-000042`). */
export function looksLikeReceipt(code: string): boolean {
  return /^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{3,}(-\d+){1,2}$/.test(code.trim());
}

/** Returned lines in the cart worth more than the new ones: money goes back. */
export function refundDue(v: View): boolean {
  return (v.cart.returns?.length ?? 0) > 0 && (cents(v.cart.due ?? '0') ?? 0) < 0;
}

/** A cart that costs nothing (a 100 % discount, an even exchange), before any payment. */
export function nothingDue(v: View): boolean {
  const c = v.cart;
  const filled = c.lines.length > 0 || (c.returns?.length ?? 0) > 0;
  return filled && c.tenders.length === 0 && cents(c.due ?? c.total) === 0;
}

/** Whether a code has a credit note's shape (`CR-MTL01-000001`). */
export function looksLikeCredit(code: string): boolean {
  return /^CR-/i.test(code.trim());
}

function flip(d: Disposition): Disposition {
  return d === 'restock' ? 'write_off' : 'restock';
}
