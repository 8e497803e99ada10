//! Store credit: a note a refund issues, spent as a tender, and given back by a return.

use comptoir_app::Pin;
use comptoir_app::entry::SaleTender;
use comptoir_app::returns::{Disposition, RefundTo};

use crate::common::*;

/// A return without a receipt of the peanuts (3.89 + 0.19 + 0.39 = 4.47) on store credit.
fn credit_note(till: &mut Till) -> String {
    let r = &mut till.register;
    r.return_without_receipt(PEANUTS, "1", Disposition::Restock, "gift", Some(&Pin::new("1234")))
        .unwrap();
    let refund = r.refund(RefundTo::StoreCredit).unwrap();
    let [SaleTender::StoreCredit { amount, reference }] = &refund.sale.tenders[..] else {
        panic!("{:?}", refund.sale.tenders);
    };
    assert_eq!(amount, "-4.47");
    // The refund's receipt carries the note's barcode, to pay with it next time.
    let text = till.printed_text(&refund.print_job);
    assert!(text.contains(&format!("CODE128: {reference}")), "{text}");
    reference.clone()
}

#[test]
fn a_credit_note_pays_sales_until_it_is_spent_and_never_beyond() {
    let mut till = open_till();
    let note = credit_note(&mut till);
    assert_eq!(note, "CR-MTL01-000001");
    let r = &mut till.register;
    let held = r.store_credit(&note.to_lowercase()).unwrap();
    assert_eq!(
        (held.issued.as_str(), held.spent.as_str(), held.balance.as_str()),
        ("4.47", "0.00", "4.47")
    );
    assert!(!held.chain_wide, "not enrolled: this register's entries only");

    // A truffle, 3.49 + 0.17 + 0.35 = 4.01: more than that is refused, all of it pays.
    r.scan(TRUFFLES).unwrap();
    assert_eq!(r.tender_store_credit("4.40", &note).unwrap_err().code, "tender_exceeds_due");
    let sale = r.tender_store_credit("4.01", &note).unwrap().expect("paid by the note");
    assert_eq!(sale.sale.total, "4.01");
    assert_eq!(r.store_credit(&note).unwrap().balance, "0.46");

    // The peanuts, 4.47: 0.46 off the note (never more), 4.01 in cash rounds to 4.00.
    r.scan(PEANUTS).unwrap();
    let short = r.tender_store_credit("0.50", &note).unwrap_err();
    assert_eq!(short.code, "credit_short");
    assert_eq!(
        short.detail,
        "CR-MTL01-000001 holds 0.46: take at most that from it, and the rest another way"
    );
    assert!(r.tender_store_credit("0.46", &note).unwrap().is_none());
    // The leg in the cart counts: nothing is left to take twice.
    assert_eq!(r.store_credit(&note).unwrap().balance, "0.00");
    let paid = r.tender_cash("5.00").unwrap().expect("paid");
    assert_eq!((paid.sale.cash_rounding.as_str(), paid.sale.change.as_str()), ("-0.01", "1.00"));
    let text = till.printed_text(&paid.print_job);
    assert!(text.contains("CR-MTL01-000001") && !text.contains("CODE128: CR-"), "{text}");

    // The truffle comes back: its refund goes back on the note it was paid with.
    let r = &mut till.register;
    r.return_line(&sale.sale.receipt_no, 1, "1", Disposition::Restock, "stale").unwrap();
    let back = r.refund(RefundTo::Original).unwrap();
    assert!(
        matches!(&back.sale.tenders[..], [SaleTender::StoreCredit { amount, reference }]
        if amount == "-4.01" && *reference == note),
        "{:?}",
        back.sale.tenders
    );
    let held = r.store_credit(&note).unwrap();
    assert_eq!(
        (held.issued.as_str(), held.spent.as_str(), held.balance.as_str()),
        ("8.48", "4.47", "4.01")
    );
    // The shift counts what the note paid apart from cash.
    let report = r.report_x().unwrap();
    let credit: Vec<_> = report.tenders.iter().filter(|t| t.kind == "store_credit").collect();
    assert_eq!(credit.len(), 1, "{:?}", report.tenders);
}

#[test]
fn unknown_notes_are_refused_and_a_scanned_note_offers_itself_as_the_payment() {
    let mut till = open_till();
    let note = credit_note(&mut till);
    let r = &mut till.register;
    assert_eq!(r.store_credit("CR-MTL01-000099").unwrap_err().code, "unknown_credit");
    assert_eq!(r.store_credit(" ").unwrap_err().code, "credit_required");
    r.scan(PEANUTS).unwrap();
    assert_eq!(r.tender_store_credit("1.00", "CR-NOPE").unwrap_err().code, "unknown_credit");
    assert!(r.tenders().is_empty(), "nothing was taken");
    let scanned = r.scan(&note).unwrap_err();
    assert_eq!(scanned.code, "credit_scanned");
    let view = r.view().unwrap();
    assert_eq!(view.notice.as_ref().and_then(|n| n.offer), Some("store_credit"));
    assert_eq!(view.cart.lines.len(), 1, "the note is not an item");
}
