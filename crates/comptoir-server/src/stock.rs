//! Stock: on-hand per store and SKU, computed from movements. A register's sales and stock
//! adjustments are movements in its ledger; receipts, transfers and counts are recorded on the
//! server. Each batch's movements are added to `stock_level` in the batch's own transaction,
//! so on-hand is always the sum of the movements held, whatever order they arrived in. No sale
//! is refused or changed for stock: a movement that takes a SKU below zero opens an exception
//! (or adds to the open one) that lists the entries that did, and a receipt or count that
//! brings it back to zero or more closes it.

use std::collections::BTreeMap;

use comptoir_protocol::LedgerEntry;
use comptoir_protocol::check::Content;
use comptoir_protocol::payload::{Sale, StockAdjustment, kind};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Quantities are kept in thousandths (a weighed item sells 0.350 kg).
pub const MILLI: i64 = 1000;

/// A quantity text (`"2"`, `"0.350"`, `"-1"`) in thousandths, if it is one.
pub fn milli(text: &str) -> Option<i64> {
    let text = text.trim();
    // Plain decimals only: `1e3` is not a quantity anybody types on purpose.
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let value: Decimal = text.parse().ok()?;
    let scaled = value * Decimal::from(MILLI);
    if scaled.fract() != Decimal::ZERO {
        return None;
    }
    i64::try_from(scaled.mantissa() / 10_i128.pow(scaled.scale())).ok()
}

/// Thousandths as a quantity text (`2`, `0.35`).
pub fn quantity(milli: i64) -> String {
    Decimal::new(milli, 3).normalize().to_string()
}

/// What a batch's accepted entries move, per SKU in SKU order (so concurrent batches lock the
/// levels in one order): the total change and the entries.
pub type Moved = BTreeMap<String, (i64, Vec<String>)>;

/// What one checked entry moves: per line, the SKU and the change in thousandths (a sale's
/// item lines take goods out, its restocked returned lines bring them back; an adjustment's
/// lines move them either way).
pub fn lines_moved(content: &Content) -> Vec<(String, i64)> {
    match content {
        Content::Sale(sale) => {
            let sold = sale
                .lines
                .iter()
                .filter(|l| l.kind == "item")
                .filter_map(|l| Some((l.sku.clone(), -milli(&l.qty)?)));
            // A returned item put back on the shelf comes back into stock; one written off
            // (damaged) does not.
            let restocked = sale
                .returns
                .iter()
                .filter(|l| l.kind == "item" && l.disposition == "restock")
                .filter_map(|l| Some((l.sku.clone(), milli(&l.qty)?)));
            sold.chain(restocked).collect()
        }
        Content::StockAdjustment(adjustment) => adjustment
            .lines
            .iter()
            .filter_map(|l| Some((l.sku.clone(), milli(&l.delta)?)))
            .collect(),
        Content::Other => Vec::new(),
    }
}

/// Adds one entry's lines (from [`lines_moved`]) to a batch's movements.
pub fn add_moved(moved: &mut Moved, entry_id: &str, lines: &[(String, i64)]) {
    for (sku, delta) in lines {
        let slot = match moved.get_mut(sku) {
            Some(slot) => slot,
            None => moved.entry(sku.clone()).or_default(),
        };
        slot.0 += delta;
        if slot.1.last().map(String::as_str) != Some(entry_id) {
            slot.1.push(entry_id.to_owned());
        }
    }
}

/// What entries move, parsing their payloads (the server takes a batch's from its checks,
/// [`crate::ingest::Plan::moved`]); a payload that does not parse moves nothing.
pub fn movements(entries: &[LedgerEntry]) -> Moved {
    let mut moved = Moved::new();
    for entry in entries {
        let content = match entry.kind.as_str() {
            k if kind::is_sale_like(k) => {
                serde_json::from_str::<Sale>(&entry.payload).map(|s| Content::Sale(Box::new(s)))
            }
            kind::STOCK_ADJUSTMENT => serde_json::from_str::<StockAdjustment>(&entry.payload)
                .map(Content::StockAdjustment),
            _ => continue,
        };
        if let Ok(content) = content {
            add_moved(&mut moved, &entry.entry_id, &lines_moved(&content));
        }
    }
    moved.retain(|_, (delta, _)| *delta != 0);
    moved
}

/// One store's on-hand of a SKU.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Level {
    pub store: String,
    pub sku: String,
    pub on_hand: String,
    pub updated_at: String,
}

/// A SKU that went below zero, and the entries (or movements) that took it there.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StockException {
    pub id: i64,
    pub store: String,
    pub sku: String,
    pub on_hand: String,
    pub entries: Vec<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

/// A movement recorded on the server.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Movement {
    pub store: String,
    pub sku: String,
    /// Thousandths; negative when goods leave.
    pub delta_milli: i64,
    /// `receipt`, `transfer_out`, `transfer_in`, `count` or `adjustment`.
    pub kind: String,
    pub reference: String,
}

/// The most one movement moves (a million of anything is a typing error at a store).
pub const MAX_MOVEMENT_MILLI: i64 = 1_000_000 * MILLI;

/// A stock movement an administrator records (CLI `stock …`, `POST /v1/admin/stock`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recorded {
    /// Goods received into a store.
    Receipt {
        store: String,
        sku: String,
        qty: String,
        #[serde(default)]
        reference: String,
    },
    /// Goods sent from one store to another (out of one, into the other, in one transaction).
    Transfer {
        from: String,
        to: String,
        sku: String,
        qty: String,
        #[serde(default)]
        reference: String,
    },
    /// A count: the store holds `counted`. Recorded as the difference from the on-hand the
    /// server holds now, so sales still arriving from offline registers are not overwritten.
    Count {
        store: String,
        sku: String,
        counted: String,
        #[serde(default)]
        reference: String,
    },
    /// A correction, in or out (`delta` negative takes goods out): a receipt keyed wrong,
    /// breakage, theft found.
    Adjustment {
        store: String,
        sku: String,
        delta: String,
        #[serde(default)]
        reference: String,
    },
}

/// Records a movement; returns the levels it leaves.
pub async fn record(db: &crate::Db, recorded: Recorded) -> crate::db::DbResult<Vec<Level>> {
    use crate::db::DbError;
    let qty = |text: &str| match milli(text) {
        Some(q) if q.abs() <= MAX_MOVEMENT_MILLI => Ok(q),
        Some(_) => {
            Err(DbError::Invalid(format!("{text} is more than one movement moves (1000000)")))
        }
        None => Err(DbError::Invalid(format!(
            "{text:?} is not a quantity: digits, at most 3 decimals (2, 0.350)"
        ))),
    };
    let movement =
        |store: &str, sku: &str, delta_milli: i64, kind: &str, reference: &str| Movement {
            store: store.to_owned(),
            sku: sku.to_owned(),
            delta_milli,
            kind: kind.to_owned(),
            reference: reference.to_owned(),
        };
    let movements = match &recorded {
        Recorded::Receipt { store, sku, qty: q, reference } => {
            let q = qty(q)?;
            if q <= 0 {
                return Err(DbError::Invalid("a receipt brings in more than zero".to_owned()));
            }
            vec![movement(store, sku, q, "receipt", reference)]
        }
        Recorded::Transfer { from, to, sku, qty: q, reference } => {
            let q = qty(q)?;
            if q <= 0 || from == to {
                return Err(DbError::Invalid(
                    "a transfer moves more than zero from one store to another".to_owned(),
                ));
            }
            vec![
                movement(from, sku, -q, "transfer_out", reference),
                movement(to, sku, q, "transfer_in", reference),
            ]
        }
        Recorded::Count { store, sku, counted, reference } => {
            let counted = qty(counted)?;
            if counted < 0 {
                return Err(DbError::Invalid("a count is zero or more".to_owned()));
            }
            let held = db.on_hand(store, sku).await?;
            vec![movement(store, sku, counted - held, "count", reference)]
        }
        Recorded::Adjustment { store, sku, delta, reference } => {
            let delta = qty(delta)?;
            if delta == 0 {
                return Err(DbError::Invalid("an adjustment moves something".to_owned()));
            }
            vec![movement(store, sku, delta, "adjustment", reference)]
        }
    };
    for m in &movements {
        known_sku(db, &m.store, &m.sku).await?;
    }
    db.record_movements(movements, &crate::now()).await
}

/// Refuses a SKU that the store's published catalog does not have (a barcode typed for the
/// SKU, a typing error): stock of an item that does not exist is never sold, and the real
/// item's stock stays wrong. A store whose catalog is not published from here is not checked.
async fn known_sku(db: &crate::Db, store: &str, sku: &str) -> crate::db::DbResult<()> {
    use crate::db::{CatalogItem, DbError};
    match db.catalog_item(store, sku).await? {
        CatalogItem::NoCatalog | CatalogItem::Found(_) => Ok(()),
        CatalogItem::Unknown { by_gtin: Some(real) } => Err(DbError::Invalid(format!(
            "{sku} is the barcode of {real} in {store}'s catalog: give the SKU, {real}"
        ))),
        CatalogItem::Unknown { by_gtin: None } => Err(DbError::Invalid(format!(
            "no item {sku} in {store}'s catalog (`catalog show --store {store}` lists the SKUs)"
        ))),
    }
}

/// What a change of on-hand does to a SKU's exception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExceptionStep {
    Nothing,
    /// Taken (further) below zero: add the entries to the open exception, or open one.
    Oversold,
    /// Still below zero after goods came in: record the new on-hand.
    StillShort,
    /// Back to zero or more: close the open exception.
    Resolved,
}

pub fn exception_step(on_hand_after: i64, delta: i64) -> ExceptionStep {
    let before = on_hand_after - delta;
    match (before < 0, on_hand_after < 0, delta < 0) {
        (_, true, true) => ExceptionStep::Oversold,
        (true, true, false) => ExceptionStep::StillShort,
        (true, false, _) => ExceptionStep::Resolved,
        _ => ExceptionStep::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_in_thousandths() {
        assert_eq!(milli("2"), Some(2000));
        assert_eq!(milli("0.350"), Some(350));
        assert_eq!(milli("-1.5"), Some(-1500));
        assert_eq!(milli("0.0001"), None);
        assert_eq!(milli("two"), None);
        assert_eq!(milli("1e3"), None);
        assert_eq!(milli(""), None);
        assert_eq!(quantity(2000), "2");
        assert_eq!(quantity(-350), "-0.35");
    }

    #[test]
    fn exceptions_open_grow_and_close() {
        use ExceptionStep::*;
        assert_eq!(exception_step(5, -1), Nothing);
        assert_eq!(exception_step(-1, -2), Oversold, "1 on hand, 2 sold");
        assert_eq!(exception_step(-3, -2), Oversold, "sold more while short");
        assert_eq!(exception_step(-1, 2), StillShort);
        assert_eq!(exception_step(0, 1), Resolved);
        assert_eq!(exception_step(4, 10), Resolved);
        assert_eq!(exception_step(14, 10), Nothing);
    }
}
