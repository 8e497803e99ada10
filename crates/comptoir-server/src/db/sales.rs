//! Sales by receipt number and the returns of each, on both databases (see [`crate::sales`]).

use comptoir_protocol::LedgerEntry;

use super::sql::{
    CREDIT_ENTRIES, CREDITS_HELD, INSERT_CREDIT_LEG, INSERT_RETURNED_LINE, RETURNS_HELD,
    RETURNS_OF, SALES_BY_RECEIPT,
};
use super::{Db, DbResult};
use crate::sales::{Found, ReturnedLine, credit_notes_of, returned_lines_of};

fn sqlite_entry(r: &rusqlite::Row<'_>, from: usize) -> rusqlite::Result<LedgerEntry> {
    Ok(LedgerEntry {
        epoch: r.get(from)?,
        seq: r.get(from + 1)?,
        entry_id: r.get(from + 2)?,
        kind: r.get(from + 3)?,
        recorded_at: r.get(from + 4)?,
        business_day: r.get(from + 5)?,
        receipt_no: r.get(from + 6)?,
        external_ref: r.get(from + 7)?,
        payload: r.get(from + 8)?,
        prev_hash: r.get(from + 9)?,
        hash: r.get(from + 10)?,
    })
}

fn pg_entry(r: &tokio_postgres::Row, from: usize) -> LedgerEntry {
    LedgerEntry {
        epoch: r.get(from),
        seq: r.get(from + 1),
        entry_id: r.get(from + 2),
        kind: r.get(from + 3),
        recorded_at: r.get(from + 4),
        business_day: r.get(from + 5),
        receipt_no: r.get(from + 6),
        external_ref: r.get(from + 7),
        payload: r.get(from + 8),
        prev_hash: r.get(from + 9),
        hash: r.get(from + 10),
    }
}

impl Db {
    /// The sales and exchanges held with this receipt number, at any register (one, unless
    /// stores share a receipt prefix).
    pub async fn sales_by_receipt(&self, receipt_no: &str) -> DbResult<Vec<Found>> {
        match self {
            Db::Sqlite(db) => {
                let receipt = receipt_no.to_owned();
                db.run(move |conn| {
                    let mut st = conn.prepare_cached(&super::sqlite::q(SALES_BY_RECEIPT))?;
                    let rows = st.query_map([&receipt], |r| {
                        Ok(Found {
                            register_id: r.get(0)?,
                            store: r.get(1)?,
                            currency: r.get(2)?,
                            entry: sqlite_entry(r, 3)?,
                        })
                    })?;
                    Ok(rows.collect::<Result<_, _>>()?)
                })
                .await
            }
            Db::Postgres(db) => {
                let client = db.pool.get().await?;
                let rows = client.query(SALES_BY_RECEIPT, &[&receipt_no]).await?;
                Ok(rows
                    .iter()
                    .map(|r| Found {
                        register_id: r.get(0),
                        store: r.get(1),
                        currency: r.get(2),
                        entry: pg_entry(r, 3),
                    })
                    .collect())
            }
        }
    }

    /// The return and exchange entries held with a line of the sale `receipt_no` (entry
    /// `entry_id`), in the order recorded.
    pub async fn returns_of(&self, receipt_no: &str, entry_id: &str) -> DbResult<Vec<LedgerEntry>> {
        match self {
            Db::Sqlite(db) => {
                let (receipt, entry) = (receipt_no.to_owned(), entry_id.to_owned());
                db.run(move |conn| {
                    let mut st = conn.prepare_cached(&super::sqlite::q(RETURNS_OF))?;
                    let rows = st.query_map([&receipt, &entry], |r| sqlite_entry(r, 0))?;
                    Ok(rows.collect::<Result<_, _>>()?)
                })
                .await
            }
            Db::Postgres(db) => {
                let client = db.pool.get().await?;
                let rows = client.query(RETURNS_OF, &[&receipt_no, &entry_id]).await?;
                Ok(rows.iter().map(|r| pg_entry(r, 0)).collect())
            }
        }
    }
}

impl Db {
    /// The entries held with a leg on the credit note `reference`, each with its store's
    /// currency, in the order recorded.
    pub async fn credit_entries(&self, reference: &str) -> DbResult<Vec<(String, LedgerEntry)>> {
        match self {
            Db::Sqlite(db) => {
                let reference = reference.to_owned();
                db.run(move |conn| {
                    let mut st = conn.prepare_cached(&super::sqlite::q(CREDIT_ENTRIES))?;
                    let rows =
                        st.query_map([&reference], |r| Ok((r.get(0)?, sqlite_entry(r, 1)?)))?;
                    Ok(rows.collect::<Result<_, _>>()?)
                })
                .await
            }
            Db::Postgres(db) => {
                let client = db.pool.get().await?;
                let rows = client.query(CREDIT_ENTRIES, &[&reference]).await?;
                Ok(rows.iter().map(|r| (r.get(0), pg_entry(r, 1))).collect())
            }
        }
    }
}

/// Writes the credit notes of a batch's accepted entries, in the batch's transaction.
pub(super) fn insert_credits_sqlite(
    tx: &rusqlite::Transaction<'_>,
    register_id: &str,
    epoch: i64,
    notes: &[(i64, String)],
) -> DbResult<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let mut insert = tx.prepare_cached(&super::sqlite::q(INSERT_CREDIT_LEG))?;
    for (seq, reference) in notes {
        insert.execute(rusqlite::params![reference, register_id, epoch, seq])?;
    }
    Ok(())
}

pub(super) async fn insert_credits_pg(
    tx: &deadpool_postgres::Transaction<'_>,
    register_id: &str,
    epoch: i64,
    notes: &[(i64, String)],
) -> DbResult<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let insert = tx.prepare_cached(INSERT_CREDIT_LEG).await?;
    for (seq, reference) in notes {
        tx.execute(&insert, &[reference, &register_id, &epoch, seq]).await?;
    }
    Ok(())
}

/// The credit notes of the entries held before `credit_leg` existed (the migration's step).
pub(super) fn backfill_credits_sqlite(tx: &rusqlite::Transaction<'_>) -> DbResult<u64> {
    let mut added = 0;
    for (register_id, epoch, seq, kind, payload) in held_sqlite(tx, CREDITS_HELD)? {
        let notes: Vec<_> =
            credit_notes_of(&kind, &payload).into_iter().map(|n| (seq, n)).collect();
        added += notes.len() as u64;
        insert_credits_sqlite(tx, &register_id, epoch, &notes)?;
    }
    Ok(added)
}

pub(super) async fn backfill_credits_pg(tx: &deadpool_postgres::Transaction<'_>) -> DbResult<u64> {
    let mut added = 0;
    for row in tx.query(CREDITS_HELD, &[]).await? {
        let (register_id, epoch, seq): (String, i64, i64) = (row.get(0), row.get(1), row.get(2));
        let (kind, payload): (String, String) = (row.get(3), row.get(4));
        let notes: Vec<_> =
            credit_notes_of(&kind, &payload).into_iter().map(|n| (seq, n)).collect();
        added += notes.len() as u64;
        insert_credits_pg(tx, &register_id, epoch, &notes).await?;
    }
    Ok(added)
}

/// Writes the returned lines of a batch's accepted entries, in the batch's transaction.
pub(super) fn insert_sqlite(
    tx: &rusqlite::Transaction<'_>,
    register_id: &str,
    epoch: i64,
    lines: &[(i64, ReturnedLine)],
) -> DbResult<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let mut insert = tx.prepare_cached(&super::sqlite::q(INSERT_RETURNED_LINE))?;
    for (seq, l) in lines {
        insert.execute(rusqlite::params![
            l.original_receipt,
            register_id,
            epoch,
            seq,
            l.line,
            l.original_line,
            l.original_entry,
            l.qty
        ])?;
    }
    Ok(())
}

pub(super) async fn insert_pg(
    tx: &deadpool_postgres::Transaction<'_>,
    register_id: &str,
    epoch: i64,
    lines: &[(i64, ReturnedLine)],
) -> DbResult<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let insert = tx.prepare_cached(INSERT_RETURNED_LINE).await?;
    for (seq, l) in lines {
        tx.execute(
            &insert,
            &[
                &l.original_receipt,
                &register_id,
                &epoch,
                seq,
                &l.line,
                &l.original_line,
                &l.original_entry,
                &l.qty,
            ],
        )
        .await?;
    }
    Ok(())
}

/// The returned lines of the entries held before `returned_line` existed (the migration's
/// step, in its transaction).
pub(super) fn backfill_sqlite(tx: &rusqlite::Transaction<'_>) -> DbResult<u64> {
    let mut added = 0;
    for (register_id, epoch, seq, kind, payload) in held_sqlite(tx, RETURNS_HELD)? {
        let lines: Vec<_> =
            returned_lines_of(&kind, &payload).into_iter().map(|l| (seq, l)).collect();
        added += lines.len() as u64;
        insert_sqlite(tx, &register_id, epoch, &lines)?;
    }
    Ok(added)
}

pub(super) async fn backfill_pg(tx: &deadpool_postgres::Transaction<'_>) -> DbResult<u64> {
    let mut added = 0;
    for row in tx.query(RETURNS_HELD, &[]).await? {
        let (register_id, epoch, seq): (String, i64, i64) = (row.get(0), row.get(1), row.get(2));
        let (kind, payload): (String, String) = (row.get(3), row.get(4));
        let lines: Vec<_> =
            returned_lines_of(&kind, &payload).into_iter().map(|l| (seq, l)).collect();
        added += lines.len() as u64;
        insert_pg(tx, &register_id, epoch, &lines).await?;
    }
    Ok(added)
}

/// The rows (register, epoch, seq, kind, payload) of a migration step's query of the entries
/// held.
type Held = (String, i64, i64, String, String);

fn held_sqlite(tx: &rusqlite::Transaction<'_>, query: &str) -> DbResult<Vec<Held>> {
    let mut st = tx.prepare(query)?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
