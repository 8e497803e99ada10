//! Promotions priced by hand, and the engine's exactness, bounds and determinism as properties.

use chrono::{NaiveDate, NaiveDateTime};
use comptoir_core::LineId;
use comptoir_core::money::Money;
use comptoir_core::promo::{
    FallbackReason, Invalid, PromoContext, PromoEngine, PromoLine, PromoOutcome, Promotion, Reward,
    Rule, Selector, price_promotions,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

mod brute;
mod properties;

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

fn money(minor: i64) -> Money {
    Money::from_minor(minor)
}

pub(crate) fn skus(list: &[&str]) -> Selector {
    Selector::Skus(list.iter().map(|s| s.to_string()).collect())
}

pub(crate) fn promo(id: &str, rule: Rule) -> Promotion {
    Promotion {
        id: id.into(),
        label: id.into(),
        rule,
        from: at(2026, 1, 1, 0),
        to: None,
        stores: Vec::new(),
        segments: Vec::new(),
        members_only: false,
        coupon: None,
    }
}

pub(crate) fn line(id: u32, sku: &str, price: i64, quantity: Decimal) -> PromoLine {
    PromoLine {
        id: LineId(id),
        sku: sku.into(),
        unit_price: money(price),
        quantity,
        eligible: true,
    }
}

pub(crate) fn ctx<'a>(member: bool, coupons: &'a [String]) -> PromoContext<'a> {
    PromoContext { store: "MTL01", at: at(2026, 12, 3, 12), segments: &[], member, coupons }
}

fn price(promotions: &[Promotion], lines: &[PromoLine]) -> PromoOutcome {
    price_promotions(promotions, &ctx(false, &[]), lines)
}

/// `P-1 x2: L1 -2.00, L2 -0.50` per promotion, one a line, cents shown as minor units.
fn render(outcome: &PromoOutcome) -> String {
    outcome
        .applied
        .iter()
        .map(|a| {
            let lines: Vec<String> =
                a.lines.iter().map(|(l, m)| format!("L{} -{}", l.0, m.minor())).collect();
            format!("{} x{}: {}", a.promotion, a.times, lines.join(", "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn cheapest_of(n: u32, items: Selector, reward: Reward) -> Rule {
    Rule::BuyGet { buy: items.clone(), buy_qty: n - 1, get: items, get_qty: 1, reward }
}

#[test]
fn buy_three_the_cheapest_is_free() {
    // 2.00 + 3.00 + 4.00, the cheapest of three free: 2.00 off, on the 2.00 line.
    let promos = [promo("P-1", cheapest_of(3, skus(&["a", "b", "c"]), Reward::Free))];
    let lines =
        [line(1, "c", 400, dec!(1)), line(2, "a", 200, dec!(1)), line(3, "b", 300, dec!(1))];
    let outcome = price(&promos, &lines);
    assert_eq!(render(&outcome), "P-1 x1: L2 -200");
    assert!(outcome.is_exact());
}

#[test]
fn cheapest_free_groups_units_by_price_so_the_dearest_free_ones_come_first() {
    // Six units at 9, 8, 7, 3, 2, 1 (in the order scanned), cheapest of three free: the best
    // grouping is (9 8 7) and (3 2 1), so 7.00 and 1.00 are free: 8.00. Grouping (9 8 1) and
    // (7 3 2) would give only 3.00.
    let promos = [promo("P-1", cheapest_of(3, Selector::All, Reward::Free))];
    let prices = [100, 900, 300, 800, 200, 700];
    let lines: Vec<PromoLine> = prices
        .iter()
        .enumerate()
        .map(|(i, p)| line(i as u32 + 1, &format!("s{i}"), *p, dec!(1)))
        .collect();
    let outcome = price(&promos, &lines);
    assert_eq!(outcome.saving(), money(800));
    assert_eq!(render(&outcome), "P-1 x2: L1 -100, L6 -700");
}

#[test]
fn two_for_five_and_three_for_six_on_five_units() {
    // Five units of 2.75 (13.75). "3 for 6.00" + "2 for 5.00" = 11.00 (saves 2.75);
    // "2 for 5.00" twice + one at 2.75 = 12.75; "3 for 6.00" + two at 2.75 = 11.50.
    // So both, once: 8.25 - 6.00 = 2.25 and 5.50 - 5.00 = 0.50.
    let promos = [
        promo("P-2for5", Rule::MixMatch { items: skus(&["soda"]), qty: 2, price: money(500) }),
        promo("P-3for6", Rule::MixMatch { items: skus(&["soda"]), qty: 3, price: money(600) }),
    ];
    let outcome = price(&promos, &[line(1, "soda", 275, dec!(5))]);
    assert_eq!(render(&outcome), "P-2for5 x1: L1 -50\nP-3for6 x1: L1 -225");
    assert_eq!(outcome.saving(), money(275));
}

#[test]
fn a_bundle_and_a_mix_and_match_sharing_fries() {
    // Burger 5.00, fries 3.00 x2, drink 2.00 x2. Combo burger+fries+drink 8.00 saves 2.00;
    // "any 2 of fries and drinks for 4.00" saves 2.00 on two fries, 1.00 on fries+drink,
    // nothing on two drinks. Best: the combo and one fries+drink pair, 3.00. (Taking the
    // largest single saving first, the pair of fries, with its smaller id, would stop at 2.00.)
    // The combo's 2.00 over 5/3/2: 1.00, 0.60, 0.40; the pair's 1.00 over 3/2: 0.60, 0.40.
    let promos = [
        promo(
            "P-1",
            Rule::MixMatch { items: skus(&["fries", "drink"]), qty: 2, price: money(400) },
        ),
        promo(
            "P-2",
            Rule::Bundle {
                parts: vec![(skus(&["burger"]), 1), (skus(&["fries"]), 1), (skus(&["drink"]), 1)],
                price: money(800),
            },
        ),
    ];
    let lines = [
        line(1, "burger", 500, dec!(1)),
        line(2, "fries", 300, dec!(2)),
        line(3, "drink", 200, dec!(2)),
    ];
    let outcome = price(&promos, &lines);
    assert_eq!(outcome.saving(), money(300));
    assert_eq!(render(&outcome), "P-1 x1: L2 -60, L3 -40\nP-2 x1: L1 -100, L2 -60, L3 -40");
}

#[test]
fn a_tier_and_a_member_price_on_the_same_coffee() {
    // Four coffees at 10.00; tier 3+ at 10 % off (1.00 each), 6+ at 20 %.
    let tier = promo(
        "P-tier",
        Rule::QuantityTier {
            items: skus(&["coffee"]),
            tiers: vec![(3, Reward::PercentOff(dec!(10))), (6, Reward::PercentOff(dec!(20)))],
        },
    );
    let member = |price: i64| {
        promo("P-member", Rule::MemberPrice { items: skus(&["coffee"]), unit_price: money(price) })
    };
    let lines = [line(1, "coffee", 1000, dec!(4))];
    let as_member = |promos: &[Promotion]| price_promotions(promos, &ctx(true, &[]), &lines);

    // Not a member: the tier, 4 x 1.00.
    let outcome = price(&[tier.clone(), member(920)], &lines);
    assert_eq!(render(&outcome), "P-tier x1: L1 -400");
    // Member at 9.20 (0.80 off): tier on all four 4.00 beats tier on three and one member
    // price (3.00 + 0.80) and four member prices (3.20).
    let outcome = as_member(&[tier.clone(), member(920)]);
    assert_eq!(render(&outcome), "P-tier x1: L1 -400");
    // Member at 8.50 (1.50 off): four member prices 6.00 beat tier on three + one (4.50).
    let outcome = as_member(&[tier, member(850)]);
    assert_eq!(render(&outcome), "P-member x4: L1 -600");
}

#[test]
fn a_tier_counts_units_it_takes_at_its_best_tier() {
    // Seven units of 1.00: 6+ at 20 % beats 3+ at 10 %: 7 x 0.20 = 1.40. With 5 units: 3+:
    // 5 x 0.10 = 0.50.
    let tier = promo(
        "P-1",
        Rule::QuantityTier {
            items: skus(&["can"]),
            tiers: vec![(3, Reward::PercentOff(dec!(10))), (6, Reward::PercentOff(dec!(20)))],
        },
    );
    let seven = price(std::slice::from_ref(&tier), &[line(1, "can", 100, dec!(7))]);
    assert_eq!(render(&seven), "P-1 x1: L1 -140");
    let five = price(&[tier], &[line(1, "can", 100, dec!(5))]);
    assert_eq!(render(&five), "P-1 x1: L1 -50");
}

#[test]
fn a_percentage_rounds_half_up_once_per_application() {
    // Third at half price on 2.75: 1.375 rounds half up to 1.38. Six units: twice, 2.76.
    let promos = [promo("P-1", cheapest_of(3, skus(&["tea"]), Reward::PercentOff(dec!(50))))];
    let outcome = price(&promos, &[line(1, "tea", 275, dec!(6))]);
    assert_eq!(render(&outcome), "P-1 x2: L1 -276");
}

#[test]
fn buy_two_shampoos_get_a_conditioner_free() {
    // Buy 2 of A (4.00), get 1 of B (6.00) free: B is free though dearer than A, since the
    // selectors differ. Three A and two B: one application (two A bought, one B free).
    let promos = [promo(
        "P-1",
        Rule::BuyGet {
            buy: skus(&["shampoo"]),
            buy_qty: 2,
            get: skus(&["conditioner"]),
            get_qty: 1,
            reward: Reward::Free,
        },
    )];
    let lines = [line(1, "shampoo", 400, dec!(3)), line(2, "conditioner", 600, dec!(2))];
    assert_eq!(render(&price(&promos, &lines)), "P-1 x1: L2 -600");
}

#[test]
fn a_coupon_applies_only_when_entered() {
    let mut coupon = promo("P-1", Rule::MixMatch { items: skus(&["a"]), qty: 1, price: money(50) });
    coupon.coupon = Some("SAVE1".into());
    let lines = [line(1, "a", 150, dec!(1))];
    let without = price_promotions(std::slice::from_ref(&coupon), &ctx(false, &[]), &lines);
    assert!(without.applied.is_empty());
    let other = ["OTHER".to_string()];
    assert!(
        price_promotions(std::slice::from_ref(&coupon), &ctx(false, &other), &lines)
            .applied
            .is_empty()
    );
    let entered = ["SAVE1".to_string()];
    let with = price_promotions(&[coupon], &ctx(false, &entered), &lines);
    assert_eq!(render(&with), "P-1 x1: L1 -100");
}

#[test]
fn dates_stores_segments_and_members_scope_a_promotion() {
    let base = promo("P-1", Rule::MixMatch { items: skus(&["a"]), qty: 1, price: money(50) });
    let lines = [line(1, "a", 150, dec!(1))];
    let applies = |p: &Promotion, ctx: &PromoContext<'_>| {
        !price_promotions(std::slice::from_ref(p), ctx, &lines).applied.is_empty()
    };
    let noon = ctx(false, &[]);

    // From inclusive, to exclusive: the context is 2026-12-03 12:00.
    let dated = |from, to| Promotion { from, to, ..base.clone() };
    assert!(applies(&dated(at(2026, 12, 3, 12), Some(at(2026, 12, 3, 13))), &noon));
    assert!(!applies(&dated(at(2026, 12, 3, 11), Some(at(2026, 12, 3, 12))), &noon));
    assert!(!applies(&dated(at(2026, 12, 3, 13), None), &noon));

    let stores = |s: &[&str]| Promotion {
        stores: s.iter().map(|s| s.to_string()).collect(),
        ..base.clone()
    };
    assert!(applies(&stores(&["LDN01", "MTL01"]), &noon));
    assert!(!applies(&stores(&["LDN01"]), &noon));

    let segmented = Promotion { segments: vec!["staff".into()], ..base.clone() };
    assert!(!applies(&segmented, &noon));
    let staff = ["staff".to_string()];
    assert!(applies(&segmented, &PromoContext { segments: &staff, ..noon }));

    let members = Promotion { members_only: true, ..base.clone() };
    assert!(!applies(&members, &noon));
    assert!(applies(&members, &ctx(true, &[])));
}

#[test]
fn the_engine_says_when_it_goes_out_of_date() {
    let mut later = promo("P-2", Rule::MixMatch { items: skus(&["a"]), qty: 1, price: money(50) });
    later.from = at(2026, 12, 4, 0);
    let mut ending = promo("P-1", Rule::MixMatch { items: skus(&["a"]), qty: 1, price: money(60) });
    ending.to = Some(at(2026, 12, 3, 18));
    let engine = PromoEngine::new(&[later, ending], &ctx(false, &[]));
    assert_eq!(engine.changes_at(), Some(at(2026, 12, 3, 18)));
    assert_eq!(engine.promotions().len(), 1);
}

#[test]
fn a_spend_threshold_counts_the_spend_after_unit_promotions() {
    // A 30.00 and B 22.00 (52.00); B is 20 % off (4.40), so the spend is 47.60: "spend 50.00,
    // get 5.00 off" is not reached.
    let promos = [
        promo(
            "P-1",
            Rule::QuantityTier {
                items: skus(&["b"]),
                tiers: vec![(1, Reward::PercentOff(dec!(20)))],
            },
        ),
        promo(
            "P-2",
            Rule::SpendThreshold {
                items: Selector::All,
                min_spend: money(5000),
                reward: Reward::AmountOff(money(500)),
            },
        ),
    ];
    let short = price(&promos, &[line(1, "a", 3000, dec!(1)), line(2, "b", 2200, dec!(1))]);
    assert_eq!(render(&short), "P-1 x1: L2 -440");
    // With B at 25.00: 5.00 off B, spend 30.00 + 20.00 = 50.00, reached: 5.00 over the nets
    // 30.00 and 20.00 is 3.00 and 2.00.
    let reached = price(&promos, &[line(1, "a", 3000, dec!(1)), line(2, "b", 2500, dec!(1))]);
    assert_eq!(render(&reached), "P-1 x1: L2 -500\nP-2 x1: L1 -300, L2 -200");
}

#[test]
fn overlapping_spend_thresholds_do_not_stack() {
    // 120.00 spent: "50 get 5" and "100 get 15" overlap, the better one applies; "20 on
    // coffee get 2" overlaps them too (the coffee line is theirs). 15.00 alone beats 2.00 + 0.
    let spend = |id: &str, items: Selector, min: i64, off: i64| {
        promo(
            id,
            Rule::SpendThreshold {
                items,
                min_spend: money(min),
                reward: Reward::AmountOff(money(off)),
            },
        )
    };
    let promos = [
        spend("P-1", Selector::All, 5000, 500),
        spend("P-2", Selector::All, 10000, 1500),
        spend("P-3", skus(&["coffee"]), 2000, 200),
    ];
    let lines = [line(1, "coffee", 2400, dec!(1)), line(2, "wine", 9600, dec!(1))];
    let outcome = price(&promos, &lines);
    // 15.00 over 24.00 and 96.00: 3.00 and 12.00.
    assert_eq!(render(&outcome), "P-2 x1: L1 -300, L2 -1200");
    // Thresholds on lines with nothing in common both apply.
    let promos =
        [spend("P-3", skus(&["coffee"]), 2000, 200), spend("P-4", skus(&["wine"]), 5000, 500)];
    assert_eq!(render(&price(&promos, &lines)), "P-3 x1: L1 -200\nP-4 x1: L2 -500");
}

#[test]
fn a_weighed_line_gets_member_prices_and_spend_thresholds_only() {
    // 0.350 kg at 12.99/kg is 4.5465, 4.55; at the member's 10.99/kg, 3.8465, 3.85: 0.70 off.
    // The "any 1 for 1.00" mix-and-match counts whole units only, so not this line.
    let promos = [
        promo("P-1", Rule::MemberPrice { items: skus(&["ham"]), unit_price: money(1099) }),
        promo("P-2", Rule::MixMatch { items: skus(&["ham"]), qty: 1, price: money(100) }),
    ];
    let lines = [line(1, "ham", 1299, dec!(0.350))];
    let outcome = price_promotions(&promos, &ctx(true, &[]), &lines);
    assert_eq!(render(&outcome), "P-1 x1: L1 -70");
}

#[test]
fn ineligible_lines_take_no_part() {
    let promos = [promo("P-1", Rule::MixMatch { items: skus(&["a"]), qty: 1, price: money(50) })];
    let mut overridden = line(1, "a", 150, dec!(1));
    overridden.eligible = false;
    assert!(price(&promos, &[overridden]).applied.is_empty());
}

#[test]
fn an_amount_off_never_makes_a_line_negative() {
    // 3.00 off a 1.99 item, and a "fixed price" above the price: 1.99 off at most, nothing.
    let promos = [
        promo(
            "P-1",
            Rule::QuantityTier {
                items: skus(&["a"]),
                tiers: vec![(1, Reward::AmountOff(money(300)))],
            },
        ),
        promo(
            "P-2",
            Rule::QuantityTier {
                items: skus(&["b"]),
                tiers: vec![(1, Reward::FixedPrice(money(500)))],
            },
        ),
    ];
    let outcome = price(&promos, &[line(1, "a", 199, dec!(2)), line(2, "b", 199, dec!(1))]);
    assert_eq!(render(&outcome), "P-1 x1: L1 -398");
}

#[test]
fn equal_savings_go_to_the_promotion_with_the_smaller_id() {
    // Two "2 for 3.00" on the same SKU: same saving, one application either way.
    let rule = Rule::MixMatch { items: skus(&["a"]), qty: 2, price: money(300) };
    let promos = [promo("P-9", rule.clone()), promo("P-10", rule)];
    // "P-10" < "P-9" as text: ids compare as strings.
    let outcome = price(&promos, &[line(1, "a", 200, dec!(2))]);
    assert_eq!(render(&outcome), "P-10 x1: L1 -100");
}

#[test]
fn equal_savings_go_to_fewer_applications_before_smaller_ids() {
    // Two at 2.00: "1 for 1.50" twice saves 1.00, as does "2 for 3.00" once: the single
    // application wins, though its id comes second.
    let promos = [
        promo("P-1", Rule::MixMatch { items: skus(&["a"]), qty: 1, price: money(150) }),
        promo("P-2", Rule::MixMatch { items: skus(&["a"]), qty: 2, price: money(300) }),
    ];
    let outcome = price(&promos, &[line(1, "a", 200, dec!(2))]);
    assert_eq!(render(&outcome), "P-2 x1: L1 -100");
}

#[test]
fn units_of_one_price_go_to_the_line_with_the_smaller_id() {
    // Two lines of the same SKU and price (a quantity changed, then the same item again):
    // "2 for 3.00" on three units: the application's two units are lines 4 and 7's first.
    let promos = [promo("P-1", Rule::MixMatch { items: skus(&["a"]), qty: 2, price: money(300) })];
    let lines = [line(7, "a", 200, dec!(2)), line(4, "a", 200, dec!(1))];
    // 1.00 over one unit of each: 0.50 and 0.50.
    assert_eq!(render(&price(&promos, &lines)), "P-1 x1: L4 -50, L7 -50");
}

#[test]
fn malformed_promotions_are_left_out_and_named() {
    let promos = [
        promo("P-1", Rule::MixMatch { items: skus(&["a"]), qty: 0, price: money(50) }),
        promo("P-2", Rule::MixMatch { items: skus(&["a"]), qty: 100, price: money(50) }),
        promo(
            "P-3",
            Rule::QuantityTier {
                items: skus(&["a"]),
                tiers: vec![(1, Reward::PercentOff(dec!(150)))],
            },
        ),
    ];
    let engine = PromoEngine::new(&promos, &ctx(false, &[]));
    assert_eq!(
        engine.rejected(),
        [
            ("P-1".to_string(), Invalid::EmptyRule),
            ("P-2".to_string(), Invalid::TooLarge),
            ("P-3".to_string(), Invalid::BadReward)
        ]
    );
}

#[test]
fn a_component_too_big_is_priced_greedily_and_says_so() {
    // "Cheapest of 3 free" over all items joins the whole cart: 40 SKUs of 2 units each have
    // 3^40 count vectors, beyond the exact search. The greedy groups the dearest first.
    let promos = [promo("P-1", cheapest_of(3, Selector::All, Reward::Free))];
    let lines: Vec<PromoLine> =
        (0..40).map(|i| line(i + 1, &format!("s{i:02}"), 100 + i64::from(i), dec!(2))).collect();
    let outcome = price(&promos, &lines);
    assert_eq!(outcome.fallbacks.len(), 1);
    assert_eq!(outcome.fallbacks[0].reason, FallbackReason::TooManyStates);
    assert_eq!(outcome.fallbacks[0].skus.len(), 40);
    // 80 units priced 1.39, 1.39, 1.38, 1.38, ...: every third from the top is free, which for
    // this rule alone is the best: 26 groups.
    assert_eq!(outcome.applied[0].times, 26);
    assert_eq!(outcome, price(&promos, &lines));
}

#[test]
fn a_search_past_its_step_budget_falls_back_and_says_so() {
    // "Any 3 for 2.00" over all items on 17 different items: 2^17 count vectors (within the
    // bound), but the triples built at each state add up to about 770,000 steps.
    let promos = [promo("P-1", Rule::MixMatch { items: Selector::All, qty: 3, price: money(200) })];
    let lines: Vec<PromoLine> =
        (0..17).map(|i| line(i + 1, &format!("s{i:02}"), 100 + i64::from(i), dec!(1))).collect();
    let outcome = price(&promos, &lines);
    assert_eq!(outcome.fallbacks[0].reason, FallbackReason::SearchBudget);
    // The greedy takes the dearest three each time: five triples, saving 3 x 1.00 + the
    // prices' excess; 17 units leave two at full price (the cheapest, 1.00 and 1.01).
    assert_eq!(outcome.applied[0].times, 5);
    let paid: i64 = (2..17).map(|i| 100 + i).sum::<i64>() - 5 * 200;
    assert_eq!(outcome.saving(), money(paid));
}
