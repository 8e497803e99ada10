//! Scan to cart update in the core: look a barcode up in a 50,000-SKU catalog, add it to a
//! 100-line cart and reprice the whole cart (taxes per rate, totals), against the lookup alone.

use chrono::NaiveDate;
use comptoir_core::catalog::{Item, ItemKind, Sku};
use comptoir_core::gtin::{Gtin14, check_digit};
use comptoir_core::money::Money;
use comptoir_core::tax::{TaxClass, TaxDefinition, TaxRate, TaxRegime, TaxRounding};
use comptoir_core::{Cart, Catalog};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use std::hint::black_box;

fn gtin(n: u64) -> Gtin14 {
    let body = format!("{:012}", 400_000_000_000 + n);
    let digit = check_digit(&body).unwrap_or(0);
    Gtin14::parse(&format!("{body}{digit}")).unwrap()
}

fn catalog() -> Catalog {
    let items = (0..50_000u64)
        .map(|n| Item {
            sku: Sku(format!("S{n}")),
            gtin: Some(gtin(n)),
            name: format!("Produit numéro {n}"),
            name_fr: None,
            price: Some(Money::from_minor(99 + (n as i64 % 2000))),
            tax_class: TaxClass::new(if n % 3 == 0 { "zero_rated" } else { "standard" }),
            kind: ItemKind::Item,
            schedule: Vec::new(),
        })
        .collect();
    Catalog::new(items)
}

fn quebec() -> TaxRegime {
    let from = NaiveDate::from_ymd_opt(2013, 1, 1).unwrap();
    let rate =
        |class: &str, rate: Decimal| TaxRate { class: TaxClass::new(class), rate, from, to: None };
    TaxRegime {
        prices_include_tax: false,
        rounding: TaxRounding::PerRateOverSale,
        taxes: vec![
            TaxDefinition {
                code: "GST".into(),
                rates: vec![
                    rate("standard", Decimal::new(5, 2)),
                    rate("zero_rated", Decimal::ZERO),
                ],
            },
            TaxDefinition {
                code: "QST".into(),
                rates: vec![
                    rate("standard", Decimal::new(9975, 5)),
                    rate("zero_rated", Decimal::ZERO),
                ],
            },
        ],
    }
}

fn scan(c: &mut Criterion) {
    let catalog = catalog();
    let regime = quebec();
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let mut cart = Cart::new();
    for n in 0..100u64 {
        cart.add_item(catalog.lookup(gtin(n * 487).as_str()).unwrap(), Decimal::ONE).unwrap();
    }
    let code = gtin(31_337).display().to_owned();
    let mut group = c.benchmark_group("scan");
    group.bench_function("lookup_50k", |b| b.iter(|| black_box(catalog.lookup(black_box(&code)))));
    group.bench_function("scan_100_line_cart_50k_catalog", |b| {
        b.iter_batched_ref(
            || cart.clone(),
            |cart| {
                let item = catalog.lookup(black_box(&code)).unwrap();
                cart.add_item(item, Decimal::ONE).unwrap();
                black_box(cart.price(&regime, day))
            },
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
