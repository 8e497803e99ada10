//! `comptoir-scale-sim`: a Mettler Toledo MT-SICS scale on a pseudo-terminal, for tests and
//! demos, run as its own process.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use comptoir_scale::sim::{Scale, Simulator, Step, parse_step};

/// Opens a pseudo-terminal pair, prints the path a scale setting names, and answers MT-SICS
/// commands (S, SI, SIR, T, TA, TAC, Z, ZI, I4, @) from a scripted sequence of weights.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// A step of the script, repeatable: "stable 0.256 kg", "dynamic 0.254 kg",
    /// "slow 0.256 kg", "overload", "underload", "busy", "silent", "garbage". Each weight command takes the next step; the
    /// last one repeats.
    #[arg(long = "step", value_parser = parse_step)]
    steps: Vec<Step>,
    /// A script file, one step per line, read again at every command (it overrides --step
    /// while it can be read).
    #[arg(long)]
    script: Option<PathBuf>,
    /// The serial number the scale reports to I4 and @.
    #[arg(long, default_value = "B021002593")]
    serial: String,
    /// How late a "slow" step answers, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    slow_ms: u64,
    /// Also make this path a symbolic link to the pseudo-terminal, for a fixed setting.
    #[arg(long)]
    link: Option<PathBuf>,
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = Args::parse();
    let steps = if args.steps.is_empty() && args.script.is_none() {
        vec![parse_step("stable 0.256 kg").unwrap_or(Step::Silent)]
    } else {
        args.steps
    };
    let scale = Scale::new(steps, args.script, args.serial)
        .with_slow_delay(std::time::Duration::from_millis(args.slow_ms));
    let simulator = match Simulator::open(scale) {
        Ok(simulator) => simulator,
        Err(e) => {
            eprintln!("comptoir-scale-sim: cannot open a pseudo-terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(link) = &args.link {
        let _ = std::fs::remove_file(link);
        if let Err(e) = std::os::unix::fs::symlink(simulator.path(), link) {
            eprintln!("comptoir-scale-sim: cannot link {}: {e}", link.display());
            return ExitCode::FAILURE;
        }
    }
    announce(simulator.path());
    match simulator.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("comptoir-scale-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

// The one line on stdout is this program's interface: a test waits for it to learn the path.
#[allow(clippy::print_stdout)]
fn announce(path: &str) {
    println!("scale on {path}");
    let _ = std::io::stdout().flush();
}
