//! Reconciling registers with the server, over HTTPS on loopback, on SQLite and PostgreSQL,
//! each against a raw bulk insert of the same rows into the same database in the same run.
//!
//! - `reconcile/10k_sales_*`: one register with 10,000 offline sales runs the register's sync
//!   round (`comptoir_app::sync::round`): where the server stands (`ledger:status`), the
//!   upload (1000 per batch), each batch durable on the server and acknowledged, then the
//!   projections pulled: the store's catalog changes and its stock levels.
//! - `ingest/100_registers_*`: 100 registers with 100 sales each upload at once (10,000
//!   entries); the goal is 10,000 entries a second or more.
//! - `reconcile/raw_insert_10k_*`: the same 10,000 rows inserted into the server's `ledger`
//!   table in one transaction with a prepared statement: what the database costs on its own.
//!
//! PostgreSQL is the one `COMPTOIR_TEST_POSTGRES` names (default: postgres@127.0.0.1:5432).

use std::time::{Duration, Instant};

use comptoir_protocol::payload::{self, LineTax, Sale, SaleLine, SaleTax, SaleTender};
use comptoir_protocol::{GENESIS, LedgerEntry};
use comptoir_server::tls::{TlsMaterial, TlsSource};
use comptoir_server::{Db, Server, admin};
use comptoir_store::{RegisterRow, Store};
use comptoir_sync::{HttpTransport, Trust};
use criterion::{Criterion, criterion_group, criterion_main};

/// The Montréal demo store's configuration, as a register holds it (the round reads its time
/// zone to date the catalog it pulls).
const STORE_JSON: &str = include_str!("../../../fixtures/stores/montreal/store.json");

fn bench_dir() -> tempfile::TempDir {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "target".into());
    std::fs::create_dir_all(&base).unwrap();
    tempfile::tempdir_in(base).unwrap()
}

/// A one-line Montréal sale (peanuts, 3.89, GST and QST, paid 5.00 cash, rounded to 4.45).
fn sale(receipt_no: &str) -> String {
    let sale = Sale {
        v: payload::VERSION,
        receipt_no: receipt_no.to_owned(),
        shift_no: Some(1),
        cashier_id: "camille".into(),
        currency: "CAD".into(),
        prices_include_tax: false,
        lines: vec![SaleLine {
            line: 1,
            sku: "M0019061093791".into(),
            barcode: Some("0019061093791".into()),
            name: "French Burnt Peanuts".into(),
            qty: "1".into(),
            unit_price: "3.89".into(),
            amount: "3.89".into(),
            tax_class: "standard".into(),
            kind: "item".into(),
            open_price: false,
            taxes: vec![
                LineTax {
                    code: "GST".into(),
                    rate: "0.05".into(),
                    amount: "0.19".into(),
                    ..Default::default()
                },
                LineTax {
                    code: "QST".into(),
                    rate: "0.09975".into(),
                    amount: "0.39".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }],
        subtotal: "3.89".into(),
        taxes: vec![
            SaleTax {
                code: "GST".into(),
                rate: "0.05".into(),
                base: "3.89".into(),
                amount: "0.19".into(),
                included: false,
                ..Default::default()
            },
            SaleTax {
                code: "QST".into(),
                rate: "0.09975".into(),
                base: "3.89".into(),
                amount: "0.39".into(),
                included: false,
                ..Default::default()
            },
        ],
        total: "4.47".into(),
        cash_rounding: "-0.02".into(),
        tenders: vec![SaleTender::Cash { tendered: "5.00".into() }],
        change: "0.55".into(),
        source: "register".into(),
        invoice: None,
        customer: None,
        ..Default::default()
    };
    serde_json::to_string(&sale).unwrap()
}

/// `n` hash-chained sales, epoch 1.
fn ledger(n: i64, tag: &str) -> Vec<LedgerEntry> {
    let mut previous = GENESIS.to_owned();
    (1..=n)
        .map(|seq| {
            let receipt_no = format!("MTL01-{seq:06}");
            let mut entry = LedgerEntry {
                epoch: 1,
                seq,
                entry_id: format!("{tag}-{seq:08}"),
                kind: "sale".into(),
                recorded_at: "2026-12-03T10:15:00-05:00".into(),
                business_day: "2026-12-03".into(),
                receipt_no: Some(receipt_no.clone()),
                external_ref: None,
                payload: sale(&receipt_no),
                prev_hash: previous.clone(),
                hash: String::new(),
            };
            entry.hash = entry.compute_hash();
            previous = entry.hash.clone();
            entry
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A server on loopback, with its own runtime and a fresh database.
struct Bench {
    rt: tokio::runtime::Runtime,
    db: Db,
    location: String,
    url: String,
    pin_pem: String,
    dir: tempfile::TempDir,
    pg_name: Option<String>,
}

fn pg_admin() -> String {
    std::env::var("COMPTOIR_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

async fn pg_exec(sql: &str) {
    let (client, connection) =
        tokio_postgres::connect(&pg_admin(), tokio_postgres::NoTls).await.expect("PostgreSQL");
    tokio::spawn(connection);
    client.batch_execute(sql).await.unwrap();
}

impl Bench {
    fn start(backend: Backend) -> Bench {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = bench_dir();
        let (location, pg_name) = match backend {
            Backend::Sqlite => (dir.path().join("server.db").display().to_string(), None),
            Backend::Postgres => {
                let name = format!("comptoir_bench_{}", uuid::Uuid::now_v7().simple());
                rt.block_on(pg_exec(&format!("CREATE DATABASE {name}")));
                let base = pg_admin();
                let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
                (url, Some(name))
            }
        };
        let db = rt.block_on(Db::open(&location)).unwrap();
        rt.block_on(admin::add_store(&db, "montreal", "Montréal", "CAD", "America/Toronto"))
            .unwrap();
        let tls = TlsMaterial::load(&TlsSource::Development {
            dir: dir.path().join("tls"),
            names: vec![],
        })
        .unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let keys = comptoir_server::keys::KeyStore::open(&dir.path().join("customer-keys.db"));
        let server = Server::new(db.clone(), tls.pin_pem.clone()).with_customers(keys.unwrap());
        let config = tls.server_config().unwrap();
        rt.spawn(async move { comptoir_server::serve(server, listener, config).await });
        Bench { rt, db, location, url, pin_pem: tls.pin_pem, dir, pg_name }
    }

    /// A register enrolled with the server, its ledger holding `entries` (not yet sent).
    fn register(&self, number: i64, entries: &[LedgerEntry]) -> Store {
        let issued = self
            .rt
            .block_on(admin::add_register(
                &self.db,
                "montreal",
                Some(number),
                None,
                chrono::Duration::hours(1),
            ))
            .unwrap();
        let path = self.dir.path().join(format!("register-{number}.db"));
        let mut store = Store::open(&path).unwrap();
        store
            .initialise(
                &RegisterRow {
                    register_id: format!("till-{number}"),
                    store_code: "montreal".into(),
                    number,
                    epoch: 1,
                    store_config: STORE_JSON.into(),
                    created_at: "2026-12-03T10:00:00-05:00".into(),
                },
                &[],
            )
            .unwrap();
        comptoir_sync::enrol(
            &mut store,
            &self.url,
            &issued.code,
            Trust::Certificate(self.pin_pem.clone()),
            "2026-12-03T15:00:00Z",
        )
        .unwrap();
        store.recover_entries(entries).unwrap();
        store
    }

    /// The same rows straight into the server's `ledger` table, one transaction.
    fn raw_insert(&self, entries: &[LedgerEntry]) -> Duration {
        const SQL: &str = "INSERT INTO ledger (register_id, epoch, seq, store_id, entry_id, kind, \
            recorded_at, business_day, receipt_no, external_ref, payload, prev_hash, hash, received_at) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
        if self.pg_name.is_none() {
            let mut conn = rusqlite::Connection::open(&self.location).unwrap();
            conn.pragma_update(None, "synchronous", "FULL").unwrap();
            conn.busy_timeout(Duration::from_secs(10)).unwrap();
            let started = Instant::now();
            let tx = conn.transaction().unwrap();
            {
                let mut insert = tx.prepare(&SQL.replace('$', "?")).unwrap();
                for e in entries {
                    insert
                        .execute(rusqlite::params![
                            "raw",
                            e.epoch,
                            e.seq,
                            "store",
                            e.entry_id,
                            e.kind,
                            e.recorded_at,
                            e.business_day,
                            e.receipt_no,
                            e.external_ref,
                            e.payload,
                            e.prev_hash,
                            e.hash,
                            "2026-12-03T15:00:00.000Z"
                        ])
                        .unwrap();
                }
            }
            tx.commit().unwrap();
            return started.elapsed();
        }
        let location = self.location.clone();
        let entries = entries.to_vec();
        self.rt.block_on(async move {
            let (mut client, connection) =
                tokio_postgres::connect(&location, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            let started = Instant::now();
            let tx = client.transaction().await.unwrap();
            let insert = tx.prepare(SQL).await.unwrap();
            for e in &entries {
                tx.execute(
                    &insert,
                    &[
                        &"raw",
                        &e.epoch,
                        &e.seq,
                        &"store",
                        &e.entry_id,
                        &e.kind,
                        &e.recorded_at,
                        &e.business_day,
                        &e.receipt_no,
                        &e.external_ref,
                        &e.payload,
                        &e.prev_hash,
                        &e.hash,
                        &"2026-12-03T15:00:00.000Z",
                    ],
                )
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
            started.elapsed()
        })
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        if let Some(name) = self.pg_name.take() {
            // The server's pool goes with the runtime; then the database.
            let rt = std::mem::replace(
                &mut self.rt,
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
            );
            rt.shutdown_timeout(Duration::from_secs(2));
            self.rt.block_on(pg_exec(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
        }
    }
}

fn now() -> String {
    comptoir_server::now()
}

fn reconcile(c: &mut Criterion) {
    let sales = ledger(10_000, "bench");
    let mut group = c.benchmark_group("reconcile");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for (backend, name) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
        group.bench_function(format!("10k_sales_{name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let bench = Bench::start(backend);
                    let mut store = bench.register(1, &sales);
                    let transport =
                        HttpTransport::new(&store.sync_server().unwrap().unwrap()).unwrap();
                    let started = Instant::now();
                    let report = comptoir_app::sync::round(&mut store, &transport, &now).unwrap();
                    total += started.elapsed();
                    assert_eq!((report.accepted, report.pending), (10_000, 0));
                    assert_eq!(report.stock_levels, Some(1), "the one SKU sold");
                    let status = transport.ledger_status().unwrap();
                    assert_eq!(status.epochs[0].high_water, 10_000);
                }
                total
            })
        });
        group.bench_function(format!("raw_insert_10k_{name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let bench = Bench::start(backend);
                    total += bench.raw_insert(&sales);
                }
                total
            })
        });
    }
    group.finish();
}

fn ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    for (backend, name) in [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres")] {
        group.bench_function(format!("100_registers_{name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let bench = Bench::start(backend);
                    let mut registers: Vec<(Store, HttpTransport)> = (1..=100)
                        .map(|n| {
                            let store = bench.register(n, &ledger(100, &format!("r{n}")));
                            let transport =
                                HttpTransport::new(&store.sync_server().unwrap().unwrap()).unwrap();
                            (store, transport)
                        })
                        .collect();
                    let started = Instant::now();
                    std::thread::scope(|s| {
                        for (store, transport) in registers.iter_mut() {
                            s.spawn(move || {
                                let report = comptoir_sync::upload(store, transport, &now).unwrap();
                                assert_eq!(report.accepted, 100);
                            });
                        }
                    });
                    total += started.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, reconcile, ingest);
criterion_main!(benches);
