//! Returns and exchanges at the Montréal till, with every amount worked out by hand.
//!
//! The basket: peanuts 3.89 and 2 truffles at 3.49 (taxable, 10.87), sriracha 3.59
//! (zero-rated). Per rate over the sale: GST 5 % of 10.87 = 0.5435 → 0.54, QST 9.975 % =
//! 1.0843 → 1.08; total 16.08. Each line's share, by largest remainder on 389 : 698:
//! GST 19.3 / 34.7 → 0.19 / 0.35, QST 38.6 / 69.4 → 0.39 / 0.69. So the customer paid
//! 4.47 for the peanuts, 8.02 for the truffles and 3.59 for the sriracha.

use comptoir_app::Pin;
use comptoir_app::returns::{Disposition, RefundTo};
use comptoir_protocol::check::{StoreFacts, check_entry};

use crate::common::*;

/// Rings the basket and pays 10.00 on card and 10.00 cash: cash due 6.08 → 6.10, change 3.90.
fn sold(till: &mut Till) -> String {
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    r.set_multiplier("2").unwrap();
    r.scan(TRUFFLES).unwrap();
    r.scan(SRIRACHA_UPC_A).unwrap();
    assert!(r.tender_card("10.00", "AUTH-7781").unwrap().is_none());
    let committed = r.tender_cash("10.00").unwrap().expect("paid");
    assert_eq!(committed.sale.total, "16.08");
    assert_eq!(committed.sale.change, "3.90");
    committed.sale.receipt_no
}

fn legs(sale: &comptoir_app::entry::Sale) -> Vec<String> {
    sale.tenders
        .iter()
        .map(|t| match t {
            comptoir_app::entry::SaleTender::Cash { tendered } => format!("cash {tendered}"),
            comptoir_app::entry::SaleTender::ExternalCard { amount, reference, .. } => {
                format!("card {amount} {reference}")
            }
            comptoir_app::entry::SaleTender::OnAccount { amount, .. } => {
                format!("account {amount}")
            }
            comptoir_app::entry::SaleTender::StoreCredit { amount, .. } => {
                format!("credit {amount}")
            }
        })
        .collect()
}

/// Every entry of the register passes the server's content check.
fn server_accepts_everything(till: &Till) {
    let db = till.register.database();
    for entry in db.entries_after(0, 0, 10_000).unwrap() {
        check_entry(&entry, StoreFacts { currency: "CAD" })
            .unwrap_or_else(|f| panic!("{} refused: {f:?}\n{}", entry.kind, entry.payload));
    }
}

#[test]
fn a_full_return_gives_back_each_tender_exactly_what_it_paid() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    let found = r.find_sale(&receipt).unwrap();
    let paid: Vec<&str> = found.lines.iter().map(|l| l.paid.as_str()).collect();
    assert_eq!(paid, ["4.47", "8.02", "3.59"]);
    for line in [1, 2, 3] {
        let qty = if line == 2 { "2" } else { "1" };
        r.return_line(&receipt, line, qty, Disposition::Restock, "changed mind").unwrap();
    }
    let view = r.view().unwrap();
    assert_eq!((view.cart.refund.as_str(), view.cart.due.as_str()), ("16.08", "-16.08"));
    let error = r.tender_cash("5.00").unwrap_err();
    assert_eq!(error.code, "refund_due");

    let refund = r.refund(RefundTo::Original).unwrap();
    // The card gets its 10.00 back; the cash part is 6.08, which the sale took as 6.10: the
    // customer gets 6.10, and the refund's cash rounding is 6.08 - 6.10 = -0.02, the sale's
    // +0.02 reversed.
    assert_eq!(refund.entry.kind, "return");
    assert_eq!(legs(&refund.sale), ["card -10.00 AUTH-7781", "cash -6.10"]);
    assert_eq!(
        (refund.sale.total.as_str(), refund.sale.cash_rounding.as_str()),
        ("-16.08", "-0.02")
    );
    assert_eq!(refund.sale.refund.as_deref(), Some("16.08"));

    let text = till.printed_text(&refund.print_job);
    for expected in ["RETOUR", "de MTL01-000001", "Carte", "-10.00", "-6.10"] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    // Each line gives back its amount before tax, then the tax refunded at each rate, on the
    // 10.87 of taxable lines, and the refund with its taxes.
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let at = |start: &str| lines.iter().find(|l| l.starts_with(start)).copied().unwrap_or("");
    assert!(at("  1 x 3.89").ends_with("-3.89 T"), "{text}");
    assert!(at("  2 x 3.49").ends_with("-6.98 T"), "{text}");
    assert!(at("TPS 5% / -10.87").ends_with("-0.54"), "{text}");
    assert!(at("TVQ 9.975% / -10.87").ends_with("-1.08"), "{text}");
    assert!(at("REMBOURSEMENT").ends_with("-16.08"), "{text}");
    // Cash goes out: no change is given.
    assert!(!text.contains("Monnaie rendue"), "{text}");
    // The shift's taxes are net of the return, base and amount: 10.87 sold and returned.
    let report = till.register.report_x().unwrap();
    let gst: Vec<(&str, &str)> = report
        .taxes
        .iter()
        .filter(|t| t.code == "GST" && t.rate == "5")
        .map(|t| (t.base.as_str(), t.amount.as_str()))
        .collect();
    assert_eq!(gst, [("0.00", "0.00")]);
    // Nothing is left to return.
    let error =
        till.register.return_line(&receipt, 1, "1", Disposition::Restock, "again").unwrap_err();
    assert_eq!(error.code, "nothing_left_to_return");
    server_accepts_everything(&till);
}

#[test]
fn returns_in_several_goes_refund_the_line_to_the_cent_and_never_more_cash_than_taken() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    let mut given = Vec::new();
    // One truffle: half of 6.98, 0.35 and 0.69, rounded half up: 3.49 + 0.18 + 0.35 = 4.02.
    // The second gets what is left: 3.49 + 0.17 + 0.34 = 4.00. Together, the line's 8.02.
    for (line, qty, refund) in
        [(2, "1", "4.02"), (2, "1", "4.00"), (1, "1", "4.47"), (3, "1", "3.59")]
    {
        r.return_line(&receipt, line, qty, Disposition::Restock, "faulty").unwrap();
        assert_eq!(r.view().unwrap().cart.refund, refund, "line {line}");
        let committed = r.refund(RefundTo::Original).unwrap();
        given.push(legs(&committed.sale).join(", "));
    }
    // Cards first: 4.02, 4.00, then 1.98 of the peanuts' 4.47 fills the card's 10.00; the
    // peanuts' other 2.49 is cash, rounded to 2.50; the sriracha's 3.59 would round to 3.60,
    // which is all the cash left of the 6.10 the sale took.
    assert_eq!(
        given,
        [
            "card -4.02 AUTH-7781",
            "card -4.00 AUTH-7781",
            "card -1.98 AUTH-7781, cash -2.50",
            "cash -3.60",
        ]
    );
    server_accepts_everything(&till);
}

#[test]
fn an_exchange_is_one_entry_and_the_customer_pays_the_difference() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    // Back: the sriracha (3.59). New: peanuts, 3.89 + GST 0.19 + QST 0.39 = 4.47.
    r.return_line(&receipt, 3, "1", Disposition::WriteOff, "broken seal").unwrap();
    r.scan(PEANUTS).unwrap();
    let view = r.view().unwrap();
    assert_eq!((view.cart.total.as_str(), view.cart.due.as_str()), ("4.47", "0.88"));
    // 0.88 in cash rounds to 0.90: 1.00 tendered, 0.10 back.
    let committed = r.tender_cash("1.00").unwrap().expect("paid");
    assert_eq!(committed.entry.kind, "exchange");
    assert_eq!(
        (
            committed.sale.total.as_str(),
            committed.sale.cash_rounding.as_str(),
            committed.sale.change.as_str()
        ),
        ("0.88", "0.02", "0.10")
    );
    assert_eq!(committed.sale.returns[0].disposition, "write_off");
    let text = till.printed_text(&committed.print_job);
    for expected in ["ÉCHANGE", "French Burnt Peanuts", "RETOURNÉ", "-3.59", "mis au rebut"] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    server_accepts_everything(&till);
}

#[test]
fn an_exchange_worth_less_gives_the_difference_back_in_cash_rounded() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    // Back: the peanuts (4.47). New: one truffle, 3.49 + GST 0.17 + QST 0.35 = 4.01.
    r.return_line(&receipt, 1, "1", Disposition::Restock, "wrong item").unwrap();
    r.scan(TRUFFLES).unwrap();
    assert_eq!(r.view().unwrap().cart.due, "-0.46");
    // 0.46 to give back in cash rounds to 0.45: the rounding is 0.46 - 0.45 = +0.01.
    let committed = r.refund(RefundTo::Cash).unwrap();
    assert_eq!(legs(&committed.sale), ["cash -0.45"]);
    assert_eq!(committed.sale.cash_rounding, "0.01");
    server_accepts_everything(&till);
}

#[test]
fn a_return_without_a_receipt_needs_a_manager_and_goes_on_store_credit() {
    let mut till = till("montreal");
    let r = &mut till.register;
    r.sign_in(&Pin::new("2468")).unwrap();
    r.open_shift("100.00").unwrap();
    let error =
        r.return_without_receipt(PEANUTS, "1", Disposition::Restock, "gift", None).unwrap_err();
    assert_eq!(error.code, "manager_required");
    let error = r
        .return_without_receipt(PEANUTS, "1", Disposition::Restock, "gift", Some(&Pin::new("2468")))
        .unwrap_err();
    assert_eq!(error.code, "manager_required", "a cashier's own PIN approves nothing");
    r.return_without_receipt(PEANUTS, "1", Disposition::Restock, "gift", Some(&Pin::new("1234")))
        .unwrap();
    // Today's price (no lower one in the last 90 days) and today's taxes: 3.89 + 0.19 + 0.39.
    assert_eq!(r.view().unwrap().cart.refund, "4.47");
    let error = r.refund(RefundTo::Cash).unwrap_err();
    assert_eq!(error.code, "store_credit_only");
    // Asked for the original tenders (there are none), it goes on store credit by itself.
    let committed = r.refund(RefundTo::Original).unwrap();
    assert_eq!(legs(&committed.sale), ["credit -4.47"]);
    assert_eq!(committed.sale.returns[0].approved_by.as_deref(), Some("c1"));
    // The cashier's reason stays as said; the price's policy is recorded beside it.
    let returned = &committed.sale.returns[0];
    assert_eq!(
        (returned.reason.as_str(), returned.price_policy.as_deref()),
        ("gift", Some("lowest_recent"))
    );
    assert!(committed.sale.returns[0].original.is_none());
    server_accepts_everything(&till);
}

#[test]
fn a_return_in_progress_survives_a_crash_and_the_shift_counts_its_cash() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    till.register.return_line(&receipt, 3, "1", Disposition::Restock, "duplicate").unwrap();
    let mut till = till.restart();
    till.register.sign_in(&Pin::new("1234")).unwrap();
    assert_eq!(till.register.view().unwrap().cart.refund, "3.59");
    let committed = till.register.refund(RefundTo::Cash).unwrap();
    assert_eq!(legs(&committed.sale), ["cash -3.60"]);
    // Float 150.00 + cash kept 6.10 - refunded 3.60.
    let report = till.register.report_x().unwrap();
    // Gross sales stay the sale's 16.10 (16.08 with its +0.02 cash rounding): the refund and
    // its own rounding are apart.
    assert_eq!(report.gross, "16.10");
    assert_eq!(report.cash.cash_refunds, "3.60");
    assert_eq!(report.cash.expected, "152.50");
    assert_eq!((report.returns_count, report.refunds.as_str()), (1, "3.59"));
    // The refund's own rounding (3.59 handed back as 3.60) is shown apart, so the report
    // ties: 16.10 - 3.59 - 0.01 is the 12.50 the tenders took (card 10.00, cash 2.50).
    assert_eq!(report.refunds_rounding, "-0.01");
    let tenders: i64 =
        report.tenders.iter().map(|t| t.amount.replace('.', "").parse::<i64>().unwrap()).sum();
    assert_eq!(tenders, 1250);
    let text =
        till.printed_text(&till.printed_jobs().into_iter().find(|j| j.starts_with("x-")).unwrap());
    assert!(text.contains("Arrondi des remboursements"), "{text}");
}

#[test]
fn unknown_receipts_and_bad_quantities_are_refused_and_nothing_changes() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    assert_eq!(r.find_sale("MTL01-000099").unwrap_err().code, "no_such_sale");
    assert_eq!(
        r.return_line(&receipt, 9, "1", Disposition::Restock, "x").unwrap_err().code,
        "no_such_line"
    );
    assert_eq!(
        r.return_line(&receipt, 2, "3", Disposition::Restock, "x").unwrap_err().code,
        "nothing_left_to_return"
    );
    assert_eq!(
        r.return_line(&receipt, 2, "1", Disposition::Restock, " ").unwrap_err().code,
        "reason_required"
    );
    assert!(r.view().unwrap().cart.returns.is_empty());
    assert_eq!(r.refund(RefundTo::Cash).unwrap_err().code, "nothing_to_refund");
}

#[test]
fn scanning_a_receipt_offers_its_return_and_adds_nothing() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let error = till.register.scan(&receipt).unwrap_err();
    assert_eq!(error.code, "receipt_scanned");
    let view = till.register.view().unwrap();
    assert!(view.cart.lines.is_empty());
    assert_eq!(view.notice.as_ref().map(|n| n.code), Some("receipt_scanned"));
    // A scanner set to lower case reads the same receipt.
    let lower = till.register.scan(&receipt.to_lowercase()).unwrap_err();
    assert_eq!((lower.code, lower.detail.as_str()), ("receipt_scanned", receipt.as_str()));
    // A code of that shape with no sale is an unknown barcode.
    assert_eq!(till.register.scan("MTL01-000099").unwrap_err().code, "unknown_barcode");
    assert!(comptoir_app::returns::looks_like_receipt("MTL01-2-000042"));
    assert!(!comptoir_app::returns::looks_like_receipt("0019061093791"));
}

#[test]
fn a_refund_in_two_goes_says_why_its_cash_is_rounded_by_more_than_half_a_coin() {
    let mut till = open_till();
    let r = &mut till.register;
    // Two zero-rated open-price lines, 5.03 and 4.99: 10.02 in cash is taken as 10.00.
    r.add_open_price("Jar", "5.03", "zero_rated", None).unwrap();
    r.add_open_price("Pot", "4.99", "zero_rated", None).unwrap();
    let sale = r.tender_cash("10.00").unwrap().expect("paid");
    assert_eq!(sale.sale.cash_rounding, "-0.02");
    let receipt = sale.sale.receipt_no;
    // 5.03 goes back as 5.05 (the running total rounded); then 4.99 as 4.95, since the two
    // refunds together hand back the 10.00 the sale took: a rounding of 0.04.
    r.return_line(&receipt, 1, "1", Disposition::Restock, "x").unwrap();
    let first = r.refund(RefundTo::Original).unwrap();
    assert_eq!(
        (legs(&first.sale)[0].as_str(), first.sale.cash_rounding.as_str()),
        ("cash -5.05", "-0.02")
    );
    r.return_line(&receipt, 2, "1", Disposition::Restock, "x").unwrap();
    let second = r.refund(RefundTo::Original).unwrap();
    assert_eq!(
        (legs(&second.sale)[0].as_str(), second.sale.cash_rounding.as_str()),
        ("cash -4.95", "0.04")
    );
    let text = till.printed_text(&second.print_job);
    assert!(text.contains("compense les remboursements précédents"), "{text}");
    assert!(!till.printed_text(&first.print_job).contains("compense"));
    server_accepts_everything(&till);
}

#[test]
fn a_cart_that_costs_nothing_is_recorded_without_a_tender() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    // An even exchange: the sriracha back, another sriracha out.
    r.return_line(&receipt, 3, "1", Disposition::WriteOff, "dented").unwrap();
    r.scan(SRIRACHA_UPC_A).unwrap();
    assert_eq!(r.view().unwrap().cart.due, "0.00");
    // A tender with nothing to pay would all be change: refused.
    assert_eq!(r.tender_cash("5.00").unwrap_err().code, "nothing_due");
    let even = r.refund(RefundTo::Original).unwrap();
    assert_eq!((even.entry.kind.as_str(), even.sale.tenders.len()), ("exchange", 0));
    // A gift: everything off, approved by the manager signed in.
    r.scan(PEANUTS).unwrap();
    assert_eq!(r.complete().unwrap_err().code, "payment_due");
    r.discount_order(comptoir_app::discounts::DiscountInput::Percent("100"), "gift", None).unwrap();
    // Entering 0 records it, as complete() does.
    let gift = r.tender_cash("0").unwrap().expect("recorded");
    assert_eq!((gift.sale.total.as_str(), gift.sale.tenders.len()), ("0.00", 0));
    let text = till.printed_text(&gift.print_job);
    assert!(text.contains("TOTAL") && !text.contains("Monnaie rendue"), "{text}");
    assert_eq!(till.register.complete().unwrap_err().code, "cart_empty");
    server_accepts_everything(&till);
}

#[test]
fn a_return_receipt_is_not_taken_for_a_sale() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    r.return_line(&receipt, 3, "1", Disposition::Restock, "x").unwrap();
    let refund = r.refund(RefundTo::Cash).unwrap();
    let error = r.find_sale(&refund.sale.receipt_no).unwrap_err();
    assert_eq!(error.code, "receipt_is_a_return");
    assert!(
        error.detail.ends_with(&format!("find the sale it refunded ({receipt})")),
        "{}",
        error.detail
    );
}

#[test]
fn lines_of_two_sales_go_back_over_each_sales_own_tenders() {
    let mut till = open_till();
    let first = sold(&mut till);
    let r = &mut till.register;
    // A second sale, all cash: a truffle, 4.01, taken as 4.00.
    r.scan(TRUFFLES).unwrap();
    let second = r.tender_cash("5.00").unwrap().expect("paid").sale.receipt_no;
    // The sriracha of the first (3.59, which its card can take) and the truffle of the second
    // (4.01 in cash, handed back as the 4.00 that sale took: a rounding of +0.01).
    r.return_line(&first, 3, "1", Disposition::Restock, "x").unwrap();
    r.return_line(&second, 1, "1", Disposition::Restock, "x").unwrap();
    let refund = r.refund(RefundTo::Original).unwrap();
    assert_eq!(legs(&refund.sale), ["card -3.59 AUTH-7781", "cash -4.00"]);
    assert_eq!((refund.sale.total.as_str(), refund.sale.cash_rounding.as_str()), ("-7.60", "0.01"));
    // The rest of the first sale (12.49): that refund's cash was the second sale's, so the
    // first still gives its card's 6.41 and all its 6.08 of cash, as the 6.10 it took.
    let r = &mut till.register;
    r.return_line(&first, 1, "1", Disposition::Restock, "x").unwrap();
    r.return_line(&first, 2, "2", Disposition::Restock, "x").unwrap();
    let rest = r.refund(RefundTo::Original).unwrap();
    assert_eq!(legs(&rest.sale), ["card -6.41 AUTH-7781", "cash -6.10"]);
    server_accepts_everything(&till);
}

#[test]
fn cash_for_what_a_card_paid_takes_a_manager_and_never_more_than_the_drawer_holds() {
    let mut till = open_till();
    let receipt = sold(&mut till);
    let r = &mut till.register;
    r.lock();
    r.sign_in(&Pin::new("2468")).unwrap();
    // The truffles, 8.02, would go back on the card (10.00 paid there).
    r.return_line(&receipt, 2, "2", Disposition::Restock, "x").unwrap();
    let refused = r.refund(RefundTo::Cash).unwrap_err();
    assert_eq!(refused.code, "manager_required");
    assert!(refused.detail.starts_with("8.02 of this refund went on a card"), "{}", refused.detail);
    assert_eq!(
        r.refund_with(RefundTo::Cash, Some(&Pin::new("2468"))).unwrap_err().code,
        "manager_required"
    );
    let approved = r.refund_with(RefundTo::Cash, Some(&Pin::new("1234"))).unwrap();
    assert_eq!(legs(&approved.sale), ["cash -8.00"]);
    assert_eq!(approved.sale.approved_by.as_deref(), Some("c1"));

    // 150.00 float + 6.10 kept - 8.00: the drawer holds 148.10. A 200.00 card sale cannot be
    // refunded in cash from it, even with the manager's approval; it can on the card.
    let r = &mut till.register;
    r.lock();
    r.sign_in(&Pin::new("1234")).unwrap();
    r.add_open_price("Bike", "200.00", "zero_rated", None).unwrap();
    let bike = r.tender_card("200.00", "AUTH-9").unwrap().expect("paid").sale.receipt_no;
    r.return_line(&bike, 1, "1", Disposition::Restock, "x").unwrap();
    let short = r.refund(RefundTo::Cash).unwrap_err();
    assert_eq!(short.code, "drawer_short");
    assert!(short.detail.starts_with("the drawer should hold 148.10: 200.00"), "{}", short.detail);
    assert_eq!(r.view().unwrap().cart.refund, "200.00", "the return stays in the cart");
    let card = r.refund(RefundTo::Original).unwrap();
    assert_eq!(legs(&card.sale), ["card -200.00 AUTH-9"]);
    server_accepts_everything(&till);
}

#[test]
fn a_return_with_tax_included_prints_the_rates_base_without_tax() {
    let mut till = till("london");
    let r = &mut till.register;
    r.sign_in(&Pin::new("1234")).unwrap();
    r.open_shift("50.00").unwrap();
    // 6 x 2.95 = 17.70, VAT included 2.95 on 14.75.
    r.set_multiplier("6").unwrap();
    r.scan("85123A").unwrap();
    let sale = r.tender_cash("20.00").unwrap().expect("paid").sale;
    // Two of six: 5.90, VAT 2.95 x 2/6 = 0.98, on 5.90 - 0.98 = 4.92.
    r.return_line(&sale.receipt_no, 1, "2", Disposition::Restock, "x").unwrap();
    let refund = r.refund(RefundTo::Original).unwrap();
    let text = till.printed_text(&refund.print_job);
    let line = text.lines().find(|l| l.starts_with("VAT 20%")).unwrap_or("");
    assert!(line.contains("-4.92") && line.trim_end().ends_with("-0.98"), "{text}");
}

#[test]
fn a_manager_sets_the_stores_return_policy_and_it_holds_after_a_restart() {
    let mut till = open_till();
    let r = &mut till.register;
    assert_eq!(
        r.set_store_policy("returns_without_receipt.refund_to", "cash").unwrap_err().code,
        "invalid_setting"
    );
    assert_eq!(
        r.set_store_policy("returns_without_receipt.days", "-1").unwrap_err().code,
        "invalid_setting"
    );
    assert_eq!(
        r.set_store_policy("discount_limits.cashier", "101").unwrap_err().code,
        "invalid_setting"
    );
    assert_eq!(r.set_store_policy("tax_rounding", "per_line").unwrap_err().code, "unknown_setting");
    r.set_store_policy("returns_without_receipt.refund_to", "any").unwrap();
    let policies = r.set_store_policy("returns_without_receipt.manager_approval", "false").unwrap();
    assert_eq!(policies["returns_without_receipt"]["refund_to"], "any");
    let mut till = till.restart();
    let r = &mut till.register;
    r.sign_in(&Pin::new("2468")).unwrap();
    assert_eq!(
        r.set_store_policy("discount_limits.cashier", "50").unwrap_err().code,
        "permission_denied"
    );
    // No manager, no PIN, and cash back: the store said so.
    r.return_without_receipt(PEANUTS, "1", Disposition::Restock, "gift", None).unwrap();
    let refund = r.refund(RefundTo::Cash).unwrap();
    assert_eq!(legs(&refund.sale), ["cash -4.45"]);
}
