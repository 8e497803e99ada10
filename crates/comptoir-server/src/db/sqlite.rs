//! SQLite: one file, WAL, `synchronous=FULL`; one connection, so writes are serialised by the
//! connection itself, and every call runs on a blocking thread.

use std::path::Path;
use std::sync::{Arc, Mutex};

use comptoir_protocol::wire::{EpochMark, LedgerBatch};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::sql::*;
use super::*;
use crate::ingest::{self, EpochState};

fn migrations() -> Vec<String> {
    super::sql::MIGRATIONS
        .iter()
        .map(|m| super::sql::dialect(m, super::sql::Dialect::Sqlite))
        .collect()
}

/// `$n` placeholders as SQLite's `?n`.
pub(crate) fn q(sql: &str) -> String {
    sql.replace('$', "?")
}

#[derive(Clone)]
pub struct SqliteDb {
    pub(super) conn: Arc<Mutex<Connection>>,
    /// Pokes the checkpointer after a batch's commit ([`checkpointer`]).
    checkpoint: std::sync::mpsc::SyncSender<()>,
}

/// The WAL's size, in pages, past which the connection that commits checkpoints it itself:
/// only when the checkpointer falls behind (SQLite's own default is 1000, which made every
/// second or third batch wait, before its acknowledgement, for a checkpoint of the ones before).
const COMMIT_CHECKPOINT_PAGES: i64 = 10_000;

/// Copies the WAL's committed pages into the database on a thread and connection of its own,
/// after each batch's commit, so a batch's acknowledgement waits for its own commit (the WAL
/// written and fsynced: durable) and not for copying earlier ones into the database. A
/// passive checkpoint does not block the writer; it fsyncs the database before the WAL may
/// start over, as the connection's own checkpoints do.
fn checkpointer(path: &Path) -> DbResult<std::sync::mpsc::SyncSender<()>> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // One poke waiting is enough: a checkpoint copies everything committed before it.
    let (poke, poked) = std::sync::mpsc::sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("sqlite-checkpoint".to_owned())
        .spawn(move || {
            // Ends when the last handle on the database is dropped.
            while poked.recv().is_ok() {
                let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
                });
                match done {
                    Ok((busy, log, copied)) => tracing::trace!(busy, log, copied, "checkpoint"),
                    Err(e) => {
                        tracing::warn!("checkpoint failed (the next commit tries again): {e}")
                    }
                }
            }
        })
        .map_err(|e| DbError::Backend(format!("cannot start the checkpoint thread: {e}")))?;
    Ok(poke)
}

impl std::fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteDb")
    }
}

fn register_row(row: &Row<'_>) -> rusqlite::Result<RegisterRow> {
    Ok(RegisterRow {
        id: row.get(0)?,
        store_id: row.get(1)?,
        store_code: row.get(2)?,
        number: row.get(3)?,
        name: row.get(4)?,
        device_id: row.get(5)?,
        enrolled_at: row.get(6)?,
        revoked_at: row.get(7)?,
        created_at: row.get(8)?,
    })
}

fn store_row(row: &Row<'_>) -> rusqlite::Result<StoreRow> {
    Ok(StoreRow {
        id: row.get(0)?,
        code: row.get(1)?,
        name: row.get(2)?,
        currency: row.get(3)?,
        time_zone: row.get(4)?,
        created_at: row.get(5)?,
    })
}

fn draft_row(row: &Row<'_>) -> rusqlite::Result<crate::catalog::DraftRow> {
    let published: String = row.get(5)?;
    Ok(crate::catalog::DraftRow {
        id: row.get(0)?,
        created_at: row.get(1)?,
        source: row.get(2)?,
        price_from: row.get(3)?,
        items: row.get(4)?,
        published_to: super::published_stores(&published),
        rows: Vec::new(),
    })
}

fn constraint(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::ConstraintViolation))
}

impl SqliteDb {
    pub async fn open(path: &Path) -> DbResult<SqliteDb> {
        let path = path.to_owned();
        let conn = tokio::task::spawn_blocking(move || -> DbResult<(Connection, std::sync::mpsc::SyncSender<()>)> {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    DbError::Backend(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            if !path.exists() {
                // Sales and credentials' hashes: readable by the server's user only.
                use std::os::unix::fs::OpenOptionsExt;
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&path)
                    .map_err(|e| DbError::Backend(format!("cannot create {}: {e}", path.display())))?;
            }
            let mut conn = Connection::open(&path)?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", true)?;
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            if found > migrations().len() as i64 {
                return Err(DbError::Backend(format!(
                    "{} has schema version {found}, newer than this server ({}): upgrade the server",
                    path.display(),
                    migrations().len()
                )));
            }
            for (index, step) in migrations().iter().enumerate().skip(found as usize) {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute_batch(step)?;
                if index + 1 == RETURNED_LINES_STEP {
                    let added = super::sales::backfill_sqlite(&tx)?;
                    tracing::info!(added, "returned lines of the returns held");
                }
                if index + 1 == CREDIT_LEGS_STEP {
                    let added = super::sales::backfill_credits_sqlite(&tx)?;
                    tracing::info!(added, "credit legs of the entries held");
                }
                tx.pragma_update(None, "user_version", index as i64 + 1)?;
                tx.commit()?;
            }
            let checkpoint = checkpointer(&path)?;
            conn.pragma_update(None, "wal_autocheckpoint", COMMIT_CHECKPOINT_PAGES)?;
            Ok((conn, checkpoint))
        })
        .await
        .map_err(|e| DbError::Backend(e.to_string()))??;
        let (conn, checkpoint) = conn;
        Ok(SqliteDb { conn: Arc::new(Mutex::new(conn)), checkpoint })
    }

    pub(super) async fn run<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> DbResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| DbError::Backend(e.to_string()))?
    }

    pub async fn create_store(&self, store: StoreRow) -> DbResult<StoreRow> {
        self.run(move |conn| {
            let sql =
                q(&format!("INSERT INTO store ({STORE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"));
            match conn.execute(
                &sql,
                params![
                    store.id,
                    store.code,
                    store.name,
                    store.currency,
                    store.time_zone,
                    store.created_at
                ],
            ) {
                Ok(_) => Ok(store),
                Err(e) if constraint(&e) => {
                    Err(DbError::Conflict(format!("a store with code {} exists", store.code)))
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub async fn stores(&self) -> DbResult<Vec<StoreRow>> {
        self.run(|conn| {
            let mut st =
                conn.prepare(&format!("SELECT {STORE_COLUMNS} FROM store ORDER BY code"))?;
            let rows = st.query_map([], store_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn create_register(
        &self,
        store_code: &str,
        number: Option<i64>,
        name: &str,
        id: &str,
        now: &str,
    ) -> DbResult<RegisterRow> {
        let (store_code, name, id, now) =
            (store_code.to_owned(), name.to_owned(), id.to_owned(), now.to_owned());
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let store_id: String = tx
                .query_row("SELECT id FROM store WHERE code = ?1", [&store_code], |r| r.get(0))
                .optional()?
                .ok_or_else(|| DbError::NotFound(format!("no store with code {store_code}")))?;
            let number = match number {
                Some(n) => n,
                None => tx.query_row(
                    "SELECT coalesce(max(number), 0) + 1 FROM register WHERE store_id = ?1",
                    [&store_id],
                    |r| r.get(0),
                )?,
            };
            match tx.execute(
                "INSERT INTO register (id, store_id, number, name, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, store_id, number, name, now],
            ) {
                Ok(_) => {}
                Err(e) if constraint(&e) => {
                    return Err(DbError::Conflict(format!(
                        "store {store_code} already has a register {number}"
                    )));
                }
                Err(e) => return Err(e.into()),
            }
            let row = tx.query_row(
                &format!("SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id WHERE r.id = ?1"),
                [&id],
                register_row,
            )?;
            tx.commit()?;
            Ok(row)
        })
        .await
    }

    pub async fn issue_enrolment(&self, e: NewEnrolment) -> DbResult<()> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // A new code replaces any unused one of the same register.
            tx.execute(
                "DELETE FROM enrolment WHERE register_id = ?1 AND used_at IS NULL",
                [&e.register_id],
            )?;
            tx.execute(
                "INSERT INTO enrolment (code_hash, register_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![e.code_hash, e.register_id, e.created_at, e.expires_at],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn registers(&self, store_code: Option<&str>) -> DbResult<Vec<RegisterRow>> {
        let store_code = store_code.map(str::to_owned);
        self.run(move |conn| {
            let mut st = conn.prepare(&format!(
                "SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id \
                 WHERE CAST(?1 AS TEXT) IS NULL OR s.code = ?1 ORDER BY s.code, r.number"
            ))?;
            let rows = st.query_map([store_code], register_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn register(&self, id: &str) -> DbResult<Option<RegisterRow>> {
        let id = id.to_owned();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    &format!("SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id WHERE r.id = ?1"),
                    [&id],
                    register_row,
                )
                .optional()?)
        })
        .await
    }

    pub async fn revoke(&self, register_id: &str, now: &str) -> DbResult<RegisterRow> {
        let (id, now) = (register_id.to_owned(), now.to_owned());
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE register SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
                params![id, now],
            )?;
            tx.execute("DELETE FROM enrolment WHERE register_id = ?1 AND used_at IS NULL", [&id])?;
            let row = tx
                .query_row(
                    &format!("SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id WHERE r.id = ?1"),
                    [&id],
                    register_row,
                )
                .optional()?
                .ok_or_else(|| DbError::NotFound(format!("no register {id}")))?;
            tx.commit()?;
            Ok(row)
        })
        .await
    }

    pub async fn reinstate(&self, register_id: &str) -> DbResult<RegisterRow> {
        let id = register_id.to_owned();
        self.run(move |conn| {
            conn.execute(
                "UPDATE register SET revoked_at = NULL, credential_hash = NULL WHERE id = ?1",
                [&id],
            )?;
            conn.query_row(
                &format!("SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id WHERE r.id = ?1"),
                [&id],
                register_row,
            )
            .optional()?
            .ok_or_else(|| DbError::NotFound(format!("no register {id}")))
        })
        .await
    }

    pub async fn enrol(&self, attempt: EnrolAttempt) -> DbResult<Enrolment> {
        let EnrolAttempt {
            code_hash,
            store_code,
            device_id,
            register_number,
            tip,
            acked,
            credential_hash,
            now,
        } = attempt;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: Option<(String, String, Option<String>)> = tx
                .query_row(
                    "SELECT register_id, expires_at, used_at FROM enrolment WHERE code_hash = ?1",
                    [&code_hash],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let register_id = match found {
                None => return Ok(Enrolment::Refused("unknown enrolment code".into())),
                Some((_, _, Some(used))) => {
                    return Ok(Enrolment::Refused(format!("enrolment code already used at {used}")));
                }
                Some((_, expires, None)) if expires <= now => {
                    return Ok(Enrolment::Refused(format!("enrolment code expired at {expires}")));
                }
                Some((id, _, None)) => id,
            };
            let register = tx.query_row(
                &format!("SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id WHERE r.id = ?1"),
                [&register_id],
                register_row,
            )?;
            if let Some(refusal) = enrol_refusal(&register, &store_code, register_number) {
                return Ok(Enrolment::Refused(refusal));
            }
            let latest: Option<(i64, i64, String)> = tx
                .query_row(&q(LATEST), [&register_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let hashes: Vec<String> = match &tip {
                Some(t) => tx
                    .prepare(&q(HASH_AT))?
                    .query_map(params![register_id, t.epoch, t.seq], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
                None => Vec::new(),
            };
            if let Some(conflict) =
                super::history_conflict(tip.as_ref(), acked.as_ref(), latest, &hashes)
            {
                return Ok(Enrolment::Conflict(conflict));
            }
            tx.execute("UPDATE enrolment SET used_at = ?2 WHERE code_hash = ?1", params![code_hash, now])?;
            tx.execute(
                "UPDATE register SET credential_hash = ?2, device_id = ?3, enrolled_at = ?4 WHERE id = ?1",
                params![register_id, credential_hash, device_id, now],
            )?;
            let register = tx.query_row(
                &format!("SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id WHERE r.id = ?1"),
                [&register_id],
                register_row,
            )?;
            tx.commit()?;
            Ok(Enrolment::Enrolled(register))
        })
        .await
    }

    pub async fn authenticate(&self, credential_hash: &str) -> DbResult<Option<Authenticated>> {
        let hash = credential_hash.to_owned();
        self.run(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT r.id, r.store_id, s.code, s.currency, r.revoked_at IS NOT NULL, s.time_zone \
                     FROM register r JOIN store s ON s.id = r.store_id WHERE r.credential_hash = ?1",
                )?
                .query_row([&hash], |r| {
                    Ok(Authenticated {
                        register_id: r.get(0)?,
                        store_id: r.get(1)?,
                        store_code: r.get(2)?,
                        currency: r.get(3)?,
                        revoked: r.get(4)?,
                        time_zone: r.get(5)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    pub async fn ingest(
        &self,
        register: &Authenticated,
        batch: LedgerBatch,
        verdicts: Vec<ingest::Verdict>,
        now: &str,
        skew_seconds: i64,
    ) -> DbResult<Plan> {
        let register = register.clone();
        let now = now.to_owned();
        let checkpoint = self.checkpoint.clone();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (rid, epoch) = (register.register_id.as_str(), batch.epoch);
            let mark: Option<(i64, Option<String>)> = tx
                .prepare_cached(
                    "SELECT high_water, last_hash FROM ledger_epoch WHERE register_id = ?1 AND epoch = ?2",
                )?
                .query_row(params![rid, epoch], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let (high_water, last_hash) = mark.clone().unwrap_or((0, None));
            let mut state = EpochState { high_water, last_hash, ..EpochState::default() };
            if let (Some(first), Some(last)) = (batch.entries.first(), batch.entries.last()) {
                if first.seq <= high_water {
                    let mut st = tx.prepare_cached(&q(HELD_HASHES))?;
                    let rows = st.query_map(params![rid, epoch, first.seq, last.seq.min(high_water)], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                    })?;
                    for row in rows {
                        let (seq, hash) = row?;
                        state.held.insert(seq, hash);
                    }
                }
                if high_water == 0 && first.seq == 1 {
                    state.back_link_known = tx
                        .prepare_cached(&q(BACK_LINK_KNOWN))?
                        .query_row(params![rid, first.prev_hash, epoch], |_| Ok(()))
                        .optional()?
                        .is_some();
                }
            }
            if !batch.entries.is_empty() {
                let ids: Vec<&str> = batch.entries.iter().map(|e| e.entry_id.as_str()).collect();
                let ids = serde_json::to_string(&ids).map_err(|e| DbError::Backend(e.to_string()))?;
                let mut st = tx.prepare_cached(
                    "SELECT entry_id FROM ledger WHERE register_id <> ?1 \
                     AND entry_id IN (SELECT value FROM json_each(?2))",
                )?;
                for id in st.query_map(params![rid, ids], |r| r.get::<_, String>(0))? {
                    state.held_elsewhere.insert(id?);
                }
            }
            let sent_any = !batch.entries.is_empty();
            let plan = ingest::plan(batch.entries, &verdicts, &state);
            {
                let mut insert = tx.prepare_cached(&q(INSERT_ENTRY))?;
                for e in &plan.accept {
                    let corrected = super::corrected_day(&e.recorded_at, &e.business_day, skew_seconds, &register.time_zone);
                    insert.execute(params![
                        rid, e.epoch, e.seq, register.store_id, e.entry_id, e.kind, e.recorded_at,
                        e.business_day, e.receipt_no, e.external_ref, e.payload, e.prev_hash, e.hash, now,
                        corrected
                    ])?;
                }
                apply_stock(&tx, &register.store_id, &plan.moved, &now)?;
                super::sales::insert_sqlite(&tx, rid, epoch, &plan.returned)?;
                super::sales::insert_credits_sqlite(&tx, rid, epoch, &plan.credited)?;
                let mut quarantine = tx.prepare_cached(&q(INSERT_QUARANTINE))?;
                for item in &plan.quarantine {
                    let e = &item.entry;
                    let json = serde_json::to_string(e).map_err(|x| DbError::Backend(x.to_string()))?;
                    quarantine.execute(params![
                        rid, e.epoch, e.seq, register.store_id, e.entry_id, e.kind, e.hash,
                        item.in_chain, item.code, item.reason, json, now
                    ])?;
                }
            }
            if plan.high_water != high_water || (mark.is_none() && sent_any) {
                tx.prepare_cached(
                    "INSERT INTO ledger_epoch (register_id, epoch, high_water, last_hash, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (register_id, epoch) DO UPDATE SET \
                     high_water = excluded.high_water, last_hash = excluded.last_hash, updated_at = excluded.updated_at",
                )?
                .execute(params![rid, epoch, plan.high_water, plan.last_hash, now])?;
            }
            tx.commit()?;
            // Full means a checkpoint is already waiting to run.
            let _ = checkpoint.try_send(());
            Ok(plan)
        })
        .await
    }

    pub async fn ledger_status(&self, register_id: &str) -> DbResult<Vec<EpochMark>> {
        let id = register_id.to_owned();
        self.run(move |conn| {
            let mut st = conn.prepare(
                "SELECT epoch, high_water FROM ledger_epoch WHERE register_id = ?1 ORDER BY epoch",
            )?;
            let rows = st
                .query_map([&id], |r| Ok(EpochMark { epoch: r.get(0)?, high_water: r.get(1)? }))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn ledger_entries(
        &self,
        register_id: &str,
        epoch: i64,
        after: i64,
        limit: i64,
    ) -> DbResult<Vec<comptoir_protocol::LedgerEntry>> {
        let id = register_id.to_owned();
        self.run(move |conn| {
            let mut st = conn.prepare_cached(&q(LEDGER_ENTRIES))?;
            let stored = st
                .query_map(params![id, epoch, after, limit], |r| {
                    Ok(comptoir_protocol::LedgerEntry {
                        epoch: r.get(0)?,
                        seq: r.get(1)?,
                        entry_id: r.get(2)?,
                        kind: r.get(3)?,
                        recorded_at: r.get(4)?,
                        business_day: r.get(5)?,
                        receipt_no: r.get(6)?,
                        external_ref: r.get(7)?,
                        payload: r.get(8)?,
                        prev_hash: r.get(9)?,
                        hash: r.get(10)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut st = conn.prepare_cached(&q(IN_CHAIN_QUARANTINE))?;
            let quarantined = st
                .query_map(params![id, epoch, after, limit], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            super::merge_entries(stored, quarantined, limit)
        })
        .await
    }

    pub async fn quarantine(&self, store_code: Option<&str>) -> DbResult<Vec<QuarantineRow>> {
        let store_code = store_code.map(str::to_owned);
        self.run(move |conn| {
            let mut st = conn.prepare(&format!(
                "SELECT {QUARANTINE_COLUMNS} FROM quarantine q JOIN store s ON s.id = q.store_id \
                 WHERE CAST(?1 AS TEXT) IS NULL OR s.code = ?1 ORDER BY q.id"
            ))?;
            let rows = st
                .query_map([store_code], |r| {
                    Ok(QuarantineRow {
                        id: r.get(0)?,
                        register_id: r.get(1)?,
                        store_code: r.get(2)?,
                        epoch: r.get(3)?,
                        seq: r.get(4)?,
                        entry_id: r.get(5)?,
                        kind: r.get(6)?,
                        code: r.get(7)?,
                        reason: r.get(8)?,
                        in_chain: r.get(9)?,
                        received_at: r.get(10)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn log_security(
        &self,
        kind: &str,
        register_id: Option<&str>,
        detail: &str,
        remote: Option<&str>,
        now: &str,
    ) -> DbResult<()> {
        let (kind, register_id, detail, remote, now) = (
            kind.to_owned(),
            register_id.map(str::to_owned),
            detail.to_owned(),
            remote.map(str::to_owned),
            now.to_owned(),
        );
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO security_event (at, kind, register_id, detail, remote) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![now, kind, register_id, detail, remote],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn security_events(&self, limit: i64) -> DbResult<Vec<SecurityEvent>> {
        self.run(move |conn| {
            let mut st = conn.prepare(
                "SELECT id, at, kind, register_id, detail, remote FROM security_event ORDER BY id DESC LIMIT ?1",
            )?;
            let rows = st
                .query_map([limit], |r| {
                    Ok(SecurityEvent {
                        id: r.get(0)?,
                        at: r.get(1)?,
                        kind: r.get(2)?,
                        register_id: r.get(3)?,
                        detail: r.get(4)?,
                        remote: r.get(5)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn ledger_counts(&self, store_code: Option<&str>) -> DbResult<Vec<LedgerCount>> {
        let store_code = store_code.map(str::to_owned);
        self.run(move |conn| {
            let mut st = conn.prepare(&q(LEDGER_COUNTS))?;
            let rows = st
                .query_map([store_code], |r| {
                    Ok(LedgerCount {
                        register_id: r.get(0)?,
                        entries: r.get(1)?,
                        sales: r.get(2)?,
                        quarantined: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn day_sales(&self, store_code: &str, day: &str) -> DbResult<Vec<String>> {
        let (store_code, day) = (store_code.to_owned(), day.to_owned());
        self.run(move |conn| {
            let mut st = conn.prepare(&q(DAY_SALES))?;
            let rows =
                st.query_map(params![store_code, day], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn sale_payloads(&self, store_code: &str) -> DbResult<Vec<String>> {
        let store_code = store_code.to_owned();
        self.run(move |conn| {
            let mut st = conn.prepare(&q(SALE_PAYLOADS))?;
            let rows = st.query_map([store_code], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }
    pub async fn record_movements(
        &self,
        movements: Vec<crate::stock::Movement>,
        now: &str,
    ) -> DbResult<Vec<crate::stock::Level>> {
        let now = now.to_owned();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut levels = Vec::new();
            for m in &movements {
                let store_id: String = tx
                    .query_row("SELECT id FROM store WHERE code = ?1", [&m.store], |r| r.get(0))
                    .optional()?
                    .ok_or_else(|| DbError::NotFound(format!("no store with code {}", m.store)))?;
                tx.execute(
                    &q(INSERT_MOVEMENT),
                    params![store_id, m.sku, m.delta_milli, m.kind, m.reference, now],
                )?;
                let mut one = std::collections::BTreeMap::new();
                one.insert(
                    m.sku.clone(),
                    (m.delta_milli, vec![format!("{}:{}", m.kind, m.reference)]),
                );
                let after = apply_stock(&tx, &store_id, &one, &now)?;
                levels.push(super::level(m.store.clone(), m.sku.clone(), after[0], now.clone()));
            }
            tx.commit()?;
            Ok(levels)
        })
        .await
    }

    pub async fn on_hand(&self, store_code: &str, sku: &str) -> DbResult<i64> {
        let (store_code, sku) = (store_code.to_owned(), sku.to_owned());
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT l.on_hand_milli FROM stock_level l JOIN store s ON s.id = l.store_id \
                     WHERE s.code = ?1 AND l.sku = ?2",
                    params![store_code, sku],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0))
        })
        .await
    }

    pub async fn stock_levels(
        &self,
        store_id: &str,
        since: &str,
    ) -> DbResult<Vec<crate::stock::Level>> {
        let (store_id, since) = (store_id.to_owned(), since.to_owned());
        self.run(move |conn| {
            let mut st = conn.prepare_cached(&q(LEVELS_SINCE))?;
            let rows = st
                .query_map(params![store_id, since], |r| {
                    Ok(super::level(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn stock_anywhere(&self, sku: &str) -> DbResult<Vec<crate::stock::Level>> {
        let sku = sku.to_owned();
        self.run(move |conn| {
            let mut st = conn.prepare_cached(&q(LEVELS_OF_SKU))?;
            let rows = st
                .query_map([sku], |r| Ok(super::level(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn stock_exceptions(
        &self,
        store_code: Option<&str>,
        open_only: bool,
    ) -> DbResult<Vec<crate::stock::StockException>> {
        let store_code = store_code.map(str::to_owned);
        self.run(move |conn| {
            let mut st = conn.prepare(&q(EXCEPTIONS))?;
            let mut rows: Vec<crate::stock::StockException> = st
                .query_map(params![store_code, open_only], |r| {
                    Ok(super::exception(
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            let mut entries = conn.prepare_cached(&q(EXCEPTION_ENTRIES))?;
            for row in &mut rows {
                let more = entries.query_map([row.id], |r| r.get::<_, String>(0))?;
                for entry in more {
                    row.entries.push(entry?);
                }
            }
            Ok(rows)
        })
        .await
    }

    pub async fn create_admin_token(&self, hash: &str, name: &str, now: &str) -> DbResult<()> {
        let (hash, name, now) = (hash.to_owned(), name.to_owned(), now.to_owned());
        self.run(move |conn| {
            match conn.execute(
                "INSERT INTO admin_token (hash, name, created_at) VALUES (?1, ?2, ?3)",
                params![hash, name, now],
            ) {
                Ok(_) => Ok(()),
                Err(e) if constraint(&e) => {
                    Err(DbError::Conflict(format!("an administrator token named {name} exists")))
                }
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub async fn admin_by_token(&self, hash: &str) -> DbResult<Option<String>> {
        let hash = hash.to_owned();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT name FROM admin_token WHERE hash = ?1 AND revoked_at IS NULL",
                    [hash],
                    |r| r.get(0),
                )
                .optional()?)
        })
        .await
    }

    pub async fn revoke_admin_token(&self, name: &str, now: &str) -> DbResult<()> {
        let (name, now) = (name.to_owned(), now.to_owned());
        self.run(move |conn| {
            let n = conn.execute(
                "UPDATE admin_token SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL",
                params![name, now],
            )?;
            if n == 0 {
                return Err(DbError::NotFound(format!(
                    "no active administrator token named {name}"
                )));
            }
            Ok(())
        })
        .await
    }

    pub async fn create_draft(
        &self,
        created_at: &str,
        source: &str,
        price_from: Option<&str>,
        rows: Vec<comptoir_protocol::catalog::CatalogRow>,
    ) -> DbResult<crate::catalog::DraftRow> {
        let (created_at, source, price_from) =
            (created_at.to_owned(), source.to_owned(), price_from.map(str::to_owned));
        self.run(move |conn| {
            let json = serde_json::to_string(&rows).map_err(|e| DbError::Backend(e.to_string()))?;
            let items = rows.len() as i64;
            let id: i64 = conn.query_row(
                &q(INSERT_DRAFT),
                params![created_at, source, price_from, items, json],
                |r| r.get(0),
            )?;
            Ok(crate::catalog::DraftRow {
                id,
                created_at,
                source,
                price_from,
                items,
                published_to: Vec::new(),
                rows,
            })
        })
        .await
    }

    pub async fn drafts(&self) -> DbResult<Vec<crate::catalog::DraftRow>> {
        self.run(|conn| {
            let mut st =
                conn.prepare(&format!("SELECT {DRAFT_COLUMNS} FROM catalog_draft ORDER BY id"))?;
            let rows = st.query_map([], draft_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub async fn draft(&self, id: i64) -> DbResult<crate::catalog::DraftRow> {
        self.run(move |conn| {
            let found = conn
                .query_row(
                    &format!("SELECT {DRAFT_COLUMNS}, rows FROM catalog_draft WHERE id = ?1"),
                    [id],
                    |r| Ok((draft_row(r)?, r.get::<_, String>(6)?)),
                )
                .optional()?;
            let (mut draft, rows) =
                found.ok_or_else(|| DbError::NotFound(format!("no catalog draft {id}")))?;
            draft.rows =
                serde_json::from_str(&rows).map_err(|e| DbError::Backend(e.to_string()))?;
            Ok(draft)
        })
        .await
    }

    pub async fn create_promotion_file(
        &self,
        created_at: &str,
        source: &str,
        records: Vec<comptoir_protocol::promotion::PromotionRecord>,
    ) -> DbResult<crate::promotions::PromotionFile> {
        let (created_at, source) = (created_at.to_owned(), source.to_owned());
        self.run(move |conn| {
            let json =
                serde_json::to_string(&records).map_err(|e| DbError::Backend(e.to_string()))?;
            let promotions = records.len() as i64;
            let id: i64 = conn.query_row(
                &q(INSERT_PROMOTION_FILE),
                params![created_at, source, promotions, json],
                |r| r.get(0),
            )?;
            Ok(crate::promotions::PromotionFile { id, created_at, source, promotions, records })
        })
        .await
    }

    pub async fn promotion_file(
        &self,
        id: Option<i64>,
    ) -> DbResult<crate::promotions::PromotionFile> {
        self.run(move |conn| {
            let found = conn
                .query_row(&q(PROMOTION_FILE), params![id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?;
            super::promotion_file(found, id)
        })
        .await
    }

    pub async fn promotion_files(&self) -> DbResult<Vec<crate::promotions::PromotionFile>> {
        self.run(|conn| {
            let mut st = conn.prepare(PROMOTION_FILES)?;
            let files = st
                .query_map([], |r| {
                    Ok(crate::promotions::PromotionFile {
                        id: r.get(0)?,
                        created_at: r.get(1)?,
                        source: r.get(2)?,
                        promotions: r.get(3)?,
                        records: Vec::new(),
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(files)
        })
        .await
    }

    pub async fn publish(
        &self,
        store_code: &str,
        now: &str,
        draft_id: Option<i64>,
        plan: CatalogPlan,
    ) -> DbResult<crate::catalog::Published> {
        let (store_code, now) = (store_code.to_owned(), now.to_owned());
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let store = tx
                .query_row(
                    &format!("SELECT {STORE_COLUMNS} FROM store WHERE code = ?1"),
                    [&store_code],
                    store_row,
                )
                .optional()?
                .ok_or_else(|| DbError::NotFound(format!("no store with code {store_code}")))?;
            let version: i64 = tx.query_row(
                "SELECT catalog_version FROM store WHERE id = ?1",
                [&store.id],
                |r| r.get(0),
            )?;
            let jsons = {
                let mut st = tx.prepare(&q(CATALOG_CURRENT))?;
                st.query_map([&store.id], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?
            };
            let current = current_from(jsons)?;
            let changes = plan(&store, &current).map_err(DbError::Invalid)?;
            {
                let mut upsert = tx.prepare(&q(UPSERT_CURRENT))?;
                let mut log = tx.prepare(&q(INSERT_LOG))?;
                for (n, change) in changes.iter().enumerate() {
                    let v = version + 1 + n as i64;
                    let json = serde_json::to_string(change)
                        .map_err(|e| DbError::Backend(e.to_string()))?;
                    upsert.execute(params![store.id, change.key(), v, json])?;
                    log.execute(params![store.id, v, json, draft_id, now])?;
                }
            }
            tx.execute(
                "UPDATE store SET catalog_version = ?2 WHERE id = ?1",
                params![store.id, version + changes.len() as i64],
            )?;
            if let Some(id) = draft_id {
                tx.execute(&q(DRAFT_PUBLISHED), params![id, store.code])?;
            }
            tx.commit()?;
            Ok(crate::catalog::Published::count(&store.code, version, &changes))
        })
        .await
    }

    pub async fn catalog_page(
        &self,
        store_id: &str,
        since: i64,
        limit: i64,
    ) -> DbResult<comptoir_protocol::catalog::CatalogPage> {
        let store_id = store_id.to_owned();
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let latest: i64 = tx.query_row(
                "SELECT catalog_version FROM store WHERE id = ?1",
                [&store_id],
                |r| r.get(0),
            )?;
            let found = {
                let mut st = tx.prepare(&q(CATALOG_PAGE))?;
                st.query_map(params![store_id, since, limit + 1], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?
            };
            tx.commit()?;
            catalog_page(since, latest, found, limit)
        })
        .await
    }
}

/// Adds movements to a store's levels, SKU by SKU, opening, growing or closing exceptions;
/// returns each SKU's on-hand after, in the map's order.
fn apply_stock(
    tx: &rusqlite::Transaction<'_>,
    store_id: &str,
    moved: &std::collections::BTreeMap<String, (i64, Vec<String>)>,
    now: &str,
) -> DbResult<Vec<i64>> {
    use crate::stock::ExceptionStep;
    let mut after = Vec::with_capacity(moved.len());
    if moved.is_empty() {
        return Ok(after);
    }
    let mut upsert = tx.prepare_cached(&q(UPSERT_LEVEL))?;
    for (sku, (delta, entries)) in moved {
        let on_hand: i64 = upsert.query_row(params![store_id, sku, delta, now], |r| r.get(0))?;
        match crate::stock::exception_step(on_hand, *delta) {
            ExceptionStep::Nothing => {}
            ExceptionStep::Oversold => {
                let open: Option<i64> = tx
                    .prepare_cached(&q(EXTEND_EXCEPTION))?
                    .query_row(params![store_id, sku, on_hand], |r| r.get(0))
                    .optional()?;
                let id = match open {
                    Some(id) => id,
                    None => tx
                        .prepare_cached(&q(OPEN_EXCEPTION))?
                        .query_row(params![store_id, sku, on_hand, now], |r| r.get(0))?,
                };
                let mut add = tx.prepare_cached(&q(ADD_EXCEPTION_ENTRY))?;
                for entry in entries {
                    add.execute(params![id, entry])?;
                }
            }
            ExceptionStep::StillShort => {
                tx.prepare_cached(&q(SHORT_EXCEPTION))?.execute(params![store_id, sku, on_hand])?;
            }
            ExceptionStep::Resolved => {
                tx.prepare_cached(&q(CLOSE_EXCEPTION))?
                    .execute(params![store_id, sku, on_hand, now])?;
            }
        }
        after.push(on_hand);
    }
    Ok(after)
}

/// Why a register may not enrol with a valid code: revoked, or another store's.
pub(crate) fn enrol_refusal(
    register: &RegisterRow,
    store_code: &str,
    register_number: i64,
) -> Option<String> {
    if register.revoked_at.is_some() {
        return Some(format!("register {} is revoked", register.id));
    }
    if register.store_code != store_code {
        return Some(format!(
            "the code is for a register of store {}, the register says it belongs to {store_code}",
            register.store_code
        ));
    }
    if register.number != register_number {
        return Some(format!(
            "the code is for register {} of {store_code}, the register says it is number {register_number}",
            register.number
        ));
    }
    None
}
