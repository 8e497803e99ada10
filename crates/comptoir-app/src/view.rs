//! The screen state the UI renders, as JSON (see `docs/ipc.md`). Built fresh after every
//! command from the register's state; the UI keeps no business state of its own.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct View {
    pub store: StoreView,
    pub register: RegisterView,
    pub screen: &'static str,
    pub cashier: Option<CashierView>,
    /// The cashier who locked the screen, while it is locked.
    pub locked_by: Option<String>,
    pub shift: Option<ShiftView>,
    pub cart: CartView,
    pub last_sale: Option<LastSaleView>,
    pub parked: Vec<ParkedView>,
    pub printer: PrinterView,
    pub drawer: DrawerView,
    pub notice: Option<Notice>,
    pub price_check: Option<ItemView>,
    pub search_results: Vec<ItemView>,
    pub report: Option<ReportView>,
    pub permissions: Vec<&'static str>,
    pub scanner: ScannerView,
    pub tax_classes: Vec<String>,
    pub languages: Vec<String>,
    /// The link to the central server: online or not, what waits, the last success.
    pub sync: crate::sync::SyncView,
    /// The stock of the item just scanned, as the server last told it (absent before the
    /// first pull).
    pub stock: Option<StockView>,
}

/// A SKU's on-hand in this store as the server last told it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StockView {
    pub sku: String,
    pub on_hand: String,
    /// When the register last heard it from the server (the register's clock).
    pub as_of: String,
    /// How old that is, by the register's clock.
    pub age_minutes: Option<i64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StoreView {
    pub code: String,
    pub name: String,
    pub currency: String,
    pub lang: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegisterView {
    pub id: String,
    pub number: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct CashierView {
    pub id: String,
    pub name: String,
    pub role: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ShiftView {
    pub number: i64,
    pub opened_at: String,
    pub float: String,
}

#[derive(Clone, Debug, Serialize, Default)]
pub struct CartView {
    pub lines: Vec<LineView>,
    pub multiplier: Option<String>,
    pub subtotal: String,
    pub taxes: Vec<TaxView>,
    pub total: String,
    pub cash_total: String,
    pub paid: String,
    pub remaining: String,
    pub cash_remaining: String,
    pub tenders: Vec<TenderView>,
    pub last_line: Option<u32>,
    /// Lines brought back (a return or an exchange), as the entry will record them.
    pub returns: Vec<crate::entry::ReturnLine>,
    /// What the returned lines give back.
    pub refund: String,
    /// What the customer owes: `total` less `refund`; negative when money is to give back.
    pub due: String,
    /// What every discount together takes off (promotions, the cashier's line and order
    /// discounts): the receipt's "You saved"; `"0.00"` when none.
    pub savings: String,
    /// The promotions the cart gets, by id.
    pub promotions: Vec<PromotionView>,
    /// The coupons entered, each `applied` or entered and not yet applied.
    pub coupons: Vec<crate::promotions::CouponState>,
    /// The id of the customer attached to the sale (an identified member), if any.
    pub customer: Option<String>,
    /// False when part of the cart was too large to search exactly and was priced greedily
    /// (the promotions are still deterministic, maybe not the best).
    pub promotions_exact: bool,
    /// The cashier's order discount, the savings and the tax exemption.
    pub adjustments: CartAdjustments,
}

/// A promotion applied to the cart.
#[derive(Clone, Debug, Serialize)]
pub struct PromotionView {
    pub id: String,
    pub label: String,
    /// How many times it applied (a "2 for 5.00" on four units: 2).
    pub times: u32,
    pub saving: String,
}

/// A discount on a line: a promotion's, the cashier's on the line, or its share of the
/// order discount.
#[derive(Clone, Debug, Serialize)]
pub struct LineDiscountView {
    /// `promotion`, `line` or `order`.
    pub kind: &'static str,
    /// The promotion's id, for a promotion.
    pub promotion: Option<String>,
    pub label: String,
    /// The amount off, positive.
    pub amount: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LineView {
    pub line: u32,
    pub sku: String,
    pub barcode: Option<String>,
    pub name: String,
    pub qty: String,
    pub unit_price: String,
    pub amount: String,
    pub tax_class: String,
    pub open_price: bool,
    /// The discounts on the line, in the order they were taken off.
    pub discounts: Vec<LineDiscountView>,
    /// `amount` less the discounts.
    pub net: String,
    /// What discounts and a price override did to this line.
    pub adjustments: LineAdjustments,
}

#[derive(Clone, Debug, Serialize)]
pub struct TaxView {
    pub code: String,
    pub label: String,
    /// The rate in percent: `"9.975"`.
    pub rate: String,
    pub base: String,
    pub amount: String,
    pub included: bool,
    /// The customer's exemption covers this tax: it is not charged (an included one is taken
    /// off what they pay).
    pub exempt: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TenderView {
    pub kind: &'static str,
    pub amount: String,
    pub reference: Option<String>,
    /// A recorded card leg the integrated terminal took (paid or refunded on it, its slip
    /// kept); absent otherwise, so a refund leg without it is run on the terminal by hand.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub on_terminal: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct LastSaleView {
    pub receipt_no: String,
    pub total: String,
    pub cash_rounding: String,
    pub change: String,
    pub print_job: Option<String>,
    /// `sale`, `return` or `exchange`.
    pub kind: String,
    /// What its returned lines gave back, for a return or an exchange.
    pub refund: Option<String>,
    /// Its legs as recorded: a refund's are negative (a credit note's with its `CR-…`).
    pub tenders: Vec<TenderView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParkedView {
    pub id: i64,
    pub lines: usize,
    pub total: String,
    pub parked_at: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrinterView {
    pub state: &'static str,
    pub kind: String,
    pub pending_jobs: usize,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DrawerView {
    pub state: &'static str,
}

#[derive(Clone, Debug, Serialize)]
pub struct Notice {
    pub level: &'static str,
    pub code: &'static str,
    pub message: String,
    pub offer: Option<&'static str>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemView {
    pub sku: String,
    pub barcode: Option<String>,
    pub name: String,
    pub price: Option<String>,
    pub tax_class: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ScannerView {
    pub burst_max_gap_ms: u32,
    pub burst_min_len: u32,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReportView {
    pub kind: &'static str,
    /// The Z number, or the shift number for an X report.
    pub number: i64,
    pub shift: i64,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub sales_count: u64,
    pub gross: String,
    /// Returns and exchanges, and what their returned lines gave back.
    pub returns_count: u64,
    pub refunds: String,
    /// The cash rounding of the returns and exchanges that gave money back, apart from
    /// `gross` and `refunds`: `gross - refunds + refunds_rounding` is what the tenders took.
    pub refunds_rounding: String,
    pub taxes: Vec<ReportTax>,
    pub tenders: Vec<ReportTender>,
    pub voids: u64,
    pub no_sales: u64,
    pub cash: ReportCash,
    /// The shift's sales the central server has not acknowledged yet (they stay on the
    /// register and go when it can reach the server); `None` for a register not enrolled.
    pub unsynced_sales: Option<u64>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReportTax {
    pub code: String,
    pub label: String,
    pub rate: String,
    pub base: String,
    pub amount: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReportTender {
    pub kind: String,
    pub count: u64,
    pub amount: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReportCash {
    pub float: String,
    pub cash_sales: String,
    pub paid_in: String,
    pub paid_out: String,
    pub cash_refunds: String,
    pub expected: String,
    pub counted: Option<String>,
    pub difference: Option<String>,
}

/// What a receipt preview shows: the printed lines, decoded from the stored job bytes.
#[derive(Clone, Debug, Serialize)]
pub struct PreviewView {
    pub job: String,
    pub lines: Vec<PreviewLineView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PreviewLineView {
    pub text: String,
    pub align: &'static str,
    pub bold: bool,
    /// Printed at double width or height (`big` is either, `wide` and `tall` each).
    pub big: bool,
    pub wide: bool,
    pub tall: bool,
    pub kind: &'static str,
}

// Discounts, price overrides and the tax exemption (docs/ipc.md, "Discounts, price overrides
// and tax exemption"). Kept in `adjustments` fields of their own, apart from the promotions'
// and coupons' fields.

/// A line's discounts and price override, as pricing decided them.
#[derive(Clone, Debug, Serialize, Default)]
pub struct LineAdjustments {
    /// The line's amount before any discount (the same as `amount`).
    pub gross: String,
    /// Every discount on the line (promotions', the cashier's, its share of the order
    /// discount), in the order they were taken off; a discount that took nothing is left out.
    pub discounts: Vec<DiscountView>,
    /// `gross` less `discounts`: what the line's taxes are computed on.
    pub net: String,
    /// The sum of `discounts`.
    pub saved: String,
    /// The cashier's discount on this line as given, even when it takes nothing off.
    pub line_discount: Option<ManualDiscountView>,
    /// The line is sold at another price than the shelf's, approved by a manager.
    pub price_override: Option<PriceOverrideView>,
}

/// One discount on one line.
#[derive(Clone, Debug, Serialize)]
pub struct DiscountView {
    /// `promotion`, `line` (the cashier's discount on the line) or `order` (its share of the
    /// order discount).
    pub kind: &'static str,
    /// The promotion's id, for a promotion's discount.
    pub promotion: Option<String>,
    /// The promotion's name, or the reason the cashier gave.
    pub label: String,
    pub amount: String,
}

/// A discount the cashier gave, as keyed.
#[derive(Clone, Debug, Serialize)]
pub struct ManualDiscountView {
    /// `percent` or `amount`.
    pub rule: &'static str,
    /// `"10"` (percent) or `"2.50"` (money).
    pub value: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PriceOverrideView {
    /// The catalog's price (`null` for an open-price item).
    pub shelf_price: Option<String>,
    pub reason: String,
}

/// The cart's savings, order discount and tax exemption.
#[derive(Clone, Debug, Serialize, Default)]
pub struct CartAdjustments {
    /// The sum of the lines' amounts before discounts.
    pub gross: String,
    /// What every discount together saved: `gross - subtotal`.
    pub savings: String,
    pub order_discount: Option<OrderDiscountView>,
    pub exemption: Option<ExemptionView>,
    /// The store's taxes, which an exemption names.
    pub exemptible: Vec<TaxNameView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderDiscountView {
    /// `percent` or `amount`.
    pub rule: &'static str,
    pub value: String,
    pub reason: String,
    /// What it took off, shared over the lines (each line's `order` discount).
    pub amount: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExemptionView {
    pub certificate: String,
    /// The codes of the taxes it covers (every tax of the store when it named none).
    pub taxes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TaxNameView {
    pub code: String,
    pub label: String,
}
