//! The money engine's table of real-world cases, every value worked out by hand in the
//! comments, and its properties over random carts.

use chrono::NaiveDate;
use comptoir_core::catalog::{Item, ItemKind, Sku};
use comptoir_core::discount::{DiscountRule, ManualDiscount};
use comptoir_core::money::{Currency, Money, RoundingMode, allocate, round_to_increment};
use comptoir_core::refund::{PaidLeg, Refunded, SoldLine, SoldTax, plan_refund, refund_line};
use comptoir_core::tax::{TaxClass, TaxDefinition, TaxRate, TaxRegime, TaxRounding};
use comptoir_core::tender::{Settlement, Tender};
use comptoir_core::{Cart, PricedCart};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn m(minor: i64) -> Money {
    Money::from_minor(minor)
}

fn rate(class: &str, rate: Decimal, from: NaiveDate, to: Option<NaiveDate>) -> TaxRate {
    TaxRate { class: TaxClass::new(class), rate, from, to }
}

fn quebec(rounding: TaxRounding) -> TaxRegime {
    let from = day(2013, 1, 1);
    TaxRegime {
        prices_include_tax: false,
        rounding,
        taxes: vec![
            TaxDefinition {
                code: "GST".into(),
                rates: vec![
                    rate("standard", dec!(0.05), from, None),
                    rate("zero_rated", dec!(0), from, None),
                ],
            },
            TaxDefinition {
                code: "QST".into(),
                rates: vec![
                    rate("standard", dec!(0.09975), from, None),
                    rate("zero_rated", dec!(0), from, None),
                ],
            },
        ],
    }
}

fn alberta() -> TaxRegime {
    TaxRegime {
        prices_include_tax: false,
        rounding: TaxRounding::PerLine,
        taxes: vec![TaxDefinition {
            code: "GST".into(),
            rates: vec![rate("standard", dec!(0.05), day(2008, 1, 1), None)],
        }],
    }
}

fn nova_scotia() -> TaxRegime {
    TaxRegime {
        prices_include_tax: false,
        rounding: TaxRounding::PerRateOverSale,
        taxes: vec![TaxDefinition {
            code: "HST".into(),
            rates: vec![
                rate("standard", dec!(0.15), day(2010, 7, 1), Some(day(2025, 3, 31))),
                rate("standard", dec!(0.14), day(2025, 4, 1), None),
            ],
        }],
    }
}

fn uk(rounding: TaxRounding) -> TaxRegime {
    let from = day(2011, 1, 4);
    TaxRegime {
        prices_include_tax: true,
        rounding,
        taxes: vec![TaxDefinition {
            code: "VAT".into(),
            rates: vec![
                rate("standard", dec!(0.20), from, None),
                rate("reduced", dec!(0.05), from, None),
                rate("zero_rated", dec!(0), from, None),
            ],
        }],
    }
}

fn item(sku: &str, price: i64, class: &str) -> Item {
    Item {
        sku: Sku(sku.into()),
        gtin: None,
        name: sku.into(),
        name_fr: None,
        price: Some(m(price)),
        tax_class: TaxClass::new(class),
        kind: ItemKind::Item,
        schedule: Vec::new(),
    }
}

fn cart(items: &[(&str, i64, &str, i64)]) -> Cart {
    let mut cart = Cart::new();
    for (sku, price, class, qty) in items {
        cart.add_item(&item(sku, *price, class), Decimal::from(*qty)).unwrap();
    }
    cart
}

fn taxes(priced: &PricedCart) -> Vec<(String, i64)> {
    priced
        .taxes
        .lines
        .iter()
        .filter(|t| !t.rate.is_zero())
        .map(|t| (t.code.clone(), t.amount.minor()))
        .collect()
}

/// The stored amounts of a priced line, as a sale entry keeps them.
fn sold(priced: &PricedCart, index: usize, included: bool) -> SoldLine {
    let line = &priced.lines[index];
    SoldLine {
        line: line.line.id.0,
        quantity: line.line.quantity,
        net: line.net,
        taxes: priced
            .taxes
            .lines
            .iter()
            .zip(&priced.taxes.per_line[index])
            .map(|(t, share)| SoldTax {
                code: t.code.clone(),
                rate: t.rate,
                amount: *share,
                included,
                exempt: t.exempt,
            })
            .collect(),
    }
}

fn cad() -> Currency {
    Currency::new("CAD", 2, 5)
}

#[test]
fn per_line_and_per_rate_rounding_differ_by_a_cent_on_the_same_basket() {
    let basket =
        cart(&[("a", 10, "standard", 1), ("b", 10, "standard", 1), ("c", 10, "standard", 1)]);
    // Per line: GST 0.10 × 5 % = 0.005 → 0.01 each, 0.03; QST 0.009975 → 0.01 each, 0.03.
    let per_line = basket.price(&quebec(TaxRounding::PerLine), day(2026, 12, 3));
    assert_eq!(taxes(&per_line), [("GST".into(), 3), ("QST".into(), 3)]);
    assert_eq!(per_line.total, m(36));
    // Over the sale: GST 0.30 × 5 % = 0.015 → 0.02; QST 0.029925 → 0.03.
    let per_rate = basket.price(&quebec(TaxRounding::PerRateOverSale), day(2026, 12, 3));
    assert_eq!(taxes(&per_rate), [("GST".into(), 2), ("QST".into(), 3)]);
    assert_eq!(per_rate.total, m(35));
    // Each line's shares still add up to the sale's tax: 0.02 by largest remainder is 1+1+0.
    let gst: Vec<i64> = per_rate.taxes.per_line.iter().map(|l| l[0].minor()).collect();
    assert_eq!(gst, [1, 1, 0]);
}

#[test]
fn mixed_inclusive_rates_keep_the_shelf_sum_and_round_the_half_cent_up() {
    // 9.99 at 20 %: VAT 9.99 / 6 = 1.665 → 1.67 (a half cent, half up); 2.49 at 5 %:
    // 2.49 × 0.05 / 1.05 = 0.11857 → 0.12; 3.00 zero-rated.
    let basket = cart(&[
        ("wine", 999, "standard", 1),
        ("juice", 249, "reduced", 1),
        ("bread", 300, "zero_rated", 1),
    ]);
    for rounding in [TaxRounding::PerLine, TaxRounding::PerRateOverSale] {
        let priced = basket.price(&uk(rounding), day(2026, 12, 3));
        assert_eq!(priced.total, m(1548), "the customer pays the shelf prices' sum");
        let lines: Vec<(String, i64, i64)> = priced
            .taxes
            .lines
            .iter()
            .map(|t| (t.rate.to_string(), t.base.minor(), t.amount.minor()))
            .collect();
        assert_eq!(
            lines,
            [("0".into(), 300, 0), ("0.05".into(), 237, 12), ("0.20".into(), 832, 167)],
            "{rounding:?}"
        );
    }
}

#[test]
fn a_half_cent_tax_rounds_up_and_its_refund_gives_the_same_cent_back() {
    // 0.70 × 5 % = 0.035 → 0.04.
    let priced = cart(&[("gum", 70, "standard", 1)]).price(&alberta(), day(2026, 12, 3));
    assert_eq!(priced.total, m(74));
    let refund = refund_line(&sold(&priced, 0, false), &Refunded::default(), dec!(1)).unwrap();
    assert_eq!((refund.net, refund.taxes[0], refund.paid), (m(70), m(4), m(74)));
}

#[test]
fn a_discount_reduces_the_tax_base() {
    // 10.00 less 10 % is 9.00: GST 0.45, QST 0.89775 → 0.90; 10.35. Without it: 0.50 and
    // 0.9975 → 1.00, 11.50.
    let mut basket = cart(&[("scarf", 1000, "standard", 1)]);
    let regime = quebec(TaxRounding::PerRateOverSale);
    assert_eq!(basket.price(&regime, day(2026, 12, 3)).total, m(1150));
    let id = basket.lines()[0].id;
    basket.line_mut(id).unwrap().discount = Some(ManualDiscount {
        rule: DiscountRule::Percent(dec!(10)),
        reason: "soiled".into(),
        by: "c1".into(),
    });
    let priced = basket.price(&regime, day(2026, 12, 3));
    assert_eq!((priced.subtotal, priced.savings()), (m(900), m(100)));
    assert_eq!(taxes(&priced), [("GST".into(), 45), ("QST".into(), 90)]);
    assert_eq!(priced.total, m(1035));
}

#[test]
fn a_discounted_sale_refunds_each_line_its_share_of_the_order_discount_and_its_tax() {
    // 10.00 and 30.00, 10.00 off the order: shares 2.50 and 7.50 (by 1000 : 3000), nets 7.50
    // and 22.50. GST 30.00 × 5 % = 1.50, shared 37.5 / 112.5 → 0.38 / 1.12 (the tie goes to
    // the first); QST 2.9925 → 2.99, shared 74.75 / 224.25 → 0.75 / 2.24. Total 34.49.
    let mut basket = cart(&[("hat", 1000, "standard", 1), ("coat", 3000, "standard", 1)]);
    basket.order_discount = Some(ManualDiscount {
        rule: DiscountRule::Amount(m(1000)),
        reason: "loyal".into(),
        by: "c1".into(),
    });
    let priced = basket.price(&quebec(TaxRounding::PerRateOverSale), day(2026, 12, 3));
    assert_eq!(priced.total, m(3449));
    let nets: Vec<i64> = priced.lines.iter().map(|l| l.net.minor()).collect();
    assert_eq!(nets, [750, 2250]);
    let hat = refund_line(&sold(&priced, 0, false), &Refunded::default(), dec!(1)).unwrap();
    let coat = refund_line(&sold(&priced, 1, false), &Refunded::default(), dec!(1)).unwrap();
    assert_eq!((hat.paid, coat.paid), (m(863), m(2586)));
    assert_eq!(hat.paid + coat.paid, priced.total, "never more, never less than was paid");
}

#[test]
fn a_return_after_a_rate_change_refunds_the_rate_it_was_sold_at() {
    // Nova Scotia's HST went from 15 % to 14 % on 2025-04-01. Sold on 2025-03-30: 100.00 +
    // 15.00. Returned on 2025-04-02, when the same item costs 114.00: the refund is 115.00.
    let basket = cart(&[("boots", 10000, "standard", 1)]);
    let sale = basket.price(&nova_scotia(), day(2025, 3, 30));
    assert_eq!(sale.total, m(11500));
    assert_eq!(basket.price(&nova_scotia(), day(2025, 4, 2)).total, m(11400));
    let refund = refund_line(&sold(&sale, 0, false), &Refunded::default(), dec!(1)).unwrap();
    assert_eq!(refund.paid, m(11500));
}

#[test]
fn cash_rounding_of_a_refund_mirrors_the_sale_in_every_mode() {
    // Danish cash rounds to 0.50. 12.25 is exactly half way (24.5 units of 0.50); 12.37 is not.
    let cases = [
        (RoundingMode::HalfUp, 1250, 1250),
        (RoundingMode::HalfEven, 1200, 1250),
        (RoundingMode::HalfDown, 1200, 1250),
        (RoundingMode::Up, 1250, 1250),
        (RoundingMode::Down, 1200, 1200),
    ];
    for (mode, half, other) in cases {
        assert_eq!(round_to_increment(m(1225), 50, mode), m(half), "{mode:?} sale 12.25");
        assert_eq!(round_to_increment(m(-1225), 50, mode), m(-half), "{mode:?} refund 12.25");
        assert_eq!(round_to_increment(m(1237), 50, mode), m(other), "{mode:?} sale 12.37");
        assert_eq!(round_to_increment(m(-1237), 50, mode), m(-other), "{mode:?} refund 12.37");
    }
    // Through a refund plan, Canadian cash: 12.37 back in cash is 12.35, rounding +0.02.
    let legs = [PaidLeg {
        tender: Tender::Cash { tendered: m(1235) },
        rounding: m(-2),
        ..Default::default()
    }];
    let plan = plan_refund(m(1237), &legs, &cad());
    assert_eq!(plan.legs, [Tender::Cash { tendered: m(-1235) }]);
    assert_eq!(plan.cash_rounding, m(2));
}

#[test]
fn a_split_tender_refund_goes_to_the_card_first_then_cash() {
    // 50.00 paid 30.00 on card and 20.00 cash. 40.00 back: 30.00 to the card, 10.00 cash.
    let legs = [
        PaidLeg {
            tender: Tender::ExternalCard { amount: m(3000), reference: "A1".into() },
            ..Default::default()
        },
        PaidLeg { tender: Tender::Cash { tendered: m(2000) }, ..Default::default() },
    ];
    let plan = plan_refund(m(4000), &legs, &cad());
    assert_eq!(
        plan.legs,
        [
            Tender::ExternalCard { amount: m(-3000), reference: "A1".into() },
            Tender::Cash { tendered: m(-1000) }
        ]
    );
    assert_eq!((plan.cash_rounding, plan.unallocated), (m(0), m(0)));
    // More than was paid never goes back: the rest is left for store credit.
    let plan = plan_refund(m(6000), &legs, &cad());
    assert_eq!(plan.unallocated, m(1000));
}

#[test]
fn a_three_way_split_sums_exactly() {
    assert_eq!(allocate(m(10000), &[1, 1, 1]), [m(3334), m(3333), m(3333)]);
    assert_eq!(allocate(m(-10000), &[1, 1, 1]), [m(-3334), m(-3333), m(-3333)]);
    assert_eq!(allocate(m(100), &[1, 1, 1]), [m(34), m(33), m(33)]);
}

#[test]
fn change_on_a_rounded_cash_total() {
    // 16.08 → 16.10: from 20.00, 3.90 back, rounding +0.02. 16.12 → 16.10: 3.90, -0.02.
    for (total, rounding) in [(1608, 2), (1612, -2)] {
        let paid = Settlement::of(m(total), &[Tender::Cash { tendered: m(2000) }], &cad());
        assert_eq!(
            (paid.change, paid.cash_rounding, paid.cash_kept()),
            (m(390), m(rounding), m(1610))
        );
    }
}

// ----- properties -----

#[derive(Clone, Debug)]
struct RandomCart {
    lines: Vec<(i64, &'static str, i64)>,
    order: Option<DiscountRule>,
    line_discount: Option<(usize, DiscountRule)>,
}

fn rule() -> impl Strategy<Value = DiscountRule> {
    prop_oneof![
        (1u32..=100).prop_map(|p| DiscountRule::Percent(Decimal::from(p))),
        (1i64..5000).prop_map(|a| DiscountRule::Amount(m(a))),
    ]
}

fn random_cart() -> impl Strategy<Value = RandomCart> {
    let line =
        (1i64..20000, prop_oneof![Just("standard"), Just("zero_rated"), Just("reduced")], 1i64..6);
    (
        prop::collection::vec(line, 1..8),
        prop::option::of(rule()),
        prop::option::of((0usize..8, rule())),
    )
        .prop_map(|(lines, order, line_discount)| RandomCart { lines, order, line_discount })
}

fn build(random: &RandomCart) -> Cart {
    let mut cart = Cart::new();
    for (n, (price, class, qty)) in random.lines.iter().enumerate() {
        cart.add_item(&item(&format!("s{n}"), *price, class), Decimal::from(*qty)).unwrap();
    }
    if let Some((index, rule)) = &random.line_discount {
        let id = cart.lines()[index % cart.lines().len()].id;
        cart.line_mut(id).unwrap().discount =
            Some(ManualDiscount { rule: rule.clone(), reason: "p".into(), by: "c".into() });
    }
    cart.order_discount = random.order.clone().map(|rule| ManualDiscount {
        rule,
        reason: "p".into(),
        by: "c".into(),
    });
    cart
}

fn regimes() -> Vec<TaxRegime> {
    let mut quebec_reduced = quebec(TaxRounding::PerLine);
    quebec_reduced.taxes[0].rates.push(rate("reduced", dec!(0.05), day(2013, 1, 1), None));
    vec![
        quebec_reduced.clone(),
        TaxRegime { rounding: TaxRounding::PerRateOverSale, ..quebec_reduced },
        uk(TaxRounding::PerLine),
        uk(TaxRounding::PerRateOverSale),
    ]
}

proptest! {
    #[test]
    fn lines_sum_to_the_total_and_no_line_goes_negative(random in random_cart()) {
        let cart = build(&random);
        for regime in regimes() {
            let priced = cart.price(&regime, day(2026, 12, 3));
            let paid: Money = (0..priced.lines.len()).map(|i| priced.line_paid(i)).sum();
            prop_assert_eq!(paid, priced.total);
            prop_assert!(priced.lines.iter().all(|l| !l.net.is_negative() && l.net <= l.amount));
            if regime.prices_include_tax {
                // The customer pays the shelf prices (after discounts), never a cent of
                // rounding on top.
                let shelf: Money = priced.lines.iter().map(|l| l.net).sum();
                prop_assert_eq!(priced.total, shelf);
                let undiscounted: Money = priced.lines.iter().map(|l| l.amount).sum();
                prop_assert_eq!(priced.gross, undiscounted);
            }
            prop_assert_eq!(cart.price(&regime, day(2026, 12, 3)), priced.clone(), "same cart, same price");
        }
    }

    #[test]
    fn a_full_return_gives_back_exactly_what_was_paid_per_tender(
        random in random_cart(),
        card_share in 0u32..=100,
        in_goes in 1usize..4,
    ) {
        let cart = build(&random);
        for regime in regimes() {
            let priced = cart.price(&regime, day(2026, 12, 3));
            let total = priced.total;
            if total.is_zero() {
                continue;
            }
            let card = total.mul_round(Decimal::from(card_share) / Decimal::ONE_HUNDRED, RoundingMode::Down);
            let mut tenders = Vec::new();
            if !card.is_zero() {
                tenders.push(Tender::ExternalCard { amount: card, reference: "R".into() });
            }
            let cash_due = cad().cash_round(total - card);
            if !(total - card).is_zero() {
                tenders.push(Tender::Cash { tendered: cash_due + m(500) });
            }
            let settled = Settlement::of(total, &tenders, &cad());
            prop_assert!(settled.paid);
            let mut legs: Vec<PaidLeg> = Vec::new();
            if !card.is_zero() {
                legs.push(PaidLeg { tender: tenders[0].clone(), ..Default::default() });
            }
            if !(total - card).is_zero() {
                legs.push(PaidLeg {
                    tender: Tender::Cash { tendered: settled.cash_kept() },
                    rounding: settled.cash_rounding,
                    ..Default::default()
                });
            }
            // Every line comes back, each in `in_goes` parts where its quantity allows; each
            // go is refunded on its own.
            let mut given_card = m(0);
            let mut given_cash = m(0);
            for index in 0..priced.lines.len() {
                let line = sold(&priced, index, regime.prices_include_tax);
                let mut already = Refunded::default();
                let units = line.quantity;
                let goes = (in_goes as i64).min(units.try_into().unwrap_or(1)).max(1);
                for go in 0..goes {
                    let qty = if go == goes - 1 { units - already.quantity } else { Decimal::ONE };
                    let refund = refund_line(&line, &already, qty).unwrap();
                    already.add(&refund);
                    let plan = plan_refund(refund.paid, &legs, &cad());
                    prop_assert!(plan.unallocated.is_zero(), "every refund goes back on a leg");
                    for leg in &plan.legs {
                        match leg {
                            Tender::ExternalCard { amount, .. } => {
                                given_card -= *amount;
                                legs[0].refunded -= *amount;
                            }
                            Tender::Cash { tendered } => {
                                given_cash -= *tendered;
                                let cash = legs.len() - 1;
                                legs[cash].refunded -= *tendered;
                                legs[cash].settled += plan.cash_rounding - *tendered;
                            }
                            _ => unreachable!(),
                        }
                    }
                    let kept = settled.cash_kept();
                    prop_assert!(given_cash <= kept, "never more cash than the sale took");
                }
                prop_assert_eq!(already.net, line.net);
            }
            prop_assert_eq!(given_card, card, "the card gets back what it paid");
            prop_assert_eq!(given_cash, settled.cash_kept(), "the cash back is the cash the sale kept");
        }
    }
}
