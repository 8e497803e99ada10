//! `comptoir-printer-sim`: a network receipt printer for tests and demos, run as its own process.

use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use comptoir_printer::sim::{ScriptedStatus, SimConfig, Simulator};

/// A simulated ESC/POS receipt printer with a cash drawer, on a raw TCP port (9100) or, with
/// --pty, on a pseudo-terminal as a serial printer.
///
/// It answers DLE EOT status requests; after GS a n it sends the four Automatic Status Back
/// bytes at once and on every change of state; it records each job it receives to a folder
/// (a job ends at each cut, or when the connection closes). ESC p opens the drawer when the
/// printer is ready, DLE DC4 1 m t opens it at once even in error; the drawer sensor then
/// reports open for --drawer-open-secs. The state can be scripted with --status and changed
/// while it runs through --status-file.
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
    /// A file read at every request, overriding the flags while present: a status name
    /// (paper_out ...) and any of slow_ms=N, bytes_per_second=N|none, drop_after_bytes=N|none,
    /// drawer_open_secs=N, separated by blanks or lines; # starts a comment line.
    #[arg(long)]
    status_file: Option<PathBuf>,
    /// Pause this many milliseconds after each read of at most 64 bytes.
    #[arg(long, default_value_t = 0)]
    slow_ms: u64,
    /// Take in at most this many bytes a second (a slow printer); overrides --slow-ms.
    #[arg(long)]
    bytes_per_second: Option<u32>,
    /// Drop each connection after receiving this many bytes (a cable pulled mid-job); on a
    /// serial line, what follows is lost until the line has been quiet for half a second.
    #[arg(long)]
    drop_after_bytes: Option<u64>,
    /// Seconds the drawer reports open after a pulse; 0 keeps it open.
    #[arg(long, default_value_t = 5)]
    drawer_open_secs: u64,
    /// The drawer sensor (pin 3) reads low, not high, while the drawer is open.
    #[arg(long)]
    drawer_open_low: bool,
    /// Serve a serial printer on a new pseudo-terminal instead of TCP; the "serial on" line
    /// names the path the register opens (like /dev/pts/7). --port and --bind are not used.
    #[arg(long)]
    pty: bool,
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
        bytes_per_second: args.bytes_per_second,
        drawer_open_secs: args.drawer_open_secs,
        drawer_open_high: !args.drawer_open_low,
    };
    if args.pty {
        return serve_pty(config);
    }
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

#[cfg(unix)]
fn serve_pty(config: SimConfig) -> ExitCode {
    let handle = match comptoir_printer::sim::spawn_serial(config) {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("comptoir-printer-sim: cannot open a pseudo-terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    say(&format!("serial on {}", handle.path));
    // Serves until the process is stopped.
    loop {
        std::thread::park();
    }
}

#[cfg(not(unix))]
fn serve_pty(_config: SimConfig) -> ExitCode {
    eprintln!("comptoir-printer-sim: --pty needs a Unix system");
    ExitCode::FAILURE
}

#[allow(clippy::print_stdout)]
fn say(line: &str) {
    println!("{line}");
    let _ = std::io::stdout().flush();
}

// The one line on stdout is this program's interface: a test waits for it to know the port
// is bound and learns the port when it asked for 0.
#[allow(clippy::print_stdout)]
fn announce(simulator: &Simulator) {
    println!("listening on {}", simulator.local_addr());
    let _ = std::io::stdout().flush();
}
