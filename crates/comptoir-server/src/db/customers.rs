//! The customer log, on both databases: each customer's document as chunks, in the order they
//! were written, chain-wide. A write loads the documents it names, lets the caller merge into
//! each, and appends what the merge gives; PostgreSQL takes `customer_log_lock` first, so
//! writes commit in log order and a pull after a position never skips a row still being
//! written. Keys are never here (see `crate::keys`).

use serde::Serialize;

use super::{Db, DbResult, PgDb, SqliteDb};

/// What to do with one document, decided from its stored chunks (and how many there are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerOutcome {
    Unchanged,
    /// Append `chunk`; `whole`: it replaces every stored chunk. `erasure`: the document now
    /// carries a tombstone (when, in Unix ms, and by which replica).
    Append {
        chunk: Vec<u8>,
        whole: bool,
        erasure: Option<(i64, String)>,
    },
    /// The pushed changes need changes the server lacks.
    Resend,
    /// The pushed chunks do not decode.
    Refused(String),
}

/// What a write did to one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    Unchanged,
    /// Stored; `erased`: this write is the one that recorded its erasure.
    Stored {
        erased: bool,
    },
    Resend,
    Refused(String),
}

/// The merge a write runs on each document it names: `(id, stored chunks)`.
pub type CustomerMerge = Box<dyn FnMut(&str, &[Vec<u8>]) -> CustomerOutcome + Send>;

/// A customer as the server lists them (nothing personal).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CustomerRow {
    pub id: String,
    pub chunks: i64,
    pub updated_at: String,
    /// When the customer was erased (Unix ms inside; shown as UTC time), and by which replica.
    #[serde(serialize_with = "as_utc")]
    pub erased_at: Option<i64>,
    pub erased_by: Option<String>,
}

fn as_utc<S: serde::Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    let text = ms
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    serde::Serialize::serialize(&text, s)
}

/// A page of the log: `(position, customer, chunk)` rows and the log's last position.
pub type LogPage = (Vec<(i64, String, Vec<u8>)>, i64);

const LOAD: &str = "SELECT bytes FROM customer_log WHERE customer_id = $1 ORDER BY serial";
const ERASED: &str = "SELECT erased_at FROM customer WHERE customer_id = $1";
const TOUCH: &str = "INSERT INTO customer (customer_id, chunks, updated_at) VALUES ($1, 0, $2) \
    ON CONFLICT (customer_id) DO NOTHING";
const APPEND: &str =
    "INSERT INTO customer_log (customer_id, bytes) VALUES ($1, $2) RETURNING serial";
const DROP_BEFORE: &str = "DELETE FROM customer_log WHERE customer_id = $1 AND serial < $2";
const COUNT: &str = "UPDATE customer SET chunks = (SELECT COUNT(*) FROM customer_log \
    WHERE customer_id = $1), updated_at = $2 WHERE customer_id = $1";
const ERASE: &str = "UPDATE customer SET erased_at = $2, erased_by = $3 \
    WHERE customer_id = $1 AND erased_at IS NULL";
const PAGE: &str = "SELECT serial, customer_id, bytes FROM customer_log WHERE serial > $1 \
    ORDER BY serial LIMIT $2";
const HEAD: &str = "SELECT COALESCE(MAX(serial), 0) FROM customer_log";
const LIST: &str =
    "SELECT customer_id, chunks, updated_at, erased_at, erased_by FROM customer ORDER BY 1";
const ALL_ERASED: &str = "SELECT customer_id FROM customer WHERE erased_at IS NOT NULL";

/// Cuts a page at `max_bytes` of chunks (keeping at least one row) and says whether more wait.
fn cut(
    mut rows: Vec<(i64, String, Vec<u8>)>,
    limit: usize,
    max_bytes: usize,
) -> (Vec<(i64, String, Vec<u8>)>, bool) {
    let mut more = rows.len() > limit;
    rows.truncate(limit);
    let mut bytes = 0;
    let mut keep = rows.len();
    for (i, row) in rows.iter().enumerate() {
        bytes += row.2.len();
        if bytes > max_bytes && i > 0 {
            keep = i;
            more = true;
            break;
        }
    }
    rows.truncate(keep);
    (rows, more)
}

impl SqliteDb {
    async fn customer_write(
        &self,
        ids: Vec<String>,
        mut merge: CustomerMerge,
        now: String,
    ) -> DbResult<Vec<(String, Written)>> {
        use super::sqlite::q;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let mut done = Vec::with_capacity(ids.len());
            for id in ids {
                let stored: Vec<Vec<u8>> = {
                    let mut stmt = tx.prepare_cached(&q(LOAD))?;
                    stmt.query_map([&id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
                };
                let written = match merge(&id, &stored) {
                    CustomerOutcome::Unchanged => Written::Unchanged,
                    CustomerOutcome::Resend => Written::Resend,
                    CustomerOutcome::Refused(why) => Written::Refused(why),
                    CustomerOutcome::Append { chunk, whole, erasure } => {
                        tx.execute(&q(TOUCH), rusqlite::params![id, now])?;
                        let serial: i64 =
                            tx.query_row(&q(APPEND), rusqlite::params![id, chunk], |r| r.get(0))?;
                        if whole {
                            tx.execute(&q(DROP_BEFORE), rusqlite::params![id, serial])?;
                        }
                        tx.execute(&q(COUNT), rusqlite::params![id, now])?;
                        let erased = match erasure {
                            Some((at, by)) => {
                                tx.execute(&q(ERASE), rusqlite::params![id, at, by])? == 1
                            }
                            None => false,
                        };
                        Written::Stored { erased }
                    }
                };
                done.push((id, written));
            }
            tx.commit()?;
            Ok(done)
        })
        .await
    }

    async fn customer_page(&self, since: i64, limit: usize, max_bytes: usize) -> DbResult<LogPage> {
        use super::sqlite::q;
        self.run(move |conn| {
            let rows = {
                let mut stmt = conn.prepare_cached(&q(PAGE))?;
                stmt.query_map(rusqlite::params![since, limit as i64 + 1], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?
            };
            let head: i64 = conn.query_row(HEAD, [], |r| r.get(0))?;
            let (rows, _) = cut(rows, limit, max_bytes);
            Ok((rows, head))
        })
        .await
    }

    async fn customer_chunks(&self, id: String) -> DbResult<(Vec<Vec<u8>>, Option<i64>)> {
        use super::sqlite::q;
        use rusqlite::OptionalExtension;
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(&q(LOAD))?;
            let chunks = stmt.query_map([&id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            let erased: Option<Option<i64>> =
                conn.query_row(&q(ERASED), [&id], |r| r.get(0)).optional()?;
            Ok((chunks, erased.flatten()))
        })
        .await
    }

    async fn customers(&self) -> DbResult<Vec<CustomerRow>> {
        self.run(|conn| {
            let mut stmt = conn.prepare(LIST)?;
            let rows = stmt.query_map([], |r| {
                Ok(CustomerRow {
                    id: r.get(0)?,
                    chunks: r.get(1)?,
                    updated_at: r.get(2)?,
                    erased_at: r.get(3)?,
                    erased_by: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn erased_customers(&self) -> DbResult<Vec<String>> {
        self.run(|conn| {
            let mut stmt = conn.prepare(ALL_ERASED)?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}

impl PgDb {
    async fn customer_write(
        &self,
        ids: Vec<String>,
        mut merge: CustomerMerge,
        now: String,
    ) -> DbResult<Vec<(String, Written)>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT one FROM customer_log_lock WHERE one = 1 FOR UPDATE", &[]).await?;
        let mut done = Vec::with_capacity(ids.len());
        for id in ids {
            let stored: Vec<Vec<u8>> =
                tx.query(LOAD, &[&id]).await?.iter().map(|r| r.get(0)).collect();
            let written = match merge(&id, &stored) {
                CustomerOutcome::Unchanged => Written::Unchanged,
                CustomerOutcome::Resend => Written::Resend,
                CustomerOutcome::Refused(why) => Written::Refused(why),
                CustomerOutcome::Append { chunk, whole, erasure } => {
                    tx.execute(TOUCH, &[&id, &now]).await?;
                    let serial: i64 = tx.query_one(APPEND, &[&id, &chunk]).await?.get(0);
                    if whole {
                        tx.execute(DROP_BEFORE, &[&id, &serial]).await?;
                    }
                    tx.execute(COUNT, &[&id, &now]).await?;
                    let erased = match erasure {
                        Some((at, by)) => tx.execute(ERASE, &[&id, &at, &by]).await? == 1,
                        None => false,
                    };
                    Written::Stored { erased }
                }
            };
            done.push((id, written));
        }
        tx.commit().await?;
        Ok(done)
    }

    async fn customer_page(&self, since: i64, limit: usize, max_bytes: usize) -> DbResult<LogPage> {
        let client = self.pool.get().await?;
        let rows: Vec<(i64, String, Vec<u8>)> = client
            .query(PAGE, &[&since, &(limit as i64 + 1)])
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        let head: i64 = client.query_one(HEAD, &[]).await?.get(0);
        let (rows, _) = cut(rows, limit, max_bytes);
        Ok((rows, head))
    }

    async fn customer_chunks(&self, id: String) -> DbResult<(Vec<Vec<u8>>, Option<i64>)> {
        let client = self.pool.get().await?;
        let chunks = client.query(LOAD, &[&id]).await?.iter().map(|r| r.get(0)).collect();
        let erased = client.query_opt(ERASED, &[&id]).await?.and_then(|r| r.get(0));
        Ok((chunks, erased))
    }

    async fn customers(&self) -> DbResult<Vec<CustomerRow>> {
        let client = self.pool.get().await?;
        Ok(client
            .query(LIST, &[])
            .await?
            .iter()
            .map(|r| CustomerRow {
                id: r.get(0),
                chunks: r.get(1),
                updated_at: r.get(2),
                erased_at: r.get(3),
                erased_by: r.get(4),
            })
            .collect())
    }

    async fn erased_customers(&self) -> DbResult<Vec<String>> {
        let client = self.pool.get().await?;
        Ok(client.query(ALL_ERASED, &[]).await?.iter().map(|r| r.get(0)).collect())
    }
}

impl Db {
    /// Loads each named document, runs `merge` on it and stores what it gives, all in one
    /// transaction (in the order of `ids`).
    pub async fn customer_write(
        &self,
        ids: Vec<String>,
        merge: CustomerMerge,
        now: &str,
    ) -> DbResult<Vec<(String, Written)>> {
        both!(self, db => db.customer_write(ids, merge, now.to_owned()))
    }

    /// The log after `since`: at most `limit` rows, fewer past `max_bytes`; and the last
    /// position. More wait when the last row returned is before the last position.
    pub async fn customer_page(
        &self,
        since: i64,
        limit: usize,
        max_bytes: usize,
    ) -> DbResult<LogPage> {
        both!(self, db => db.customer_page(since, limit, max_bytes))
    }

    /// A customer's chunks in order, and when they were erased.
    pub async fn customer_chunks(&self, id: &str) -> DbResult<(Vec<Vec<u8>>, Option<i64>)> {
        both!(self, db => db.customer_chunks(id.to_owned()))
    }

    pub async fn customers(&self) -> DbResult<Vec<CustomerRow>> {
        both!(self, db => db.customers())
    }

    /// Every erased customer's id.
    pub async fn erased_customers(&self) -> DbResult<Vec<String>> {
        both!(self, db => db.erased_customers())
    }
}

impl Db {
    /// Those of `ids` that were erased.
    pub async fn erased_among(&self, ids: Vec<String>) -> DbResult<Vec<String>> {
        if ids.is_empty() {
            return Ok(ids);
        }
        match self {
            Db::Sqlite(db) => {
                db.run(move |conn| {
                    let mut stmt = conn.prepare_cached(&super::sqlite::q(ERASED))?;
                    let mut erased = Vec::new();
                    for id in ids {
                        use rusqlite::OptionalExtension;
                        let at: Option<Option<i64>> =
                            stmt.query_row([&id], |r| r.get(0)).optional()?;
                        if at.flatten().is_some() {
                            erased.push(id);
                        }
                    }
                    Ok(erased)
                })
                .await
            }
            Db::Postgres(db) => {
                let client = db.pool.get().await?;
                let stmt = client.prepare_cached(ERASED).await?;
                let mut erased = Vec::new();
                for id in ids {
                    let at: Option<i64> =
                        client.query_opt(&stmt, &[&id]).await?.and_then(|r| r.get(0));
                    if at.is_some() {
                        erased.push(id);
                    }
                }
                Ok(erased)
            }
        }
    }
}
