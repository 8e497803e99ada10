//! The catalog the server publishes, as the register keeps it: items, their prices from a
//! moment on (`catalog_price`), the store's taxes, the promotions (`promotion`), and the
//! version pulled so far. A page of
//! changes is applied in one transaction with the version it reaches, so a crash mid-pull
//! leaves the register at a version it holds entirely.

use comptoir_protocol::catalog::{CatalogPage, Change, parse_local_time};
use comptoir_protocol::promotion::PromotionRecord;
use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError};

const VERSION_KEY: &str = "catalog_version";

/// A price of an item from a moment on (the store's local time, `YYYY-MM-DDTHH:MM`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceRow {
    pub sku: String,
    pub from: String,
    pub price_minor: Option<i64>,
    pub version: i64,
}

/// What applying a page changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub version: i64,
    pub items: usize,
    pub prices: usize,
    pub retired: usize,
    pub taxes: bool,
    /// Promotions added, changed or retired.
    pub promotions: usize,
}

impl Applied {
    pub fn changed(&self) -> bool {
        self.items + self.prices + self.retired + self.promotions > 0 || self.taxes
    }
}

impl Store {
    /// The catalog version pulled from the server (0: none yet).
    pub fn catalog_version(&self) -> Result<i64, StoreError> {
        Ok(self.setting(VERSION_KEY)?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Sets the version pulled (0: pull the server's whole catalog again).
    pub fn set_catalog_version(&self, version: i64) -> Result<(), StoreError> {
        self.set_setting(VERSION_KEY, &version.to_string())
    }

    /// Applies a page of the server's changes in one transaction. `received_at` is the local
    /// time now: a price published to apply at once applies from then if the register's clock
    /// is behind the server's. Prices are in minor units of `digits` decimals.
    pub fn apply_catalog(
        &mut self,
        page: &CatalogPage,
        received_at: &str,
        digits: u32,
    ) -> Result<Applied, StoreError> {
        let currency = comptoir_core::Currency::new("", digits, 1);
        let tx = self.conn_mut().transaction()?;
        let mut applied = Applied {
            version: tx
                .query_row("SELECT value FROM setting WHERE key = ?1", [VERSION_KEY], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            ..Applied::default()
        };
        if applied.version == 0 && !page.changes.is_empty() {
            // The first page from the server: the promotions a demo store's file gave this
            // register (version 0) are not the store's; the server's are.
            tx.execute("DELETE FROM promotion WHERE version = 0", [])?;
        }
        for versioned in &page.changes {
            if versioned.version <= applied.version {
                continue;
            }
            match &versioned.change {
                Change::Item(item) if item.retired => {
                    tx.execute("DELETE FROM catalog_item WHERE sku = ?1", [&item.sku])?;
                    tx.execute("DELETE FROM catalog_price WHERE sku = ?1", [&item.sku])?;
                    applied.retired += 1;
                }
                Change::Item(item) => {
                    if let Some(gtin) = &item.gtin {
                        // The server's catalog wins a barcode that moved to another SKU.
                        tx.execute(
                            "UPDATE catalog_item SET gtin = NULL WHERE gtin = ?1 AND sku <> ?2",
                            params![gtin, item.sku],
                        )?;
                    }
                    tx.execute(
                        "INSERT INTO catalog_item (sku, gtin, name, name_fr, price_minor, tax_class, kind) \
                         VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6) \
                         ON CONFLICT (sku) DO UPDATE SET gtin = excluded.gtin, name = excluded.name, \
                         name_fr = excluded.name_fr, tax_class = excluded.tax_class, kind = excluded.kind",
                        params![item.sku, item.gtin, item.name, item.name_fr, item.tax_class, item.kind],
                    )?;
                    applied.items += 1;
                }
                Change::Price(price) => {
                    let minor = match &price.price {
                        None => None,
                        Some(text) => Some(
                            currency
                                .parse(text)
                                .map_err(|e| {
                                    StoreError::Invalid(format!("price of {}: {e}", price.sku))
                                })?
                                .minor(),
                        ),
                    };
                    if parse_local_time(&price.from).is_none() {
                        return Err(StoreError::Invalid(format!(
                            "price of {} from {:?}: not a local time",
                            price.sku, price.from
                        )));
                    }
                    let from = if price.immediate && received_at < price.from.as_str() {
                        received_at
                    } else {
                        price.from.as_str()
                    };
                    tx.execute(
                        "INSERT INTO catalog_price (sku, effective_from, price_minor, version) \
                         VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sku, effective_from) DO UPDATE \
                         SET price_minor = excluded.price_minor, version = excluded.version",
                        params![price.sku, from, minor, versioned.version],
                    )?;
                    applied.prices += 1;
                }
                Change::Taxes { taxes } => {
                    if let Some(fault) = comptoir_protocol::catalog::taxes_fault(taxes) {
                        return Err(StoreError::Invalid(format!("taxes: {fault}")));
                    }
                    let config: String =
                        tx.query_row("SELECT store_config FROM register WHERE id = 1", [], |r| {
                            r.get(0)
                        })?;
                    let mut config: serde_json::Value = serde_json::from_str(&config)
                        .map_err(|e| StoreError::Invalid(format!("store configuration: {e}")))?;
                    config["taxes"] = serde_json::to_value(taxes)
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    tx.execute(
                        "UPDATE register SET store_config = ?1 WHERE id = 1",
                        [config.to_string()],
                    )?;
                    applied.taxes = true;
                }
                Change::Promotion(promotion) => {
                    // Kept as sent: the register converts it when it loads promotions and
                    // leaves out (with a warning) one it cannot use, so a record it does not
                    // understand never stops the catalog's pull.
                    upsert_promotion(&tx, promotion, versioned.version)?;
                    applied.promotions += 1;
                }
            }
            applied.version = versioned.version;
        }
        if !page.more && page.changes.is_empty() {
            applied.version = applied.version.max(page.latest);
        }
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![VERSION_KEY, applied.version.to_string()],
        )?;
        tx.commit()?;
        Ok(applied)
    }

    /// The promotions held, by id (retired ones are not kept).
    pub fn promotions(&self) -> Result<Vec<PromotionRecord>, StoreError> {
        let mut statement = self.conn().prepare("SELECT id, record FROM promotion ORDER BY id")?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .map(|(id, json)| {
                serde_json::from_str(&json)
                    .map_err(|e| StoreError::Invalid(format!("stored promotion {id}: {e}")))
            })
            .collect()
    }

    /// Replaces the promotions held with these, in one transaction (a demo store's file, or a
    /// promotions file imported on a register the server does not manage).
    pub fn replace_promotions(&mut self, records: &[PromotionRecord]) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        tx.execute("DELETE FROM promotion", [])?;
        for record in records {
            upsert_promotion(&tx, record, 0)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every price from a moment on, by item and moment.
    pub fn catalog_prices(&self) -> Result<Vec<PriceRow>, StoreError> {
        let mut statement = self.conn().prepare(
            "SELECT sku, effective_from, price_minor, version FROM catalog_price ORDER BY sku, effective_from",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(PriceRow {
                sku: r.get(0)?,
                from: r.get(1)?,
                price_minor: r.get(2)?,
                version: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Keeps a promotion by id, or deletes it when it is retired.
fn upsert_promotion(
    tx: &rusqlite::Transaction<'_>,
    promotion: &PromotionRecord,
    version: i64,
) -> Result<(), StoreError> {
    if promotion.retired {
        tx.execute("DELETE FROM promotion WHERE id = ?1", [&promotion.id])?;
        return Ok(());
    }
    let json = serde_json::to_string(promotion).map_err(|e| StoreError::Invalid(e.to_string()))?;
    tx.execute(
        "INSERT INTO promotion (id, record, version) VALUES (?1, ?2, ?3) \
         ON CONFLICT (id) DO UPDATE SET record = excluded.record, version = excluded.version",
        params![promotion.id, json, version],
    )?;
    Ok(())
}

const STOCK_AS_OF: &str = "stock_as_of";
const STOCK_RECEIVED_AT: &str = "stock_received_at";

/// A SKU's on-hand in the register's store as the server last told it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockRow {
    pub sku: String,
    pub on_hand: String,
    /// When the server's level last changed.
    pub updated_at: String,
}

impl Store {
    /// Keeps the levels the server sent, when it sent them (its clock, for the next pull) and
    /// when they came (`received_at`, the register's clock, for their age), in one transaction.
    pub fn apply_stock(
        &mut self,
        page: &comptoir_protocol::wire::StockPage,
        received_at: &str,
    ) -> Result<usize, StoreError> {
        let tx = self.conn_mut().transaction()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO stock_level (sku, on_hand, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (sku) DO UPDATE SET on_hand = excluded.on_hand, updated_at = excluded.updated_at",
            )?;
            for level in &page.levels {
                upsert.execute(params![level.sku, level.on_hand, level.updated_at])?;
            }
        }
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![STOCK_AS_OF, page.as_of],
        )?;
        tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![STOCK_RECEIVED_AT, received_at],
        )?;
        tx.commit()?;
        Ok(page.levels.len())
    }

    /// When the server last told the register its stock (the server's clock), if ever.
    pub fn stock_as_of(&self) -> Result<Option<String>, StoreError> {
        self.setting(STOCK_AS_OF)
    }

    /// When the register last heard its stock (its own clock), if ever.
    pub fn stock_received_at(&self) -> Result<Option<String>, StoreError> {
        self.setting(STOCK_RECEIVED_AT)
    }

    pub fn stock_of(&self, sku: &str) -> Result<Option<StockRow>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT sku, on_hand, updated_at FROM stock_level WHERE sku = ?1",
                [sku],
                |r| Ok(StockRow { sku: r.get(0)?, on_hand: r.get(1)?, updated_at: r.get(2)? }),
            )
            .optional()?)
    }
}
