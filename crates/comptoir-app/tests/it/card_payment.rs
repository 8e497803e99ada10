//! Card payments on an integrated terminal: recorded before the terminal is asked, applied
//! once, asked about after a restart, reversed before a void; no full card number kept.

use comptoir_app::Pin;
use comptoir_app::card::TerminalAnswer;
use comptoir_app::entry::{CardSlip, SaleTender};

use crate::common::{PEANUTS, TRUFFLES, open_till};

fn approved(reference: &str) -> TerminalAnswer {
    TerminalAnswer::Approved {
        reference: reference.to_owned(),
        receipt_no: Some(42),
        slip: CardSlip {
            brand: Some("VISA".to_owned()),
            // A terminal that sends more than it should: only the last four are kept.
            masked_pan: Some("411111******1111".to_owned()),
            terminal_id: Some("52500038".to_owned()),
            receipt: vec![
                "KUNDENBELEG".to_owned(),
                "VISA 4111 1111 1111 1111".to_owned(),
                "Betrag EUR 4,47".to_owned(),
                "Zahlung erfolgt".to_owned(),
            ],
        },
    }
}

fn database_text(dir: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(dir.join("register.db")).unwrap();
    let mut text = String::new();
    for table in ["ledger", "card_payment", "current_cart"] {
        let sql = format!("SELECT * FROM {table}");
        let mut statement = conn.prepare(&sql).unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                if let Ok(value) = row.get::<_, String>(i) {
                    text.push_str(&value);
                    text.push('\n');
                }
            }
        }
    }
    text
}

#[test]
fn an_approved_payment_records_the_sale_with_the_terminals_slip_and_no_card_number() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    let request = r.begin_card_payment("4.47").unwrap();
    assert_eq!((request.amount.as_str(), request.currency.as_str()), ("4.47", "CAD"));
    assert_eq!(r.unsettled_card_payments().unwrap(), vec![request.clone()]);

    let committed = r.finish_card_payment(&request.id, approved("TID52500038-T000123")).unwrap();
    let committed = committed.expect("the card paid the sale");
    let SaleTender::ExternalCard { amount, reference, terminal: Some(slip) } =
        &committed.sale.tenders[0]
    else {
        panic!("{:?}", committed.sale.tenders)
    };
    assert_eq!((amount.as_str(), reference.as_str()), ("4.47", "TID52500038-T000123"));
    assert_eq!(slip.masked_pan.as_deref(), Some("****1111"));
    assert_eq!(slip.receipt[1], "VISA **** **** **** 1111");
    assert!(r.unsettled_card_payments().unwrap().is_empty());

    let text = till.printed_text(&committed.print_job);
    assert!(text.contains("Carte VISA ****1111                   4.47"), "{text}");
    assert!(text.contains("KUNDENBELEG") && text.contains("Zahlung erfolgt"), "{text}");
    assert!(!text.contains("4111 1111 1111 1111") && !text.contains("411111"), "{text}");
    let stored = database_text(till.dir.path());
    assert!(stored.contains("****1111"), "the slip is stored");
    assert!(!stored.contains("4111 1111 1111 1111") && !stored.contains("411111"), "{stored}");
}

#[test]
fn while_a_payment_waits_for_the_terminal_nothing_else_can_pay_change_or_void_the_sale() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    let request = r.begin_card_payment("4.47").unwrap();
    let pending = |code: &str| assert_eq!(code, "card_payment_pending");
    pending(r.begin_card_payment("4.47").unwrap_err().code);
    pending(r.tender_cash("5.00").unwrap_err().code);
    pending(r.tender_card("4.47", "AUTH 1").unwrap_err().code);
    pending(r.void_cart("customer left").unwrap_err().code);
    pending(r.scan(TRUFFLES).unwrap_err().code);
    assert_eq!(r.view().unwrap().cart.lines.len(), 1);

    let declined = TerminalAnswer::Declined {
        code: "05".to_owned(),
        message: "declined by the card issuer".to_owned(),
    };
    let error = r.finish_card_payment(&request.id, declined).unwrap_err();
    assert_eq!(error.code, "card_declined");
    assert!(r.view().unwrap().cart.tenders.is_empty(), "nothing was charged");
    // Nothing pending any more: the customer pays cash.
    assert!(r.tender_cash("5.00").unwrap().is_some());
}

#[test]
fn an_answer_that_arrives_twice_adds_one_tender() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    r.scan(TRUFFLES).unwrap();
    // 8.49 in all: 5.00 on the card, the rest later.
    let request = r.begin_card_payment("5.00").unwrap();
    assert!(r.finish_card_payment(&request.id, approved("T1")).unwrap().is_none());
    assert!(r.finish_card_payment(&request.id, approved("T1")).unwrap().is_none());
    let view = r.view().unwrap();
    assert_eq!(view.cart.tenders.len(), 1);
    assert_eq!(view.cart.remaining, "3.49");
}

#[test]
fn a_payment_pending_at_a_restart_is_asked_about_and_applied_once() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    let request = till.register.begin_card_payment("4.47").unwrap();
    // The register stops before the terminal's answer arrives.
    let mut till = till.restart();
    let r = &mut till.register;
    r.sign_in(&Pin::new("2468")).unwrap();
    assert_eq!(r.unsettled_card_payments().unwrap(), vec![request.clone()]);
    assert_eq!(r.tender_cash("5.00").unwrap_err().code, "card_payment_pending");
    // The terminal, asked, says it approved the payment.
    let committed = r.finish_card_payment(&request.id, approved("T2")).unwrap();
    assert_eq!(committed.expect("paid").sale.total, "4.47");
    assert!(r.unsettled_card_payments().unwrap().is_empty());
}

#[test]
fn a_payment_the_terminal_never_charged_frees_the_sale_for_another_payment() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    let request = till.register.begin_card_payment("4.47").unwrap();
    let mut till = till.restart();
    let r = &mut till.register;
    r.sign_in(&Pin::new("2468")).unwrap();
    let error = r.finish_card_payment(&request.id, TerminalAnswer::NotCharged).unwrap_err();
    assert_eq!(error.code, "card_not_charged");
    assert!(r.tender_cash("5.00").unwrap().is_some());
}

#[test]
fn an_approval_saved_before_a_crash_records_its_sale_at_the_next_sign_in() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    till.register.scan(TRUFFLES).unwrap();
    let first = till.register.begin_card_payment("5.00").unwrap();
    till.register.finish_card_payment(&first.id, approved("T3")).unwrap();
    // The card leg survives a restart with its slip.
    let mut till = till.restart();
    let r = &mut till.register;
    r.sign_in(&Pin::new("2468")).unwrap();
    let view = r.view().unwrap();
    assert_eq!((view.cart.tenders.len(), view.cart.remaining.as_str()), (1, "3.49"));
    let second = r.begin_card_payment("3.49").unwrap();
    let committed = r.finish_card_payment(&second.id, approved("T4")).unwrap().expect("paid");
    let slips: Vec<_> = committed
        .sale
        .tenders
        .iter()
        .map(|t| match t {
            SaleTender::ExternalCard { reference, terminal, .. } => {
                (reference.clone(), terminal.as_ref().and_then(|s| s.masked_pan.clone()))
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        slips,
        [
            ("T3".to_owned(), Some("****1111".to_owned())),
            ("T4".to_owned(), Some("****1111".to_owned()))
        ]
    );
}

#[test]
fn a_charged_card_is_reversed_before_the_sale_is_voided() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    r.scan(TRUFFLES).unwrap();
    let request = r.begin_card_payment("5.00").unwrap();
    r.finish_card_payment(&request.id, approved("T5")).unwrap();
    assert_eq!(r.void_cart("customer left").unwrap_err().code, "card_to_reverse");

    let reversal = r.begin_card_reversal("T5").unwrap();
    assert_eq!(reversal.state, "reversing");
    assert_eq!(r.void_cart("customer left").unwrap_err().code, "card_payment_pending");
    let refused = r.finish_card_reversal(&reversal.id, false).unwrap_err();
    assert_eq!(refused.code, "card_reversal_refused");
    assert_eq!(r.view().unwrap().cart.tenders.len(), 1, "still charged, still on the sale");

    let reversal = r.begin_card_reversal("T5").unwrap();
    r.finish_card_reversal(&reversal.id, true).unwrap();
    assert!(r.view().unwrap().cart.tenders.is_empty());
    r.void_cart("customer left").unwrap();
    assert_eq!(r.begin_card_reversal("T5").unwrap_err().code, "card_payment_unknown");
}
