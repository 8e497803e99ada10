//! An in-memory register for the UI's tests and screenshots, loaded only with `?fake=1`.
//!
//! It follows docs/ipc.md, and the shapes the Rust backend sends where the two differ, closely
//! enough to ring a Montréal basket: real products of the demo store (fixtures/stores/montreal),
//! GST 5 % and QST 9.975 % on standard lines, zero-rated groceries, cash rounded to 0.05, change,
//! parking, voids, paid in and out, X and Z reports, and a printer that can run out of paper.
//! It is a test double: the real rules live in the Rust core, and the real app never loads it.

import type { Args, Backend } from './ipc';
import type {
  AdminResult,
  CardRequest,
  CardStatus,
  DeviceSetup,
  Plugged,
  PrintedTestPage,
  Recovered,
  Recovery,
  ScanRead,
  SettingView,
  CreditBalance,
  DiscountRule,
  IpcError,
  Item,
  Lang,
  Preview,
  PreviewLine,
  PrinterState,
  ReturnLine,
  SaleForReturn,
  SyncView,
  Report,
  StockView,
  View,
} from './types';

type TaxClass = 'standard' | 'zero_rated';

interface Product {
  sku: string;
  barcode: string | null;
  name: string;
  name_fr: string | null;
  /** Null: the cashier keys the price (an open-price item). */
  price: string | null;
  tax_class: TaxClass;
}

/** Rows of the Montréal demo store's catalog (fixtures/stores/montreal/catalog.csv). */
export const PRODUCTS: Product[] = [
  p(
    'M3252920035601',
    '3252920035601',
    'Crème entière fluide',
    'Crème entière fluide',
    '2.59',
    'zero_rated',
  ),
  p('M0041500932156', '0041500932156', 'Tomato Ketchup', null, '4.89', 'zero_rated'),
  p('M99494858', '99494858', 'Crème caramel', 'Crème caramel', '4.29', 'zero_rated'),
  p('M00072806004049', '00072806004049', 'Long Grain Enriched Rice', null, '3.89', 'zero_rated'),
  p('M7540013105413', '7540013105413', 'Poutine', 'Poutine', '5.79', 'zero_rated'),
  p(
    'M3023260029090',
    '3023260029090',
    'Cantal jeune au lait de vache pasteurisé',
    'Cantal jeune au lait de vache pasteurisé',
    '6.49',
    'zero_rated',
  ),
  p('M0041268189083', '0041268189083', 'French Toast Bagels', null, '3.29', 'zero_rated'),
  p(
    'M886054000001',
    '886054000001',
    'Pulsin raspberry&goji raw choc brownie',
    null,
    '3.59',
    'standard',
  ),
  p(
    'M7542600120960',
    '7542600120960',
    'Fanta orange zero',
    'Fanta orange zero',
    '1.89',
    'standard',
  ),
  p('M3760029980833', '3760029980833', 'French IPA', null, '4.59', 'standard'),
  p('M0066909100531', '0066909100531', 'Exquisite French Chocolate', null, '4.59', 'standard'),
  p('M41473269', '41473269', 'Avon naturals body care', null, '5.89', 'standard'),
  p('MOPEN1', null, 'Daily special', 'Produit du jour', null, 'zero_rated'),
  p(
    'MOPEN2',
    null,
    'Market fruit and vegetables',
    'Fruits et légumes du marché',
    null,
    'zero_rated',
  ),
  p('MOPEN3', null, 'Miscellaneous taxable item', 'Article divers taxable', null, 'standard'),
];

function p(
  sku: string,
  barcode: string | null,
  name: string,
  name_fr: string | null,
  price: string | null,
  tax_class: TaxClass,
): Product {
  return { sku, barcode, name, name_fr, price, tax_class };
}

interface Cashier {
  id: string;
  name: string;
  role: string;
  pin: string;
  permissions: string[];
}

/** The demo store's cashiers (fixtures/stores/montreal/cashiers.json), with the app's permissions. */
export const CASHIERS: Cashier[] = [
  {
    id: 'c1',
    name: 'Camille Tremblay',
    role: 'manager',
    pin: '1234',
    permissions: [
      'open_price',
      'no_sale',
      'void',
      'paid_in',
      'paid_out',
      'reprint',
      'device_setup',
    ],
  },
  {
    id: 'c2',
    name: 'Noah Gagnon',
    role: 'cashier',
    pin: '2468',
    permissions: ['void', 'paid_in', 'reprint'],
  },
];

const STORE_NAME = 'Comptoir Montréal — boutique éphémère';
const TAXES = [
  { code: 'GST', fr: 'TPS', en: 'GST', rate: '5', perHundredThousand: 5000 },
  { code: 'QST', fr: 'TVQ', en: 'QST', rate: '9.975', perHundredThousand: 9975 },
];
/** The largest discount each role gives on its own, in percent (`discount_limits`). */
const DISCOUNT_LIMITS: Record<string, number> = { cashier: 10, manager: 100 };
const MAX_WRONG_PINS = 5;
const LOCKOUT_MS = 5 * 60 * 1000;
const WIDTH = 42;

/** What a line sells: a catalog product with its price, or an open-price entry. */
interface Priced {
  sku: string;
  barcode: string | null;
  name: string;
  name_fr: string | null;
  price: string;
  tax_class: TaxClass;
}

interface CartLine {
  line: number;
  item: Priced;
  open: boolean;
  /** Thousandths of a unit. */
  qty: number;
  /** The cashier's discount on the line. */
  discount?: Manual | null;
  /** Sold at another price than the shelf's (`item.price` is the new one). */
  override?: { shelf: string | null; reason: string; by: string } | null;
}

/** A discount the cashier gave: `value` is a percent ("12.5") or an amount ("2.50"). */
interface Manual {
  rule: DiscountRule;
  value: string;
  reason: string;
  by: string;
}

/** A line as pricing leaves it: its gross, its discounts, its net, in cents. */
interface PricedLine {
  line: CartLine;
  gross: number;
  discounts: { kind: 'promotion' | 'line' | 'order'; label: string; amount: number }[];
  net: number;
}

interface Leg {
  kind: 'cash' | 'card' | 'store_credit';
  cents: number;
  reference: string | null;
}

interface Cart {
  lines: CartLine[];
  multiplier: number | null;
  tenders: Leg[];
  nextLine: number;
  lastLine: number | null;
  orderDiscount?: Manual | null;
  /** Empty `taxes`: every tax. */
  exemption?: { certificate: string; taxes: string[] } | null;
  /** Lines brought back (a return, or an exchange beside new lines). */
  returns: Returned[];
  /** Coupons entered, upper case. */
  coupons: string[];
}

/** A line brought back, in cents and thousandths, as comptoir-app's `ReturnLine`. */
interface Returned {
  line: number;
  original: { receipt_no: string; line: number } | null;
  sku: string;
  name: string;
  qty: number;
  unit_price: string;
  net: number;
  taxes: { code: string; rate: string; amount: number }[];
  refund: number;
  tax_class: string;
  disposition: string;
  reason: string;
  approved_by: string | null;
}

/** A sale line as the ledger keeps it: its net and its share of each tax, in cents. */
interface SoldLine {
  line: number;
  sku: string;
  name: string;
  qty: number;
  unit_price: string;
  net: number;
  taxes: { code: string; rate: string; amount: number }[];
  tax_class: string;
}

/** A committed sale, return or exchange, as the fake's ledger keeps it. */
interface Recorded {
  kind: 'sale' | 'return' | 'exchange';
  receipt_no: string;
  recorded_at: string;
  total: number;
  lines: SoldLine[];
  returns: Returned[];
  tenders: { kind: 'cash' | 'card' | 'store_credit'; cents: number; reference: string | null }[];
  change: number;
  cash_rounding: number;
}

/** The demo store's coupons (fixtures/stores/montreal/promotions.json): a spend threshold. */
const COUPONS = [
  {
    id: 'MTL-DEMO-004',
    code: 'BIENVENUE5',
    fr: 'Bienvenue : 5,00 $ de rabais sur 30,00 $',
    en: 'Welcome: $5.00 off $30.00',
    minSpend: 3000,
    off: 500,
  },
];

/** Dropped from the policy the demo store leaves at its defaults (`returns_without_receipt`). */
const NO_RECEIPT_POLICY = { refund_to: 'store_credit', price: 'lowest_recent', approval: true };

interface Totals {
  lines: PricedLine[];
  gross: number;
  subtotal: number;
  taxes: { code: string; rate: string; base: number; amount: number; exempt: boolean }[];
  total: number;
  paid: number;
  remaining: number;
  cashRemaining: number;
  /** What the returned lines give back. */
  refund: number;
  /** `total` less `refund`: negative when money is to give back. */
  due: number;
  /** The coupons' promotions the cart reaches, with what each saves. */
  promotions: { id: string; code: string; label: string; saving: number }[];
}

interface Shift {
  number: number;
  openedAt: string;
  float: number;
  sales: number;
  voids: number;
  noSales: number;
  gross: number;
  taxes: Map<string, { rate: string; base: number; amount: number }>;
  tenders: Map<string, { count: number; amount: number }>;
  cashKept: number;
  paidIn: number;
  paidOut: number;
}

interface Job {
  id: string;
  kind: 'receipt' | 'slip' | 'report' | 'test_page';
  lines: PreviewLine[];
}

/** The register's device settings and their defaults (`comptoir_app::printing::SETTINGS`). */
export const DEVICE_SETTINGS: [string, string][] = [
  ['printer', 'virtual'],
  ['printer.profile', 'epson-tm-t20'],
  ['drawer.pin', '2'],
  ['drawer.on_ms', '50'],
  ['drawer.off_ms', '500'],
  ['scanner.burst_max_gap_ms', '35'],
  ['scanner.burst_min_len', '6'],
  ['scanner', 'none'],
  ['scale', 'none'],
  ['display', 'none'],
  ['display.idle', 'Welcome'],
  ['terminal', 'none'],
  ['terminal.password', '000000'],
];

/** What the fake finds plugged in: a USB receipt printer, a USB serial adapter, a keyboard. */
export const FAKE_PLUGGED: Plugged = {
  serial_ports: [
    {
      path: '/dev/ttyUSB0',
      bus: 'usb',
      vendor_id: '067b',
      product_id: '2303',
      serial_number: null,
      manufacturer: 'Prolific Technology Inc.',
      product: 'USB-Serial Controller',
    },
  ],
  usb: [
    {
      vendor_id: '04b8',
      product_id: '0e28',
      manufacturer: 'EPSON',
      product: 'TM-T20III',
      serial_number: 'X7RG012345',
      printer_setting: 'usb:04b8:0e28:X7RG012345',
    },
    {
      vendor_id: '046d',
      product_id: 'c31c',
      manufacturer: 'Logitech',
      product: 'USB Keyboard',
      serial_number: null,
      printer_setting: null,
    },
  ],
  problems: [],
  profiles: ['epson-tm-t20', 'epson-tm-t88', 'star-tsp100', 'generic-58mm'],
};

/**
 * How the fake card terminal answers the next payment: the texts it shows, then its verdict.
 * `hold` keeps the payment waiting (the customer at the PIN pad) until `releaseTerminal()` or
 * an abort.
 */
export interface TerminalScript {
  texts: string[];
  result: 'approved' | 'declined' | 'pending' | 'offline';
  hold?: boolean;
}

class Failure {
  constructor(readonly error: IpcError) {}
}

export interface FakeOptions {
  now?: () => number;
  lang?: Lang;
}

/** A fresh fake register: nobody signed in, no shift, printer ready. */
export function createFake(options: FakeOptions = {}): FakeRegister {
  return new FakeRegister(options.now ?? Date.now, options.lang ?? 'fr');
}

export class FakeRegister implements Backend {
  private cashier: Cashier | null = null;
  private locked = false;
  private lockedBy: string | null = null;
  private wrongPins = 0;
  private lockedUntil = 0;
  private shift: Shift | null = null;
  private shiftCount = 0;
  private zCount = 0;
  private cart: Cart = emptyCart();
  private parked: { id: number; at: string; cart: Cart }[] = [];
  private parkCount = 0;
  private saleCount = 0;
  private lastSale: View['last_sale'] = null;
  private printer: PrinterState = 'ok';
  private sync: SyncView = {
    state: 'not_enrolled',
    server: null,
    pending: 0,
    last_success_at: null,
    last_error: null,
    rejected: 0,
  };
  private stock: StockView | null = null;
  private jobs: Job[] = [];
  private pending = 0;
  private drawer: 'open' | 'closed' = 'closed';
  private notice: View['notice'] = null;
  private priceCheck: Item | null = null;
  private results: Item[] = [];
  private report: Report | null = null;
  private listeners: ((view: View) => void)[] = [];
  private ledger: Recorded[] = [];
  private creditNotes = 0;
  /** Receipts of another register, which the fake cannot reach (as offline). */
  private elsewhere = new Set<string>();
  /** Credit notes of another register (as offline: their balance cannot be read here). */
  private creditsElsewhere = new Set<string>();

  private settings = new Map<string, string>();
  private plugged: Plugged = structuredClone(FAKE_PLUGGED);
  private events = new Map<string, ((payload: unknown) => void)[]>();
  private script: TerminalScript = {
    texts: ['Présentez la carte', 'Tapez le NIP', 'Autorisation en cours'],
    result: 'approved',
  };
  private release: (() => void) | null = null;
  private aborted = false;
  private unsettled: { id: string; cents: number }[] = [];
  /** What the terminal charged since its last end of day. */
  private cardDayTotal = 0;
  private recoverAs: 'approved' | 'not_charged' | 'pending' = 'approved';
  private cardPayments = 0;
  /** Every device command and its arguments, in order (tests). */
  readonly deviceCalls: { command: string; args: Args }[] = [];

  constructor(
    private readonly now: () => number,
    private lang: Lang,
  ) {}

  onEvent(event: string, listener: (payload: unknown) => void): void {
    this.events.set(event, [...(this.events.get(event) ?? []), listener]);
  }

  /** Test hook: how the terminal answers the next payment. */
  setTerminal(script: TerminalScript): void {
    this.script = script;
  }

  /** Test hook: the customer finished at the terminal (a held payment goes on). */
  releaseTerminal(): void {
    this.release?.();
  }

  /** Test hook: what asking the terminal finds for the unsettled payments. */
  setRecovery(outcome: 'approved' | 'not_charged' | 'pending'): void {
    this.recoverAs = outcome;
  }

  /** Test hook: what is plugged in. */
  setPlugged(plugged: Plugged): void {
    this.plugged = plugged;
  }

  onView(listener: (view: View) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Runs a command as the backend would and answers with a fresh View; `receipt_preview`
   * answers with a `Preview`, as the backend's does.
   */
  async invoke(command: string, args: Args = {}): Promise<View> {
    try {
      if (command === 'receipt_preview') {
        return this.previewOf(opt(args.job)) as unknown as View;
      }
      if (command === 'find_sale') return this.findSale(str(args.receipt_no)) as unknown as View;
      if (command === 'find_sales_by') return this.findSalesBy(str(args.query)) as unknown as View;
      if (command === 'store_credit')
        return this.storeCredit(str(args.reference)) as unknown as View;
      if (command === 'refund') await this.refundOnTerminal(str(args.to));
      const device = await this.device(command, args);
      if (device !== undefined) return device as View;
      this.run(command, args);
    } catch (e) {
      if (e instanceof Failure) throw { ...e.error };
      throw e;
    }
    return this.view();
  }

  /** Test hook: a receipt of another register while the server cannot be reached. */
  setElsewhere(receipt: string): void {
    this.elsewhere.add(receipt);
  }

  /** Test hook: a credit note issued at another register, which the fake cannot reach. */
  setCreditElsewhere(reference: string): void {
    this.creditsElsewhere.add(reference);
  }

  /** Test hook: the stock of the item just scanned, as the register last heard it. */
  setStock(stock: StockView | null): void {
    this.stock = stock;
    this.emit();
  }

  /** Test hook: where sync stands, as the register's sync task reports it. */
  setSync(sync: SyncView): void {
    this.sync = sync;
    this.emit();
  }

  /** Test hook: the printer's state, as its driver reports it. Back to ok prints what waits. */
  setPrinter(state: PrinterState): void {
    this.printer = state;
    if (state === 'ok') this.pending = 0;
    this.emit();
  }

  /** Test hook: the drawer switch, as its driver reports it. */
  setDrawer(state: 'open' | 'closed'): void {
    this.drawer = state;
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l(this.view());
  }

  private run(command: string, a: Args): void {
    if (command !== 'view') this.drawer = 'closed'; // the cashier pushed it shut
    switch (command) {
      case 'view':
        return;
      case 'sign_in':
        return this.signIn(str(a.pin));
      case 'set_language':
        this.lang = str(a.lang) === 'en' ? 'en' : 'fr';
        return;
      case 'dismiss':
        this.notice = null;
        this.priceCheck = null;
        this.results = [];
        this.report = null;
        return;
    }
    this.needCashier();
    switch (command) {
      case 'lock':
        // As the backend does: the session ends; whoever signs in next takes the register.
        this.locked = true;
        this.lockedBy = this.cashier?.name ?? null;
        this.cashier = null;
        return;
      case 'open_shift':
        return this.openShift(str(a.float));
      case 'reprint_last':
        return this.reprint();
      case 'price_check':
        return this.checkPrice(str(a.code));
      case 'search':
        return this.search(str(a.query));
    }
    this.needShift();
    switch (command) {
      case 'scan':
        return this.scan(str(a.code));
      case 'set_multiplier':
        this.cart.multiplier = a.qty == null ? null : this.qty(str(a.qty));
        return;
      case 'add_item':
        return this.addItem(str(a.sku));
      case 'add_open_price':
        return this.addOpenPrice(str(a.name), str(a.price), str(a.tax_class), opt(a.sku));
      case 'set_quantity':
        return this.setQuantity(Number(a.line), str(a.qty));
      case 'remove_line':
        return this.removeLine(Number(a.line));
      case 'park':
        return this.park();
      case 'resume':
        return this.resume(Number(a.id));
      case 'void_cart':
        return this.voidCart(str(a.reason));
      case 'tender_cash':
        return this.tenderCash(str(a.amount));
      case 'tender_card':
        return this.tenderCard(str(a.amount), str(a.reference));
      case 'paid_in':
      case 'paid_out':
        return this.paid(command, str(a.amount), str(a.reason));
      case 'no_sale':
        return this.noSale(str(a.reason));
      case 'report_x':
        return this.reportX();
      case 'close_shift':
        return this.closeShift(str(a.counted));
      case 'discount_line':
        return this.discountLine(
          Number(a.line),
          str(a.kind),
          str(a.value),
          str(a.reason),
          opt(a.approval),
        );
      case 'remove_line_discount':
        this.beforeDiscount();
        this.line(Number(a.line)).discount = null;
        return;
      case 'discount_order':
        return this.discountOrder(str(a.kind), str(a.value), str(a.reason), opt(a.approval));
      case 'remove_order_discount':
        this.beforeDiscount();
        this.cart.orderDiscount = null;
        return;
      case 'override_price':
        return this.overridePrice(Number(a.line), str(a.price), str(a.reason), str(a.manager_pin));
      case 'set_exemption':
        return this.setExemption(
          str(a.certificate),
          Array.isArray(a.taxes) ? a.taxes.map(str) : [],
        );
      case 'clear_exemption':
        this.beforeDiscount();
        this.cart.exemption = null;
        return;
      case 'return_line':
        return this.returnLine(
          str(a.receipt_no),
          Number(a.line),
          str(a.qty),
          str(a.disposition),
          str(a.reason),
        );
      case 'return_without_receipt':
        return this.returnWithoutReceipt(
          str(a.code),
          str(a.qty),
          str(a.disposition),
          str(a.reason),
          opt(a.approval),
        );
      case 'remove_return':
        return this.removeReturn(Number(a.line));
      case 'refund':
        return this.refund(str(a.to), opt(a.approval));
      case 'complete':
        return this.complete();
      case 'tender_store_credit':
        return this.tenderStoreCredit(str(a.amount), str(a.reference));
      case 'enter_coupon':
        return this.enterCoupon(str(a.code));
      case 'remove_coupon':
        return this.removeCoupon(str(a.code));
    }
    this.fail('internal', `commande inconnue : ${command}`, `unknown command: ${command}`);
  }

  // Signing in and shifts.

  private signIn(pin: string): void {
    const now = this.now();
    if (now < this.lockedUntil) {
      const min = Math.ceil((this.lockedUntil - now) / 60_000);
      this.fail(
        'locked_out',
        `Trop de NIP incorrects : connexion bloquée pour ${min} minute(s) encore. Appelez un gérant.`,
        `Too many wrong PINs: sign-in is locked for ${min} more minute(s). Ask a manager.`,
      );
    }
    const who = CASHIERS.find((c) => c.pin === pin);
    if (!who) {
      this.wrongPins += 1;
      if (this.wrongPins >= MAX_WRONG_PINS) {
        this.wrongPins = 0;
        this.lockedUntil = now + LOCKOUT_MS;
        this.fail(
          'locked_out',
          'Trop de NIP incorrects : connexion bloquée pour 5 minutes. Appelez un gérant.',
          'Too many wrong PINs: sign-in is locked for 5 minutes. Ask a manager.',
        );
      }
      const left = MAX_WRONG_PINS - this.wrongPins;
      this.fail(
        'wrong_pin',
        `NIP incorrect. Encore ${left} essai(s) avant le blocage.`,
        `Wrong PIN. ${left} more try(ies) before sign-in is locked.`,
      );
    }
    this.wrongPins = 0;
    this.cashier = who;
    this.locked = false;
    this.lockedBy = null;
  }

  private openShift(float: string): void {
    if (this.shift) {
      this.fail('shift_open', 'Un quart est déjà ouvert.', 'A shift is already open.');
    }
    const cents = this.amount(float, true);
    this.shiftCount += 1;
    this.shift = {
      number: this.shiftCount,
      openedAt: this.stamp(),
      float: cents,
      sales: 0,
      voids: 0,
      noSales: 0,
      gross: 0,
      taxes: new Map(),
      tenders: new Map(),
      cashKept: 0,
      paidIn: 0,
      paidOut: 0,
    };
  }

  // The cart.

  private scan(code: string): void {
    this.needOpenCart();
    const product = lookup(code);
    const receipt = code.trim();
    if (!product && this.ledger.some((x) => x.receipt_no === receipt && x.kind !== 'return')) {
      // A receipt's barcode starts a return: the screen opens the sale to pick lines.
      const message = this.say(
        `Reçu ${receipt} scanné : choisissez les articles retournés (Retour).`,
        `Receipt ${receipt} scanned: choose the lines coming back (Return).`,
      );
      this.notice = { level: 'info', code: 'receipt_scanned', message, offer: 'return' };
      throw new Failure({ code: 'receipt_scanned', message });
    }
    if (!product && /^CR-/i.test(receipt)) {
      // A credit note's barcode: the screen offers it as the payment.
      const d = receipt.toUpperCase();
      const message = this.say(
        `Note de crédit ${d} scannée : prenez-la en paiement, en tout ou en partie (Crédit magasin).`,
        `Credit note ${d} scanned: take it as the payment, or part of it (Store credit).`,
      );
      this.notice = { level: 'info', code: 'credit_scanned', message, offer: 'store_credit' };
      throw new Failure({ code: 'credit_scanned', message });
    }
    if (!product) {
      // As the backend does: the command fails, the notice stays in the next View, and a
      // pending multiplier waits for the next item.
      const message = this.say(
        `Code-barres inconnu ${code} : rien n'a été ajouté. Vérifiez l'article ou vendez-le à prix libre (F5).`,
        `Unknown barcode ${code}: nothing was added. Check the item, or sell it as an open-price item (F5).`,
      );
      this.notice = { level: 'error', code: 'unknown_barcode', message, offer: 'open_price' };
      throw new Failure({ code: 'unknown_barcode', message });
    }
    this.add(product);
  }

  private addItem(sku: string): void {
    this.needOpenCart();
    const product = PRODUCTS.find((x) => x.sku === sku);
    if (!product) this.fail('unknown_item', `Article inconnu : ${sku}.`, `Unknown item: ${sku}.`);
    this.add(product);
  }

  private add(product: Product): void {
    if (product.price === null) {
      this.fail(
        'needs_price',
        `${this.nameOf(product)} : entrez son prix comme article à prix libre.`,
        `${product.name}: key its price as an open-price item.`,
      );
    }
    this.addLine({ ...product, price: product.price }, false);
  }

  private addOpenPrice(name: string, price: string, taxClass: string, sku: string | null): void {
    this.need('open_price');
    this.needOpenCart();
    if (!name.trim()) {
      this.fail(
        'invalid_item',
        'Un article à prix libre a besoin d’un nom.',
        'An open-price item needs a name.',
      );
    }
    const cents = this.amount(price, false);
    if (taxClass !== 'standard' && taxClass !== 'zero_rated') {
      this.fail(
        'invalid_tax_class',
        `${taxClass} : classe de taxe inconnue.`,
        `${taxClass}: unknown tax class.`,
      );
    }
    const from = sku ? PRODUCTS.find((x) => x.sku === sku) : undefined;
    const item: Priced = {
      sku: from?.sku ?? 'OPEN',
      barcode: from?.barcode ?? null,
      name: name.trim(),
      name_fr: null,
      price: fromCents(cents),
      tax_class: taxClass,
    };
    this.addLine(item, true);
  }

  private addLine(item: Priced, open: boolean): void {
    const qty = this.cart.multiplier ?? 1000;
    this.cart.multiplier = null;
    this.notice = null;
    const last = this.cart.lines[this.cart.lines.length - 1];
    // A second scan of the item just scanned adds to its line, as most registers do.
    if (!open && last && !last.open && last.item.sku === item.sku) {
      last.qty += qty;
      this.cart.lastLine = last.line;
      return;
    }
    const line = this.cart.nextLine++;
    this.cart.lines.push({ line, item, open, qty });
    this.cart.lastLine = line;
  }

  private setQuantity(lineNo: number, qty: string): void {
    this.needOpenCart();
    const line = this.line(lineNo);
    line.qty = this.qty(qty);
    this.cart.lastLine = line.line;
    this.notice = null;
  }

  private removeLine(lineNo: number): void {
    this.needOpenCart();
    const line = this.line(lineNo);
    this.cart.lines = this.cart.lines.filter((l) => l !== line);
    this.cart.lastLine = null;
    this.cart.multiplier = null;
  }

  private checkPrice(code: string): void {
    const product = lookup(code);
    if (!product) {
      this.fail('unknown_barcode', `Code-barres inconnu ${code}.`, `Unknown barcode ${code}.`);
    }
    this.priceCheck = this.item(product);
  }

  private search(query: string): void {
    const q = fold(query.trim());
    this.results = PRODUCTS.filter(
      (x) =>
        fold(x.name).includes(q) ||
        fold(x.name_fr ?? '').includes(q) ||
        (x.barcode ?? '').includes(q) ||
        fold(x.sku).includes(q),
    )
      .slice(0, 50)
      .map((x) => this.item(x));
  }

  private park(): void {
    this.needOpenCart();
    this.needLines();
    if (this.cart.returns.length > 0) {
      this.fail(
        'return_in_progress',
        'Un retour ne peut pas être mis en attente : terminez-le ou annulez-le.',
        'A return cannot be parked: finish it, or void it.',
      );
    }
    this.parkCount += 1;
    this.parked.push({ id: this.parkCount, at: this.stamp(), cart: this.cart });
    this.cart = emptyCart();
  }

  private resume(id: number): void {
    if (this.cart.lines.length > 0) {
      this.fail(
        'cart_not_empty',
        'Terminez ou mettez en attente la vente en cours avant d’en reprendre une autre.',
        'Finish or park the current sale before resuming another.',
      );
    }
    const found = this.parked.find((x) => x.id === id);
    if (!found) {
      this.fail(
        'no_such_parked_cart',
        'Cette vente en attente n’existe plus.',
        'That parked sale is gone.',
      );
    }
    this.parked = this.parked.filter((x) => x !== found);
    this.cart = found.cart;
  }

  private voidCart(reason: string): void {
    this.need('void');
    this.needLines();
    this.needReason(reason);
    this.shift!.voids += 1;
    this.cart = emptyCart();
    this.notice = {
      level: 'info',
      code: 'voided',
      message: this.say('Vente annulée.', 'Sale voided.'),
    };
  }

  // Discounts, price overrides, the tax exemption: as comptoir-app's discounts.rs.

  private beforeDiscount(): void {
    this.needOpenCart();
    this.notice = null;
  }

  private discountLine(
    lineNo: number,
    kind: string,
    value: string,
    reason: string,
    approval: string | null,
  ): void {
    this.beforeDiscount();
    const rule = this.rule(kind, value);
    this.needReason(reason);
    const line = this.line(lineNo);
    // The limit is on what the line costs before this discount (there are no promotions here).
    const by = this.authority(rule, lineAmount(line), approval);
    line.discount = { ...rule, reason: reason.trim(), by };
  }

  private discountOrder(
    kind: string,
    value: string,
    reason: string,
    approval: string | null,
  ): void {
    this.beforeDiscount();
    this.needLines();
    const rule = this.rule(kind, value);
    this.needReason(reason);
    const base = this.totals({ ...this.cart, orderDiscount: null }).subtotal;
    const by = this.authority(rule, base, approval);
    this.cart.orderDiscount = { ...rule, reason: reason.trim(), by };
  }

  private overridePrice(lineNo: number, price: string, reason: string, pin: string): void {
    this.beforeDiscount();
    const cents = this.amount(price, false);
    this.needReason(reason);
    const line = this.line(lineNo);
    const manager = this.approve(pin);
    const shelf = line.override ? line.override.shelf : line.open ? null : line.item.price;
    line.item = { ...line.item, price: fromCents(cents) };
    line.override = { shelf, reason: reason.trim(), by: manager.id };
  }

  private setExemption(certificate: string, taxes: string[]): void {
    this.beforeDiscount();
    if (!certificate.trim()) {
      this.fail(
        'certificate_required',
        'Saisissez le numéro du certificat d’exonération du client.',
        'Enter the number of the customer’s exemption certificate.',
      );
    }
    const unknown = taxes.find((x) => !TAXES.some((tax) => tax.code === x));
    if (unknown) this.fail('unknown_tax', `Taxe inconnue ${unknown}.`, `Unknown tax ${unknown}.`);
    this.cart.exemption = { certificate: certificate.trim(), taxes: [...taxes] };
  }

  private rule(kind: string, value: string): { rule: DiscountRule; value: string } {
    if (kind === 'percent') {
      const m = /^(\d{1,3})(?:\.(\d{1,3}))?$/.exec(value.trim());
      const milli = m ? Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0')) : 0;
      if (!m || milli === 0 || milli > 100_000) {
        this.fail(
          'invalid_amount',
          'Montant invalide : un rabais est de plus de 0 % et d’au plus 100 %.',
          'That amount is not valid: a discount is more than 0 % and at most 100 %.',
        );
      }
      return { rule: 'percent', value: String(milli / 1000) };
    }
    if (kind === 'amount') return { rule: 'amount', value: fromCents(this.amount(value, false)) };
    return this.fail(
      'invalid_amount',
      `Montant invalide : ${kind}.`,
      `That amount is not valid: ${kind}.`,
    );
  }

  /** The cashier within their role's limit, else the manager whose PIN approves it. */
  private authority(
    rule: { rule: DiscountRule; value: string },
    base: number,
    pin: string | null,
  ): string {
    const who = this.cashier!;
    if (!overLimit(rule, base, DISCOUNT_LIMITS[who.role] ?? 0)) return who.id;
    if (pin === null) {
      const limit = DISCOUNT_LIMITS[who.role] ?? 0;
      this.fail(
        'discount_over_limit',
        'Ce rabais dépasse ce que votre rôle peut accorder : un gérant l’approuve avec son NIP.',
        `That is over the ${limit} % a ${who.role} may give: a manager approves it with their PIN.`,
      );
    }
    const manager = this.approve(pin);
    if (overLimit(rule, base, DISCOUNT_LIMITS[manager.role] ?? 0)) {
      this.fail(
        'discount_over_limit',
        'Au-delà de ce qu’un gérant peut approuver.',
        'Over what a manager may approve.',
      );
    }
    return manager.id;
  }

  /** A manager's PIN for one action; a wrong one counts towards the PIN pad's lock. */
  private approve(pin: string): Cashier {
    const found = CASHIERS.find((c) => c.pin === pin);
    if (!found) {
      this.wrongPins += 1;
      this.fail('wrong_pin', 'NIP incorrect. ', 'Wrong PIN. ');
    }
    if (found.role !== 'manager') {
      this.fail(
        'manager_required',
        'Ce NIP n’est pas celui d’un gérant : un gérant entre le sien.',
        `${found.name} is not a manager: a manager enters their PIN.`,
      );
    }
    this.wrongPins = 0;
    return found;
  }

  // Returns, exchanges and refunds: as comptoir-app's returns.rs and comptoir-core's refund.rs.

  /** The sale a receipt names, with what is left to return of each line. */
  private findSale(receipt: string): SaleForReturn {
    this.needCashier();
    const sale = this.original(receipt.trim());
    return {
      receipt_no: sale.receipt_no,
      recorded_at: sale.recorded_at,
      total: fromCents(sale.total),
      lines: sale.lines.map((l) => ({
        line: l.line,
        sku: l.sku,
        name: l.name,
        qty: showQty(l.qty),
        returnable: showQty(Math.max(l.qty - this.refunded(sale.receipt_no, l.line).qty, 0)),
        paid: fromCents(paidOf(l.net, l.taxes)),
      })),
      tenders: sale.tenders.map((x) =>
        x.kind === 'cash'
          ? { kind: 'cash' as const, tendered: fromCents(x.cents) }
          : {
              kind: x.kind === 'card' ? ('external_card' as const) : ('store_credit' as const),
              amount: fromCents(x.cents),
              reference: x.reference ?? '',
            },
      ),
      sold_in: null,
    };
  }

  /** Receipts whose card reference (or customer) is `query`, newest first, at most 20. */
  private findSalesBy(query: string): string[] {
    this.needCashier();
    const q = query.trim();
    if (!q) {
      this.fail(
        'invalid_query',
        'Tapez une référence de carte ou un client.',
        'type a card reference or a customer',
      );
    }
    return [...this.ledger]
      .reverse()
      .filter((s) => s.kind !== 'return' && s.tenders.some((x) => x.reference === q))
      .map((s) => s.receipt_no)
      .slice(0, 20);
  }

  private original(receipt: string): Recorded {
    if (this.elsewhere.has(receipt)) {
      this.fail(
        'sale_not_here_offline',
        'Ce reçu vient d’une autre caisse et le serveur est injoignable : réessayez une fois en ligne, ou faites un retour sans reçu.',
        'This receipt is from another register and the server cannot be reached: try again when online, or return it without a receipt.',
      );
    }
    const sale = this.ledger.find((s) => s.receipt_no === receipt && s.kind !== 'return');
    if (!sale) {
      this.fail(
        'no_such_sale',
        `Vente introuvable (no sale ${receipt} on this register) : vérifiez le numéro du reçu, ou faites un retour sans reçu.`,
        `No such sale (no sale ${receipt} on this register): check the number on the receipt, or return the item without a receipt.`,
      );
    }
    return sale;
  }

  /** What earlier returns (recorded, and in the cart) took of a sale's line. */
  private refunded(receipt: string, line: number): { qty: number; net: number; taxes: number[] } {
    const all = [...this.ledger.flatMap((s) => s.returns), ...this.cart.returns];
    const done = { qty: 0, net: 0, taxes: [] as number[] };
    for (const r of all) {
      if (r.original?.receipt_no !== receipt || r.original.line !== line) continue;
      done.qty += r.qty;
      done.net += r.net;
      r.taxes.forEach((x, i) => (done.taxes[i] = (done.taxes[i] ?? 0) + x.amount));
    }
    return done;
  }

  private returnLine(
    receipt: string,
    lineNo: number,
    qty: string,
    disposition: string,
    reason: string,
  ): void {
    this.needOpenCart();
    const q = this.qty(qty);
    this.needReason(reason);
    const sale = this.original(receipt.trim());
    const sold = sale.lines.find((l) => l.line === lineNo);
    if (!sold) {
      this.fail(
        'no_such_line',
        `La vente ${sale.receipt_no} n’a pas de ligne ${lineNo}.`,
        `sale ${sale.receipt_no} has no line ${lineNo}`,
      );
    }
    const already = this.refunded(sale.receipt_no, lineNo);
    const left = sold.qty - already.qty;
    if (q > left) {
      const detail = `line ${lineNo} of ${sale.receipt_no}: ${showQty(Math.max(left, 0))} left to return (${showQty(sold.qty)} sold)`;
      this.fail(
        'nothing_left_to_return',
        `Quantité trop grande pour ce retour : ${detail}.`,
        `Not that many to return: ${detail}.`,
      );
    }
    // A running share of the line's stored amounts, so a line returned in goes refunds its price.
    const after = already.qty + q;
    const share = (whole: number, taken: number) => {
      const upto = after === sold.qty ? whole : halfUp(whole * after, sold.qty);
      return Math.min(Math.max(upto - taken, 0), Math.max(whole - taken, 0));
    };
    const net = share(sold.net, already.net);
    const taxes = sold.taxes.map((x, i) => ({
      ...x,
      amount: share(x.amount, already.taxes[i] ?? 0),
    }));
    this.cart.returns.push({
      line: this.nextReturnLine(),
      original: { receipt_no: sale.receipt_no, line: lineNo },
      sku: sold.sku,
      name: sold.name,
      qty: q,
      unit_price: sold.unit_price,
      net,
      taxes,
      refund: paidOf(net, taxes),
      tax_class: sold.tax_class,
      disposition: disposition === 'write_off' ? 'write_off' : 'restock',
      reason: reason.trim(),
      approved_by: null,
    });
    this.notice = null;
  }

  /** Today's price (the fake has no price history) and today's taxes, with a manager's PIN. */
  private returnWithoutReceipt(
    code: string,
    qty: string,
    disposition: string,
    reason: string,
    approval: string | null,
  ): void {
    this.needOpenCart();
    const q = this.qty(qty);
    this.needReason(reason);
    let approvedBy: string | null = null;
    if (NO_RECEIPT_POLICY.approval) {
      if (approval === null) {
        this.fail(
          'manager_required',
          'Un retour sans reçu demande le NIP d’un gérant.',
          "a return without a receipt needs a manager's PIN",
        );
      }
      approvedBy = this.approve(approval).id;
    }
    const product = lookup(code);
    if (!product)
      this.fail(
        'unknown_item',
        `Aucun article ${code.trim()} au catalogue.`,
        `No item ${code.trim()} in the catalog.`,
      );
    if (product.price === null) {
      this.fail(
        'needs_price',
        `${this.nameOf(product)} n’a pas de prix à rembourser.`,
        `${product.name} has no price to refund`,
      );
    }
    const net = Math.floor((Number(product.price.replace('.', '')) * q + 500) / 1000);
    const taxes =
      product.tax_class === 'standard'
        ? TAXES.map((x) => ({
            code: x.code,
            rate: x.rate,
            amount: Math.floor((net * x.perHundredThousand + 50_000) / 100_000),
          }))
        : [];
    this.cart.returns.push({
      line: this.nextReturnLine(),
      original: null,
      sku: product.sku,
      name: this.nameOf(product),
      qty: q,
      unit_price: product.price,
      net,
      taxes,
      refund: paidOf(net, taxes),
      tax_class: product.tax_class,
      disposition: disposition === 'write_off' ? 'write_off' : 'restock',
      reason: `${reason.trim()} (no receipt: ${NO_RECEIPT_POLICY.price} price)`,
      approved_by: approvedBy,
    });
    this.notice = null;
  }

  private removeReturn(lineNo: number): void {
    this.needOpenCart();
    const before = this.cart.returns.length;
    this.cart.returns = this.cart.returns.filter((r) => r.line !== lineNo);
    if (this.cart.returns.length === before) {
      this.fail('no_such_line', `Pas de ligne retournée ${lineNo}.`, `no returned line ${lineNo}`);
    }
  }

  private nextReturnLine(): number {
    const lines = this.cart.lines.map((l) => l.line);
    const returned = this.cart.returns.map((r) => r.line);
    return Math.max(1000, ...lines, ...returned) + 1;
  }

  /** Gives the money back: over the original tenders (cards first), in cash, or on credit. */
  private refund(to: string, approval: string | null): void {
    this.needOpenCart();
    this.needNoTenders();
    const t = this.totals();
    // An even exchange: nothing moves either way.
    if (t.due === 0 && this.cart.returns.length > 0) return this.complete();
    if (t.due >= 0) {
      this.fail(
        'nothing_to_refund',
        'Rien à rendre : le client paie (encaissez comme une vente).',
        'nothing is to give back: the customer pays (tender as for a sale)',
      );
    }
    const amount = -t.due;
    const noReceipt = this.cart.returns.some((r) => r.original === null);
    const creditOnly = noReceipt && NO_RECEIPT_POLICY.refund_to === 'store_credit';
    const where = creditOnly && to === 'original' ? 'store_credit' : to;
    if (creditOnly && where !== 'store_credit') {
      this.fail(
        'store_credit_only',
        'Un retour sans reçu est remboursé en crédit magasin dans ce magasin.',
        'A return without a receipt is refunded on store credit in this store.',
      );
    }
    if (where === 'cash') this.needCashApproval(amount, approval);
    const plan =
      where === 'original'
        ? this.originalPlan(amount)
        : where === 'cash'
          ? openCashPlan(amount)
          : { legs: [] as Recorded['tenders'], rounding: 0, left: amount };
    this.needDrawerHolds(plan.legs);
    const legs = [...plan.legs];
    if (plan.left > 0) {
      if (where === 'original' && !noReceipt && plan.legs.length === 0) {
        this.fail(
          'nothing_left_to_refund',
          'Les moyens de paiement d’origine sont déjà remboursés : remboursez en comptant ou en crédit magasin.',
          'the original tenders were already refunded: refund to cash or store credit',
        );
      }
      this.creditNotes += 1;
      const reference = `CR-MTL01-${String(this.creditNotes).padStart(6, '0')}`;
      legs.push({ kind: 'store_credit', cents: -plan.left, reference });
    }
    this.record(legs, 0, plan.rounding);
  }

  /** Cash for what went on a card is how card money leaves by the drawer: a manager approves it. */
  private needCashApproval(amount: number, approval: string | null): void {
    const toCards = this.originalPlan(amount)
      .legs.filter((l) => l.kind !== 'cash')
      .reduce((sum, l) => sum - l.cents, 0);
    if (toCards <= 0 || this.cashier!.role === 'manager') return;
    if (approval === null) {
      const d = fromCents(toCards);
      this.fail(
        'manager_required',
        `${d} de ce remboursement est allé sur une carte : le rembourser en comptant demande le NIP d’un gérant.`,
        `${d} of this refund went on a card: refunding it in cash needs a manager's PIN`,
      );
    }
    this.approve(approval);
  }

  /** The drawer cannot hand out cash it does not hold. */
  private needDrawerHolds(legs: Recorded['tenders']): void {
    const out = legs.filter((l) => l.kind === 'cash').reduce((sum, l) => sum - l.cents, 0);
    if (out <= 0) return;
    const s = this.shift!;
    const held = s.float + s.cashKept + s.paidIn - s.paidOut;
    if (out > held) {
      const [h, o] = [fromCents(held), fromCents(out)];
      this.fail(
        'drawer_short',
        `Le tiroir devrait contenir ${h} : ${o} ne peut pas en être remboursé en comptant ; remboursez sur la carte ou en crédit magasin.`,
        `the drawer should hold ${h}: ${o} cannot be refunded from it in cash; refund it to the card or on store credit`,
      );
    }
  }

  /** Over one sale's tenders, less what earlier refunds gave each; else all in cash. */
  private originalPlan(amount: number): {
    legs: Recorded['tenders'];
    rounding: number;
    left: number;
  } {
    const receipts = new Set(
      this.cart.returns.flatMap((r) => (r.original ? [r.original.receipt_no] : [])),
    );
    if (receipts.size !== 1) return openCashPlan(amount);
    const sale = this.original([...receipts][0]!);
    const earlier = this.ledger.filter((s) =>
      s.returns.some((r) => r.original?.receipt_no === sale.receipt_no),
    );
    let left = amount;
    const legs: Recorded['tenders'] = [];
    for (const leg of sale.tenders.filter((x) => x.kind !== 'cash')) {
      const given = earlier
        .flatMap((s) => s.tenders)
        .filter((x) => x.kind === leg.kind && x.reference === leg.reference && x.cents < 0)
        .reduce((sum, x) => sum - x.cents, 0);
      const take = Math.min(Math.max(leg.cents - given, 0), left);
      if (take === 0) continue;
      left -= take;
      legs.push({ kind: leg.kind, cents: -take, reference: leg.reference });
    }
    // Cash: the exact cash part of the sale, rounded on the running total of its refunds.
    const cash = sale.tenders.filter((x) => x.kind === 'cash');
    const kept = cash.reduce((sum, x) => sum + x.cents, 0) - (cash.length ? sale.change : 0);
    let handed = 0;
    let settled = 0;
    for (const s of earlier) {
      for (const x of s.tenders.filter((x) => x.kind === 'cash' && x.cents < 0)) {
        handed -= x.cents;
        settled += s.cash_rounding - x.cents;
      }
    }
    const exactLeft = Math.max(kept - (cash.length ? sale.cash_rounding : 0) - settled, 0);
    const settles = Math.min(left, exactLeft);
    let rounding = 0;
    if (settles > 0) {
      const out = Math.max(Math.min(roundCash(settled + settles), kept) - handed, 0);
      legs.push({ kind: 'cash', cents: -out, reference: null });
      rounding = settles - out;
      left -= settles;
    }
    return { legs, rounding, left };
  }

  // Coupons: the demo store's one spend threshold, as the promotions engine prices it.

  private enterCoupon(code: string): void {
    this.needOpenCart();
    const c = code.trim().toUpperCase();
    if (!COUPONS.some((x) => x.code === c)) {
      const d = c || '(empty)';
      this.fail(
        'unknown_coupon',
        `Le coupon ${d} ne correspond à aucune promotion de ce magasin aujourd'hui : vérifiez le code avec le client. Rien n'a été saisi.`,
        `Coupon ${d} is not one of this store's promotions today: check the code with the customer. Nothing was entered.`,
      );
    }
    if (!this.cart.coupons.includes(c)) this.cart.coupons.push(c);
    this.notice = null;
  }

  private removeCoupon(code: string): void {
    this.needOpenCart();
    const c = code.trim().toUpperCase();
    if (!this.cart.coupons.includes(c)) {
      this.fail(
        'coupon_not_entered',
        `Le coupon ${c} n'est pas sur cette vente : rien à retirer.`,
        `Coupon ${c} is not on this sale: nothing to remove.`,
      );
    }
    this.cart.coupons = this.cart.coupons.filter((x) => x !== c);
  }

  // Tenders.

  private tenderCash(amount: string): void {
    this.needLines();
    const t = this.totals();
    this.needNoRefund(t);
    // Nothing in cash is due (an even exchange): 0.00 settles it.
    const cents = this.amount(amount, t.cashRemaining === 0);
    if (this.nothingDue(t, cents)) return;
    this.cart.tenders.push({ kind: 'cash', cents, reference: null });
    const paidCash = this.cart.tenders
      .filter((l) => l.kind === 'cash')
      .reduce((s, l) => s + l.cents, 0);
    const cardPaid = this.cart.tenders
      .filter((l) => l.kind !== 'cash')
      .reduce((s, l) => s + l.cents, 0);
    const cashDue = roundCash(t.due - cardPaid);
    if (paidCash >= cashDue) this.commit(paidCash - cashDue, cashDue - (t.due - cardPaid));
  }

  /** A cart whose returned lines are worth more than its new ones is refunded, not paid. */
  private needNoRefund(t: Totals): void {
    if (t.due < 0) {
      const d = fromCents(-t.due);
      this.fail(
        'refund_due',
        'Il faut rembourser le client, pas l’encaisser : remboursez (moyens de paiement d’origine, comptant ou crédit magasin).',
        `Money is to give back, not to take: ${d} is to give back, not to take: refund it (to the original tenders, cash or store credit)`,
      );
    }
  }

  /**
   * A cart that costs nothing, before any leg: a zero tender records it as it is, any other is
   * refused (the change would be the whole tender). True when it was recorded.
   */
  private nothingDue(t: Totals, cents: number): boolean {
    if (t.due !== 0 || this.cart.tenders.length > 0) return false;
    if (cents !== 0) {
      this.fail(
        'nothing_due',
        'Rien n’est à payer : enregistrez la vente telle quelle, sans paiement.',
        'nothing is to pay: record the sale as it is, without a payment',
      );
    }
    this.complete();
    return true;
  }

  /** Records a cart that costs nothing (everything discounted, or an even exchange). */
  private complete(): void {
    this.needShift();
    this.needLines();
    const t = this.totals();
    this.needNoTenders();
    if (t.due < 0) {
      const d = fromCents(-t.due);
      this.fail(
        'refund_due',
        `${d} est à rendre : remboursez-le.`,
        `${d} is to give back: refund it`,
      );
    }
    if (t.due > 0) {
      const d = fromCents(t.due);
      this.fail(
        'payment_due',
        `${d} reste à payer : encaissez-le.`,
        `${d} is still to pay: take the payment`,
      );
    }
    this.commit(0, 0);
  }

  private needNoTenders(): void {
    if (this.cart.tenders.length > 0) {
      this.fail(
        'tender_in_progress',
        'Le paiement est commencé : terminez-le ou annulez la vente.',
        'payment has started: finish it, or void the cart',
      );
    }
  }

  /** What a credit note holds: what refunds put on it less what sales (and this cart) took. */
  private storeCredit(reference: string): CreditBalance {
    this.needCashier();
    const ref = reference.trim().toUpperCase();
    if (!ref) {
      this.fail(
        'credit_required',
        'Scannez ou saisissez le numéro de la note de crédit.',
        "scan or type the credit note's number",
      );
    }
    const legs = this.ledger
      .flatMap((s) => s.tenders)
      .filter((l) => l.kind === 'store_credit' && l.reference === ref);
    if (legs.length === 0 && this.creditsElsewhere.has(ref)) {
      this.fail(
        'credit_not_here_offline',
        `${ref} : le serveur est injoignable.`,
        `${ref}: the server cannot be reached`,
      );
    }
    if (legs.length === 0) {
      this.fail(
        'unknown_credit',
        `aucune note de crédit ${ref} dans cette chaîne`,
        `no credit note ${ref} in this chain`,
      );
    }
    const issued = legs.filter((l) => l.cents < 0).reduce((sum, l) => sum - l.cents, 0);
    const spent =
      legs.filter((l) => l.cents >= 0).reduce((sum, l) => sum + l.cents, 0) +
      this.cart.tenders
        .filter((l) => l.kind === 'store_credit' && l.reference === ref)
        .reduce((sum, l) => sum + l.cents, 0);
    return {
      reference: ref,
      issued: fromCents(issued),
      spent: fromCents(spent),
      balance: fromCents(issued - spent),
      chain_wide: false,
    };
  }

  /** Pays `amount` of the sale with a credit note, at most what it holds. */
  private tenderStoreCredit(amount: string, reference: string): void {
    this.needShift();
    const cents = this.amount(amount, true);
    const balance = this.storeCredit(reference);
    if (cents > this.amount(balance.balance, true)) {
      this.fail(
        'credit_short',
        `${balance.reference} contient ${balance.balance} : prenez-en au plus autant, et le reste autrement.`,
        `${balance.reference} holds ${balance.balance}: take at most that from it, and the rest another way`,
      );
    }
    this.needLines();
    const t = this.totals();
    this.needNoRefund(t);
    if (this.nothingDue(t, cents)) return;
    if (cents === 0)
      this.fail('invalid_amount', 'Montant invalide : « 0 ».', 'Invalid amount: "0".');
    if (cents > t.remaining) {
      this.fail(
        'tender_exceeds_due',
        `Le montant dépasse le reste à payer (${fromCents(t.remaining)}).`,
        `The amount is more than what remains due (${fromCents(t.remaining)}).`,
      );
    }
    this.cart.tenders.push({ kind: 'store_credit', cents, reference: balance.reference });
    if (cents === t.remaining) this.commit(0, 0);
  }

  private tenderCard(amount: string, reference: string): void {
    this.needLines();
    const t = this.totals();
    this.needNoRefund(t);
    const cents = this.amount(amount, t.due === 0 && this.cart.tenders.length === 0);
    if (this.nothingDue(t, cents)) return;
    if (cents > t.remaining) {
      this.fail(
        'tender_exceeds_due',
        `Le montant dépasse le reste à payer (${fromCents(t.remaining)}).`,
        `The amount is more than what remains due (${fromCents(t.remaining)}).`,
      );
    }
    if (!reference.trim()) {
      this.fail(
        'card_reference_required',
        'Entrez le numéro d’autorisation imprimé par le terminal.',
        'Enter the approval number the terminal printed.',
      );
    }
    this.cart.tenders.push({ kind: 'card', cents, reference: reference.trim() });
    if (cents === t.remaining) this.commit(0, 0);
  }

  private commit(change: number, rounding: number): void {
    this.record(
      this.cart.tenders.map((l) => ({ kind: l.kind, cents: l.cents, reference: l.reference })),
      change,
      rounding,
    );
  }

  /** Records the cart (a sale, a return or an exchange) with its legs, prints it, clears it. */
  private record(legs: Recorded['tenders'], change: number, rounding: number): void {
    const t = this.totals();
    const shift = this.shift!;
    this.saleCount += 1;
    const receiptNo = `MTL01-${String(this.saleCount).padStart(6, '0')}`;
    const returns = this.cart.returns;
    const kind = returns.length === 0 ? 'sale' : t.lines.length === 0 ? 'return' : 'exchange';
    shift.sales += 1;
    shift.gross += t.total + (kind === 'sale' ? rounding : 0);
    for (const tax of t.taxes.filter((x) => !x.exempt)) {
      const s = shift.taxes.get(tax.code) ?? { rate: tax.rate, base: 0, amount: 0 };
      s.base += tax.base;
      s.amount += tax.amount;
      shift.taxes.set(tax.code, s);
    }
    // Change comes out of the first cash leg, so the drawer keeps what the sale was worth.
    let owed = change;
    for (const leg of legs) {
      const kept = leg.kind === 'cash' ? leg.cents - owed : leg.cents;
      if (leg.kind === 'cash') {
        owed = 0;
        shift.cashKept += kept;
      }
      const s = shift.tenders.get(leg.kind) ?? { count: 0, amount: 0 };
      s.count += 1;
      s.amount += kept;
      shift.tenders.set(leg.kind, s);
    }
    const job = this.print('receipt', this.receipt(receiptNo, t, legs, change, rounding, kind));
    this.ledger.push({
      kind,
      receipt_no: receiptNo,
      recorded_at: this.stamp(),
      total: t.due,
      lines: soldLines(t),
      returns,
      tenders: legs,
      change,
      cash_rounding: rounding,
    });
    this.lastSale = {
      receipt_no: receiptNo,
      total: fromCents(t.due),
      cash_rounding: fromCents(rounding),
      change: fromCents(change),
      print_job: job.id,
      kind,
      refund: returns.length ? fromCents(t.refund) : null,
      tenders: legs.map((l) => ({
        kind: l.kind,
        amount: fromCents(l.cents),
        reference: l.reference,
      })),
    };
    if (legs.some((l) => l.kind === 'cash')) this.drawer = 'open';
    this.cart = emptyCart();
  }

  // Drawer, reports.

  private paid(kind: 'paid_in' | 'paid_out', amount: string, reason: string): void {
    this.need(kind);
    const cents = this.amount(amount, false);
    this.needReason(reason);
    if (kind === 'paid_in') this.shift!.paidIn += cents;
    else this.shift!.paidOut += cents;
    this.drawer = 'open';
    const title =
      kind === 'paid_in'
        ? this.say('ENTRÉE DE FONDS', 'PAID IN')
        : this.say('SORTIE DE FONDS', 'PAID OUT');
    this.print('slip', [
      big(title, 'center'),
      text(''),
      text(pair(reason, fromCents(cents))),
      text(this.footer()),
    ]);
  }

  private noSale(reason: string): void {
    this.need('no_sale');
    this.needReason(reason);
    this.shift!.noSales += 1;
    this.drawer = 'open';
  }

  private reportX(): void {
    const shift = this.shift!;
    this.report = this.buildReport('x', shift.number, null);
    this.print('report', this.reportLines(this.report));
  }

  private closeShift(counted: string): void {
    if (this.cart.lines.length > 0) {
      this.fail(
        'cart_not_empty',
        'Terminez, mettez en attente ou annulez la vente en cours avant de fermer le quart.',
        'Finish, park or void the current sale before closing the shift.',
      );
    }
    const cents = this.amount(counted, true);
    this.zCount += 1;
    this.report = this.buildReport('z', this.zCount, cents);
    this.print('report', this.reportLines(this.report));
    this.shift = null;
  }

  private buildReport(kind: 'x' | 'z', number: number, counted: number | null): Report {
    const s = this.shift!;
    const expected = s.float + s.cashKept + s.paidIn - s.paidOut;
    return {
      kind,
      number,
      shift: s.number,
      opened_at: s.openedAt,
      closed_at: kind === 'z' ? this.stamp() : null,
      sales_count: s.sales,
      gross: fromCents(s.gross),
      taxes: [...s.taxes.entries()].map(([code, x]) => ({
        code,
        label: TAXES.find((tax) => tax.code === code)?.[this.lang] ?? code,
        rate: x.rate,
        base: fromCents(x.base),
        amount: fromCents(x.amount),
      })),
      tenders: [...s.tenders.entries()].map(([kind, x]) => ({
        kind,
        count: x.count,
        amount: fromCents(x.amount),
      })),
      voids: s.voids,
      no_sales: s.noSales,
      cash: {
        float: fromCents(s.float),
        cash_sales: fromCents(s.cashKept),
        paid_in: fromCents(s.paidIn),
        paid_out: fromCents(s.paidOut),
        expected: fromCents(expected),
        counted: counted === null ? null : fromCents(counted),
        difference: counted === null ? null : fromCents(counted - expected),
      },
      unsynced_sales: this.sync.state === 'not_enrolled' ? null : this.sync.pending,
    };
  }

  // Printing.

  private print(kind: Job['kind'], lines: PreviewLine[]): Job {
    const job = { id: `job-${this.jobs.length + 1}`, kind, lines: [...lines, cut()] };
    this.jobs.push(job);
    if (this.printer !== 'ok') {
      this.pending += 1;
      this.notice = {
        level: 'warn',
        code: this.printerCode(),
        message: this.printerMessage()!,
        offer: 'reprint',
      };
    }
    return job;
  }

  /** As the backend's: what never printed goes first; with nothing waiting, a COPY of the last. */
  private reprint(): void {
    const last = [...this.jobs].reverse().find((j) => j.kind === 'receipt');
    if (!last && this.pending === 0) {
      this.fail('nothing_to_reprint', 'Rien à réimprimer.', 'Nothing to reprint.');
    }
    if (this.printer !== 'ok') {
      this.fail(this.printerCode(), this.printerMessage()!, this.printerMessage()!);
    }
    if (this.pending > 0) {
      this.pending = 0;
      return;
    }
    this.print('receipt', [
      big(this.say('*** COPIE ***', '*** COPY ***'), 'center'),
      ...last!.lines.slice(0, -1),
    ]);
  }

  private previewOf(id: string | null): Preview {
    const job = id
      ? this.jobs.find((j) => j.id === id)
      : [...this.jobs].reverse().find((j) => j.kind === 'receipt');
    if (!job) this.fail('nothing_to_reprint', 'Aucun reçu imprimé.', 'No receipt printed yet.');
    return structuredClone({ job: job.id, lines: job.lines });
  }

  private receipt(
    no: string,
    t: Totals,
    legs: Recorded['tenders'],
    change: number,
    rounding: number,
    kind: Recorded['kind'],
  ): PreviewLine[] {
    const out = [
      big('Comptoir Montréal', 'center'),
      text('Marché Jean-Talon (démo)', 'center'),
      text('7070 av. Henri-Julien, Montréal QC', 'center'),
      text(`${this.say('TPS', 'GST')} 123456789 RT0001`, 'center'),
      text(`${this.say('TVQ', 'QST')} 1234567890 TQ0001`, 'center'),
      text('-'.repeat(WIDTH)),
    ];
    if (kind !== 'sale') {
      out.push(
        big(
          kind === 'return' ? this.say('RETOUR', 'RETURN') : this.say('ÉCHANGE', 'EXCHANGE'),
          'center',
        ),
      );
      out.push(bold(this.say('RETOURNÉ', 'RETURNED')));
      for (const r of this.cart.returns) {
        out.push(text(pair(r.name, `-${fromCents(r.refund)}  `)));
        const from = r.original
          ? `${this.say('de', 'from')} ${r.original.receipt_no}`
          : this.say('sans reçu', 'no receipt');
        const what =
          r.disposition === 'write_off'
            ? this.say('mis au rebut', 'written off')
            : this.say('remis en stock', 'restocked');
        out.push(text(`  ${showQty(r.qty)} × ${r.unit_price} · ${from}`), text(`  ${what}`));
      }
      out.push(text('-'.repeat(WIDTH)));
    }
    for (const { line: l, gross, discounts } of t.lines) {
      const flag = l.item.tax_class === 'standard' ? ' T' : '  ';
      out.push(text(pair(this.nameOf(l.item), fromCents(gross) + flag)));
      if (l.qty !== 1000) out.push(text(`  ${showQty(l.qty)} × ${l.item.price}`));
      if (l.override?.shelf) {
        out.push(
          text(`  ${this.say('Prix modifié, était', 'Price override, was')} ${l.override.shelf}`),
        );
      }
      for (const d of discounts) {
        const label =
          d.kind === 'order' ? this.say('Rabais sur la commande', 'Order discount') : d.label;
        out.push(text(pair(`  ${label}`, `-${fromCents(d.amount)}  `)));
      }
    }
    out.push(
      text('-'.repeat(WIDTH)),
      text(pair(this.say('Sous-total', 'Subtotal'), fromCents(t.subtotal) + '  ')),
    );
    if (t.gross !== t.subtotal) {
      const saved = fromCents(t.gross - t.subtotal);
      out.push(text(pair(this.say('Vous économisez', 'You saved'), saved + '  ')));
    }
    for (const tax of t.taxes) {
      const label = TAXES.find((x) => x.code === tax.code)![this.lang];
      const exempt = tax.exempt ? ` ${this.say('exonérée', 'exempt')}` : '';
      const amount = tax.exempt ? `(${fromCents(tax.amount)})` : fromCents(tax.amount);
      out.push(
        text(pair(`${label} ${tax.rate} %${exempt} / ${fromCents(tax.base)}`, amount + '  ')),
      );
    }
    const e = this.cart.exemption;
    if (e) {
      out.push(
        text(
          `${this.say('Exonération de taxe, certificat', 'Tax exemption, certificate')} ${e.certificate}`,
        ),
      );
    }
    if (kind !== 'sale') {
      out.push(text(pair(this.say('Retourné', 'Returned'), `-${fromCents(t.refund)}  `)));
    }
    out.push(
      bold(
        pair(t.due < 0 ? this.say('REMBOURSEMENT', 'REFUND') : 'TOTAL', fromCents(t.due) + '  '),
      ),
    );
    for (const leg of legs) {
      const name =
        leg.kind === 'cash'
          ? this.say('Comptant', 'Cash')
          : leg.kind === 'card'
            ? this.say('Carte', 'Card')
            : this.say('Crédit magasin', 'Store credit');
      out.push(
        text(pair(name + (leg.reference ? ` ${leg.reference}` : ''), fromCents(leg.cents) + '  ')),
      );
    }
    if (rounding !== 0)
      out.push(text(pair(this.say('Arrondi', 'Rounding'), fromCents(rounding) + '  ')));
    if (change > 0) out.push(bold(pair(this.say('Monnaie', 'Change'), fromCents(change) + '  ')));
    out.push(
      text('-'.repeat(WIDTH)),
      text(`${this.say('Reçu', 'Receipt')} ${no}`),
      text(this.footer()),
    );
    out.push({
      text: no,
      align: 'center',
      bold: false,
      big: false,
      wide: false,
      tall: false,
      kind: 'barcode',
    });
    out.push(text(this.say('Merci et à bientôt!', 'Thank you!'), 'center'));
    return out;
  }

  private reportLines(r: Report): PreviewLine[] {
    const title =
      r.kind === 'x' ? this.say('RAPPORT X', 'X REPORT') : this.say('RAPPORT Z', 'Z REPORT');
    const out = [
      big(`${title} ${r.number}`, 'center'),
      text(`${this.say('Quart', 'Shift')} ${r.shift}`, 'center'),
    ];
    out.push(
      text(pair(this.say('Ventes', 'Sales'), String(r.sales_count))),
      text(pair(this.say('Brut', 'Gross'), r.gross)),
    );
    for (const tax of r.taxes) out.push(text(pair(`${tax.label} ${tax.rate} %`, tax.amount)));
    for (const tender of r.tenders) out.push(text(pair(tender.kind, tender.amount)));
    out.push(bold(pair(this.say('Attendu', 'Expected'), r.cash.expected)));
    if (r.cash.counted !== null) {
      out.push(text(pair(this.say('Compté', 'Counted'), r.cash.counted)));
      out.push(bold(pair(this.say('Écart', 'Difference'), r.cash.difference ?? '')));
    }
    out.push(text(this.footer()));
    return out;
  }

  private footer(): string {
    const d = new Date(this.now()).toISOString().slice(0, 16).replace('T', ' ');
    return `${this.say('Caisse', 'Register')} 1  ${this.cashier?.name ?? ''}  ${d}`;
  }

  private printerCode(): string {
    return this.printer === 'out_of_paper'
      ? 'printer_out_of_paper'
      : this.printer === 'cover_open'
        ? 'printer_cover_open'
        : 'printer_offline';
  }

  private printerMessage(): string | null {
    switch (this.printer) {
      case 'ok':
        return null;
      case 'out_of_paper':
        return this.say(
          'Plus de papier : chargez un rouleau, puis Réimprimer.',
          'Printer out of paper: load a roll, then Reprint.',
        );
      case 'cover_open':
        return this.say(
          'Capot de l’imprimante ouvert : refermez-le, puis Réimprimer.',
          'Printer cover open: close it, then Reprint.',
        );
      default:
        return this.say(
          'Imprimante hors ligne : vérifiez le câble et l’alimentation, puis Réimprimer.',
          'Printer offline: check its cable and power, then Reprint.',
        );
    }
  }

  // The View.

  /** Prices the cart as the core does: line discounts, the order's shared, taxes on the nets. */
  private totals(cart: Cart = this.cart): Totals {
    const lines: PricedLine[] = cart.lines.map((l) => {
      const gross = lineAmount(l);
      return { line: l, gross, discounts: [], net: gross };
    });
    // Promotions first: a coupon's spend threshold, shared over the lines by largest remainder.
    const promotions: Totals['promotions'] = [];
    for (const c of COUPONS.filter((x) => cart.coupons.includes(x.code))) {
      const nets = lines.map((l) => Math.max(l.net, 0));
      const spend = nets.reduce((a, b) => a + b, 0);
      if (spend === 0 || spend < c.minSpend) continue;
      const saving = Math.min(c.off, spend);
      const label = c[this.lang];
      allocate(saving, nets).forEach((share, i) => take(lines[i]!, 'promotion', label, share));
      promotions.push({ id: c.id, code: c.code, label, saving });
    }
    for (const priced of lines) {
      const d = priced.line.discount;
      if (d) take(priced, 'line', d.reason, off(d, priced.net));
    }
    if (cart.orderDiscount) {
      const o = cart.orderDiscount;
      const nets = lines.map((l) => Math.max(l.net, 0));
      const shares = allocate(
        off(
          o,
          nets.reduce((a, b) => a + b, 0),
        ),
        nets,
      );
      lines.forEach((l, i) => take(l, 'order', o.reason, shares[i]!));
    }
    const gross = lines.reduce((sum, l) => sum + l.gross, 0);
    const subtotal = lines.reduce((sum, l) => sum + l.net, 0);
    const taxable = lines
      .filter((l) => l.line.item.tax_class === 'standard')
      .reduce((sum, l) => sum + l.net, 0);
    const exemption = cart.exemption ?? null;
    const taxes =
      taxable === 0
        ? []
        : TAXES.map((x) => ({
            code: x.code,
            rate: x.rate,
            base: taxable,
            amount: Math.floor((taxable * x.perHundredThousand + 50_000) / 100_000),
            exempt:
              exemption !== null &&
              (exemption.taxes.length === 0 || exemption.taxes.includes(x.code)),
          }));
    const total = subtotal + taxes.filter((x) => !x.exempt).reduce((sum, x) => sum + x.amount, 0);
    // Every leg but cash is exact: a card's, a credit note's.
    const card = cart.tenders.filter((l) => l.kind !== 'cash').reduce((s, l) => s + l.cents, 0);
    const cash = cart.tenders.filter((l) => l.kind === 'cash').reduce((s, l) => s + l.cents, 0);
    const paid = card + cash;
    const refund = cart.returns.reduce((sum, r) => sum + r.refund, 0);
    const due = total - refund;
    return {
      lines,
      gross,
      subtotal,
      taxes,
      total,
      paid,
      remaining: Math.max(due - paid, 0),
      // Cash is rounded once, on what cards leave to pay.
      cashRemaining: Math.max(roundCash(due - card) - cash, 0),
      refund,
      due,
      promotions,
    };
  }

  private view(): View {
    const t = this.totals();
    const card = this.cart.tenders
      .filter((l) => l.kind !== 'cash')
      .reduce((s, l) => s + l.cents, 0);
    const screen = this.locked
      ? 'locked'
      : !this.cashier
        ? 'sign_in'
        : !this.shift
          ? 'open_shift'
          : this.cart.tenders.length > 0
            ? 'tender'
            : 'sale';
    const view: View = {
      stock: this.cart.lines.length > 0 ? this.stock : null,
      store: { code: 'montreal', name: STORE_NAME, currency: 'CAD', lang: this.lang },
      register: { id: 'reg-1', number: 1 },
      screen,
      locked_by: this.locked ? this.lockedBy : null,
      cashier: this.cashier
        ? { id: this.cashier.id, name: this.cashier.name, role: this.cashier.role }
        : null,
      shift: this.shift
        ? {
            number: this.shift.number,
            opened_at: this.shift.openedAt,
            float: fromCents(this.shift.float),
          }
        : null,
      cart: {
        lines: t.lines.map(({ line: l, gross, discounts, net }) => ({
          line: l.line,
          sku: l.item.sku,
          barcode: l.item.barcode,
          name: this.nameOf(l.item),
          qty: showQty(l.qty),
          unit_price: l.item.price,
          amount: fromCents(gross),
          tax_class: l.item.tax_class,
          open_price: l.open,
          adjustments: {
            gross: fromCents(gross),
            discounts: discounts.map((d) => ({
              kind: d.kind,
              promotion:
                d.kind === 'promotion'
                  ? (COUPONS.find((c) => c[this.lang] === d.label)?.id ?? null)
                  : null,
              label: d.label,
              amount: fromCents(d.amount),
            })),
            net: fromCents(net),
            saved: fromCents(gross - net),
            line_discount: l.discount
              ? { rule: l.discount.rule, value: l.discount.value, reason: l.discount.reason }
              : null,
            price_override: l.override
              ? { shelf_price: l.override.shelf, reason: l.override.reason }
              : null,
          },
        })),
        multiplier: this.cart.multiplier === null ? null : showQty(this.cart.multiplier),
        subtotal: fromCents(t.subtotal),
        taxes: t.taxes.map((x) => ({
          code: x.code,
          label: TAXES.find((tax) => tax.code === x.code)![this.lang],
          rate: x.rate,
          base: fromCents(x.base),
          amount: fromCents(x.amount),
          included: false,
          exempt: x.exempt,
        })),
        total: fromCents(t.total),
        cash_total: fromCents(roundCash(t.due - card)),
        paid: fromCents(t.paid),
        remaining: fromCents(t.remaining),
        cash_remaining: fromCents(t.cashRemaining),
        tenders: this.cart.tenders.map((x) => ({
          kind: x.kind,
          amount: fromCents(x.cents),
          reference: x.reference,
        })),
        last_line: this.cart.lastLine,
        adjustments: this.adjustments(t),
        returns: this.cart.returns.map((r) => returnView(r)),
        refund: fromCents(t.refund),
        due: fromCents(t.due),
        savings: fromCents(t.gross - t.subtotal),
        promotions: t.promotions.map((x) => ({
          id: x.id,
          label: x.label,
          times: 1,
          saving: fromCents(x.saving),
        })),
        coupons: this.cart.coupons.map((code) => ({
          code,
          applied: t.promotions.some((x) => x.code === code),
          label: COUPONS.find((c) => c.code === code)?.[this.lang] ?? null,
        })),
        customer: null,
      },
      last_sale: this.lastSale,
      parked: this.parked.map((x) => ({
        id: x.id,
        lines: x.cart.lines.length,
        total: fromCents(this.totals(x.cart).total),
        parked_at: x.at,
      })),
      printer: {
        state: this.printer,
        kind: 'virtual',
        pending_jobs: this.pending,
        message: this.printerMessage(),
      },
      drawer: { state: this.drawer },
      notice: this.notice,
      price_check: this.priceCheck,
      search_results: this.results,
      report: this.report,
      permissions: this.cashier ? [...this.cashier.permissions] : [],
      scanner: { burst_max_gap_ms: 35, burst_min_len: 6 },
      tax_classes: ['standard', 'zero_rated'],
      sync: this.sync,
      languages: ['fr', 'en'],
    };
    return structuredClone(view);
  }

  private adjustments(t: Totals): NonNullable<View['cart']['adjustments']> {
    const o = this.cart.orderDiscount ?? null;
    const e = this.cart.exemption ?? null;
    const taken = t.lines
      .flatMap((l) => l.discounts)
      .filter((d) => d.kind === 'order')
      .reduce((sum, d) => sum + d.amount, 0);
    return {
      gross: fromCents(t.gross),
      savings: fromCents(t.gross - t.subtotal),
      order_discount: o
        ? { rule: o.rule, value: o.value, reason: o.reason, amount: fromCents(taken) }
        : null,
      exemption: e
        ? {
            certificate: e.certificate,
            taxes: TAXES.filter((x) => e.taxes.length === 0 || e.taxes.includes(x.code)).map(
              (x) => x.code,
            ),
          }
        : null,
      exemptible: TAXES.map((x) => ({ code: x.code, label: x[this.lang] })),
    };
  }

  private item(x: Product): Item {
    return {
      sku: x.sku,
      barcode: x.barcode,
      name: this.nameOf(x),
      price: x.price,
      tax_class: x.tax_class,
    };
  }

  private nameOf(x: { name: string; name_fr: string | null }): string {
    return this.lang === 'fr' && x.name_fr ? x.name_fr : x.name;
  }

  // Checks and parsing.

  private needCashier(): void {
    if (!this.cashier) {
      this.fail('not_signed_in', 'Entrez votre NIP pour continuer.', 'Enter your PIN to go on.');
    }
  }

  private needShift(): void {
    if (!this.shift)
      this.fail('no_shift', 'Ouvrez un quart avant de vendre.', 'Open a shift before selling.');
  }

  private needLines(): void {
    if (this.cart.lines.length === 0 && this.cart.returns.length === 0)
      this.fail('cart_empty', 'Le panier est vide.', 'The cart is empty.');
  }

  private needOpenCart(): void {
    if (this.cart.tenders.length > 0) {
      this.fail(
        'tender_in_progress',
        'Le paiement est commencé : terminez-le, ou annulez la vente.',
        'Payment has started: finish it, or void the cart.',
      );
    }
  }

  private need(permission: string): void {
    if (!this.can(permission)) {
      this.fail(
        'permission_denied',
        'Cette opération demande un gérant : verrouillez (F12) et faites entrer son NIP.',
        'This needs a manager: lock (F12) and have them enter their PIN.',
      );
    }
  }

  private can(permission: string): boolean {
    return this.cashier?.permissions.includes(permission) ?? false;
  }

  private needReason(reason: string): void {
    if (!reason.trim()) this.fail('reason_required', 'Indiquez un motif.', 'Enter a reason.');
  }

  private line(lineNo: number): CartLine {
    const line = this.cart.lines.find((l) => l.line === lineNo);
    if (!line) this.fail('no_such_line', `Pas de ligne ${lineNo}.`, `No line ${lineNo}.`);
    return line;
  }

  private amount(s: string, zeroOk: boolean): number {
    const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(s.trim());
    const cents = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : NaN;
    if (!m || (!zeroOk && cents === 0)) {
      this.fail('invalid_amount', `Montant invalide : « ${s} ».`, `Invalid amount: "${s}".`);
    }
    return cents;
  }

  private qty(s: string): number {
    const m = /^(\d{1,4})(?:\.(\d{1,3}))?$/.exec(s.trim());
    const milli = m ? Number(m[1]) * 1000 + Number((m[2] ?? '').padEnd(3, '0')) : 0;
    if (!m || milli === 0) {
      this.fail(
        'invalid_quantity',
        `Quantité invalide : « ${s} ». Pour retirer la ligne, utilisez Suppr.`,
        `Invalid quantity: "${s}". To remove the line, use Del.`,
      );
    }
    return milli;
  }

  private say(fr: string, en: string): string {
    return this.lang === 'fr' ? fr : en;
  }

  private fail(code: string, fr: string, en: string): never {
    throw new Failure({ code, message: this.say(fr, en) });
  }

  // Devices: the setup screen's commands and the card terminal (docs/ipc.md "Devices").

  private async device(command: string, a: Args): Promise<unknown> {
    const known = [
      'device_setup',
      'set_setting',
      'print_test_page',
      'test_drawer',
      'read_scan',
      'read_scale',
      'terminal_action',
      'pay_by_card',
      'abort_card_payment',
      'recover_card_payments',
      'card_status',
    ];
    if (!known.includes(command)) return undefined;
    this.deviceCalls.push({ command, args: structuredClone(a) });
    switch (command) {
      case 'device_setup':
        this.needDeviceSetup();
        return this.setupView();
      case 'set_setting':
        this.needDeviceSetup();
        this.setSetting(str(a.key), str(a.value));
        return this.setupView();
      case 'print_test_page':
        return this.printTestPage();
      case 'test_drawer':
        this.needDeviceSetup();
        this.drawer = 'open';
        this.emit();
        return true;
      case 'read_scan':
        return this.readScan();
      case 'read_scale':
        this.needDeviceSetup();
        if (this.setting('scale') === 'none') this.noDevice();
        return '0.350';
      case 'terminal_action':
        return this.terminalAction(str(a.action));
      case 'pay_by_card':
        return this.payByCard(str(a.amount));
      case 'abort_card_payment':
        this.aborted = true;
        this.release?.();
        return this.terminalSet();
      case 'recover_card_payments':
        return this.recoverCards();
      case 'card_status':
        return {
          terminal: this.terminalSet(),
          unsettled: this.unsettled.map((u) => this.cardRequest(u)),
        } satisfies CardStatus;
    }
    return undefined;
  }

  private needDeviceSetup(): void {
    if (!this.cashier) this.fail('not_signed_in', 'Connectez-vous d’abord.', 'Sign in first.');
    if (!this.can('device_setup'))
      this.fail(
        'permission_denied',
        'Il faut un gérant pour tester ou régler les périphériques.',
        'A manager is needed to test or set up the register’s devices.',
      );
  }

  private setting(key: string): string {
    return this.settings.get(key) ?? DEVICE_SETTINGS.find(([k]) => k === key)?.[1] ?? '';
  }

  private setupView(): DeviceSetup {
    const settings: SettingView[] = DEVICE_SETTINGS.map(([key, shipped]) => {
      const saved = this.settings.get(key);
      // The display's welcome is in the register's language until one is set.
      const def = key === 'display.idle' ? this.say('Bienvenue', 'Welcome') : shipped;
      const secret = key === 'terminal.password';
      const value = secret ? (saved !== undefined ? '(set)' : '') : (saved ?? def);
      return { key, value, default: def, secret, saved: saved !== undefined };
    });
    return structuredClone({ plugged: this.plugged, settings, terminal: this.terminalSet() });
  }

  /** The register's checks (`printing::check_setting`), with its messages. */
  private setSetting(key: string, value: string): void {
    const v = value.trim();
    const bad = (message: string) => {
      throw new Failure({ code: 'invalid_setting', message });
    };
    const number = (min: number, max: number) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < min || n > max)
        bad(`${key} is a whole number from ${min} to ${max}`);
    };
    const port = (what: string) => {
      if (v !== '' && v !== 'none' && !/^serial:\/dev\/\S+/.test(v))
        bad(`${what} ${JSON.stringify(v)}: use none or serial:/dev/PORT`);
    };
    switch (key) {
      case 'printer':
        if (
          !/^(virtual|none|usb:[0-9a-f]{4}:[0-9a-f]{4}(:\S+)?|serial:\/dev\/\S+|tcp:\/\/\S+|file:\S+)$/.test(
            v,
          )
        )
          bad(
            `printer ${JSON.stringify(v)}: use virtual, usb:VID:PID[:SERIAL], serial:/dev/PORT or tcp://HOST:PORT`,
          );
        break;
      case 'printer.profile':
        if (!this.plugged.profiles.includes(v))
          bad(
            `printer profile ${JSON.stringify(v)}: unknown; known: ${this.plugged.profiles.join(', ')}`,
          );
        break;
      case 'drawer.pin':
        if (v !== '2' && v !== '5') bad('drawer.pin is 2 or 5 (the drawer’s connector pin)');
        break;
      case 'drawer.on_ms':
      case 'drawer.off_ms':
        number(2, 510);
        break;
      case 'scanner.burst_max_gap_ms':
        number(5, 500);
        break;
      case 'scanner.burst_min_len':
        number(3, 64);
        break;
      case 'scanner':
      case 'scale':
        port(key);
        break;
      case 'display':
        if (v !== 'printer') port(key);
        break;
      case 'display.idle':
        if ([...v].length > 40) bad('display.idle is at most 40 characters (2 x 20)');
        break;
      case 'terminal':
        if (v !== '' && v !== 'none' && !/^zvt\+(tcp:\/\/\S+|serial:\/dev\/\S+)$/.test(v))
          bad(
            `terminal ${JSON.stringify(v)}: the protocol is zvt; use none, zvt+tcp://HOST[:PORT] or zvt+serial:/dev/ttyS0@9600`,
          );
        break;
      case 'terminal.password':
        if (!/^\d{6}$/.test(v)) bad('terminal.password is the terminal’s password: 6 digits');
        break;
      default:
        throw new Failure({ code: 'unknown_setting', message: `${key}: not a device setting` });
    }
    this.settings.set(key, v);
  }

  private printTestPage(): PrintedTestPage {
    this.needDeviceSetup();
    const printer = this.setting('printer');
    const profile = this.setting('printer.profile');
    const lines = [
      big('Comptoir test page', 'center'),
      text('montreal register 1', 'center'),
      text(this.stamp(), 'center'),
      text('-'.repeat(48)),
      text(`Printer${' '.repeat(41 - printer.length)}${printer}`),
      text(`Profile${' '.repeat(41 - profile.length)}${profile}`),
      text('Français : àâæçéèêëîïôœùûüÿ ÀÂÇÉÈÊËÎÏÔŒÙÛÜ'),
      text('Deutsch : äöüß ÄÖÜ'),
      text('Money : € £ ¥ ¢ $'),
      { ...text('COMPTOIR-TEST', 'center'), kind: 'barcode' },
      { ...text('[QR https://comptoir.invalid/test-page]', 'center'), kind: 'qr' },
    ];
    const job = this.print('test_page', lines);
    const error = this.printer === 'ok' ? null : this.printerMessage();
    return structuredClone({
      page: { job: job.id, printer, profile, printed: error === null, error },
      preview: { job: job.id, lines: job.lines },
    });
  }

  private noDevice(): never {
    this.fail('no_device', 'Aucun appareil n’est réglé.', 'No device is set.');
  }

  private readScan(): ScanRead {
    this.needDeviceSetup();
    if (this.setting('scanner') === 'none')
      this.fail(
        'no_device',
        'Aucun scanner série n’est réglé (un scanner clavier tape dans l’écran de vente).',
        'no serial scanner is set (a keyboard-wedge scanner types into the sale screen)',
      );
    return {
      aim: ']E0',
      symbology: 'EAN-13 / UPC-A / UPC-E',
      data: '0064200116473',
      action: 'ring_item',
      meaning: 'item 0064200116473',
      fields: [],
    };
  }

  private terminalSet(): boolean {
    const t = this.setting('terminal');
    return t !== '' && t !== 'none';
  }

  private needTerminal(): void {
    if (!this.terminalSet())
      this.fail(
        'no_terminal',
        'Aucun terminal de paiement n’est réglé.',
        'No card terminal is set up.',
      );
  }

  /** The terminal shows its texts one by one, as the register pushes them. */
  private async show(texts: string[]): Promise<void> {
    for (const t of texts) {
      for (const l of this.events.get('terminal-progress') ?? []) l(t);
      await Promise.resolve();
    }
  }

  /**
   * A refund to the original tenders with a terminal set goes back to the card on the terminal
   * first: its texts, a hold, an abort (then nothing is recorded).
   */
  private async refundOnTerminal(to: string): Promise<void> {
    if (to !== 'original' || !this.terminalSet()) return;
    if (!this.cart.returns.some((r) => r.original)) return;
    this.aborted = false;
    await this.show(this.script.texts);
    if (this.script.hold) {
      await new Promise<void>((resolve) => (this.release = resolve));
      this.release = null;
    }
    if (this.aborted || this.script.result === 'declined') {
      this.fail(
        'card_refund_declined',
        'Le terminal n’a pas remboursé la carte : rien n’y est retourné et le retour n’est pas encore enregistré. Remboursez en comptant (avec l’accord d’un gérant) ou en crédit magasin.',
        'The terminal did not refund the card: nothing went back to it and the return is not recorded yet. Refund in cash (a manager approves it) or on store credit.',
      );
    }
  }

  private async terminalAction(action: string): Promise<AdminResult> {
    this.needDeviceSetup();
    this.needTerminal();
    if (!['diagnosis', 'status', 'end_of_day'].includes(action))
      this.fail(
        'invalid_input',
        `action ${action}`,
        `terminal action ${JSON.stringify(action)}: diagnosis, status or end_of_day`,
      );
    const answers: Record<string, { texts: string[]; receipt: string[] }> = {
      diagnosis: {
        texts: ['Diagnose', 'Bitte warten'],
        receipt: ['DIAGNOSE', 'Terminal-ID 52500038', 'OK'],
      },
      status: { texts: ['Statusabfrage'], receipt: [] },
      end_of_day: {
        texts: ['Kassenschnitt', 'Bitte warten'],
        receipt: ['KASSENSCHNITT', `Summe: EUR ${fromCents(this.cardDayTotal).replace('.', ',')}`],
      },
    };
    const answer = answers[action]!;
    await this.show(answer.texts);
    if (this.script.result === 'offline') this.offline();
    if (action === 'end_of_day') this.cardDayTotal = 0;
    return {
      action,
      result: 'card_approved',
      message: 'done',
      software: 'GT800-SIM 1.0',
      receipt: answer.receipt,
    };
  }

  private offline(): never {
    this.fail(
      'terminal_offline',
      'Le terminal ne répond pas : vérifiez son câble et son réseau, puis réessayez.',
      'The card terminal does not answer: check its cable and network, then try again.',
    );
  }

  private cardRequest(u: { id: string; cents: number }): CardRequest {
    return {
      id: u.id,
      kind: 'payment',
      amount: fromCents(u.cents),
      state: 'pending',
      reference: null,
    };
  }

  private async payByCard(amount: string): Promise<View> {
    this.needTerminal();
    if (this.unsettled.length) this.pendingFailure(this.unsettled[0]!.cents);
    this.needLines();
    const t = this.totals();
    this.needNoRefund(t);
    const cents = this.amount(amount, false);
    if (cents > t.remaining) {
      this.fail(
        'tender_exceeds_due',
        `Le montant dépasse le reste à payer (${fromCents(t.remaining)}).`,
        `The amount is more than what remains due (${fromCents(t.remaining)}).`,
      );
    }
    this.aborted = false;
    this.cardPayments += 1;
    const id = `card-${this.cardPayments}`;
    const script = this.script;
    await this.show(script.texts);
    if (script.hold) {
      await new Promise<void>((resolve) => (this.release = resolve));
      this.release = null;
    }
    if (this.aborted) {
      await this.show(['Abbruch']);
      this.fail(
        'card_aborted',
        'Paiement annulé sur le terminal : rien n’a été débité. Reprenez le paiement ou un autre mode.',
        'Payment aborted on the terminal: nothing was charged. Take the payment again or another way.',
      );
    }
    switch (script.result) {
      case 'approved':
        this.tenderCard(fromCents(cents), this.cardReference());
        this.cardDayTotal += cents;
        return this.view();
      case 'declined':
        return this.fail(
          'card_declined',
          'Carte refusée : demandez une autre carte ou un autre mode de paiement.',
          'Card declined: ask for another card or another way to pay.',
        );
      case 'pending':
        this.unsettled.push({ id, cents });
        return this.pendingFailure(cents);
      case 'offline':
        return this.offline();
    }
  }

  private cardReference(): string {
    return `TID 52500038 RCPT ${String(this.cardPayments).padStart(4, '0')}`;
  }

  private pendingFailure(cents: number): never {
    this.fail(
      'card_payment_pending',
      `La réponse du terminal pour ${fromCents(cents)} s’est perdue : demandez au terminal avant toute autre chose.`,
      `The terminal’s answer for ${fromCents(cents)} was lost: ask the terminal before anything else.`,
    );
  }

  private async recoverCards(): Promise<Recovery> {
    this.needTerminal();
    await this.show(['Letzte Transaktion']);
    const recovered: Recovered[] = [];
    const still: { id: string; cents: number }[] = [];
    for (const u of this.unsettled) {
      const outcome = this.recoverAs;
      if (outcome === 'pending') still.push(u);
      recovered.push({ id: u.id, amount: fromCents(u.cents), outcome, message: null });
    }
    this.unsettled = still;
    for (const r of recovered) {
      if (r.outcome === 'approved') this.tenderCard(r.amount, this.cardReference());
    }
    return { recovered, view: this.view() };
  }

  /** Now, as the backend writes it: RFC 3339 on the store's wall clock (Montréal, winter). */
  private stamp(): string {
    const offsetMin = -5 * 60;
    const local = new Date(this.now() + offsetMin * 60_000).toISOString().slice(0, 19);
    return `${local}-05:00`;
  }
}

function lookup(code: string): Product | undefined {
  const c = code.trim();
  return PRODUCTS.find((x) => (x.barcode !== null && x.barcode === c) || x.sku === c);
}

function emptyCart(): Cart {
  return {
    lines: [],
    multiplier: null,
    tenders: [],
    nextLine: 1,
    lastLine: null,
    returns: [],
    coupons: [],
  };
}

/** A returned line as the View carries it (comptoir-app's `ReturnLine`). */
function returnView(r: Returned): ReturnLine {
  return {
    line: r.line,
    ...(r.original ? { original: { ...r.original } } : {}),
    sku: r.sku,
    name: r.name,
    qty: showQty(r.qty),
    unit_price: r.unit_price,
    net: fromCents(r.net),
    taxes: r.taxes.map((x) => ({ code: x.code, rate: x.rate, amount: fromCents(x.amount) })),
    refund: fromCents(r.refund),
    tax_class: r.tax_class,
    kind: 'item',
    disposition: r.disposition,
    reason: r.reason,
    approved_by: r.approved_by,
  };
}

/** Each line's net and its share of each tax, by largest remainder on the taxable nets. */
function soldLines(t: Totals): SoldLine[] {
  const taxable = t.lines.map((l) => (l.line.item.tax_class === 'standard' ? l.net : 0));
  const shares = t.taxes.map((x) =>
    x.exempt ? taxable.map(() => 0) : allocate(x.amount, taxable),
  );
  return t.lines.map((l, i) => ({
    line: l.line.line,
    sku: l.line.item.sku,
    name: l.line.item.name,
    qty: l.line.qty,
    unit_price: l.line.item.price,
    net: l.net,
    taxes:
      l.line.item.tax_class === 'standard'
        ? t.taxes.map((x, k) => ({ code: x.code, rate: x.rate, amount: shares[k]![i]! }))
        : [],
    tax_class: l.line.item.tax_class,
  }));
}

/** `a / b` rounded half up, for non-negative amounts. */
function halfUp(a: number, b: number): number {
  return Math.floor((2 * a + b) / (2 * b));
}

/** What a line cost the customer: its net and its added taxes. */
function paidOf(net: number, taxes: { amount: number }[]): number {
  return net + taxes.reduce((sum, x) => sum + x.amount, 0);
}

/** A refund all in cash, rounded like a sale (12.37 back is 12.35, +0.02 of rounding). */
function openCashPlan(amount: number): {
  legs: { kind: 'cash'; cents: number; reference: null }[];
  rounding: number;
  left: number;
} {
  const out = roundCash(amount);
  return {
    legs: [{ kind: 'cash', cents: -out, reference: null }],
    rounding: amount - out,
    left: 0,
  };
}

function lineAmount(l: CartLine): number {
  const price = Number(l.item.price.replace('.', ''));
  return Math.floor((price * l.qty + 500) / 1000);
}

/** Canada's cash rounding: to the nearest 0.05. */
function roundCash(cents: number): number {
  return Math.round(cents / 5) * 5;
}

function fromCents(c: number): string {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

function showQty(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : (milli / 1000).toFixed(3);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function opt(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Accent- and case-insensitive search key. */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/œ/gi, 'oe').toLowerCase();
}

function text(s: string, align: PreviewLine['align'] = 'left'): PreviewLine {
  return { text: s, align, bold: false, big: false, wide: false, tall: false, kind: 'text' };
}

function bold(s: string): PreviewLine {
  return { text: s, align: 'left', bold: true, big: false, wide: false, tall: false, kind: 'text' };
}

function big(s: string, align: PreviewLine['align']): PreviewLine {
  return { text: s, align, bold: true, big: true, wide: true, tall: true, kind: 'text' };
}

function cut(): PreviewLine {
  return {
    text: '',
    align: 'left',
    bold: false,
    big: false,
    wide: false,
    tall: false,
    kind: 'cut',
  };
}

function pair(left: string, right: string): string {
  const room = WIDTH - right.length - 1;
  const l = left.length > room ? left.slice(0, room) : left;
  return l + ' '.repeat(WIDTH - l.length - right.length) + right;
}

/** What a discount takes off `base`: a percent rounded half up, an amount capped at the base. */
function off(d: { rule: DiscountRule; value: string }, base: number): number {
  if (base <= 0) return 0;
  if (d.rule === 'amount') return Math.min(Number(d.value.replace('.', '')), base);
  const milli = Math.round(Number(d.value) * 1000);
  return Math.min(Math.floor((base * milli + 50_000) / 100_000), base);
}

/** Whether a discount is over `limit` percent of `base`. */
function overLimit(d: { rule: DiscountRule; value: string }, base: number, limit: number): boolean {
  if (d.rule === 'percent') return Number(d.value) > limit;
  if (base <= 0) return 100 > limit;
  return Number(d.value.replace('.', '')) * 100 > limit * base;
}

/** Takes a discount off a line's net, at most what is left; a zero discount is not kept. */
function take(
  l: PricedLine,
  kind: 'promotion' | 'line' | 'order',
  label: string,
  amount: number,
): void {
  const a = Math.min(Math.max(amount, 0), l.net);
  if (a === 0) return;
  l.net -= a;
  l.discounts.push({ kind, label, amount: a });
}

/** Splits `amount` in proportion to `weights` by largest remainder; ties go to the earlier. */
export function allocate(amount: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (total === 0)
    return allocate(
      amount,
      weights.map(() => 1),
    );
  const parts = weights.map((w) => Math.floor((amount * w) / total));
  const order = weights
    .map((w, i) => ({ r: (amount * w) % total, i }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  let left = amount - parts.reduce((a, b) => a + b, 0);
  for (const { i } of order) {
    if (left === 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}
