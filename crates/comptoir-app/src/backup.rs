//! Backing up a register, and restoring one from a backup without losing what reached the
//! server or reusing a sequence number with other content.

use std::path::{Path, PathBuf};

use comptoir_store::Store;
use comptoir_sync::HttpTransport;
use serde::Serialize;

use crate::register::db_path;
use crate::{AppError, AppResult};

fn io_error(what: &str, path: &Path, e: std::io::Error) -> AppError {
    AppError::new("storage_failed", format!("{what} {}: {e}", path.display()))
}

/// What a backup wrote.
#[derive(Clone, Debug, Serialize)]
pub struct BackupReport {
    pub file: PathBuf,
    pub entries: u64,
    pub last: (i64, i64),
}

/// Copies the register's database into `file` (which must not exist), consistently, even
/// while the register is open and selling.
pub fn backup(data_dir: &Path, file: &Path) -> AppResult<BackupReport> {
    if !db_path(data_dir).exists() {
        return Err(AppError::new(
            "not_initialised",
            format!("{} holds no register to back up", data_dir.display()),
        ));
    }
    if file.exists() {
        return Err(AppError::new(
            "invalid_argument",
            format!("{} exists: a backup never overwrites a file", file.display()),
        ));
    }
    let store = Store::open(&db_path(data_dir))?;
    store.backup_to(file)?;
    let copy = Store::open(file)?;
    let report = copy.verify()?;
    if let Some(bad) = report.first_bad {
        return Err(AppError::new(
            "storage_corrupt",
            format!(
                "the backup's ledger is broken at ({}, {}): {}",
                bad.epoch, bad.seq, bad.reason
            ),
        ));
    }
    Ok(BackupReport { file: file.to_owned(), entries: report.entries, last: copy.last_position()? })
}

/// What a restore did.
#[derive(Clone, Debug, Serialize)]
pub struct RestoreReport {
    /// Entries in the backup.
    pub from_backup: u64,
    /// Entries taken back from the server (recorded after the backup and uploaded).
    pub recovered: u64,
    /// The epoch the register records in from now on.
    pub epoch: i64,
    /// Where the database that was there before went, if there was one.
    pub replaced: Option<PathBuf>,
}

/// Restores the register in `data_dir` from `backup`: the backup is checked, the entries the
/// server holds beyond it are taken back (unless `offline`: then they stay on the server
/// only), and a new epoch starts, so nothing recorded after the backup and lost is ever
/// confused with what comes next. The database that was there is kept beside it.
pub fn restore(
    data_dir: &Path,
    backup: &Path,
    offline: bool,
    force: bool,
) -> AppResult<RestoreReport> {
    let _lock = crate::register::lock_data_dir(data_dir)?;
    let work = data_dir.join("register.db.restoring");
    let result = restore_locked(data_dir, backup, offline, force, &work);
    if result.is_err() {
        for leftover in [
            work.clone(),
            work.with_extension("restoring-wal"),
            work.with_extension("restoring-shm"),
        ] {
            let _ = std::fs::remove_file(leftover);
        }
    }
    result
}

fn restore_locked(
    data_dir: &Path,
    backup: &Path,
    offline: bool,
    force: bool,
    work: &Path,
) -> AppResult<RestoreReport> {
    let work = work.to_owned();
    for stale in
        [work.clone(), work.with_extension("restoring-wal"), work.with_extension("restoring-shm")]
    {
        let _ = std::fs::remove_file(stale);
    }
    std::fs::copy(backup, &work).map_err(|e| io_error("cannot read the backup", backup, e))?;
    let (from_backup, recovered, epoch) = {
        let mut store = Store::open(&work)?;
        let check = store.verify()?;
        if let Some(bad) = check.first_bad {
            return Err(AppError::new(
                "storage_corrupt",
                format!(
                    "the backup's ledger is broken at ({}, {}): {}",
                    bad.epoch, bad.seq, bad.reason
                ),
            ));
        }
        store.register()?.ok_or_else(|| {
            AppError::new(
                "invalid_argument",
                format!("{} is not a register's backup", backup.display()),
            )
        })?;
        let restored_register = store.register()?.map(|r| r.register_id);
        // The database being replaced, if it still opens, knows this till's identity and its
        // current enrolment, which may be newer than the backup's.
        let current = open_current(&db_path(data_dir));
        if let Some(current) = &current {
            let identity = current.register()?.map(|r| r.register_id);
            if identity.is_some() && identity != restored_register && !force {
                return Err(AppError::new(
                    "wrong_backup",
                    "this backup is another register's (its identity differs from this data \
                     folder's): restore it in its own folder, or use --force",
                ));
            }
            if let Some(enrolment) = current.sync_server()?
                && store.sync_server()?.as_ref() != Some(&enrolment)
            {
                store.set_sync_server(&enrolment)?;
            }
        }
        // Customers as the replaced database holds them (edits and erasures made after the
        // backup, perhaps never sent) are kept: erased customers stay erased.
        if let Some(current) = &current {
            keep_customers(current.customers_connection(), store.customers_connection())?;
        }
        let recovered = match (store.sync_server()?, offline) {
            (Some(server), false) => {
                let transport = HttpTransport::new(&server).map_err(sync_error)?;
                let recovered = comptoir_sync::recover(&mut store, &transport, &crate::sync::now)
                    .map_err(sync_error)?
                    .recovered;
                // And erasures made elsewhere since the backup apply before the register opens.
                comptoir_sync::sync_customers(&transport, &store).map_err(sync_error)?;
                recovered
            }
            _ => 0,
        };
        // Receipts of everything up to here were printed before the backup or by the register
        // that was lost: none is queued again as an original.
        let (last_epoch, last_seq) = store.last_position()?;
        store.set_setting(crate::register::RECEIPTS_QUEUED, &format!("{last_epoch}:{last_seq}"))?;
        let lost = match &current {
            Some(current) => entries_only_in(current, &store)?,
            None => Vec::new(),
        };
        if !lost.is_empty() && !force {
            let receipts: Vec<&str> = lost.iter().filter_map(|e| e.receipt_no.as_deref()).collect();
            return Err(AppError::new(
                "restore_would_lose",
                format!(
                    "the register's database holds {} entry(ies) the restored ledger would not \
                     have (receipts {}): restoring would drop them from this register. Sync \
                     first (without --offline the server gives back what it holds), or back \
                     up this database, or restore with --force (it is kept beside)",
                    lost.len(),
                    if receipts.is_empty() { "none".to_owned() } else { receipts.join(", ") }
                ),
            ));
        }
        // Offline, the server may hold epochs this backup never saw (an earlier restore's):
        // the new one is taken from the clock, minutes since 2026, which none can have used.
        let from_clock =
            if offline { (chrono::Utc::now().timestamp() - 1_767_225_600) / 60 } else { 0 };
        let epoch = store.start_new_epoch_from(from_clock)?;
        (check.entries, recovered, epoch)
    };
    let target = db_path(data_dir);
    let replaced = if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = data_dir.join(format!("register.db.replaced-{stamp}"));
        // The database and its write-ahead log go aside together (the log may hold commits).
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", target.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&from, &to).map_err(|e| io_error("cannot move aside", &from, e))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&work, &target).map_err(|e| io_error("cannot put in place", &target, e))?;
    tracing::info!(epoch, recovered, "register restored");
    Ok(RestoreReport { from_backup, recovered, epoch, replaced })
}

fn sync_error(e: comptoir_sync::SyncError) -> AppError {
    if e.is_transient() {
        // Nothing was restored: the server must be reachable to take back what it holds.
        return AppError::new(
            "server_unreachable",
            format!(
                "the server must be reachable to take back what it holds; start it, or restore \
                 with --offline ({})",
                e.message
            ),
        );
    }
    AppError::new(e.code, e.message)
}

/// The database a restore replaces, if it still opens (a failed disk's may not).
fn open_current(path: &Path) -> Option<Store> {
    if !path.exists() {
        return None;
    }
    Store::open(path).ok()
}

/// The entries of `current` that `restored` does not hold.
fn entries_only_in(current: &Store, restored: &Store) -> AppResult<Vec<comptoir_store::Entry>> {
    let Ok(entries) = current.entries_after(0, 0, u32::MAX) else {
        return Ok(Vec::new());
    };
    let kept: std::collections::HashSet<String> =
        restored.entries_after(0, 0, u32::MAX)?.into_iter().map(|e| e.hash).collect();
    Ok(entries.into_iter().filter(|e| !kept.contains(&e.hash)).collect())
}

/// Copies into the restored database every customer chunk, key and erasure of the database it
/// replaces, so nothing made or erased after the backup is lost: chunks taken twice change
/// nothing (automerge), a key is kept only for a customer erased on neither side, and an
/// erasure destroys the key (the restored file is scrubbed).
fn keep_customers(from: &rusqlite::Connection, into: &rusqlite::Connection) -> AppResult<()> {
    use comptoir_customers::store as cstore;
    let storage = |e: rusqlite::Error| AppError::new("storage_failed", e.to_string());
    cstore::prepare_connection(into).map_err(storage)?;
    let tx = rusqlite::Transaction::new_unchecked(into, rusqlite::TransactionBehavior::Immediate)
        .map_err(storage)?;
    let mut erased = 0;
    for id in cstore::customer_ids(from).map_err(storage)? {
        let held: std::collections::HashSet<Vec<u8>> =
            cstore::load_chunks(&tx, id).map_err(storage)?.into_iter().collect();
        for chunk in cstore::load_chunks(from, id).map_err(storage)? {
            if !held.contains(&chunk) {
                cstore::append_chunk(&tx, id, &chunk).map_err(storage)?;
            }
        }
    }
    for (id, erasure) in cstore::load_erasures(from).map_err(storage)? {
        cstore::record_erasure(&tx, id, erasure).map_err(storage)?;
        cstore::delete_key(&tx, id).map_err(storage)?;
        erased += 1;
    }
    let erased_here: std::collections::HashSet<_> =
        cstore::load_erasures(&tx).map_err(storage)?.into_iter().map(|(id, _)| id).collect();
    for (id, key) in cstore::load_keys(from).map_err(storage)? {
        if !erased_here.contains(&id) && cstore::key(&tx, id).map_err(storage)?.is_none() {
            cstore::put_key(&tx, id, &key).map_err(storage)?;
        }
    }
    tx.commit().map_err(storage)?;
    if erased > 0 {
        cstore::scrub(into).map_err(storage)?;
    }
    Ok(())
}
