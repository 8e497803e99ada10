//! `comptoir-display-sim`: a 2x20 customer display on a pseudo-terminal, for tests and demos,
//! run as its own process.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use comptoir_display::sim::Simulator;

/// Opens a pseudo-terminal pair, prints the path a display setting names, decodes the Epson
/// ESC/POS display commands it receives and prints the two lines the display would show.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// A file that always holds the last screen: two lines of 20 characters.
    #[arg(long)]
    frame: Option<PathBuf>,
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
    let simulator = match Simulator::open(args.frame) {
        Ok(simulator) => simulator,
        Err(e) => {
            eprintln!("comptoir-display-sim: cannot open a pseudo-terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(link) = &args.link {
        let _ = std::fs::remove_file(link);
        if let Err(e) = std::os::unix::fs::symlink(simulator.path(), link) {
            eprintln!("comptoir-display-sim: cannot link {}: {e}", link.display());
            return ExitCode::FAILURE;
        }
    }
    say(&format!("display on {}", simulator.path()));
    match simulator.run(|lines| say(&format!("|{}|\n|{}|", lines[0], lines[1]))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("comptoir-display-sim: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Stdout is this program's interface: the path first, then each screen between bars. A
/// reader that went away (a test that read only the path) loses the screens; the simulator
/// goes on, and the frame file still has them.
fn say(text: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}
