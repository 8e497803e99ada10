//! Reads of a store's published catalog for checks elsewhere (a stock movement's SKU), on both
//! databases.

use super::{Db, DbResult};

const CATALOG_VERSION: &str = "SELECT catalog_version FROM store WHERE code = $1";
const ITEM: &str = "SELECT c.change FROM catalog_current c JOIN store s ON s.id = c.store_id \
    WHERE s.code = $1 AND c.key = $2";
const BY_GTIN: &str = "SELECT c.change FROM catalog_current c JOIN store s ON s.id = c.store_id \
    WHERE s.code = $1 AND c.key LIKE 'item:%' AND c.change LIKE $2 LIMIT 1";

/// What a store's published catalog says of a code given as a SKU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogItem {
    /// The store's catalog is not published from the server (its registers keep their own).
    NoCatalog,
    Found(comptoir_protocol::catalog::ItemRecord),
    /// Not a SKU of the store; `by_gtin` is the item whose barcode it is, if any.
    Unknown {
        by_gtin: Option<String>,
    },
}

fn item(json: &str) -> Option<comptoir_protocol::catalog::ItemRecord> {
    match serde_json::from_str(json).ok()? {
        comptoir_protocol::catalog::Change::Item(item) => Some(item),
        _ => None,
    }
}

impl Db {
    /// Looks `sku` up in the store's published catalog (and, when it is not a SKU there, as a
    /// barcode, for the error message).
    pub async fn catalog_item(&self, store_code: &str, sku: &str) -> DbResult<CatalogItem> {
        let key = format!("item:{sku}");
        let gtin = comptoir_core::gtin::Gtin14::parse(sku).ok().map(|g| g.as_str().to_owned());
        let pattern = gtin.as_ref().map(|g| format!("%\"gtin\":\"{g}\"%"));
        let (version, found, by_gtin): (Option<i64>, Option<String>, Option<String>) = match self {
            Db::Sqlite(db) => {
                let (store, pattern) = (store_code.to_owned(), pattern.clone());
                db.run(move |conn| {
                    use rusqlite::OptionalExtension;
                    let q = super::sqlite::q;
                    let version =
                        conn.query_row(&q(CATALOG_VERSION), [&store], |r| r.get(0)).optional()?;
                    let found =
                        conn.query_row(&q(ITEM), [&store, &key], |r| r.get(0)).optional()?;
                    let by_gtin = match pattern {
                        Some(p) => {
                            conn.query_row(&q(BY_GTIN), [&store, &p], |r| r.get(0)).optional()?
                        }
                        None => None,
                    };
                    Ok((version, found, by_gtin))
                })
                .await?
            }
            Db::Postgres(db) => {
                let client = db.pool.get().await?;
                let version =
                    client.query_opt(CATALOG_VERSION, &[&store_code]).await?.map(|r| r.get(0));
                let found = client.query_opt(ITEM, &[&store_code, &key]).await?.map(|r| r.get(0));
                let by_gtin = match &pattern {
                    Some(p) => {
                        client.query_opt(BY_GTIN, &[&store_code, p]).await?.map(|r| r.get(0))
                    }
                    None => None,
                };
                (version, found, by_gtin)
            }
        };
        if version.unwrap_or(0) == 0 {
            return Ok(CatalogItem::NoCatalog);
        }
        if let Some(found) = found.as_deref().and_then(item).filter(|i| !i.retired) {
            return Ok(CatalogItem::Found(found));
        }
        Ok(CatalogItem::Unknown { by_gtin: by_gtin.as_deref().and_then(item).map(|i| i.sku) })
    }
}
