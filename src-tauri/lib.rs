//! The desktop shell: a window, the Tauri commands of `docs/ipc.md`, and logging. Thin on
//! purpose: every command is one call into `comptoir-app`, run off the UI thread, and returns
//! the whole screen state.

use std::sync::{Arc, Mutex};

use comptoir_app::config_file::ConfigFile;
use comptoir_app::credit::CreditBalance;
use comptoir_app::discounts::DiscountInput;
use comptoir_app::logs::LogPlan;
use comptoir_app::returns::{Disposition, RefundTo, SaleForReturn};
use comptoir_app::view::{PreviewView, View};
use comptoir_app::{AppError, DrawerMovement, OpenOptions, Pin, Register};
use serde::Serialize;
use tauri::State;

/// What a command rejects with: a stable code and a message in the cashier's language.
#[derive(Debug, Serialize)]
pub struct IpcError {
    code: &'static str,
    message: String,
}

impl IpcError {
    fn from_app(error: &AppError, lang: &str) -> IpcError {
        IpcError { code: error.code, message: error.message(lang) }
    }
}

/// The register, or why it could not open (another instance holds it, the disk is unwritable).
struct Till(Result<Arc<Mutex<Register>>, AppError>);

type Reply<T> = Result<T, IpcError>;

/// Runs one use case on a blocking thread (SQLite and the printer block), then builds the view.
async fn with_register<T, F>(till: &Till, action: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Register) -> Result<T, AppError> + Send + 'static,
{
    let register = match &till.0 {
        Ok(register) => register.clone(),
        Err(error) => return Err(IpcError::from_app(error, "en")),
    };
    let joined = tauri::async_runtime::spawn_blocking(move || {
        let mut register = match register.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let lang = register.lang().to_owned();
        action(&mut register).map_err(|e| IpcError::from_app(&e, &lang))
    })
    .await;
    joined.unwrap_or_else(|e| {
        Err(IpcError { code: "internal", message: format!("internal error: {e}") })
    })
}

/// Runs a use case and answers with the new screen state.
async fn act<F>(till: &Till, action: F) -> Reply<View>
where
    F: FnOnce(&mut Register) -> Result<(), AppError> + Send + 'static,
{
    with_register(till, move |r| {
        action(r)?;
        r.view()
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn view(till: State<'_, Till>) -> Reply<View> {
    act(&till, |_| Ok(())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn sign_in(till: State<'_, Till>, pin: String) -> Reply<View> {
    act(&till, move |r| r.sign_in(&Pin::new(pin)).map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn lock(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| {
        r.lock();
        Ok(())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn open_shift(till: State<'_, Till>, float: String) -> Reply<View> {
    act(&till, move |r| r.open_shift(&float)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn scan(till: State<'_, Till>, code: String, source: Option<String>) -> Reply<View> {
    act(&till, move |r| {
        tracing::debug!(source = source.as_deref().unwrap_or("keyboard"), "scan");
        r.scan(&code).map(|_| ())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_multiplier(till: State<'_, Till>, qty: Option<String>) -> Reply<View> {
    act(&till, move |r| match qty {
        Some(qty) => r.set_multiplier(&qty),
        None => {
            r.clear_multiplier();
            Ok(())
        }
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn add_item(till: State<'_, Till>, sku: String) -> Reply<View> {
    act(&till, move |r| r.add_item(&sku).map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn add_open_price(
    till: State<'_, Till>,
    name: String,
    price: String,
    tax_class: String,
    sku: Option<String>,
) -> Reply<View> {
    act(&till, move |r| r.add_open_price(&name, &price, &tax_class, sku.as_deref()).map(|_| ()))
        .await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_quantity(till: State<'_, Till>, line: u32, qty: String) -> Reply<View> {
    act(&till, move |r| r.set_quantity(line, &qty)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn remove_line(till: State<'_, Till>, line: u32) -> Reply<View> {
    act(&till, move |r| r.remove_line(line)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn price_check(till: State<'_, Till>, code: String) -> Reply<View> {
    act(&till, move |r| r.price_check(&code).map(|_| ())).await
}

/// "Stock anywhere": the item's stock here (as last heard) and in every store. The register
/// is held only to read what it knows; the server is asked without it, so a slow network
/// never holds the till.
#[tauri::command(rename_all = "snake_case")]
async fn stock_anywhere(
    till: State<'_, Till>,
    code: String,
) -> Reply<comptoir_app::sync::StockAnywhere> {
    let lookup = with_register(&till, move |r| r.stock_lookup(&code)).await?;
    tauri::async_runtime::spawn_blocking(move || lookup.ask())
        .await
        .map_err(|e| IpcError { code: "internal", message: format!("internal error: {e}") })
}

#[tauri::command(rename_all = "snake_case")]
async fn search(till: State<'_, Till>, query: String) -> Reply<View> {
    act(&till, move |r| {
        r.search(&query);
        Ok(())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn park(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| r.park().map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn resume(till: State<'_, Till>, id: i64) -> Reply<View> {
    act(&till, move |r| r.resume(id)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn void_cart(till: State<'_, Till>, reason: String) -> Reply<View> {
    act(&till, move |r| r.void_cart(&reason)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn enter_coupon(till: State<'_, Till>, code: String) -> Reply<View> {
    act(&till, move |r| r.enter_coupon(&code)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn remove_coupon(till: State<'_, Till>, code: String) -> Reply<View> {
    act(&till, move |r| r.remove_coupon(&code)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn attach_customer(till: State<'_, Till>, id: String) -> Reply<View> {
    act(&till, move |r| r.attach_customer(&id)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn detach_customer(till: State<'_, Till>) -> Reply<View> {
    act(&till, move |r| r.detach_customer()).await
}

/// A sale by its receipt number, with what is left to return of each line (not a View).
#[tauri::command(rename_all = "snake_case")]
async fn find_sale(till: State<'_, Till>, receipt_no: String) -> Reply<SaleForReturn> {
    with_register(&till, move |r| r.find_sale(&receipt_no)).await
}

/// The receipts of the sales paid with a card reference or made for a customer (not a View).
#[tauri::command(rename_all = "snake_case")]
async fn find_sales_by(till: State<'_, Till>, query: String) -> Reply<Vec<String>> {
    with_register(&till, move |r| r.find_sales_by(&query)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn return_line(
    till: State<'_, Till>,
    receipt_no: String,
    line: u32,
    qty: String,
    disposition: Disposition,
    reason: String,
) -> Reply<View> {
    act(&till, move |r| r.return_line(&receipt_no, line, &qty, disposition, &reason)).await
}

/// `approval` is a manager's PIN, when the store's policy asks for one.
#[tauri::command(rename_all = "snake_case")]
async fn return_without_receipt(
    till: State<'_, Till>,
    code: String,
    qty: String,
    disposition: Disposition,
    reason: String,
    approval: Option<String>,
) -> Reply<View> {
    act(&till, move |r| {
        let approval = approval.map(Pin::new);
        r.return_without_receipt(&code, &qty, disposition, &reason, approval.as_ref())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn remove_return(till: State<'_, Till>, line: u32) -> Reply<View> {
    act(&till, move |r| r.remove_return(line)).await
}

/// Gives the money back and records the return or exchange; what went back on each leg is in
/// the new View's `last_sale`. `to` is `original`, `cash` or `store_credit`.
/// `approval` is a manager's PIN, for a refund in cash of what a card paid. With a card
/// terminal set, the card legs of a sale it took are refunded on it first (its texts come as
/// `terminal-progress` events, and `abort_card_payment` aborts it).
#[tauri::command(rename_all = "snake_case")]
async fn refund(
    app: tauri::AppHandle,
    till: State<'_, Till>,
    cache: State<'_, devices::Terminal>,
    to: String,
    approval: Option<String>,
) -> Reply<View> {
    let to = match to.as_str() {
        "original" => RefundTo::Original,
        "cash" => RefundTo::Cash,
        "store_credit" => RefundTo::StoreCredit,
        other => {
            let error = AppError::new(
                "invalid_input",
                format!("refund to {other:?}: original, cash or store_credit"),
            );
            return Err(IpcError::from_app(&error, "en"));
        }
    };
    devices::refund(app, &till, &cache, to, approval).await
}

/// Records a cart that costs nothing (everything discounted, or an even exchange).
#[tauri::command(rename_all = "snake_case")]
async fn complete(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| r.complete().map(|_| ())).await
}

/// What a credit note holds (not a View).
#[tauri::command(rename_all = "snake_case")]
async fn store_credit(till: State<'_, Till>, reference: String) -> Reply<CreditBalance> {
    with_register(&till, move |r| r.store_credit(&reference)).await
}

/// Pays `amount` with a credit note, at most what it holds.
#[tauri::command(rename_all = "snake_case")]
async fn tender_store_credit(
    till: State<'_, Till>,
    amount: String,
    reference: String,
) -> Reply<View> {
    act(&till, move |r| r.tender_store_credit(&amount, &reference).map(|_| ())).await
}

/// A tender commits the sale when it pays it; a printer failure after the commit is shown in
/// the view's notice and printer state, not as an error: the sale is done.
#[tauri::command(rename_all = "snake_case")]
async fn tender_cash(till: State<'_, Till>, amount: String) -> Reply<View> {
    act(&till, move |r| r.tender_cash(&amount).map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn tender_card(till: State<'_, Till>, amount: String, reference: String) -> Reply<View> {
    act(&till, move |r| r.tender_card(&amount, &reference).map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn reprint_last(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| r.reprint_last().map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn paid_in(till: State<'_, Till>, amount: String, reason: String) -> Reply<View> {
    act(&till, move |r| {
        r.drawer_movement(DrawerMovement::PaidIn, Some(&amount), &reason).map(|_| ())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn paid_out(till: State<'_, Till>, amount: String, reason: String) -> Reply<View> {
    act(&till, move |r| {
        r.drawer_movement(DrawerMovement::PaidOut, Some(&amount), &reason).map(|_| ())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn no_sale(till: State<'_, Till>, reason: String) -> Reply<View> {
    act(&till, move |r| r.drawer_movement(DrawerMovement::NoSale, None, &reason).map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn report_x(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| r.report_x().map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn close_shift(till: State<'_, Till>, counted: String) -> Reply<View> {
    act(&till, move |r| r.close_shift(&counted).map(|_| ())).await
}

#[tauri::command(rename_all = "snake_case")]
async fn set_language(till: State<'_, Till>, lang: String) -> Reply<View> {
    act(&till, move |r| r.set_language(&lang)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn dismiss(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| {
        r.dismiss();
        Ok(())
    })
    .await
}

/// A discount on a line: `kind` is `percent` or `amount`; `approval` is a manager's PIN when
/// the discount is over the cashier's limit.
#[tauri::command(rename_all = "snake_case")]
async fn discount_line(
    till: State<'_, Till>,
    line: u32,
    kind: String,
    value: String,
    reason: String,
    approval: Option<String>,
) -> Reply<View> {
    act(&till, move |r| {
        let input = DiscountInput::from_kind(&kind, &value)?;
        r.discount_line(line, input, &reason, approval.map(Pin::new).as_ref())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn remove_line_discount(till: State<'_, Till>, line: u32) -> Reply<View> {
    act(&till, move |r| r.remove_line_discount(line)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn discount_order(
    till: State<'_, Till>,
    kind: String,
    value: String,
    reason: String,
    approval: Option<String>,
) -> Reply<View> {
    act(&till, move |r| {
        let input = DiscountInput::from_kind(&kind, &value)?;
        r.discount_order(input, &reason, approval.map(Pin::new).as_ref())
    })
    .await
}

#[tauri::command(rename_all = "snake_case")]
async fn remove_order_discount(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| r.remove_order_discount()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn override_price(
    till: State<'_, Till>,
    line: u32,
    price: String,
    reason: String,
    manager_pin: String,
) -> Reply<View> {
    act(&till, move |r| r.override_price(line, &price, &reason, &Pin::new(manager_pin))).await
}

/// `taxes` names the taxes the certificate covers; an empty list is every tax.
#[tauri::command(rename_all = "snake_case")]
async fn set_exemption(
    till: State<'_, Till>,
    certificate: String,
    taxes: Vec<String>,
) -> Reply<View> {
    act(&till, move |r| r.set_exemption(&certificate, &taxes)).await
}

#[tauri::command(rename_all = "snake_case")]
async fn clear_exemption(till: State<'_, Till>) -> Reply<View> {
    act(&till, |r| r.clear_exemption()).await
}

#[tauri::command(rename_all = "snake_case")]
async fn receipt_preview(till: State<'_, Till>, job: Option<String>) -> Reply<PreviewView> {
    with_register(&till, move |r| r.receipt_preview(job.as_deref())).await
}

/// The device setup screen and the card terminal (issue 5): the commands that open devices or
/// wait on the terminal run outside the register's lock, so the screen stays live.
mod devices {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use comptoir_app::setup::{Plugged, ScanRead, SettingView, TestPage};
    use comptoir_app::terminal::{self, AbortHandle, AdminResult, CardTerminal, Recovered};
    use comptoir_app::view::{PreviewView, View};
    use comptoir_app::{AppError, Register};
    use serde::Serialize;
    use tauri::{AppHandle, Emitter, State};

    use super::{IpcError, Reply, Till, with_register};

    /// How long Read a scan and Read the scale wait for the device.
    const READ_TIMEOUT: Duration = Duration::from_secs(10);

    /// The card terminal the `terminal` setting names, built at its first use and again after
    /// the setting changes; its abort handle stays reachable while a payment holds it.
    #[derive(Default)]
    pub struct Terminal(Mutex<Option<(Arc<Mutex<CardTerminal>>, AbortHandle)>>);

    impl Terminal {
        fn forget(&self) {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }

        fn abort(&self) -> bool {
            match &*self.0.lock().unwrap_or_else(|e| e.into_inner()) {
                Some((_, handle)) => {
                    handle.abort();
                    true
                }
                None => false,
            }
        }
    }

    fn internal(error: impl std::fmt::Display) -> IpcError {
        IpcError { code: "internal", message: format!("internal error: {error}") }
    }

    fn shared(till: &Till) -> Reply<Arc<Mutex<Register>>> {
        match &till.0 {
            Ok(register) => Ok(register.clone()),
            Err(error) => Err(IpcError::from_app(error, "en")),
        }
    }

    /// The terminal, built from the register's settings if not yet (`no_terminal` if none).
    async fn card_terminal(till: &Till, cache: &Terminal) -> Reply<Arc<Mutex<CardTerminal>>> {
        if let Some((terminal, _)) = &*cache.0.lock().unwrap_or_else(|e| e.into_inner()) {
            return Ok(terminal.clone());
        }
        let built = with_register(till, |r| {
            CardTerminal::from_register(r)?.ok_or_else(|| {
                AppError::new("no_terminal", "no card terminal is set up: set `terminal` first")
            })
        })
        .await?;
        let handle = built.abort_handle();
        let terminal = Arc::new(Mutex::new(built));
        *cache.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((terminal.clone(), handle));
        Ok(terminal)
    }

    /// Runs blocking device work off the UI thread, with no lock held but its own.
    async fn blocking<T, F>(register: Arc<Mutex<Register>>, work: F) -> Reply<T>
    where
        T: Send + 'static,
        F: FnOnce(&Arc<Mutex<Register>>) -> Result<T, AppError> + Send + 'static,
    {
        tauri::async_runtime::spawn_blocking(move || {
            let result = work(&register);
            let lang = register.lock().unwrap_or_else(|e| e.into_inner()).lang().to_owned();
            result.map_err(|e| IpcError::from_app(&e, &lang))
        })
        .await
        .map_err(internal)?
    }

    /// Each text the terminal shows, pushed to the UI as a `terminal-progress` event.
    fn progress(app: AppHandle) -> impl FnMut(&str) {
        move |text: &str| {
            if let Err(error) = app.emit("terminal-progress", text.to_owned()) {
                tracing::warn!(%error, "could not push the terminal's text");
            }
        }
    }

    /// What the device setup screen shows.
    #[derive(Serialize)]
    pub struct DeviceSetup {
        plugged: Plugged,
        settings: Vec<SettingView>,
        /// Whether a card terminal is set (`terminal` is not `none`).
        terminal: bool,
    }

    async fn setup_view(till: &Till) -> Reply<DeviceSetup> {
        let settings = with_register(till, |r| {
            r.require_device_setup()?;
            r.device_settings()
        })
        .await?;
        let plugged = tauri::async_runtime::spawn_blocking(comptoir_app::setup::plugged)
            .await
            .map_err(internal)?;
        let terminal =
            settings.iter().any(|s| s.key == "terminal" && !matches!(s.value.trim(), "" | "none"));
        Ok(DeviceSetup { plugged, settings, terminal })
    }

    #[tauri::command(rename_all = "snake_case")]
    pub async fn device_setup(till: State<'_, Till>) -> Reply<DeviceSetup> {
        setup_view(&till).await
    }

    /// Saves one device setting (validated) and answers with the setup screen's new state.
    #[tauri::command(rename_all = "snake_case")]
    pub async fn set_setting(
        till: State<'_, Till>,
        cache: State<'_, Terminal>,
        key: String,
        value: String,
    ) -> Reply<DeviceSetup> {
        let terminal_key = key.starts_with("terminal");
        with_register(&till, move |r| {
            r.require_device_setup()?;
            r.set_setting(&key, &value)
        })
        .await?;
        if terminal_key {
            cache.forget();
        }
        setup_view(&till).await
    }

    /// A printed test page and the decoded preview of exactly the bytes sent.
    #[derive(Serialize)]
    pub struct PrintedTestPage {
        page: TestPage,
        preview: PreviewView,
    }

    #[tauri::command(rename_all = "snake_case")]
    pub async fn print_test_page(till: State<'_, Till>) -> Reply<PrintedTestPage> {
        with_register(&till, |r| {
            let page = r.print_test_page()?;
            let preview = r.receipt_preview(Some(&page.job))?;
            Ok(PrintedTestPage { page, preview })
        })
        .await
    }

    #[tauri::command(rename_all = "snake_case")]
    pub async fn test_drawer(till: State<'_, Till>) -> Reply<bool> {
        with_register(&till, |r| r.test_drawer()).await
    }

    /// The setting of a device, read under the lock, for a read that opens it outside.
    async fn device_setting(till: &Till, key: &'static str) -> Reply<String> {
        with_register(till, move |r| {
            r.require_device_setup()?;
            let settings = r.device_settings()?;
            Ok(settings.into_iter().find(|s| s.key == key).map(|s| s.value).unwrap_or_default())
        })
        .await
    }

    #[tauri::command(rename_all = "snake_case")]
    pub async fn read_scan(till: State<'_, Till>) -> Reply<ScanRead> {
        let setting = device_setting(&till, "scanner").await?;
        // Labels are read with the register's layouts: the setting's country, or the store's.
        let country = with_register(&till, |r| Ok(r.label_country())).await?;
        blocking(shared(&till)?, move |_| {
            comptoir_app::setup::read_scan_for(&setting, country, READ_TIMEOUT)
        })
        .await
    }

    #[tauri::command(rename_all = "snake_case")]
    pub async fn read_scale(till: State<'_, Till>) -> Reply<String> {
        let setting = device_setting(&till, "scale").await?;
        blocking(shared(&till)?, move |_| comptoir_app::setup::read_scale(&setting, READ_TIMEOUT))
            .await
    }

    /// `action`: `diagnosis`, `status` or `end_of_day`; the terminal's texts come as
    /// `terminal-progress` events meanwhile.
    #[tauri::command(rename_all = "snake_case")]
    pub async fn terminal_action(
        app: AppHandle,
        till: State<'_, Till>,
        cache: State<'_, Terminal>,
        action: String,
    ) -> Reply<AdminResult> {
        with_register(&till, |r| r.require_device_setup()).await?;
        let terminal = card_terminal(&till, &cache).await?;
        blocking(shared(&till)?, move |_| {
            let terminal = terminal.lock().unwrap_or_else(|e| e.into_inner());
            terminal.admin_action(&action, &mut progress(app))
        })
        .await
    }

    /// Pays `amount` of the sale on the terminal; answers with the new View (the sale
    /// recorded and printed when the card paid it all).
    #[tauri::command(rename_all = "snake_case")]
    pub async fn pay_by_card(
        app: AppHandle,
        till: State<'_, Till>,
        cache: State<'_, Terminal>,
        amount: String,
    ) -> Reply<View> {
        let terminal = card_terminal(&till, &cache).await?;
        blocking(shared(&till)?, move |register| {
            let terminal = terminal.lock().unwrap_or_else(|e| e.into_inner());
            terminal::pay_by_card(&**register, &terminal, &amount, &mut progress(app))?;
            register.lock().unwrap_or_else(|e| e.into_inner()).view()
        })
        .await
    }

    /// The refund of the return in progress, through the terminal for the card legs of a sale
    /// it took (see the `refund` command).
    pub async fn refund(
        app: AppHandle,
        till: &Till,
        cache: &Terminal,
        to: comptoir_app::returns::RefundTo,
        approval: Option<String>,
    ) -> Reply<View> {
        let set = with_register(till, |r| {
            let setting = r.database().setting("terminal")?.unwrap_or_default();
            Ok(comptoir_app::terminal::TerminalSetting::parse(&setting)?.is_some())
        })
        .await?;
        let terminal = match set {
            true => Some(card_terminal(till, cache).await?),
            false => None,
        };
        blocking(shared(till)?, move |register| {
            let terminal = terminal.as_ref().map(|t| t.lock().unwrap_or_else(|e| e.into_inner()));
            let approval = approval.map(comptoir_app::Pin::new);
            terminal::refund_return(
                &**register,
                terminal.as_deref(),
                to,
                approval.as_ref(),
                &mut progress(app),
            )?;
            register.lock().unwrap_or_else(|e| e.into_inner()).view()
        })
        .await
    }

    /// Aborts the card payment in progress; `false` when no terminal was in use.
    #[tauri::command(rename_all = "snake_case")]
    pub async fn abort_card_payment(cache: State<'_, Terminal>) -> Reply<bool> {
        Ok(cache.abort())
    }

    /// What recovery found, and the View after it.
    #[derive(Serialize)]
    pub struct Recovery {
        recovered: Vec<Recovered>,
        view: View,
    }

    #[tauri::command(rename_all = "snake_case")]
    pub async fn recover_card_payments(
        app: AppHandle,
        till: State<'_, Till>,
        cache: State<'_, Terminal>,
    ) -> Reply<Recovery> {
        let terminal = card_terminal(&till, &cache).await?;
        blocking(shared(&till)?, move |register| {
            let terminal = terminal.lock().unwrap_or_else(|e| e.into_inner());
            let recovered =
                terminal::recover_card_payments(&**register, &terminal, &mut progress(app))?;
            let view = register.lock().unwrap_or_else(|e| e.into_inner()).view()?;
            Ok(Recovery { recovered, view })
        })
        .await
    }

    /// Whether a terminal is set, and the payments whose outcome is unknown (the sale
    /// screen's banner).
    #[derive(Serialize)]
    pub struct CardStatus {
        terminal: bool,
        unsettled: Vec<comptoir_app::card::CardRequest>,
    }

    #[tauri::command(rename_all = "snake_case")]
    pub async fn card_status(till: State<'_, Till>) -> Reply<CardStatus> {
        with_register(&till, |r| {
            let terminal = comptoir_app::terminal::TerminalSetting::parse(
                &r.device_settings()?
                    .into_iter()
                    .find(|s| s.key == "terminal")
                    .map(|s| s.value)
                    .unwrap_or_default(),
            )
            .map(|t| t.is_some())
            .unwrap_or(false);
            Ok(CardStatus { terminal, unsettled: r.unsettled_card_payments()? })
        })
        .await
    }
}

/// The data folder: `--data-dir DIR`, else `COMPTOIR_DATA_DIR`, else the config file's
/// `data_dir`, else the default, shared with the CLI.
fn data_dir(file: &ConfigFile) -> std::path::PathBuf {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--data-dir"
            && let Some(dir) = args.next()
        {
            return dir.into();
        }
    }
    std::env::var_os("COMPTOIR_DATA_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(comptoir_app::default_data_dir)
}

/// Opens the register in its data folder, setting up the demo store on first start, with the
/// config file's settings applied (a refused one is logged and the saved value kept).
fn open_register(file: &ConfigFile) -> Result<Register, AppError> {
    let data_dir = data_dir(file);
    let register = match Register::open(&data_dir, OpenOptions::default()) {
        Err(error) if error.code == "not_initialised" => {
            let store = std::env::var("COMPTOIR_STORE").unwrap_or_else(|_| "montreal".to_owned());
            tracing::info!(%store, dir = %data_dir.display(), "first start: setting up the demo store");
            Register::init_demo(&data_dir, &store, 1, OpenOptions::default())
        }
        other => other,
    }?;
    let (register, _applied) = file.apply_and_reopen(register, || Ok(OpenOptions::default()))?;
    Ok(register)
}

/// Kiosk mode (`[ui] kiosk = true`): the window fills the screen, without a title bar, above
/// every other window, so the cashier sees only the register.
fn enter_kiosk(app: &tauri::App) {
    use tauri::Manager;
    let Some(window) = app.get_webview_window("main") else {
        tracing::warn!("kiosk mode: no main window");
        return;
    };
    let steps = [
        window.set_decorations(false),
        window.set_always_on_top(true),
        window.set_fullscreen(true),
    ];
    for error in steps.into_iter().filter_map(Result::err) {
        tracing::warn!(%error, "kiosk mode: the window manager refused a step");
    }
    tracing::info!("kiosk mode");
}

/// Whether kiosk mode is on: the register's setting, or the file's when the register could not
/// open.
fn kiosk(till: &Till, file: &ConfigFile) -> bool {
    let saved = till.0.as_ref().ok().and_then(|register| {
        let register = register.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        register.database().setting("ui.kiosk").ok().flatten()
    });
    saved.as_deref().or(file.value("ui.kiosk")).is_some_and(|v| v.trim() == "true")
}

/// A serial scanner, when the `scanner` setting names one: each scan is rung and the screen
/// pushed, as a wedge scan would be.
fn watch_serial_scanner(app: tauri::AppHandle, register: Arc<Mutex<Register>>) {
    use tauri::Emitter;
    let started = comptoir_app::scanner::watch_scanner(register, move |view| {
        if let Err(error) = app.emit("view", view) {
            tracing::warn!(%error, "could not push the view");
        }
    });
    if started {
        tracing::info!("serial scanner watched");
    }
}

/// Pushes a fresh `View` (the UI's `view` event) when something changes on its own: the
/// printer runs out of paper or its cover opens, the drawer opens or closes, the server comes
/// back, the entries waiting drain. Devices are read every half second, sync every two; the
/// register's lock is held for the few reads that takes.
fn watch_sync(app: tauri::AppHandle, register: Arc<Mutex<Register>>) {
    use tauri::Emitter;
    {
        let guard = register.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Err(error) = guard.watch_devices() {
            tracing::warn!(%error, "the printer's status is not watched");
        }
    }
    let spawned = std::thread::Builder::new().name("comptoir-watch".into()).spawn(move || {
        let mut last = None;
        let mut tick: u64 = 0;
        loop {
            std::thread::sleep(std::time::Duration::from_millis(500));
            tick += 1;
            let mut guard = match register.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            let mut changed = guard.poll_devices();
            if tick.is_multiple_of(4)
                && let Ok(now) = guard.sync_view()
                && last.as_ref() != Some(&now)
            {
                changed |= last.is_some();
                last = Some(now);
            }
            if !changed {
                continue;
            }
            match guard.view() {
                Ok(view) => {
                    drop(guard);
                    if let Err(error) = app.emit("view", view) {
                        tracing::warn!(%error, "could not push the view");
                    }
                }
                Err(error) => tracing::warn!(%error, "could not build the view"),
            }
        }
    });
    if let Err(error) = spawned {
        tracing::error!(%error, "could not start the watch of devices and sync");
    }
}

pub fn run() {
    let file = ConfigFile::load();
    // The session's autostart entry starts the app with --autostart: it opens only where the
    // config file says `[ui] autostart = true`.
    if std::env::args_os().any(|a| a == "--autostart") && !file.autostart {
        return;
    }
    let plan =
        LogPlan { prefix: "comptoir-register", files_by_default: true, stderr_default: "info" };
    let _flush_logs = comptoir_app::logs::init(&plan, &file.log);
    let till = match open_register(&file) {
        Ok(mut register) => {
            // Sync runs on its own thread with its own connection: a sale never waits for it.
            register.start_sync();
            Till(Ok(Arc::new(Mutex::new(register))))
        }
        Err(error) => {
            // The window still opens and says what is wrong (another instance is running,
            // the disk is unwritable) instead of vanishing.
            tracing::error!(%error, "the register could not open");
            Till(Err(error))
        }
    };
    let watched = till.0.as_ref().ok().cloned();
    let kiosk = kiosk(&till, &file);
    let result = tauri::Builder::default()
        .manage(till)
        .manage(devices::Terminal::default())
        .setup(move |app| {
            if kiosk {
                enter_kiosk(app);
            }
            if let Some(register) = watched {
                watch_sync(app.handle().clone(), register.clone());
                watch_serial_scanner(app.handle().clone(), register);
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            view,
            complete,
            store_credit,
            tender_store_credit,
            sign_in,
            lock,
            open_shift,
            scan,
            set_multiplier,
            add_item,
            add_open_price,
            set_quantity,
            remove_line,
            price_check,
            stock_anywhere,
            search,
            park,
            resume,
            void_cart,
            enter_coupon,
            remove_coupon,
            attach_customer,
            detach_customer,
            find_sale,
            find_sales_by,
            return_line,
            return_without_receipt,
            remove_return,
            refund,
            tender_cash,
            tender_card,
            reprint_last,
            paid_in,
            paid_out,
            no_sale,
            report_x,
            close_shift,
            set_language,
            dismiss,
            receipt_preview,
            discount_line,
            remove_line_discount,
            discount_order,
            remove_order_discount,
            override_price,
            set_exemption,
            clear_exemption,
            devices::device_setup,
            devices::set_setting,
            devices::print_test_page,
            devices::test_drawer,
            devices::read_scan,
            devices::read_scale,
            devices::terminal_action,
            devices::pay_by_card,
            devices::abort_card_payment,
            devices::recover_card_payments,
            devices::card_status,
        ])
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "the window failed");
        std::process::exit(1);
    }
}
