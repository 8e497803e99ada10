//! Every flow of the client against the simulator program, over TCP and over a
//! pseudo-terminal.

use std::time::Duration;

use comptoir_zvt::{Command, Outcome, Progress, ResultCode, Verdict, ZvtError};

use crate::support::{BOTH, Sim, Via};

fn pay(amount: u64) -> Command {
    Command::Pay { amount, currency: None }
}

/// Runs one command on a fresh link, with what the terminal displayed.
fn run(sim: &Sim, via: Via, command: &Command) -> (Result<Outcome, ZvtError>, Vec<String>) {
    let mut client = sim.client(via);
    let mut shown = Vec::new();
    let result = client.run(command, &mut |p| {
        if let Progress::Display(text) = p {
            shown.push(text.to_owned());
        }
    });
    (result, shown)
}

#[test]
fn registration() {
    let sim = Sim::start();
    for via in BOTH {
        let (outcome, _) = run(&sim, via, &Command::Register);
        let outcome = outcome.unwrap();
        assert_eq!(outcome.verdict, Verdict::Approved, "{via:?}");
        assert_eq!(outcome.reference.terminal_id.as_deref(), Some("52001233"), "{via:?}");
    }
}

#[test]
fn an_approved_payment_brings_reference_brand_masked_number_and_receipt() {
    let sim = Sim::start();
    for via in BOTH {
        let (outcome, shown) = run(&sim, via, &pay(1250));
        let outcome = outcome.unwrap();
        assert_eq!(outcome.verdict, Verdict::Approved, "{via:?}");
        assert_eq!(outcome.amount, Some(1250));
        assert_eq!(outcome.currency, Some(978));
        assert!(outcome.reference.trace.is_some() && outcome.reference.receipt_no.is_some());
        assert_eq!(outcome.card_brand.as_deref(), Some("VISA"));
        assert_eq!(outcome.card_number.as_ref().unwrap().as_str(), "************1111");
        assert!(outcome.receipt.iter().any(|l| l.contains("EUR 12,50")), "{:?}", outcome.receipt);
        assert!(shown.iter().any(|t| t.contains("insert")), "{shown:?}");
        assert!(shown.iter().any(|t| t.contains("PIN")), "{shown:?}");
    }
    assert_eq!(sim.charges(), 2);
}

#[test]
fn a_declined_payment_carries_the_result_code() {
    let sim = Sim::start();
    for via in BOTH {
        sim.script("decline:05");
        let outcome = run(&sim, via, &pay(990)).0.unwrap();
        assert_eq!(outcome.verdict, Verdict::Declined(ResultCode(0x05)), "{via:?}");
        assert_eq!(outcome.code(), "card_declined");
        sim.script("decline:78 card=mastercard");
        let outcome = run(&sim, via, &pay(990)).0.unwrap();
        assert_eq!(outcome.verdict, Verdict::Declined(ResultCode(0x78)), "{via:?}");
        assert_eq!(outcome.code(), "card_expired");
    }
    assert_eq!(sim.charges(), 0);
}

#[test]
fn a_payment_the_customer_aborts() {
    let sim = Sim::start();
    sim.script("user-abort");
    for via in BOTH {
        let outcome = run(&sim, via, &pay(500)).0.unwrap();
        assert_eq!(outcome.verdict, Verdict::Aborted(ResultCode(0x6C)), "{via:?}");
        assert_eq!(outcome.code(), "card_aborted");
    }
    assert_eq!(sim.charges(), 0);
}

#[test]
fn a_payment_the_register_aborts_while_the_terminal_waits() {
    let sim = Sim::start();
    sim.script("slow:1000");
    for via in BOTH {
        let mut client = sim.client(via);
        let abort = client.abort_handle();
        let aborter = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            abort.abort();
        });
        let outcome = client.run(&pay(700), &mut |_| {}).unwrap();
        aborter.join().unwrap();
        assert_eq!(outcome.verdict, Verdict::Aborted(ResultCode(0x6C)), "{via:?}");
    }
    assert_eq!(sim.charges(), 0);
}

#[test]
fn a_terminal_that_never_answers_leaves_the_payment_unknown() {
    let sim = Sim::start();
    sim.script("timeout");
    for via in BOTH {
        let outcome = run(&sim, via, &pay(300)).0.unwrap();
        assert!(matches!(outcome.verdict, Verdict::Unknown(_)), "{via:?}: {outcome:?}");
        assert_eq!(outcome.code(), "card_result_unknown");
    }
    assert_eq!(sim.charges(), 0);
}

#[test]
fn a_connection_dropped_after_the_status_leaves_the_payment_unknown() {
    let sim = Sim::start();
    sim.script("drop-after-status");
    for via in BOTH {
        let outcome = run(&sim, via, &pay(4200)).0.unwrap();
        assert!(matches!(outcome.verdict, Verdict::Unknown(_)), "{via:?}: {outcome:?}");
        // What arrived before the drop is kept: it names the payment for the recovery.
        assert!(outcome.reference.receipt_no.is_some(), "{via:?}");
    }
    assert_eq!(sim.charges(), 2, "the terminal charged both times; only recovery can tell");
}

#[test]
fn a_slow_terminal_is_waited_for() {
    let sim = Sim::start();
    sim.script("slow:400");
    for via in BOTH {
        let outcome = run(&sim, via, &pay(100)).0.unwrap();
        assert_eq!(outcome.verdict, Verdict::Approved, "{via:?}");
    }
}

#[test]
fn reversal_undoes_a_payment_once() {
    let sim = Sim::start();
    for via in BOTH {
        let paid = run(&sim, via, &pay(1999)).0.unwrap();
        let receipt_no = paid.reference.receipt_no.unwrap();
        let reversed = run(&sim, via, &Command::Reverse { receipt_no }).0.unwrap();
        assert_eq!(reversed.verdict, Verdict::Approved, "{via:?}");
        assert_eq!(reversed.amount, Some(1999));
        let again = run(&sim, via, &Command::Reverse { receipt_no }).0.unwrap();
        assert_eq!(again.verdict, Verdict::Declined(ResultCode(0xB4)), "{via:?}");
        assert_eq!(again.code(), "card_already_reversed");
    }
    assert_eq!(sim.charges(), 0);
}

#[test]
fn refund() {
    let sim = Sim::start();
    for via in BOTH {
        let outcome = run(&sim, via, &Command::Refund { amount: 850, currency: None }).0.unwrap();
        assert_eq!(outcome.verdict, Verdict::Approved, "{via:?}");
        assert_eq!(outcome.amount, Some(850));
        assert!(outcome.receipt.iter().any(|l| l.contains("GUTSCHRIFT")));
    }
    let refunds = sim.journal().iter().filter(|l| l.starts_with("refund ")).count();
    assert_eq!(refunds, 2);
}

#[test]
fn end_of_day_reports_the_day_total() {
    let sim = Sim::start();
    for via in BOTH {
        run(&sim, via, &pay(1000)).0.unwrap();
        run(&sim, via, &pay(234)).0.unwrap();
        let outcome = run(&sim, via, &Command::EndOfDay).0.unwrap();
        assert_eq!(outcome.verdict, Verdict::Approved, "{via:?}");
        assert_eq!(outcome.amount, Some(1234), "{via:?}");
        assert!(outcome.receipt.iter().any(|l| l.contains("EUR 12,34")));
    }
}

#[test]
fn status_enquiry_names_the_software() {
    let sim = Sim::start();
    for via in BOTH {
        let outcome = run(&sim, via, &Command::StatusEnquiry).0.unwrap();
        assert!(outcome.software.unwrap().starts_with("comptoir-zvt-sim"), "{via:?}");
    }
}

#[test]
fn repeat_receipt_repeats_the_last_payment() {
    let sim = Sim::start();
    for via in BOTH {
        let paid = run(&sim, via, &pay(555)).0.unwrap();
        let copy = run(&sim, via, &Command::RepeatReceipt).0.unwrap();
        assert_eq!(copy.reference, paid.reference, "{via:?}");
        assert_eq!(copy.amount, Some(555));
        assert!(copy.receipt.iter().any(|l| l.contains("KOPIE")));
    }
    assert_eq!(sim.charges(), 2, "a repeat receipt charges nothing");
}

#[test]
fn repeat_receipt_with_nothing_to_repeat_fails() {
    let sim = Sim::start();
    for via in BOTH {
        let (result, _) = run(&sim, via, &Command::RepeatReceipt);
        assert!(matches!(result, Err(ZvtError::Failed { .. })), "{via:?}: {result:?}");
    }
}

#[test]
fn diagnosis() {
    let sim = Sim::start();
    for via in BOTH {
        let outcome = run(&sim, via, &Command::Diagnosis).0.unwrap();
        assert_eq!(outcome.verdict, Verdict::Approved, "{via:?}");
        assert!(outcome.receipt.iter().any(|l| l.contains("DIAGNOSE")), "{:?}", outcome.receipt);
    }
}

#[test]
fn abort_and_log_off_when_idle_are_acknowledged() {
    let sim = Sim::start();
    for via in BOTH {
        assert_eq!(run(&sim, via, &Command::Abort).0.unwrap().verdict, Verdict::Approved);
        assert_eq!(run(&sim, via, &Command::LogOff).0.unwrap().verdict, Verdict::Approved);
    }
}

#[test]
fn nobody_listening_is_a_connect_error_not_a_payment() {
    let endpoint = comptoir_zvt::Endpoint::Tcp("127.0.0.1:1".to_owned());
    let Err(error) = endpoint.open(Duration::from_millis(500)) else { panic!("connected") };
    assert_eq!(error.code(), "terminal_offline");
    assert!(error.message().contains("not reachable"), "{}", error.message());
}

#[test]
fn a_terminal_that_says_how_long_it_waits_is_waited_on_that_long() {
    // It waits 10 s at each step and answers after 2.5 s: longer than the client's own step
    // timeout (1.5 s), within the terminal's.
    let sim = Sim::start_with(&["--status-timeout", "10"]);
    sim.script("slow:2500");
    let outcome = run(&sim, Via::Tcp, &pay(990)).0.unwrap();
    assert_eq!(outcome.verdict, Verdict::Approved, "{outcome:?}");

    // It waits 1 s, then falls silent: the answer is lost after that, not after the client's
    // own (long) step timeout.
    let sim = Sim::start_with(&["--status-timeout", "1"]);
    sim.script("timeout");
    let config = comptoir_zvt::ClientConfig {
        step_timeout: Duration::from_secs(60),
        ..crate::support::test_config()
    };
    let mut client = comptoir_zvt::Client::new(sim.link(Via::Tcp), config);
    let started = std::time::Instant::now();
    let outcome = client.run(&pay(990), &mut |_| {}).unwrap();
    assert!(matches!(outcome.verdict, Verdict::Unknown(_)), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[test]
fn a_terminal_set_to_one_currency_refuses_another_and_answers_in_its_own() {
    let sim = Sim::start_with(&["--currency", "124"]);
    for via in BOTH {
        let (outcome, _) = run(&sim, via, &Command::Pay { amount: 447, currency: Some(978) });
        let outcome = outcome.unwrap();
        assert_eq!(outcome.verdict, Verdict::Declined(ResultCode(0x6F)), "{via:?}");
        assert_eq!(outcome.code(), "card_wrong_currency");
        let (outcome, _) = run(&sim, via, &Command::Refund { amount: 447, currency: Some(978) });
        assert_eq!(outcome.unwrap().code(), "card_wrong_currency", "{via:?}");

        let (outcome, _) = run(&sim, via, &Command::Pay { amount: 447, currency: Some(124) });
        let outcome = outcome.unwrap();
        assert_eq!((outcome.verdict.clone(), outcome.currency), (Verdict::Approved, Some(124)));
        assert!(outcome.receipt.iter().any(|l| l.contains("CAD 4,47")), "{:?}", outcome.receipt);
    }
    assert_eq!(sim.charges(), 2);
}

#[test]
fn a_refund_follows_the_fault_script_like_a_payment() {
    let sim = Sim::start();
    let refund = Command::Refund { amount: 447, currency: None };
    sim.script("decline:05");
    let outcome = run(&sim, Via::Tcp, &refund).0.unwrap();
    assert_eq!(outcome.verdict, Verdict::Declined(ResultCode(0x05)));
    sim.script("drop-after-status");
    let outcome = run(&sim, Via::Tcp, &refund).0.unwrap();
    assert!(matches!(outcome.verdict, Verdict::Unknown(_)), "{outcome:?}");
    sim.script("approve");
    let outcome = run(&sim, Via::Tcp, &refund).0.unwrap();
    assert_eq!(outcome.verdict, Verdict::Approved);
    let refunds = sim.journal().iter().filter(|l| l.starts_with("refund ")).count();
    assert_eq!(refunds, 2, "{:?}", sim.journal());
}
