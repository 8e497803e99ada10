//! Recovery of a payment whose answer was lost: the register asks the terminal, it never
//! charges twice (the simulator's journal counts the charges).

use comptoir_zvt::{Command, Intent, Recovery, Verdict};

use crate::support::{BOTH, Sim};

fn intent(amount: u64, previous: Option<u16>, receipt: Option<u16>) -> Intent {
    Intent {
        id: "sale-1/card-1".to_owned(),
        amount,
        receipt_no: receipt,
        previous_receipt_no: previous,
    }
}

#[test]
fn a_payment_dropped_after_the_terminal_charged_recovers_as_approved_and_is_not_charged_again() {
    let sim = Sim::start();
    for via in BOTH {
        let before = sim.charges();
        let previous =
            sim.client(via).run(&Command::Pay { amount: 100, currency: None }, &mut |_| {});
        let previous = previous.unwrap().reference.receipt_no;
        sim.script("drop-after-status");
        let lost = sim.client(via).run(&Command::Pay { amount: 4200, currency: None }, &mut |_| {});
        assert!(matches!(lost.unwrap().verdict, Verdict::Unknown(_)), "{via:?}");
        sim.script("approve");
        // The register restarts: it knows only the intent it stored before sending.
        let recovery = sim.client(via).recover(&intent(4200, previous, None), &mut |_| {});
        let Recovery::Approved(outcome) = recovery else { panic!("{via:?}: {recovery:?}") };
        assert_eq!(outcome.amount, Some(4200));
        assert_eq!(outcome.card_number.unwrap().as_str(), "************1111");
        assert_eq!(sim.charges(), before + 2, "{via:?}: exactly one charge for the lost payment");
    }
}

#[test]
fn a_payment_that_never_reached_the_bank_recovers_as_not_charged() {
    let sim = Sim::start();
    for via in BOTH {
        let previous =
            sim.client(via).run(&Command::Pay { amount: 100, currency: None }, &mut |_| {});
        let previous = previous.unwrap().reference.receipt_no;
        let before = sim.charges();
        sim.script("timeout");
        let lost = sim.client(via).run(&Command::Pay { amount: 900, currency: None }, &mut |_| {});
        assert!(matches!(lost.unwrap().verdict, Verdict::Unknown(_)), "{via:?}");
        sim.script("approve");
        let recovery = sim.client(via).recover(&intent(900, previous, None), &mut |_| {});
        assert!(matches!(recovery, Recovery::NotCharged(_)), "{via:?}: {recovery:?}");
        assert_eq!(sim.charges(), before, "{via:?}");
    }
}

#[test]
fn a_recovered_payment_the_register_no_longer_wants_is_reversed_not_doubled() {
    let sim = Sim::start();
    for via in BOTH {
        let before = sim.charges();
        sim.script("drop-after-status");
        let lost = sim.client(via).run(&Command::Pay { amount: 777, currency: None }, &mut |_| {});
        let receipt = lost.unwrap().reference.receipt_no;
        sim.script("approve");
        let recovery = sim.client(via).recover(&intent(777, None, receipt), &mut |_| {});
        let Recovery::Approved(outcome) = recovery else { panic!("{via:?}: {recovery:?}") };
        let receipt_no = outcome.reference.receipt_no.unwrap();
        let reversed = sim.client(via).run(&Command::Reverse { receipt_no }, &mut |_| {}).unwrap();
        assert_eq!(reversed.verdict, Verdict::Approved);
        assert_eq!(sim.charges(), before, "{via:?}: approved then reversed, never twice");
    }
}

#[test]
fn a_different_amount_on_the_terminal_is_unclear_not_approved() {
    let sim = Sim::start();
    let via = BOTH[0];
    sim.client(via).run(&Command::Pay { amount: 1500, currency: None }, &mut |_| {}).unwrap();
    let recovery = sim.client(via).recover(&intent(1600, None, None), &mut |_| {});
    assert!(matches!(recovery, Recovery::Unclear(Some(_))), "{recovery:?}");
    assert_eq!(recovery.code(), "card_result_unclear");
}

#[test]
fn a_terminal_that_cannot_be_reached_is_unreachable() {
    let sim = Sim::start();
    let via = BOTH[0];
    let mut client = sim.client(via);
    drop(sim);
    let recovery = client.recover(&intent(100, None, None), &mut |_| {});
    assert!(matches!(recovery, Recovery::Unreachable(_)), "{recovery:?}");
}
