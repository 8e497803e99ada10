//! Loose produce sold by the kilogram: only a stable scale reading rings it, each weighing is
//! its own line priced per kilogram and rounded half up, and the receipt says the weight.

use comptoir_app::Pin;
use comptoir_scale::{Reading, SellableWeight, Stability, Unit, Weight};
use rust_decimal::Decimal;

use crate::common::open_till;

/// A stable reading of the scale, the only weight a register sells by.
pub fn stable(value: &str, unit: Unit) -> SellableWeight {
    let weight = Weight::new(value.parse::<Decimal>().unwrap(), unit);
    SellableWeight::from_reading(&Reading { weight, stability: Stability::Stable }).unwrap()
}

#[test]
fn weighed_produce_is_priced_per_kilogram_from_a_stable_weight() {
    let mut till = open_till();
    let r = &mut till.register;
    // Scanned or keyed, a weighed item goes on the scale.
    let error = r.scan("MPLU4011").unwrap_err();
    assert_eq!(error.code, "weigh_item");
    assert!(error.message("en").contains("Bananas is sold by weight"), "{}", error.message("en"));
    // An unstable reading never becomes a weight to sell by.
    let moving = Reading {
        weight: Weight::new(Decimal::new(1234, 3), Unit::Kilogram),
        stability: Stability::Dynamic,
    };
    assert!(SellableWeight::from_reading(&moving).is_err());

    // 1.234 kg at 1.74/kg = 2.14716, 2.15; 256 g at 4.39/kg = 1.12384, 1.12.
    r.add_weighed("MPLU4011", &stable("1.234", Unit::Kilogram)).unwrap();
    r.add_weighed("MPLU4131", &stable("256", Unit::Gram)).unwrap();
    r.add_weighed("MPLU4011", &stable("0.500", Unit::Kilogram)).unwrap();
    let view = r.view().unwrap();
    assert_eq!(view.cart.lines.len(), 3, "each weighing is its own line");
    assert_eq!(view.cart.total, "4.14", "2.15 + 1.12 + 0.87, zero-rated");
    // A weight is never keyed.
    let first = view.cart.lines[0].line;
    assert_eq!(r.set_quantity(first, "2").unwrap_err().code, "weigh_item");
    assert_eq!(
        r.add_weighed("0019061093791", &stable("1", Unit::Kilogram)).unwrap_err().code,
        "not_weighed"
    );

    let committed = r.tender_cash("5.00").unwrap().expect("paid");
    assert_eq!(committed.sale.lines[0].qty, "1.234");
    assert_eq!(committed.sale.lines[0].kind, "weighed");
    let text = till.printed_text(&committed.print_job);
    assert!(text.contains("Bananas\n  1.234 kg x 1.74/kg                2.15"), "{text}");
    assert!(text.contains("  0.256 kg x 4.39/kg"), "{text}");
}

#[test]
fn a_weighed_line_survives_a_restart_and_its_return_refunds_what_it_cost() {
    let mut till = open_till();
    till.register.add_weighed("MPLU4011", &stable("1.234", Unit::Kilogram)).unwrap();
    let mut till = till.restart();
    till.register.sign_in(&Pin::new("2468")).unwrap();
    let view = till.register.view().unwrap();
    assert_eq!((view.cart.lines.len(), view.cart.total.as_str()), (1, "2.15"));
    let sold = till.register.tender_cash("2.15").unwrap().expect("paid");
    let receipt = sold.sale.receipt_no.clone();
    let sale = till.register.find_sale(&receipt).unwrap();
    assert_eq!(sale.lines[0].returnable, "1.234");
    // Half of it comes back by weight: 0.617 kg refunds half of 2.15, rounded, and the rest
    // refunds exactly what is left.
    let keep = comptoir_app::returns::Disposition::WriteOff;
    till.register.return_line(&receipt, 1, "0.617", keep, "bruised").unwrap();
    let refund = till.register.refund(comptoir_app::returns::RefundTo::Cash).unwrap();
    till.register.return_line(&receipt, 1, "0.617", keep, "bruised").unwrap();
    let rest = till.register.refund(comptoir_app::returns::RefundTo::Cash).unwrap();
    let given = |c: &comptoir_app::register::Committed| {
        c.sale.total.trim_start_matches('-').parse::<Decimal>().unwrap()
    };
    assert_eq!(given(&refund) + given(&rest), Decimal::new(215, 2), "the whole line, no more");
    assert_eq!(
        till.register.return_line(&receipt, 1, "0.001", keep, "x").unwrap_err().code,
        "nothing_left_to_return"
    );
}

#[test]
fn a_keyed_fraction_says_the_item_is_sold_by_the_unit_or_goes_on_the_scale() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(crate::common::PEANUTS).unwrap();
    r.add_weighed("MPLU4011", &stable("0.500", Unit::Kilogram)).unwrap();
    let lines: Vec<u32> = r.view().unwrap().cart.lines.iter().map(|l| l.line).collect();

    let error = r.set_quantity(lines[0], "0.5").unwrap_err();
    assert_eq!(error.code, "whole_quantity");
    assert_eq!(
        error.message("en"),
        "French Burnt Peanuts is sold by the unit: enter a whole number (1 to 9999)."
    );
    assert!(error.message("fr").contains("se vend à l'unité"), "{}", error.message("fr"));
    let error = r.set_quantity(lines[1], "0.5").unwrap_err();
    assert_eq!(error.code, "weigh_item");
    assert!(error.message("en").contains("put it on the scale"), "{}", error.message("en"));
    // Before a scan the item is not known yet: the message covers both.
    let error = r.set_multiplier("0.5").unwrap_err();
    assert_eq!(error.code, "whole_quantity_before_scan");
    let message = error.message("en");
    assert!(message.contains("whole number") && message.contains("on the scale"), "{message}");
    assert_eq!(r.set_quantity(lines[0], "0").unwrap_err().code, "invalid_quantity");
    assert_eq!(r.set_quantity(lines[0], "12000").unwrap_err().code, "invalid_quantity");
    r.set_quantity(lines[0], "2").unwrap();
}

#[test]
fn with_no_scale_set_the_message_gives_a_setting_that_works() {
    let error = comptoir_app::setup::weigh("none", std::time::Duration::from_secs(1)).unwrap_err();
    assert_eq!(error.code, "no_device");
    let message = error.message("en");
    let example = message.split("comptoir config scale ").nth(1).expect(&message).trim();
    assert_eq!(example, "serial:/dev/ttyUSB0@9600,8N1");
    let config = comptoir_app::setup::scale_setting(example).unwrap().expect("a scale");
    assert_eq!(config.port.path, "/dev/ttyUSB0");
}
