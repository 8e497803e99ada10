//! `comptoir-scanner-sim`: a serial barcode scanner on a pseudo-terminal, for demos and tests.
//!
//! It prints the port's path (`scanner on /dev/pts/7`), which a scanner setting names, then
//! "scans" the codes of its arguments, of a file, and of its standard input, one per line.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use comptoir_device::serial::pty_pair;
use comptoir_scanner::Suffix;
use comptoir_scanner::sim::{GARBAGE, SimOptions, wire_bytes};
use serialport::SerialPort;

/// Sends barcodes as a scanner in serial (CDC-ACM) mode does.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Codes to scan, in order. `(01)…(17)…` is sent as a GS1-128 element string; `<GS>` is
    /// the GS byte.
    codes: Vec<String>,
    /// Also scan the codes of this file, one per line.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Put an AIM symbology identifier (]E0, ]E4, ]C1, ]C0) before each code.
    #[arg(long)]
    aim: bool,
    /// The line ending after each code: cr, lf or crlf.
    #[arg(long, default_value = "cr")]
    suffix: Suffix,
    /// Send a line of junk bytes before each code.
    #[arg(long)]
    garbage: bool,
    /// Wait this long after printing the path before the first code of the arguments or file.
    #[arg(long, default_value_t = 1000)]
    delay_ms: u64,
    /// Wait this long between two codes.
    #[arg(long, default_value_t = 100)]
    gap_ms: u64,
    /// Exit after the codes of the arguments and file, without reading standard input.
    #[arg(long)]
    no_stdin: bool,
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("comptoir-scanner-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let mut codes = args.codes.clone();
    if let Some(file) = &args.file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        codes.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned));
    }
    // The second end stays open here for the whole run: a pty whose every reader has closed
    // loses what is written to it.
    let (mut wire, port) = pty_pair().map_err(|e| e.to_string())?;
    let path = port.name().ok_or("the pseudo-terminal has no name")?;
    announce(&path);
    let options = SimOptions { aim: args.aim, suffix: args.suffix };
    let mut send = |code: &str| -> Result<(), String> {
        if args.garbage {
            wire.write_all(GARBAGE).map_err(|e| e.to_string())?;
            wire.write_all(args.suffix.bytes()).map_err(|e| e.to_string())?;
        }
        let bytes = wire_bytes(code, options)?;
        wire.write_all(&bytes).map_err(|e| e.to_string())?;
        wire.flush().map_err(|e| e.to_string())?;
        tracing::info!(code, bytes = bytes.len(), "scanned");
        Ok(())
    };
    if !codes.is_empty() {
        std::thread::sleep(Duration::from_millis(args.delay_ms));
    }
    for code in &codes {
        send(code)?;
        std::thread::sleep(Duration::from_millis(args.gap_ms));
    }
    if args.no_stdin {
        return Ok(());
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| e.to_string())?;
        if !line.trim().is_empty() {
            send(&line)?;
        }
    }
    drop(port);
    Ok(())
}

// The one line on stdout is this program's interface: a test or IT reads the path from it.
#[allow(clippy::print_stdout)]
fn announce(path: &str) {
    println!("scanner on {path}");
    let _ = std::io::stdout().flush();
}
