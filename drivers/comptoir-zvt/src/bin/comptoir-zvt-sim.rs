//! `comptoir-zvt-sim`: a ZVT card terminal for tests and demos, on TCP and on a
//! pseudo-terminal, with fault scripts. It prints where it listens (`tcp 127.0.0.1:20007`,
//! `serial /dev/pts/7`), one line each, on standard output.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use comptoir_zvt::sim::{Script, SimConfig, Terminal, serve_serial, serve_tcp};

/// A simulated ZVT card terminal (ZVT over TCP and over a serial pseudo-terminal).
///
/// Fault scripts, for --script and for the first line of --script-file (read again before
/// every payment): approve; decline or decline:CODE (hex result code, 05 by default);
/// timeout (acknowledge, ask for the card, then never answer); user-abort (result code 6C); drop-after-status
/// (charge, send the status information, then drop the connection; on the serial line, fall
/// silent); slow or slow:MS (approve, MS milliseconds before each message); leak-pan (approve
/// but send the whole card number, which the register must mask); answer-currency:NUMBER
/// (approve, but name that currency in the answer). Add card=NAME to pick a test
/// card: visa, visa-debit, mastercard, amex, maestro. Refunds follow the same script.
///
/// Every charge, reversal, refund, abort and end of day is appended to --journal, one line
/// each (`charge trace=1 receipt=1 amount=1250 card=visa`).
#[derive(Debug, Parser)]
#[command(name = "comptoir-zvt-sim", version)]
struct Args {
    /// Listen for registers on this TCP address; port 0 picks a free port. Without --tcp and
    /// --serial the simulator listens on 127.0.0.1:20007.
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
    /// Serve the protocol on a new pseudo-terminal, whose path is printed (with --tcp, on
    /// both).
    #[arg(long)]
    serial: bool,
    /// The fault script when no script file says otherwise.
    #[arg(long, default_value = "approve")]
    script: String,
    /// A file whose first line is the fault script, read again before every transaction.
    #[arg(long, value_name = "PATH")]
    script_file: Option<PathBuf>,
    /// Append charges, reversals and refunds to this file.
    #[arg(long, value_name = "PATH")]
    journal: Option<PathBuf>,
    /// The terminal id (eight digits).
    #[arg(long, default_value_t = 52_001_233)]
    terminal_id: u32,
    /// Milliseconds between the messages of a transaction.
    #[arg(long, default_value_t = 50)]
    step_delay_ms: u64,
    /// The one currency the terminal takes, as its ISO 4217 number (978 EUR, 124 CAD, 826
    /// GBP): a payment or refund in another is refused with result code 6F (wrong currency).
    /// Without it the terminal takes the currency each request names.
    #[arg(long, value_name = "NUMBER", value_parser = clap::value_parser!(u16).range(1..=999))]
    currency: Option<u16>,
    /// The timeout byte of the intermediate statuses: how many seconds the terminal says it
    /// waits at each step (without it, the statuses carry none).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u8).range(1..))]
    status_timeout: Option<u8>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let script = Script::parse(&args.script)?;
    if args.terminal_id > 99_999_999 {
        return Err("a terminal id has eight digits".to_owned());
    }
    let config = SimConfig {
        script,
        script_file: args.script_file,
        journal: args.journal,
        terminal_id: args.terminal_id,
        step_delay: Duration::from_millis(args.step_delay_ms),
        currency: args.currency,
        status_timeout: args.status_timeout,
    };
    let terminal = Arc::new(Mutex::new(Terminal::new(config)));
    let tcp = match (&args.tcp, args.serial) {
        (Some(address), _) => Some(address.clone()),
        (None, false) => Some("127.0.0.1:20007".to_owned()),
        (None, true) => None,
    };
    let mut out = std::io::stdout().lock();
    let mut threads = Vec::new();
    if let Some(address) = tcp {
        let listener =
            TcpListener::bind(&address).map_err(|e| format!("cannot listen on {address}: {e}"))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        writeln!(out, "tcp {local}").map_err(|e| e.to_string())?;
        let terminal = Arc::clone(&terminal);
        threads.push(std::thread::spawn(move || serve_tcp(listener, terminal)));
    }
    if args.serial {
        let (near, far) = comptoir_device::serial::pty_pair().map_err(|e| e.to_string())?;
        let path = serialport::SerialPort::name(&far).ok_or("the pseudo-terminal has no name")?;
        // The register opens the far end by its path; the simulator keeps the near end.
        drop(far);
        writeln!(out, "serial {path}").map_err(|e| e.to_string())?;
        let terminal = Arc::clone(&terminal);
        threads.push(std::thread::spawn(move || serve_serial(Box::new(near), terminal)));
    }
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    for thread in threads {
        let _ = thread.join();
    }
    Ok(())
}
