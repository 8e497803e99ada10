//! The chain's catalog: an imported file is a draft; publishing a draft to a store appends to
//! that store's change log only what differs from what the store already has. The decisions
//! are made here, as pure functions of the draft and the store's current state; each database
//! backend reads that state under the store's lock, calls them, and writes what they return.
//!
//! The log is compacted by key (an item, the price of an item from a moment, the taxes, a
//! promotion, see [`crate::promotions`]): the server keeps the latest change of each key with
//! the version that made it, so "the changes after version v" is one indexed query and a new
//! register pulling from 0 gets the catalog as it is, not its history. Every change is also
//! kept, in order, in `catalog_log`.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use comptoir_protocol::catalog::RowError;
use comptoir_protocol::catalog::{
    CatalogRow, Change, ItemRecord, PriceRecord, TaxConfig, format_local_time, parse_local_time,
};
use serde::Serialize;

use crate::Db;
use crate::db::{CatalogPlan, DbError, DbResult, StoreRow};

/// An imported catalog file, waiting to be published (or published already, to some stores).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DraftRow {
    pub id: i64,
    pub created_at: String,
    /// The file it came from.
    pub source: String,
    /// When its prices apply (the store's local time); `None`: as soon as published.
    pub price_from: Option<String>,
    pub items: i64,
    /// The stores it was published to, in order.
    pub published_to: Vec<String>,
    #[serde(skip)]
    pub rows: Vec<CatalogRow>,
}

/// What publishing did to one store's catalog.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Published {
    pub store: String,
    /// The store's version before and after; equal when nothing changed.
    pub from_version: i64,
    pub to_version: i64,
    pub items: usize,
    pub prices: usize,
    pub taxes: usize,
    /// Promotions published, changed or retired.
    pub promotions: usize,
}

impl Published {
    pub fn count(store: &str, from_version: i64, changes: &[Change]) -> Published {
        let of = |f: fn(&Change) -> bool| changes.iter().filter(|c| f(c)).count();
        Published {
            store: store.to_owned(),
            from_version,
            to_version: from_version + changes.len() as i64,
            items: of(|c| matches!(c, Change::Item(_))),
            prices: of(|c| matches!(c, Change::Price(_))),
            taxes: of(|c| matches!(c, Change::Taxes { .. })),
            promotions: of(|c| matches!(c, Change::Promotion(_))),
        }
    }
}

/// A store's current catalog: the latest change of each key.
pub type Current = BTreeMap<String, Change>;

/// The price of `sku` in force at `at` by the store's current changes, and whether it has any.
fn price_at(current: &Current, sku: &str, at: NaiveDateTime) -> Option<Option<String>> {
    let prefix = format!("price:{sku}@");
    current
        .range(prefix.clone()..)
        .take_while(|(key, _)| key.starts_with(&prefix))
        .filter_map(|(_, change)| match change {
            Change::Price(p) => parse_local_time(&p.from).filter(|f| *f <= at).map(|f| (f, p)),
            _ => None,
        })
        .max_by_key(|(from, _)| *from)
        .map(|(_, p)| p.price.clone())
}

/// The changes that make a store's catalog hold a draft's rows: an item whose fields differ,
/// and a price that differs from the one in force at the moment the draft's prices apply.
/// `price_from` is when they apply (the store's local time), `None` for at once; a moment
/// already past counts as at once, so a later publication is never overruled by an earlier one.
pub fn plan_publish(
    rows: &[CatalogRow],
    price_from: Option<NaiveDateTime>,
    now_local: NaiveDateTime,
    digits: u32,
    current: &Current,
) -> Vec<Change> {
    let (from, immediate) = match price_from {
        Some(from) if from > now_local => (from, false),
        _ => (now_local, true),
    };
    let mut changes = Vec::new();
    for row in rows {
        let item = Change::Item(ItemRecord {
            sku: row.sku.clone(),
            gtin: row.gtin.clone(),
            name: row.name.clone(),
            name_fr: row.name_fr.clone(),
            tax_class: row.tax_class.clone(),
            kind: row.kind.clone(),
            retired: false,
        });
        if current.get(&item.key()) != Some(&item) {
            changes.push(item);
        }
        let price = row.price_minor.map(|minor| decimal(minor, digits));
        if price_at(current, &row.sku, from) != Some(price.clone()) {
            changes.push(Change::Price(PriceRecord {
                sku: row.sku.clone(),
                price,
                from: format_local_time(from),
                immediate,
            }));
        }
    }
    changes
}

/// The change that retires items the store has (an unknown SKU is an error).
pub fn plan_retire(skus: &[String], current: &Current) -> Result<Vec<Change>, String> {
    let mut changes = Vec::new();
    for sku in skus {
        match current.get(&format!("item:{sku}")) {
            Some(Change::Item(item)) if item.retired => {}
            Some(Change::Item(item)) => {
                changes.push(Change::Item(ItemRecord { retired: true, ..item.clone() }))
            }
            _ => return Err(format!("the store has no item {sku}")),
        }
    }
    Ok(changes)
}

/// The change that gives a store these taxes, unless it has them already. A list without a
/// tax, or without a tax the store has now, takes `removing` to say it is meant: a store that
/// stops charging a tax by mistake would undercharge every sale.
pub fn plan_taxes(
    taxes: Vec<TaxConfig>,
    removing: bool,
    current: &Current,
) -> Result<Vec<Change>, String> {
    if let Some(fault) = comptoir_protocol::catalog::taxes_fault(&taxes) {
        return Err(fault);
    }
    if !removing {
        if taxes.is_empty() {
            return Err("the list has no tax: sales would be charged none; say it is meant \
                (--remove-taxes, ?removing=true)"
                .to_owned());
        }
        if let Some(Change::Taxes { taxes: now }) = current.get("taxes")
            && let Some(gone) = now.iter().find(|t| !taxes.iter().any(|n| n.code == t.code))
        {
            return Err(format!(
                "the list drops tax {}, which the store charges now; say it is meant \
                 (--remove-taxes, ?removing=true)",
                gone.code
            ));
        }
    }
    let change = Change::Taxes { taxes };
    Ok(if current.get("taxes") == Some(&change) { Vec::new() } else { vec![change] })
}

/// What importing a file did: the draft it made, or, when its rows have errors and bad rows
/// are not to be skipped, no draft and every bad row.
#[derive(Clone, Debug, Serialize)]
pub struct Imported {
    pub draft: Option<DraftRow>,
    pub format: &'static str,
    pub errors: Vec<RowError>,
}

/// Reads a catalog file (our CSV or an Open Food Facts export) into a draft. `price_from` is
/// when its prices apply, in each store's local time (`YYYY-MM-DDTHH:MM`).
pub async fn import(
    db: &Db,
    text: &str,
    source: &str,
    price_from: Option<&str>,
    skip_bad_rows: bool,
) -> Result<Imported, ImportError> {
    if let Some(from) = price_from
        && parse_local_time(from).is_none()
    {
        return Err(ImportError::Invalid(format!(
            "the prices' start {from:?} is not a local date and time (YYYY-MM-DDTHH:MM)"
        )));
    }
    // Every currency Comptoir sells in has two decimals (see the store configuration).
    let currency = comptoir_core::Currency::new("XXX", 2, 1);
    let parsed =
        comptoir_protocol::catalog::parse_catalog(text, &currency).map_err(ImportError::Invalid)?;
    if parsed.rows.is_empty() && parsed.errors.is_empty() {
        return Err(ImportError::Invalid("the file has no rows".to_owned()));
    }
    if !parsed.errors.is_empty() && !skip_bad_rows {
        return Ok(Imported { draft: None, format: parsed.format, errors: parsed.errors });
    }
    let draft = db.create_draft(&crate::now(), source, price_from, parsed.rows).await?;
    Ok(Imported { draft: Some(draft), format: parsed.format, errors: parsed.errors })
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Publishes a draft to stores, one transaction per store: each store gets only what differs
/// from what it has.
pub async fn publish_draft(db: &Db, id: i64, stores: &[String]) -> DbResult<Vec<Published>> {
    let draft = db.draft(id).await?;
    // Every store named must exist before any is changed: a mistyped code publishes nothing.
    let known: Vec<String> = db.stores().await?.into_iter().map(|s| s.code).collect();
    if let Some(unknown) = stores.iter().find(|s| !known.contains(s)) {
        return Err(DbError::NotFound(format!(
            "no store with code {unknown}: nothing was published (stores: {})",
            known.join(", ")
        )));
    }
    let price_from = draft.price_from.as_deref().and_then(parse_local_time);
    let rows = std::sync::Arc::new(draft.rows);
    let mut published = Vec::new();
    for store in stores {
        let rows = rows.clone();
        let plan: CatalogPlan = Box::new(move |store: &StoreRow, current: &Current| {
            Ok(plan_publish(&rows, price_from, local_now(&store.time_zone), 2, current))
        });
        published.push(db.publish(store, &crate::now(), Some(id), plan).await?);
    }
    Ok(published)
}

/// Gives a store these taxes (checked first; `removing` to drop taxes it has).
pub async fn publish_taxes(
    db: &Db,
    store: &str,
    taxes: Vec<TaxConfig>,
    removing: bool,
) -> DbResult<Published> {
    let plan: CatalogPlan =
        Box::new(move |_: &StoreRow, current: &Current| plan_taxes(taxes, removing, current));
    db.publish(store, &crate::now(), None, plan).await
}

/// Retires items of a store.
pub async fn retire(db: &Db, store: &str, skus: Vec<String>) -> DbResult<Published> {
    let plan: CatalogPlan =
        Box::new(move |_: &StoreRow, current: &Current| plan_retire(&skus, current));
    db.publish(store, &crate::now(), None, plan).await
}

/// Minor units as a decimal string with `digits` decimals.
fn decimal(minor: i64, digits: u32) -> String {
    rust_decimal::Decimal::new(minor, digits).to_string()
}

/// The local time now in a store's time zone (UTC when the zone does not parse), to the minute.
pub fn local_now(time_zone: &str) -> NaiveDateTime {
    let now = chrono::Utc::now();
    let local = match time_zone.parse::<chrono_tz::Tz>() {
        Ok(zone) => now.with_timezone(&zone).naive_local(),
        Err(_) => now.naive_utc(),
    };
    comptoir_protocol::catalog::to_minute(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(sku: &str, price: Option<i64>) -> CatalogRow {
        CatalogRow {
            sku: sku.to_owned(),
            gtin: None,
            name: format!("item {sku}"),
            name_fr: None,
            price_minor: price,
            tax_class: "standard".to_owned(),
            kind: "item".to_owned(),
        }
    }

    fn at(text: &str) -> NaiveDateTime {
        parse_local_time(text).unwrap()
    }

    fn apply(current: &mut Current, changes: Vec<Change>) {
        for change in changes {
            current.insert(change.key(), change);
        }
    }

    #[test]
    fn publishing_the_same_draft_twice_changes_nothing_the_second_time() {
        let mut current = Current::new();
        let rows = [row("A", Some(199)), row("B", None)];
        let first = plan_publish(&rows, None, at("2026-12-03T10:00"), 2, &current);
        assert_eq!(first.len(), 4, "{first:?}");
        apply(&mut current, first);
        let again = plan_publish(&rows, None, at("2026-12-03T11:00"), 2, &current);
        assert_eq!(again, Vec::new());
    }

    #[test]
    fn a_future_price_is_a_change_from_its_moment_and_a_past_one_is_at_once() {
        let mut current = Current::new();
        let first = plan_publish(&[row("A", Some(199))], None, at("2026-12-03T10:00"), 2, &current);
        apply(&mut current, first);
        let future = plan_publish(
            &[row("A", Some(249))],
            Some(at("2026-12-07T06:00")),
            at("2026-12-03T11:00"),
            2,
            &current,
        );
        assert_eq!(
            future,
            vec![Change::Price(PriceRecord {
                sku: "A".into(),
                price: Some("2.49".into()),
                from: "2026-12-07T06:00".into(),
                immediate: false
            })]
        );
        apply(&mut current, future);
        // The same future price again: nothing. The old price at once: nothing either (in force now).
        assert!(
            plan_publish(
                &[row("A", Some(249))],
                Some(at("2026-12-07T06:00")),
                at("2026-12-03T12:00"),
                2,
                &current
            )
            .is_empty()
        );
        assert!(
            plan_publish(&[row("A", Some(199))], None, at("2026-12-03T12:00"), 2, &current)
                .is_empty()
        );
        // A moment in the past is now.
        let past = plan_publish(
            &[row("A", Some(179))],
            Some(at("2026-12-01T00:00")),
            at("2026-12-03T12:00"),
            2,
            &current,
        );
        assert!(
            matches!(&past[..], [Change::Price(p)] if p.immediate && p.from == "2026-12-03T12:00"),
            "{past:?}"
        );
    }

    #[test]
    fn taxes_are_checked_and_not_republished() {
        let taxes = vec![TaxConfig {
            code: "VAT".into(),
            label: Default::default(),
            rates: vec![comptoir_protocol::catalog::RateConfig {
                class: "standard".into(),
                rate: "0.2".into(),
                from: "2011-01-04".into(),
                to: None,
            }],
        }];
        let mut current = Current::new();
        assert!(plan_taxes(Vec::new(), false, &current).unwrap_err().contains("no tax"));
        assert_eq!(plan_taxes(Vec::new(), true, &current).unwrap().len(), 1, "said on purpose");
        let first = plan_taxes(taxes.clone(), false, &current).unwrap();
        apply(&mut current, first);
        assert!(plan_taxes(taxes.clone(), false, &current).unwrap().is_empty());
        let mut fewer = taxes.clone();
        fewer[0].code = "GST".into();
        assert!(plan_taxes(fewer, false, &current).unwrap_err().contains("drops tax VAT"));
        let mut bad = taxes;
        bad[0].rates[0].rate = "20".into();
        assert!(plan_taxes(bad, false, &current).unwrap_err().contains("not a fraction"));
    }

    #[test]
    fn retiring_an_unknown_item_is_refused() {
        let mut current = Current::new();
        let first = plan_publish(&[row("A", Some(1))], None, at("2026-12-03T10:00"), 2, &current);
        apply(&mut current, first);
        assert_eq!(plan_retire(&["A".into()], &current).unwrap().len(), 1);
        assert!(plan_retire(&["Z".into()], &current).is_err());
    }
}
