//! The register's link to the central server: enrolment, an upload on demand, and the
//! background sync task that never blocks a sale.
//!
//! The task runs on its own thread with its own database connection: it reads the ledger
//! after the acknowledged mark (WAL lets it read beside a sale's commit) and writes only the
//! acknowledgement, in short transactions. A sale pokes it after its commit; otherwise it
//! wakes every [`IDLE`]; after a failure it waits with exponential backoff up to [`MAX_BACKOFF`].

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use comptoir_store::Store;
use comptoir_sync::{HttpTransport, SyncError, Trust, UploadReport};
use serde::Serialize;

use crate::{AppError, AppResult, Register};

/// Between two rounds when all is well.
pub const IDLE: Duration = Duration::from_secs(15);
/// The longest wait after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);
const LAST_SUCCESS: &str = "sync.last_success_at";
const LAST_ERROR: &str = "sync.last_error";
const CLOCK_SKEW: &str = "sync.clock_skew_seconds";

/// What the screen shows of sync.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SyncView {
    /// `not_enrolled`, `starting` (the task's first round is on its way), `not_running` (no
    /// task: the CLI before `comptoir sync`), `online`, `offline` (no connection, retrying) or
    /// `refused` (the server refused the credential, or the certificate is not the pinned
    /// one: somebody must act).
    pub state: &'static str,
    pub server: Option<String>,
    /// Entries the server has not acknowledged yet.
    pub pending: u64,
    /// Customers created or edited here that the server has not acknowledged yet.
    pub customers_pending: u64,
    pub last_success_at: Option<String>,
    pub last_error: Option<SyncProblem>,
    /// Entries the server set aside (an administrator lists them on the server).
    pub rejected: u64,
    /// The register's clock minus the server's, in seconds, when the server found it off
    /// (more than 5 minutes): the clock needs setting; sales still count on the right day.
    pub clock_skew_seconds: Option<i64>,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct SyncProblem {
    pub code: String,
    pub message: String,
    pub at: String,
}

#[derive(Clone, Debug, Default)]
struct Shared {
    state: Option<&'static str>,
    last_success_at: Option<String>,
    last_error: Option<SyncProblem>,
}

/// The running sync task.
pub struct SyncTask {
    poke: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

/// Where sync stands, as the last round (the task's, or `comptoir sync`'s) left it.
#[derive(Clone, Debug, Default)]
pub(crate) struct SyncShared(Arc<Mutex<Shared>>);

impl SyncShared {
    fn reset(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Shared::default();
    }

    fn get(&self) -> Shared {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn record(&self, outcome: &Result<Option<UploadReport>, SyncError>) {
        let mut s = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(None) => s.state = Some("not_enrolled"),
            Ok(Some(_)) => {
                s.state = Some("online");
                s.last_success_at = Some(now());
                s.last_error = None;
            }
            Err(e) => {
                s.state = Some(if e.is_transient() { "offline" } else { "refused" });
                s.last_error = Some(SyncProblem {
                    code: e.code.to_owned(),
                    message: e.message.clone(),
                    at: now(),
                });
            }
        }
    }
}

impl std::fmt::Debug for SyncTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncTask")
    }
}

impl Drop for SyncTask {
    fn drop(&mut self) {
        // Closing the channel ends the task at its next wake-up; a round in flight finishes
        // (an upload is safe to cut anyway), so this does not wait for it.
        let (closed, _) = mpsc::channel();
        self.poke = closed;
        drop(self.thread.take());
    }
}

pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn app_error(e: SyncError) -> AppError {
    // The register's own database refusing a write is the same failure, and message, as
    // anywhere else in the app.
    let code = if e.code == "storage" { "storage_failed" } else { e.code };
    AppError::new(code, e.message)
}

/// One round: first ask the server where it stands for every epoch (which finds a server
/// restored from a backup: where it holds less than it acknowledged, the mark goes back and
/// those entries go again, earliest epoch first), then upload what waits, then pull the
/// store's catalog changes (items, prices, taxes) and its stock levels: the server's state
/// is taken only once it holds this register's own sales. Last, customers both ways.
pub fn round(
    store: &mut Store,
    transport: &HttpTransport,
    clock: &dyn Fn() -> String,
) -> Result<UploadReport, SyncError> {
    let status = transport.ledger_status()?;
    for (epoch, acked) in store.sync_acked_marks()? {
        let held = status.epochs.iter().find(|m| m.epoch == epoch).map_or(0, |m| m.high_water);
        if held < acked {
            tracing::warn!(
                epoch,
                held,
                acked,
                "the server holds less than it acknowledged; sending again"
            );
            store.set_sync_acked(epoch, held, &now())?;
            break;
        }
    }
    let mut report = comptoir_sync::upload_in_batches_of(store, transport, clock, batch_size())?;
    if report.batches > 0 {
        // What the server said of this register's clock (nothing: it is right).
        let skew = report.clock_skew_seconds.map(|s| s.to_string()).unwrap_or_default();
        store.set_setting(CLOCK_SKEW, &skew)?;
    }
    let config = store_config(store)?;
    let received_at = local_minute(&config, clock)?;
    let digits = config.currency.digits;
    report.catalog = Some(comptoir_sync::pull_catalog(transport, store, &received_at, digits)?);
    report.stock_levels = Some(comptoir_sync::pull_stock(transport, store, &clock())?);
    report.customers = Some(comptoir_sync::sync_customers(transport, store)?);
    Ok(report)
}

/// The register's store configuration, as the database holds it.
fn store_config(store: &Store) -> Result<crate::config::Store, SyncError> {
    let register = store
        .register()?
        .ok_or_else(|| SyncError::new("storage", "the register is not initialised".to_owned()))?;
    crate::config::Store::from_json(&register.store_config)
        .map_err(|e| SyncError::new("storage", e.to_string()))
}

/// The local time now in the register's store (`YYYY-MM-DDTHH:MM`), from a UTC clock text.
fn local_minute(
    config: &crate::config::Store,
    clock: &dyn Fn() -> String,
) -> Result<String, SyncError> {
    let now = chrono::DateTime::parse_from_rfc3339(&clock())
        .map(|t| t.with_timezone(&config.tz).naive_local())
        .map_err(|e| SyncError::new("storage", format!("the clock: {e}")))?;
    Ok(comptoir_protocol::catalog::format_local_time(now))
}

/// Entries per batch: `COMPTOIR_SYNC_BATCH` (1 to 1000), else [`comptoir_sync::BATCH`]. Smaller
/// batches suit a slow link: each one is a request of its own, acknowledged on its own.
fn batch_size() -> u32 {
    let Ok(text) = std::env::var("COMPTOIR_SYNC_BATCH") else {
        return comptoir_sync::BATCH;
    };
    match text.parse::<u32>() {
        Ok(n) if (1..=1000).contains(&n) => n,
        _ => {
            tracing::warn!(value = %text, "COMPTOIR_SYNC_BATCH is not 1 to 1000: using {}", comptoir_sync::BATCH);
            comptoir_sync::BATCH
        }
    }
}

fn clock_text(clock: &dyn crate::Clock) -> String {
    clock.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn run_task(
    db_path: PathBuf,
    poke: Receiver<()>,
    shared: SyncShared,
    clock: Arc<dyn crate::Clock>,
) {
    let mut store: Option<Store> = None;
    let mut transport: Option<(String, HttpTransport)> = None;
    let mut backoff = Duration::from_secs(1);
    let mut delay = Duration::ZERO;
    loop {
        match poke.recv_timeout(delay) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        // Several pokes (a burst of sales) make one round.
        while poke.try_recv().is_ok() {}
        let outcome = (|| -> Result<Option<UploadReport>, SyncError> {
            if store.is_none() {
                store = Some(Store::open(&db_path)?);
            }
            let db = store.as_mut().expect("opened above");
            let Some(server) = db.sync_server()? else {
                return Ok(None);
            };
            let key = format!("{} {} {}", server.url, server.register_id, server.credential);
            if transport.as_ref().is_none_or(|(k, _)| *k != key) {
                transport = Some((key, HttpTransport::new(&server)?));
            }
            let (_, http) = transport.as_ref().expect("made above");
            let report = round(db, http, &|| clock_text(&*clock))?;
            let at = now();
            db.set_setting(LAST_SUCCESS, &at)?;
            Ok(Some(report))
        })();
        shared.record(&outcome);
        match outcome {
            Ok(None) => delay = IDLE,
            Ok(Some(report)) => {
                backoff = Duration::from_secs(1);
                delay = if report.pending > 0 { Duration::ZERO } else { IDLE };
            }
            Err(e) => {
                tracing::warn!(code = %e.code, "sync: {}", e.message);
                // A little jitter, so registers that lost the same network do not all come
                // back in the same second.
                let jitter = Duration::from_millis(u64::from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.subsec_millis())
                        % 250,
                ));
                delay = backoff + jitter;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

impl Register {
    /// Enrols this register with the central server (a manager's task): checks the server's
    /// certificate against what the administrator gave, exchanges the one-time code for the
    /// register's credential, and pins the certificate.
    pub fn enrol(&mut self, url: &str, code: &str, trust: Trust) -> AppResult<SyncView> {
        self.require("sync_setup")?;
        let before = self.db.last_position()?;
        comptoir_sync::enrol(&mut self.db, url, code, trust, &now()).map_err(|e| {
            if e.code == "offline" {
                // Not "keep selling": nothing was enrolled.
                AppError::new("server_unreachable", format!("{url}: {}", e.message))
            } else {
                app_error(e)
            }
        })?;
        let after = self.db.last_position()?;
        // A new enrolment: what the last rounds said is about the old one.
        self.sync_shared.reset();
        self.db.set_setting(LAST_ERROR, "")?;
        if after != before {
            // A reinstalled till took its ledger back from the server: those receipts were
            // printed by the till that was lost, none prints again; the open shift, the epoch
            // and the receipt numbering are the ledger's again.
            self.db.set_setting(
                crate::register::RECEIPTS_QUEUED,
                &format!("{}:{}", after.0, after.1),
            )?;
            self.register =
                self.db.register()?.ok_or(comptoir_store::StoreError::NotInitialised)?;
            self.shift = self.find_open_shift()?;
        }
        if let Some(task) = &self.sync {
            let _ = task.poke.send(());
        }
        self.sync_view()
    }

    /// Uploads now, in the foreground (the CLI's `comptoir sync`).
    pub fn sync_now(&mut self) -> AppResult<UploadReport> {
        let server = self.db.sync_server()?.ok_or_else(|| {
            AppError::new(
                "not_enrolled",
                "this register is not enrolled with a server: run `comptoir enrol`",
            )
        })?;
        let clock = self.clock.clone();
        let outcome = HttpTransport::new(&server)
            .and_then(|t| round(&mut self.db, &t, &|| clock_text(&*clock)));
        self.sync_shared.record(&outcome.clone().map(Some));
        // Kept for `comptoir sync --status`, which runs in another process.
        let problem = match &outcome {
            Ok(_) => String::new(),
            Err(e) => serde_json::to_string(&SyncProblem {
                code: e.code.to_owned(),
                message: e.message.clone(),
                at: now(),
            })
            .unwrap_or_default(),
        };
        self.db.set_setting(LAST_ERROR, &problem)?;
        let report = outcome.map_err(app_error)?;
        self.db.set_setting(LAST_SUCCESS, &now())?;
        Ok(report)
    }

    /// Starts the background sync task (the app does; the CLI syncs on demand).
    pub fn start_sync(&mut self) {
        if self.sync.is_some() {
            return;
        }
        let (poke, wake) = mpsc::channel();
        let path = crate::register::db_path(&self.data_dir);
        let for_task = self.sync_shared.clone();
        let clock = self.clock.clone();
        let thread = std::thread::Builder::new()
            .name("comptoir-sync".into())
            .spawn(move || run_task(path, wake, for_task, clock))
            .ok();
        if thread.is_none() {
            tracing::error!("could not start the sync task");
            return;
        }
        self.sync = Some(SyncTask { poke, thread });
    }

    /// Wakes the sync task (after a sale): never waits.
    pub(crate) fn poke_sync(&self) {
        if let Some(task) = &self.sync {
            let _ = task.poke.send(());
        }
    }

    pub fn sync_view(&self) -> AppResult<SyncView> {
        // Built with every screen: a register that is not enrolled reads one row.
        let Some(server) = self.db.sync_server()? else {
            return Ok(SyncView {
                state: "not_enrolled",
                server: None,
                pending: 0,
                customers_pending: 0,
                last_success_at: None,
                last_error: None,
                rejected: 0,
                clock_skew_seconds: None,
            });
        };
        let server = Some(server);
        let pending = self.db.sync_pending_count()?;
        let rejected = self.db.sync_rejected_count()?;
        let stored_success = self.db.setting(LAST_SUCCESS)?;
        let mut shared = self.sync_shared.get();
        if shared.state.is_none() {
            // No round in this process yet: what the last one (another process's) left.
            let stored: Option<SyncProblem> =
                self.db.setting(LAST_ERROR)?.and_then(|text| serde_json::from_str(&text).ok());
            if let Some(problem) = stored {
                let transient = comptoir_sync::is_transient_code(&problem.code);
                shared.state = Some(if transient { "offline" } else { "refused" });
                shared.last_error = Some(problem);
            }
        }
        let state = match (&server, shared.state) {
            (None, _) => "not_enrolled",
            (Some(_), Some("not_enrolled") | None) => {
                // Enrolled, and no round has run yet in this process.
                if self.sync.is_some() { "starting" } else { "not_running" }
            }
            (Some(_), Some(state)) => state,
        };
        Ok(SyncView {
            state,
            server: server.map(|s| s.url),
            pending,
            customers_pending: self.db.customers_pending_count()?,
            last_success_at: shared.last_success_at.or(stored_success),
            last_error: shared.last_error,
            rejected,
            clock_skew_seconds: self.db.setting(CLOCK_SKEW)?.and_then(|s| s.parse().ok()),
        })
    }
}

/// A SKU's stock: in this store as last known, and in the chain's stores when the server
/// answers.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StockAnywhere {
    pub sku: String,
    /// This store's on-hand as the server last told it, and when it told it.
    pub here: Option<crate::view::StockView>,
    /// Every store's on-hand, from the server now; empty when it could not be asked.
    pub stores: Vec<comptoir_protocol::wire::StockLevel>,
    /// Why the other stores are not shown (offline, not enrolled), if they are not.
    pub unavailable: Option<String>,
}

/// What the register knows of an item's stock, and how to ask the server about the others:
/// taken under the register, asked without it, so a slow network never holds the till.
#[derive(Debug)]
pub struct StockLookup {
    sku: String,
    here: Option<crate::view::StockView>,
    server: Option<comptoir_store::SyncServer>,
}

impl StockLookup {
    /// Asks the server for the SKU's stock in every store (the network; no register needed).
    pub fn ask(self) -> StockAnywhere {
        let StockLookup { sku, here, server } = self;
        let asked = match server {
            None => Err("this register is not enrolled with a server".to_owned()),
            Some(server) => {
                HttpTransport::new(&server).and_then(|t| t.stock_anywhere(&sku)).map_err(|e| {
                    if e.is_transient() {
                        "the server cannot be reached: this store's stock is the last known"
                            .to_owned()
                    } else {
                        e.message
                    }
                })
            }
        };
        match asked {
            Ok(page) => StockAnywhere { sku, here, stores: page.levels, unavailable: None },
            Err(why) => StockAnywhere { sku, here, stores: Vec::new(), unavailable: Some(why) },
        }
    }
}

impl Register {
    /// The stock of an item (barcode or SKU) here and, when the server answers, in every
    /// store. Never in the way of a sale: it is asked for, not part of a scan.
    pub fn stock_anywhere(&mut self, code: &str) -> AppResult<StockAnywhere> {
        Ok(self.stock_lookup(code)?.ask())
    }

    /// The first half of [`Register::stock_anywhere`]: what the register knows.
    pub fn stock_lookup(&mut self, code: &str) -> AppResult<StockLookup> {
        self.cashier()?;
        self.refresh_catalog()?;
        let sku = self
            .catalog
            .lookup(code)
            .map(|i| i.sku.0.clone())
            .ok_or_else(|| AppError::new("unknown_item", code.trim().to_owned()))?;
        let here = self.stock_view(&sku)?;
        Ok(StockLookup { sku, here, server: self.db.sync_server()? })
    }

    /// This store's stock of a SKU as last pulled, if the server ever told it.
    pub(crate) fn stock_view(&self, sku: &str) -> AppResult<Option<crate::view::StockView>> {
        let Some(as_of) = self.db.stock_received_at()? else {
            return Ok(None);
        };
        let on_hand = self.db.stock_of(sku)?.map_or_else(|| "0".to_owned(), |r| r.on_hand);
        let age_minutes = chrono::DateTime::parse_from_rfc3339(&as_of)
            .ok()
            .map(|t| (self.clock.now() - t.with_timezone(&chrono::Utc)).num_minutes().max(0));
        Ok(Some(crate::view::StockView { sku: sku.to_owned(), on_hand, as_of, age_minutes }))
    }
}
