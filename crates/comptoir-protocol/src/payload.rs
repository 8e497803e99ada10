//! The ledger entries' payloads, version 1: the register's facts as JSON.
//!
//! This is a wire format (the sync server will read it), so it is written on purpose: money
//! as decimal strings in the store's currency, quantities as decimal strings, and a `v` field.
//! A later version adds fields; it never changes the meaning of one.

use serde::{Deserialize, Serialize};

pub const VERSION: u32 = 1;

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
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ShiftOpened {
    pub v: u32,
    pub shift_no: i64,
    pub cashier_id: String,
    pub float: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
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
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
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
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LineTax {
    pub code: String,
    pub rate: String,
    pub amount: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SaleTax {
    pub code: String,
    pub rate: String,
    pub base: String,
    pub amount: String,
    pub included: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SaleTender {
    Cash { tendered: String },
    ExternalCard { amount: String, reference: String },
    OnAccount { amount: String, reference: String },
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
