//! The chain's promotions: a promotions file (a JSON list of
//! [`PromotionRecord`]s) is imported whole, checked, and kept; publishing it to a store appends
//! to that store's catalog log (see [`crate::catalog`]) what differs from what the store has,
//! keyed by promotion id, so registers get promotions the way they get prices.
//!
//! The file is the chain's whole list: publishing it to a store gives the store every
//! promotion of the file whose `stores` is empty or names it, and retires (publishes again with
//! `retired: true`) every promotion the store has that the file no longer gives it, because it
//! was taken out of the file or its `stores` no longer name the store. An unchanged promotion
//! appends nothing; a changed one appends its new version.

use comptoir_protocol::catalog::Change;
use comptoir_protocol::promotion::{PromotionRecord, parse_promotions};
use serde::Serialize;

use crate::Db;
use crate::catalog::{Current, ImportError, Published};
use crate::db::{CatalogPlan, DbError, DbResult, StoreRow};

/// An imported promotions file.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PromotionFile {
    pub id: i64,
    pub created_at: String,
    /// The file it came from.
    pub source: String,
    /// How many promotions it holds.
    pub promotions: i64,
    #[serde(skip)]
    pub records: Vec<PromotionRecord>,
}

/// The changes that make a store's promotions those of the file for this store.
pub fn plan_promotions(records: &[PromotionRecord], store: &str, current: &Current) -> Vec<Change> {
    let mut wanted: Vec<&PromotionRecord> = records
        .iter()
        .filter(|r| r.stores.is_empty() || r.stores.iter().any(|s| s == store))
        .collect();
    wanted.sort_by(|a, b| a.id.cmp(&b.id));
    let mut changes = Vec::new();
    for record in &wanted {
        let change = Change::Promotion((*record).clone());
        match current.get(&change.key()) {
            Some(held) if *held == change => {}
            // Nothing to withdraw from a store that never had it.
            None if record.retired => {}
            _ => changes.push(change),
        }
    }
    let held =
        current.range("promotion:".to_owned()..).take_while(|(k, _)| k.starts_with("promotion:"));
    for (_, change) in held {
        let Change::Promotion(promotion) = change else { continue };
        if !promotion.retired && !wanted.iter().any(|r| r.id == promotion.id) {
            changes.push(Change::Promotion(PromotionRecord { retired: true, ..promotion.clone() }));
        }
    }
    changes
}

/// Reads and checks a promotions file, and keeps it. Every bad record is named; a file with
/// one keeps nothing.
pub async fn import(db: &Db, text: &str, source: &str) -> Result<PromotionFile, ImportError> {
    // Every currency Comptoir sells in has two decimals (see the store configuration).
    let currency = comptoir_core::Currency::new("XXX", 2, 1);
    let records = parse_promotions(text, &currency)
        .map_err(|faults| ImportError::Invalid(faults.join("; ")))?;
    Ok(db.create_promotion_file(&crate::now(), source, records).await?)
}

/// Publishes a promotions file (the latest imported when `file` is `None`) to stores, one
/// transaction per store. Every store named must exist before any is changed.
pub async fn publish(db: &Db, file: Option<i64>, stores: &[String]) -> DbResult<Vec<Published>> {
    let file = db.promotion_file(file).await?;
    let known: Vec<String> = db.stores().await?.into_iter().map(|s| s.code).collect();
    if let Some(unknown) = stores.iter().find(|s| !known.contains(s)) {
        return Err(DbError::NotFound(format!(
            "no store with code {unknown}: nothing was published (stores: {})",
            known.join(", ")
        )));
    }
    let records = std::sync::Arc::new(file.records);
    let mut published = Vec::new();
    for store in stores {
        let records = records.clone();
        let plan: CatalogPlan = Box::new(move |store: &StoreRow, current: &Current| {
            Ok(plan_promotions(&records, &store.code, current))
        });
        published.push(db.publish(store, &crate::now(), None, plan).await?);
    }
    Ok(published)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, stores: &[&str], price: &str) -> PromotionRecord {
        serde_json::from_value(serde_json::json!({
            "id": id, "label": {"en": "2 for"}, "from": "2026-01-01T00:00", "stores": stores,
            "rule": {"type": "mix_match", "items": {"skus": ["A"]}, "qty": 2, "price": price}
        }))
        .unwrap()
    }

    fn apply(current: &mut Current, changes: &[Change]) {
        for change in changes {
            current.insert(change.key(), change.clone());
        }
    }

    fn ids(changes: &[Change]) -> Vec<(String, bool)> {
        changes
            .iter()
            .map(|c| match c {
                Change::Promotion(p) => (p.id.clone(), p.retired),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_store_gets_its_promotions_once_then_only_what_changed_or_went() {
        let mut current = Current::new();
        let file = [
            record("P1", &[], "5.00"),
            record("P2", &["london"], "4.00"),
            record("P3", &["montreal"], "3.00"),
        ];
        let first = plan_promotions(&file, "montreal", &current);
        assert_eq!(ids(&first), [("P1".into(), false), ("P3".into(), false)], "not London's");
        apply(&mut current, &first);
        assert!(plan_promotions(&file, "montreal", &current).is_empty(), "unchanged: nothing");

        // P1 changes, P3 leaves the file: P1's new version, P3 retired, once.
        let file = [record("P1", &[], "4.50"), record("P2", &["london"], "4.00")];
        let second = plan_promotions(&file, "montreal", &current);
        assert_eq!(ids(&second), [("P1".into(), false), ("P3".into(), true)]);
        apply(&mut current, &second);
        assert!(plan_promotions(&file, "montreal", &current).is_empty());

        // P1 now only for London: retired in Montréal.
        let file = [record("P1", &["london"], "4.50")];
        assert_eq!(ids(&plan_promotions(&file, "montreal", &current)), [("P1".into(), true)]);
    }

    #[test]
    fn a_retired_record_is_sent_only_to_a_store_that_has_it() {
        let mut current = Current::new();
        let retired = PromotionRecord { retired: true, ..record("P1", &[], "5.00") };
        assert!(plan_promotions(std::slice::from_ref(&retired), "montreal", &current).is_empty());
        let first = plan_promotions(&[record("P1", &[], "5.00")], "montreal", &current);
        apply(&mut current, &first);
        assert_eq!(ids(&plan_promotions(&[retired], "montreal", &current)), [("P1".into(), true)]);
    }
}
