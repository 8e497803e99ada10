//! Discounts, price overrides and tax exemptions as the screens see them: the `adjustments` of
//! the view, and the receipt. The same baskets as the UI's fake (`tests/ui/discounts.test.ts`),
//! so the fake's arithmetic is checked against the real one.

use comptoir_app::Pin;
use comptoir_app::discounts::DiscountInput;
use comptoir_app::view::View;

use crate::common::*;

const IPA: &str = "3760029980833"; // French IPA, 4.59, standard
const AVON: &str = "41473269"; // Avon naturals body care, 5.89, standard
const FANTA: &str = "7542600120960"; // Fanta orange zero, 1.89, standard

fn basket(pin: &str) -> Till {
    let mut till = till("montreal");
    till.register.sign_in(&Pin::new(pin)).unwrap();
    till.register.open_shift("150.00").unwrap();
    till.register.scan(IPA).unwrap();
    till.register.scan(AVON).unwrap();
    till
}

/// Each line's discounts as `(line, kind, label, amount)`.
fn discounts(view: &View) -> Vec<(u32, &str, &str, &str)> {
    view.cart
        .lines
        .iter()
        .flat_map(|l| {
            l.adjustments
                .discounts
                .iter()
                .map(move |d| (l.line, d.kind, d.label.as_str(), d.amount.as_str()))
        })
        .collect()
}

#[test]
fn a_percent_is_of_the_net_and_the_order_discount_is_shared_by_largest_remainder() {
    let mut till = basket("1234");
    let r = &mut till.register;
    r.discount_line(1, DiscountInput::Percent("10"), "Boîte abîmée", None).unwrap();
    let view = r.view().unwrap();
    assert_eq!(discounts(&view), [(1, "line", "Boîte abîmée", "0.46")]);
    let line = &view.cart.lines[0].adjustments;
    assert_eq!((line.gross.as_str(), line.net.as_str()), ("4.59", "4.13"));

    r.discount_order(DiscountInput::Percent("10"), "Fidélité", None).unwrap();
    let view = r.view().unwrap();
    assert_eq!(
        discounts(&view),
        [
            (1, "line", "Boîte abîmée", "0.46"),
            (1, "order", "Fidélité", "0.41"),
            (2, "order", "Fidélité", "0.59")
        ]
    );
    let cart = &view.cart;
    assert_eq!(cart.subtotal, "9.02");
    assert_eq!(
        (cart.adjustments.gross.as_str(), cart.adjustments.savings.as_str()),
        ("10.48", "1.46")
    );
    let order = cart.adjustments.order_discount.as_ref().unwrap();
    assert_eq!(
        (order.rule, order.value.as_str(), order.amount.as_str()),
        ("percent", "10", "1.00")
    );
    let taxes: Vec<_> = cart
        .taxes
        .iter()
        .map(|t| (t.code.as_str(), t.base.as_str(), t.amount.as_str(), t.exempt))
        .collect();
    assert_eq!(taxes, [("GST", "9.02", "0.45", false), ("QST", "9.02", "0.90", false)]);
    assert_eq!(cart.total, "10.37");
}

#[test]
fn an_amount_off_takes_at_most_what_is_left_of_the_line() {
    let mut till = basket("1234");
    let r = &mut till.register;
    r.scan(FANTA).unwrap();
    r.set_quantity(3, "2").unwrap();
    r.discount_line(3, DiscountInput::Amount("3.00"), "Offert", None).unwrap();
    assert_eq!(r.view().unwrap().cart.lines[2].adjustments.net, "0.78");
    r.set_quantity(3, "1").unwrap();
    let view = r.view().unwrap();
    assert_eq!(discounts(&view), [(3, "line", "Offert", "1.89")]);
    let line = &view.cart.lines[2].adjustments;
    assert_eq!(line.net, "0.00");
    let given = line.line_discount.as_ref().unwrap();
    assert_eq!((given.rule, given.value.as_str()), ("amount", "3.00"));
    let over = r.discount_line(3, DiscountInput::Amount("5.00"), "Offert", None).unwrap_err();
    assert_eq!(over.code, "discount_over_amount", "more than the line costs is refused as such");
    assert_eq!(over.detail, "a discount of 5.00 is more than the 1.89 it comes off");
    assert!(over.message("en").contains("Enter a smaller amount"), "{}", over.message("en"));
}

#[test]
fn a_cashier_gives_ten_percent_and_a_manager_pin_approves_more() {
    let mut till = basket("2468");
    let r = &mut till.register;
    let mut ask = |pin: Option<&str>| {
        let pin = pin.map(Pin::new);
        r.discount_order(DiscountInput::Percent("15"), "x", pin.as_ref()).map_err(|e| e.code)
    };
    assert_eq!(ask(None), Err("discount_over_limit"));
    assert_eq!(ask(Some("0000")), Err("wrong_pin"));
    assert_eq!(ask(Some("2468")), Err("manager_required"));
    assert_eq!(ask(Some("1234")), Ok(()));
    let amount = |r: &mut comptoir_app::Register| {
        r.view().unwrap().cart.adjustments.order_discount.unwrap().amount
    };
    assert_eq!(amount(r), "1.57");
    r.discount_order(DiscountInput::Amount("1.04"), "x", None).unwrap();
    assert_eq!(amount(r), "1.04");
    let over = r.discount_order(DiscountInput::Amount("1.05"), "x", None).unwrap_err();
    assert_eq!(over.code, "discount_over_limit");
}

#[test]
fn a_price_override_keeps_the_shelf_price() {
    let mut till = basket("2468");
    let r = &mut till.register;
    let refused = r.override_price(2, "4.99", "Prix affiché", &Pin::new("2468")).unwrap_err();
    assert_eq!(refused.code, "manager_required");
    r.override_price(2, "4.99", "Prix affiché", &Pin::new("1234")).unwrap();
    let line = &r.view().unwrap().cart.lines[1];
    assert_eq!((line.unit_price.as_str(), line.amount.as_str()), ("4.99", "4.99"));
    let over = line.adjustments.price_override.as_ref().unwrap();
    assert_eq!((over.shelf_price.as_deref(), over.reason.as_str()), (Some("5.89"), "Prix affiché"));
}

#[test]
fn an_exemption_leaves_the_taxes_it_covers_uncharged() {
    let mut till = basket("1234");
    let r = &mut till.register;
    assert_eq!(r.set_exemption(" ", &["GST".into()]).unwrap_err().code, "certificate_required");
    assert_eq!(r.set_exemption("123", &["HST".into()]).unwrap_err().code, "unknown_tax");
    r.set_exemption("QC-4471", &["GST".into()]).unwrap();
    let view = r.view().unwrap();
    let exemption = view.cart.adjustments.exemption.as_ref().unwrap();
    assert_eq!(
        (exemption.certificate.as_str(), exemption.taxes.as_slice()),
        ("QC-4471", &["GST".to_owned()][..])
    );
    let taxes: Vec<_> =
        view.cart.taxes.iter().map(|t| (t.code.as_str(), t.amount.as_str(), t.exempt)).collect();
    assert_eq!(taxes, [("GST", "0.52", true), ("QST", "1.05", false)]);
    assert_eq!(view.cart.total, "11.53");
    let names: Vec<_> = view.cart.adjustments.exemptible.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(names, ["TPS", "TVQ"]);

    r.set_exemption("QC-4471", &[]).unwrap();
    let view = r.view().unwrap();
    assert_eq!(view.cart.adjustments.exemption.unwrap().taxes, ["GST", "QST"]);
    assert_eq!(view.cart.total, "10.48");
    r.clear_exemption().unwrap();
    assert!(r.view().unwrap().cart.adjustments.exemption.is_none());
}

#[test]
fn the_receipt_shows_the_discounts_the_savings_and_the_taxes_per_rate() {
    let mut till = basket("2468");
    let r = &mut till.register;
    r.discount_line(1, DiscountInput::Percent("10"), "Boîte abîmée", None).unwrap();
    r.discount_order(DiscountInput::Percent("20"), "Fidélité", Some(&Pin::new("1234"))).unwrap();
    let committed = r.tender_cash("20.00").unwrap().expect("paid");
    let text = till.printed_text(&committed.print_job);
    // Nets 4.13 + 5.89 = 10.02; 20 % is 2.00, shared 0.82 + 1.18.
    for expected in [
        "  Boîte abîmée                       -0.46",
        "  Rabais sur la commande             -0.82",
        "  Rabais sur la commande             -1.18",
        "Sous-total                            8.02",
        "Vous économisez                       2.46",
        "TPS 5% / 8.02                         0.40",
        "TVQ 9.975% / 8.02                     0.80",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
}

#[test]
fn five_wrong_approval_pins_lock_the_pin_pad_as_five_wrong_sign_ins_do() {
    let mut till = basket("2468");
    let r = &mut till.register;
    let mut approve = |pin: &str| {
        r.discount_order(DiscountInput::Percent("50"), "x", Some(&Pin::new(pin)))
            .map_err(|e| e.code)
    };
    for _ in 0..4 {
        assert_eq!(approve("0000"), Err("wrong_pin"));
    }
    assert_eq!(approve("0000"), Err("locked_out"));
    assert_eq!(approve("1234"), Err("locked_out"), "a locked pad approves nothing");
    let signed_in = till.register.sign_in(&Pin::new("1234")).unwrap_err();
    assert_eq!(signed_in.code, "locked_out");
    till.clock.advance(chrono::Duration::minutes(6));
    assert!(
        till.register
            .discount_order(DiscountInput::Percent("50"), "x", Some(&Pin::new("1234")))
            .is_ok()
    );
}

#[test]
fn a_cashiers_limit_holds_for_their_discounts_together() {
    let mut till = basket("2468");
    let r = &mut till.register;
    let ten = |r: &mut comptoir_app::Register, pin: Option<&str>| {
        let pin = pin.map(Pin::new);
        r.discount_order(DiscountInput::Percent("10"), "loyal", pin.as_ref()).map_err(|e| e.code)
    };
    // 10 % on a line is within a cashier's 10 %; 10 % more on the order makes about 19 %.
    r.discount_line(1, DiscountInput::Percent("10"), "dented", None).unwrap();
    let before = r.view().unwrap().cart.total;
    assert_eq!(ten(r, None), Err("discount_over_limit"));
    assert_eq!(r.view().unwrap().cart.total, before, "nothing changed");
    let error = r.discount_order(DiscountInput::Percent("10"), "x", None).unwrap_err();
    assert!(
        error.detail.starts_with("together, the discounts on this sale come to"),
        "{}",
        error.detail
    );
    // The manager approves the two together.
    assert_eq!(ten(r, Some("1234")), Ok(()));
    // Discounts the manager approved are the manager's: the cashier's next small one counts
    // with the cashier's own line discount only.
    r.discount_line(2, DiscountInput::Percent("5"), "scuffed", None).unwrap();
    let total = r.view().unwrap().cart.total;
    let sale = r.tender_card(&total, "A1").unwrap().expect("paid").sale;
    assert_eq!(sale.order_discount.map(|d| d.by), Some("c1".to_owned()));
}
