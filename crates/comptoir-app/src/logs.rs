//! The register's log files: one file a day in the `[log] dir` of the config file, the oldest
//! pruned past `keep_days`, so IT finds what happened on a store PC without filling its disk.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config_file::LogSection;
use crate::error::{AppError, AppResult};

/// Days of logs kept when the config file does not say.
pub const DEFAULT_KEEP_DAYS: usize = 14;

/// The system's log folder, used when the cashier's account may write it.
pub const SYSTEM_DIR: &str = "/var/log/comptoir";

/// Where logs go when the config file names no folder: `/var/log/comptoir` when it exists and
/// this account may write there, else `$XDG_STATE_HOME/comptoir/logs` (`~/.local/state/...`).
pub fn default_dir() -> PathBuf {
    let system = Path::new(SYSTEM_DIR);
    if writable(system) {
        return system.to_owned();
    }
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    state.join("comptoir/logs")
}

/// Whether a file can be made in `dir` (tried, since permissions alone do not say for ACLs or a
/// read-only mount).
fn writable(dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    let probe = dir.join(format!(".comptoir-probe-{}", std::process::id()));
    let made = std::fs::File::create(&probe).is_ok();
    let _ = std::fs::remove_file(&probe);
    made
}

/// A daily file `PREFIX.YYYY-MM-DD.log` in `dir`, made if missing; opening it prunes the
/// oldest files so that `keep_days` remain with today's.
pub fn daily_file(dir: &Path, prefix: &str, keep_days: usize) -> AppResult<RollingFileAppender> {
    std::fs::create_dir_all(dir).map_err(|e| cannot_log(dir, &e.to_string()))?;
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(prefix)
        .filename_suffix("log")
        .max_log_files(keep_days.max(1))
        .build(dir)
        .map_err(|e| cannot_log(dir, &e.to_string()))
}

fn cannot_log(dir: &Path, why: &str) -> AppError {
    AppError::new(
        "log_unwritable",
        format!(
            "cannot write logs in {} ({why}): make the folder writable by the cashier's account \
             or set [log] dir in the config file",
            dir.display()
        ),
    )
}

/// Where one program's logs go.
pub struct LogPlan<'a> {
    /// The file name's start: `comptoir-register`, `comptoir`.
    pub prefix: &'a str,
    /// Write files even when the config file names no folder (the app does; the CLI does not,
    /// so its output stays the JSON it prints unless IT asks for files).
    pub files_by_default: bool,
    /// The stderr filter when `COMPTOIR_LOG` is not set.
    pub stderr_default: &'a str,
}

/// Logging for the whole process: stderr as `COMPTOIR_LOG` says, and the daily files as the
/// config file's `[log]` says. Keep the guard alive until exit: it flushes the file.
/// A folder that cannot be written leaves stderr only, and says so there.
pub fn init(plan: &LogPlan, section: &LogSection) -> Option<WorkerGuard> {
    let stderr_filter = EnvFilter::try_from_env("COMPTOIR_LOG")
        .unwrap_or_else(|_| EnvFilter::new(plan.stderr_default));
    let stderr =
        tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_filter(stderr_filter);
    let (file, guard, problem) = match file_writer(plan, section) {
        Ok(Some((writer, guard))) => (Some(file_layer(writer, section)), Some(guard), None),
        Ok(None) => (None, None, None),
        Err(error) => (None, None, Some(error)),
    };
    let _ = tracing_subscriber::registry().with(stderr).with(file).try_init();
    if let Some(error) = problem {
        tracing::warn!(%error, "logging to stderr only");
    }
    guard
}

fn file_writer(
    plan: &LogPlan,
    section: &LogSection,
) -> AppResult<Option<(NonBlocking, WorkerGuard)>> {
    let dir = match &section.dir {
        Some(dir) => dir.clone(),
        None if plan.files_by_default => default_dir(),
        None => return Ok(None),
    };
    let keep = section.keep_days.unwrap_or(DEFAULT_KEEP_DAYS);
    let appender = daily_file(&dir, plan.prefix, keep)?;
    Ok(Some(tracing_appender::non_blocking(appender)))
}

fn file_layer<S>(writer: NonBlocking, section: &LogSection) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    let level = section.level.as_deref().unwrap_or("info");
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt::layer().with_ansi(false).with_writer(writer).with_filter(filter)
}
