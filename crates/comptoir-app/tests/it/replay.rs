//! Replaying the UK retailer's real invoice week into the London store.

use crate::common::*;

fn week() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/replay/online_retail_week_2010-12-01.csv"
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn the_invoice_week_books_611_sales_67_adjustments_and_339876_49_gbp_once() {
    let mut till = till("london");
    let summary = till.register.replay(&week()).unwrap();
    assert_eq!(summary.sales, 611);
    assert_eq!(summary.stock_adjustments, 67);
    assert_eq!(summary.cancelled_invoices, 79);
    assert_eq!(summary.total, "339876.49");
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    // 17.5% VAT included, computed per invoice.
    let tax: rust_decimal::Decimal = summary.tax_included.parse().unwrap();
    let expected = rust_decimal::Decimal::new(33987649, 2) * rust_decimal::Decimal::new(175, 3)
        / rust_decimal::Decimal::new(1175, 3);
    assert!((tax - expected).abs() < rust_decimal::Decimal::new(611, 2), "{tax} vs {expected}");
    assert!(summary.non_merchandise_lines > 0);

    let sale = till.register.database().entries_of_kinds(&["sale"], (0, 0)).unwrap().remove(0);
    assert_eq!(sale.business_day, "2010-12-01");
    assert!(sale.recorded_at.starts_with("2010-12-01T08:26:00+00:00"), "{}", sale.recorded_at);
    assert!(sale.payload.contains("\"rate\":\"0.175\""));

    let again = till.register.replay(&week()).unwrap();
    assert_eq!((again.sales, again.stock_adjustments, again.already_booked), (0, 0, 678));
    assert_eq!(till.register.verify().unwrap().entries, 678);
}

#[test]
fn the_uk_invoices_are_refused_by_a_montreal_register() {
    let mut till = till("montreal");
    let error = till.register.replay(&week()).unwrap_err();
    assert_eq!(error.code, "wrong_store");
    assert_eq!(till.register.verify().unwrap().entries, 0);
}
