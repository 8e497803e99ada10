//! A server on a loopback port with its own runtime, its database (SQLite or a fresh
//! PostgreSQL database), and demo registers enrolled with it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use comptoir_app::{ManualClock, OpenOptions, Pin, Register};
use comptoir_server::tls::{TlsMaterial, TlsSource};
use comptoir_server::{Db, Server, admin};
use comptoir_store::{Entry, Store, SyncServer};
use comptoir_sync::{HttpTransport, Trust};

pub const PEANUTS: &str = "0019061093791";
pub const TRUFFLES: &str = "0020601405080";
pub const SRIRACHA_UPC_A: &str = "024463061163";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// The PostgreSQL server the tests use. Never skipped: if it is not there, the tests fail
/// and say how to provide one.
pub fn postgres_admin_url() -> String {
    std::env::var("COMPTOIR_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database of its own for one test, dropped at the end.
pub struct PgDatabase {
    pub url: String,
    name: String,
    admin: String,
}

impl PgDatabase {
    pub fn create(rt: &tokio::runtime::Runtime) -> PgDatabase {
        let admin = postgres_admin_url();
        let name = format!("comptoir_test_{}", uuid::Uuid::now_v7().simple());
        rt.block_on(async {
            let (client, connection) =
                tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is not reachable at {admin} ({e}): scripts/test.sh starts \
                         one, or set COMPTOIR_TEST_POSTGRES to a server where this user may \
                         create databases"
                    )
                });
            tokio::spawn(connection);
            client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
        });
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("COMPTOIR_TEST_POSTGRES must end with /DATABASE"),
        };
        PgDatabase { url, name, admin }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Best effort, on a runtime of its own (the test's may be gone).
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
    }
}

pub struct TestServer {
    pub rt: tokio::runtime::Runtime,
    pub db: Db,
    pub url: String,
    pub pin_pem: String,
    pub fingerprint: String,
    /// The database: a SQLite path or a PostgreSQL URL.
    pub location: String,
    /// The customers' side of the server (its key store, the keys it lacks).
    customers: Arc<comptoir_server::customers::Customers>,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl TestServer {
    pub fn start(backend: Backend) -> TestServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let pg = (backend == Backend::Postgres).then(|| PgDatabase::create(&rt));
        let location = match &pg {
            Some(pg) => pg.url.clone(),
            None => dir.path().join("server.db").display().to_string(),
        };
        let db = rt.block_on(Db::open(&location)).unwrap();
        let tls = TlsMaterial::load(&TlsSource::Development {
            dir: dir.path().join("tls"),
            names: vec![],
        })
        .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let keys = comptoir_server::keys::KeyStore::open(&dir.path().join("customer-keys.db"));
        let server = Server::new(db.clone(), tls.pin_pem.clone()).with_customers(keys.unwrap());
        let customers = server.customers.clone().expect("customers");
        rt.block_on(comptoir_server::customers::sweep(&db, &customers)).unwrap();
        let config = tls.server_config().unwrap();
        rt.spawn(async move { comptoir_server::serve(server, listener, config).await });
        let fingerprint = tls.pin_fingerprint().unwrap();
        TestServer {
            rt,
            db,
            url,
            pin_pem: tls.pin_pem,
            fingerprint,
            location,
            customers,
            _dir: dir,
            _pg: pg,
        }
    }

    /// Stops the server (its runtime and database connections go), runs `between` on the
    /// stopped database, and serves again on the same port with the same certificates.
    pub fn restart_with(&mut self, between: impl FnOnce(&str)) {
        let old = std::mem::replace(
            &mut self.rt,
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap(),
        );
        old.shutdown_timeout(std::time::Duration::from_secs(5));
        between(&self.location);
        self.db = self.rt.block_on(Db::open(&self.location)).unwrap();
        let tls = TlsMaterial::load(&TlsSource::Development {
            dir: self._dir.path().join("tls"),
            names: vec![],
        })
        .unwrap();
        let address = self.url.trim_start_matches("https://").to_owned();
        let listener = std::net::TcpListener::bind(&address).unwrap();
        let keys = comptoir_server::keys::KeyStore::open(&self.key_store()).unwrap();
        let server = Server::new(self.db.clone(), tls.pin_pem.clone()).with_customers(keys);
        self.customers = server.customers.clone().expect("customers");
        self.rt.block_on(comptoir_server::customers::sweep(&self.db, &self.customers)).unwrap();
        let config = tls.server_config().unwrap();
        self.rt.spawn(async move { comptoir_server::serve(server, listener, config).await });
    }

    /// The customer key store's file.
    pub fn key_store(&self) -> std::path::PathBuf {
        self._dir.path().join("customer-keys.db")
    }

    /// The server's customers, as its request handlers see them.
    pub fn customers(&self) -> Arc<comptoir_server::customers::Customers> {
        self.customers.clone()
    }

    /// The folder of the server's files (its SQLite database, its key store, its TLS).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn postgres_url(&self) -> &str {
        &self._pg.as_ref().expect("a PostgreSQL server").url
    }

    /// Copies the development CA and certificate, so another server process presents the
    /// same certificate.
    pub fn copy_tls_to(&self, to: &std::path::Path) {
        for name in ["ca.pem", "server.pem", "server.key"] {
            std::fs::copy(self._dir.path().join("tls").join(name), to.join(name)).unwrap();
        }
    }

    pub fn add_store(&self, code: &str, currency: &str, tz: &str) {
        self.rt.block_on(admin::add_store(&self.db, code, code, currency, tz)).unwrap();
    }

    /// A new register of `store` and its one-time code.
    pub fn add_register(&self, store: &str) -> admin::IssuedCode {
        self.rt
            .block_on(admin::add_register(&self.db, store, None, None, chrono::Duration::hours(1)))
            .unwrap()
    }

    /// A new one-time code for a register (after a reinstall, a reinstatement).
    pub fn new_code(&self, register_id: &str) -> String {
        self.rt
            .block_on(admin::new_code(&self.db, register_id, chrono::Duration::hours(1)))
            .unwrap()
            .code
    }

    /// A raw HTTPS client that trusts the server's CA.
    pub fn client(&self) -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(self.pin_pem.as_bytes()).unwrap())
            .build()
            .unwrap()
    }
}

pub fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// Opens the register in `dir`. Another test of this binary spawning a process at this instant
/// holds a copy of the lock file's descriptor between its fork and its exec, so a register
/// just closed may still look open for a moment: that moment is waited out (5 s at most).
fn open_waiting(dir: &std::path::Path, clock: &Arc<ManualClock>) -> Register {
    let started = std::time::Instant::now();
    loop {
        let options =
            OpenOptions { clock: Box::new(clock.clone()), printer: None, persist_cart: true };
        match Register::open(dir, options) {
            Err(e) if e.code == "already_running" && started.elapsed().as_secs() < 5 => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other.unwrap(),
        }
    }
}

/// A demo register in a temporary folder, the manager signed in and a shift open.
pub struct Till {
    pub dir: tempfile::TempDir,
    pub clock: Arc<ManualClock>,
    pub register: Register,
}

impl Till {
    pub fn new(store: &str) -> Till {
        Till::numbered(store, 1)
    }

    /// Register `number` of `store`, the manager signed in and a shift open.
    pub fn numbered(store: &str, number: i64) -> Till {
        let mut till = Till::bare(store, number);
        till.register.open_shift("150.00").unwrap();
        till
    }

    /// Register `number` of `store` as installed: nothing recorded yet, the manager signed in.
    pub fn bare(store: &str, number: i64) -> Till {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(at("2026-12-03T15:00:00Z")));
        let options =
            OpenOptions { clock: Box::new(clock.clone()), printer: None, persist_cart: true };
        let mut register = Register::init_demo(dir.path(), store, number, options).unwrap();
        register.sign_in(&Pin::new("1234")).unwrap();
        Till { dir, clock, register }
    }

    /// A Montréal till enrolled with `server` under a new register.
    pub fn enrolled(server: &TestServer) -> Till {
        let issued = server.add_register("montreal");
        let mut till = Till::numbered("montreal", issued.register.number);
        till.register
            .enrol(&server.url, &issued.code, Trust::Fingerprint(server.fingerprint.clone()))
            .unwrap();
        till
    }

    /// Opens the register in `dir` (after a restore), the manager signed in.
    pub fn reopen(dir: tempfile::TempDir, clock: Arc<ManualClock>) -> Till {
        let mut register = open_waiting(dir.path(), &clock);
        register.sign_in(&Pin::new("1234")).unwrap();
        Till { dir, clock, register }
    }

    /// Closes the register and opens it again on the same folder, as after a crash between a
    /// commit and its upload; the manager signs in again.
    pub fn restart(self) -> Till {
        let Till { dir, clock, register } = self;
        drop(register);
        let mut register = open_waiting(dir.path(), &clock);
        register.sign_in(&Pin::new("1234")).unwrap();
        Till { dir, clock, register }
    }

    /// Rings up peanuts and truffles, paid in cash: one sale.
    pub fn sell(&mut self) {
        self.register.scan(PEANUTS).unwrap();
        self.register.scan(TRUFFLES).unwrap();
        self.register.tender_cash("20.00").unwrap().expect("paid");
        self.clock.advance(chrono::Duration::seconds(40));
    }

    /// Peanuts, two truffles and a zero-rated sriracha (as its 12-digit UPC-A), paid in cash.
    pub fn sell_mixed(&mut self) {
        self.register.scan(PEANUTS).unwrap();
        self.register.scan(TRUFFLES).unwrap();
        self.register.scan(TRUFFLES).unwrap();
        self.register.scan(SRIRACHA_UPC_A).unwrap();
        self.register.tender_cash("50.00").unwrap().expect("paid");
        self.clock.advance(chrono::Duration::seconds(40));
    }

    /// The register's database, opened beside the register (WAL lets both in).
    pub fn store(&self) -> Store {
        Store::open(&self.dir.path().join("register.db")).unwrap()
    }

    pub fn entries(&self) -> Vec<Entry> {
        self.store().entries_after(0, 0, 100_000).unwrap()
    }

    pub fn sync_server(&self) -> SyncServer {
        self.store().sync_server().unwrap().expect("enrolled")
    }

    pub fn transport(&self) -> HttpTransport {
        HttpTransport::new(&self.sync_server()).unwrap()
    }
}
