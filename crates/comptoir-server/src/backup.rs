//! One-command backup and restore of the server's database.
//!
//! SQLite: `VACUUM INTO` (a consistent copy, safe while the server runs), and a restore that
//! keeps the file it replaces beside it. PostgreSQL: `pg_dump --format=custom` and
//! `pg_restore --clean`, which must be installed (Debian: `postgresql-client`). Stop every
//! server process before a restore.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

fn is_postgres(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

fn run(mut command: Command, what: &str) -> anyhow::Result<()> {
    let output = command.output().with_context(|| {
        format!(
            "cannot run {what}: install Debian's postgresql-client (it has pg_dump and pg_restore)"
        )
    })?;
    if !output.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// Writes a backup of the database at `location` to `file`, which must not exist.
pub fn backup(location: &str, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!("{} exists: a backup never overwrites a file", file.display());
    }
    if is_postgres(location) {
        let mut command = Command::new("pg_dump");
        command.args(["--format=custom", "--no-owner", "--file"]).arg(file).arg(location);
        run(command, "pg_dump")?;
        return private(file);
    }
    let conn = rusqlite::Connection::open_with_flags(
        location,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open {location}"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let target = file.to_str().context("the backup path is not UTF-8")?;
    conn.execute("VACUUM INTO ?1", [target]).with_context(|| format!("cannot write {target}"))?;
    private(file)
}

/// Makes a file the server's user's only (a database, a backup: sales and credentials' hashes).
fn private(file: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot make {} private", file.display()))
}

/// Restores the database at `location` from `file`. A SQLite file already there is kept
/// beside it (`…replaced-<time>`) and replaced only with `replace`. Returns where the old file
/// went.
pub fn restore(location: &str, file: &Path, replace: bool) -> anyhow::Result<Option<PathBuf>> {
    if !file.exists() {
        bail!("{} does not exist", file.display());
    }
    if is_postgres(location) {
        // Servers just stopped may take a moment to leave: wait a little for them.
        let mut connected = String::new();
        for _ in 0..20 {
            let busy = Command::new("psql")
                .arg(location)
                .args([
                    "-tAc",
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                    AND application_name = 'comptoir-server' AND pid <> pg_backend_pid()",
                ])
                .output()
                .context("cannot run psql: install Debian's postgresql-client")?;
            connected = String::from_utf8_lossy(&busy.stdout).trim().to_owned();
            if connected == "0" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        if connected != "0" {
            bail!(
                "comptoir-server processes are connected to this database ({connected}): stop them first"
            );
        }
        // What is replaced is kept, as a dump beside the backup.
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = PathBuf::from(format!("{}.replaced-{stamp}", file.display()));
        backup(location, &aside)?;
        let mut command = Command::new("pg_restore");
        command.args(["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname"]);
        command.arg(location).arg(file);
        run(command, "pg_restore")?;
        return Ok(Some(aside));
    }
    let target = PathBuf::from(location);
    let _serving = serving_lock(location)
        .map_err(|_| anyhow::anyhow!("a comptoir-server is serving {location}: stop it first"))?;
    let mut replaced = None;
    if target.exists() {
        if !replace {
            bail!(
                "{} exists: stop the server, then restore with --replace (the file is kept beside)",
                target.display()
            );
        }
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = PathBuf::from(format!("{location}.replaced-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{location}{suffix}"));
            if from.exists() {
                std::fs::rename(&from, format!("{}{suffix}", aside.display()))
                    .with_context(|| format!("cannot move {} aside", from.display()))?;
            }
        }
        replaced = Some(aside);
    }
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let partial = PathBuf::from(format!("{location}.restoring"));
    std::fs::copy(file, &partial).with_context(|| format!("cannot read {}", file.display()))?;
    private(&partial)?;
    std::fs::rename(&partial, &target)?;
    Ok(replaced)
}

/// The lock a server serving a SQLite database holds for as long as it runs (`<db>.lock`): a
/// second server, or a restore, on the same file is refused while it is held.
pub fn serving_lock(location: &str) -> anyhow::Result<std::fs::File> {
    let path = PathBuf::from(format!("{location}.lock"));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let file =
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?;
    file.try_lock()
        .map_err(|_| anyhow::anyhow!("{} is held by a running server", path.display()))?;
    Ok(file)
}
