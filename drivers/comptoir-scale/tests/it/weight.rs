//! Units convert exactly, and only a stable positive weight can be sold.

use comptoir_scale::{Reading, ScaleError, SellableWeight, Stability, Unit, Weight};
use rust_decimal_macros::dec;

fn stable(value: rust_decimal::Decimal, unit: Unit) -> Reading {
    Reading { weight: Weight::new(value, unit), stability: Stability::Stable }
}

#[test]
fn metric_units_convert_exactly() {
    assert_eq!(Weight::new(dec!(0.256), Unit::Kilogram).grams(), dec!(256));
    assert_eq!(Weight::new(dec!(256), Unit::Gram).kilograms(), dec!(0.256));
    assert_eq!(Weight::new(dec!(500), Unit::Milligram).kilograms(), dec!(0.0005));
}

#[test]
fn the_pound_is_0_45359237_kg_and_the_ounce_a_sixteenth_of_it() {
    // The international yard and pound agreement (1959) defines the pound as exactly
    // 0.45359237 kg; the avoirdupois ounce is 1/16 lb = 28.349523125 g.
    assert_eq!(Weight::new(dec!(1), Unit::Pound).grams(), dec!(453.59237));
    assert_eq!(Weight::new(dec!(1), Unit::Ounce).grams(), dec!(28.349523125));
    assert_eq!(Weight::new(dec!(2.5), Unit::Pound).kilograms(), dec!(1.133980925));
    assert_eq!(Weight::new(dec!(16), Unit::Ounce).in_unit(Unit::Pound), dec!(1));
    assert_eq!(Weight::new(dec!(8), Unit::Ounce).in_unit(Unit::Pound), dec!(0.5));
}

#[test]
fn a_stable_positive_weight_can_be_sold() {
    let sellable = SellableWeight::from_reading(&stable(dec!(0.256), Unit::Kilogram)).unwrap();
    assert_eq!(sellable.kilograms(), dec!(0.256));
}

#[test]
fn an_unstable_weight_can_never_be_sold() {
    let reading =
        Reading { weight: Weight::new(dec!(0.256), Unit::Kilogram), stability: Stability::Dynamic };
    let error = SellableWeight::from_reading(&reading).unwrap_err();
    assert_eq!(error, ScaleError::Unstable);
    assert_eq!(error.code(), "scale_unstable");
    assert_eq!(
        error.message(),
        "weight not steady: wait for the scale to settle, then weigh again"
    );
}

#[test]
fn zero_and_negative_weights_can_never_be_sold() {
    let zero = SellableWeight::from_reading(&stable(dec!(0.000), Unit::Kilogram)).unwrap_err();
    assert_eq!(zero.code(), "scale_no_weight");
    let negative = SellableWeight::from_reading(&stable(dec!(-0.012), Unit::Kilogram)).unwrap_err();
    assert_eq!(negative.code(), "scale_negative");
}

#[test]
fn a_preset_tare_is_taken_off_in_the_scales_unit() {
    let gross = SellableWeight::from_reading(&stable(dec!(0.266), Unit::Kilogram)).unwrap();
    let net = gross.less_tare(Weight::new(dec!(10), Unit::Gram)).unwrap();
    assert_eq!(net.weight(), Weight::new(dec!(0.256), Unit::Kilogram));
}

#[test]
fn a_tare_as_heavy_as_the_weight_leaves_nothing_to_sell() {
    let gross = SellableWeight::from_reading(&stable(dec!(0.010), Unit::Kilogram)).unwrap();
    let error = gross.less_tare(Weight::new(dec!(10), Unit::Gram)).unwrap_err();
    assert_eq!(error.code(), "scale_tare_exceeds_weight");
    let error = gross.less_tare(Weight::new(dec!(-1), Unit::Gram)).unwrap_err();
    assert_eq!(error.code(), "scale_bad_tare");
}
