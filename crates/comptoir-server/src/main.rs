//! `comptoir-server`: the central server, and its administration commands.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use comptoir_server::tls::{TlsMaterial, TlsSource};
use comptoir_server::{Db, Server, admin};

#[derive(Parser)]
#[command(name = "comptoir-server", version, about = "Comptoir's central server")]
struct Cli {
    /// The database: a SQLite file (created if missing) or a postgres:// URL.
    #[arg(
        long,
        env = "COMPTOIR_SERVER_DB",
        default_value = "comptoir-server/server.db",
        global = true
    )]
    db: String,
    /// The customer key store (a SQLite file of its own, kept out of the database so erasing
    /// a customer destroys their key for good). Default: `<name>.customer-keys.db` beside the
    /// SQLite database `<name>.db`, or `comptoir-server/customer-keys.db` with PostgreSQL; every server process
    /// over one PostgreSQL must use the same file.
    #[arg(long, env = "COMPTOIR_SERVER_CUSTOMER_KEYS", global = true)]
    customer_keys: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    fn key_store_path(&self) -> PathBuf {
        self.customer_keys.clone().unwrap_or_else(|| {
            if is_postgres(&self.db) {
                PathBuf::from("comptoir-server/customer-keys.db")
            } else {
                // Named after the database, so two databases in one folder never share one.
                let db = std::path::Path::new(&self.db);
                let stem = db.file_stem().map_or("server".into(), |s| s.to_string_lossy());
                db.with_file_name(format!("{stem}.customer-keys.db"))
            }
        })
    }
}

fn open_keys(path: &std::path::Path) -> anyhow::Result<comptoir_server::keys::KeyStore> {
    comptoir_server::keys::KeyStore::open(path)
        .with_context(|| format!("cannot open the customer key store {}", path.display()))
}

fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

#[derive(Subcommand)]
enum Command {
    /// Serves the API over TLS.
    Serve {
        #[arg(long, env = "COMPTOIR_SERVER_LISTEN", default_value = "0.0.0.0:8443")]
        listen: String,
        /// The folder of the development CA and certificate, made on first start.
        #[arg(long, default_value = "comptoir-server/tls")]
        tls_dir: PathBuf,
        /// Another name (DNS or IP) registers reach this server by, for the development
        /// certificate; may be repeated.
        #[arg(long = "tls-name")]
        tls_names: Vec<String>,
        /// A configured certificate chain (PEM) instead of the development one.
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// The CA certificate registers pin (default: the first certificate of the chain).
        #[arg(long, requires = "tls_cert")]
        tls_pin: Option<PathBuf>,
        /// Write the address actually listened on to this file once listening (for scripts
        /// that pass port 0).
        #[arg(long)]
        port_file: Option<PathBuf>,
    },
    /// Stores.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Registers: add one (and get its enrolment code), a new code, revoke, list.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// The chain's catalog: import a file as a draft, publish it to stores, retire items, look.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// The chain's promotions: import a promotions file (JSON), publish it to stores, list.
    #[command(subcommand)]
    Promotions(PromotionsCommand),
    /// Stock: receipts, transfers, counts, levels and oversell exceptions.
    #[command(subcommand)]
    Stock(StockCommand),
    /// A store's taxes.
    #[command(subcommand)]
    Taxes(TaxesCommand),
    /// Administrator tokens for the admin API (`/v1/admin/...`).
    #[command(subcommand)]
    AdminToken(AdminTokenCommand),
    /// Customer profiles: list them (nothing personal), erase one at their request, export
    /// what is held about one.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Entries set aside on upload, with why.
    Quarantine {
        #[arg(long)]
        store: Option<String>,
    },
    /// Refused credentials and enrolments, newest first.
    SecurityEvents {
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// A store's business day (counted in the day each entry fell on, also for a register whose
    /// clock was off): its sales and their total, its returns and their refunds, and the net.
    Report {
        #[arg(long)]
        store: String,
        /// YYYY-MM-DD, in the store's time zone.
        #[arg(long)]
        day: String,
    },
    /// What the server holds per register: entries, sales, quarantined.
    Counts {
        #[arg(long)]
        store: Option<String>,
    },
    /// Backs the database up to FILE (SQLite: safe while serving; PostgreSQL: pg_dump).
    Backup { file: PathBuf },
    /// Restores the database from FILE; stop every server process first.
    Restore {
        file: PathBuf,
        /// Replace the SQLite file that is there (it is kept beside, renamed).
        #[arg(long)]
        replace: bool,
    },
    /// Makes the development CA and server certificate if missing (as `serve` would), and
    /// prints the fingerprint registers check at enrolment.
    Tls {
        #[arg(long, default_value = "comptoir-server/tls")]
        tls_dir: PathBuf,
        /// Another name (DNS or IP) registers reach this server by; may be repeated.
        #[arg(long = "tls-name")]
        tls_names: Vec<String>,
    },
    /// The fingerprint registers check at enrolment (reads the certificate; makes nothing).
    Fingerprint {
        #[arg(long, default_value = "comptoir-server/tls")]
        tls_dir: PathBuf,
        #[arg(long)]
        tls_pin: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum StoreCommand {
    Add {
        code: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        currency: String,
        /// IANA time zone of the store (business days are counted in it).
        #[arg(long)]
        time_zone: String,
    },
    List,
}

#[derive(Subcommand)]
enum RegisterCommand {
    /// Adds a register to a store and prints its one-time enrolment code.
    Add {
        store: String,
        #[arg(long)]
        number: Option<i64>,
        #[arg(long)]
        name: Option<String>,
        /// How long the code stays valid.
        #[arg(long, default_value_t = 72)]
        valid_hours: i64,
    },
    /// A new enrolment code for a register (after a reinstall).
    Code {
        register_id: String,
        #[arg(long, default_value_t = 72)]
        valid_hours: i64,
    },
    /// Revokes a register: its next request is refused.
    Revoke { register_id: String },
    /// Lifts a revocation and prints a new enrolment code (the old credential stays refused).
    Reinstate {
        register_id: String,
        #[arg(long, default_value_t = 72)]
        valid_hours: i64,
    },
    List {
        #[arg(long)]
        store: Option<String>,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Reads a catalog file (our CSV or an Open Food Facts export) into a draft; a file with
    /// bad rows makes no draft (each bad row is listed) unless --skip-bad-rows.
    Import {
        file: PathBuf,
        /// When the file's prices apply, in each store's local time (YYYY-MM-DDTHH:MM);
        /// without it, as soon as published.
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        skip_bad_rows: bool,
    },
    /// The drafts, and the stores each was published to.
    Drafts,
    /// Publishes a draft to stores: each gets only what differs from what it has.
    Publish {
        draft: i64,
        /// A store's code; may be repeated.
        #[arg(long = "store", required_unless_present = "all")]
        stores: Vec<String>,
        /// Every store.
        #[arg(long, conflicts_with = "stores")]
        all: bool,
    },
    /// Takes items out of a store's catalog (lines already rung keep them).
    Retire {
        #[arg(long)]
        store: String,
        #[arg(required = true)]
        skus: Vec<String>,
    },
    /// A store's catalog changes after a version (0: the whole current catalog).
    Show {
        #[arg(long)]
        store: String,
        #[arg(long, default_value_t = 0)]
        since: i64,
    },
}

#[derive(Subcommand)]
enum PromotionsCommand {
    /// Reads and checks a promotions file (a JSON list, see docs/server.md) and keeps it as
    /// the chain's list; a file with a bad promotion is refused whole, each fault listed.
    Import { file: PathBuf },
    /// The promotions files imported.
    Files,
    /// Publishes the latest file (or --file) to stores: each gets the promotions for it that
    /// changed, and the ones it has that the file no longer gives it are retired.
    Publish {
        /// A store's code; may be repeated.
        #[arg(long = "store", required_unless_present = "all")]
        stores: Vec<String>,
        /// Every store.
        #[arg(long, conflicts_with = "stores")]
        all: bool,
        /// The file's id (default: the latest imported).
        #[arg(long)]
        file: Option<i64>,
    },
}

#[derive(Subcommand)]
enum StockCommand {
    /// Goods received into a store.
    Receive {
        #[arg(long)]
        store: String,
        #[arg(long)]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        /// A delivery note or purchase order.
        #[arg(long, default_value = "")]
        reference: String,
    },
    /// Goods sent from one store to another.
    Transfer {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        qty: String,
        #[arg(long, default_value = "")]
        reference: String,
    },
    /// A correction in or out (--delta=-3 takes three out): a receipt keyed wrong, breakage.
    Adjust {
        #[arg(long)]
        store: String,
        #[arg(long)]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        delta: String,
        #[arg(long, default_value = "")]
        reference: String,
    },
    /// A count: the store holds COUNTED (recorded as the difference from the on-hand now).
    Count {
        #[arg(long)]
        store: String,
        #[arg(long)]
        sku: String,
        #[arg(long, allow_hyphen_values = true)]
        counted: String,
        #[arg(long, default_value = "")]
        reference: String,
    },
    /// On-hand per SKU of a store, or of one SKU in every store.
    Levels {
        #[arg(long, required_unless_present = "sku")]
        store: Option<String>,
        #[arg(long)]
        sku: Option<String>,
    },
    /// SKUs sold below zero, with the entries that did (open ones; --all for closed too).
    Exceptions {
        #[arg(long)]
        store: Option<String>,
        #[arg(long)]
        all: bool,
    },
}

/// The taxes of a file: a JSON list, or a store.json's `taxes` (else its `jurisdiction`'s).
fn taxes_file(
    file: &std::path::Path,
) -> anyhow::Result<Vec<comptoir_protocol::catalog::TaxConfig>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    if value.get("taxes").is_none()
        && let Some(code) = value.get("jurisdiction").and_then(|j| j.as_str())
    {
        return jurisdiction_taxes(code);
    }
    let list = value.get("taxes").cloned().unwrap_or(value);
    serde_json::from_value(list).with_context(|| format!("{}: not a list of taxes", file.display()))
}

/// A jurisdiction's taxes from the tables compiled in (`comptoir_protocol::jurisdiction`).
fn jurisdiction_taxes(code: &str) -> anyhow::Result<Vec<comptoir_protocol::catalog::TaxConfig>> {
    Ok(comptoir_protocol::jurisdiction::taxes(code)?)
}

#[derive(Subcommand)]
enum TaxesCommand {
    /// Gives a store the taxes in FILE (a JSON list of taxes, or a store.json with "taxes" or
    /// "jurisdiction"), or those of `--jurisdiction` (CA-QC, EU-FR, GB, US-NY, …).
    Publish {
        #[arg(long)]
        store: String,
        #[arg(required_unless_present = "jurisdiction", conflicts_with = "jurisdiction")]
        file: Option<PathBuf>,
        #[arg(long)]
        jurisdiction: Option<String>,
        /// The list leaves out a tax the store charges now (or has none): that is meant.
        #[arg(long)]
        remove_taxes: bool,
    },
}

#[derive(Subcommand)]
enum CustomerCommand {
    /// Every customer: id, chunks held, last change, erasure.
    List,
    /// Erases a customer (GDPR, Law 25, PIPEDA): destroys their key here now; every register
    /// destroys its copy at its next sync.
    Erase { id: String },
    /// Everything held about a customer, as JSON, for a data-access request.
    Export { id: String },
}

#[derive(Subcommand)]
enum AdminTokenCommand {
    /// Makes a token and prints it once (only its hash is kept).
    Create { name: String },
    /// Refuses a token from now on.
    Revoke { name: String },
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The error and its causes on one line, without a backtrace.
            eprintln!("comptoir-server: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("COMPTOIR_LOG")
                // automerge logs a chunk checked on its own (before it is merged, see
                // `comptoir_customers::check_chunk`) as an error when its changes need earlier
                // ones: expected, and nothing is lost; what is refused is logged by us.
                .unwrap_or_else(|_| "info,automerge=off".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let keys_path = cli.key_store_path();
    match cli.command {
        Command::Tls { tls_dir, tls_names } => {
            let tls =
                TlsMaterial::load(&TlsSource::Development { dir: tls_dir, names: tls_names })?;
            return print_json(&serde_json::json!({ "fingerprint": tls.pin_fingerprint()? }));
        }
        Command::Fingerprint { tls_dir, tls_pin } => {
            let path = tls_pin.unwrap_or_else(|| tls_dir.join("ca.pem"));
            let pem = std::fs::read_to_string(&path).with_context(|| {
                format!(
                    "cannot read {}: give the server's --tls-dir (the server makes its \
                     certificates there on first start)",
                    path.display()
                )
            })?;
            return print_json(
                &serde_json::json!({ "fingerprint": comptoir_server::tls::fingerprint(&pem)? }),
            );
        }
        Command::Backup { file } => {
            comptoir_server::backup::backup(&cli.db, &file)?;
            return print_json(&serde_json::json!({ "backup": file }));
        }
        Command::Restore { file, replace } => {
            let replaced = comptoir_server::backup::restore(&cli.db, &file, replace)?;
            // Opening it checks and migrates it.
            Db::open(&cli.db).await.context("the restored database does not open")?;
            return print_json(&serde_json::json!({ "restored": file, "replaced": replaced }));
        }
        Command::Serve { listen, tls_dir, tls_names, tls_cert, tls_key, tls_pin, port_file } => {
            let source = match (tls_cert, tls_key) {
                (Some(chain), Some(key)) => TlsSource::Configured { chain, key, pin: tls_pin },
                _ => TlsSource::Development { dir: tls_dir, names: tls_names },
            };
            let tls = TlsMaterial::load(&source)?;
            let sqlite = !cli.db.starts_with("postgres://") && !cli.db.starts_with("postgresql://");
            // One server per SQLite file (a second one, or a restore, is refused meanwhile).
            let _serving = if sqlite {
                Some(comptoir_server::backup::serving_lock(&cli.db).map_err(|_| {
                    anyhow::anyhow!("another comptoir-server serves {}: stop it first", cli.db)
                })?)
            } else {
                None
            };
            let db = Db::open(&cli.db).await.context("cannot open the database")?;
            let listener = std::net::TcpListener::bind(&listen)
                .with_context(|| format!("cannot listen on {listen}"))?;
            let address = listener.local_addr()?;
            tracing::info!(%address, database = db.backend(), fingerprint = %tls.pin_fingerprint()?, "serving");
            if let Some(path) = port_file {
                // Written whole or not at all, so a script polling for it never reads half.
                let partial = path.with_extension("partial");
                std::fs::write(&partial, address.to_string())
                    .and_then(|()| std::fs::rename(&partial, &path))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let config = tls.server_config()?;
            let keys = open_keys(&keys_path)?;
            let server = Server::new(db, tls.pin_pem.clone()).with_customers(keys);
            if let Some(customers) = server.customers.clone() {
                let db = server.db.clone();
                // At start, then every few minutes (another process, or a command, may have
                // recorded an erasure).
                tokio::spawn(async move {
                    loop {
                        match comptoir_server::customers::sweep(&db, &customers).await {
                            Ok(0) => {}
                            Ok(destroyed) => tracing::warn!(
                                destroyed,
                                "keys of erased customers were still held: destroyed"
                            ),
                            Err(e) => tracing::error!(error = %e, "the customer key sweep failed"),
                        }
                        tokio::time::sleep(comptoir_server::customers::SWEEP_EVERY).await;
                    }
                });
            }
            comptoir_server::serve(server, listener, config).await?;
            return Ok(());
        }
        _ => {}
    }
    let creates = matches!(cli.command, Command::Store(StoreCommand::Add { .. }));
    let sqlite = !cli.db.starts_with("postgres://") && !cli.db.starts_with("postgresql://");
    if sqlite && !creates && !std::path::Path::new(&cli.db).exists() {
        anyhow::bail!(
            "no server database at {}: give its path with --db (or COMPTOIR_SERVER_DB); \
             `store add` or `serve` makes a new one",
            cli.db
        );
    }
    let db = Db::open(&cli.db).await.context("cannot open the database")?;
    match cli.command {
        Command::Store(StoreCommand::Add { code, name, currency, time_zone }) => {
            print_json(&admin::add_store(&db, &code, &name, &currency, &time_zone).await?)
        }
        Command::Store(StoreCommand::List) => print_json(&db.stores().await?),
        Command::Register(RegisterCommand::Add { store, number, name, valid_hours }) => {
            let issued = admin::add_register(
                &db,
                &store,
                number,
                name.as_deref(),
                chrono::Duration::hours(valid_hours),
            )
            .await?;
            print_json(&issued)
        }
        Command::Register(RegisterCommand::Code { register_id, valid_hours }) => print_json(
            &admin::new_code(&db, &register_id, chrono::Duration::hours(valid_hours)).await?,
        ),
        Command::Register(RegisterCommand::Revoke { register_id }) => {
            print_json(&db.revoke(&register_id, &comptoir_server::now()).await?)
        }
        Command::Register(RegisterCommand::Reinstate { register_id, valid_hours }) => {
            db.reinstate(&register_id).await?;
            print_json(
                &admin::new_code(&db, &register_id, chrono::Duration::hours(valid_hours)).await?,
            )
        }
        Command::Register(RegisterCommand::List { store }) => {
            print_json(&db.registers(store.as_deref()).await?)
        }
        Command::Catalog(command) => catalog_command(&db, command).await,
        Command::Promotions(command) => promotions_command(&db, command).await,
        Command::Stock(command) => stock_command(&db, command).await,
        Command::Taxes(TaxesCommand::Publish { store, file, jurisdiction, remove_taxes }) => {
            let taxes = match (file, jurisdiction) {
                (Some(file), _) => taxes_file(&file)?,
                (None, Some(code)) => jurisdiction_taxes(&code)?,
                (None, None) => anyhow::bail!("give a file of taxes or --jurisdiction"),
            };
            print_json(
                &comptoir_server::catalog::publish_taxes(&db, &store, taxes, remove_taxes).await?,
            )
        }
        Command::AdminToken(AdminTokenCommand::Create { name }) => {
            let token = comptoir_server::secret::admin_token();
            db.create_admin_token(
                &comptoir_server::secret::hash(&token),
                &name,
                &comptoir_server::now(),
            )
            .await?;
            print_json(&serde_json::json!({ "name": name, "token": token }))
        }
        Command::AdminToken(AdminTokenCommand::Revoke { name }) => {
            db.revoke_admin_token(&name, &comptoir_server::now()).await?;
            print_json(&serde_json::json!({ "revoked": name }))
        }
        Command::Customer(CustomerCommand::List) => print_json(&db.customers().await?),
        Command::Customer(command) => {
            // Only what reads or destroys keys needs the key store (never made here).
            let keys = comptoir_server::keys::KeyStore::open_existing(&keys_path)?;
            let customers = comptoir_server::customers::Customers::new(keys);
            match command {
                CustomerCommand::Erase { id } => {
                    print_json(&comptoir_server::customers::erase(&db, &customers, &id).await?)
                }
                CustomerCommand::Export { id } => {
                    print_json(&comptoir_server::customers::export(&db, &customers, &id).await?)
                }
                CustomerCommand::List => unreachable!("listed above"),
            }
        }
        Command::Quarantine { store } => print_json(&db.quarantine(store.as_deref()).await?),
        Command::SecurityEvents { limit } => print_json(&db.security_events(limit).await?),
        Command::Counts { store } => print_json(&db.ledger_counts(store.as_deref()).await?),
        Command::Report { store, day } => print_json(
            &comptoir_server::sales::day_report(&db, &store, &day)
                .await
                .map_err(|e| anyhow::anyhow!("the day's entries: {e}"))?,
        ),
        Command::Serve { .. }
        | Command::Fingerprint { .. }
        | Command::Tls { .. }
        | Command::Backup { .. }
        | Command::Restore { .. } => unreachable!("handled above"),
    }
}

async fn catalog_command(db: &Db, command: CatalogCommand) -> anyhow::Result<()> {
    use comptoir_server::catalog;
    match command {
        CatalogCommand::Import { file, from, skip_bad_rows } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "{}: the file is not UTF-8 text: save it as CSV UTF-8",
                    file.display()
                )
            })?;
            let source = file.display().to_string();
            let imported = catalog::import(db, &text, &source, from.as_deref(), skip_bad_rows)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            print_json(&imported)?;
            if imported.draft.is_none() {
                anyhow::bail!(
                    "{}: {} bad rows, no draft made (fix them, or --skip-bad-rows)",
                    file.display(),
                    imported.errors.len()
                );
            }
            Ok(())
        }
        CatalogCommand::Drafts => print_json(&db.drafts().await?),
        CatalogCommand::Publish { draft, stores, all } => {
            let stores =
                if all { db.stores().await?.into_iter().map(|s| s.code).collect() } else { stores };
            print_json(&catalog::publish_draft(db, draft, &stores).await?)
        }
        CatalogCommand::Retire { store, skus } => {
            print_json(&catalog::retire(db, &store, skus).await?)
        }
        CatalogCommand::Show { store, since } => {
            let id = db
                .stores()
                .await?
                .into_iter()
                .find(|s| s.code == store)
                .ok_or_else(|| anyhow::anyhow!("no store with code {store}"))?
                .id;
            print_json(&db.catalog_page(&id, since, i64::MAX / 2).await?)
        }
    }
}

async fn promotions_command(db: &Db, command: PromotionsCommand) -> anyhow::Result<()> {
    use comptoir_server::promotions;
    match command {
        PromotionsCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let source = file.display().to_string();
            let imported = promotions::import(db, &text, &source)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            print_json(&imported)
        }
        PromotionsCommand::Files => print_json(&db.promotion_files().await?),
        PromotionsCommand::Publish { stores, all, file } => {
            let stores =
                if all { db.stores().await?.into_iter().map(|s| s.code).collect() } else { stores };
            print_json(&promotions::publish(db, file, &stores).await?)
        }
    }
}

async fn stock_command(db: &Db, command: StockCommand) -> anyhow::Result<()> {
    use comptoir_server::stock::{self, Recorded};
    let recorded = match command {
        StockCommand::Receive { store, sku, qty, reference } => {
            Recorded::Receipt { store, sku, qty, reference }
        }
        StockCommand::Transfer { from, to, sku, qty, reference } => {
            Recorded::Transfer { from, to, sku, qty, reference }
        }
        StockCommand::Count { store, sku, counted, reference } => {
            Recorded::Count { store, sku, counted, reference }
        }
        StockCommand::Adjust { store, sku, delta, reference } => {
            Recorded::Adjustment { store, sku, delta, reference }
        }
        StockCommand::Levels { store, sku } => {
            let levels = match (store, sku) {
                (Some(store), sku) => {
                    let id = db
                        .stores()
                        .await?
                        .into_iter()
                        .find(|s| s.code == store)
                        .ok_or_else(|| anyhow::anyhow!("no store with code {store}"))?
                        .id;
                    let mut levels = db.stock_levels(&id, "").await?;
                    if let Some(sku) = sku {
                        levels.retain(|l| l.sku == sku);
                    }
                    levels
                }
                (None, Some(sku)) => db.stock_anywhere(&sku).await?,
                (None, None) => unreachable!("clap requires one"),
            };
            return print_json(&levels);
        }
        StockCommand::Exceptions { store, all } => {
            return print_json(&db.stock_exceptions(store.as_deref(), !all).await?);
        }
    };
    print_json(&stock::record(db, recorded).await?)
}
