//! Customer profiles between the register and the server (`POST /v1/customers:sync`).
//!
//! The register pushes every chunk of its customer tables the server has not acknowledged
//! (`pushed = 0`: what was created or edited here), with the keys of those customers, and
//! pulls the chain's customer log after its cursor: each pulled chunk that brings something
//! new is stored (acknowledged already), the keys the server grants are kept, and a tombstone
//! that arrives destroys the customer's key here. Safe to repeat or cut at any point: a chunk
//! taken twice changes nothing on either side, and a chunk is marked acknowledged only in the
//! transaction that applies the server's answer.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use comptoir_customers::{CustomerDoc, CustomerId, store as cstore};
use comptoir_protocol::wire::{
    self, CustomerChunks, CustomerKeyGrant, CustomerSync, CustomerSyncAnswer,
};
use comptoir_store::Store;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use crate::{HttpTransport, SyncError};

/// The setting holding the last log position taken in.
pub const CURSOR: &str = "customers.cursor";
/// A counter bumped whenever sync changes the customer tables, so the app reads them again.
pub const GENERATION: &str = "customers.generation";
/// The most requests one sync makes (more wait for the next round).
const MAX_REQUESTS: usize = 50;

/// How the register reaches the server's customer log.
pub trait CustomerTransport {
    fn customers_sync(&self, request: &CustomerSync) -> Result<CustomerSyncAnswer, SyncError>;
}

impl CustomerTransport for HttpTransport {
    fn customers_sync(&self, request: &CustomerSync) -> Result<CustomerSyncAnswer, SyncError> {
        self.post_customers(request)
    }
}

/// What one sync of customers did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct CustomerReport {
    pub requests: usize,
    /// Documents the server took in.
    pub pushed: usize,
    /// Pulled documents that brought something new.
    pub pulled: usize,
    pub keys_received: usize,
    /// Customers erased here because their tombstone arrived.
    pub erased: usize,
    /// Documents the server refused (kept here; pushing them again would not help).
    pub refused: usize,
    /// The log position taken in.
    pub cursor: i64,
}

fn storage(e: rusqlite::Error) -> SyncError {
    SyncError::new("storage", format!("customers: {e}"))
}

fn setting(conn: &Connection, key: &str) -> Result<i64, SyncError> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0))
        .optional()
        .map_err(storage)?;
    Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
}

fn set_setting(conn: &Connection, key: &str, value: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO setting (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value.to_string()],
    )?;
    Ok(())
}

/// A document's chunks waiting for the server: the customer, and each chunk's `(seq, bytes)`.
type Waiting = (String, Vec<(i64, Vec<u8>)>);

/// Chunks waiting for the server, at most
/// [`wire::MAX_CUSTOMER_PUSH`] documents and about 3 MB. `true` if more wait.
fn outbox(conn: &Connection) -> Result<(Vec<Waiting>, bool), SyncError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT customer_id, seq, bytes FROM customer_chunks WHERE pushed = 0 \
             ORDER BY customer_id, seq",
        )
        .map_err(storage)?;
    let mut rows = stmt.query([]).map_err(storage)?;
    let mut docs: Vec<Waiting> = Vec::new();
    let mut bytes = 0;
    while let Some(row) = rows.next().map_err(storage)? {
        let id: String = row.get(0).map_err(storage)?;
        let chunk: Vec<u8> = row.get(2).map_err(storage)?;
        let new_doc = docs.last().is_none_or(|(last, _)| *last != id);
        if new_doc
            && (docs.len() == wire::MAX_CUSTOMER_PUSH
                || (bytes > 0 && bytes + chunk.len() > wire::CUSTOMER_PAGE_BYTES))
        {
            return Ok((docs, true));
        }
        bytes += chunk.len();
        if new_doc {
            docs.push((id, Vec::new()));
        }
        let seq: i64 = row.get(1).map_err(storage)?;
        docs.last_mut().expect("pushed above").1.push((seq, chunk));
    }
    Ok((docs, false))
}

/// Documents held without their key (and not erased): the server is asked for them.
fn keyless(conn: &Connection) -> Result<Vec<String>, SyncError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT DISTINCT c.customer_id FROM customer_chunks c \
             WHERE NOT EXISTS (SELECT 1 FROM customer_keys k WHERE k.customer_id = c.customer_id) \
             AND NOT EXISTS (SELECT 1 FROM customer_erasures e WHERE e.customer_id = c.customer_id) \
             LIMIT 500",
        )
        .map_err(storage)?;
    let rows = stmt.query_map([], |r| r.get(0)).map_err(storage)?;
    rows.collect::<rusqlite::Result<_>>().map_err(storage)
}

fn grant(conn: &Connection, id: &str) -> Result<Option<CustomerKeyGrant>, SyncError> {
    let Ok(parsed) = id.parse::<CustomerId>() else { return Ok(None) };
    let key = cstore::key(conn, parsed).map_err(storage)?;
    Ok(key.map(|k| CustomerKeyGrant { id: id.to_owned(), key: B64.encode(k.as_bytes()) }))
}

/// Pushes and pulls customers until both sides hold the same (or [`MAX_REQUESTS`] were made).
pub fn sync_customers(
    transport: &dyn CustomerTransport,
    store: &Store,
) -> Result<CustomerReport, SyncError> {
    let conn = store.customers_connection();
    cstore::prepare_connection(conn).map_err(storage)?;
    let mut report = CustomerReport::default();
    let mut asked_by_server: Vec<String> = Vec::new();
    let mut resent = std::collections::HashSet::new();
    while report.requests < MAX_REQUESTS {
        let since = setting(conn, CURSOR)?;
        let (docs, more_to_push) = outbox(conn)?;
        let mut keys = Vec::new();
        for id in docs.iter().map(|(id, _)| id).chain(asked_by_server.iter()) {
            if let Some(key) = grant(conn, id)? {
                keys.push(key);
            }
        }
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        keys.dedup_by(|a, b| a.id == b.id);
        let request = CustomerSync {
            since,
            docs: docs
                .iter()
                .map(|(id, chunks)| CustomerChunks {
                    id: id.clone(),
                    chunks: chunks.iter().map(|(_, c)| B64.encode(c)).collect(),
                })
                .collect(),
            keys,
            want_keys: keyless(conn)?,
        };
        let answer = transport.customers_sync(&request)?;
        report.requests += 1;
        if answer.head < since {
            // The server holds less than this register took in (it was restored from a
            // backup): take its whole log again and give it everything held here.
            tracing::warn!(
                since,
                head = answer.head,
                "the server's customer log went back: syncing every customer again"
            );
            conn.execute_batch(
                "UPDATE customer_chunks SET pushed = 0; DELETE FROM setting WHERE key = 'customers.cursor';",
            )
            .map_err(storage)?;
            continue;
        }
        let erased = apply(conn, &docs, &answer, &mut report)?;
        if erased > 0 && !cstore::scrub(conn).map_err(storage)? {
            tracing::warn!(
                "the WAL could not be truncated after an erasure; the next sync tries again"
            );
        }
        report.cursor = answer.cursor;
        // Keys the server asks for that this register holds and did not just send.
        asked_by_server.clear();
        for id in &answer.want_keys {
            if !request.keys.iter().any(|k| k.id == *id) && grant(conn, id)?.is_some() {
                asked_by_server.push(id.clone());
            }
        }
        // A document to push whole again, once per sync (if the server still lacks what it
        // depends on after that, pushing it again would not help).
        let resend = answer.resend.iter().filter(|id| resent.insert((*id).clone())).count();
        if !answer.more && !more_to_push && resend == 0 && asked_by_server.is_empty() {
            break;
        }
    }
    Ok(report)
}

/// Applies an answer in one transaction; returns how many customers were erased here.
fn apply(
    conn: &Connection,
    sent: &[Waiting],
    answer: &CustomerSyncAnswer,
    report: &mut CustomerReport,
) -> Result<usize, SyncError> {
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate).map_err(storage)?;
    let acknowledged =
        |id: &String| answer.accepted.contains(id) || answer.refused.iter().any(|r| r.id == *id);
    for (id, chunks) in sent.iter().filter(|(id, _)| acknowledged(id)) {
        for (seq, _) in chunks {
            tx.execute(
                "UPDATE customer_chunks SET pushed = 1 WHERE customer_id = ?1 AND seq = ?2",
                params![id, seq],
            )
            .map_err(storage)?;
        }
    }
    report.pushed += answer.accepted.len();
    report.refused += answer.refused.len();
    for refused in &answer.refused {
        tracing::warn!(customer = %refused.id, code = %refused.code, message = %refused.message, "the server refused a customer document");
    }
    for id in &answer.resend {
        tx.execute("UPDATE customer_chunks SET pushed = 0 WHERE customer_id = ?1", [id])
            .map_err(storage)?;
    }

    let mut changed = false;
    let mut erased = 0;
    for doc in &answer.docs {
        let Ok(id) = doc.id.parse::<CustomerId>() else { continue };
        let stored = cstore::load_chunks(&tx, id).map_err(storage)?;
        let mut held = match CustomerDoc::load(id, stored.iter().map(Vec::as_slice)) {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(customer = %id, error = %e, "a stored customer document does not load");
                continue;
            }
        };
        let mut brought = false;
        for chunk in &doc.chunks {
            let Ok(bytes) = B64.decode(chunk.as_bytes()) else { continue };
            let before = held.heads();
            if let Err(e) = held.absorb(&bytes) {
                tracing::warn!(customer = %id, error = %e, "a chunk from the server does not load");
                continue;
            }
            if held.heads() != before || held.missing_deps() {
                let seq = cstore::append_chunk(&tx, id, &bytes).map_err(storage)?;
                tx.execute(
                    "UPDATE customer_chunks SET pushed = 1 WHERE customer_id = ?1 AND seq = ?2",
                    params![id.to_string(), seq],
                )
                .map_err(storage)?;
                brought = true;
            }
        }
        if brought {
            report.pulled += 1;
            changed = true;
        }
        let already = cstore::erasure(&tx, id).map_err(storage)?.is_some();
        if let Some(erasure) = held.erasure().filter(|_| !already) {
            cstore::record_erasure(&tx, id, erasure).map_err(storage)?;
            cstore::delete_key(&tx, id).map_err(storage)?;
            erased += 1;
            changed = true;
        }
    }
    for grant in &answer.keys {
        let Ok(id) = grant.id.parse::<CustomerId>() else { continue };
        let key = B64
            .decode(grant.key.as_bytes())
            .ok()
            .and_then(|k| comptoir_customers::CustomerKey::from_bytes(&k));
        let Some(key) = key else { continue };
        let erased_here = cstore::erasure(&tx, id).map_err(storage)?.is_some();
        if !erased_here && cstore::key(&tx, id).map_err(storage)?.is_none() {
            cstore::put_key(&tx, id, &key).map_err(storage)?;
            report.keys_received += 1;
            changed = true;
        }
    }
    set_setting(&tx, CURSOR, answer.cursor).map_err(storage)?;
    if changed {
        let generation = setting(&tx, GENERATION)?;
        set_setting(&tx, GENERATION, generation + 1).map_err(storage)?;
    }
    tx.commit().map_err(storage)?;
    report.erased += erased;
    Ok(erased)
}
