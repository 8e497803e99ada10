//! Weighed items priced per unit of weight, rounded half up to the cent by the core's rounding.

use comptoir_core::{Currency, Money};
use comptoir_scale::{Reading, SellableWeight, Stability, Unit, UnitPrice, Weight, price_weighed};
use rust_decimal_macros::dec;

fn sellable(value: rust_decimal::Decimal, unit: Unit) -> SellableWeight {
    let reading = Reading { weight: Weight::new(value, unit), stability: Stability::Stable };
    SellableWeight::from_reading(&reading).unwrap()
}

fn cad() -> Currency {
    Currency::new("CAD", 2, 5)
}

fn price(per: Unit, shelf: &str, weight: SellableWeight) -> String {
    let unit_price = UnitPrice { amount: cad().parse(shelf).unwrap(), per };
    price_weighed(unit_price, &weight, None).unwrap().amount.format(&cad())
}

#[test]
fn a_quarter_kilo_at_12_99_a_kilo() {
    // 0.256 × 12.99 = 3.32544: 3.33.
    assert_eq!(price(Unit::Kilogram, "12.99", sellable(dec!(0.256), Unit::Kilogram)), "3.33");
}

#[test]
fn a_scale_in_grams_prices_the_same() {
    assert_eq!(price(Unit::Kilogram, "12.99", sellable(dec!(256), Unit::Gram)), "3.33");
}

#[test]
fn half_a_cent_rounds_up() {
    // 0.500 × 3.99 = 1.995: 2.00; 1.5 lb × 2.99 = 4.485: 4.49.
    assert_eq!(price(Unit::Kilogram, "3.99", sellable(dec!(0.500), Unit::Kilogram)), "2.00");
    assert_eq!(price(Unit::Pound, "2.99", sellable(dec!(1.5), Unit::Pound)), "4.49");
}

#[test]
fn less_than_half_a_cent_rounds_down() {
    // 0.123 × 4.50 = 0.5535: 0.55.
    assert_eq!(price(Unit::Kilogram, "4.50", sellable(dec!(0.123), Unit::Kilogram)), "0.55");
}

#[test]
fn ounces_at_a_price_per_pound() {
    // 8 oz is exactly half a pound: 0.5 × 2.49 = 1.245: 1.25.
    assert_eq!(price(Unit::Pound, "2.49", sellable(dec!(8), Unit::Ounce)), "1.25");
}

#[test]
fn a_pound_at_a_price_per_kilogram() {
    // 1 lb = 0.45359237 kg; × 10.00 = 4.5359237: 4.54.
    assert_eq!(price(Unit::Kilogram, "10.00", sellable(dec!(1), Unit::Pound)), "4.54");
}

#[test]
fn the_preset_tare_is_taken_off_before_pricing() {
    let unit_price = UnitPrice::per_kilogram(Money::from_minor(1299));
    let weighed = price_weighed(
        unit_price,
        &sellable(dec!(0.266), Unit::Kilogram),
        Some(Weight::new(dec!(0.010), Unit::Kilogram)),
    )
    .unwrap();
    assert_eq!(weighed.net.kilograms(), dec!(0.256));
    assert_eq!(weighed.amount, Money::from_minor(333));
}

#[test]
fn a_tare_heavier_than_the_item_prices_nothing() {
    let unit_price = UnitPrice::per_kilogram(Money::from_minor(1299));
    let error = price_weighed(
        unit_price,
        &sellable(dec!(0.005), Unit::Kilogram),
        Some(Weight::new(dec!(0.010), Unit::Kilogram)),
    )
    .unwrap_err();
    assert_eq!(error.code(), "scale_tare_exceeds_weight");
}
