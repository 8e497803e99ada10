//! The `xtask` command line: parses the task and its paths, runs it, prints its summary.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "Comptoir's automation tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate fixtures/stores (and fixtures/replay) from the shared data folder.
    Fixtures {
        /// The shared folder (it holds `data/`); relative paths start at the workspace root.
        #[arg(long, default_value = "../shared")]
        shared: PathBuf,
        /// Where to write; relative paths start at the workspace root.
        #[arg(long, default_value = "fixtures")]
        out: PathBuf,
    },
    /// Print the benchmark figures and their ratios from the last `cargo bench` run.
    BenchReport,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.task {
        Task::Fixtures { shared, out } => {
            let root = xtask::fixtures::workspace_root();
            let data = root.join(shared).join("data");
            let out = root.join(out);
            let summary = xtask::fixtures::generate(&data, &out)
                .with_context(|| format!("regenerating fixtures from {}", data.display()))?;
            print_summary(&summary.to_string());
        }
        Task::BenchReport => print_summary(&xtask::bench::report(&xtask::bench::criterion_dir())?),
    }
    Ok(())
}

#[expect(clippy::print_stdout, reason = "the summary is this command's own output")]
fn print_summary(text: &str) {
    print!("{text}");
}
