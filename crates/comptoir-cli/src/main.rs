//! `comptoir`: the register without a window. It calls the same application API as the app,
//! on the same data folder, and speaks JSON: results on standard output, errors as
//! `{"code", "message"}` on standard error with a non-zero exit. See `docs/cli.md`.

// This binary's output is its interface.
#![allow(clippy::print_stdout)]

use std::cell::RefCell;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use comptoir_app::config_file::ConfigFile;
use comptoir_app::discounts::DiscountInput;
use comptoir_app::logs::LogPlan;
use comptoir_app::returns::{Disposition, RefundTo};
use comptoir_app::terminal::{self, AbortHandle, CardTerminal};
use comptoir_app::{
    AppError, AppResult, DrawerMovement, ManualClock, OpenOptions, Pin, PrinterSetting, Register,
    SystemClock,
};
use comptoir_core::{Money, Settlement, Tender};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    name = "comptoir",
    version,
    about = "Comptoir point of sale: the register from the command line"
)]
struct Cli {
    /// The register's data folder (default: ~/.local/share/org.comptoir.register).
    #[arg(long, global = true, env = "COMPTOIR_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The cashier's PIN for commands that need one.
    #[arg(long, global = true, env = "COMPTOIR_PIN", hide_env_values = true)]
    pin: Option<String>,
    /// Send receipts here instead of the saved printer: virtual, tcp://HOST:PORT or /dev/usb/lp0.
    #[arg(long, global = true)]
    printer: Option<String>,
    /// Use this time instead of the clock (RFC 3339), for scripted runs.
    #[arg(long, global = true, env = "COMPTOIR_NOW", hide = true)]
    now: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Sets up a new register for a demo store.
    Init {
        #[arg(long)]
        store: String,
        /// The register's number in its store.
        #[arg(long, default_value_t = 1)]
        register: i64,
    },
    /// Replaces this register's promotions with a promotions file (JSON, as the server
    /// imports), on a register the server does not manage.
    ImportPromotions { file: PathBuf },
    /// Imports a catalog: our CSV format or an Open Food Facts export.
    ImportCatalog {
        file: PathBuf,
        /// Import the good rows of a file that has bad ones (they are still listed).
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// Opens or closes the shift.
    Shift {
        #[command(subcommand)]
        action: ShiftAction,
    },
    /// Rings up a basket read as JSON from standard input, and commits and prints it.
    Sale,
    /// Books the UK retailer's invoice CSV into the London store.
    Replay { file: PathBuf },
    /// Checks the ledger's hash chain and names the first bad entry.
    Verify,
    /// Prints the X report of the open shift, or the last (or a given) Z report.
    Report {
        #[arg(value_parser = ["x", "z"])]
        kind: String,
        /// The Z report's number (default: the last).
        #[arg(long)]
        number: Option<i64>,
    },
    /// Records cash put in or taken out of the drawer, or opens it without a sale.
    Drawer {
        #[arg(value_parser = ["paid-in", "paid-out", "no-sale"])]
        action: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// Voids the cart in progress (one the app left, or a failed basket's whose card could
    /// not be given back), recorded with its reason; a charged card must be reversed first
    /// (`card reverse`).
    Void {
        #[arg(long)]
        reason: String,
    },
    /// Prints the last receipt again, marked COPY (or what never printed).
    Reprint,
    /// Shows a printed job as text, decoded from its stored bytes.
    Preview { job: Option<String> },
    /// Reads or changes a setting (printer, drawer pulse, scanner thresholds).
    Config { key: Option<String>, value: Option<String> },
    /// Finds items by name (accent- and case-insensitive) or by barcode.
    Find { query: String },
    /// Card payments on the integrated terminal: `pending` lists those whose outcome is not
    /// known; `recover` asks the terminal about each (never charges again); `reverse REF`
    /// gives back an approved card tender of the sale in progress; `not-charged ID` (a
    /// manager) settles one the terminal cannot say anything about (replaced or reset), once
    /// its journal or the bank shows it was not charged.
    Card {
        #[arg(value_parser = ["pending", "recover", "reverse", "not-charged"])]
        action: String,
        reference: Option<String>,
    },
    /// Device setup for IT: `list` the serial ports, USB devices and printer profiles;
    /// `settings`; `test-page` (prints the code page's accented characters, a barcode and a
    /// QR code); `drawer` (opens it: in the drawer's audit as a test, never a no-sale); `scan` (waits for one scan on the
    /// serial scanner and says what it is: its symbology, its data, its GS1 fields or label by
    /// name); `scale` (reads a stable weight); `drawer-log` (every opening of the drawer in the
    /// last 24 hours: why, by whom, for which receipt, when it closed). Manager PIN for
    /// printing, the drawer and its log.
    Devices {
        #[arg(value_parser = ["list", "settings", "test-page", "drawer", "drawer-log", "scan", "scale"])]
        action: String,
        /// How long `scan` and `scale` wait, in seconds.
        #[arg(long, default_value_t = 10)]
        wait: u64,
    },
    /// Asks the card terminal: `status` (status enquiry), `diagnosis`, `end-of-day`,
    /// `repeat-receipt`, `register` (log the register on).
    Terminal {
        #[arg(value_parser = ["status", "diagnosis", "end-of-day", "repeat-receipt", "register"])]
        action: String,
    },
    /// Finds a sale for a return by its receipt number, with what is left to return of each
    /// line (cashier PIN); `--by` finds receipt numbers by card reference or customer.
    FindSale {
        receipt: String,
        #[arg(long)]
        by: bool,
    },
    /// What a credit note (`CR-…`) holds: issued, spent and its balance.
    Credit { reference: String },
    /// Shows, or changes (manager), the store's discount limits and policy for returns
    /// without a receipt on this register.
    StorePolicy { key: Option<String>, value: Option<String> },
    /// Customer profiles, kept on this register (personal fields encrypted per customer).
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// The stock of an item (barcode or SKU) here as last heard from the server, and in every
    /// store of the chain when the server answers (cashier PIN).
    Stock { code: String },
    /// Copies the register's database to FILE, consistently, even while the app sells.
    Backup { file: PathBuf },
    /// Restores the register from a backup: takes back from the server what it holds beyond
    /// the backup, and starts a new epoch. The database that was there is kept beside it.
    Restore {
        file: PathBuf,
        /// Restore without the server (what it holds beyond the backup stays there only).
        #[arg(long)]
        offline: bool,
        /// Restore even if the database there holds entries the backup and the server lack.
        #[arg(long)]
        force: bool,
    },
    /// Connects this register to the central server with a one-time code (manager PIN).
    Enrol {
        /// The server's address, https://HOST:PORT.
        #[arg(long)]
        server: String,
        /// The one-time enrolment code the administrator gave.
        #[arg(long)]
        code: String,
        /// The server certificate's fingerprint the administrator gave (sha256:…).
        #[arg(long, required_unless_present = "ca_file", conflicts_with = "ca_file")]
        fingerprint: Option<String>,
        /// Or the server's CA certificate file itself (PEM).
        #[arg(long)]
        ca_file: Option<PathBuf>,
    },
    /// Sends the ledger to the central server now, and says what the server holds.
    Sync {
        /// Only show where sync stands (no network).
        #[arg(long)]
        status: bool,
    },
}

/// A customer's fields, as options (an empty value clears a field).
#[derive(clap::Args, Debug)]
struct CustomerFields {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    language: Option<String>,
    /// The customer's segment for promotions (`staff`, `wholesale`).
    #[arg(long)]
    segment: Option<String>,
    /// Marketing consent given (yes) or withdrawn (no), at this register.
    #[arg(long, value_parser = ["yes", "no"])]
    consent: Option<String>,
    #[arg(long)]
    note: Option<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
}

impl CustomerFields {
    fn input(&self) -> comptoir_app::customers::CustomerInput {
        comptoir_app::customers::CustomerInput {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            language: self.language.clone(),
            segment: self.segment.clone(),
            consent: self.consent.as_deref().map(|c| c == "yes"),
            note: self.note.clone(),
            tags: self.tags.clone(),
        }
    }
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Creates a customer (a name at least) and prints their record.
    Add {
        #[command(flatten)]
        fields: CustomerFields,
    },
    /// Customers whose name, email or phone contains QUERY.
    Find { query: String },
    /// Everything the register holds about a customer (the data-access export).
    Show { id: String },
    /// Changes the fields given.
    Edit {
        id: String,
        #[command(flatten)]
        fields: CustomerFields,
    },
    /// Erases a customer on request (manager PIN): their personal data can no longer be read.
    Erase { id: String },
}

#[derive(Subcommand)]
enum ShiftAction {
    Open {
        #[arg(long, allow_hyphen_values = true)]
        float: String,
    },
    Close {
        #[arg(long, allow_hyphen_values = true)]
        counted: String,
    },
}

fn main() -> ExitCode {
    let file = ConfigFile::load();
    // Log files only where the config file's [log] names a folder: stdout stays the JSON.
    let plan = LogPlan { prefix: "comptoir-cli", files_by_default: false, stderr_default: "off" };
    let _flush_logs = comptoir_app::logs::init(&plan, &file.log);
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version are not errors; a wrong argument is the JSON error like any other.
        Err(error) if !error.use_stderr() => error.exit(),
        Err(error) => {
            let message = error.render().to_string();
            // clap's text up to its usage block, on one line.
            let lines: Vec<&str> = message
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:"))
                .filter(|l| !l.is_empty())
                .collect();
            let first = lines.join(" ");
            let first = first.trim_start_matches("error: ");
            let body = json!({"code": "invalid_argument", "message": format!("{first} (comptoir --help lists the arguments)")});
            eprintln!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = ctrlc::set_handler(on_ctrl_c) {
        tracing::warn!(%error, "Ctrl-C cannot abort a card payment on the terminal");
    }
    match run(cli, &file) {
        Ok(value) => {
            // A closed pipe (`comptoir sale | head`) is the reader's business: what was done is
            // done, so no panic and no failure.
            use std::io::Write;
            let text = serde_json::to_string_pretty(&value).unwrap_or_default();
            let _ = writeln!(std::io::stdout().lock(), "{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            let lang = "en";
            let body = json!({"code": error.code, "message": error.cli_message(lang)});
            eprintln!("{}", serde_json::to_string_pretty(&body).unwrap_or_default());
            ExitCode::FAILURE
        }
    }
}

fn options(cli: &Cli) -> AppResult<OpenOptions> {
    let clock: Box<dyn comptoir_app::Clock> = match &cli.now {
        Some(text) => {
            let now: DateTime<Utc> = DateTime::parse_from_rfc3339(text)
                .map_err(|e| AppError::new("invalid_argument", format!("--now {text}: {e}")))?
                .with_timezone(&Utc);
            Box::new(ManualClock::new(now))
        }
        None => Box::new(SystemClock),
    };
    let printer = cli.printer.as_deref().map(PrinterSetting::parse).transpose()?;
    Ok(OpenOptions { clock, printer, persist_cart: false })
}

/// Applies the config file to the register just opened, and says on stderr what it refused.
fn with_config_file(register: Register, file: &ConfigFile, cli: &Cli) -> AppResult<Register> {
    let (register, applied) = file.apply_and_reopen(register, || options(cli))?;
    for problem in &applied.refused {
        eprintln!("comptoir: {problem}");
    }
    Ok(register)
}

fn run(cli: Cli, file: &ConfigFile) -> AppResult<Value> {
    let data_dir = cli
        .data_dir
        .clone()
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(comptoir_app::default_data_dir);
    if let Command::Init { store, register } = &cli.command {
        let opened = Register::init_demo(&data_dir, store, *register, options(&cli)?)?;
        let opened = with_config_file(opened, file, &cli)?;
        return Ok(json!({
            "data_dir": data_dir,
            "store": opened.store_config().config.code,
            "items": opened.catalog().len(),
        }));
    }
    match &cli.command {
        Command::Backup { file } => {
            return to_value(&comptoir_app::backup::backup(&data_dir, file)?);
        }
        Command::Restore { file, offline, force } => {
            return to_value(&comptoir_app::backup::restore(&data_dir, file, *offline, *force)?);
        }
        _ => {}
    }
    let register = match Register::open(&data_dir, options(&cli)?) {
        // While the app holds the register, `verify` still reads the chain (WAL lets a reader
        // in beside the writer); every other command waits for the register to be free.
        Err(error) if error.code == "already_running" && matches!(cli.command, Command::Verify) => {
            return verify_beside_the_app(&data_dir);
        }
        other => other?,
    };
    let mut register = with_config_file(register, file, &cli)?;
    match &cli.command {
        Command::Init { .. } | Command::Backup { .. } | Command::Restore { .. } => {
            unreachable_init()
        }
        Command::ImportCatalog { file, skip_bad_rows } => {
            let text = read_file(file)?;
            to_value(&register.import_catalog(&text, *skip_bad_rows)?)
        }
        Command::ImportPromotions { file } => {
            let text = read_file(file)?;
            Ok(json!({ "imported": register.import_promotions(&text)? }))
        }
        Command::Shift { action } => {
            sign_in(&mut register, &cli)?;
            match action {
                ShiftAction::Open { float } => {
                    register.open_shift(float)?;
                    let shift = register
                        .shift()
                        .map(|s| json!({"number": s.number, "opened_at": s.opened_at}));
                    Ok(json!({ "shift": shift }))
                }
                ShiftAction::Close { counted } => to_value(&register.close_shift(counted)?),
            }
        }
        Command::Sale => {
            sign_in(&mut register, &cli)?;
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input).map_err(|e| {
                AppError::new("invalid_input", format!("reading standard input: {e}"))
            })?;
            sale(&mut register, &input)
        }
        Command::Replay { file } => {
            let text = read_file(file)?;
            to_value(&register.replay(&text)?)
        }
        Command::Verify => verify_report(register.verify()?, false),
        Command::Report { kind, number } => {
            if kind == "x" {
                sign_in(&mut register, &cli)?;
                to_value(&register.report_x()?)
            } else {
                to_value(&register.z_report(*number)?)
            }
        }
        Command::Drawer { action, amount, reason } => {
            sign_in(&mut register, &cli)?;
            let movement = match action.as_str() {
                "paid-in" => DrawerMovement::PaidIn,
                "paid-out" => DrawerMovement::PaidOut,
                _ => DrawerMovement::NoSale,
            };
            let printed = register.drawer_movement(movement, amount.as_deref(), reason)?;
            Ok(
                json!({"recorded": true, "printed": printed.is_ok(), "print_error": printed.err().map(|e| error_json(&e))}),
            )
        }
        Command::Void { reason } => {
            sign_in(&mut register, &cli)?;
            register.void_cart(reason)?;
            Ok(json!({ "voided": true }))
        }
        Command::Reprint => {
            sign_in(&mut register, &cli)?;
            let job = register.reprint_last()?;
            Ok(json!({"job": job, "receipt": preview_text(&register, Some(&job))}))
        }
        Command::Preview { job } => {
            let preview = register.receipt_preview(job.as_deref())?;
            let text: Vec<String> = preview.lines.iter().map(|l| l.text.clone()).collect();
            Ok(json!({"job": preview.job, "text": text}))
        }
        Command::Config { key, value } => config(&mut register, key.as_deref(), value.as_deref()),
        Command::Card { action, reference } => {
            sign_in(&mut register, &cli)?;
            card_command(&mut register, action, reference.as_deref())
        }
        Command::Devices { action, wait } => devices_command(&mut register, &cli, action, *wait),
        Command::Terminal { action } => {
            sign_in(&mut register, &cli)?;
            terminal_command(&mut register, action)
        }
        Command::Enrol { server, code, fingerprint, ca_file } => {
            sign_in(&mut register, &cli)?;
            let trust = match (fingerprint, ca_file) {
                (Some(f), _) => comptoir_sync::Trust::Fingerprint(f.clone()),
                (None, Some(path)) => comptoir_sync::Trust::Certificate(read_file(path)?),
                (None, None) => {
                    return Err(AppError::new(
                        "invalid_argument",
                        "give --fingerprint or --ca-file",
                    ));
                }
            };
            to_value(&register.enrol(server, code, trust)?)
        }
        Command::Sync { status } => {
            if !*status {
                let report = register.sync_now()?;
                let view = register.sync_view()?;
                return Ok(json!({ "report": report, "sync": view }));
            }
            to_value(&register.sync_view()?)
        }
        Command::Customer(command) => {
            sign_in(&mut register, &cli)?;
            match command {
                CustomerCommand::Add { fields } => {
                    to_value(&register.add_customer(&fields.input())?)
                }
                CustomerCommand::Find { query } => to_value(&register.find_customers(query)?),
                CustomerCommand::Show { id } => to_value(&register.customer(id)?),
                CustomerCommand::Edit { id, fields } => {
                    to_value(&register.edit_customer(id, &fields.input())?)
                }
                CustomerCommand::Erase { id } => to_value(&register.erase_customer(id)?),
            }
        }
        Command::Stock { code } => {
            sign_in(&mut register, &cli)?;
            to_value(&register.stock_anywhere(code)?)
        }
        Command::FindSale { receipt, by } => {
            sign_in(&mut register, &cli)?;
            match by {
                true => to_value(&register.find_sales_by(receipt)?),
                false => to_value(&register.find_sale(receipt)?),
            }
        }
        Command::StorePolicy { key, value } => match (key, value) {
            (Some(key), Some(value)) => {
                sign_in(&mut register, &cli)?;
                Ok(register.set_store_policy(key, value)?)
            }
            (None, None) => Ok(register.store_policies()),
            _ => Err(AppError::new(
                "invalid_argument",
                "store-policy KEY VALUE changes one; store-policy alone shows them",
            )),
        },
        Command::Credit { reference } => {
            sign_in(&mut register, &cli)?;
            to_value(&register.store_credit(reference)?)
        }
        Command::Find { query } => {
            let currency = register.store_config().currency.clone();
            let exact = register.lookup_now(query)?;
            let mut found: Vec<Value> = exact.iter().map(|i| item_json(i, &currency)).collect();
            let exact = exact.map(|i| i.sku);
            let by_name = register.search(query);
            let others = by_name.iter().filter(|i| Some(&i.sku) != exact.as_ref());
            found.extend(others.map(|i| item_json(i, &currency)));
            Ok(json!({ "items": found }))
        }
    }
}

fn verify_beside_the_app(data_dir: &std::path::Path) -> AppResult<Value> {
    verify_report(comptoir_app::verify_folder(data_dir)?, true)
}

fn verify_report(report: comptoir_app::VerifyReport, app_open: bool) -> AppResult<Value> {
    if let Some(bad) = &report.first_bad {
        return Err(AppError::new(
            "ledger_broken",
            format!("entry {}/{} ({}): {}", bad.epoch, bad.seq, bad.entry_id, bad.reason),
        ));
    }
    Ok(json!({"ok": true, "entries": report.entries, "first_bad": null, "app_open": app_open}))
}

fn unreachable_init() -> AppResult<Value> {
    Err(AppError::new("internal", "init is handled before the register opens"))
}

fn sign_in(register: &mut Register, cli: &Cli) -> AppResult<()> {
    let pin = cli.pin.as_deref().ok_or_else(|| {
        AppError::new("not_signed_in", "give the cashier's PIN with --pin or COMPTOIR_PIN")
    })?;
    register.sign_in(&Pin::new(pin))?;
    Ok(())
}

fn read_file(path: &PathBuf) -> AppResult<String> {
    std::fs::read_to_string(path)
        .map_err(|e| AppError::new("invalid_input", format!("{}: {e}", path.display())))
}

fn to_value<T: serde::Serialize>(value: &T) -> AppResult<Value> {
    serde_json::to_value(value).map_err(|e| AppError::new("internal", e.to_string()))
}

fn error_json(error: &AppError) -> Value {
    json!({"code": error.code, "message": error.cli_message("en")})
}

fn item_json(
    item: &comptoir_app::register::CatalogItem,
    currency: &comptoir_core::Currency,
) -> Value {
    json!({
        "sku": item.sku.0,
        "barcode": item.gtin.as_ref().map(|g| g.display().to_owned()),
        "name": item.name,
        "name_fr": item.name_fr,
        "price": item.price.map(|p| p.format(currency)),
        "tax_class": item.tax_class.0,
    })
}

fn preview_text(register: &Register, job: Option<&str>) -> Vec<String> {
    register
        .receipt_preview(job)
        .map(|p| p.lines.into_iter().map(|l| l.text).collect())
        .unwrap_or_default()
}

/// The basket the `sale` command reads.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Basket {
    #[serde(default)]
    lines: Vec<BasketLine>,
    #[serde(default)]
    tenders: Vec<BasketTender>,
    /// Coupon codes entered for the sale.
    #[serde(default)]
    coupons: Vec<String>,
    /// The id of the customer the sale is for (a member: member promotions apply).
    #[serde(default)]
    customer: Option<String>,
    /// A discount on the whole order.
    order_discount: Option<BasketDiscount>,
    /// The customer's tax exemption.
    exemption: Option<BasketExemption>,
    /// Lines of earlier sales brought back.
    #[serde(default)]
    returns: Vec<BasketReturn>,
    /// Where a refund goes: `original` (default), `cash` or `store_credit`.
    refund_to: Option<String>,
    /// A manager's PIN, for what needs approval (an override, a discount over the limit, a
    /// return without a receipt).
    approval_pin: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasketDiscount {
    percent: Option<String>,
    amount: Option<String>,
    reason: String,
}

impl BasketDiscount {
    fn input(&self) -> AppResult<DiscountInput<'_>> {
        match (&self.percent, &self.amount) {
            (Some(p), None) => Ok(DiscountInput::Percent(p)),
            (None, Some(a)) => Ok(DiscountInput::Amount(a)),
            _ => Err(AppError::new("invalid_input", "a discount has a percent or an amount")),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasketExemption {
    certificate: String,
    #[serde(default)]
    taxes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasketOverride {
    price: String,
    reason: String,
}

/// A returned line: `receipt` and `line` of the sale, or `code` (barcode or SKU) for a return
/// without a receipt.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasketReturn {
    receipt: Option<String>,
    line: Option<u32>,
    code: Option<String>,
    /// Default: what is left to return of the line (one, without a receipt).
    qty: Option<String>,
    /// `restock` (default) or `write_off`.
    disposition: Option<String>,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasketLine {
    /// A weighed item: the register reads the scale (the `scale` setting) for its weight.
    #[serde(default)]
    weigh: bool,
    barcode: Option<String>,
    sku: Option<String>,
    qty: Option<String>,
    /// An open-price line: its name and keyed price.
    name: Option<String>,
    price: Option<String>,
    tax_class: Option<String>,
    discount: Option<BasketDiscount>,
    price_override: Option<BasketOverride>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum BasketTender {
    Cash {
        amount: String,
    },
    Card {
        amount: String,
        reference: String,
    },
    StoreCredit {
        amount: String,
        reference: String,
    },
    /// Paid on the integrated card terminal (the `terminal` setting).
    Terminal {
        amount: String,
    },
}

fn sale(register: &mut Register, input: &str) -> AppResult<Value> {
    let basket: Basket = serde_json::from_str(input).map_err(|e| {
        let shape = match input.trim_start().starts_with('{') {
            true => "",
            false => " (a basket is one JSON object: {\"lines\": […], \"tenders\": […]})",
        };
        AppError::new("invalid_input", format!("the basket: {e}{shape}"))
    })?;
    if !register.cart().is_empty() || !register.tenders().is_empty() {
        return Err(AppError::new(
            "cart_not_empty",
            "a cart is in progress on this register: finish it in the app, or void it with \
             `comptoir void --reason TEXT`",
        ));
    }
    let result = ring(register, &basket);
    if let Err(error) = result {
        // The basket is all or nothing: nothing of it stays in the register's cart, and a
        // card the terminal charged for it is given back first.
        return Err(give_back_basket(register, error));
    }
    let committed = result?;
    let printed = committed.printed.as_ref().err().map(error_json);
    let by_hand = card_refunds_by_hand(&committed.sale);
    for leg in &by_hand {
        eprintln!(
            "refund {} to the card of tender {} on the card terminal by hand: no integrated \
             terminal took it",
            leg["amount"].as_str().unwrap_or_default(),
            leg["reference"].as_str().unwrap_or_default()
        );
    }
    let mut out = json!({
        "entry": {"kind": committed.entry.kind, "epoch": committed.entry.epoch, "seq": committed.entry.seq, "entry_id": committed.entry.entry_id, "hash": committed.entry.hash},
        "sale": committed.sale,
        "print_job": committed.print_job,
        "printed": committed.printed.is_ok(),
        "print_error": printed,
        "drawer": committed.drawer.as_ref().map(|opened| match opened {
            Ok(()) => json!({"opened": true}),
            Err(error) => json!({"opened": false, "error": error_json(error)}),
        }),
        "receipt": preview_text(register, Some(&committed.print_job)),
    });
    if !by_hand.is_empty() {
        out["card_refunds_by_hand"] = Value::Array(by_hand);
    }
    Ok(out)
}

/// Undoes a basket that failed: reverses on the terminal each card it charged, then drops the
/// cart. Returns the basket's error, saying what was given back, or, if a charge could not be
/// reversed, how to do it (the cart then stays, with that card tender, for `card reverse`).
fn give_back_basket(register: &mut Register, error: AppError) -> AppError {
    let charged = register.charged_card_references();
    let mut given_back = Vec::new();
    if !charged.is_empty() {
        let terminal = match card_terminal(register) {
            Ok(terminal) => terminal,
            Err(e) => return still_charged(error, &charged, &e),
        };
        for reference in &charged {
            let cell = RefCell::new(&mut *register);
            let reversed = on_terminal(&terminal, |progress| {
                terminal::reverse_card_payment(&cell, &terminal, reference, progress)
            });
            match reversed {
                Ok(()) => given_back.push(reference.clone()),
                Err(e) => return still_charged(error, &charged, &e),
            }
        }
    }
    if let Err(e) = register.discard_cart() {
        tracing::error!(%e, "the failed basket's cart could not be dropped");
    }
    if given_back.is_empty() {
        return error;
    }
    eprintln!(
        "the basket was not recorded: the card(s) it charged were given back on the terminal"
    );
    let detail =
        format!("{} (given back on the terminal: {})", error.detail, given_back.join(", "));
    AppError { detail, ..error }
}

fn still_charged(error: AppError, charged: &[String], why: &AppError) -> AppError {
    eprintln!(
        "the basket was not recorded, but the terminal charged {}: give it back with          `comptoir card reverse REFERENCE` ({})",
        charged.join(", "),
        why.message("en")
    );
    let detail = format!("{}; still charged on the terminal: {}", error.detail, charged.join(", "));
    AppError { detail, ..error }
}

/// The refund legs back to cards that no integrated terminal refunded: the cashier runs each
/// on the card terminal by hand.
fn card_refunds_by_hand(sale: &comptoir_app::entry::Sale) -> Vec<Value> {
    sale.tenders
        .iter()
        .filter_map(|tender| match tender {
            comptoir_app::entry::SaleTender::ExternalCard { amount, reference, terminal: None }
                if amount.starts_with('-') =>
            {
                let amount = amount.trim_start_matches('-');
                Some(json!({"reference": reference, "amount": amount}))
            }
            _ => None,
        })
        .collect()
}

fn ring(register: &mut Register, basket: &Basket) -> AppResult<comptoir_app::Committed> {
    if basket.lines.is_empty() && basket.returns.is_empty() {
        return Err(AppError::new("cart_empty", "the basket has no lines"));
    }
    // What is wrong with the register, not with a line, is said as such.
    register.ready_to_sell()?;
    let approval = basket.approval_pin.as_deref().map(Pin::new);
    for (index, line) in basket.returns.iter().enumerate() {
        let at = |e: AppError| e.at(format!("return {}", index + 1));
        let disposition = match line.disposition.as_deref() {
            None | Some("restock") => Disposition::Restock,
            Some("write_off") => Disposition::WriteOff,
            Some(other) => {
                return Err(at(AppError::new(
                    "invalid_input",
                    format!("disposition {other:?}: restock or write_off"),
                )));
            }
        };
        match (&line.receipt, line.line, &line.code) {
            (Some(receipt), Some(number), None) => {
                let qty = match &line.qty {
                    Some(qty) => qty.clone(),
                    None => left_to_return(register, receipt, number).map_err(at)?,
                };
                register
                    .return_line(receipt, number, &qty, disposition, &line.reason)
                    .map_err(at)?
            }
            (None, None, Some(code)) => register
                .return_without_receipt(
                    code,
                    line.qty.as_deref().unwrap_or("1"),
                    disposition,
                    &line.reason,
                    approval.as_ref(),
                )
                .map_err(at)?,
            _ => {
                return Err(at(AppError::new(
                    "invalid_input",
                    "a returned line has a receipt and a line, or a code (no receipt)",
                )));
            }
        }
    }
    for (index, line) in basket.lines.iter().enumerate() {
        let at = |e: AppError| e.at(format!("line {}", index + 1));
        if line.weigh {
            let code = line.barcode.as_deref().or(line.sku.as_deref()).ok_or_else(|| {
                at(AppError::new("invalid_input", "a weighed line needs a barcode or a sku"))
            })?;
            if line.qty.is_some() {
                return Err(at(AppError::new(
                    "invalid_input",
                    "a weighed line takes its weight from the scale: remove its \"qty\" (weigh each bag as its own line)",
                )));
            }
            register.check_weighable(code).map_err(at)?;
            let scale = register.database().setting("scale")?.unwrap_or_default();
            let weight = comptoir_app::setup::weigh(&scale, std::time::Duration::from_secs(10))
                .map_err(at)?;
            register.add_weighed(code, &weight).map_err(at)?;
            continue;
        }
        if let Some(qty) = &line.qty
            && let Err(error) = register.set_multiplier(qty)
        {
            return Err(at(said_of_the_item(register, line, error)));
        }
        match (&line.barcode, &line.sku, &line.price) {
            (_, _, Some(price)) => {
                let name = line.name.as_deref().unwrap_or("");
                let class = line.tax_class.as_deref().unwrap_or("standard");
                register
                    .add_open_price(name, price, class, line.sku.as_deref())
                    .map(|_| ())
                    .map_err(at)?
            }
            (Some(_), Some(_), None) => {
                return Err(at(AppError::new(
                    "invalid_input",
                    "give a barcode or a sku, not both",
                )));
            }
            (Some(code), _, None) => register.scan(code).map(|_| ()).map_err(at)?,
            (None, Some(sku), None) => register.add_item(sku).map(|_| ()).map_err(at)?,
            (None, None, None) => {
                return Err(at(AppError::new(
                    "invalid_input",
                    "a line needs a barcode, a sku or a price",
                )));
            }
        }
    }
    if let Some(customer) = &basket.customer {
        register.attach_customer(customer).map_err(|e| e.at("customer"))?;
    }
    for (index, code) in basket.coupons.iter().enumerate() {
        register.enter_coupon(code).map_err(|e| e.at(format!("coupon {}", index + 1)))?;
    }
    apply_discounts(register, basket, approval.as_ref())?;
    let due = register.due(&register.priced());
    if due.is_zero() && basket.tenders.is_empty() {
        // Everything discounted, or an even exchange: nothing to pay or give back.
        return register.complete();
    }
    if due.is_negative() {
        if !basket.tenders.is_empty() {
            return Err(AppError::new(
                "invalid_input",
                "the returns are worth more than the new lines: give refund_to, not tenders",
            ));
        }
        let to = match basket.refund_to.as_deref() {
            None | Some("original") => RefundTo::Original,
            Some("cash") => RefundTo::Cash,
            Some("store_credit") => RefundTo::StoreCredit,
            Some(other) => {
                return Err(AppError::new(
                    "invalid_input",
                    format!("refund_to {other:?}: original, cash or store_credit"),
                ));
            }
        };
        let terminal = CardTerminal::from_register(register)?;
        let cell = RefCell::new(&mut *register);
        return match &terminal {
            Some(terminal) => on_terminal(terminal, |progress| {
                terminal::refund_return(&cell, Some(terminal), to, approval.as_ref(), progress)
            }),
            None => terminal::refund_return(&cell, None, to, approval.as_ref(), &mut |_| {}),
        };
    }
    check_tenders(register, &basket.tenders)?;
    let mut committed = None;
    for (index, tender) in basket.tenders.iter().enumerate() {
        let at = |e: AppError| e.at(format!("tender {}", index + 1));
        committed = match tender {
            BasketTender::Cash { amount } => register.tender_cash(amount).map_err(at)?,
            BasketTender::Card { amount, reference } => {
                register.tender_card(amount, reference).map_err(at)?
            }
            BasketTender::StoreCredit { amount, reference } => {
                register.tender_store_credit(amount, reference).map_err(at)?
            }
            BasketTender::Terminal { amount } => {
                let terminal = card_terminal(register)?;
                let cell = RefCell::new(&mut *register);
                on_terminal(&terminal, |progress| {
                    terminal::pay_by_card(&cell, &terminal, amount, progress)
                })
                .map_err(at)?
            }
        };
    }
    committed.ok_or_else(|| {
        let settlement = register.settlement();
        let store = register.store_config();
        let left = match basket.tenders.last() {
            Some(BasketTender::Cash { .. }) => {
                format!("{} is left to pay in cash", store.money(settlement.cash_remaining))
            }
            _ => format!("{} is left to pay", store.money(settlement.remaining)),
        };
        AppError::new("not_paid", format!("the tenders do not pay the sale: {left}"))
    })
}

/// What is left to return of a sale's line (the line's whole quantity, less earlier returns).
fn left_to_return(register: &mut Register, receipt: &str, line: u32) -> AppResult<String> {
    let sale = register.find_sale(receipt)?;
    let found = sale.lines.into_iter().find(|l| l.line == line);
    let found = found
        .ok_or_else(|| AppError::new("no_such_line", format!("{receipt} has no line {line}")))?;
    if found.returnable.trim_start_matches(['0', '.']).is_empty() {
        return Err(AppError::new(
            "nothing_left_to_return",
            format!("line {line} of {receipt}: nothing left to return ({} sold)", found.qty),
        ));
    }
    Ok(found.returnable)
}

/// The basket's discounts, price overrides and exemption, on the lines just rung.
fn apply_discounts(
    register: &mut Register,
    basket: &Basket,
    approval: Option<&Pin>,
) -> AppResult<()> {
    let ids: Vec<u32> = register.cart().lines().iter().map(|l| l.id.0).collect();
    for (index, line) in basket.lines.iter().enumerate() {
        let at = |e: AppError| e.at(format!("line {}", index + 1));
        // Lines merge when the same item is scanned twice; a discount goes on the line the
        // basket line went to, which is the last one when they did not merge.
        let Some(&id) = ids.get(index.min(ids.len().saturating_sub(1))) else {
            continue;
        };
        if let Some(over) = &line.price_override {
            let pin = approval.ok_or_else(|| {
                at(AppError::new("manager_required", "a price override needs approval_pin"))
            })?;
            register.override_price(id, &over.price, &over.reason, pin).map_err(at)?;
        }
        if let Some(discount) = &line.discount {
            register
                .discount_line(id, discount.input()?, &discount.reason, approval)
                .map_err(at)?;
        }
    }
    if let Some(exemption) = &basket.exemption {
        register.set_exemption(&exemption.certificate, &exemption.taxes)?;
    }
    if let Some(discount) = &basket.order_discount {
        register.discount_order(discount.input()?, &discount.reason, approval)?;
    }
    Ok(())
}

/// A quantity refused before the item is known, said of the line's item: one sold by weight
/// goes on the scale, one sold by the unit takes a whole number.
fn said_of_the_item(register: &mut Register, line: &BasketLine, error: AppError) -> AppError {
    let code = line.barcode.as_deref().or(line.sku.as_deref());
    let item = match code {
        Some(code) if error.code == "whole_quantity_before_scan" => register.lookup_now(code),
        _ => return error,
    };
    match item {
        Ok(Some(item)) if item.kind == comptoir_core::catalog::ItemKind::Weighed => {
            AppError::new("weigh_item", item.name)
        }
        Ok(Some(item)) => AppError::new("whole_quantity", item.name),
        _ => error,
    }
}

/// The basket's tenders must pay the sale exactly with their last leg: a leg after the sale is
/// paid would be refused once the sale is committed, and the basket would be half done.
/// The card terminal the register's `terminal` setting names.
fn card_terminal(register: &Register) -> AppResult<CardTerminal> {
    CardTerminal::from_register(register)?.ok_or_else(|| {
        AppError::new(
            "no_terminal",
            "no card terminal is set: comptoir config terminal zvt+tcp://HOST[:PORT]",
        )
    })
}

/// What the terminal shows the customer, on standard error while a card payment runs.
fn terminal_says(text: &str) {
    eprintln!("terminal: {text}");
}

/// How often the CLI says it is still waiting for the terminal.
const WAITING_EVERY: Duration = Duration::from_secs(10);

/// The abort handle of the terminal the CLI is waiting on, for Ctrl-C, and how many times
/// Ctrl-C was pressed meanwhile.
static WAITING_ON: Mutex<Option<(AbortHandle, u32)>> = Mutex::new(None);

/// Ctrl-C: while the CLI waits on the terminal, the first one aborts on the terminal (the
/// command then ends with what became of the payment), a second one leaves at once with the
/// payment pending; otherwise it leaves at once, as without a handler.
fn on_ctrl_c() {
    let mut waiting = WAITING_ON.lock().unwrap_or_else(PoisonError::into_inner);
    match &mut *waiting {
        Some((handle, presses)) if *presses == 0 => {
            *presses = 1;
            handle.abort();
            eprintln!(
                "Ctrl-C: aborting on the terminal; waiting for its answer (Ctrl-C again leaves \
                 it pending: then `comptoir card recover` says what it became)"
            );
        }
        Some(_) => {
            eprintln!(
                "Ctrl-C again: leaving without the terminal's answer; the card transaction stays \
                 pending: run `comptoir card recover` to learn what it became"
            );
            std::process::exit(130);
        }
        None => std::process::exit(130),
    }
}

/// Runs `work` on the terminal, saying on standard error what the terminal shows and, every
/// ten seconds, how long the wait has been; Ctrl-C meanwhile aborts on the terminal.
fn on_terminal<T>(terminal: &CardTerminal, work: impl FnOnce(terminal::Progress<'_>) -> T) -> T {
    *WAITING_ON.lock().unwrap_or_else(PoisonError::into_inner) = Some((terminal.abort_handle(), 0));
    let started = Instant::now();
    let (done, wait) = mpsc::channel::<()>();
    let result = std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(WAITING_EVERY) {
                eprintln!("waiting for the terminal: {} s", started.elapsed().as_secs());
            }
        });
        let result = work(&mut terminal_says);
        drop(done);
        result
    });
    *WAITING_ON.lock().unwrap_or_else(PoisonError::into_inner) = None;
    result
}

fn card_command(
    register: &mut Register,
    action: &str,
    reference: Option<&str>,
) -> AppResult<Value> {
    if action == "pending" {
        return to_value(&register.unsettled_card_payments()?);
    }
    if action == "not-charged" {
        let Some(id) = reference else {
            return Err(AppError::new(
                "invalid_argument",
                "give the payment's id (comptoir card pending lists them)",
            ));
        };
        let outcome = register.settle_card_not_charged(id)?;
        return Ok(json!({ "settled": id, "outcome": outcome }));
    }
    let terminal = card_terminal(register)?;
    let cell = RefCell::new(&mut *register);
    match (action, reference) {
        ("reverse", Some(reference)) => {
            on_terminal(&terminal, |progress| {
                terminal::reverse_card_payment(&cell, &terminal, reference, progress)
            })?;
            Ok(json!({ "reversed": reference }))
        }
        ("reverse", None) => {
            Err(AppError::new("invalid_argument", "give the card tender's reference"))
        }
        _ => to_value(&on_terminal(&terminal, |progress| {
            terminal::recover_card_payments(&cell, &terminal, progress)
        })?),
    }
}

fn devices_command(
    register: &mut Register,
    cli: &Cli,
    action: &str,
    wait: u64,
) -> AppResult<Value> {
    let wait = std::time::Duration::from_secs(wait.clamp(1, 120));
    let setting = |key: &str| register.database().setting(key).map(Option::unwrap_or_default);
    match action {
        "list" => to_value(&comptoir_app::setup::plugged()),
        "settings" => to_value(&register.device_settings()?),
        "scan" => {
            let country = register.label_country();
            to_value(&comptoir_app::setup::read_scan_for(&setting("scanner")?, country, wait)?)
        }
        "scale" => {
            Ok(json!({ "weight": comptoir_app::setup::read_scale(&setting("scale")?, wait)? }))
        }
        "drawer" => {
            sign_in(register, cli)?;
            Ok(json!({ "opened": register.test_drawer()? }))
        }
        "drawer-log" => {
            sign_in(register, cli)?;
            register.require_device_setup()?;
            let since = (register.now() - chrono::Duration::hours(24)).to_rfc3339();
            let openings: Vec<Value> = register
                .drawer_openings(&since)?
                .into_iter()
                .map(|o| {
                    json!({
                        "opened_at": o.opened_at,
                        "reason": o.reason,
                        "cashier_id": o.cashier_id,
                        "receipt_no": o.receipt_no,
                        "real_time": o.real_time,
                        "pin": o.pin,
                        "closed_at": o.closed_at,
                    })
                })
                .collect();
            Ok(json!({ "since": since, "openings": openings }))
        }
        _ => {
            sign_in(register, cli)?;
            let page = register.print_test_page()?;
            let text = preview_text(register, Some(&page.job));
            Ok(json!({ "test_page": page, "preview": text }))
        }
    }
}

fn terminal_command(register: &mut Register, action: &str) -> AppResult<Value> {
    let terminal = card_terminal(register)?;
    let request = match action {
        "status" => comptoir_zvt::Request::Status,
        "diagnosis" => comptoir_zvt::Request::Diagnosis,
        "end-of-day" => comptoir_zvt::Request::EndOfDay,
        "repeat-receipt" => comptoir_zvt::Request::RepeatReceipt,
        _ => comptoir_zvt::Request::Register,
    };
    let outcome = on_terminal(&terminal, |progress| terminal.admin(request, progress))?;
    let verdict = match &outcome.verdict {
        comptoir_zvt::Verdict::Approved => "done".to_owned(),
        comptoir_zvt::Verdict::Declined(code) | comptoir_zvt::Verdict::Aborted(code) => {
            code.code().to_owned()
        }
        comptoir_zvt::Verdict::Unknown(why) => format!("unknown: {why}"),
    };
    // The software version and terminal id only when the terminal's answer gave them.
    let mut shown = serde_json::Map::new();
    shown.insert("result".to_owned(), json!(verdict));
    if let Some(software) = &outcome.software {
        shown.insert("software".to_owned(), json!(software));
    }
    if let Some(terminal_id) = &outcome.reference.terminal_id {
        shown.insert("terminal_id".to_owned(), json!(terminal_id));
    }
    shown.insert("receipt".to_owned(), json!(outcome.receipt));
    Ok(Value::Object(shown))
}

fn check_tenders(register: &Register, tenders: &[BasketTender]) -> AppResult<()> {
    let store = register.store_config();
    let mut legs = Vec::new();
    for (index, tender) in tenders.iter().enumerate() {
        let at = |e: AppError| e.at(format!("tender {}", index + 1));
        let leg = match tender {
            BasketTender::Cash { amount } => {
                Tender::Cash { tendered: store.currency.parse(amount).map_err(|e| at(e.into()))? }
            }
            BasketTender::Card { amount, reference } => Tender::ExternalCard {
                amount: store.currency.parse(amount).map_err(|e| at(e.into()))?,
                reference: reference.clone(),
            },
            BasketTender::StoreCredit { amount, reference } => Tender::StoreCredit {
                amount: store.currency.parse(amount).map_err(|e| at(e.into()))?,
                reference: reference.clone(),
            },
            BasketTender::Terminal { amount } => Tender::ExternalCard {
                amount: store.currency.parse(amount).map_err(|e| at(e.into()))?,
                reference: "terminal".to_owned(),
            },
        };
        let amount = match &leg {
            Tender::Cash { tendered } => *tendered,
            Tender::ExternalCard { amount, .. } | Tender::StoreCredit { amount, .. } => *amount,
            _ => Money::ZERO,
        };
        if amount.is_negative() || amount.is_zero() {
            return Err(at(AppError::new("invalid_amount", "a tender is more than zero")));
        }
        legs.push(leg);
        let due = register.due(&register.priced());
        let settlement = Settlement::of(due, &legs, &store.currency);
        let paid = settlement.paid;
        if !paid && index + 1 == tenders.len() {
            // Checked before any tender is taken: a card is never charged for a basket that
            // would not be recorded.
            let left = match tender {
                BasketTender::Cash { .. } => {
                    format!("{} is left to pay in cash", store.money(settlement.cash_remaining))
                }
                _ => format!("{} is left to pay", store.money(settlement.remaining)),
            };
            return Err(AppError::new(
                "not_paid",
                format!("the tenders do not pay the sale: {left}; nothing was charged"),
            ));
        }
        if paid && index + 1 < tenders.len() {
            return Err(AppError::new(
                "invalid_input",
                format!(
                    "the sale is paid by tender {}: remove the {} tender(s) after it",
                    index + 1,
                    tenders.len() - index - 1
                ),
            ));
        }
    }
    Ok(())
}

fn config(register: &mut Register, key: Option<&str>, value: Option<&str>) -> AppResult<Value> {
    if let (Some(key), Some(value)) = (key, value) {
        register.set_setting(key, value)?;
    }
    let db = register.database();
    let saved = |key: &str, default: &str| {
        db.setting(key).ok().flatten().unwrap_or_else(|| default.to_owned())
    };
    let scanner = register.scanner_settings();
    let mut shown = serde_json::Map::new();
    for (key, default) in comptoir_app::printing::SETTINGS {
        let value = match comptoir_app::printing::is_secret(key) {
            true if db.setting(key).ok().flatten().is_some() => "(set)".to_owned(),
            true => "(not set)".to_owned(),
            false => saved(key, default),
        };
        shown.insert((*key).to_owned(), json!(value));
    }
    shown.insert("scanner.burst_max_gap_ms".to_owned(), json!(scanner.burst_max_gap_ms));
    shown.insert("scanner.burst_min_len".to_owned(), json!(scanner.burst_min_len));
    shown.insert("data_dir".to_owned(), json!(register.data_dir()));
    shown.insert(
        "note".to_owned(),
        json!("printer and drawer settings take effect the next time the register opens"),
    );
    Ok(Value::Object(shown))
}
