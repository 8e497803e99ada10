//! PostgreSQL: a connection pool; several server processes may share one database. A batch
//! locks its `(register, epoch)` mark row (`FOR UPDATE`), so two processes taking the same
//! register's batches decide one after the other, and migrations take an advisory lock.

use comptoir_protocol::wire::{EpochMark, LedgerBatch};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::{NoTls, Row};

use super::sql::*;
use super::*;
use crate::ingest::{self, EpochState};

fn migrations() -> Vec<String> {
    super::sql::MIGRATIONS
        .iter()
        .map(|m| super::sql::dialect(m, super::sql::Dialect::Postgres))
        .collect()
}

#[derive(Clone)]
pub struct PgDb {
    pub(super) pool: Pool,
}

impl std::fmt::Debug for PgDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgDb")
    }
}

fn register_row(row: &Row) -> RegisterRow {
    RegisterRow {
        id: row.get(0),
        store_id: row.get(1),
        store_code: row.get(2),
        number: row.get(3),
        name: row.get(4),
        device_id: row.get(5),
        enrolled_at: row.get(6),
        revoked_at: row.get(7),
        created_at: row.get(8),
    }
}

fn store_row(row: &Row) -> StoreRow {
    StoreRow {
        id: row.get(0),
        code: row.get(1),
        name: row.get(2),
        currency: row.get(3),
        time_zone: row.get(4),
        created_at: row.get(5),
    }
}

/// Adds movements to a store's levels, SKU by SKU in order (so concurrent batches take the
/// level rows' locks in one order and never deadlock), opening, growing or closing
/// exceptions; returns each SKU's on-hand after.
async fn apply_stock(
    tx: &deadpool_postgres::Transaction<'_>,
    store_id: &str,
    moved: &std::collections::BTreeMap<String, (i64, Vec<String>)>,
    now: &str,
) -> DbResult<Vec<i64>> {
    use crate::stock::ExceptionStep;
    let mut after = Vec::with_capacity(moved.len());
    if moved.is_empty() {
        return Ok(after);
    }
    let upsert = tx.prepare_cached(UPSERT_LEVEL).await?;
    for (sku, (delta, entries)) in moved {
        let on_hand: i64 = tx.query_one(&upsert, &[&store_id, sku, delta, &now]).await?.get(0);
        match crate::stock::exception_step(on_hand, *delta) {
            ExceptionStep::Nothing => {}
            ExceptionStep::Oversold => {
                let open = tx.query_opt(EXTEND_EXCEPTION, &[&store_id, sku, &on_hand]).await?;
                let id: i64 = match open {
                    Some(row) => row.get(0),
                    None => tx
                        .query_one(OPEN_EXCEPTION, &[&store_id, sku, &on_hand, &now])
                        .await?
                        .get(0),
                };
                // One statement for the batch's entries (a round trip each would cost more
                // than the batch).
                tx.execute(ADD_EXCEPTION_ENTRIES, &[&id, entries]).await?;
            }
            ExceptionStep::StillShort => {
                tx.execute(SHORT_EXCEPTION, &[&store_id, sku, &on_hand]).await?;
            }
            ExceptionStep::Resolved => {
                tx.execute(CLOSE_EXCEPTION, &[&store_id, sku, &on_hand, &now]).await?;
            }
        }
        after.push(on_hand);
    }
    Ok(after)
}

fn draft_row(row: &Row) -> crate::catalog::DraftRow {
    let published: String = row.get(5);
    crate::catalog::DraftRow {
        id: row.get(0),
        created_at: row.get(1),
        source: row.get(2),
        price_from: row.get(3),
        items: row.get(4),
        published_to: super::published_stores(&published),
        rows: Vec::new(),
    }
}

fn unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

const REGISTER_BY_ID: &str = "SELECT r.id, r.store_id, s.code, r.number, r.name, r.device_id, \
    r.enrolled_at, r.revoked_at, r.created_at FROM register r JOIN store s ON s.id = r.store_id \
    WHERE r.id = $1";

impl PgDb {
    pub async fn open(url: &str) -> DbResult<PgDb> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| DbError::Backend(format!("bad PostgreSQL URL: {e}")))?;
        // How a restore finds running servers.
        config.application_name("comptoir-server");
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| DbError::Backend(e.to_string()))?;
        let db = PgDb { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> DbResult<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // Several servers starting at once: one migrates, the others wait and find it done.
        tx.execute("SELECT pg_advisory_xact_lock(7458279001)", &[]).await?;
        let exists: Option<String> =
            tx.query_one("SELECT to_regclass('schema_version')::text", &[]).await?.get(0);
        if exists.is_none() {
            tx.batch_execute("CREATE TABLE schema_version (version BIGINT NOT NULL)").await?;
        }
        let found: i64 =
            tx.query_opt("SELECT version FROM schema_version", &[]).await?.map_or(0, |r| r.get(0));
        if found > migrations().len() as i64 {
            return Err(DbError::Backend(format!(
                "the database has schema version {found}, newer than this server ({}): upgrade the server",
                migrations().len()
            )));
        }
        for (index, step) in migrations().iter().enumerate().skip(found as usize) {
            tx.batch_execute(step).await?;
            if index + 1 == RETURNED_LINES_STEP {
                let added = super::sales::backfill_pg(&tx).await?;
                tracing::info!(added, "returned lines of the returns held");
            }
            if index + 1 == CREDIT_LEGS_STEP {
                let added = super::sales::backfill_credits_pg(&tx).await?;
                tracing::info!(added, "credit legs of the entries held");
            }
        }
        tx.execute("DELETE FROM schema_version", &[]).await?;
        tx.execute("INSERT INTO schema_version VALUES ($1)", &[&(migrations().len() as i64)])
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_store(&self, store: StoreRow) -> DbResult<StoreRow> {
        let client = self.pool.get().await?;
        let sql = format!("INSERT INTO store ({STORE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)");
        match client
            .execute(
                &sql,
                &[
                    &store.id,
                    &store.code,
                    &store.name,
                    &store.currency,
                    &store.time_zone,
                    &store.created_at,
                ],
            )
            .await
        {
            Ok(_) => Ok(store),
            Err(e) if unique_violation(&e) => {
                Err(DbError::Conflict(format!("a store with code {} exists", store.code)))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn stores(&self) -> DbResult<Vec<StoreRow>> {
        let client = self.pool.get().await?;
        let rows =
            client.query(&format!("SELECT {STORE_COLUMNS} FROM store ORDER BY code"), &[]).await?;
        Ok(rows.iter().map(store_row).collect())
    }

    pub async fn create_register(
        &self,
        store_code: &str,
        number: Option<i64>,
        name: &str,
        id: &str,
        now: &str,
    ) -> DbResult<RegisterRow> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let store_id: String = tx
            .query_opt("SELECT id FROM store WHERE code = $1 FOR UPDATE", &[&store_code])
            .await?
            .ok_or_else(|| DbError::NotFound(format!("no store with code {store_code}")))?
            .get(0);
        let number = match number {
            Some(n) => n,
            None => tx
                .query_one(
                    "SELECT coalesce(max(number), 0) + 1 FROM register WHERE store_id = $1",
                    &[&store_id],
                )
                .await?
                .get(0),
        };
        match tx
            .execute(
                "INSERT INTO register (id, store_id, number, name, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[&id, &store_id, &number, &name, &now],
            )
            .await
        {
            Ok(_) => {}
            Err(e) if unique_violation(&e) => {
                return Err(DbError::Conflict(format!(
                    "store {store_code} already has a register {number}"
                )));
            }
            Err(e) => return Err(e.into()),
        }
        let row = register_row(&tx.query_one(REGISTER_BY_ID, &[&id]).await?);
        tx.commit().await?;
        Ok(row)
    }

    pub async fn issue_enrolment(&self, e: NewEnrolment) -> DbResult<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM enrolment WHERE register_id = $1 AND used_at IS NULL",
            &[&e.register_id],
        )
        .await?;
        tx.execute(
            "INSERT INTO enrolment (code_hash, register_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            &[&e.code_hash, &e.register_id, &e.created_at, &e.expires_at],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn registers(&self, store_code: Option<&str>) -> DbResult<Vec<RegisterRow>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {REGISTER_COLUMNS} FROM register r JOIN store s ON s.id = r.store_id \
                     WHERE CAST($1 AS TEXT) IS NULL OR s.code = $1 ORDER BY s.code, r.number"
                ),
                &[&store_code],
            )
            .await?;
        Ok(rows.iter().map(register_row).collect())
    }

    pub async fn register(&self, id: &str) -> DbResult<Option<RegisterRow>> {
        let client = self.pool.get().await?;
        Ok(client.query_opt(REGISTER_BY_ID, &[&id]).await?.as_ref().map(register_row))
    }

    pub async fn revoke(&self, register_id: &str, now: &str) -> DbResult<RegisterRow> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "UPDATE register SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
            &[&register_id, &now],
        )
        .await?;
        tx.execute(
            "DELETE FROM enrolment WHERE register_id = $1 AND used_at IS NULL",
            &[&register_id],
        )
        .await?;
        let row = tx
            .query_opt(REGISTER_BY_ID, &[&register_id])
            .await?
            .ok_or_else(|| DbError::NotFound(format!("no register {register_id}")))?;
        tx.commit().await?;
        Ok(register_row(&row))
    }

    pub async fn reinstate(&self, register_id: &str) -> DbResult<RegisterRow> {
        let client = self.pool.get().await?;
        client
            .execute(
                "UPDATE register SET revoked_at = NULL, credential_hash = NULL WHERE id = $1",
                &[&register_id],
            )
            .await?;
        let row = client
            .query_opt(REGISTER_BY_ID, &[&register_id])
            .await?
            .ok_or_else(|| DbError::NotFound(format!("no register {register_id}")))?;
        Ok(register_row(&row))
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
        let (code_hash, store_code, device_id, credential_hash, now) = (
            code_hash.as_str(),
            store_code.as_str(),
            device_id.as_str(),
            credential_hash.as_str(),
            now.as_str(),
        );
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let found = tx
            .query_opt(
                "SELECT register_id, expires_at, used_at FROM enrolment WHERE code_hash = $1 FOR UPDATE",
                &[&code_hash],
            )
            .await?;
        let register_id: String = match found {
            None => return Ok(Enrolment::Refused("unknown enrolment code".into())),
            Some(row) => {
                let (id, expires, used): (String, String, Option<String>) =
                    (row.get(0), row.get(1), row.get(2));
                if let Some(used) = used {
                    return Ok(Enrolment::Refused(format!(
                        "enrolment code already used at {used}"
                    )));
                }
                if expires.as_str() <= now {
                    return Ok(Enrolment::Refused(format!("enrolment code expired at {expires}")));
                }
                id
            }
        };
        let register = register_row(&tx.query_one(REGISTER_BY_ID, &[&register_id]).await?);
        if let Some(refusal) = super::sqlite::enrol_refusal(&register, store_code, register_number)
        {
            return Ok(Enrolment::Refused(refusal));
        }
        let latest: Option<(i64, i64, String)> =
            tx.query_opt(LATEST, &[&register_id]).await?.map(|r| (r.get(0), r.get(1), r.get(2)));
        let hashes: Vec<String> = match &tip {
            Some(t) => tx
                .query(HASH_AT, &[&register_id, &t.epoch, &t.seq])
                .await?
                .iter()
                .map(|r| r.get(0))
                .collect(),
            None => Vec::new(),
        };
        if let Some(conflict) =
            super::history_conflict(tip.as_ref(), acked.as_ref(), latest, &hashes)
        {
            return Ok(Enrolment::Conflict(conflict));
        }
        tx.execute("UPDATE enrolment SET used_at = $2 WHERE code_hash = $1", &[&code_hash, &now])
            .await?;
        tx.execute(
            "UPDATE register SET credential_hash = $2, device_id = $3, enrolled_at = $4 WHERE id = $1",
            &[&register_id, &credential_hash, &device_id, &now],
        )
        .await?;
        let register = register_row(&tx.query_one(REGISTER_BY_ID, &[&register_id]).await?);
        tx.commit().await?;
        Ok(Enrolment::Enrolled(register))
    }

    pub async fn authenticate(&self, credential_hash: &str) -> DbResult<Option<Authenticated>> {
        let client = self.pool.get().await?;
        let statement = client
            .prepare_cached(
                "SELECT r.id, r.store_id, s.code, s.currency, r.revoked_at IS NOT NULL, s.time_zone \
                 FROM register r JOIN store s ON s.id = r.store_id WHERE r.credential_hash = $1",
            )
            .await?;
        Ok(client.query_opt(&statement, &[&credential_hash]).await?.map(|r| Authenticated {
            register_id: r.get(0),
            store_id: r.get(1),
            store_code: r.get(2),
            currency: r.get(3),
            revoked: r.get(4),
            time_zone: r.get(5),
        }))
    }

    pub async fn ingest(
        &self,
        register: &Authenticated,
        batch: LedgerBatch,
        verdicts: Vec<ingest::Verdict>,
        now: &str,
        skew_seconds: i64,
    ) -> DbResult<Plan> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let (rid, epoch) = (register.register_id.as_str(), batch.epoch);
        // The mark row exists before it is locked, so two first batches of an epoch also
        // decide one after the other.
        let ensure = tx
            .prepare_cached(
                "INSERT INTO ledger_epoch (register_id, epoch, high_water, last_hash, updated_at) \
                 VALUES ($1, $2, 0, NULL, $3) ON CONFLICT (register_id, epoch) DO NOTHING",
            )
            .await?;
        tx.execute(&ensure, &[&rid, &epoch, &now]).await?;
        let lock = tx
            .prepare_cached(
                "SELECT high_water, last_hash FROM ledger_epoch WHERE register_id = $1 AND epoch = $2 FOR UPDATE",
            )
            .await?;
        let mark = tx.query_one(&lock, &[&rid, &epoch]).await?;
        let (high_water, last_hash): (i64, Option<String>) = (mark.get(0), mark.get(1));
        let mut state = EpochState { high_water, last_hash, ..EpochState::default() };
        if let (Some(first), Some(last)) = (batch.entries.first(), batch.entries.last()) {
            if first.seq <= high_water {
                let held = tx.prepare_cached(HELD_HASHES).await?;
                for row in
                    tx.query(&held, &[&rid, &epoch, &first.seq, &last.seq.min(high_water)]).await?
                {
                    state.held.insert(row.get(0), row.get(1));
                }
            }
            if high_water == 0 && first.seq == 1 {
                let known = tx.prepare_cached(BACK_LINK_KNOWN).await?;
                state.back_link_known =
                    tx.query_opt(&known, &[&rid, &first.prev_hash, &epoch]).await?.is_some();
            }
        }
        if !batch.entries.is_empty() {
            let ids: Vec<&str> = batch.entries.iter().map(|e| e.entry_id.as_str()).collect();
            let elsewhere = tx
                .prepare_cached(
                    "SELECT entry_id FROM ledger WHERE register_id <> $1 AND entry_id = ANY($2)",
                )
                .await?;
            for row in tx.query(&elsewhere, &[&rid, &ids]).await? {
                state.held_elsewhere.insert(row.get(0));
            }
        }
        let plan = ingest::plan(batch.entries, &verdicts, &state);
        if !plan.accept.is_empty() {
            let insert = tx.prepare_cached(INSERT_ENTRY).await?;
            for e in &plan.accept {
                let corrected = super::corrected_day(
                    &e.recorded_at,
                    &e.business_day,
                    skew_seconds,
                    &register.time_zone,
                );
                tx.execute(
                    &insert,
                    &[
                        &rid,
                        &e.epoch,
                        &e.seq,
                        &register.store_id,
                        &e.entry_id,
                        &e.kind,
                        &e.recorded_at,
                        &e.business_day,
                        &e.receipt_no,
                        &e.external_ref,
                        &e.payload,
                        &e.prev_hash,
                        &e.hash,
                        &now,
                        &corrected,
                    ],
                )
                .await?;
            }
        }
        apply_stock(&tx, &register.store_id, &plan.moved, now).await?;
        super::sales::insert_pg(&tx, rid, epoch, &plan.returned).await?;
        super::sales::insert_credits_pg(&tx, rid, epoch, &plan.credited).await?;
        if !plan.quarantine.is_empty() {
            let insert = tx.prepare_cached(INSERT_QUARANTINE).await?;
            for item in &plan.quarantine {
                let e = &item.entry;
                let json = serde_json::to_string(e).map_err(|x| DbError::Backend(x.to_string()))?;
                tx.execute(
                    &insert,
                    &[
                        &rid,
                        &e.epoch,
                        &e.seq,
                        &register.store_id,
                        &e.entry_id,
                        &e.kind,
                        &e.hash,
                        &item.in_chain,
                        &item.code,
                        &item.reason,
                        &json,
                        &now,
                    ],
                )
                .await?;
            }
        }
        if plan.high_water != high_water {
            tx.execute(
                "UPDATE ledger_epoch SET high_water = $3, last_hash = $4, updated_at = $5 \
                 WHERE register_id = $1 AND epoch = $2",
                &[&rid, &epoch, &plan.high_water, &plan.last_hash, &now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(plan)
    }

    pub async fn ledger_status(&self, register_id: &str) -> DbResult<Vec<EpochMark>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT epoch, high_water FROM ledger_epoch WHERE register_id = $1 ORDER BY epoch",
                &[&register_id],
            )
            .await?;
        Ok(rows.iter().map(|r| EpochMark { epoch: r.get(0), high_water: r.get(1) }).collect())
    }

    pub async fn ledger_entries(
        &self,
        register_id: &str,
        epoch: i64,
        after: i64,
        limit: i64,
    ) -> DbResult<Vec<comptoir_protocol::LedgerEntry>> {
        let client = self.pool.get().await?;
        let stored = client
            .query(LEDGER_ENTRIES, &[&register_id, &epoch, &after, &limit])
            .await?
            .iter()
            .map(|r| comptoir_protocol::LedgerEntry {
                epoch: r.get(0),
                seq: r.get(1),
                entry_id: r.get(2),
                kind: r.get(3),
                recorded_at: r.get(4),
                business_day: r.get(5),
                receipt_no: r.get(6),
                external_ref: r.get(7),
                payload: r.get(8),
                prev_hash: r.get(9),
                hash: r.get(10),
            })
            .collect();
        let quarantined = client
            .query(IN_CHAIN_QUARANTINE, &[&register_id, &epoch, &after, &limit])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        super::merge_entries(stored, quarantined, limit)
    }

    pub async fn quarantine(&self, store_code: Option<&str>) -> DbResult<Vec<QuarantineRow>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {QUARANTINE_COLUMNS} FROM quarantine q JOIN store s ON s.id = q.store_id \
                     WHERE CAST($1 AS TEXT) IS NULL OR s.code = $1 ORDER BY q.id"
                ),
                &[&store_code],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| QuarantineRow {
                id: r.get(0),
                register_id: r.get(1),
                store_code: r.get(2),
                epoch: r.get(3),
                seq: r.get(4),
                entry_id: r.get(5),
                kind: r.get(6),
                code: r.get(7),
                reason: r.get(8),
                in_chain: r.get(9),
                received_at: r.get(10),
            })
            .collect())
    }

    pub async fn log_security(
        &self,
        kind: &str,
        register_id: Option<&str>,
        detail: &str,
        remote: Option<&str>,
        now: &str,
    ) -> DbResult<()> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO security_event (at, kind, register_id, detail, remote) VALUES ($1, $2, $3, $4, $5)",
                &[&now, &kind, &register_id, &detail, &remote],
            )
            .await?;
        Ok(())
    }

    pub async fn security_events(&self, limit: i64) -> DbResult<Vec<SecurityEvent>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT id, at, kind, register_id, detail, remote FROM security_event ORDER BY id DESC LIMIT $1",
                &[&limit],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| SecurityEvent {
                id: r.get(0),
                at: r.get(1),
                kind: r.get(2),
                register_id: r.get(3),
                detail: r.get(4),
                remote: r.get(5),
            })
            .collect())
    }

    pub async fn ledger_counts(&self, store_code: Option<&str>) -> DbResult<Vec<LedgerCount>> {
        let client = self.pool.get().await?;
        let rows = client.query(LEDGER_COUNTS, &[&store_code]).await?;
        Ok(rows
            .iter()
            .map(|r| LedgerCount {
                register_id: r.get(0),
                entries: r.get(1),
                sales: r.get(2),
                quarantined: r.get(3),
            })
            .collect())
    }

    pub async fn day_sales(&self, store_code: &str, day: &str) -> DbResult<Vec<String>> {
        let client = self.pool.get().await?;
        let rows = client.query(DAY_SALES, &[&store_code, &day]).await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub async fn sale_payloads(&self, store_code: &str) -> DbResult<Vec<String>> {
        let client = self.pool.get().await?;
        let rows = client.query(SALE_PAYLOADS, &[&store_code]).await?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    pub async fn record_movements(
        &self,
        movements: Vec<crate::stock::Movement>,
        now: &str,
    ) -> DbResult<Vec<crate::stock::Level>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let mut levels = Vec::new();
        for m in &movements {
            let store_id: String = tx
                .query_opt("SELECT id FROM store WHERE code = $1", &[&m.store])
                .await?
                .ok_or_else(|| DbError::NotFound(format!("no store with code {}", m.store)))?
                .get(0);
            tx.execute(
                INSERT_MOVEMENT,
                &[&store_id, &m.sku, &m.delta_milli, &m.kind, &m.reference, &now],
            )
            .await?;
            let mut one = std::collections::BTreeMap::new();
            one.insert(m.sku.clone(), (m.delta_milli, vec![format!("{}:{}", m.kind, m.reference)]));
            let after = apply_stock(&tx, &store_id, &one, now).await?;
            levels.push(super::level(m.store.clone(), m.sku.clone(), after[0], now.to_owned()));
        }
        tx.commit().await?;
        Ok(levels)
    }

    pub async fn on_hand(&self, store_code: &str, sku: &str) -> DbResult<i64> {
        let client = self.pool.get().await?;
        Ok(client
            .query_opt(
                "SELECT l.on_hand_milli FROM stock_level l JOIN store s ON s.id = l.store_id \
                 WHERE s.code = $1 AND l.sku = $2",
                &[&store_code, &sku],
            )
            .await?
            .map_or(0, |r| r.get(0)))
    }

    pub async fn stock_levels(
        &self,
        store_id: &str,
        since: &str,
    ) -> DbResult<Vec<crate::stock::Level>> {
        let client = self.pool.get().await?;
        let rows = client.query(LEVELS_SINCE, &[&store_id, &since]).await?;
        Ok(rows.iter().map(|r| super::level(r.get(0), r.get(1), r.get(2), r.get(3))).collect())
    }

    pub async fn stock_anywhere(&self, sku: &str) -> DbResult<Vec<crate::stock::Level>> {
        let client = self.pool.get().await?;
        let rows = client.query(LEVELS_OF_SKU, &[&sku]).await?;
        Ok(rows.iter().map(|r| super::level(r.get(0), r.get(1), r.get(2), r.get(3))).collect())
    }

    pub async fn stock_exceptions(
        &self,
        store_code: Option<&str>,
        open_only: bool,
    ) -> DbResult<Vec<crate::stock::StockException>> {
        let client = self.pool.get().await?;
        let rows = client.query(EXCEPTIONS, &[&store_code, &open_only]).await?;
        let mut found: Vec<crate::stock::StockException> = rows
            .iter()
            .map(|r| {
                super::exception(
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                )
            })
            .collect();
        let entries = client.prepare_cached(EXCEPTION_ENTRIES).await?;
        for row in &mut found {
            for entry in client.query(&entries, &[&row.id]).await? {
                row.entries.push(entry.get(0));
            }
        }
        Ok(found)
    }

    pub async fn create_admin_token(&self, hash: &str, name: &str, now: &str) -> DbResult<()> {
        let client = self.pool.get().await?;
        match client
            .execute(
                "INSERT INTO admin_token (hash, name, created_at) VALUES ($1, $2, $3)",
                &[&hash, &name, &now],
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if unique_violation(&e) => {
                Err(DbError::Conflict(format!("an administrator token named {name} exists")))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn admin_by_token(&self, hash: &str) -> DbResult<Option<String>> {
        let client = self.pool.get().await?;
        Ok(client
            .query_opt(
                "SELECT name FROM admin_token WHERE hash = $1 AND revoked_at IS NULL",
                &[&hash],
            )
            .await?
            .map(|r| r.get(0)))
    }

    pub async fn revoke_admin_token(&self, name: &str, now: &str) -> DbResult<()> {
        let client = self.pool.get().await?;
        let n = client
            .execute(
                "UPDATE admin_token SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
                &[&name, &now],
            )
            .await?;
        if n == 0 {
            return Err(DbError::NotFound(format!("no active administrator token named {name}")));
        }
        Ok(())
    }

    pub async fn create_draft(
        &self,
        created_at: &str,
        source: &str,
        price_from: Option<&str>,
        rows: Vec<comptoir_protocol::catalog::CatalogRow>,
    ) -> DbResult<crate::catalog::DraftRow> {
        let client = self.pool.get().await?;
        let json = serde_json::to_string(&rows).map_err(|e| DbError::Backend(e.to_string()))?;
        let items = rows.len() as i64;
        let id: i64 = client
            .query_one(INSERT_DRAFT, &[&created_at, &source, &price_from, &items, &json])
            .await?
            .get(0);
        Ok(crate::catalog::DraftRow {
            id,
            created_at: created_at.to_owned(),
            source: source.to_owned(),
            price_from: price_from.map(str::to_owned),
            items,
            published_to: Vec::new(),
            rows,
        })
    }

    pub async fn drafts(&self) -> DbResult<Vec<crate::catalog::DraftRow>> {
        let client = self.pool.get().await?;
        let rows = client
            .query(&format!("SELECT {DRAFT_COLUMNS} FROM catalog_draft ORDER BY id"), &[])
            .await?;
        Ok(rows.iter().map(draft_row).collect())
    }

    pub async fn draft(&self, id: i64) -> DbResult<crate::catalog::DraftRow> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                &format!("SELECT {DRAFT_COLUMNS}, rows FROM catalog_draft WHERE id = $1"),
                &[&id],
            )
            .await?
            .ok_or_else(|| DbError::NotFound(format!("no catalog draft {id}")))?;
        let mut draft = draft_row(&row);
        let rows: String = row.get(6);
        draft.rows = serde_json::from_str(&rows).map_err(|e| DbError::Backend(e.to_string()))?;
        Ok(draft)
    }

    pub async fn create_promotion_file(
        &self,
        created_at: &str,
        source: &str,
        records: Vec<comptoir_protocol::promotion::PromotionRecord>,
    ) -> DbResult<crate::promotions::PromotionFile> {
        let client = self.pool.get().await?;
        let json = serde_json::to_string(&records).map_err(|e| DbError::Backend(e.to_string()))?;
        let promotions = records.len() as i64;
        let id: i64 = client
            .query_one(INSERT_PROMOTION_FILE, &[&created_at, &source, &promotions, &json])
            .await?
            .get(0);
        Ok(crate::promotions::PromotionFile {
            id,
            created_at: created_at.to_owned(),
            source: source.to_owned(),
            promotions,
            records,
        })
    }

    pub async fn promotion_file(
        &self,
        id: Option<i64>,
    ) -> DbResult<crate::promotions::PromotionFile> {
        let client = self.pool.get().await?;
        let row = client.query_opt(PROMOTION_FILE, &[&id]).await?;
        super::promotion_file(row.map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))), id)
    }

    pub async fn promotion_files(&self) -> DbResult<Vec<crate::promotions::PromotionFile>> {
        let client = self.pool.get().await?;
        let rows = client.query(PROMOTION_FILES, &[]).await?;
        Ok(rows
            .iter()
            .map(|r| crate::promotions::PromotionFile {
                id: r.get(0),
                created_at: r.get(1),
                source: r.get(2),
                promotions: r.get(3),
                records: Vec::new(),
            })
            .collect())
    }

    pub async fn publish(
        &self,
        store_code: &str,
        now: &str,
        draft_id: Option<i64>,
        plan: CatalogPlan,
    ) -> DbResult<crate::catalog::Published> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // The store's row lock orders publications: versions are given out one at a time.
        let row = tx
            .query_opt(
                &format!(
                    "SELECT {STORE_COLUMNS}, catalog_version FROM store WHERE code = $1 FOR UPDATE"
                ),
                &[&store_code],
            )
            .await?
            .ok_or_else(|| DbError::NotFound(format!("no store with code {store_code}")))?;
        let store = store_row(&row);
        let version: i64 = row.get(6);
        let jsons: Vec<String> =
            tx.query(CATALOG_CURRENT, &[&store.id]).await?.iter().map(|r| r.get(0)).collect();
        let current = current_from(jsons)?;
        let changes = plan(&store, &current).map_err(DbError::Invalid)?;
        let upsert = tx.prepare(UPSERT_CURRENT).await?;
        let log = tx.prepare(INSERT_LOG).await?;
        for (n, change) in changes.iter().enumerate() {
            let v = version + 1 + n as i64;
            let json =
                serde_json::to_string(change).map_err(|e| DbError::Backend(e.to_string()))?;
            tx.execute(&upsert, &[&store.id, &change.key(), &v, &json]).await?;
            tx.execute(&log, &[&store.id, &v, &json, &draft_id, &now]).await?;
        }
        let to = version + changes.len() as i64;
        tx.execute("UPDATE store SET catalog_version = $2 WHERE id = $1", &[&store.id, &to])
            .await?;
        if let Some(id) = draft_id {
            tx.execute(DRAFT_PUBLISHED, &[&id, &store.code]).await?;
        }
        tx.commit().await?;
        Ok(crate::catalog::Published::count(&store.code, version, &changes))
    }

    pub async fn catalog_page(
        &self,
        store_id: &str,
        since: i64,
        limit: i64,
    ) -> DbResult<comptoir_protocol::catalog::CatalogPage> {
        let mut client = self.pool.get().await?;
        // One snapshot for the latest version and the rows.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let latest: i64 = tx
            .query_one("SELECT catalog_version FROM store WHERE id = $1", &[&store_id])
            .await?
            .get(0);
        let found = tx
            .query(CATALOG_PAGE, &[&store_id, &since, &(limit + 1)])
            .await?
            .iter()
            .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)))
            .collect();
        tx.commit().await?;
        catalog_page(since, latest, found, limit)
    }
}
