//! `comptoir-printer-sim`: a network receipt printer for tests and demos, run as its own process.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use comptoir_printer::sim::{ScriptedStatus, SimConfig, Simulator};

/// Listens like a raw TCP (port 9100) ESC/POS printer, answers DLE EOT status requests and
/// records each job it receives to a folder.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// TCP port; 0 picks a free one (the "listening on" line tells which).
    #[arg(long, default_value_t = 9100)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Folder for received jobs: NNNNNN-cCCCCCC-{cut,eof}.bin when whole, .partial otherwise.
    #[arg(long)]
    out: PathBuf,
    /// The status the printer reports.
    #[arg(long, value_enum, default_value_t = ScriptedStatus::Ok)]
    status: ScriptedStatus,
    /// A file holding a status name, read at every request; overrides --status while present.
    #[arg(long)]
    status_file: Option<PathBuf>,
    /// Pause this many milliseconds before each read of at most 64 bytes.
    #[arg(long, default_value_t = 0)]
    slow_ms: u64,
    /// Drop each connection after receiving this many bytes.
    #[arg(long)]
    drop_after_bytes: Option<u64>,
}

fn main() -> ExitCode {
    // Jobs and drops are logged at info on stderr unless RUST_LOG says otherwise.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = Args::parse();
    let config = SimConfig {
        bind: args.bind,
        port: args.port,
        out: args.out,
        status: args.status,
        status_file: args.status_file,
        slow_ms: args.slow_ms,
        drop_after_bytes: args.drop_after_bytes,
    };
    let simulator = match Simulator::bind(config) {
        Ok(simulator) => simulator,
        Err(e) => {
            eprintln!("comptoir-printer-sim: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    announce(&simulator);
    match simulator.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("comptoir-printer-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

// The one line on stdout is this program's interface: a test waits for it to know the port
// is bound and learns the port when it asked for 0.
#[allow(clippy::print_stdout)]
fn announce(simulator: &Simulator) {
    println!("listening on {}", simulator.local_addr());
    let _ = std::io::stdout().flush();
}
