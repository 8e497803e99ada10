//! App start to ready-to-scan: open the register's data folder (schema check, catalog index,
//! printer, saved cart) and build the first view, against opening the bare database.

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

criterion_group!(benches, start);
criterion_main!(benches);
