//! SQLite persistence: documents as appended automerge chunks, the key table, the erasures.
//!
//! The functions take a `&Connection` (a `&Transaction` derefs to one); those that write more
//! than one row say so and belong in a transaction. Every connection that touches the key table
//! must first go through [`prepare_connection`], so a deleted key is overwritten on its page.

use rusqlite::{Connection, OptionalExtension, params};

use crate::crypto::CustomerKey;
use crate::hlc::ReplicaId;
use crate::model::{CustomerId, Erasure};

/// The tables, for the register's and the server's migrations (SQLite dialect).
///
/// `customer_chunks` holds each document as a full save followed by incremental saves, in
/// `seq` order; only ciphertext of personal fields is in them. `customer_keys` holds the
/// per-customer keys: a row is deleted when the customer is erased. `customer_erasures` is the
/// tombstone list: who erased whom and when, nothing personal.
pub const SCHEMA: &str = "
CREATE TABLE customer_chunks (
    customer_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (customer_id, seq)
);
CREATE TABLE customer_keys (
    customer_id TEXT PRIMARY KEY,
    key BLOB NOT NULL
);
CREATE TABLE customer_erasures (
    customer_id TEXT PRIMARY KEY,
    erased_at INTEGER NOT NULL,
    erased_by TEXT NOT NULL
);
";

/// Turns on `secure_delete`, so SQLite zeroes deleted rows and freed pages: a destroyed key
/// is not left behind in the file's free space. Per connection; call it on every connection
/// that may delete a key.
pub fn prepare_connection(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let on: i64 = conn.pragma_query_value(None, "secure_delete", |row| row.get(0))?;
    if on != 1 {
        return Err(rusqlite::Error::InvalidQuery);
    }
    Ok(())
}

/// Copies the write-ahead log into the database and truncates it to zero bytes, so the pages
/// that held a deleted key before `secure_delete` zeroed them are gone from the WAL too. Call
/// after the transaction that deleted keys has committed. `Ok(false)` if a reader kept the
/// checkpoint from finishing: call again later (the register's next sync does).
pub fn scrub(conn: &Connection) -> rusqlite::Result<bool> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))?;
    Ok(busy == 0)
}

/// Appends one chunk after the customer's last; returns its sequence number.
pub fn append_chunk(conn: &Connection, id: CustomerId, bytes: &[u8]) -> rusqlite::Result<i64> {
    let seq: i64 = conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM customer_chunks WHERE customer_id = ?1",
        [id.to_string()],
        |row| row.get(0),
    )?;
    conn.execute(
        "INSERT INTO customer_chunks (customer_id, seq, bytes) VALUES (?1, ?2, ?3)",
        params![id.to_string(), seq, bytes],
    )?;
    Ok(seq)
}

/// Replaces every chunk of the customer by one full save. Two statements: run in a transaction.
pub fn compact(conn: &Connection, id: CustomerId, full: &[u8]) -> rusqlite::Result<()> {
    let seq = append_chunk(conn, id, full)?;
    conn.execute(
        "DELETE FROM customer_chunks WHERE customer_id = ?1 AND seq < ?2",
        params![id.to_string(), seq],
    )?;
    Ok(())
}

/// How many chunks the customer has.
pub fn chunk_count(conn: &Connection, id: CustomerId) -> rusqlite::Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM customer_chunks WHERE customer_id = ?1",
        [id.to_string()],
        |row| row.get(0),
    )?;
    Ok(usize::try_from(n).unwrap_or(0))
}

/// The customer's key, if held.
pub fn key(conn: &Connection, id: CustomerId) -> rusqlite::Result<Option<CustomerKey>> {
    let bytes: Option<Vec<u8>> = conn
        .query_row(
            "SELECT key FROM customer_keys WHERE customer_id = ?1",
            [id.to_string()],
            |row| row.get(0),
        )
        .optional()?;
    Ok(bytes.and_then(|b| CustomerKey::from_bytes(&b)))
}

/// The customer's chunks, in order.
pub fn load_chunks(conn: &Connection, id: CustomerId) -> rusqlite::Result<Vec<Vec<u8>>> {
    let mut stmt = conn
        .prepare_cached("SELECT bytes FROM customer_chunks WHERE customer_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([id.to_string()], |row| row.get(0))?;
    rows.collect()
}

/// Every customer with a stored document.
pub fn customer_ids(conn: &Connection) -> rusqlite::Result<Vec<CustomerId>> {
    let mut stmt = conn.prepare("SELECT DISTINCT customer_id FROM customer_chunks ORDER BY 1")?;
    let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
    let ids: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(ids.iter().filter_map(|id| id.parse().ok()).collect())
}

/// Stores (or replaces) a customer's key.
pub fn put_key(conn: &Connection, id: CustomerId, key: &CustomerKey) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO customer_keys (customer_id, key) VALUES (?1, ?2)
         ON CONFLICT (customer_id) DO UPDATE SET key = excluded.key",
        params![id.to_string(), key.as_bytes().as_slice()],
    )?;
    Ok(())
}

/// Deletes a customer's key (zeroed on its page if the connection was prepared).
pub fn delete_key(conn: &Connection, id: CustomerId) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM customer_keys WHERE customer_id = ?1", [id.to_string()])?;
    Ok(())
}

/// Every key held.
pub fn load_keys(conn: &Connection) -> rusqlite::Result<Vec<(CustomerId, CustomerKey)>> {
    let mut stmt = conn.prepare("SELECT customer_id, key FROM customer_keys")?;
    let rows =
        stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?)))?;
    let mut keys = Vec::new();
    for row in rows {
        let (id, key) = row?;
        if let (Ok(id), Some(key)) = (id.parse(), CustomerKey::from_bytes(&key)) {
            keys.push((id, key));
        }
    }
    Ok(keys)
}

/// Records an erasure (once; a second record of the same customer keeps the first).
pub fn record_erasure(conn: &Connection, id: CustomerId, erasure: Erasure) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO customer_erasures (customer_id, erased_at, erased_by) VALUES (?1, ?2, ?3)
         ON CONFLICT (customer_id) DO NOTHING",
        params![
            id.to_string(),
            i64::try_from(erasure.at_ms).unwrap_or(i64::MAX),
            erasure.by.to_string()
        ],
    )?;
    Ok(())
}

/// The erasure of a customer, if recorded.
pub fn erasure(conn: &Connection, id: CustomerId) -> rusqlite::Result<Option<Erasure>> {
    conn.query_row(
        "SELECT erased_at, erased_by FROM customer_erasures WHERE customer_id = ?1",
        [id.to_string()],
        |row| Ok(to_erasure(row.get(0)?, row.get(1)?)),
    )
    .optional()
}

/// Every recorded erasure.
pub fn load_erasures(conn: &Connection) -> rusqlite::Result<Vec<(CustomerId, Erasure)>> {
    let mut stmt =
        conn.prepare("SELECT customer_id, erased_at, erased_by FROM customer_erasures")?;
    let rows = stmt.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, to_erasure(row.get(1)?, row.get(2)?)))
    })?;
    let mut all = Vec::new();
    for row in rows {
        let (id, erasure) = row?;
        if let Ok(id) = id.parse() {
            all.push((id, erasure));
        }
    }
    Ok(all)
}

fn to_erasure(at: i64, by: String) -> Erasure {
    Erasure { at_ms: u64::try_from(at).unwrap_or(0), by: ReplicaId(by.parse().unwrap_or_default()) }
}
