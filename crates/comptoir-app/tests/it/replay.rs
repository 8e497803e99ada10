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

#[test]
fn an_invoice_with_a_bad_row_is_reported_and_not_booked_at_all() {
    let mut till = till("london");
    let csv = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
               536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26,2.55,17850,United Kingdom\n\
               536365,71053,WHITE METAL LANTERN,six,2010-12-01 08:26,3.39,17850,United Kingdom\n\
               536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28,1.85,17850,United Kingdom\n";
    let summary = till.register.replay(csv).unwrap();
    assert_eq!((summary.invoices, summary.sales, summary.total.as_str()), (1, 1, "11.10"));
    assert_eq!(summary.errors.len(), 1);
    assert_eq!(summary.errors[0].line, 3);
    assert!(
        summary.errors[0].reason.starts_with("536365: quantity"),
        "{}",
        summary.errors[0].reason
    );
}
