//! A durable sale commit (next receipt number, hash-chained ledger entry, cleared cart: one
//! transaction, WAL, synchronous=FULL), as `Register::commit_sale` writes it, against a bare
//! single-row insert with the same connection settings, a prepared statement and the same disk.
//! The receipt's print job is queued after the commit (rebuilt from the ledger after a crash),
//! so it is not part of the durable commit.
//!
//! An fsync's latency on a virtual disk swings by 3x within seconds, so the two are measured
//! interleaved: each timed commit of one kind is followed by an untimed one of the other, and
//! both figures see the same disk.

use std::time::{Duration, Instant};

use comptoir_store::{NewEntry, RegisterRow, Store};
use criterion::{Criterion, criterion_group, criterion_main};

/// Benchmarks run on the disk the register would use, not a tmpfs: the target folder.
fn bench_dir() -> tempfile::TempDir {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "target".into());
    std::fs::create_dir_all(&base).unwrap();
    tempfile::tempdir_in(base).unwrap()
}

fn sale_payload() -> String {
    // About the size of a five-line Montréal sale entry.
    let line = r#"{"line":1,"sku":"M0019061093791","barcode":"0019061093791","name":"French Burnt Peanuts","qty":"1","unit_price":"3.89","amount":"3.89","tax_class":"standard","kind":"item","open_price":false,"taxes":[{"code":"GST","rate":"0.05","amount":"0.19"},{"code":"QST","rate":"0.09975","amount":"0.39"}]}"#;
    let lines = [line; 5].join(",");
    format!(
        r#"{{"v":1,"lines":[{lines}],"total":"22.36","tenders":[{{"kind":"cash","tendered":"40.00"}}]}}"#
    )
}

struct Disk {
    _dirs: (tempfile::TempDir, tempfile::TempDir),
    store: Store,
    bare: rusqlite::Connection,
    payload: String,
}

impl Disk {
    fn new() -> Disk {
        let (register_dir, bare_dir) = (bench_dir(), bench_dir());
        let mut store = Store::open(&register_dir.path().join("register.db")).unwrap();
        let register = RegisterRow {
            register_id: "bench".into(),
            store_code: "montreal".into(),
            number: 1,
            epoch: 1,
            store_config: "{}".into(),
            created_at: "2026-12-03T10:00:00-05:00".into(),
        };
        store.initialise(&register, &[]).unwrap();
        let bare = rusqlite::Connection::open(bare_dir.path().join("bare.db")).unwrap();
        bare.pragma_update(None, "journal_mode", "WAL").unwrap();
        bare.pragma_update(None, "synchronous", "FULL").unwrap();
        bare.execute_batch("CREATE TABLE bare (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
            .unwrap();
        Disk { _dirs: (register_dir, bare_dir), store, bare, payload: sale_payload() }
    }

    fn durable_sale(&mut self) {
        let mut tx = self.store.begin().unwrap();
        let n = tx.next_receipt_seq().unwrap();
        tx.append(NewEntry {
            kind: "sale".into(),
            recorded_at: "2026-12-03T10:00:00-05:00".into(),
            business_day: "2026-12-03".into(),
            receipt_no: Some(format!("MTL01-{n:06}")),
            receipt_seq: Some(n),
            external_ref: None,
            payload: self.payload.clone(),
        })
        .unwrap();
        tx.clear_current_cart().unwrap();
        tx.commit().unwrap();
    }

    fn bare_insert(&mut self) {
        self.bare
            .prepare_cached("INSERT INTO bare (payload) VALUES (?1)")
            .unwrap()
            .execute([&self.payload])
            .unwrap();
    }
}

fn commit(c: &mut Criterion) {
    let disk = std::cell::RefCell::new(Disk::new());
    let mut group = c.benchmark_group("commit");
    group.sample_size(40).measurement_time(Duration::from_secs(10));
    group.bench_function("durable_sale", |b| {
        b.iter_custom(|iters| {
            let mut d = disk.borrow_mut();
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                d.durable_sale();
                total += started.elapsed();
                d.bare_insert();
            }
            total
        })
    });
    group.bench_function("bare_insert", |b| {
        b.iter_custom(|iters| {
            let mut d = disk.borrow_mut();
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                d.bare_insert();
                total += started.elapsed();
                d.durable_sale();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, commit);
criterion_main!(benches);
