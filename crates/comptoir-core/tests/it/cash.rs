//! Cash rounding by mode, worked out by hand: every mode on an amount exactly half an
//! increment away from two coins, the same negated (a refund rounds like the sale), and card
//! legs left exact whatever the mode.

use comptoir_core::money::{Currency, Money, RoundingMode};
use comptoir_core::tender::{Settlement, Tender};

const MODES: [RoundingMode; 5] = [
    RoundingMode::HalfUp,
    RoundingMode::HalfEven,
    RoundingMode::HalfDown,
    RoundingMode::Up,
    RoundingMode::Down,
];

/// `amount` rounded by each of [`MODES`], and the negative mirrored.
fn check_modes(currency: &Currency, amount: i64, expected: [i64; 5]) {
    for (mode, rounded) in MODES.into_iter().zip(expected) {
        let currency = currency.clone().with_cash_mode(mode);
        let got = currency.cash_round(Money::from_minor(amount)).minor();
        assert_eq!(got, rounded, "{} {amount} {mode:?}", currency.code);
        let negative = currency.cash_round(Money::from_minor(-amount)).minor();
        assert_eq!(negative, -rounded, "{} -{amount} {mode:?}", currency.code);
    }
}

#[test]
fn every_mode_on_half_a_danish_fifty_ore() {
    let dkk = Currency::new("DKK", 2, 50);
    // 10.25 is 20.5 coins of 0.50: half up/up 21 (10.50); half even 20 (even); half down,
    // down 20 (10.00).
    check_modes(&dkk, 1025, [1050, 1000, 1000, 1050, 1000]);
    // 10.75 is 21.5 coins: half up/up 22 (11.00); half even 22 (even); half down/down 21.
    check_modes(&dkk, 1075, [1100, 1100, 1050, 1100, 1050]);
    // 10.30 is 20.6 coins: only down goes to 10.00.
    check_modes(&dkk, 1030, [1050, 1050, 1050, 1050, 1000]);
    // On a coin every mode leaves it.
    check_modes(&dkk, 1050, [1050; 5]);
}

#[test]
fn every_mode_on_half_a_five_hundredth_with_three_decimals() {
    // A three-decimal currency rounding cash to 0.050: 10.025 is 200.5 increments.
    let three = Currency::new("XTS", 3, 50);
    check_modes(&three, 10025, [10050, 10000, 10000, 10050, 10000]);
    // 10.075 is 201.5 increments: half even goes up to 202.
    check_modes(&three, 10075, [10100, 10100, 10050, 10100, 10050]);
}

#[test]
fn a_refund_rounds_like_the_sale_negated() {
    let cad = Currency::new("CAD", 2, 5);
    assert_eq!(cad.cash_mode, RoundingMode::HalfUp);
    assert_eq!(cad.cash_round(Money::from_minor(1237)), Money::from_minor(1235));
    assert_eq!(cad.cash_round(Money::from_minor(-1237)), Money::from_minor(-1235));
    assert_eq!(cad.cash_round(Money::from_minor(-1238)), Money::from_minor(-1240));
}

#[test]
fn a_currency_without_decimals_or_cash_rounding_is_left_alone() {
    let jpy = Currency::new("JPY", 0, 1);
    for mode in MODES {
        let jpy = jpy.clone().with_cash_mode(mode);
        assert_eq!(jpy.cash_round(Money::from_minor(1234)), Money::from_minor(1234), "{mode:?}");
    }
    assert_eq!(Money::from_minor(1234).format(&jpy), "1234");
}

#[test]
fn card_legs_are_never_rounded_whatever_the_mode() {
    let total = Money::from_minor(1002);
    for mode in MODES {
        let chf = Currency::new("CHF", 2, 5).with_cash_mode(mode);
        let card = Tender::ExternalCard { amount: total, reference: "T1".into() };
        let all_card = Settlement::of(total, &[card], &chf);
        assert!(all_card.paid, "{mode:?}");
        assert_eq!((all_card.card, all_card.cash_rounding), (total, Money::ZERO), "{mode:?}");
    }
    // Card 5.00, the 5.02 left in cash: up takes it to 5.05, down to 5.00; the card stays 5.00.
    let split = |mode| {
        let chf = Currency::new("CHF", 2, 5).with_cash_mode(mode);
        let card = Tender::ExternalCard { amount: Money::from_minor(500), reference: "T2".into() };
        let cash = Tender::Cash { tendered: Money::from_minor(1000) };
        Settlement::of(total, &[card, cash], &chf)
    };
    let up = split(RoundingMode::Up);
    assert_eq!((up.card, up.cash_due_rounded, up.cash_rounding), (m(500), m(505), m(3)));
    assert_eq!(up.change, Money::from_minor(495));
    let down = split(RoundingMode::Down);
    assert_eq!((down.card, down.cash_due_rounded, down.cash_rounding), (m(500), m(500), m(-2)));
    assert_eq!(down.change, Money::from_minor(500));
}

fn m(minor: i64) -> Money {
    Money::from_minor(minor)
}
