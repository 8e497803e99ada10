//! The ledger entries' payloads, version 1: the register's facts as JSON.
//!
//! This is a wire format (the sync server will read it), so it is written on purpose: money
//! as decimal strings in the store's currency, quantities as decimal strings, and a `v` field.
//! A later version adds fields; it never changes the meaning of one.
//!
//! Version 2 adds discounts, price overrides, tax exemptions and returns: a sale line's
//! `amount` is still unit price × quantity, and `net` (absent in version 1, where it equals
//! `amount`) is what remains after the line's discounts. The same payload records a sale, a
//! return (no `lines`, only `returns`) and an exchange (both), under the entry kinds `sale`,
//! `return` and `exchange`; the total of a return is negative and its tenders hand money out.

use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 2;

/// The kinds of entry, as stored in the ledger's `kind` column.
pub mod kind {
    pub const SHIFT_OPENED: &str = "shift_opened";
    pub const SALE: &str = "sale";
    pub const CART_VOIDED: &str = "cart_voided";
    pub const PAID_IN: &str = "paid_in";
    pub const PAID_OUT: &str = "paid_out";
    pub const NO_SALE: &str = "no_sale";
    pub const SHIFT_CLOSED: &str = "shift_closed";
    pub const STOCK_ADJUSTMENT: &str = "stock_adjustment";
    pub const RECEIPT_REPRINTED: &str = "receipt_reprinted";
    /// Lines of earlier sales brought back (the `Sale` payload, with only `returns`).
    pub const RETURN: &str = "return";
    /// Returned lines and new lines in one transaction (the `Sale` payload, with both).
    pub const EXCHANGE: &str = "exchange";
    /// A manager approved another price on a line (audited even if the cart is voided).
    pub const PRICE_OVERRIDDEN: &str = "price_overridden";

    /// The kinds whose payload is a [`super::Sale`].
    pub fn is_sale_like(kind: &str) -> bool {
        matches!(kind, SALE | RETURN | EXCHANGE)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ShiftOpened {
    pub v: u32,
    pub shift_no: i64,
    pub cashier_id: String,
    pub float: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sale {
    pub v: u32,
    pub receipt_no: String,
    /// `None` for a replayed sale that belongs to no shift.
    pub shift_no: Option<i64>,
    pub cashier_id: String,
    pub currency: String,
    pub prices_include_tax: bool,
    pub lines: Vec<SaleLine>,
    pub subtotal: String,
    pub taxes: Vec<SaleTax>,
    /// The amount due before cash rounding.
    pub total: String,
    pub cash_rounding: String,
    pub tenders: Vec<SaleTender>,
    pub change: String,
    /// Where the sale came from: `register` or `replay`.
    pub source: String,
    /// The invoice it replays, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Lines brought back from earlier sales (returns and exchanges).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returns: Vec<ReturnLine>,
    /// What the returned lines give back (positive): `total` is what the new lines cost with
    /// their taxes, less this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<String>,
    /// The cashier's discount on the whole order; each line carries its share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_discount: Option<OrderDiscount>,
    /// The customer's tax exemption, if any: the taxes marked `exempt` were not charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<SaleExemption>,
    /// Coupons entered at the till.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
    /// The manager who approved a refund in cash of what a card paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrderDiscount {
    /// `percent` or `amount`.
    pub rule: String,
    /// The percentage (`10`) or the amount (`5.00`) as entered.
    pub value: String,
    pub amount: String,
    pub reason: String,
    pub by: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SaleExemption {
    pub certificate: String,
    /// Tax codes; empty means every tax.
    pub taxes: Vec<String>,
}

/// One discount on a sale line.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LineDiscount {
    /// `promotion`, `line` or `order`.
    pub kind: String,
    /// The promotion's id, for a promotion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub label: String,
    pub amount: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PriceOverride {
    /// The catalog's price, absent for an open-price item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf_price: Option<String>,
    pub approved_by: String,
    pub reason: String,
}

/// Where a returned line was sold.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OriginalLine {
    pub receipt_no: String,
    pub line: u32,
    /// The original sale's entry id (`register/epoch/seq`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// A line brought back. Amounts are positive: what is given back.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReturnLine {
    pub line: u32,
    /// The sale it comes from; absent for a return without a receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<OriginalLine>,
    pub sku: String,
    pub name: String,
    pub qty: String,
    /// The price it was sold at (or, without a receipt, the price the store's policy gives).
    pub unit_price: String,
    /// The net amount refunded (after the original's discounts).
    pub net: String,
    /// The stored tax shares refunded, at the original's rates.
    pub taxes: Vec<LineTax>,
    /// What goes back to the customer for this line: `net` with the taxes they paid.
    pub refund: String,
    pub tax_class: String,
    pub kind: String,
    /// `restock` (back on the shelf) or `write_off` (damaged).
    pub disposition: String,
    /// Why it came back, as the cashier said.
    pub reason: String,
    /// For a return without a receipt, where its price came from: the store policy's
    /// `lowest_recent` or `current`, or `invoice` for a replayed cancellation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

/// A manager's approval of another price on a line.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PriceOverridden {
    pub v: u32,
    pub shift_no: Option<i64>,
    pub cashier_id: String,
    pub approved_by: String,
    pub sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf_price: Option<String>,
    pub price: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SaleLine {
    pub line: u32,
    pub sku: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    pub name: String,
    pub qty: String,
    pub unit_price: String,
    pub amount: String,
    pub tax_class: String,
    pub kind: String,
    pub open_price: bool,
    /// This line's share of each tax, as stored for a later return.
    pub taxes: Vec<LineTax>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<LineDiscount>,
    /// `amount` less the discounts; absent when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_override: Option<PriceOverride>,
}

impl SaleLine {
    /// The line's amount after its discounts.
    pub fn net(&self) -> &str {
        self.net.as_deref().unwrap_or(&self.amount)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LineTax {
    pub code: String,
    pub rate: String,
    pub amount: String,
    /// The customer was exempt from this tax (see [`SaleTax::exempt`]).
    #[serde(default, skip_serializing_if = "is_false")]
    pub exempt: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SaleTax {
    pub code: String,
    pub rate: String,
    pub base: String,
    pub amount: String,
    pub included: bool,
    /// The customer is exempt: an added tax was not charged, an included one was taken off.
    #[serde(default, skip_serializing_if = "is_false")]
    pub exempt: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SaleTender {
    Cash {
        tendered: String,
    },
    ExternalCard {
        amount: String,
        reference: String,
        /// What an integrated terminal answered; none when the cashier typed the reference of
        /// a standalone terminal.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        terminal: Option<CardSlip>,
    },
    OnAccount {
        amount: String,
        reference: String,
    },
    /// A credit note: negative when the store issues it (a refund), positive when the
    /// customer spends one.
    StoreCredit {
        amount: String,
        reference: String,
    },
}

/// A card payment as an integrated terminal reported it: the card's brand, its number masked
/// to the last four digits, the terminal, and the terminal's receipt lines (printed on the
/// register's receipt). Never a full card number (`card::check_slip`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CardSlip {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked_pan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipt: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CartVoided {
    pub v: u32,
    pub shift_no: i64,
    pub cashier_id: String,
    pub reason: String,
    pub lines: u32,
    pub total: String,
}

/// A paid-in, a paid-out, or a drawer opened without a sale.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DrawerMovement {
    pub v: u32,
    pub shift_no: i64,
    pub cashier_id: String,
    pub amount: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ShiftClosed {
    pub v: u32,
    pub shift_no: i64,
    pub z_no: i64,
    pub cashier_id: String,
    pub expected: String,
    pub counted: String,
    pub difference: String,
    /// The ledger position the shift closes on: everything up to it belongs to the shift.
    pub up_to_seq: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StockAdjustment {
    pub v: u32,
    pub reference: String,
    pub reason: String,
    pub lines: Vec<StockLine>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StockLine {
    pub sku: String,
    pub name: String,
    /// The change in on-hand stock: negative when goods leave.
    pub delta: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReceiptReprinted {
    pub v: u32,
    pub receipt_no: String,
    pub cashier_id: String,
}
