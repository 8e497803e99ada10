//! Shifts: paid in and out, drawer openings, X report mid-shift, and the numbered Z report.

use comptoir_app::DrawerMovement;

use crate::common::*;

#[test]
fn expected_cash_counts_float_cash_sales_paid_in_and_out_and_the_z_report_is_numbered() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    r.tender_cash("10.00").unwrap().expect("sale 1"); // 4.47 → cash 4.45 kept
    r.scan(TRUFFLES).unwrap();
    r.tender_card("4.01", "T1").unwrap().expect("sale 2"); // 3.49 + 0.17 + 0.35 = 4.01 card
    r.drawer_movement(DrawerMovement::PaidIn, Some("20.00"), "change from the bank")
        .unwrap()
        .unwrap();
    r.drawer_movement(DrawerMovement::PaidOut, Some("5.50"), "window cleaner").unwrap().unwrap();
    // The drawer holds 168.95 now: more than that cannot be paid out, and nothing is recorded.
    let short = r.drawer_movement(DrawerMovement::PaidOut, Some("169.00"), "rent").unwrap_err();
    assert_eq!(short.code, "drawer_short");
    assert!(short.detail.starts_with("the drawer should hold 168.95"), "{}", short.detail);
    assert_eq!(
        r.drawer_movement(DrawerMovement::NoSale, None, "").unwrap_err().code,
        "reason_required"
    );
    r.drawer_movement(DrawerMovement::NoSale, None, "customer needed change").unwrap().unwrap();

    let x = r.report_x().unwrap();
    assert_eq!(x.sales_count, 2);
    assert_eq!(x.gross, "8.46"); // 4.45 (rounded cash) + 4.01
    // 150.00 + 4.45 + 20.00 − 5.50 = 168.95
    assert_eq!(x.cash.expected, "168.95");
    assert_eq!(x.no_sales, 1);

    let z = r.close_shift("168.90").unwrap();
    assert_eq!((z.kind, z.number), ("z", 1));
    assert_eq!(z.cash.difference.as_deref(), Some("-0.05"));
    assert!(r.shift().is_none());
    assert_eq!(r.scan(PEANUTS).unwrap_err().code, "no_shift");
    let again = r.z_report(Some(1)).unwrap();
    assert_eq!(again.cash.expected, "168.95");
    assert_eq!(again.sales_count, 2);

    r.open_shift("100.00").unwrap();
    let second = r.close_shift("100.00").unwrap();
    assert_eq!((second.number, second.cash.difference.as_deref()), (2, Some("0.00")));
    let z_text = till.printed_text("z-2");
    assert!(z_text.contains("RAPPORT Z #2"), "{z_text}");
    let slip = till
        .printed_text(&till.printed_jobs().into_iter().find(|j| j.starts_with("nosale")).unwrap());
    assert!(slip.contains("OUVERTURE SANS VENTE"), "{slip}");
    assert!(slip.contains("customer needed change"), "{slip}");
}

#[test]
fn a_shift_cannot_close_with_a_cart_in_progress() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    assert_eq!(till.register.close_shift("150.00").unwrap_err().code, "cart_not_empty");
}

#[test]
fn replayed_invoices_stay_out_of_the_shift_and_its_cash() {
    let mut till = till("london");
    till.register.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
    till.register.open_shift("100.00").unwrap();
    let week = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/replay/online_retail_week_2010-12-01.csv"
    ))
    .unwrap();
    assert_eq!(till.register.replay(&week).unwrap().sales, 611);
    let x = till.register.report_x().unwrap();
    assert_eq!((x.sales_count, x.gross.as_str(), x.cash.expected.as_str()), (0, "0.00", "100.00"));
}
