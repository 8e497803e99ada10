//! App start to ready-to-scan: open the register's data folder (schema check, catalog index,
//! printer, saved cart) and build the first view, against opening the bare database. And a
//! scan on a 40-line cart that the demo promotions touch, with the view rebuilt after it (what
//! the till does at every scan: the cart repriced with its promotions).

use comptoir_app::{OpenOptions, Register};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn start(c: &mut Criterion) {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "target".into());
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(base).unwrap();
    drop(Register::init_demo(dir.path(), "montreal", 1, OpenOptions::default()).unwrap());
    let mut group = c.benchmark_group("start");
    group.bench_function("open_to_ready_to_scan", |b| {
        b.iter(|| {
            let mut register = Register::open(dir.path(), OpenOptions::default()).unwrap();
            black_box(register.view().unwrap());
        })
    });
    group.bench_function("open_database_only", |b| {
        b.iter(|| black_box(comptoir_store::Store::open(&dir.path().join("register.db")).unwrap()))
    });
    group.finish();
}

fn scan_with_promotions(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut register =
        Register::init_demo(dir.path(), "montreal", 1, OpenOptions::default()).unwrap();
    register.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
    register.open_shift("100.00").unwrap();
    // Popcorn ("2 for 5.00"), lemonades ("3rd free") and 38 other items, one line each.
    let skus: Vec<String> = register.catalog().items().iter().map(|i| i.sku.0.clone()).collect();
    for sku in ["M0852284005161", "M0760045175018"] {
        register.add_item(sku).unwrap();
    }
    for sku in skus.iter().filter(|s| s.starts_with("M3")).take(38) {
        let _ = register.add_item(sku);
    }
    register.enter_coupon("BIENVENUE5").unwrap();
    let mut group = c.benchmark_group("scan");
    group.bench_function("scan_then_view_40_lines_with_promotions", |b| {
        b.iter(|| {
            // The second popcorn makes the pair; taking it off again undoes it.
            let line = register.scan("0852284005161").unwrap();
            black_box(register.view().unwrap());
            register.set_quantity(line.0, "1").unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, start, scan_with_promotions);
criterion_main!(benches);
