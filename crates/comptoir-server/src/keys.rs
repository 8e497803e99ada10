//! The customer key store: each customer's 32-byte key, in a SQLite file of its own beside
//! (never inside) the server's database, so that erasing a customer destroys the key for good:
//! the row is deleted with `secure_delete` on (SQLite zeroes it on its page) and the WAL is
//! checkpointed and truncated, so no copy stays in the file. PostgreSQL could not promise that
//! (a deleted row stays in dead tuples and in its WAL until they are recycled).
//!
//! Several server processes on one machine share the file (SQLite locks it between them).
//! Its backups hold keys: keep them only as long as erasure requests allow. A lost key store
//! is not lost data: every register holds the keys of its customers and sends them again when
//! the server asks (`want_keys`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use comptoir_customers::{CustomerId, CustomerKey};
use rusqlite::{Connection, OptionalExtension, params};

use crate::db::{DbError, DbResult};

#[derive(Clone)]
pub struct KeyStore {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore").field("path", &self.path).finish_non_exhaustive()
    }
}

fn backend(e: rusqlite::Error) -> DbError {
    DbError::Backend(format!("customer key store: {e}"))
}

impl KeyStore {
    /// Opens the key store at `path`, which must exist (an administration command given the
    /// wrong path must not make an empty store and report keys as gone).
    pub fn open_existing(path: &Path) -> DbResult<KeyStore> {
        if !path.exists() {
            return Err(DbError::NotFound(format!(
                "no customer key store at {}: give the one the server uses with --customer-keys \
                 (or COMPTOIR_SERVER_CUSTOMER_KEYS)",
                path.display()
            )));
        }
        KeyStore::open(path)
    }

    /// Opens the key store at `path`, creating it (readable by the server's user only).
    pub fn open(path: &Path) -> DbResult<KeyStore> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                DbError::Backend(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            let made =
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
            if let Err(e) = made
                && e.kind() != std::io::ErrorKind::AlreadyExists
            {
                return Err(DbError::Backend(format!("cannot create {}: {e}", path.display())));
            }
        }
        let conn = Connection::open(path).map_err(backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(backend)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(backend)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(backend)?;
        comptoir_customers::store::prepare_connection(&conn).map_err(backend)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS customer_keys (
                 customer_id TEXT PRIMARY KEY,
                 key BLOB NOT NULL
             )",
        )
        .map_err(backend)?;
        Ok(KeyStore { path: path.to_owned(), conn: Arc::new(Mutex::new(conn)) })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn run<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard).map_err(backend)
        })
        .await
        .map_err(|e| DbError::Backend(e.to_string()))?
    }

    /// Stores keys not held yet (a key once held is never replaced); returns how many were new.
    pub async fn add(&self, keys: Vec<(CustomerId, CustomerKey)>) -> DbResult<usize> {
        if keys.is_empty() {
            return Ok(0);
        }
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let mut added = 0;
            for (id, key) in &keys {
                added += tx.execute(
                    "INSERT INTO customer_keys (customer_id, key) VALUES (?1, ?2) \
                     ON CONFLICT (customer_id) DO NOTHING",
                    params![id.to_string(), key.as_bytes().as_slice()],
                )?;
            }
            tx.commit()?;
            Ok(added)
        })
        .await
    }

    /// The keys held among `ids`.
    pub async fn get(&self, ids: Vec<CustomerId>) -> DbResult<HashMap<CustomerId, CustomerKey>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        self.run(move |conn| {
            let mut found = HashMap::new();
            let mut stmt =
                conn.prepare_cached("SELECT key FROM customer_keys WHERE customer_id = ?1")?;
            for id in ids {
                let bytes: Option<Vec<u8>> =
                    stmt.query_row([id.to_string()], |r| r.get(0)).optional()?;
                if let Some(key) = bytes.as_deref().and_then(CustomerKey::from_bytes) {
                    found.insert(id, key);
                }
            }
            Ok(found)
        })
        .await
    }

    /// Every customer whose key is held.
    pub async fn held(&self) -> DbResult<std::collections::BTreeSet<String>> {
        self.run(|conn| {
            let mut stmt = conn.prepare("SELECT customer_id FROM customer_keys")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        })
        .await
    }

    /// Destroys the keys of `ids` (erased customers): deleted, zeroed on their pages, and the
    /// WAL truncated. Returns how many were held; `Err` leaves them for the next sweep.
    pub async fn destroy(&self, ids: Vec<String>) -> DbResult<usize> {
        if ids.is_empty() {
            return Ok(0);
        }
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let mut gone = 0;
            for id in &ids {
                gone += tx.execute("DELETE FROM customer_keys WHERE customer_id = ?1", [id])?;
            }
            tx.commit()?;
            if gone > 0 && !comptoir_customers::store::scrub(conn)? {
                tracing::warn!("the key store's WAL could not be truncated yet (another process reads it); the next erasure or start tries again");
            }
            Ok(gone)
        })
        .await
    }
}
