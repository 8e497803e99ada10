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
    #[command(subcommand)]
    command: Command,
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
    /// A store's sales of a business day (counted in the day they fell on, also for a register
    /// whose clock was off): how many, and their total.
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
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
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
            let server = Server::new(db, tls.pin_pem.clone());
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
        Command::Quarantine { store } => print_json(&db.quarantine(store.as_deref()).await?),
        Command::SecurityEvents { limit } => print_json(&db.security_events(limit).await?),
        Command::Counts { store } => print_json(&db.ledger_counts(store.as_deref()).await?),
        Command::Report { store, day } => {
            let payloads = db.day_sales(&store, &day).await?;
            let mut total = rust_decimal::Decimal::ZERO;
            for payload in &payloads {
                let sale: comptoir_protocol::payload::Sale = serde_json::from_str(payload)?;
                total += sale.total.parse::<rust_decimal::Decimal>()?;
            }
            print_json(&serde_json::json!({
                "store": store, "day": day, "sales": payloads.len(), "total": total.to_string()
            }))
        }
        Command::Serve { .. }
        | Command::Fingerprint { .. }
        | Command::Tls { .. }
        | Command::Backup { .. }
        | Command::Restore { .. } => unreachable!("handled above"),
    }
}
