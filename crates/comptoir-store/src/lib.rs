//! The register's SQLite database: schema and forward-only migrations, the hash-chained
//! ledger (which is also the sync outbox), the catalog cache, cashiers, parked carts and the
//! print queue.
//!
//! Invariants kept here:
//! - every ledger entry is written in one transaction together with whatever it implies (a
//!   receipt counter, a print job), with WAL and `synchronous=FULL`, so a committed entry
//!   survives a power cut and a half-written one never exists;
//! - `(register, epoch, seq)` is gap-free and each entry's hash covers the previous hash;
//! - entries are never updated or deleted.

mod card;
mod catalog;
mod drawer;
mod error;
mod ledger;
mod restore;
mod schema;
mod sync;
mod tables;

pub use card::{CardPaymentRow, CardPaymentState, CardPaymentUpdate};
pub use catalog::{Applied, PriceRow, StockRow};
pub use drawer::DrawerOpeningRow;
pub use error::StoreError;
pub use ledger::{BadEntry, Entry, GENESIS, NewEntry, Tx, VerifyReport};
pub use sync::{SyncRejected, SyncServer};
pub use tables::{CashierRow, CatalogRow, ParkedRow, PrintJobRow, PrintJobState, RegisterRow};

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

/// An open register database. One per data folder; the app holds it on one thread.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        // Sales, the credential and customers' keys: the register's user's only (SQLite gives
        // its WAL the database's permissions).
        private(path)?;
        Store::configure(conn)
    }

    /// An in-memory database, for tests and benchmarks of the domain around it.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::configure(Connection::open_in_memory()?)
    }

    fn configure(conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL keeps readers off the writer's back; FULL syncs the WAL on every commit, which
        // is what makes "committed before printed" hold through a power cut.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = Store { conn };
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// Caps the database at `pages` pages, so tests can fill the "disk" on purpose.
    pub fn limit_pages(&self, pages: u64) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "max_page_count", pages)?;
        Ok(())
    }

    /// Runs `write` with commits that skip the fsync (`synchronous=NORMAL`), for state that
    /// is rebuilt from the ledger after a crash, such as the print queue. A power cut may lose
    /// such a write; it never loses or damages a ledger entry.
    pub fn relaxed<T>(
        &mut self,
        write: impl FnOnce(&mut Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let result = write(self);
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        result
    }

    /// Makes the connection refuse every write, as an unwritable database would, so tests
    /// can prove that nothing is lost and the cashier is told.
    pub fn refuse_writes(&self, refuse: bool) -> Result<(), StoreError> {
        self.conn.pragma_update(None, "query_only", refuse)?;
        Ok(())
    }

    /// The connection, for `comptoir-customers`, which keeps its own tables in this database
    /// (its chunks, keys and erasures) and nothing else.
    pub fn customers_connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Makes a file readable and writable by its owner only (a failure, on a file another user
/// owns, is logged: the data stays usable).
pub(crate) fn private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).map(|m| m.permissions().mode() & 0o777);
    if mode.is_ok_and(|m| m != 0o600)
        && let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
    {
        tracing::warn!(path = %path.display(), error = %e, "cannot make the file private");
    }
    Ok(())
}
