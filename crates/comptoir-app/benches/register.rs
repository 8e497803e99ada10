//! App start to ready-to-scan: open the register's data folder (schema check, catalog index,
//! printer, saved cart) and build the first view, against opening the bare database. And a
//! scan on a 40-line cart that the demo promotions touch, with the view rebuilt after it (what
//! the till does at every scan: the cart repriced with its promotions). And the same on a
//! 200-line cart against 1,000 promotions in force (issue 4's figure, through the register:
//! the engine kept between scans, taxes and the view), against that cart with no promotion.

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

/// One of six kinds of promotion on SKU `n` and its neighbours (as the core's `promo` bench),
/// and a spend threshold every hundredth, as the promotions file gives them.
fn promotion(n: u32) -> serde_json::Value {
    let sku = |k: u32| format!("S{:04}", k % 1000);
    let skus = |list: &[u32]| serde_json::json!({"skus": list.iter().map(|&k| sku(k)).collect::<Vec<_>>()});
    let price = |k: u32| 99 + i64::from(k % 1000 * 37 % 900);
    let money = |minor: i64| format!("{}.{:02}", minor / 100, minor % 100);
    let rule = if n % 100 == 99 {
        serde_json::json!({"type": "spend_threshold", "items": "all",
            "min_spend": money(5_000 * i64::from(n / 100 + 1)), "reward": {"amount_off": "5.00"}})
    } else {
        match n % 6 {
            0 => {
                serde_json::json!({"type": "mix_match", "items": skus(&[n]), "qty": 2, "price": money(2 * price(n) - 50)})
            }
            1 => serde_json::json!({"type": "quantity_tier", "items": skus(&[n]),
                "tiers": [{"min_qty": 3, "reward": {"percent_off": "10"}}, {"min_qty": 6, "reward": {"percent_off": "20"}}]}),
            2 => serde_json::json!({"type": "buy_get", "buy": skus(&[n, n + 1]), "buy_qty": 2,
                "get": skus(&[n, n + 1]), "get_qty": 1, "reward": "free"}),
            3 => serde_json::json!({"type": "bundle", "parts": [
                {"items": skus(&[n]), "qty": 1}, {"items": skus(&[n + 1]), "qty": 1}, {"items": skus(&[n + 2]), "qty": 1}],
                "price": money((n..n + 3).map(price).sum::<i64>() - 100)}),
            4 => {
                serde_json::json!({"type": "member_price", "items": skus(&[n]), "unit_price": money(price(n) - 20)})
            }
            _ => serde_json::json!({"type": "buy_get", "buy": skus(&[n]), "buy_qty": 1,
                "get": skus(&[n + 1]), "get_qty": 1, "reward": {"percent_off": "50"}}),
        }
    };
    serde_json::json!({"id": format!("B-{n:04}"), "label": {"en": format!("promotion {n}")},
        "rule": rule, "from": "2025-01-01T00:00", "stores": ["montreal"]})
}

/// A register with 1,000 items S0000 to S0999 (and `promotions` of the kinds above) and a
/// 200-line cart of every fifth item, two of each.
fn big_cart(promotions: u32) -> (tempfile::TempDir, Register) {
    let dir = tempfile::tempdir().unwrap();
    let mut register =
        Register::init_demo(dir.path(), "montreal", 1, OpenOptions::default()).unwrap();
    let mut csv = String::from("sku,barcode,name,name_fr,price,tax_class,kind,unit\n");
    for n in 0..1000u32 {
        let price = 99 + n * 37 % 900;
        csv.push_str(&format!(
            "S{n:04},,Item {n},,{}.{:02},standard,item,each\n",
            price / 100,
            price % 100
        ));
    }
    register.import_catalog(&csv, false).unwrap();
    let records: Vec<serde_json::Value> = (0..promotions).map(promotion).collect();
    register.import_promotions(&serde_json::to_string(&records).unwrap()).unwrap();
    register.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
    register.open_shift("100.00").unwrap();
    for n in (0..1000u32).step_by(5) {
        register.set_multiplier("2").unwrap();
        register.scan(&format!("S{n:04}")).unwrap();
    }
    assert_eq!(register.cart().lines().len(), 200);
    (dir, register)
}

fn scan_on_a_200_line_cart(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    for (name, count) in [
        ("scan_then_view_200_lines_1000_promotions", 1000),
        ("scan_then_view_200_lines_no_promotions", 0),
    ] {
        let (_dir, mut register) = big_cart(count);
        group.bench_function(name, |b| {
            b.iter(|| {
                // A third unit of S0500: its tier and mix-and-match move; then back to two.
                let line = register.scan("S0500").unwrap();
                black_box(register.view().unwrap());
                register.set_quantity(line.0, "2").unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, start, scan_with_promotions, scan_on_a_200_line_cart);
criterion_main!(benches);
