//! A durable sale commit (receipt counter, hash-chained ledger entry, print job, cleared cart:
//! one transaction, WAL, synchronous=FULL) against a bare single-row insert with the same
//! connection settings, a prepared statement and the same disk.

use comptoir_store::{NewEntry, PrintJobRow, PrintJobState, RegisterRow, Store};
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

fn commit(c: &mut Criterion) {
    let dir = bench_dir();
    let mut store = Store::open(&dir.path().join("register.db")).unwrap();
    let register = RegisterRow {
        register_id: "bench".into(),
        store_code: "montreal".into(),
        number: 1,
        epoch: 1,
        store_config: "{}".into(),
        created_at: "2026-12-03T10:00:00-05:00".into(),
    };
    store.initialise(&register, &[]).unwrap();
    let payload = sale_payload();
    let document = "1b40".repeat(400);
    let mut group = c.benchmark_group("commit");
    group.sample_size(60);
    group.bench_function("durable_sale", |b| {
        b.iter(|| {
            let mut tx = store.begin().unwrap();
            let n = tx.next_counter("receipt").unwrap();
            let receipt_no = format!("MTL01-{n:06}");
            tx.append(NewEntry {
                kind: "sale".into(),
                recorded_at: "2026-12-03T10:00:00-05:00".into(),
                business_day: "2026-12-03".into(),
                receipt_no: Some(receipt_no.clone()),
                external_ref: None,
                payload: payload.clone(),
            })
            .unwrap();
            tx.queue_print_job(&PrintJobRow {
                id: receipt_no.clone(),
                created_at: "2026-12-03T10:00:00-05:00".into(),
                kind: "receipt".into(),
                receipt_no: Some(receipt_no),
                document: document.clone(),
                state: PrintJobState::Pending,
                error: None,
                attempts: 0,
            })
            .unwrap();
            tx.clear_current_cart().unwrap();
            tx.commit().unwrap();
        })
    });

    let bare_dir = bench_dir();
    let bare = rusqlite::Connection::open(bare_dir.path().join("bare.db")).unwrap();
    bare.pragma_update(None, "journal_mode", "WAL").unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE bare (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        .unwrap();
    let mut insert = bare.prepare("INSERT INTO bare (payload) VALUES (?1)").unwrap();
    group.bench_function("bare_insert", |b| b.iter(|| insert.execute([&payload]).unwrap()));
    group.finish();
}

criterion_group!(benches, commit);
criterion_main!(benches);
