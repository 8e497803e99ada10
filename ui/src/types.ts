//! The wire shapes of docs/ipc.md, as the UI reads them. The UI renders only from a `View`.

export type Lang = 'fr' | 'en';
export type Money = string;
export type Qty = string;
export type Screen = 'sign_in' | 'open_shift' | 'sale' | 'tender' | 'locked';
/** The store's tax classes are listed in `view.tax_classes`; these two are the Canadian ones. */
export type TaxClass = 'standard' | 'zero_rated' | string;
export type PrinterState = 'ok' | 'offline' | 'out_of_paper' | 'cover_open';
export type DrawerState = 'closed' | 'open' | 'unknown';
export type SyncState =
  'not_enrolled' | 'starting' | 'not_running' | 'online' | 'offline' | 'refused';

/** The link to the central server (docs/ipc.md, `sync`). */
export interface SyncView {
  state: SyncState;
  server: string | null;
  /** Ledger entries the server has not acknowledged. */
  pending: number;
  last_success_at: string | null;
  last_error: { code: string; message: string; at: string } | null;
  rejected: number;
  /** The register's clock minus the server's, in seconds, when the server found it off. */
  clock_skew_seconds?: number | null;
}
export type NoticeLevel = 'info' | 'warn' | 'error';
export type TenderKind = 'cash' | 'card';

export interface Line {
  line: number;
  sku: string;
  barcode: string | null;
  name: string;
  qty: Qty;
  unit_price: Money;
  amount: Money;
  tax_class: TaxClass;
  /** In docs/ipc.md ("GQ"); the Rust backend does not send it yet. */
  tax_flags?: string;
  open_price?: boolean;
  /** What discounts and a price override did to the line (docs/ipc.md, `adjustments`). */
  adjustments?: LineAdjustments;
}

/** `percent` of what is left, or an `amount` off. */
export type DiscountRule = 'percent' | 'amount';

/** One discount on one line: a promotion's, the cashier's, or its share of the order's. */
export interface LineDiscount {
  kind: 'promotion' | 'line' | 'order' | string;
  promotion: string | null;
  /** The promotion's name, or the reason the cashier gave. */
  label: string;
  amount: Money;
}

export interface LineAdjustments {
  gross: Money;
  discounts: LineDiscount[];
  net: Money;
  saved: Money;
  /** The cashier's discount on this line as given. */
  line_discount: { rule: DiscountRule; value: string; reason: string } | null;
  /** Another price than the shelf's, approved by a manager; `unit_price` is the new one. */
  price_override: { shelf_price: Money | null; reason: string } | null;
}

export interface CartAdjustments {
  gross: Money;
  /** What every discount saved: `gross - subtotal`. */
  savings: Money;
  order_discount: { rule: DiscountRule; value: string; reason: string; amount: Money } | null;
  /** The customer's exemption, and the codes of the taxes it covers. */
  exemption: { certificate: string; taxes: string[] } | null;
  /** The store's taxes, for the exemption dialog. */
  exemptible: { code: string; label: string }[];
}

export interface Tax {
  code: string;
  label: string;
  rate: string;
  base: Money;
  amount: Money;
  /** True where the tax is included in the prices (VAT): shown as "incl.", not added. */
  included?: boolean;
  /** The customer's exemption covers it: not charged. */
  exempt?: boolean;
}

export interface Tender {
  kind: TenderKind | string;
  amount: Money;
  reference?: string | null;
  /** A recorded card leg the integrated terminal took (paid or refunded on it). */
  on_terminal?: boolean;
}

/** What a credit note holds (`store_credit`; not a View). */
export interface CreditBalance {
  reference: string;
  /** What refunds put on it. */
  issued: Money;
  /** What sales took off it, the cart in progress included. */
  spent: Money;
  balance: Money;
  /** Whether the server's entries were counted (false: this register's only). */
  chain_wide: boolean;
}

/** A line brought back into the cart (a return or an exchange): amounts are positive. */
export interface ReturnLine {
  /** Numbered from 1001, apart from the new lines. */
  line: number;
  /** The sale it came from; absent for a return without a receipt. */
  original?: { receipt_no: string; line: number; entry?: string | null } | null;
  sku: string;
  name: string;
  qty: Qty;
  unit_price: Money;
  net: Money;
  taxes: { code: string; rate: string; amount: Money; exempt?: boolean }[];
  /** What goes back to the customer for this line. */
  refund: Money;
  tax_class: string;
  kind: string;
  disposition: 'restock' | 'write_off' | string;
  reason: string;
  approved_by?: string | null;
}

/** A coupon entered for the sale: `applied` once a promotion it unlocks is on the cart. */
export interface Coupon {
  code: string;
  applied: boolean;
  /** The promotion it unlocks, in the cashier's language, when the register says. */
  label?: string | null;
}

export interface CartPromotion {
  id: string;
  label: string;
  times: number;
  saving: Money;
}

/** A tender of a recorded sale, as the ledger stores it (`find_sale`). */
export type SaleTender =
  | { kind: 'cash'; tendered: Money }
  | { kind: 'external_card' | 'on_account' | 'store_credit'; amount: Money; reference: string };

/** A line of a sale found for a return (`find_sale`). */
export interface ReturnableLine {
  line: number;
  sku: string;
  name: string;
  qty: Qty;
  /** What is left to return, earlier returns and the cart's own counted. */
  returnable: Qty;
  /** What the customer paid for the whole line. */
  paid: Money;
}

/** What `find_sale` answers (not a View). */
export interface SaleForReturn {
  receipt_no: string;
  recorded_at: string;
  total: Money;
  lines: ReturnableLine[];
  tenders: SaleTender[];
  /** The store that sold it, when another register's sale came from the server. */
  sold_in: string | null;
}

export interface Cart {
  lines: Line[];
  multiplier: Qty | null;
  subtotal: Money;
  taxes: Tax[];
  total: Money;
  cash_total: Money;
  paid: Money;
  remaining: Money;
  tenders: Tender[];
  /** The cash still due once earlier legs are paid, rounded as the store rounds cash. */
  cash_remaining?: Money;
  /** The line the last command added or changed. */
  last_line?: number | null;
  /** Savings, the order discount and the tax exemption (docs/ipc.md, `adjustments`). */
  adjustments?: CartAdjustments;
  /** Lines brought back from earlier sales or without a receipt. */
  returns?: ReturnLine[];
  /** What the returned lines give back. */
  refund?: Money;
  /** `total` less `refund`: negative when money is to give back. */
  due?: Money;
  savings?: Money;
  promotions?: CartPromotion[];
  coupons?: Coupon[];
  customer?: string | null;
}

/** An item of the catalog, as `price_check` and `search` return it. */
export interface Item {
  sku: string;
  barcode: string | null;
  name: string;
  /** Null for an item sold at an open price. */
  price: Money | null;
  tax_class: TaxClass;
}

export interface ReportTax {
  code: string;
  label: string;
  rate: string;
  base: Money;
  amount: Money;
}

/** `view.report`: an X or Z report (docs/ipc.md, "The report"). */
export interface Report {
  kind: 'x' | 'z';
  number: number;
  shift: number;
  opened_at: string;
  closed_at: string | null;
  sales_count: number;
  gross: Money;
  /** Returns and exchanges, what their returned lines gave back, and those refunds' cash rounding. */
  returns_count?: number;
  refunds?: Money;
  refunds_rounding?: Money;
  taxes: ReportTax[];
  tenders: { kind: string; count: number; amount: Money }[];
  voids: number;
  no_sales: number;
  cash: {
    float: Money;
    cash_sales: Money;
    paid_in: Money;
    paid_out: Money;
    cash_refunds?: Money;
    expected: Money;
    counted: Money | null;
    difference: Money | null;
  };
  /** The shift's sales the central server has not acknowledged; null when not enrolled. */
  unsynced_sales?: number | null;
}

/** One printed line of a receipt preview, decoded from the job's ESC/POS bytes. */
export interface PreviewLine {
  text: string;
  align: 'left' | 'center' | 'right';
  bold: boolean;
  big: boolean;
  wide: boolean;
  tall: boolean;
  kind: 'text' | 'barcode' | 'qr' | 'cut' | 'image' | 'symbol' | string;
}

/** What `receipt_preview` answers (not a View). */
export interface Preview {
  job: string;
  lines: PreviewLine[];
}

export interface View {
  store: { code: string; name: string; currency: string; lang: Lang };
  register: { id: string; number: number };
  screen: Screen;
  cashier: { id: string; name: string; role: string } | null;
  /** Who locked the screen, while it is locked. */
  locked_by: string | null;
  shift: { number: number; opened_at: string; float: Money } | null;
  cart: Cart;
  last_sale: {
    receipt_no: string;
    total: Money;
    cash_rounding: Money;
    change: Money;
    /** The receipt's print job, for `receipt_preview`. */
    print_job?: string | null;
    /** `sale`, `return` or `exchange`. */
    kind?: string;
    /** What the returned lines gave back, for a return or an exchange. */
    refund?: Money | null;
    /** The legs as recorded: negative for money given back (a refund). */
    tenders?: Tender[];
  } | null;
  parked: { id: number; lines: number; total: Money; parked_at: string }[];
  printer: { state: PrinterState; pending_jobs: number; message: string | null; kind?: string };
  drawer: { state: DrawerState };
  notice: { level: NoticeLevel; code: string; message: string; offer?: string | null } | null;
  price_check: Item | null;
  search_results: Item[];
  report: Report | null;
  permissions: string[];
  scanner: { burst_max_gap_ms: number; burst_min_len: number };
  /** The store's tax classes, for the open-price dialog. */
  tax_classes?: string[];
  /** The store's languages, for the language toggle. */
  languages?: string[];
  sync?: SyncView;
  /** The stock of the item just scanned, as the server last told it. */
  stock?: StockView | null;
}

/** A SKU's on-hand in this store as the server last told it, and how old that is. */
export interface StockView {
  sku: string;
  on_hand: string;
  as_of: string;
  age_minutes: number | null;
}

/** A rejected command. The UI branches on `code` only; `message` is shown as it is. */
export interface IpcError {
  code: string;
  message: string;
}

// Devices (issue 5): the setup screen and the card terminal (docs/ipc.md "Devices").

/** One device setting: saved or default; a secret shows as `(set)` or empty. */
export interface SettingView {
  key: string;
  value: string;
  default: string;
  secret: boolean;
  saved: boolean;
}

export interface PortInfo {
  path: string;
  bus: string;
  vendor_id: string | null;
  product_id: string | null;
  serial_number: string | null;
  manufacturer: string | null;
  product: string | null;
}

export interface UsbDevice {
  vendor_id: string;
  product_id: string;
  manufacturer: string | null;
  product: string | null;
  serial_number: string | null;
  /** A printer-class device: the `printer` setting that uses it. */
  printer_setting: string | null;
}

export interface Plugged {
  serial_ports: PortInfo[];
  usb: UsbDevice[];
  problems: string[];
  profiles: string[];
}

/** What `device_setup` and `set_setting` answer. */
export interface DeviceSetup {
  plugged: Plugged;
  settings: SettingView[];
  terminal: boolean;
}

export interface TestPage {
  job: string;
  printer: string;
  profile: string;
  printed: boolean;
  error: string | null;
}

/** What `print_test_page` answers: the page, and the decoded preview of the bytes sent. */
export interface PrintedTestPage {
  page: TestPage;
  preview: Preview;
}

export interface ScanRead {
  aim: string | null;
  /** The barcode's kind by name (`EAN-13 / UPC-A / UPC-E`), when the scanner sent an AIM id. */
  symbology: string | null;
  data: string;
  action: string;
  /** What the scan is, in words: `item 0064200116473`. */
  meaning: string;
  /** Each GS1 element by its title, or an in-store label's item, lookup barcode and value. */
  fields: ScanField[];
}

export interface ScanField {
  ai: string | null;
  name: string;
  value: string;
}

/** A terminal's answer to diagnosis, status or end of day. */
export interface AdminResult {
  action: string;
  result: string;
  message: string;
  software: string | null;
  receipt: string[];
}

/** A card payment whose outcome the register does not know yet. */
export interface CardRequest {
  id: string;
  kind: string;
  amount: string;
  state: string;
  reference: string | null;
}

export interface CardStatus {
  terminal: boolean;
  unsettled: CardRequest[];
}

export interface Recovered {
  id: string;
  amount: string;
  outcome: 'approved' | 'reversed' | 'not_charged' | 'pending';
  message: string | null;
}

export interface Recovery {
  recovered: Recovered[];
  view: View;
}
