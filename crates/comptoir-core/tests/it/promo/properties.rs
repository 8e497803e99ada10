//! Properties on random small carts: exact against the brute force, never a negative line,
//! the same outcome twice and in any line order, and incremental pricing equal to a full one.

use comptoir_core::LineId;
use comptoir_core::money::Money;
use comptoir_core::promo::{PromoEngine, PromoLine, Promotion, Reward, Rule, Selector};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::brute::{self, Unit};
use super::{ctx, line, promo, skus};

const SKUS: [&str; 3] = ["a", "b", "c"];

fn selector() -> impl Strategy<Value = Selector> {
    prop_oneof![
        1 => Just(Selector::All),
        5 => (1u8..8).prop_map(|mask| {
            let chosen: Vec<&str> =
                (0..3).filter(|b| mask & (1 << b) != 0).map(|b| SKUS[b]).collect();
            skus(&chosen)
        }),
    ]
}

fn reward() -> impl Strategy<Value = Reward> {
    prop_oneof![
        Just(Reward::Free),
        prop_oneof![Just(10), Just(25), Just(50)]
            .prop_map(|p| Reward::PercentOff(Decimal::from(p))),
        (25i64..300).prop_map(|m| Reward::AmountOff(Money::from_minor(m))),
        (0i64..300).prop_map(|m| Reward::FixedPrice(Money::from_minor(m))),
    ]
}

fn unit_rule() -> impl Strategy<Value = Rule> {
    prop_oneof![
        (selector(), 1u32..3, 1u32..3, reward()).prop_map(|(items, buy_qty, get_qty, reward)| {
            Rule::BuyGet { buy: items.clone(), buy_qty, get: items, get_qty, reward }
        }),
        (selector(), 0u32..3, selector(), 1u32..3, reward()).prop_map(
            |(buy, buy_qty, get, get_qty, reward)| Rule::BuyGet {
                buy,
                buy_qty,
                get,
                get_qty,
                reward
            }
        ),
        (selector(), prop::collection::vec((1u32..5, reward()), 1..3))
            .prop_map(|(items, tiers)| Rule::QuantityTier { items, tiers }),
        (selector(), 1u32..4, 100i64..800).prop_map(|(items, qty, price)| Rule::MixMatch {
            items,
            qty,
            price: Money::from_minor(price)
        }),
        (prop::collection::vec((selector(), 1u32..3), 1..3), 100i64..900)
            .prop_map(|(parts, price)| Rule::Bundle { parts, price: Money::from_minor(price) }),
        (selector(), 50i64..300)
            .prop_map(|(items, p)| Rule::MemberPrice { items, unit_price: Money::from_minor(p) }),
    ]
}

fn spend_rule() -> impl Strategy<Value = Rule> {
    (selector(), 0i64..2000, reward()).prop_map(|(items, min, reward)| Rule::SpendThreshold {
        items,
        min_spend: Money::from_minor(min),
        reward,
    })
}

fn promotions(
    rule: impl Strategy<Value = Rule>,
    most: usize,
) -> impl Strategy<Value = Vec<Promotion>> {
    prop::collection::vec(rule, 1..=most).prop_map(|rules| {
        rules.into_iter().enumerate().map(|(i, r)| promo(&format!("P-{i}"), r)).collect()
    })
}

/// Whole-unit lines, at most `units` units in all; ids 1.. in order.
fn whole_lines(units: u32) -> impl Strategy<Value = Vec<PromoLine>> {
    let price = prop_oneof![Just(100i64), Just(250), Just(275), Just(400)];
    prop::collection::vec((0usize..3, price, 1u32..4), 1..5).prop_map(move |specs| {
        let mut left = units;
        let mut lines = Vec::new();
        for (i, (sku, price, qty)) in specs.into_iter().enumerate() {
            let qty = qty.min(left);
            if qty == 0 {
                break;
            }
            left -= qty;
            lines.push(line(i as u32 + 1, SKUS[sku], price, Decimal::from(qty)));
        }
        lines
    })
}

/// Any lines: whole units, weighed quantities, ineligible ones.
fn any_lines() -> impl Strategy<Value = Vec<PromoLine>> {
    let quantity = prop_oneof![
        3 => (1i64..5).prop_map(Decimal::from),
        1 => (1i64..3000).prop_map(|g| Decimal::new(g, 3)),
    ];
    prop::collection::vec((0usize..3, 1i64..1000, quantity, prop::bool::weighted(0.9)), 1..8)
        .prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(|(i, (sku, price, quantity, eligible))| PromoLine {
                    eligible,
                    ..line(i as u32 + 1, SKUS[sku], price, quantity)
                })
                .collect()
        })
}

fn units_of(lines: &[PromoLine]) -> Vec<Unit> {
    let mut units = Vec::new();
    for l in lines {
        let n: u32 = l.quantity.to_string().parse().unwrap();
        units.extend((0..n).map(|_| (l.sku.clone(), l.unit_price.minor())));
    }
    units
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_unit_stage_finds_the_brute_force_optimum(
        lines in whole_lines(6),
        promos in promotions(unit_rule(), 3),
    ) {
        let outcome = PromoEngine::new(&promos, &ctx(true, &[])).price(&lines);
        prop_assert!(outcome.is_exact());
        let rules: Vec<Rule> = promos.iter().map(|p| p.rule.clone()).collect();
        let expected = brute::best_saving(&units_of(&lines), &rules);
        prop_assert_eq!(outcome.saving().minor(), expected);
    }

    #[test]
    fn no_line_goes_below_zero_and_the_parts_add_up(
        lines in any_lines(),
        mut promos in promotions(unit_rule(), 3),
        spend in promotions(spend_rule(), 2),
    ) {
        promos.extend(spend.into_iter().map(|p| Promotion { id: format!("S{}", p.id), ..p }));
        let outcome = PromoEngine::new(&promos, &ctx(true, &[])).price(&lines);
        for (id, discount) in outcome.line_discounts() {
            let line = lines.iter().find(|l| l.id == id).unwrap();
            prop_assert!(line.eligible);
            prop_assert!(discount <= line.amount(), "{id:?}: {discount:?} > {:?}", line.amount());
        }
        for applied in &outcome.applied {
            prop_assert!(applied.lines.iter().all(|(_, m)| *m > Money::ZERO));
            prop_assert_eq!(applied.saving, applied.lines.iter().map(|(_, m)| *m).sum::<Money>());
        }
    }

    #[test]
    fn the_same_cart_in_any_order_prices_the_same(
        lines in any_lines(),
        mut promos in promotions(unit_rule(), 3),
        spend in promotions(spend_rule(), 2),
        seed in any::<u64>(),
    ) {
        promos.extend(spend.into_iter().map(|p| Promotion { id: format!("S{}", p.id), ..p }));
        let mut engine = PromoEngine::new(&promos, &ctx(true, &[]));
        let first = engine.price(&lines);
        prop_assert_eq!(&first, &engine.price(&lines));
        let mut shuffled = lines.clone();
        shuffle(&mut shuffled, seed);
        promos.reverse();
        prop_assert_eq!(&first, &PromoEngine::new(&promos, &ctx(true, &[])).price(&shuffled));
    }

    #[test]
    fn incremental_pricing_equals_a_full_one(
        start in any_lines(),
        edits in prop::collection::vec((0u8..3, 0usize..8, 1i64..4), 1..8),
        mut promos in promotions(unit_rule(), 4),
        spend in promotions(spend_rule(), 1),
    ) {
        promos.extend(spend.into_iter().map(|p| Promotion { id: format!("S{}", p.id), ..p }));
        let mut engine = PromoEngine::new(&promos, &ctx(true, &[]));
        let mut lines = start;
        let mut next_id = 100;
        for (op, at, qty) in edits {
            edit(&mut lines, op, at, qty, &mut next_id);
            let full = PromoEngine::new(&promos, &ctx(true, &[])).price(&lines);
            prop_assert_eq!(engine.price(&lines), full);
        }
    }
}

/// Adds a line like an existing one, removes one, or sets one's quantity.
fn edit(lines: &mut Vec<PromoLine>, op: u8, at: usize, qty: i64, next_id: &mut u32) {
    if lines.is_empty() {
        lines.push(line(*next_id, "a", 250, Decimal::from(qty)));
        *next_id += 1;
        return;
    }
    let at = at % lines.len();
    match op {
        0 => {
            let copy = PromoLine { id: LineId(*next_id), ..lines[at].clone() };
            *next_id += 1;
            lines.push(copy);
        }
        1 => {
            lines.remove(at);
        }
        _ => lines[at].quantity = Decimal::from(qty),
    }
}

/// A deterministic Fisher-Yates shuffle driven by a seed (no randomness in the code under test).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        items.swap(i, (seed >> 33) as usize % (i + 1));
    }
}
