//! The register's domain: money, catalog, cart, promotions, taxes, tenders and shift arithmetic.
//!
//! Nothing here does IO, reads a clock or draws a random number: time and ids come in as
//! arguments, so replaying yesterday's sales gives yesterday's totals.
//!
//! # Terms
//!
//! - **store**: a shop with one currency, one time zone and one tax regime.
//! - **register**: one till in a store; it owns its ledger.
//! - **item**: something the catalog sells, found by SKU or barcode.
//! - **cart**: the lines being rung up; it becomes a **sale** when it is paid.
//! - **line**: one item and a quantity in a cart or sale.
//! - **promotion**: a rule from the server that lowers the price of some units or of a spend;
//!   one use of it on particular units is an **application** (see [`promo`]).
//! - **tender**: one payment leg of a sale (cash, card on an external terminal).
//! - **discount**: money taken off a line before tax: a promotion's, the cashier's on a line,
//!   or the line's share of the order discount.
//! - **price override**: a line sold at another price than the shelf's, approved by a manager.
//! - **exemption**: a customer who does not pay some tax, on a recorded certificate.
//! - **return**: lines of an earlier sale brought back; each refunds what was paid for it.
//! - **refund**: money given back, leg by leg (cash rounded like a sale; cards to the cent).
//! - **exchange**: returned lines and new lines in one transaction; the difference is paid
//!   or given back.
//! - **cash rounding**: the adjustment of the cash part of a sale to the smallest coin.
//! - **shift**: a cashier's session at a register from the counted float to the cash-up.
//! - **ledger entry**: an immutable fact the register records (a sale, a paid-out, a drawer
//!   opening); see the store crate.

pub mod cart;
pub mod catalog;
pub mod discount;
pub mod gtin;
pub mod money;
pub mod promo;
pub mod refund;
pub mod shift;
pub mod tax;
pub mod tender;
pub mod text;

pub use cart::{Cart, CartError, Line, LineId, PricedCart, PricedLine};
pub use catalog::{Catalog, Item, ItemKind, Sku};
pub use money::{Currency, Money, MoneyError, RoundingMode};
pub use tax::{TaxClass, TaxLine, TaxRegime, TaxRounding};
pub use tender::{Settlement, Tender, TenderError};
