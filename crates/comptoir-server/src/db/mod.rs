//! The server's database: SQLite (one file, the default) or PostgreSQL (`postgres://…`, for a
//! chain that runs several server processes). The same operations on both, and the decisions
//! of a ledger upload are made once, in [`crate::ingest`].

mod postgres;
mod sqlite;

use comptoir_protocol::wire::{EpochMark, LedgerBatch};
use serde::Serialize;

use crate::ingest::Plan;

pub use self::customers::{CustomerMerge, CustomerOutcome, CustomerRow, Written};
pub use self::lookup::CatalogItem;
pub use self::postgres::PgDb;
pub use self::sqlite::SqliteDb;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    /// What was asked is not valid (a catalog change the checks refuse).
    #[error("{0}")]
    Invalid(String),
    #[error("database: {0}")]
    Backend(String),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Backend(e.to_string())
    }
}

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => DbError::Backend(format!("{}: {}", db.code().code(), db.message())),
            None => DbError::Backend(e.to_string()),
        }
    }
}

impl From<deadpool_postgres::PoolError> for DbError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        DbError::Backend(format!("no connection to PostgreSQL: {e}"))
    }
}

pub type DbResult<T> = Result<T, DbError>;

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StoreRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub currency: String,
    pub time_zone: String,
    pub created_at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RegisterRow {
    pub id: String,
    pub store_id: String,
    pub store_code: String,
    pub number: i64,
    pub name: String,
    pub device_id: Option<String>,
    pub enrolled_at: Option<String>,
    pub revoked_at: Option<String>,
    pub created_at: String,
}

/// The register a credential belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub register_id: String,
    pub store_id: String,
    pub store_code: String,
    pub currency: String,
    pub time_zone: String,
    pub revoked: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct QuarantineRow {
    pub id: i64,
    pub register_id: String,
    pub store_code: String,
    pub epoch: i64,
    pub seq: i64,
    pub entry_id: String,
    pub kind: String,
    pub code: String,
    pub reason: String,
    pub in_chain: bool,
    pub received_at: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SecurityEvent {
    pub id: i64,
    pub at: String,
    pub kind: String,
    pub register_id: Option<String>,
    pub detail: String,
    pub remote: Option<String>,
}

/// What an enrolment attempt found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Enrolment {
    Enrolled(RegisterRow),
    /// Refused, with the reason for the log (the caller hears only "refused").
    Refused(String),
    /// The code is good, but the register's ledger is not the one held for that register:
    /// nothing changed (the code stays usable, the register's credential stays as it was).
    Conflict(String),
}

/// What the server holds for a store, for totals checks and reports.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LedgerCount {
    pub register_id: String,
    pub entries: i64,
    pub sales: i64,
    pub quarantined: i64,
}

/// An enrolment as the register asked for it, with the hashes of its code and of the
/// credential it will get.
#[derive(Clone, Debug)]
pub struct EnrolAttempt {
    pub code_hash: String,
    pub store_code: String,
    pub device_id: String,
    pub register_number: i64,
    pub tip: Option<comptoir_protocol::wire::LedgerTip>,
    pub acked: Option<comptoir_protocol::wire::LedgerTip>,
    pub credential_hash: String,
    pub now: String,
}

/// A new enrolment code's row.
#[derive(Clone, Debug)]
pub struct NewEnrolment {
    pub register_id: String,
    pub code_hash: String,
    pub created_at: String,
    pub expires_at: String,
}

/// What a publication appends to a store's catalog, decided from the store and its current
/// catalog (see [`crate::catalog`]).
pub type CatalogPlan = Box<
    dyn FnOnce(
            &StoreRow,
            &crate::catalog::Current,
        ) -> Result<Vec<comptoir_protocol::catalog::Change>, String>
        + Send,
>;

/// A promotions file read back, or why not.
pub(crate) fn promotion_file(
    found: Option<(i64, String, String, i64, String)>,
    id: Option<i64>,
) -> DbResult<crate::promotions::PromotionFile> {
    let Some((id, created_at, source, promotions, records)) = found else {
        return Err(DbError::NotFound(match id {
            Some(id) => format!("no promotions file {id}"),
            None => "no promotions file imported yet: `promotions import FILE` first".to_owned(),
        }));
    };
    let records = serde_json::from_str(&records).map_err(|e| DbError::Backend(e.to_string()))?;
    Ok(crate::promotions::PromotionFile { id, created_at, source, promotions, records })
}

/// Reads a store's current catalog from its stored JSON.
pub(crate) fn current_from(jsons: Vec<String>) -> DbResult<crate::catalog::Current> {
    let mut current = crate::catalog::Current::new();
    for json in jsons {
        let change: comptoir_protocol::catalog::Change =
            serde_json::from_str(&json).map_err(|e| DbError::Backend(e.to_string()))?;
        current.insert(change.key(), change);
    }
    Ok(current)
}

/// The stores a draft went to, once each, in the order it first went to them (the column
/// appends a store at every publication).
pub(crate) fn published_stores(column: &str) -> Vec<String> {
    let mut stores: Vec<String> = Vec::new();
    for store in column.split(',').filter(|s| !s.is_empty()) {
        if !stores.iter().any(|s| s == store) {
            stores.push(store.to_owned());
        }
    }
    stores
}

/// A page of changes from the rows read (one more than `limit`, to know whether more wait).
pub(crate) fn catalog_page(
    since: i64,
    latest: i64,
    mut found: Vec<(i64, String)>,
    limit: i64,
) -> DbResult<comptoir_protocol::catalog::CatalogPage> {
    let more = found.len() as i64 > limit;
    found.truncate(limit.max(0) as usize);
    let changes = found
        .into_iter()
        .map(|(version, json)| {
            let change =
                serde_json::from_str(&json).map_err(|e| DbError::Backend(e.to_string()))?;
            Ok(comptoir_protocol::catalog::VersionedChange { version, change })
        })
        .collect::<DbResult<_>>()?;
    Ok(comptoir_protocol::catalog::CatalogPage { since, latest, changes, more })
}

pub(crate) fn level(store: String, sku: String, milli: i64, at: String) -> crate::stock::Level {
    crate::stock::Level { store, sku, on_hand: crate::stock::quantity(milli), updated_at: at }
}

pub(crate) fn exception(
    id: i64,
    store: String,
    sku: String,
    milli: i64,
    entries: String,
    opened_at: String,
    closed_at: Option<String>,
) -> crate::stock::StockException {
    crate::stock::StockException {
        id,
        store,
        sku,
        on_hand: crate::stock::quantity(milli),
        entries: entries.split(',').filter(|e| !e.is_empty()).map(str::to_owned).collect(),
        opened_at,
        closed_at,
    }
}

/// The database, whichever it is.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

macro_rules! both {
    ($self:ident, $db:ident => $call:expr) => {
        match $self {
            Db::Sqlite($db) => $call.await,
            Db::Postgres($db) => $call.await,
        }
    };
}

// After the macro, which it uses.
mod customers;
mod lookup;
mod sales;

impl Db {
    /// Opens (and migrates) the database at `location`: a `postgres://` or `postgresql://`
    /// URL, or the path of a SQLite file, created if missing.
    pub async fn open(location: &str) -> DbResult<Db> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            Ok(Db::Postgres(PgDb::open(location).await?))
        } else {
            Ok(Db::Sqlite(SqliteDb::open(std::path::Path::new(location)).await?))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgresql",
        }
    }

    pub async fn create_store(&self, store: StoreRow) -> DbResult<StoreRow> {
        both!(self, db => db.create_store(store))
    }

    pub async fn stores(&self) -> DbResult<Vec<StoreRow>> {
        both!(self, db => db.stores())
    }

    /// Creates a register of a store and its first enrolment code.
    pub async fn create_register(
        &self,
        store_code: &str,
        number: Option<i64>,
        name: &str,
        id: &str,
        now: &str,
    ) -> DbResult<RegisterRow> {
        both!(self, db => db.create_register(store_code, number, name, id, now))
    }

    pub async fn issue_enrolment(&self, enrolment: NewEnrolment) -> DbResult<()> {
        both!(self, db => db.issue_enrolment(enrolment))
    }

    pub async fn registers(&self, store_code: Option<&str>) -> DbResult<Vec<RegisterRow>> {
        both!(self, db => db.registers(store_code))
    }

    pub async fn register(&self, id: &str) -> DbResult<Option<RegisterRow>> {
        both!(self, db => db.register(id))
    }

    /// Revokes a register: its credential is refused from its next request on.
    pub async fn revoke(&self, register_id: &str, now: &str) -> DbResult<RegisterRow> {
        both!(self, db => db.revoke(register_id, now))
    }

    /// Lifts a revocation: the register's old credential stays refused (it is cleared); it
    /// enrols again with a new code.
    pub async fn reinstate(&self, register_id: &str) -> DbResult<RegisterRow> {
        both!(self, db => db.reinstate(register_id))
    }

    /// Exchanges a one-time code for a credential (only hashes are passed and stored).
    pub async fn enrol(&self, attempt: EnrolAttempt) -> DbResult<Enrolment> {
        both!(self, db => db.enrol(attempt))
    }

    pub async fn authenticate(&self, credential_hash: &str) -> DbResult<Option<Authenticated>> {
        both!(self, db => db.authenticate(credential_hash))
    }

    /// Takes in a batch in one transaction; a retry changes nothing. `skew_seconds` is how
    /// far the register's clock is off (0 within the tolerance): its entries are counted in
    /// the business day they really fell on.
    pub async fn ingest(
        &self,
        register: &Authenticated,
        batch: LedgerBatch,
        now: &str,
        skew_seconds: i64,
    ) -> DbResult<Plan> {
        // Each entry's hash and content are checked before the batch's transaction: they do
        // not depend on what the server holds.
        let mut batch = batch;
        let entries = std::mem::take(&mut batch.entries);
        let small = entries.len() < crate::ingest::PARALLEL_FROM;
        let currency = register.currency.clone();
        let verify = move || {
            let facts = comptoir_protocol::check::StoreFacts { currency: &currency };
            let verdicts = crate::ingest::verify(&entries, facts);
            (entries, verdicts)
        };
        // A small batch (a register that keeps up) is checked here, in well under a
        // millisecond; a large one on blocking threads.
        let (entries, verdicts) = if small {
            verify()
        } else {
            tokio::task::spawn_blocking(verify)
                .await
                .map_err(|e| DbError::Backend(e.to_string()))?
        };
        batch.entries = entries;
        both!(self, db => db.ingest(register, batch, verdicts, now, skew_seconds))
    }

    /// The payloads of a store's sales, returns and exchanges of a business day (as corrected
    /// for clocks that were off).
    pub async fn day_sales(&self, store_code: &str, day: &str) -> DbResult<Vec<String>> {
        both!(self, db => db.day_sales(store_code, day))
    }

    pub async fn ledger_status(&self, register_id: &str) -> DbResult<Vec<EpochMark>> {
        both!(self, db => db.ledger_status(register_id))
    }

    /// A register's own entries of an epoch after `after`, as the server holds them (stored,
    /// or quarantined in their place in the chain), at most `limit`: what a register restored
    /// from a backup takes back.
    pub async fn ledger_entries(
        &self,
        register_id: &str,
        epoch: i64,
        after: i64,
        limit: i64,
    ) -> DbResult<Vec<comptoir_protocol::LedgerEntry>> {
        both!(self, db => db.ledger_entries(register_id, epoch, after, limit))
    }

    /// Records an administrator's API token (its hash); a name is used once.
    pub async fn create_admin_token(&self, hash: &str, name: &str, now: &str) -> DbResult<()> {
        both!(self, db => db.create_admin_token(hash, name, now))
    }

    /// The name of the administrator whose token this is, if it is known and not revoked.
    pub async fn admin_by_token(&self, hash: &str) -> DbResult<Option<String>> {
        both!(self, db => db.admin_by_token(hash))
    }

    pub async fn revoke_admin_token(&self, name: &str, now: &str) -> DbResult<()> {
        both!(self, db => db.revoke_admin_token(name, now))
    }

    /// Keeps an imported catalog file as a draft.
    pub async fn create_draft(
        &self,
        created_at: &str,
        source: &str,
        price_from: Option<&str>,
        rows: Vec<comptoir_protocol::catalog::CatalogRow>,
    ) -> DbResult<crate::catalog::DraftRow> {
        both!(self, db => db.create_draft(created_at, source, price_from, rows))
    }

    pub async fn drafts(&self) -> DbResult<Vec<crate::catalog::DraftRow>> {
        both!(self, db => db.drafts())
    }

    /// A draft with its rows.
    pub async fn draft(&self, id: i64) -> DbResult<crate::catalog::DraftRow> {
        both!(self, db => db.draft(id))
    }

    /// Keeps an imported promotions file.
    pub async fn create_promotion_file(
        &self,
        created_at: &str,
        source: &str,
        records: Vec<comptoir_protocol::promotion::PromotionRecord>,
    ) -> DbResult<crate::promotions::PromotionFile> {
        both!(self, db => db.create_promotion_file(created_at, source, records))
    }

    /// A promotions file with its records: `id`, or the latest imported.
    pub async fn promotion_file(
        &self,
        id: Option<i64>,
    ) -> DbResult<crate::promotions::PromotionFile> {
        both!(self, db => db.promotion_file(id))
    }

    /// The promotions files imported, oldest first (without their records).
    pub async fn promotion_files(&self) -> DbResult<Vec<crate::promotions::PromotionFile>> {
        both!(self, db => db.promotion_files())
    }

    /// Changes a store's catalog in one transaction, under the store's lock: `plan` gets the
    /// store and its current catalog and says what to append (an `Err` is
    /// [`DbError::Invalid`] and changes nothing); each change gets the next version.
    pub async fn publish(
        &self,
        store_code: &str,
        now: &str,
        draft_id: Option<i64>,
        plan: CatalogPlan,
    ) -> DbResult<crate::catalog::Published> {
        both!(self, db => db.publish(store_code, now, draft_id, plan))
    }

    /// A store's catalog changes after `since` (at most `limit`).
    pub async fn catalog_page(
        &self,
        store_id: &str,
        since: i64,
        limit: i64,
    ) -> DbResult<comptoir_protocol::catalog::CatalogPage> {
        both!(self, db => db.catalog_page(store_id, since, limit))
    }

    /// Records movements made on the server (receipts, transfers, counts) in one
    /// transaction, and returns the levels they leave.
    pub async fn record_movements(
        &self,
        movements: Vec<crate::stock::Movement>,
        now: &str,
    ) -> DbResult<Vec<crate::stock::Level>> {
        both!(self, db => db.record_movements(movements, now))
    }

    /// On-hand of a SKU in a store, in thousandths (0 if nothing ever moved).
    pub async fn on_hand(&self, store_code: &str, sku: &str) -> DbResult<i64> {
        both!(self, db => db.on_hand(store_code, sku))
    }

    /// A store's levels changed at or after `since` (all of them from `""`).
    pub async fn stock_levels(
        &self,
        store_id: &str,
        since: &str,
    ) -> DbResult<Vec<crate::stock::Level>> {
        both!(self, db => db.stock_levels(store_id, since))
    }

    /// A SKU's level in every store that has moved it.
    pub async fn stock_anywhere(&self, sku: &str) -> DbResult<Vec<crate::stock::Level>> {
        both!(self, db => db.stock_anywhere(sku))
    }

    pub async fn stock_exceptions(
        &self,
        store_code: Option<&str>,
        open_only: bool,
    ) -> DbResult<Vec<crate::stock::StockException>> {
        both!(self, db => db.stock_exceptions(store_code, open_only))
    }

    pub async fn quarantine(&self, store_code: Option<&str>) -> DbResult<Vec<QuarantineRow>> {
        both!(self, db => db.quarantine(store_code))
    }

    pub async fn log_security(
        &self,
        kind: &str,
        register_id: Option<&str>,
        detail: &str,
        remote: Option<&str>,
        now: &str,
    ) -> DbResult<()> {
        both!(self, db => db.log_security(kind, register_id, detail, remote, now))
    }

    pub async fn security_events(&self, limit: i64) -> DbResult<Vec<SecurityEvent>> {
        both!(self, db => db.security_events(limit))
    }

    pub async fn ledger_counts(&self, store_code: Option<&str>) -> DbResult<Vec<LedgerCount>> {
        both!(self, db => db.ledger_counts(store_code))
    }

    /// The payloads of the sales the server holds for a store, in register and sequence
    /// order (for totals checks).
    pub async fn sale_payloads(&self, store_code: &str) -> DbResult<Vec<String>> {
        both!(self, db => db.sale_payloads(store_code))
    }
}

/// The schema, the same tables on both backends; `$n` placeholders throughout (SQLite reads
/// them as `?n`, see [`sqlite::q`]).
pub(crate) mod sql {
    /// Where the two SQL dialects differ in the schema.
    #[derive(Clone, Copy)]
    pub enum Dialect {
        Sqlite,
        Postgres,
    }

    /// A migration in `dialect`: `{int}`, `{serial}`, `{bool}`, `{blob}` and `{without_rowid}` are the
    /// column types and table options that differ.
    pub fn dialect(template: &str, dialect: Dialect) -> String {
        let (int, serial, boolean, without_rowid) = match dialect {
            Dialect::Sqlite => ("INTEGER", "INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", ""),
            Dialect::Postgres => ("BIGINT", "BIGSERIAL PRIMARY KEY", "BOOLEAN", ""),
        };
        let blob = match dialect {
            Dialect::Sqlite => "BLOB",
            Dialect::Postgres => "BYTEA",
        };
        template
            .replace("{blob}", blob)
            .replace("{serial}", serial)
            .replace("{int}", int)
            .replace("{bool}", boolean)
            .replace("{without_rowid}", without_rowid)
    }

    /// The schema, step by step; a step is never changed once released, only added.
    pub const MIGRATIONS: &[&str] = &[
        r#"
    CREATE TABLE store (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        currency TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE register (
        id TEXT PRIMARY KEY,
        store_id TEXT NOT NULL REFERENCES store (id),
        number {int} NOT NULL,
        name TEXT NOT NULL,
        device_id TEXT,
        credential_hash TEXT UNIQUE,
        enrolled_at TEXT,
        revoked_at TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (store_id, number)
    );
    CREATE TABLE enrolment (
        code_hash TEXT PRIMARY KEY,
        register_id TEXT NOT NULL REFERENCES register (id),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    );
    CREATE TABLE ledger_epoch (
        register_id TEXT NOT NULL REFERENCES register (id),
        epoch {int} NOT NULL,
        high_water {int} NOT NULL,
        last_hash TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (register_id, epoch)
    );
    CREATE TABLE ledger (
        register_id TEXT NOT NULL,
        epoch {int} NOT NULL,
        seq {int} NOT NULL,
        store_id TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        business_day TEXT NOT NULL,
        receipt_no TEXT,
        external_ref TEXT,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        received_at TEXT NOT NULL,
        -- The business day the entry really fell on: the register's own, or, when its clock
        -- was off, its time less the offset in the store's time zone. Reports go by it.
        business_day_corrected TEXT,
        PRIMARY KEY (register_id, epoch, seq)
    ) {without_rowid};
    CREATE INDEX ledger_hash ON ledger (register_id, hash);
    CREATE INDEX ledger_corrected_day ON ledger (store_id, business_day_corrected);
    CREATE INDEX ledger_entry_id ON ledger (entry_id);
    CREATE TABLE quarantine (
        id {serial},
        register_id TEXT NOT NULL,
        epoch {int} NOT NULL,
        seq {int} NOT NULL,
        store_id TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        hash TEXT NOT NULL,
        in_chain {bool} NOT NULL,
        code TEXT NOT NULL,
        reason TEXT NOT NULL,
        entry TEXT NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (register_id, epoch, seq, hash)
    );
    CREATE TABLE security_event (
        id {serial},
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        register_id TEXT,
        detail TEXT NOT NULL,
        remote TEXT
    );
"#,
        r#"
    ALTER TABLE store ADD COLUMN catalog_version {int} NOT NULL DEFAULT 0;
    CREATE TABLE admin_token (
        hash TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE catalog_draft (
        id {serial},
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        price_from TEXT,
        items {int} NOT NULL,
        rows TEXT NOT NULL,
        published_to TEXT NOT NULL DEFAULT ''
    );
    -- The latest change of each key of a store's catalog, with the version that made it: the
    -- compacted change log registers pull with `since`.
    CREATE TABLE catalog_current (
        store_id TEXT NOT NULL REFERENCES store (id),
        key TEXT NOT NULL,
        version {int} NOT NULL,
        change TEXT NOT NULL,
        PRIMARY KEY (store_id, key)
    );
    CREATE UNIQUE INDEX catalog_current_version ON catalog_current (store_id, version);
    -- Every change, in order, and the draft it came from.
    CREATE TABLE catalog_log (
        store_id TEXT NOT NULL REFERENCES store (id),
        version {int} NOT NULL,
        change TEXT NOT NULL,
        draft_id {int},
        published_at TEXT NOT NULL,
        PRIMARY KEY (store_id, version)
    );
"#,
        r#"
    -- On-hand per store and SKU, in thousandths: the sum of the movements held (sales and
    -- adjustments from the registers' ledgers, receipts, transfers and counts from here).
    CREATE TABLE stock_level (
        store_id TEXT NOT NULL REFERENCES store (id),
        sku TEXT NOT NULL,
        on_hand_milli {int} NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (store_id, sku)
    );
    CREATE INDEX stock_level_updated ON stock_level (store_id, updated_at);
    CREATE INDEX stock_level_sku ON stock_level (sku);
    -- Movements recorded on the server (the registers' are their ledger entries).
    CREATE TABLE stock_movement (
        id {serial},
        store_id TEXT NOT NULL REFERENCES store (id),
        sku TEXT NOT NULL,
        delta_milli {int} NOT NULL,
        kind TEXT NOT NULL,
        reference TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE stock_exception (
        id {serial},
        store_id TEXT NOT NULL REFERENCES store (id),
        sku TEXT NOT NULL,
        on_hand_milli {int} NOT NULL,
        entries TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        closed_at TEXT
    );
    CREATE UNIQUE INDEX stock_exception_open ON stock_exception (store_id, sku) WHERE closed_at IS NULL;
"#,
        r#"
    -- Customer profiles (comptoir-customers): each one's automerge document as chunks in the
    -- chain-wide customer log, in the order they were written (`serial`); registers pull the
    -- log after the last position they took in. Only ciphertext of personal fields is in the
    -- chunks; the keys are in the key store, a file of their own outside this database.
    CREATE TABLE customer (
        customer_id TEXT PRIMARY KEY,
        chunks {int} NOT NULL,
        updated_at TEXT NOT NULL,
        erased_at {int},
        erased_by TEXT
    );
    CREATE TABLE customer_log (
        serial {serial},
        customer_id TEXT NOT NULL REFERENCES customer (customer_id),
        bytes {blob} NOT NULL
    );
    CREATE INDEX customer_log_doc ON customer_log (customer_id, serial);
    -- The row every customer write locks first (PostgreSQL), so writes commit in the order
    -- of their log positions and a pull never skips one still being written.
    CREATE TABLE customer_log_lock (one {int} PRIMARY KEY);
    INSERT INTO customer_log_lock VALUES (1);
"#,
        r#"
    -- The entries of an oversell exception, a row each (before, a text list in `entries`,
    -- which exceptions opened before this step keep and which is read first).
    CREATE TABLE stock_exception_entry (
        id {serial},
        exception_id {int} NOT NULL REFERENCES stock_exception (id),
        entry_id TEXT NOT NULL
    );
    CREATE INDEX stock_exception_entry_of ON stock_exception_entry (exception_id, id);
"#,
        r#"
    -- Imported promotions files, each the chain's whole list (JSON), published from the latest.
    CREATE TABLE promotion_file (
        id {serial},
        created_at TEXT NOT NULL,
        source TEXT NOT NULL,
        promotions {int} NOT NULL,
        records TEXT NOT NULL
    );
"#,
        r#"
    -- A sale found by its receipt number at any register of the chain, for a return
    -- (`GET /v1/sales/{receipt_no}`).
    CREATE INDEX ledger_receipt ON ledger (receipt_no) WHERE receipt_no IS NOT NULL;
    -- The lines of the returns and exchanges held, by the receipt they came from (and that
    -- sale's entry id, when the register knew it): what a sale already gave back, whichever
    -- register took it back. Written in each batch's transaction; the entries held before
    -- this step are added when it runs (`RETURNED_LINES_STEP`).
    CREATE TABLE returned_line (
        original_receipt TEXT NOT NULL,
        register_id TEXT NOT NULL,
        epoch {int} NOT NULL,
        seq {int} NOT NULL,
        line {int} NOT NULL,
        original_line {int} NOT NULL,
        original_entry TEXT,
        qty TEXT NOT NULL,
        PRIMARY KEY (original_receipt, register_id, epoch, seq, line)
    );
"#,
        r#"
    -- The entries with a store-credit leg, by the credit note's number (issued by a refund,
    -- spent as a tender): a note is spent at any register of the chain. Written in each
    -- batch's transaction; the entries held before this step are added when it runs
    -- (`CREDIT_LEGS_STEP`).
    CREATE TABLE credit_leg (
        reference TEXT NOT NULL,
        register_id TEXT NOT NULL,
        epoch {int} NOT NULL,
        seq {int} NOT NULL,
        PRIMARY KEY (reference, register_id, epoch, seq)
    );
"#,
    ];

    /// The schema version that makes `credit_leg`, filled from the entries held.
    pub const CREDIT_LEGS_STEP: usize = 8;

    pub const CREDITS_HELD: &str = "SELECT register_id, epoch, seq, kind, payload FROM ledger \
        WHERE kind IN ('sale', 'return', 'exchange') AND payload LIKE '%store_credit%'";

    pub const INSERT_CREDIT_LEG: &str = "INSERT INTO credit_leg (reference, register_id, \
        epoch, seq) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";

    /// The entries with a leg on the credit note `$1`, with their store's currency, in the
    /// order recorded.
    pub const CREDIT_ENTRIES: &str = "SELECT s.currency, l.epoch, l.seq, l.entry_id, l.kind, \
        l.recorded_at, l.business_day, l.receipt_no, l.external_ref, l.payload, l.prev_hash, \
        l.hash FROM credit_leg c JOIN ledger l ON l.register_id = c.register_id \
        AND l.epoch = c.epoch AND l.seq = c.seq JOIN store s ON s.id = l.store_id \
        WHERE c.reference = $1 ORDER BY l.recorded_at, l.register_id, l.epoch, l.seq LIMIT 1000";

    /// The schema version that makes `returned_line`: the migration fills it from the
    /// returns and exchanges already held, in the step's own transaction.
    pub const RETURNED_LINES_STEP: usize = 7;

    /// The entries whose returned lines the step adds.
    pub const RETURNS_HELD: &str = "SELECT register_id, epoch, seq, kind, payload FROM ledger \
        WHERE kind IN ('return', 'exchange')";

    pub const INSERT_RETURNED_LINE: &str = "INSERT INTO returned_line (original_receipt, \
        register_id, epoch, seq, line, original_line, original_entry, qty) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";

    /// The sale-like entries with a receipt number, with their store (a handful at most).
    pub const SALES_BY_RECEIPT: &str = "SELECT l.register_id, s.code, s.currency, l.epoch, \
        l.seq, l.entry_id, l.kind, l.recorded_at, l.business_day, l.receipt_no, l.external_ref, \
        l.payload, l.prev_hash, l.hash FROM ledger l JOIN store s ON s.id = l.store_id \
        WHERE l.receipt_no = $1 AND l.kind IN ('sale', 'exchange') \
        ORDER BY s.code, l.register_id, l.epoch, l.seq LIMIT 20";

    /// The return and exchange entries with a line of the sale with receipt `$1` (and entry
    /// id `$2`, when the return knew it), in the order they were recorded.
    pub const RETURNS_OF: &str = "SELECT l.epoch, l.seq, l.entry_id, l.kind, l.recorded_at, \
        l.business_day, l.receipt_no, l.external_ref, l.payload, l.prev_hash, l.hash \
        FROM (SELECT DISTINCT register_id, epoch, seq FROM returned_line \
        WHERE original_receipt = $1 AND (original_entry IS NULL OR original_entry = $2)) r \
        JOIN ledger l ON l.register_id = r.register_id AND l.epoch = r.epoch AND l.seq = r.seq \
        ORDER BY l.recorded_at, l.register_id, l.epoch, l.seq";

    pub const UPSERT_LEVEL: &str = "INSERT INTO stock_level (store_id, sku, on_hand_milli, \
        updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (store_id, sku) DO UPDATE SET \
        on_hand_milli = stock_level.on_hand_milli + excluded.on_hand_milli, \
        updated_at = excluded.updated_at RETURNING on_hand_milli";

    /// The open exception's new on-hand, and its id (its entries are rows of their own: a
    /// SKU oversold for days is not rewritten whole at each batch).
    pub const EXTEND_EXCEPTION: &str = "UPDATE stock_exception SET on_hand_milli = $3 \
        WHERE store_id = $1 AND sku = $2 AND closed_at IS NULL RETURNING id";

    pub const OPEN_EXCEPTION: &str = "INSERT INTO stock_exception (store_id, sku, \
        on_hand_milli, entries, opened_at) VALUES ($1, $2, $3, '', $4) RETURNING id";

    pub const ADD_EXCEPTION_ENTRY: &str =
        "INSERT INTO stock_exception_entry (exception_id, entry_id) VALUES ($1, $2)";

    /// PostgreSQL: every entry of a batch in one statement, in order.
    pub const ADD_EXCEPTION_ENTRIES: &str = "INSERT INTO stock_exception_entry (exception_id, \
        entry_id) SELECT $1, e FROM unnest($2::text[]) WITH ORDINALITY AS t (e, n) ORDER BY n";

    pub const EXCEPTION_ENTRIES: &str =
        "SELECT entry_id FROM stock_exception_entry WHERE exception_id = $1 ORDER BY id";

    pub const SHORT_EXCEPTION: &str = "UPDATE stock_exception SET on_hand_milli = $3 \
        WHERE store_id = $1 AND sku = $2 AND closed_at IS NULL";

    pub const CLOSE_EXCEPTION: &str = "UPDATE stock_exception SET on_hand_milli = $3, \
        closed_at = $4 WHERE store_id = $1 AND sku = $2 AND closed_at IS NULL";

    pub const INSERT_MOVEMENT: &str = "INSERT INTO stock_movement (store_id, sku, delta_milli, \
        kind, reference, at) VALUES ($1, $2, $3, $4, $5, $6)";

    pub const LEVELS_SINCE: &str = "SELECT s.code, l.sku, l.on_hand_milli, l.updated_at \
        FROM stock_level l JOIN store s ON s.id = l.store_id \
        WHERE l.store_id = $1 AND l.updated_at >= $2 ORDER BY l.sku";

    pub const LEVELS_OF_SKU: &str = "SELECT s.code, l.sku, l.on_hand_milli, l.updated_at \
        FROM stock_level l JOIN store s ON s.id = l.store_id WHERE l.sku = $1 ORDER BY s.code";

    pub const EXCEPTIONS: &str = "SELECT e.id, s.code, e.sku, e.on_hand_milli, e.entries, \
        e.opened_at, e.closed_at FROM stock_exception e JOIN store s ON s.id = e.store_id \
        WHERE (CAST($1 AS TEXT) IS NULL OR s.code = $1) AND (NOT $2 OR e.closed_at IS NULL) \
        ORDER BY e.id";

    pub const DRAFT_COLUMNS: &str = "id, created_at, source, price_from, items, published_to";

    pub const INSERT_DRAFT: &str = "INSERT INTO catalog_draft (created_at, source, price_from, \
        items, rows) VALUES ($1, $2, $3, $4, $5) RETURNING id";

    pub const DRAFT_PUBLISHED: &str = "UPDATE catalog_draft SET published_to = CASE \
        WHEN published_to = '' THEN $2 ELSE published_to || ',' || $2 END WHERE id = $1";

    pub const INSERT_PROMOTION_FILE: &str = "INSERT INTO promotion_file (created_at, source, \
        promotions, records) VALUES ($1, $2, $3, $4) RETURNING id";

    /// The file of id `$1`, or the latest when `$1` is null.
    pub const PROMOTION_FILE: &str = "SELECT id, created_at, source, promotions, records \
        FROM promotion_file WHERE CAST($1 AS BIGINT) IS NULL OR id = $1 ORDER BY id DESC LIMIT 1";

    pub const PROMOTION_FILES: &str =
        "SELECT id, created_at, source, promotions FROM promotion_file ORDER BY id";

    pub const CATALOG_CURRENT: &str = "SELECT change FROM catalog_current WHERE store_id = $1";

    pub const UPSERT_CURRENT: &str = "INSERT INTO catalog_current (store_id, key, version, change) \
        VALUES ($1, $2, $3, $4) ON CONFLICT (store_id, key) \
        DO UPDATE SET version = excluded.version, change = excluded.change";

    pub const INSERT_LOG: &str = "INSERT INTO catalog_log (store_id, version, change, draft_id, \
        published_at) VALUES ($1, $2, $3, $4, $5)";

    pub const CATALOG_PAGE: &str = "SELECT version, change FROM catalog_current \
        WHERE store_id = $1 AND version > $2 ORDER BY version LIMIT $3";

    pub const REGISTER_COLUMNS: &str = "r.id, r.store_id, s.code, r.number, r.name, \
        r.device_id, r.enrolled_at, r.revoked_at, r.created_at";

    pub const STORE_COLUMNS: &str = "id, code, name, currency, time_zone, created_at";

    pub const QUARANTINE_COLUMNS: &str = "q.id, q.register_id, s.code, q.epoch, q.seq, \
        q.entry_id, q.kind, q.code, q.reason, q.in_chain, q.received_at";

    pub const INSERT_ENTRY: &str = "INSERT INTO ledger (register_id, epoch, seq, store_id, \
        entry_id, kind, recorded_at, business_day, receipt_no, external_ref, payload, \
        prev_hash, hash, received_at, business_day_corrected) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

    pub const DAY_SALES: &str = "SELECT l.payload FROM ledger l JOIN store s ON s.id = l.store_id \
        WHERE s.code = $1 AND l.kind IN ('sale', 'return', 'exchange') \
        AND l.business_day_corrected = $2";

    pub const INSERT_QUARANTINE: &str = "INSERT INTO quarantine (register_id, epoch, seq, \
        store_id, entry_id, kind, hash, in_chain, code, reason, entry, received_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
        ON CONFLICT (register_id, epoch, seq, hash) DO NOTHING";

    /// Hashes held at sequences `$3..=$4` of an epoch: stored, or quarantined in the chain.
    pub const HELD_HASHES: &str = "SELECT seq, hash FROM ledger \
        WHERE register_id = $1 AND epoch = $2 AND seq BETWEEN $3 AND $4 \
        UNION ALL SELECT seq, hash FROM quarantine \
        WHERE register_id = $1 AND epoch = $2 AND seq BETWEEN $3 AND $4 AND in_chain";

    pub const LEDGER_COUNTS: &str = "SELECT r.id, \
        (SELECT count(*) FROM ledger l WHERE l.register_id = r.id), \
        (SELECT count(*) FROM ledger l WHERE l.register_id = r.id AND l.kind = 'sale'), \
        (SELECT count(*) FROM quarantine q WHERE q.register_id = r.id) \
        FROM register r JOIN store s ON s.id = r.store_id \
        WHERE CAST($1 AS TEXT) IS NULL OR s.code = $1 ORDER BY s.code, r.number";

    pub const SALE_PAYLOADS: &str = "SELECT l.payload FROM ledger l \
        JOIN store s ON s.id = l.store_id JOIN register r ON r.id = l.register_id \
        WHERE s.code = $1 AND l.kind = 'sale' ORDER BY r.number, l.epoch, l.seq";

    pub const LEDGER_ENTRIES: &str = "SELECT epoch, seq, entry_id, kind, recorded_at, \
        business_day, receipt_no, external_ref, payload, prev_hash, hash FROM ledger \
        WHERE register_id = $1 AND epoch = $2 AND seq > $3 ORDER BY seq LIMIT $4";

    pub const IN_CHAIN_QUARANTINE: &str = "SELECT entry FROM quarantine \
        WHERE register_id = $1 AND epoch = $2 AND seq > $3 AND in_chain ORDER BY seq LIMIT $4";

    /// The last entry the server holds for a register (stored or in its chain).
    pub const LATEST: &str = "SELECT epoch, seq, hash FROM ( \
        SELECT epoch, seq, hash FROM ledger WHERE register_id = $1 \
        UNION ALL SELECT epoch, seq, hash FROM quarantine WHERE register_id = $1 AND in_chain \
        ) AS held ORDER BY epoch DESC, seq DESC LIMIT 1";

    pub const HASH_AT: &str = "SELECT hash FROM ledger \
        WHERE register_id = $1 AND epoch = $2 AND seq = $3 \
        UNION ALL SELECT hash FROM quarantine \
        WHERE register_id = $1 AND epoch = $2 AND seq = $3 AND in_chain";

    pub const BACK_LINK_KNOWN: &str = "SELECT 1 FROM ledger \
        WHERE register_id = $1 AND hash = $2 AND epoch < $3 \
        UNION ALL SELECT 1 FROM quarantine \
        WHERE register_id = $1 AND hash = $2 AND epoch < $3 AND in_chain LIMIT 1";
}

/// Stored entries and in-chain quarantined ones (kept as JSON), merged in sequence order.
pub(crate) fn merge_entries(
    mut stored: Vec<comptoir_protocol::LedgerEntry>,
    quarantined: Vec<String>,
    limit: i64,
) -> DbResult<Vec<comptoir_protocol::LedgerEntry>> {
    for json in quarantined {
        stored.push(serde_json::from_str(&json).map_err(|e| DbError::Backend(e.to_string()))?);
    }
    stored.sort_by_key(|e| e.seq);
    stored.truncate(limit.max(0) as usize);
    Ok(stored)
}

/// Why a register with this ledger may not take a register's place, given what the server
/// holds: `latest` (its last entry for the register, `None` if it holds nothing) and the hashes
/// it holds at the tip's position. Allowed: an empty ledger (a new install takes it back); a
/// tip the server holds (the same till, behind or level); an acknowledged entry that is the
/// server's latest (the same till, its later entries not sent yet). Anything else is another
/// till's history.
pub(crate) fn history_conflict(
    tip: Option<&comptoir_protocol::wire::LedgerTip>,
    acked: Option<&comptoir_protocol::wire::LedgerTip>,
    latest: Option<(i64, i64, String)>,
    hashes_at_tip: &[String],
) -> Option<String> {
    let latest = latest?;
    let tip = tip?;
    if hashes_at_tip.contains(&tip.hash) {
        return None;
    }
    if acked.is_some_and(|a| {
        (a.epoch, a.seq, a.hash.as_str()) == (latest.0, latest.1, latest.2.as_str())
    }) {
        return None;
    }
    Some(format!(
        "the register's ledger ends at ({}, {}), which is not in the ledger held for this \
         register, and the server holds entries after what it acknowledged to it: another \
         till's history",
        tip.epoch, tip.seq
    ))
}

/// The business day an entry really fell on: the register's own, or when its clock was
/// `skew_seconds` off, its time less the skew in the store's time zone (the register's own day
/// when the time or the zone does not parse).
pub(crate) fn corrected_day(
    recorded_at: &str,
    business_day: &str,
    skew_seconds: i64,
    time_zone: &str,
) -> String {
    let corrected = || {
        let at = chrono::DateTime::parse_from_rfc3339(recorded_at).ok()?;
        let zone: chrono_tz::Tz = time_zone.parse().ok()?;
        let real = at.with_timezone(&chrono::Utc) - chrono::Duration::seconds(skew_seconds);
        Some(real.with_timezone(&zone).date_naive().to_string())
    };
    if skew_seconds == 0 { None } else { corrected() }.unwrap_or_else(|| business_day.to_owned())
}
