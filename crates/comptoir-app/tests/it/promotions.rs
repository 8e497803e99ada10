//! Promotions at the till on a demo register (the store's `promotions.json`): what the screen
//! shows, coupons entered before and after their spend is reached, a member's promotion that
//! needs a customer attached, promotions that start and end on the store's clock, and what the
//! sale records.

use comptoir_app::customers::CustomerInput;
use comptoir_protocol::payload::Sale;

use crate::common::*;

const POPCORN: &str = "0852284005161"; // Flavored Popcorn, 2.89: "2 for 5.00"
const WINE: &str = "3142920008586"; // Côtes du Rhône, 16.59
const LOOKA: &str = "0831193006315"; // Looka macarons, 4.99: 10 % off for members
const LEMONADE: &str = "0760045175025"; // Elixia lemonade, 2.39: "3rd free"

fn sale_of(committed: &comptoir_app::Committed) -> Sale {
    serde_json::from_str(&committed.entry.payload).unwrap()
}

#[test]
fn the_screen_shows_each_promotion_under_its_line_and_what_is_saved() {
    let mut till = open_till();
    till.register.scan(POPCORN).unwrap();
    let view = till.register.view().unwrap();
    assert_eq!(view.cart.savings, "0.00");
    assert!(view.cart.promotions.is_empty());
    till.register.scan(POPCORN).unwrap();
    for _ in 0..3 {
        till.register.scan(LEMONADE).unwrap();
    }
    let view = till.register.view().unwrap();
    let popcorn = &view.cart.lines[0];
    assert_eq!((popcorn.amount.as_str(), popcorn.net.as_str()), ("5.78", "5.00"));
    assert_eq!(popcorn.discounts[0].kind, "promotion");
    assert_eq!(popcorn.discounts[0].promotion.as_deref(), Some("MTL-DEMO-001"));
    assert_eq!(popcorn.discounts[0].label, "Maïs soufflé : 2 pour 5,00 $");
    assert_eq!(view.cart.lines[1].discounts[0].amount, "2.39", "the third lemonade is free");
    assert_eq!(view.cart.savings, "3.17");
    let promotions: Vec<(&str, u32, &str)> =
        view.cart.promotions.iter().map(|p| (p.id.as_str(), p.times, p.saving.as_str())).collect();
    assert_eq!(promotions, [("MTL-DEMO-001", 1, "0.78"), ("MTL-DEMO-002", 1, "2.39")]);
    assert!(view.cart.promotions_exact);
    // In English the labels follow.
    till.register.set_language("en").unwrap();
    let view = till.register.view().unwrap();
    assert_eq!(view.cart.lines[0].discounts[0].label, "Popcorn: 2 for $5.00");
}

#[test]
fn a_coupon_is_refused_if_unknown_kept_until_its_spend_is_reached_and_ends_with_the_sale() {
    let mut till = open_till();
    let unknown = till.register.enter_coupon("BONJOUR").unwrap_err();
    assert_eq!(unknown.code, "unknown_coupon");
    assert!(unknown.message("fr").contains("BONJOUR"), "{}", unknown.message("fr"));
    till.register.scan(WINE).unwrap();
    till.register.enter_coupon(" bienvenue5 ").unwrap();
    let view = till.register.view().unwrap();
    assert_eq!(view.cart.coupons.len(), 1);
    assert_eq!(
        (view.cart.coupons[0].code.as_str(), view.cart.coupons[0].applied),
        ("BIENVENUE5", false)
    );
    assert_eq!(view.cart.savings, "0.00", "16.59 does not reach 30.00");
    // The coupon survives a restart, as the rest of the cart does.
    let mut till = till.restart();
    till.register.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
    till.register.scan(WINE).unwrap();
    let view = till.register.view().unwrap();
    assert!(view.cart.coupons[0].applied, "33.18 reaches it");
    assert_eq!(view.cart.savings, "5.00");
    // 33.18 - 5.00 = 28.18, + GST 1.41 + QST 2.81.
    assert_eq!(view.cart.total, "32.40");

    let removed = till.register.remove_coupon("BIENVENUE5");
    assert!(removed.is_ok());
    assert_eq!(till.register.view().unwrap().cart.savings, "0.00");
    assert_eq!(till.register.remove_coupon("BIENVENUE5").unwrap_err().code, "coupon_not_entered");
    till.register.enter_coupon("BIENVENUE5").unwrap();
    let committed = till.register.tender_cash("40.00").unwrap().expect("paid");
    let sale = sale_of(&committed);
    assert_eq!(sale.coupons, ["BIENVENUE5"]);
    assert_eq!(sale.total, "32.40");
    // The next customer starts with no coupon.
    till.register.scan(WINE).unwrap();
    till.register.scan(WINE).unwrap();
    let view = till.register.view().unwrap();
    assert!(view.cart.coupons.is_empty());
    assert_eq!(view.cart.savings, "0.00");
}

#[test]
fn a_members_promotion_needs_a_customer_attached_to_the_sale() {
    let mut till = open_till();
    till.register.scan(LOOKA).unwrap();
    assert_eq!(till.register.view().unwrap().cart.savings, "0.00", "no member, no discount");
    let customer = till
        .register
        .add_customer(&CustomerInput { name: Some("Émilie Zyxwv".into()), ..Default::default() })
        .unwrap();
    let id = customer["customer_id"].as_str().unwrap().to_owned();
    assert_eq!(till.register.attach_customer("not-an-id").unwrap_err().code, "customer_unknown");
    till.register.attach_customer(&id).unwrap();
    let view = till.register.view().unwrap();
    assert_eq!(view.cart.customer.as_deref(), Some(id.as_str()));
    // 10 % off 4.99 is 0.499, rounded half up once per unit: 0.50.
    assert_eq!(view.cart.lines[0].discounts[0].amount, "0.50");
    till.register.detach_customer().unwrap();
    assert_eq!(till.register.view().unwrap().cart.savings, "0.00");
    till.register.attach_customer(&id).unwrap();
    let sale = sale_of(&till.register.tender_cash("10.00").unwrap().expect("paid"));
    assert_eq!(sale.customer.as_deref(), Some(id.as_str()));
    assert_eq!(sale.lines[0].discounts[0].id.as_deref(), Some("MTL-DEMO-003"));
    // The next sale is for no one in particular.
    till.register.scan(LOOKA).unwrap();
    let view = till.register.view().unwrap();
    assert_eq!((view.cart.customer, view.cart.savings.as_str()), (None, "0.00"));
}

#[test]
fn an_imported_promotion_starts_and_ends_on_the_stores_clock_and_follows_segments() {
    let mut till = open_till();
    // The till's clock: 10:00 on 3 December in Montréal. A staff price from 10:30 to 11:00.
    let file = serde_json::json!([{
        "id": "STAFF-1",
        "label": {"fr": "Personnel : arachides à 2,00 $", "en": "Staff: peanuts at $2.00"},
        "rule": {"type": "member_price", "items": {"skus": ["M0019061093791"]}, "unit_price": "2.00"},
        "from": "2026-12-03T10:30", "to": "2026-12-03T11:00", "segments": ["staff"]
    }]);
    assert_eq!(till.register.import_promotions(&file.to_string()).unwrap(), 1);
    let staff = till
        .register
        .add_customer(&CustomerInput {
            name: Some("Noah Qwxz".into()),
            segment: Some("staff".into()),
            ..Default::default()
        })
        .unwrap()["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = till
        .register
        .add_customer(&CustomerInput { name: Some("Léa Vwxy".into()), ..Default::default() })
        .unwrap()["customer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    till.register.attach_customer(&staff).unwrap();
    till.register.scan(PEANUTS).unwrap();
    let saving = |till: &mut Till| till.register.view().unwrap().cart.savings;
    assert_eq!(saving(&mut till), "0.00", "10:00: not yet");
    till.clock.set(at("2026-12-03T15:30:00Z"));
    assert_eq!(saving(&mut till), "1.89", "10:30: 3.89 for 2.00");
    till.register.attach_customer(&other).unwrap();
    assert_eq!(saving(&mut till), "0.00", "not staff");
    till.register.attach_customer(&staff).unwrap();
    till.clock.set(at("2026-12-03T15:59:00Z"));
    assert_eq!(saving(&mut till), "1.89", "10:59");
    till.clock.set(at("2026-12-03T16:00:00Z"));
    assert_eq!(saving(&mut till), "0.00", "11:00: over");
    // A bad file changes nothing and says why.
    let bad = serde_json::json!([{"id": "X", "label": {"en": "x"}, "from": "2026-12-03T10:30",
        "rule": {"type": "mix_match", "items": {"skus": []}, "qty": 2, "price": "1.00"}}]);
    let refused = till.register.import_promotions(&bad.to_string()).unwrap_err();
    assert_eq!(refused.code, "invalid_promotions");
    assert!(refused.message("en").contains("names no SKU"), "{}", refused.message("en"));
    assert_eq!(till.register.promotions().len(), 1);
}
