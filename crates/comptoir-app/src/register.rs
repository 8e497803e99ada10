//! The register: every cashier use case as one method, over the register's database, its
//! catalog and its printer. The Tauri commands, the CLI and the tests call only this.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use comptoir_core::catalog::{Item, ItemKind, Sku};
use comptoir_core::discount::{DiscountRule, ManualDiscount, PriceOverride};
use comptoir_core::gtin::Gtin14;
use comptoir_core::tax::{Exemption, TaxClass};
use comptoir_core::tender::{Settlement, Tender, check_new_tender};
use comptoir_core::{Cart, Catalog, Line, LineId, Money, PricedCart};
use comptoir_store::{
    CashierRow, CatalogRow, NewEntry, PrintJobRow, PrintJobState, RegisterRow, Store,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, SystemClock};
use crate::config::{self, DemoCashier};
use crate::entry::{self, kind};
use crate::error::{AppError, AppResult};
use crate::pin::{self, Pin};
use crate::printing::{PrinterPort, PrinterSetting};
use crate::receipt;
use crate::view::{Notice, ReportView};
use comptoir_printer::{OpeningReason, PrinterNotice};

pub use comptoir_core::Item as CatalogItem;

/// A print job's error while it is being sent: still there after a crash, it means the job
/// may have printed.
const SENDING: &str = "sending";

/// The setting that holds the last sale whose receipt is queued, as `epoch:seq`.
pub(crate) const RECEIPTS_QUEUED: &str = "print.receipts_queued_through";

fn parse_position(text: &str) -> Option<(i64, i64)> {
    let (epoch, seq) = text.split_once(':')?;
    Some((epoch.parse().ok()?, seq.parse().ok()?))
}

/// Wrong PINs in a row before the PIN pad locks.
pub const MAX_PIN_FAILURES: i64 = 5;
/// How long the PIN pad stays locked.
pub const LOCKOUT_MINUTES: i64 = 5;
/// Wrong PINs count towards the lock for this long after the first of them, whatever PINs
/// are right in between: a cashier signing in with their own PIN does not buy more guesses of
/// a manager's.
pub const PIN_FAILURE_WINDOW_MINUTES: i64 = 15;

/// What a role may do beyond ringing up sales.
pub fn permissions(role: &str) -> Vec<&'static str> {
    match role {
        "manager" => {
            vec![
                "open_price",
                "no_sale",
                "void",
                "paid_in",
                "paid_out",
                "reprint",
                "sync_setup",
                "erase_customer",
                "store_policy",
                "device_setup",
            ]
        }
        _ => vec!["void", "paid_in", "reprint"],
    }
}

/// The signed-in cashier.
#[derive(Clone, Debug)]
pub struct Session {
    pub cashier_id: String,
    pub name: String,
    pub role: String,
}

/// The open shift, as the ledger says.
#[derive(Clone, Debug)]
pub struct OpenShift {
    pub number: i64,
    pub opened_at: String,
    pub float: Money,
    /// The ledger position of its `shift_opened` entry.
    pub from: (i64, i64),
}

/// What a committed sale returns to its caller.
#[derive(Clone, Debug)]
pub struct Committed {
    pub entry: comptoir_store::Entry,
    pub sale: entry::Sale,
    pub print_job: String,
    pub printed: Result<(), AppError>,
    /// The cash drawer: `None` when the sale took no cash, `Some(Ok)` when it opened,
    /// `Some(Err)` when it did not (the sale is recorded all the same).
    pub drawer: Option<Result<(), AppError>>,
}

/// Options to open a register with.
pub struct OpenOptions {
    pub clock: Box<dyn Clock>,
    /// Overrides the printer saved in the register's settings.
    pub printer: Option<PrinterSetting>,
    /// Save the cart in progress on every change (the app), or ring a basket in memory only
    /// (the CLI, whose basket is all or nothing).
    pub persist_cart: bool,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions { clock: Box::new(SystemClock), printer: None, persist_cart: true }
    }
}

/// The cart in progress, saved on every change so a crash loses no scanned line or card leg.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct CartSnapshot {
    lines: Vec<SnapshotLine>,
    tenders: Vec<entry::SaleTender>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_discount: Option<SnapshotDiscount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exemption: Option<entry::SaleExemption>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    coupons: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    returns: Vec<entry::ReturnLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer: Option<crate::promotions::AttachedCustomer>,
}

/// A manual discount as the snapshot keeps it: `percent` (a percentage) or `amount` (minor
/// units).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SnapshotDiscount {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    percent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<i64>,
    reason: String,
    by: String,
}

impl SnapshotDiscount {
    fn of(discount: &ManualDiscount) -> SnapshotDiscount {
        let (percent, amount) = match &discount.rule {
            DiscountRule::Percent(p) => (Some(p.to_string()), None),
            DiscountRule::Amount(a) => (None, Some(a.minor())),
        };
        SnapshotDiscount {
            percent,
            amount,
            reason: discount.reason.clone(),
            by: discount.by.clone(),
        }
    }

    fn discount(&self) -> AppResult<ManualDiscount> {
        let rule = match (&self.percent, self.amount) {
            (Some(p), _) => DiscountRule::Percent(
                p.parse()
                    .map_err(|_| AppError::new("bad_saved_cart", "saved cart: bad discount"))?,
            ),
            (None, Some(a)) => DiscountRule::Amount(Money::from_minor(a)),
            (None, None) => {
                return Err(AppError::new("bad_saved_cart", "saved cart: empty discount"));
            }
        };
        Ok(ManualDiscount { rule, reason: self.reason.clone(), by: self.by.clone() })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SnapshotOverride {
    shelf_price: Option<i64>,
    approved_by: String,
    reason: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SnapshotLine {
    line: u32,
    sku: String,
    barcode: Option<String>,
    name: String,
    qty: String,
    unit_price: i64,
    tax_class: String,
    kind: String,
    open_price: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    discount: Option<SnapshotDiscount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    price_override: Option<SnapshotOverride>,
}

/// The register's state between two commands.
pub struct Register {
    pub(crate) data_dir: PathBuf,
    _lock: File,
    pub(crate) db: Store,
    pub(crate) store: config::Store,
    pub(crate) register: RegisterRow,
    pub(crate) catalog: Catalog,
    /// The server's catalog version the in-memory catalog was loaded at.
    catalog_version: i64,
    pub(crate) clock: std::sync::Arc<dyn Clock>,
    pub(crate) lang: String,
    pub(crate) session: Option<Session>,
    pub(crate) locked: bool,
    locked_by: Option<String>,
    pub(crate) shift: Option<OpenShift>,
    pub(crate) cart: Cart,
    /// What an integrated terminal answered for each card tender, by its reference.
    pub(crate) card_slips: std::collections::BTreeMap<String, entry::CardSlip>,
    /// The amount of the card payment waiting for the terminal's answer, if one does.
    pub(crate) card_pending: Option<String>,
    pub(crate) tenders: Vec<Tender>,
    /// Coupons entered for the cart in progress.
    pub(crate) coupons: Vec<String>,
    /// Lines brought back in the cart in progress (a return or an exchange).
    pub(crate) returns: Vec<entry::ReturnLine>,
    /// Other registers' sales the server gave for the returns in the cart, by receipt: the
    /// refund over their tenders when the server is gone between the line and the refund.
    pub(crate) from_server: std::collections::HashMap<String, comptoir_protocol::wire::SaleLookup>,
    /// The manager approving the refund being committed, if it needed one.
    pub(crate) refund_approved_by: Option<String>,
    /// The terminal's approval of the card refund being committed, recorded in its
    /// transaction.
    pub(crate) card_refund: Option<crate::card::ApprovedRefund>,
    pub(crate) multiplier: Option<Decimal>,
    pub(crate) last_line: Option<LineId>,
    pub(crate) notice: Option<Notice>,
    pub(crate) price_check: Option<Item>,
    pub(crate) search_results: Vec<Item>,
    pub(crate) report: Option<ReportView>,
    /// The customer display, when one is set.
    pub(crate) display: Option<crate::display::CustomerDisplay>,
    pub(crate) last_sale: Option<Committed>,
    pub(crate) printer: PrinterPort,
    persist_cart: bool,
    pub(crate) sync: Option<crate::sync::SyncTask>,
    pub(crate) sync_shared: crate::sync::SyncShared,
    /// The customers, read from the database when first needed.
    pub(crate) customers: Option<comptoir_customers::Replica>,
    /// The sync task's customers generation when `customers` was read (see
    /// `comptoir_sync::CUSTOMERS_GENERATION`).
    pub(crate) customers_generation: Option<String>,
    /// The store's promotions, the priced engine and the sale's customer (`promotions.rs`).
    pub(crate) promotions: crate::promotions::Promotions,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

pub(crate) fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join("register.db")
}

/// Takes the data folder's lock: the app and the CLI never write the same register at once.
pub(crate) fn lock_data_dir(data_dir: &Path) -> AppResult<File> {
    std::fs::create_dir_all(data_dir).map_err(|e| {
        AppError::new("storage_failed", format!("cannot create {}: {e}", data_dir.display()))
    })?;
    let path = data_dir.join("register.lock");
    let file =
        File::options().create(true).truncate(false).write(true).open(&path).map_err(|e| {
            AppError::new("storage_failed", format!("cannot open {}: {e}", path.display()))
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(AppError::new(
            "already_running",
            format!(
                "Comptoir is already running on this register ({}): close the other window or command first",
                data_dir.display()
            ),
        )),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(AppError::new("storage_failed", format!("cannot lock {}: {e}", path.display())))
        }
    }
}

impl Register {
    /// Sets up a new register in an empty data folder for one of the demo stores.
    pub fn init_demo(
        data_dir: &Path,
        store_code: &str,
        number: i64,
        options: OpenOptions,
    ) -> AppResult<Register> {
        if !(1..=99).contains(&number) {
            return Err(AppError::new("invalid_argument", "a register's number is from 1 to 99"));
        }
        let demo = config::demo_store(store_code).ok_or_else(|| {
            AppError::new(
                "unknown_store",
                format!("no demo store {store_code:?}: use montreal or london"),
            )
        })?;
        let lock = lock_data_dir(data_dir)?;
        let mut db = Store::open(&db_path(data_dir))?;
        if db.register()?.is_some() {
            return Err(AppError::new(
                "already_initialised",
                format!("{} already holds a register: use another --data-dir", data_dir.display()),
            ));
        }
        let store = config::Store::from_json(demo.store_json)?;
        let cashiers: Vec<DemoCashier> = serde_json::from_str(demo.cashiers_json)
            .map_err(|e| AppError::config(format!("cashiers.json: {e}")))?;
        let rows = cashiers
            .iter()
            .map(|c| {
                Ok(CashierRow {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    role: c.role.clone(),
                    pin_hash: pin::hash(&Pin::new(c.pin.clone()))?,
                    failed_attempts: 0,
                    locked_until: None,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let register = RegisterRow {
            register_id: uuid::Uuid::now_v7().to_string(),
            store_code: store.config.code.clone(),
            number,
            epoch: 1,
            store_config: serde_json::to_string(&store.config)
                .map_err(|e| AppError::config(e.to_string()))?,
            created_at: options
                .clock
                .now()
                .with_timezone(&store.tz)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        };
        db.initialise(&register, &rows)?;
        let import = crate::import::parse_catalog(demo.catalog_csv, &store)?;
        if !import.errors.is_empty() {
            return Err(AppError::config(format!("demo catalog: {:?}", import.errors[0])));
        }
        db.upsert_catalog(&import.rows)?;
        crate::promotions::init_demo(&mut db, &demo, &store)?;
        tracing::info!(store = store_code, items = import.rows.len(), "register initialised");
        drop(db);
        Register::open_locked(data_dir, lock, options)
    }

    /// Opens the register in a data folder set up by [`Register::init_demo`].
    pub fn open(data_dir: &Path, options: OpenOptions) -> AppResult<Register> {
        let lock = lock_data_dir(data_dir)?;
        if !db_path(data_dir).exists() {
            return Err(not_initialised(data_dir));
        }
        Register::open_locked(data_dir, lock, options)
    }

    fn open_locked(data_dir: &Path, lock: File, options: OpenOptions) -> AppResult<Register> {
        let db = Store::open(&db_path(data_dir))?;
        let register = db.register()?.ok_or_else(|| not_initialised(data_dir))?;
        let store = config::Store::from_json(&register.store_config)?;
        let catalog_version = db.catalog_version()?;
        let catalog = load_catalog(&db)?;
        let setting = match options.printer {
            Some(setting) => setting,
            None => PrinterSetting::load(&db)?,
        };
        let printer = PrinterPort::new(setting, data_dir, &db)?;
        let lang = db.setting("language")?.unwrap_or_else(|| store.config.default_language.clone());
        let mut register = Register {
            data_dir: data_dir.to_owned(),
            _lock: lock,
            db,
            store,
            register,
            catalog,
            catalog_version,
            clock: std::sync::Arc::from(options.clock),
            lang,
            session: None,
            locked: false,
            locked_by: None,
            shift: None,
            cart: Cart::new(),
            tenders: Vec::new(),
            card_slips: Default::default(),
            card_pending: None,
            coupons: Vec::new(),
            returns: Vec::new(),
            from_server: Default::default(),
            refund_approved_by: None,
            card_refund: None,
            multiplier: None,
            last_line: None,
            notice: None,
            price_check: None,
            search_results: Vec::new(),
            report: None,
            last_sale: None,
            display: None,
            printer,
            persist_cart: options.persist_cart,
            sync: None,
            sync_shared: Default::default(),
            customers: None,
            customers_generation: None,
            promotions: Default::default(),
        };
        register.reload_promotions()?;
        register.shift = register.find_open_shift()?;
        register.restore_cart()?;
        register.reload_card_pending()?;
        let display = register.db.setting("display")?.unwrap_or_default();
        let idle = register.db.setting("display.idle")?;
        // A display setting that no longer opens must not keep the register closed.
        register.display = crate::display::CustomerDisplay::from_settings(&display, idle)
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "customer display not used");
                None
            });
        register.refresh_display();
        // A crash between a sale's commit and its receipt leaves the receipt to queue now.
        register.queue_receipts()?;
        tracing::info!(register = %register.register.register_id, "register open");
        Ok(register)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn store_config(&self) -> &config::Store {
        &self.store
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn database(&self) -> &Store {
        &self.db
    }

    pub fn shift(&self) -> Option<&OpenShift> {
        self.shift.as_ref()
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    pub fn lang(&self) -> &str {
        &self.lang
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn local_now(&self) -> String {
        self.clock
            .now()
            .with_timezone(&self.store.tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }

    /// The local time now in the store's time zone, to the minute, as effective-dated prices
    /// are given.
    pub fn local_minute(&self) -> chrono::NaiveDateTime {
        comptoir_protocol::catalog::to_minute(
            self.clock.now().with_timezone(&self.store.tz).naive_local(),
        )
    }

    /// Picks up what the sync task (or another process) applied from the server's catalog:
    /// items, prices and taxes. One indexed read when nothing changed.
    pub(crate) fn refresh_catalog(&mut self) -> AppResult<()> {
        let version = self.db.catalog_version()?;
        if version == self.catalog_version {
            return Ok(());
        }
        let register = self.db.register()?.ok_or(comptoir_store::StoreError::NotInitialised)?;
        self.store = config::Store::from_json(&register.store_config)?;
        self.register = register;
        self.catalog = load_catalog(&self.db)?;
        self.catalog_version = version;
        self.reload_promotions()?;
        tracing::info!(version, items = self.catalog.len(), "catalog updated from the server");
        Ok(())
    }

    /// The item with this barcode or SKU, at the price in force now (the catalog as the server
    /// last published it).
    pub fn lookup_now(&mut self, code: &str) -> AppResult<Option<Item>> {
        self.refresh_catalog()?;
        Ok(self.catalog.lookup(code).map(|i| self.item_now(i)))
    }

    /// An item of the catalog at the price in force now.
    pub(crate) fn item_now(&self, item: &Item) -> Item {
        item.at(self.local_minute())
    }

    /// The business day follows the store's time zone, not UTC and not the machine's zone.
    pub fn business_day(&self) -> NaiveDate {
        self.clock.now().with_timezone(&self.store.tz).date_naive()
    }

    pub fn set_language(&mut self, lang: &str) -> AppResult<()> {
        if !self.store.config.languages.iter().any(|l| l == lang) {
            return Err(AppError::new(
                "unknown_language",
                format!("this store speaks {:?}", self.store.config.languages),
            ));
        }
        self.lang = lang.to_owned();
        self.db.set_setting("language", lang)?;
        // The customer display's words (and its default welcome) are the register's language.
        self.refresh_display();
        Ok(())
    }

    // ----- signing in -----

    /// Signs in the cashier whose PIN this is. After [`MAX_PIN_FAILURES`] wrong PINs within
    /// [`PIN_FAILURE_WINDOW_MINUTES`], the PIN pad locks for [`LOCKOUT_MINUTES`].
    pub fn sign_in(&mut self, pin: &Pin) -> AppResult<Session> {
        self.check_pin_pad()?;
        let cashier = self.db.cashiers()?.into_iter().find(|c| pin::verify(pin, &c.pin_hash));
        let Some(cashier) = cashier else {
            let left = self.wrong_pin()?;
            tracing::warn!(left, "wrong PIN");
            return Err(AppError::new("wrong_pin", left.to_string()));
        };
        let session = Session { cashier_id: cashier.id, name: cashier.name, role: cashier.role };
        tracing::info!(cashier = %session.cashier_id, "signed in");
        self.session = Some(session.clone());
        self.locked = false;
        self.locked_by = None;
        // A card approval is saved with its cart: if the sale it paid was not recorded (a
        // crash in between), it is recorded now, under the cashier signing in.
        if let Err(error) = self.commit_paid_cart() {
            tracing::error!(%error, "the card-paid sale could not be recorded yet");
        }
        Ok(session)
    }

    /// Refuses a PIN while the PIN pad is locked after too many wrong ones (sign-in and a
    /// manager's approval share the pad).
    pub(crate) fn check_pin_pad(&self) -> AppResult<()> {
        let now = self.clock.now();
        let (_, locked_until) = self.db.sign_in_state(None)?;
        if let Some(until) =
            locked_until.as_deref().and_then(|u| DateTime::parse_from_rfc3339(u).ok())
            && until > now
        {
            let minutes = (until.with_timezone(&Utc) - now).num_minutes() + 1;
            return Err(AppError::new("locked_out", minutes.to_string()));
        }
        Ok(())
    }

    /// Counts a wrong PIN: the [`MAX_PIN_FAILURES`]th in a row locks the pad for
    /// [`LOCKOUT_MINUTES`] (`locked_out`); otherwise answers how many tries are left.
    pub(crate) fn wrong_pin(&mut self) -> AppResult<i64> {
        let now = self.clock.now();
        let since = self.db.setting("sign_in.failures_since")?;
        let since = since.as_deref().and_then(|s| DateTime::parse_from_rfc3339(s).ok());
        let (mut failed, _) = self.db.sign_in_state(None)?;
        if since.is_none_or(|s| {
            now - s.with_timezone(&Utc) > Duration::minutes(PIN_FAILURE_WINDOW_MINUTES)
        }) {
            // The window starts again with this wrong PIN.
            failed = 0;
            let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            self.db.set_setting("sign_in.failures_since", &stamp)?;
        }
        let failed = failed + 1;
        if failed >= MAX_PIN_FAILURES {
            let until = (self.clock.now() + Duration::minutes(LOCKOUT_MINUTES))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            self.db.set_sign_in_state(None, 0, Some(&until))?;
            tracing::warn!(failed, "wrong PIN: the PIN pad is locked");
            return Err(AppError::new("locked_out", LOCKOUT_MINUTES.to_string()));
        }
        self.db.set_sign_in_state(None, failed, None)?;
        Ok(MAX_PIN_FAILURES - failed)
    }

    /// Locks the screen; the cart stays as it is for whoever signs in next.
    pub fn lock(&mut self) {
        self.locked_by = self.session.take().map(|s| s.name);
        self.locked = true;
    }

    /// Who locked the screen, for the lock screen to say.
    pub fn locked_by(&self) -> Option<&str> {
        self.locked_by.as_deref()
    }

    pub(crate) fn cashier(&self) -> AppResult<&Session> {
        self.session.as_ref().ok_or_else(|| AppError::new("not_signed_in", "sign in first"))
    }

    pub(crate) fn require(&self, permission: &'static str) -> AppResult<&Session> {
        let session = self.cashier()?;
        if !permissions(&session.role).contains(&permission) {
            return Err(AppError::new("permission_denied", permission_words(permission)));
        }
        Ok(session)
    }

    /// Whether a cart can be rung now: a cashier signed in and a shift open.
    pub fn ready_to_sell(&self) -> AppResult<()> {
        self.cashier()?;
        self.require_shift().map(|_| ())
    }

    pub(crate) fn require_shift(&self) -> AppResult<&OpenShift> {
        self.shift.as_ref().ok_or_else(|| AppError::new("no_shift", "open a shift first"))
    }

    // ----- shifts -----

    pub(crate) fn find_open_shift(&self) -> AppResult<Option<OpenShift>> {
        let Some(opened) = self.db.last_of_kind(kind::SHIFT_OPENED)? else {
            return Ok(None);
        };
        let payload: entry::ShiftOpened = parse_payload(&opened.payload)?;
        if let Some(closed) = self.db.last_of_kind(kind::SHIFT_CLOSED)? {
            let closed: entry::ShiftClosed = parse_payload(&closed.payload)?;
            if closed.shift_no >= payload.shift_no {
                return Ok(None);
            }
        }
        Ok(Some(OpenShift {
            number: payload.shift_no,
            opened_at: opened.recorded_at,
            float: self.parse_money(&payload.float)?,
            from: (opened.epoch, opened.seq),
        }))
    }

    /// Opens a shift with the counted float.
    pub fn open_shift(&mut self, float: &str) -> AppResult<()> {
        let cashier = self.cashier()?.cashier_id.clone();
        if self.shift.is_some() {
            return Err(AppError::new("shift_open", "a shift is already open"));
        }
        let float = self.parse_amount(float)?;
        let mut tx = self.db.begin()?;
        let shift_no = tx.next_counter("shift")?;
        let payload = entry::ShiftOpened {
            v: entry::VERSION,
            shift_no,
            cashier_id: cashier,
            float: self.store.money(float),
        };
        let recorded = tx.append(stamp(
            &self.store,
            &*self.clock,
            kind::SHIFT_OPENED,
            None,
            to_json(&payload)?,
        ))?;
        tx.commit()?;
        tracing::info!(shift = shift_no, "shift opened");
        self.shift = Some(OpenShift {
            number: shift_no,
            opened_at: recorded.recorded_at,
            float,
            from: (recorded.epoch, recorded.seq),
        });
        Ok(())
    }

    // ----- the cart -----

    /// Sets a quantity for the next scan or item: "3" then scan adds three.
    pub fn set_multiplier(&mut self, qty: &str) -> AppResult<()> {
        self.cashier()?;
        // The item is not known yet: a fraction is refused for what the scan may be.
        let qty = parse_quantity(qty).map_err(|e| match e.code {
            "whole_quantity" => AppError::new("whole_quantity_before_scan", e.detail),
            _ => e,
        })?;
        self.multiplier = Some(qty);
        Ok(())
    }

    /// Drops a pending multiplier (the cashier pressed Escape).
    pub fn clear_multiplier(&mut self) {
        self.multiplier = None;
    }

    /// Adds the item with this barcode or SKU, `multiplier` times.
    pub fn scan(&mut self, code: &str) -> AppResult<LineId> {
        self.cashier()?;
        self.require_shift()?;
        self.check_no_tenders()?;
        let code = code.trim();
        self.refresh_catalog()?;
        let Some(item) = self.catalog.lookup(code).map(|i| self.item_now(i)) else {
            // A deli or butcher label carries its item and its price or weight (`labels.rs`).
            if let Some(label) = self.in_store_label(code)? {
                return self.ring_label(&label);
            }
            // A receipt's barcode starts a return: the screen opens the sale to pick lines.
            // A credit note's barcode is a way to pay: the screen offers it as the tender.
            let upper = code.to_ascii_uppercase();
            let (level, code_name, detail, offer) = if crate::returns::looks_like_receipt(code)
                && self.db.entry_by_receipt(&upper)?.is_some_and(|e| kind::is_sale_like(&e.kind))
            {
                ("info", "receipt_scanned", upper, "return")
            } else if crate::credit::looks_like_credit(code) {
                ("info", "credit_scanned", code.to_ascii_uppercase(), "store_credit")
            } else {
                tracing::info!(code, "unknown barcode");
                ("error", "unknown_barcode", code.to_owned(), "open_price")
            };
            let error = AppError::new(code_name, detail);
            self.notice = Some(Notice {
                level,
                code: code_name,
                message: error.message(&self.lang),
                offer: Some(offer),
            });
            return Err(error);
        };
        self.add_catalog_item(&item)
    }

    /// Adds an item chosen from a search.
    pub fn add_item(&mut self, sku: &str) -> AppResult<LineId> {
        self.cashier()?;
        self.require_shift()?;
        self.check_no_tenders()?;
        self.refresh_catalog()?;
        let item = self
            .catalog
            .by_sku(sku)
            .map(|i| self.item_now(i))
            .ok_or_else(|| AppError::new("unknown_item", sku.to_owned()))?;
        self.add_catalog_item(&item)
    }

    fn add_catalog_item(&mut self, item: &Item) -> AppResult<LineId> {
        self.refuse_unweighed(item.kind, &item.name)?;
        let qty = self.multiplier.unwrap_or(Decimal::ONE);
        if item.price.is_none() {
            return Err(AppError::new(
                "needs_price",
                format!("{}: key its price as an open-price item", item.name),
            ));
        }
        let id = self.cart.add_item(item, qty)?;
        self.multiplier = None;
        self.after_cart_change(Some(id))?;
        Ok(id)
    }

    /// Adds an item whose price the cashier keys (no barcode, or no price in the catalog).
    pub fn add_open_price(
        &mut self,
        name: &str,
        price: &str,
        tax_class: &str,
        sku: Option<&str>,
    ) -> AppResult<LineId> {
        self.require("open_price")?;
        self.require_shift()?;
        self.check_no_tenders()?;
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::new("invalid_item", "an open-price item needs a name"));
        }
        let price = self.parse_amount(price)?;
        if price.is_zero() {
            return Err(AppError::new("invalid_amount", "an open price is more than zero"));
        }
        if !self.store.tax_classes().iter().any(|c| c == tax_class) {
            return Err(AppError::new(
                "invalid_tax_class",
                format!("{tax_class}: use one of {:?}", self.store.tax_classes()),
            ));
        }
        self.refresh_catalog()?;
        let catalog_item = match sku {
            Some(sku) => Some(
                self.catalog
                    .by_sku(sku)
                    .map(|i| self.item_now(i))
                    .ok_or_else(|| AppError::new("unknown_item", sku.to_owned()))?,
            ),
            None => None,
        };
        let catalog_item = catalog_item.as_ref();
        // Keying a price is for items that have none; changing a shelf price is a price
        // override, which needs a manager's approval (the money engine's work).
        if let Some(item) = catalog_item
            && item.price.is_some()
        {
            return Err(AppError::new(
                "has_shelf_price",
                format!(
                    "{} has a shelf price: scan it, or ask a manager for a price override",
                    item.name
                ),
            ));
        }
        // The tax class of a catalog item is catalog data, not the cashier's choice.
        let tax_class = catalog_item.map_or(tax_class, |i| i.tax_class.as_str());
        let line = Line {
            id: LineId(0),
            sku: Sku(catalog_item.map_or_else(|| "OPEN".to_owned(), |i| i.sku.0.clone())),
            barcode: catalog_item.and_then(|i| i.gtin.as_ref().map(|g| g.display().to_owned())),
            name: name.to_owned(),
            unit_price: price,
            quantity: self.multiplier.unwrap_or(Decimal::ONE),
            tax_class: TaxClass::new(tax_class),
            kind: catalog_item.map_or(ItemKind::Item, |i| i.kind),
            open_price: true,
            discount: None,
            price_override: None,
        };
        let id = self.cart.add_open_price(line)?;
        self.multiplier = None;
        self.after_cart_change(Some(id))?;
        Ok(id)
    }

    pub fn set_quantity(&mut self, line: u32, qty: &str) -> AppResult<()> {
        self.cashier()?;
        self.check_no_tenders()?;
        let current = self.cart.line(LineId(line))?;
        // A weight comes from the scale, never from the keyboard, and a label's quantity is
        // the label's.
        self.refuse_unweighed(current.kind, &current.name)?;
        if self.is_label_line(current) {
            let code = current.barcode.clone().unwrap_or_default();
            return Err(AppError::new("label_quantity", code));
        }
        let qty = parse_quantity(qty).map_err(|e| match e.code {
            "whole_quantity" => AppError::new("whole_quantity", current.name.clone()),
            _ => e,
        })?;
        self.cart.set_quantity(LineId(line), qty)?;
        self.after_cart_change(Some(LineId(line)))
    }

    pub fn remove_line(&mut self, line: u32) -> AppResult<()> {
        self.cashier()?;
        self.check_no_tenders()?;
        self.cart.remove(LineId(line))?;
        self.after_cart_change(self.cart.lines().last().map(|l| l.id))
    }

    /// Looks an item up without touching the cart.
    pub fn price_check(&mut self, code: &str) -> AppResult<Item> {
        self.cashier()?;
        self.refresh_catalog()?;
        let item = self
            .catalog
            .lookup(code)
            .map(|i| self.item_now(i))
            .ok_or_else(|| AppError::new("unknown_barcode", code.trim().to_owned()))?;
        self.price_check = Some(item.clone());
        Ok(item)
    }

    /// Finds items by name, ignoring accents and case.
    pub fn search(&mut self, query: &str) -> Vec<Item> {
        if let Err(e) = self.refresh_catalog() {
            tracing::warn!(error = %e, "could not reload the catalog");
        }
        let now = self.local_minute();
        let found: Vec<Item> =
            self.catalog.search(query, 50).into_iter().map(|i| i.at(now)).collect();
        self.search_results = found.clone();
        found
    }

    pub(crate) fn check_no_tenders(&self) -> AppResult<()> {
        self.check_no_card_payment()?;
        if self.tenders.is_empty() {
            Ok(())
        } else {
            Err(AppError::new(
                "tender_in_progress",
                "payment has started: finish it, or void the cart",
            ))
        }
    }

    pub(crate) fn after_weighing(&mut self, id: LineId) -> AppResult<()> {
        self.after_cart_change(Some(id))
    }

    fn after_cart_change(&mut self, last: Option<LineId>) -> AppResult<()> {
        self.last_line = last;
        self.notice = None;
        self.save_cart()?;
        self.refresh_display();
        Ok(())
    }

    /// Saves the cart in progress. Scanned lines are saved without an fsync of their own: a
    /// scan stays fast, a crashed process loses none of them (the write is in the WAL), and
    /// only a power cut may lose the last few, which the cashier sees and scans again. Once a
    /// tender is taken (a card may be approved on the terminal) the save is fully durable.
    pub(crate) fn save_cart(&mut self) -> AppResult<()> {
        if !self.persist_cart {
            return Ok(());
        }
        let payload =
            match self.cart.is_empty() && self.tenders.is_empty() && self.returns.is_empty() {
                true => None,
                false => Some(self.cart_json()?),
            };
        if self.tenders.is_empty() {
            self.db.relaxed(|db| db.save_current_cart(payload.as_deref()))?;
        } else {
            self.db.save_current_cart(payload.as_deref())?;
        }
        Ok(())
    }

    /// The cart in progress as it is saved.
    pub(crate) fn cart_json(&self) -> AppResult<String> {
        to_json(&self.snapshot())
    }

    fn snapshot(&self) -> CartSnapshot {
        CartSnapshot {
            lines: self
                .cart
                .lines()
                .iter()
                .map(|l| SnapshotLine {
                    line: l.id.0,
                    sku: l.sku.0.clone(),
                    barcode: l.barcode.clone(),
                    name: l.name.clone(),
                    qty: l.quantity.to_string(),
                    unit_price: l.unit_price.minor(),
                    tax_class: l.tax_class.0.clone(),
                    kind: kind_name(l.kind).to_owned(),
                    open_price: l.open_price,
                    discount: l.discount.as_ref().map(SnapshotDiscount::of),
                    price_override: l.price_override.as_ref().map(|o| SnapshotOverride {
                        shelf_price: o.shelf_price.map(Money::minor),
                        approved_by: o.approved_by.clone(),
                        reason: o.reason.clone(),
                    }),
                })
                .collect(),
            tenders: self.tenders.iter().map(|t| self.tender_record(t)).collect(),
            order_discount: self.cart.order_discount.as_ref().map(SnapshotDiscount::of),
            exemption: self.cart.exemption.as_ref().map(|e| entry::SaleExemption {
                certificate: e.certificate.clone(),
                taxes: e.taxes.clone(),
            }),
            coupons: self.coupons.clone(),
            returns: self.returns.clone(),
            customer: self.promotions.customer.clone(),
        }
    }

    fn restore_cart(&mut self) -> AppResult<()> {
        let Some(json) = self.db.current_cart()? else {
            return Ok(());
        };
        self.restore_cart_json(&json)
    }

    /// Puts back a cart saved as [`Register::cart_json`] made it.
    pub(crate) fn restore_cart_json(&mut self, json: &str) -> AppResult<()> {
        let snapshot: CartSnapshot = parse_payload(json)?;
        self.load_snapshot(snapshot)
    }

    fn load_snapshot(&mut self, snapshot: CartSnapshot) -> AppResult<()> {
        let lines = snapshot
            .lines
            .into_iter()
            .map(|l| {
                Ok(Line {
                    id: LineId(l.line),
                    sku: Sku(l.sku),
                    barcode: l.barcode,
                    name: l.name,
                    unit_price: Money::from_minor(l.unit_price),
                    quantity: stored_quantity(&l.qty)?,
                    tax_class: TaxClass(l.tax_class),
                    kind: parse_kind(&l.kind),
                    open_price: l.open_price,
                    discount: l.discount.as_ref().map(SnapshotDiscount::discount).transpose()?,
                    price_override: l.price_override.map(|o| PriceOverride {
                        shelf_price: o.shelf_price.map(Money::from_minor),
                        approved_by: o.approved_by,
                        reason: o.reason,
                    }),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        self.cart = Cart::from_lines(lines);
        self.cart.order_discount =
            snapshot.order_discount.as_ref().map(SnapshotDiscount::discount).transpose()?;
        self.cart.exemption =
            snapshot.exemption.map(|e| Exemption { certificate: e.certificate, taxes: e.taxes });
        self.coupons = snapshot.coupons;
        self.returns = snapshot.returns;
        self.promotions.customer = snapshot.customer;
        self.tenders =
            snapshot.tenders.iter().map(|t| self.tender_from_entry(t)).collect::<AppResult<_>>()?;
        self.card_slips = snapshot
            .tenders
            .into_iter()
            .filter_map(|t| match t {
                entry::SaleTender::ExternalCard { reference, terminal: Some(slip), .. } => {
                    Some((reference, slip))
                }
                _ => None,
            })
            .collect();
        Ok(())
    }

    pub(crate) fn tender_from_entry(&self, tender: &entry::SaleTender) -> AppResult<Tender> {
        Ok(match tender {
            entry::SaleTender::Cash { tendered } => {
                Tender::Cash { tendered: self.parse_money(tendered)? }
            }
            entry::SaleTender::ExternalCard { amount, reference, .. } => Tender::ExternalCard {
                amount: self.parse_money(amount)?,
                reference: reference.clone(),
            },
            entry::SaleTender::OnAccount { amount, reference } => Tender::OnAccount {
                amount: self.parse_money(amount)?,
                reference: reference.clone(),
            },
            entry::SaleTender::StoreCredit { amount, reference } => Tender::StoreCredit {
                amount: self.parse_money(amount)?,
                reference: reference.clone(),
            },
        })
    }

    pub fn cart(&self) -> &Cart {
        &self.cart
    }

    pub fn tenders(&self) -> &[Tender] {
        &self.tenders
    }

    /// The cart priced with the promotions it gets now (see `promotions.rs`).
    pub fn priced(&self) -> PricedCart {
        let promotions = self.promotion_discounts();
        self.cart.price_with(&self.store.regime, self.business_day(), &promotions)
    }

    pub fn settlement(&self) -> Settlement {
        self.settle(&self.priced())
    }

    /// Where the payment stands for a cart already priced (pricing is the costly part).
    pub(crate) fn settle(&self, priced: &PricedCart) -> Settlement {
        Settlement::of(self.due(priced), &self.tenders, &self.store.currency)
    }

    /// What the customer owes for the cart in progress: the new lines with their taxes, less
    /// what the returned lines give back (negative: a refund is due).
    pub fn due(&self, priced: &PricedCart) -> Money {
        priced.total - self.refund_total()
    }

    /// Parks the cart for later; the register is free for the next customer.
    pub fn park(&mut self) -> AppResult<i64> {
        let cashier = self.cashier()?.cashier_id.clone();
        if self.cart.is_empty() {
            return Err(AppError::new("cart_empty", "nothing to park"));
        }
        if !self.returns.is_empty() {
            return Err(AppError::new(
                "return_in_progress",
                "a return cannot be parked: finish it, or void it",
            ));
        }
        self.check_no_tenders()?;
        let id = self.db.park(&self.local_now(), &cashier, &to_json(&self.snapshot())?)?;
        self.cart = Cart::new();
        self.end_sale_promotions();
        self.last_line = None;
        Ok(id)
    }

    pub fn resume(&mut self, id: i64) -> AppResult<()> {
        self.cashier()?;
        if !self.cart.is_empty() || !self.tenders.is_empty() {
            return Err(AppError::new("cart_not_empty", "finish or park the current cart first"));
        }
        let row = self
            .db
            .unpark(id)?
            .ok_or_else(|| AppError::new("no_such_parked_cart", format!("no parked cart {id}")))?;
        self.load_snapshot(parse_payload(&row.payload)?)?;
        self.last_line = self.cart.lines().last().map(|l| l.id);
        Ok(())
    }

    /// Drops a cart that was never shown to a customer (a CLI basket that failed half-way).
    /// Nothing was sold, so nothing is recorded.
    pub fn discard_cart(&mut self) -> AppResult<()> {
        if let Some(reference) = self.card_slips.keys().next() {
            // The terminal charged the customer for this cart: that is given back first.
            return Err(AppError::new("card_to_reverse", reference.clone()));
        }
        self.cart = Cart::new();
        self.end_sale_promotions();
        self.tenders.clear();
        self.card_slips.clear();
        self.returns.clear();
        self.coupons.clear();
        self.multiplier = None;
        self.last_line = None;
        if !self.persist_cart {
            // A basket rung in memory (the CLI) is saved only when a card leg was taken:
            // nothing of it may stay for the next one.
            self.db.save_current_cart(None)?;
        }
        self.save_cart()
    }

    /// The references of the card tenders of the cart in progress that the integrated
    /// terminal charged: to be reversed before the cart can go.
    pub fn charged_card_references(&self) -> Vec<String> {
        self.card_slips.keys().cloned().collect()
    }

    /// Voids the cart (and any tender in progress): an audited entry, nothing sold.
    pub fn void_cart(&mut self, reason: &str) -> AppResult<()> {
        let cashier = self.require("void")?.cashier_id.clone();
        let shift_no = self.require_shift()?.number;
        if self.cart.is_empty() && self.tenders.is_empty() && self.returns.is_empty() {
            return Err(AppError::new("cart_empty", "nothing to void"));
        }
        let reason = required_reason(reason)?;
        self.check_no_card_payment()?;
        if let Some(reference) = self.card_slips.keys().next() {
            // The terminal charged the customer: voiding the cart must give that back first.
            return Err(AppError::new("card_to_reverse", reference.clone()));
        }
        let priced = self.priced();
        let payload = entry::CartVoided {
            v: entry::VERSION,
            shift_no,
            cashier_id: cashier,
            reason,
            lines: self.cart.lines().len() as u32,
            total: self.store.money(priced.total),
        };
        let mut tx = self.db.begin()?;
        tx.append(stamp(&self.store, &*self.clock, kind::CART_VOIDED, None, to_json(&payload)?))?;
        tx.clear_current_cart()?;
        tx.commit()?;
        self.cart = Cart::new();
        self.end_sale_promotions();
        self.tenders.clear();
        self.card_slips.clear();
        self.returns.clear();
        self.coupons.clear();
        self.last_line = None;
        self.multiplier = None;
        self.refresh_display();
        Ok(())
    }

    // ----- tenders -----

    /// Adds a cash leg; when the sale is paid it is committed, then printed.
    pub fn tender_cash(&mut self, amount: &str) -> AppResult<Option<Committed>> {
        let amount = self.parse_amount(amount)?;
        self.add_tender(Tender::Cash { tendered: amount })
    }

    /// Adds a card leg paid on a standalone terminal, with the terminal's reference.
    pub fn tender_card(&mut self, amount: &str, reference: &str) -> AppResult<Option<Committed>> {
        let amount = self.parse_amount(amount)?;
        self.add_tender(Tender::ExternalCard { amount, reference: reference.trim().to_owned() })
    }

    pub(crate) fn add_tender(&mut self, tender: Tender) -> AppResult<Option<Committed>> {
        self.check_no_card_payment()?;
        self.cashier()?;
        self.require_shift()?;
        if self.cart.is_empty() && self.returns.is_empty() {
            return Err(AppError::new("cart_empty", "scan an item first"));
        }
        let priced = self.priced();
        let due = self.due(&priced);
        if due.is_negative() {
            return Err(AppError::new(
                "refund_due",
                format!(
                    "{} is to give back, not to take: refund it (to the original tenders, cash \
                     or store credit)",
                    self.store.money(-due)
                ),
            ));
        }
        if due.is_zero() && self.tenders.is_empty() {
            // Nothing to pay: a zero tender records the cart as it is; any other is a mistake
            // (the change would be the whole tender).
            return match tender_amount(&tender).is_zero() {
                true => self.complete().map(Some),
                false => Err(AppError::new(
                    "nothing_due",
                    "nothing is to pay: record the sale as it is, without a payment",
                )),
            };
        }
        check_new_tender(due, &self.tenders, &tender, &self.store.currency)?;
        self.tenders.push(tender);
        let result = match self.settle(&priced).paid {
            true => self.commit_sale(&priced).map(Some),
            false => self.save_cart().map(|()| None),
        };
        if matches!(result, Ok(None)) {
            self.refresh_display();
        }
        if result.is_err() {
            // Nothing was written: the tender comes off so the cashier can try again.
            self.tenders.pop();
        }
        result
    }

    /// Writes the sale and the cleared cart in one transaction, then queues and prints its
    /// receipt, rendered from the committed entry.
    /// Records a cart that costs nothing (everything discounted, or an even exchange) with
    /// no tender at all.
    pub fn complete(&mut self) -> AppResult<Committed> {
        self.cashier()?;
        self.require_shift()?;
        if self.cart.is_empty() && self.returns.is_empty() {
            return Err(AppError::new("cart_empty", "scan an item first"));
        }
        let priced = self.priced();
        let due = self.due(&priced);
        self.check_no_tenders()?;
        if due.is_negative() {
            return Err(AppError::new(
                "refund_due",
                format!("{} is to give back: refund it", self.store.money(-due)),
            ));
        }
        if !due.is_zero() {
            return Err(AppError::new(
                "payment_due",
                format!("{} is still to pay: take the payment", self.store.money(due)),
            ));
        }
        self.commit_sale(&priced)
    }

    pub(crate) fn commit_sale(&mut self, priced: &PricedCart) -> AppResult<Committed> {
        let settlement = self.settle(priced);
        let tenders = self.tenders.clone();
        self.commit_transaction(priced, &tenders, &settlement)
    }

    /// Writes the cart in progress (its new lines and its returned lines) with its tenders and
    /// the cleared cart in one transaction, then queues and prints its receipt, rendered from
    /// the committed entry. A sale, a return or an exchange, by what the cart holds.
    pub(crate) fn commit_transaction(
        &mut self,
        priced: &PricedCart,
        tenders: &[Tender],
        settlement: &Settlement,
    ) -> AppResult<Committed> {
        let session = self.cashier()?.clone();
        let shift_no = self.require_shift()?.number;
        let (returns, refund) = (self.returns.clone(), self.refund_total());
        let mut tx = self.db.begin()?;
        let counter = tx.next_receipt_seq()?;
        let receipt_no = receipt::number_for(&self.store, &self.register, counter);
        let mut sale = receipt::sale_entry(
            &self.store,
            priced,
            tenders,
            settlement,
            receipt::SaleMeta {
                receipt_no: receipt_no.clone(),
                shift_no: Some(shift_no),
                cashier_id: session.cashier_id.clone(),
                source: "register",
                invoice: None,
                customer: self.promotions.customer.as_ref().map(|c| c.id.clone()),
                order_discount: self.cart.order_discount.clone(),
                exemption: self.cart.exemption.clone(),
                coupons: self.coupons.clone(),
            },
        );
        let entry_kind =
            crate::returns::with_returns(&self.store, &mut sale, priced, &returns, refund);
        sale.approved_by = self.refund_approved_by.clone();
        for tender in &mut sale.tenders {
            if let entry::SaleTender::ExternalCard { amount, reference, terminal } = tender {
                *terminal = match amount.starts_with('-') {
                    false => self.card_slips.get(reference.as_str()).cloned(),
                    true => self.card_refund.as_ref().and_then(|r| r.slip_for(reference)),
                };
            }
        }
        let mut new =
            stamp(&self.store, &*self.clock, entry_kind, Some(receipt_no.clone()), to_json(&sale)?);
        new.receipt_seq = Some(counter);
        let entry = tx.append(new)?;
        if let Some(refund) = &self.card_refund {
            refund.record(&mut tx)?;
        }
        tx.clear_current_cart()?;
        tx.commit()?;
        tracing::info!(receipt = %receipt_no, seq = entry.seq, kind = entry_kind, "sale committed");
        self.poke_sync();

        self.cart = Cart::new();
        self.end_sale_promotions();
        self.tenders.clear();
        self.card_slips.clear();
        self.returns.clear();
        self.coupons.clear();
        self.last_line = None;
        self.multiplier = None;
        // The sale is done: a message about it (an unknown barcode scanned before paying) is
        // not the next customer's; a printer problem is set again by the flush.
        self.notice = None;
        // The drawer opens before the receipt prints, and whatever the paper: the sale is
        // already committed, and the customer waits for the change.
        let has_cash = sale.tenders.iter().any(|t| matches!(t, entry::SaleTender::Cash { .. }));
        let reason =
            if sale.total.starts_with('-') { OpeningReason::Refund } else { OpeningReason::Sale };
        let drawer = has_cash.then(|| self.open_drawer(reason, Some(&receipt_no)));
        let printed = self.queue_receipts().and_then(|()| self.flush_print_queue());
        if let Some(Err(error)) = &drawer {
            self.drawer_failed(error);
        }
        let committed = Committed { entry, sale, print_job: receipt_no, printed, drawer };
        self.last_sale = Some(committed.clone());
        self.display_sale_done(&committed.sale);
        Ok(committed)
    }

    // ----- printing -----

    /// Queues the receipts of the sales committed since the last call (normally one; more after
    /// a crash between a commit and its receipt). The sale's transaction writes only the
    /// ledger: its receipt is rendered from the entry here, so the print queue is rebuilt from
    /// the ledger whatever happened, and the queue's own writes need no fsync of their own.
    pub fn queue_receipts(&mut self) -> AppResult<()> {
        let mark =
            self.db.setting(RECEIPTS_QUEUED)?.and_then(|m| parse_position(&m)).unwrap_or((0, 0));
        let sales = self.db.register_sales_after(mark)?;
        let Some(last) = sales.last() else {
            return Ok(());
        };
        let through = format!("{}:{}", last.epoch, last.seq);
        let cashiers = self.db.cashiers()?;
        let mut jobs = Vec::with_capacity(sales.len());
        for entry in &sales {
            let sale: entry::Sale = parse_payload(&entry.payload)?;
            let cashier =
                cashiers.iter().find(|c| c.id == sale.cashier_id).map_or("", |c| c.name.as_str());
            let document = receipt::sale_receipt(
                &self.store,
                &self.register,
                entry,
                &sale,
                cashier,
                &self.lang,
                false,
            );
            jobs.push(self.printer.job_row(
                &sale.receipt_no,
                "receipt",
                Some(&sale.receipt_no),
                &document,
                &entry.recorded_at,
            ));
        }
        self.db.relaxed(|db| {
            let mut tx = db.begin()?;
            for job in &jobs {
                tx.queue_print_job(job)?;
            }
            tx.set_setting(RECEIPTS_QUEUED, &through)?;
            tx.commit()
        })?;
        Ok(())
    }

    /// Sends every pending job to the printer, oldest first; stops at the first failure and
    /// keeps that job (and the ones after it) for a retry.
    pub fn flush_print_queue(&mut self) -> AppResult<()> {
        let pending = self.db.print_jobs_in(PrintJobState::Pending)?;
        for job in pending {
            // A job that was being sent when the register stopped may have printed: the
            // customer may hold that receipt, so it goes out again only as a COPY.
            let job = match job.error.as_deref() {
                Some(SENDING) if job.kind == "receipt" => self.copy_of(job)?,
                _ => job,
            };
            self.db.relaxed(|db| {
                db.set_print_job_state(&job.id, PrintJobState::Pending, Some(SENDING))
            })?;
            match self.printer.send(&job) {
                Ok(()) => self.db.set_print_job_state(&job.id, PrintJobState::Printed, None)?,
                Err(error) => {
                    self.db.set_print_job_state(
                        &job.id,
                        PrintJobState::Pending,
                        Some(error.code),
                    )?;
                    tracing::warn!(job = %job.id, code = error.code, %error, "print job kept for retry");
                    self.notice = Some(Notice {
                        level: "warn",
                        code: error.code,
                        message: error.message(&self.lang),
                        offer: Some("reprint"),
                    });
                    return Err(error);
                }
            }
        }
        if self.notice.as_ref().is_some_and(|n| n.code.starts_with("printer_")) {
            self.notice = None;
        }
        Ok(())
    }

    /// The same receipt job, rendered again from its ledger entry and marked COPY.
    fn copy_of(&self, job: PrintJobRow) -> AppResult<PrintJobRow> {
        let Some(entry) =
            job.receipt_no.as_deref().map(|r| self.db.entry_by_receipt(r)).transpose()?.flatten()
        else {
            return Ok(job);
        };
        let sale: entry::Sale = parse_payload(&entry.payload)?;
        let cashiers = self.db.cashiers()?;
        let cashier =
            cashiers.iter().find(|c| c.id == sale.cashier_id).map_or("", |c| c.name.as_str());
        let document = receipt::sale_receipt(
            &self.store,
            &self.register,
            &entry,
            &sale,
            cashier,
            &self.lang,
            true,
        );
        tracing::warn!(job = %job.id, "an interrupted receipt prints again as a copy");
        Ok(PrintJobRow {
            bytes: self
                .printer
                .job_row(&job.id, &job.kind, job.receipt_no.as_deref(), &document, &job.created_at)
                .bytes,
            ..job
        })
    }

    pub fn pending_print_jobs(&self) -> AppResult<Vec<PrintJobRow>> {
        Ok(self.db.print_jobs_in(PrintJobState::Pending)?)
    }

    /// Prints the last receipt again. Jobs that never printed go out first, as originals (the
    /// customer never had them); once nothing is pending, the last receipt prints marked COPY.
    pub fn reprint_last(&mut self) -> AppResult<String> {
        let session = self.require("reprint")?.clone();
        let pending = self.db.print_jobs_in(PrintJobState::Pending)?;
        if let Some(first) = pending.first() {
            let id = first.id.clone();
            self.flush_print_queue()?;
            return Ok(id);
        }
        let last = self
            .db
            .last_of_kinds(&[kind::SALE, kind::RETURN, kind::EXCHANGE])?
            .ok_or_else(|| AppError::new("nothing_to_reprint", "no sale yet"))?;
        let sale: entry::Sale = parse_payload(&last.payload)?;
        let payload = entry::ReceiptReprinted {
            v: entry::VERSION,
            receipt_no: sale.receipt_no.clone(),
            cashier_id: session.cashier_id.clone(),
        };
        let document = receipt::sale_receipt(
            &self.store,
            &self.register,
            &last,
            &sale,
            &session.name,
            &self.lang,
            true,
        );
        let mut tx = self.db.begin()?;
        let copy_no = tx.next_counter("copy")?;
        let recorded = tx.append(stamp(
            &self.store,
            &*self.clock,
            kind::RECEIPT_REPRINTED,
            None,
            to_json(&payload)?,
        ))?;
        let id = format!("{}-copy{copy_no}", sale.receipt_no);
        let job = self.printer.job_row(
            &id,
            "copy",
            Some(&sale.receipt_no),
            &document,
            &recorded.recorded_at,
        );
        tx.queue_print_job(&job)?;
        tx.commit()?;
        self.flush_print_queue()?;
        Ok(id)
    }

    /// Queues a document that is no receipt (a test page) under a new job id, and prints it.
    pub(crate) fn queue_document(
        &mut self,
        kind: &str,
        document: &comptoir_printer::Document,
    ) -> AppResult<String> {
        let created_at = self.now().to_rfc3339();
        let mut tx = self.db.begin()?;
        let n = tx.next_counter(kind)?;
        let id = format!("{}-{n}", kind.replace('_', "-"));
        let job = self.printer.job_row(&id, kind, None, document, &created_at);
        tx.queue_print_job(&job)?;
        tx.commit()?;
        self.flush_print_queue()?;
        Ok(id)
    }

    /// Shows an error on the sale screen as its notice (a scan from a serial scanner has no
    /// dialog to answer), unless the action already left its own notice.
    pub fn note_error(&mut self, error: &AppError) {
        if self.notice.as_ref().is_some_and(|n| n.code == error.code) {
            return;
        }
        self.notice = Some(crate::view::Notice {
            level: "error",
            code: error.code,
            message: error.message(&self.lang),
            offer: None,
        });
    }

    /// This register's number in its store.
    pub fn register_number(&self) -> i64 {
        self.register.number
    }

    // ----- the drawer and the printer's own reports -----

    /// Opens the drawer for what was just recorded, and audits the opening. A drawer that
    /// cannot open (the printer offline) changes nothing recorded; the error says why.
    pub(crate) fn open_drawer(
        &mut self,
        reason: OpeningReason,
        receipt_no: Option<&str>,
    ) -> AppResult<()> {
        let opening = self.printer.open_drawer(reason, receipt_no).map_err(|error| {
            tracing::warn!(reason = reason.as_str(), code = error.code, %error, "the drawer did not open");
            // The detail is the printer's code: the cashier's words say why in their language.
            AppError::new("drawer_not_opened", error.code)
        })?;
        self.audit_drawer(reason.as_str(), receipt_no, opening.real_time, opening.pin);
        Ok(())
    }

    /// Writes one opening to the drawer's audit. A failure to write it (a full disk) is
    /// logged: the drawer is already open, and the sale is what must not be lost.
    fn audit_drawer(
        &mut self,
        reason: &str,
        receipt_no: Option<&str>,
        real_time: bool,
        pin: comptoir_printer::Pin,
    ) {
        let row = comptoir_store::DrawerOpeningRow {
            id: 0,
            opened_at: self.now().to_rfc3339(),
            reason: reason.to_owned(),
            cashier_id: self.session.as_ref().map(|s| s.cashier_id.clone()),
            receipt_no: receipt_no.map(str::to_owned),
            real_time,
            pin: match pin {
                comptoir_printer::Pin::Pin2 => 2,
                comptoir_printer::Pin::Pin5 => 5,
            },
            closed_at: None,
        };
        if let Err(error) = self.db.record_drawer_opening(&row) {
            tracing::error!(%error, reason, "could not audit a drawer opening");
        }
    }

    /// Tells the cashier the drawer did not open, over any printer notice: the receipt can
    /// be reprinted later, the change is needed now.
    pub(crate) fn drawer_failed(&mut self, error: &AppError) {
        let pending = self.db.print_jobs_in(PrintJobState::Pending).map_or(0, |j| j.len());
        self.notice = Some(Notice {
            level: "error",
            code: error.code,
            message: error.message(&self.lang),
            offer: (pending > 0).then_some("reprint"),
        });
    }

    /// The drawer openings audited since `since` (RFC 3339), oldest first.
    pub fn drawer_openings(&self, since: &str) -> AppResult<Vec<comptoir_store::DrawerOpeningRow>> {
        Ok(self.db.drawer_openings_since(since, 10_000)?)
    }

    /// Starts watching the devices that report on their own (the printer's paper and cover,
    /// the drawer's sensor): for the app, whose screen shows them. Read with
    /// [`Register::poll_devices`].
    pub fn watch_devices(&self) -> AppResult<()> {
        self.printer.watch()
    }

    /// Takes in what the devices reported since the last call: the printer's state and
    /// notices for the cashier, the drawer's sensor into the audit (an opening nobody rang
    /// is audited as `unexplained`; a closing closes the openings). True when the screen
    /// changed.
    pub fn poll_devices(&mut self) -> bool {
        let changes = self.printer.changes();
        if changes.is_empty() {
            return false;
        }
        if changes.unexplained_opening {
            tracing::warn!("the drawer opened with no sale: its key, or forced");
            let pin = self.printer.drawer_settings().pulse.pin;
            self.audit_drawer("unexplained", None, false, pin);
        }
        if changes.drawer_closed {
            let at = self.now().to_rfc3339();
            if let Err(error) = self.db.close_drawer_openings(&at) {
                tracing::error!(%error, "could not audit the drawer's closing");
            }
        }
        for notice in &changes.notices {
            self.take_notice(*notice);
        }
        true
    }

    fn take_notice(&mut self, notice: PrinterNotice) {
        let shown = self.notice.as_ref().map(|n| n.code);
        let pending = self.db.print_jobs_in(PrintJobState::Pending).map_or(0, |j| j.len());
        if notice.needs_action() {
            // A drawer that did not open is the cashier's problem now; a status is not news.
            if shown == Some("drawer_not_opened") {
                return;
            }
            let waiting =
                matches!(notice, PrinterNotice::PaperOut | PrinterNotice::CoverOpen) && pending > 0;
            self.notice = Some(Notice {
                level: if matches!(notice, PrinterNotice::PaperNearEnd) { "info" } else { "warn" },
                code: notice.code(),
                message: crate::i18n::device_notice(notice.code(), &self.lang, pending),
                offer: waiting.then_some("reprint"),
            });
            return;
        }
        // A change back to normal clears the notice it answers, and says what waits.
        let answers: &[&str] = match notice {
            PrinterNotice::PaperLoaded => &["printer_out_of_paper", "printer_paper_near_end"],
            PrinterNotice::CoverClosed => &["printer_cover_open"],
            PrinterNotice::Online => &["printer_offline"],
            PrinterNotice::ErrorCleared => &["printer_error"],
            PrinterNotice::DrawerClosed => &["drawer_still_open"],
            _ => &[],
        };
        if shown.is_some_and(|code| answers.contains(&code)) {
            self.notice =
                (pending > 0 && !matches!(notice, PrinterNotice::DrawerClosed)).then(|| Notice {
                    level: "info",
                    code: "printer_ready_pending",
                    message: crate::i18n::device_notice(
                        "printer_ready_pending",
                        &self.lang,
                        pending,
                    ),
                    offer: Some("reprint"),
                });
        }
    }

    /// The printer's state as the status bar shows it.
    pub fn printer_state(&mut self) -> &'static str {
        self.printer.state()
    }

    pub fn printer_port(&self) -> &PrinterPort {
        &self.printer
    }

    pub fn printer_port_mut(&mut self) -> &mut PrinterPort {
        &mut self.printer
    }

    // ----- parsing -----

    pub(crate) fn parse_amount(&self, text: &str) -> AppResult<Money> {
        let amount = self.store.currency.parse(text)?;
        if amount.is_negative() {
            return Err(AppError::new("invalid_amount", format!("{text} is negative")));
        }
        Ok(amount)
    }

    pub(crate) fn parse_money(&self, text: &str) -> AppResult<Money> {
        Ok(self.store.currency.parse(text)?)
    }
}

/// What a tender hands over (cash tendered, or a leg's amount).
fn tender_amount(tender: &Tender) -> Money {
    match tender {
        Tender::Cash { tendered } => *tendered,
        other => other.non_cash(),
    }
}

fn not_initialised(data_dir: &Path) -> AppError {
    AppError::new(
        "not_initialised",
        format!(
            "{} holds no register yet: run `comptoir init --store montreal` first",
            data_dir.display()
        ),
    )
}

/// A new ledger entry stamped with the store's local time and business day.
pub(crate) fn stamp(
    store: &config::Store,
    clock: &dyn Clock,
    kind: &str,
    receipt_no: Option<String>,
    payload: String,
) -> NewEntry {
    let now = clock.now().with_timezone(&store.tz);
    NewEntry {
        kind: kind.to_owned(),
        recorded_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        business_day: now.date_naive().to_string(),
        receipt_no,
        receipt_seq: None,
        external_ref: None,
        payload,
    }
}

/// What a permission allows, as the "you may not …" message says it.
fn permission_words(permission: &str) -> &'static str {
    match permission {
        "open_price" => "sell at a keyed price",
        "no_sale" => "open the drawer without a sale",
        "void" => "void a sale",
        "paid_in" => "put money in the drawer",
        "paid_out" => "take money out of the drawer",
        "reprint" => "reprint a receipt",
        "sync_setup" => "connect the register to the central server",
        "erase_customer" => "erase a customer",
        "store_policy" => "change the store's discount and return policies",
        "device_setup" => "test or set up the register's devices",
        _ => "do that",
    }
}

pub(crate) fn required_reason(reason: &str) -> AppResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::new("reason_required", "a reason is required"));
    }
    Ok(reason.chars().take(200).collect())
}

/// A plain, positive decimal, or the error a cashier reads for anything else.
fn plain_quantity(text: &str) -> AppResult<Decimal> {
    let trimmed = text.trim();
    let plain = comptoir_core::money::is_plain_decimal(trimmed) && !trimmed.starts_with('-');
    plain
        .then(|| trimmed.parse().ok())
        .flatten()
        .ok_or_else(|| AppError::new("invalid_quantity", format!("{text:?} is not a quantity")))
}

/// A quantity keyed for an item sold by the unit: a whole number from 1 to 9999, so 0.001 of
/// a bottle can never make a 0.00 sale (a weight comes from the scale, never the keyboard).
pub(crate) fn parse_quantity(text: &str) -> AppResult<Decimal> {
    let qty = plain_quantity(text)?;
    let in_range = qty > Decimal::ZERO && qty < Decimal::from(comptoir_core::cart::MAX_QUANTITY);
    if in_range && !qty.fract().is_zero() {
        // Said as what it is: the item is sold by the unit (a weight goes on the scale).
        return Err(AppError::new("whole_quantity", ""));
    }
    if qty < Decimal::ONE || qty > Decimal::from(comptoir_core::cart::MAX_QUANTITY) {
        return Err(AppError::new(
            "invalid_quantity",
            format!("{text}: a whole number from 1 to 9999"),
        ));
    }
    Ok(qty.normalize())
}

/// A quantity as the register recorded it: a whole number of units, or a weight in kilograms
/// with at most three decimals (a weighed line).
pub(crate) fn stored_quantity(text: &str) -> AppResult<Decimal> {
    let qty = plain_quantity(text)?;
    if qty <= Decimal::ZERO
        || qty > Decimal::from(comptoir_core::cart::MAX_QUANTITY)
        || qty.normalize().scale() > 3
    {
        return Err(AppError::new("invalid_quantity", format!("{text}: not a recorded quantity")));
    }
    Ok(qty.normalize())
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::new("internal", format!("serialising: {e}")))
}

pub(crate) fn parse_payload<T: for<'de> Deserialize<'de>>(json: &str) -> AppResult<T> {
    serde_json::from_str(json).map_err(|e| {
        AppError::new("storage_corrupt", format!("a stored record does not parse: {e}"))
    })
}

pub(crate) fn kind_name(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Item => "item",
        ItemKind::Weighed => "weighed",
        ItemKind::NonMerchandise => "non_merchandise",
    }
}

pub(crate) fn parse_kind(text: &str) -> ItemKind {
    match text {
        "non_merchandise" => ItemKind::NonMerchandise,
        "weighed" => ItemKind::Weighed,
        _ => ItemKind::Item,
    }
}

/// The catalog as stored: items, with the server's prices from a moment on.
pub(crate) fn load_catalog(db: &Store) -> AppResult<Catalog> {
    let mut schedules: std::collections::HashMap<
        String,
        Vec<comptoir_core::catalog::ScheduledPrice>,
    > = std::collections::HashMap::new();
    for price in db.catalog_prices()? {
        if let Some(from) = comptoir_protocol::catalog::parse_local_time(&price.from) {
            schedules.entry(price.sku).or_default().push(comptoir_core::catalog::ScheduledPrice {
                from,
                price: price.price_minor.map(Money::from_minor),
            });
        }
    }
    Ok(Catalog::new(
        db.catalog()?
            .iter()
            .map(|row| {
                let mut item = item_from_row(row);
                item.schedule = schedules.remove(&row.sku).unwrap_or_default();
                item
            })
            .collect(),
    ))
}

pub(crate) fn item_from_row(row: &CatalogRow) -> Item {
    Item {
        sku: Sku(row.sku.clone()),
        gtin: row.gtin.as_deref().and_then(|g| Gtin14::parse(g).ok()),
        name: row.name.clone(),
        name_fr: row.name_fr.clone(),
        price: row.price_minor.map(Money::from_minor),
        tax_class: TaxClass(row.tax_class.clone()),
        kind: parse_kind(&row.kind),
        schedule: Vec::new(),
    }
}
