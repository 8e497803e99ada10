//! Promotions after a scan: a 200-line cart against 1,000 promotions in force, repriced by the
//! engine that priced it before the scan (one component re-solved), against a full recompute
//! (the engine built from the promotions and the whole cart priced).

use chrono::NaiveDate;
use comptoir_core::LineId;
use comptoir_core::money::Money;
use comptoir_core::promo::{
    PromoContext, PromoEngine, PromoLine, Promotion, Reward, Rule, Selector,
};
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use std::hint::black_box;

fn sku(n: u32) -> String {
    format!("S{n:04}")
}

fn unit_price(n: u32) -> i64 {
    99 + i64::from(n * 37 % 900)
}

fn skus(list: &[u32]) -> Selector {
    Selector::Skus(list.iter().map(|&n| sku(n)).collect())
}

/// Six kinds in turn over SKUs S0000 to S0999, and a spend threshold every hundredth: groups
/// of five neighbouring SKUs are joined by a buy-get, a bundle and a buy-this-get-that.
fn rule(n: u32) -> Rule {
    let price = unit_price(n);
    if n % 100 == 99 {
        return Rule::SpendThreshold {
            items: Selector::All,
            min_spend: Money::from_minor(5_000 * i64::from(n / 100 + 1)),
            reward: Reward::AmountOff(Money::from_minor(500)),
        };
    }
    match n % 6 {
        0 => Rule::MixMatch { items: skus(&[n]), qty: 2, price: Money::from_minor(2 * price - 50) },
        1 => Rule::QuantityTier {
            items: skus(&[n]),
            tiers: vec![(3, Reward::PercentOff(Decimal::TEN)), (6, Reward::PercentOff(20.into()))],
        },
        2 => Rule::BuyGet {
            buy: skus(&[n, n + 1]),
            buy_qty: 2,
            get: skus(&[n, n + 1]),
            get_qty: 1,
            reward: Reward::Free,
        },
        3 => {
            let sum: i64 = (n..n + 3).map(unit_price).sum();
            Rule::Bundle {
                parts: vec![(skus(&[n]), 1), (skus(&[n + 1]), 1), (skus(&[n + 2]), 1)],
                price: Money::from_minor(sum - 100),
            }
        }
        4 => Rule::MemberPrice { items: skus(&[n]), unit_price: Money::from_minor(price - 20) },
        _ => Rule::BuyGet {
            buy: skus(&[n]),
            buy_qty: 1,
            get: skus(&[n + 1]),
            get_qty: 1,
            reward: Reward::PercentOff(50.into()),
        },
    }
}

fn promotions() -> Vec<Promotion> {
    let from = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    (0..1000)
        .map(|n| Promotion {
            id: format!("P-2026-{n:04}"),
            label: format!("promotion {n}"),
            rule: rule(n),
            from,
            to: None,
            stores: Vec::new(),
            segments: Vec::new(),
            members_only: false,
            coupon: None,
        })
        .collect()
}

/// 200 lines, SKUs S0000 to S0199, one to four units each.
fn cart() -> Vec<PromoLine> {
    (0..200)
        .map(|n| PromoLine {
            id: LineId(n + 1),
            sku: sku(n),
            unit_price: Money::from_minor(unit_price(n)),
            quantity: Decimal::from(1 + n % 4),
            eligible: true,
        })
        .collect()
}

fn promo(c: &mut Criterion) {
    let promos = promotions();
    let at = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap().and_hms_opt(12, 0, 0).unwrap();
    let ctx = PromoContext { store: "MTL01", at, segments: &[], member: true, coupons: &[] };
    let before = cart();
    // The scan: one more unit of S0104, in a group of five SKUs (S0104 to S0108) that a
    // buy-get, a bundle and a buy-this-get-that join, with a member price and a mix-and-match.
    let mut after = before.clone();
    after[104].quantity += Decimal::ONE;

    let mut group = c.benchmark_group("promo");
    group.bench_function("full_200_lines_1000_promotions", |b| {
        b.iter(|| black_box(PromoEngine::new(&promos, &ctx).price(black_box(&after))))
    });
    let mut engine = PromoEngine::new(&promos, &ctx);
    engine.price(&before);
    let mut scanned = false;
    // Each pricing follows a one-unit change: the scan, then its void, and so on.
    group.bench_function("scan_200_lines_1000_promotions", |b| {
        b.iter(|| {
            scanned = !scanned;
            let cart = if scanned { &after } else { &before };
            black_box(engine.price(black_box(cart)))
        })
    });
    group.bench_function("unchanged_200_lines_1000_promotions", |b| {
        b.iter(|| black_box(engine.price(black_box(&before))))
    });
    group.finish();
}

criterion_group!(benches, promo);
criterion_main!(benches);
