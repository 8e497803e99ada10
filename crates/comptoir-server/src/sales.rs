//! Sales found for a return at any register of the chain (`GET /v1/sales/{receipt_no}`), and
//! the entries of a credit note to spend it at any register (`GET /v1/credits/{reference}`).
//!
//! A customer may bring back at one store's till what was bought at another till, or another
//! store. The register asks here for the sale by its receipt number, and for every return and
//! exchange held that brought a line of it back (whichever register took it), so what is left
//! to return and what each tender already gave back count them all.
//!
//! Both reads are indexed: the ledger's `receipt_no` (sales), and `returned_line`, a row per
//! returned line keyed by the receipt it came from, written in each batch's own transaction
//! from the lines the content check parsed ([`returned_lines`]), and for entries held before
//! the table existed, once, when the server migrates ([`crate::db`]).
//!
//! Receipt numbers (`MTL01-000042`, `MTL01-2-000042` after a restore) carry the store's
//! receipt prefix and the register's number, so they are unique in a chain whose stores have
//! prefixes of their own. Two stores sharing a prefix could print the same number: the asking
//! register's own store wins, a receipt printed in several other stores is refused
//! ([`codes::AMBIGUOUS_RECEIPT`]) unless the request names the store (`?store=CODE`).

use comptoir_protocol::LedgerEntry;
use comptoir_protocol::payload::Sale;
use comptoir_protocol::wire::{CreditLookup, SaleLookup, codes};

use crate::db::{Authenticated, Db, DbError};

/// One line of a return or exchange, by the sale it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnedLine {
    pub original_receipt: String,
    pub original_line: i64,
    /// The original sale's entry id, when the register knew it.
    pub original_entry: Option<String>,
    /// The line's number in the return.
    pub line: i64,
    pub qty: String,
}

/// The lines a sale-like entry brings back from receipts (a return without a receipt has
/// none to record).
pub fn returned_lines(sale: &Sale) -> Vec<ReturnedLine> {
    sale.returns
        .iter()
        .filter_map(|l| {
            let original = l.original.as_ref()?;
            Some(ReturnedLine {
                original_receipt: original.receipt_no.clone(),
                original_line: i64::from(original.line),
                original_entry: original.entry.clone(),
                line: i64::from(l.line),
                qty: l.qty.clone(),
            })
        })
        .collect()
}

/// The returned lines of a stored entry, parsing its payload (for entries held before the
/// `returned_line` table: batches take them from their content check).
pub fn returned_lines_of(kind: &str, payload: &str) -> Vec<ReturnedLine> {
    if !comptoir_protocol::payload::kind::is_sale_like(kind) {
        return Vec::new();
    }
    serde_json::from_str::<Sale>(payload).map(|s| returned_lines(&s)).unwrap_or_default()
}

/// The credit notes a sale-like entry has a leg on (issued by a refund, or spent).
pub fn credit_notes(sale: &Sale) -> Vec<String> {
    let mut notes: Vec<String> = sale
        .tenders
        .iter()
        .filter_map(|t| match t {
            comptoir_protocol::payload::SaleTender::StoreCredit { reference, .. } => {
                Some(reference.clone())
            }
            _ => None,
        })
        .collect();
    notes.sort();
    notes.dedup();
    notes
}

/// The credit notes of a stored entry, parsing its payload (for entries held before the
/// `credit_leg` table).
pub fn credit_notes_of(kind: &str, payload: &str) -> Vec<String> {
    if !comptoir_protocol::payload::kind::is_sale_like(kind) {
        return Vec::new();
    }
    serde_json::from_str::<Sale>(payload).map(|s| credit_notes(&s)).unwrap_or_default()
}

/// Every entry held with a leg on the credit note `reference`, for a register about to take
/// it as a tender.
pub async fn find_credit(db: &Db, reference: &str) -> Result<CreditLookup, LookupError> {
    let held = db.credit_entries(reference).await?;
    let Some((currency, _)) = held.first() else {
        return Err(LookupError::NoSuchCredit(format!(
            "no credit note {reference} at any register of the chain"
        )));
    };
    Ok(CreditLookup {
        reference: reference.to_owned(),
        currency: currency.clone(),
        entries: held.into_iter().map(|(_, e)| e).collect(),
    })
}

/// A store's business day, from every register's sales, returns and exchanges held.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct DayReport {
    pub store: String,
    pub day: String,
    /// Sales and exchanges with new lines, and what those lines brought in (before cash
    /// rounding).
    pub sales: usize,
    pub total: String,
    /// Returns and exchanges with returned lines, and what those lines gave back.
    pub returns: usize,
    pub refunds: String,
    /// `total - refunds`.
    pub net: String,
}

/// The day report of `store` for the business day `day` (`YYYY-MM-DD`, store-local).
pub async fn day_report(db: &Db, store: &str, day: &str) -> Result<DayReport, String> {
    let payloads = db.day_sales(store, day).await.map_err(|e| e.to_string())?;
    let (mut sales, mut returns) = (0, 0);
    let (mut total, mut refunds) = (rust_decimal::Decimal::ZERO, rust_decimal::Decimal::ZERO);
    let mut digits = 2;
    let amount = |text: &str| {
        text.parse::<rust_decimal::Decimal>().map_err(|_| format!("{text:?} is not an amount"))
    };
    for payload in &payloads {
        let sale: Sale = serde_json::from_str(payload).map_err(|e| e.to_string())?;
        digits = amount(&sale.total)?.scale();
        let refund = sale.refund.as_deref().map(amount).transpose()?.unwrap_or_default();
        if !sale.lines.is_empty() {
            sales += 1;
            total += amount(&sale.total)? + refund;
        }
        if !sale.returns.is_empty() {
            returns += 1;
            refunds += refund;
        }
    }
    let money = |d: rust_decimal::Decimal| format!("{:.*}", digits as usize, d);
    Ok(DayReport {
        store: store.to_owned(),
        day: day.to_owned(),
        sales,
        total: money(total),
        returns,
        refunds: money(refunds),
        net: money(total - refunds),
    })
}

/// A sale-like entry held with a receipt number, and where it was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub register_id: String,
    pub store: String,
    pub currency: String,
    pub entry: LedgerEntry,
}

/// Why no sale is given.
#[derive(Debug)]
pub enum LookupError {
    NoSuchSale(String),
    NoSuchCredit(String),
    WrongCurrency(String),
    Ambiguous(String),
    Db(DbError),
}

impl From<DbError> for LookupError {
    fn from(e: DbError) -> LookupError {
        LookupError::Db(e)
    }
}

/// Which of the sales held with one receipt number is the one asked for: the only one (of
/// the store named, if one is); of several, the one of the caller's store; else none is
/// (`Err` with the stores that printed it).
pub fn pick<'a>(
    found: &'a [Found],
    caller_store: &str,
    asked_store: Option<&str>,
) -> Result<Option<&'a Found>, Vec<String>> {
    let named: Vec<&Found> =
        found.iter().filter(|f| asked_store.is_none_or(|s| f.store == s)).collect();
    if let [one] = named[..] {
        return Ok(Some(one));
    }
    if named.is_empty() {
        return Ok(None);
    }
    let here: Vec<&Found> = named.iter().copied().filter(|f| f.store == caller_store).collect();
    if let [one] = here[..] {
        return Ok(Some(one));
    }
    let mut stores: Vec<String> = named.iter().map(|f| f.store.clone()).collect();
    stores.sort();
    stores.dedup();
    Err(stores)
}

/// The sale with `receipt_no` for a return at `caller`'s register, with its returns.
pub async fn find(
    db: &Db,
    caller: &Authenticated,
    receipt_no: &str,
    asked_store: Option<&str>,
) -> Result<SaleLookup, LookupError> {
    let found = db.sales_by_receipt(receipt_no).await?;
    let sale = match pick(&found, &caller.store_code, asked_store) {
        Ok(Some(sale)) => sale,
        Ok(None) => {
            return Err(LookupError::NoSuchSale(format!(
                "no sale {receipt_no} at any register of the chain"
            )));
        }
        Err(stores) => {
            return Err(LookupError::Ambiguous(format!(
                "receipt {receipt_no} was printed in stores {}: name the store (?store=CODE)",
                stores.join(", ")
            )));
        }
    };
    if sale.currency != caller.currency {
        return Err(LookupError::WrongCurrency(format!(
            "sale {receipt_no} was in {} (store {}), this store sells in {}: it is returned \
             in a store that sells in {}",
            sale.currency, sale.store, caller.currency, sale.currency
        )));
    }
    let returns = db.returns_of(receipt_no, &sale.entry.entry_id).await?;
    Ok(SaleLookup {
        sale: sale.entry.clone(),
        register_id: sale.register_id.clone(),
        store: sale.store.clone(),
        currency: sale.currency.clone(),
        returns,
    })
}

impl LookupError {
    /// The error's stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LookupError::NoSuchSale(_) => codes::NO_SUCH_SALE,
            LookupError::NoSuchCredit(_) => codes::NO_SUCH_CREDIT,
            LookupError::WrongCurrency(_) => codes::WRONG_CURRENCY,
            LookupError::Ambiguous(_) => codes::AMBIGUOUS_RECEIPT,
            LookupError::Db(_) => codes::UNAVAILABLE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(store: &str, register: &str) -> Found {
        Found {
            register_id: register.to_owned(),
            store: store.to_owned(),
            currency: "CAD".to_owned(),
            entry: LedgerEntry {
                epoch: 1,
                seq: 1,
                entry_id: format!("{store}-{register}"),
                kind: "sale".into(),
                recorded_at: String::new(),
                business_day: String::new(),
                receipt_no: Some("MTL01-000001".into()),
                external_ref: None,
                payload: String::new(),
                prev_hash: String::new(),
                hash: String::new(),
            },
        }
    }

    #[test]
    fn a_receipt_printed_in_two_stores_is_the_callers_own_or_named() {
        let held = [found("laval", "r1"), found("montreal", "r2")];
        let id = |p: Result<Option<&Found>, Vec<String>>| p.map(|f| f.map(|f| f.entry_id()));
        assert_eq!(id(pick(&held, "montreal", None)), Ok(Some("montreal-r2".into())));
        assert_eq!(id(pick(&held, "montreal", Some("laval"))), Ok(Some("laval-r1".into())));
        assert_eq!(
            id(pick(&held, "quebec", None)),
            Err(vec!["laval".to_owned(), "montreal".to_owned()])
        );
        assert_eq!(id(pick(&held, "quebec", Some("gatineau"))), Ok(None));
        assert_eq!(id(pick(&held[..1], "quebec", None)), Ok(Some("laval-r1".into())));
        assert_eq!(id(pick(&[], "quebec", None)), Ok(None));
    }

    impl Found {
        fn entry_id(&self) -> String {
            self.entry.entry_id.clone()
        }
    }
}
