//! A return of a sale paid on the integrated terminal is refunded on the terminal: the
//! simulator (`comptoir_zvt::sim`, the real protocol over TCP) journals every charge and
//! refund, so each test counts what went back to the card.

use std::cell::RefCell;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use comptoir_app::entry::SaleTender;
use comptoir_app::returns::{Disposition, RefundTo};
use comptoir_app::terminal::{self, CardTerminal};
use comptoir_app::{Committed, Register};
use comptoir_zvt::sim::{Script, SimConfig, Terminal, serve_tcp};

use crate::common::{PEANUTS, Till, open_till};

/// The terminal simulator on a free port, with its script file and journal.
struct Sim {
    address: String,
    script: PathBuf,
    journal: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sim {
    fn start(extra: impl FnOnce(&mut SimConfig)) -> Sim {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("script");
        let journal = dir.path().join("journal");
        std::fs::write(&script, "approve\n").unwrap();
        let mut config = SimConfig {
            script: Script::parse("approve").unwrap(),
            script_file: Some(script.clone()),
            journal: Some(journal.clone()),
            terminal_id: 52_001_233,
            step_delay: Duration::from_millis(5),
            currency: None,
            status_timeout: None,
        };
        extra(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let terminal = Arc::new(Mutex::new(Terminal::new(config)));
        std::thread::spawn(move || serve_tcp(listener, terminal));
        Sim { address, script, journal, _dir: dir }
    }

    fn script(&self, script: &str) {
        std::fs::write(&self.script, format!("{script}\n")).unwrap();
    }

    /// The first word of each journal line: `charge`, `refund`, `reverse`, `abort` ...
    fn journal(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.journal).unwrap_or_default();
        text.lines().map(|l| l.split_whitespace().next().unwrap_or_default().to_owned()).collect()
    }

    fn money_moves(&self) -> Vec<String> {
        let moves = ["charge", "refund", "reverse"];
        self.journal().into_iter().filter(|w| moves.contains(&w.as_str())).collect()
    }
}

fn with_terminal(till: &mut Till, sim: &Sim) -> CardTerminal {
    let setting = format!("zvt+tcp://{}", sim.address);
    till.register.set_setting("terminal", &setting).unwrap();
    CardTerminal::from_register(&till.register).unwrap().expect("a terminal is set")
}

/// A sale of the peanuts (4.47 with taxes) paid on the terminal.
fn card_sale(register: &mut Register, terminal: &CardTerminal) -> Committed {
    register.scan(PEANUTS).unwrap();
    let cell = RefCell::new(register);
    terminal::pay_by_card(&cell, terminal, "4.47", &mut |_| {}).unwrap().expect("paid")
}

fn refund(register: &mut Register, terminal: &CardTerminal) -> comptoir_app::AppResult<Committed> {
    let cell = RefCell::new(register);
    terminal::refund_return(&cell, Some(terminal), RefundTo::Original, None, &mut |_| {})
}

fn bring_back(register: &mut Register, sale: &Committed) {
    register
        .return_line(&sale.sale.receipt_no, 1, "1", Disposition::Restock, "changed their mind")
        .unwrap();
}

#[test]
fn a_return_of_a_terminal_paid_sale_is_refunded_on_the_terminal_once() {
    let sim = Sim::start(|_| {});
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    let sale = card_sale(&mut till.register, &terminal);
    bring_back(&mut till.register, &sale);

    let returned = refund(&mut till.register, &terminal).unwrap();
    assert_eq!(returned.entry.kind, "return");
    assert_eq!(sim.money_moves(), ["charge", "refund"]);
    let [SaleTender::ExternalCard { amount, reference, terminal: Some(slip) }] =
        returned.sale.tenders.as_slice()
    else {
        panic!("{:?}", returned.sale.tenders)
    };
    // The refund goes back over the sale's card tender, with the terminal's refund slip.
    let SaleTender::ExternalCard { reference: paid_with, .. } = &sale.sale.tenders[0] else {
        panic!("{:?}", sale.sale.tenders)
    };
    assert_eq!((amount.as_str(), reference), ("-4.47", paid_with));
    assert!(slip.receipt.iter().any(|l| l.contains("GUTSCHRIFT")), "{:?}", slip.receipt);
    assert!(slip.receipt.iter().any(|l| l.contains("CAD 4,47")), "{:?}", slip.receipt);
    assert!(till.register.unsettled_card_payments().unwrap().is_empty());
    let view = till.register.view().unwrap();
    assert!(view.cart.returns.is_empty(), "the return is recorded");
    // The returns screen shows no "refund it on the terminal by hand" for this leg.
    assert!(view.last_sale.unwrap().tenders[0].on_terminal);

    // The line is back: a second return of it refunds nothing more.
    let again =
        till.register.return_line(&sale.sale.receipt_no, 1, "1", Disposition::Restock, "again");
    assert_eq!(again.unwrap_err().code, "nothing_left_to_return");
    assert_eq!(sim.money_moves(), ["charge", "refund"]);
}

#[test]
fn a_declined_refund_leaves_the_return_unrecorded_and_cash_or_credit_open() {
    let sim = Sim::start(|_| {});
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    let sale = card_sale(&mut till.register, &terminal);
    bring_back(&mut till.register, &sale);

    sim.script("decline");
    let error = refund(&mut till.register, &terminal).unwrap_err();
    assert_eq!(error.code, "card_refund_declined");
    let said = error.message("en");
    assert!(said.contains("cash") && said.contains("store credit"), "{said}");
    assert_eq!(sim.money_moves(), ["charge"], "nothing went back to the card");
    let view = till.register.view().unwrap();
    assert_eq!(view.cart.returns.len(), 1, "the return waits in the cart");
    assert!(till.register.unsettled_card_payments().unwrap().is_empty());

    let credited = till.register.refund_with(RefundTo::StoreCredit, None).unwrap();
    assert_eq!(credited.entry.kind, "return");
    assert!(matches!(credited.sale.tenders[0], SaleTender::StoreCredit { .. }));
    assert_eq!(sim.money_moves(), ["charge"]);
}

#[test]
fn a_refund_whose_answer_was_lost_is_recovered_from_the_terminal_not_sent_again() {
    let sim = Sim::start(|_| {});
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    let sale = card_sale(&mut till.register, &terminal);
    bring_back(&mut till.register, &sale);

    // The terminal refunds, then the connection drops before its receipt and completion.
    sim.script("drop-after-status");
    let returned = refund(&mut till.register, &terminal).unwrap();
    assert_eq!(returned.entry.kind, "return");
    assert_eq!(sim.money_moves(), ["charge", "refund"], "refunded once");
    assert!(till.register.unsettled_card_payments().unwrap().is_empty());
}

#[test]
fn a_refund_the_customer_aborts_on_the_terminal_refunds_nothing() {
    let sim = Sim::start(|_| {});
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    let sale = card_sale(&mut till.register, &terminal);
    bring_back(&mut till.register, &sale);

    sim.script("user-abort");
    let error = refund(&mut till.register, &terminal).unwrap_err();
    assert_eq!(error.code, "card_refund_declined");
    assert_eq!(sim.money_moves(), ["charge"]);
    // Cash, with the manager signed in: the other way is open.
    let cash = till.register.refund_with(RefundTo::Cash, None).unwrap();
    assert!(matches!(cash.sale.tenders[0], SaleTender::Cash { .. }));
}

#[test]
fn a_card_typed_from_a_standalone_terminal_is_refunded_by_hand_as_before() {
    let sim = Sim::start(|_| {});
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    let sale = r.tender_card("4.47", "AUTH 123456").unwrap().expect("paid");
    bring_back(r, &sale);

    let returned = refund(r, &terminal).unwrap();
    let [SaleTender::ExternalCard { amount, reference, terminal: None }] =
        returned.sale.tenders.as_slice()
    else {
        panic!("{:?}", returned.sale.tenders)
    };
    assert_eq!((amount.as_str(), reference.as_str()), ("-4.47", "AUTH 123456"));
    assert!(sim.money_moves().is_empty(), "the integrated terminal was not asked");
    assert!(!r.view().unwrap().last_sale.unwrap().tenders[0].on_terminal, "run it by hand");
}

#[test]
fn the_store_currency_is_sent_and_an_approval_in_another_is_reversed() {
    // A terminal that takes only euros refuses a Montréal register's dollars.
    let euros = Sim::start(|config| config.currency = Some(978));
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &euros);
    till.register.scan(PEANUTS).unwrap();
    let cell = RefCell::new(&mut till.register);
    let error = terminal::pay_by_card(&cell, &terminal, "4.47", &mut |_| {}).unwrap_err();
    assert_eq!(error.code, "card_wrong_currency");
    assert!(euros.journal().contains(&"abort".to_owned()));
    assert!(euros.money_moves().is_empty());

    // One that approves but says it charged euros: the charge is reversed at once.
    let sim = Sim::start(|_| {});
    let terminal = with_terminal(&mut till, &sim);
    sim.script("answer-currency:978");
    let cell = RefCell::new(&mut till.register);
    let error = terminal::pay_by_card(&cell, &terminal, "4.47", &mut |_| {}).unwrap_err();
    assert_eq!(error.code, "card_wrong_currency");
    assert!(error.detail.contains("978") && error.detail.contains("124"), "{}", error.detail);
    assert_eq!(sim.money_moves(), ["charge", "reverse"]);
    let view = till.register.view().unwrap();
    assert!(view.cart.tenders.is_empty(), "nothing of it stays on the sale");
    assert!(till.register.unsettled_card_payments().unwrap().is_empty());

    // With the currency it asked for, the same terminal's approval is kept.
    sim.script("approve");
    let cell = RefCell::new(&mut till.register);
    assert!(terminal::pay_by_card(&cell, &terminal, "4.47", &mut |_| {}).unwrap().is_some());
}

#[test]
fn a_refused_terminal_setting_gives_its_hint_once() {
    use comptoir_app::terminal::TerminalSetting;
    for (setting, hint) in [
        ("zvt+serial:/dev/", "/dev/ttyUSB0@9600"),
        ("zvt+serial:/dev/ttyUSB0@abc", "9600"),
        ("zvt+serial:COM1", "/dev/ttyUSB0@9600"),
        ("zvt+tcp://bad host", "zvt+tcp://10.0.0.7:20007"),
        ("http://10.0.0.7", "zvt+tcp://HOST[:PORT]"),
    ] {
        let error = TerminalSetting::parse(setting).unwrap_err();
        assert_eq!(error.code, "invalid_setting");
        let said = error.message("en");
        assert_eq!(said.matches(hint).count(), 1, "{said}");
        assert_eq!(said.matches(setting).count(), 1, "the setting is quoted once: {said}");
    }
}

#[test]
fn an_abort_on_the_terminal_is_not_a_decline_and_a_decline_says_so_once() {
    let sim = Sim::start(|_| {});
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    till.register.scan(PEANUTS).unwrap();
    let pay = |register: &mut Register| {
        let cell = RefCell::new(register);
        terminal::pay_by_card(&cell, &terminal, "4.47", &mut |_| {}).unwrap_err()
    };

    sim.script("user-abort");
    let aborted = pay(&mut till.register);
    assert_eq!(aborted.code, "card_aborted");
    assert!(aborted.message("en").contains("aborted on the terminal"), "{}", aborted.message("en"));

    sim.script("decline");
    let declined = pay(&mut till.register);
    assert_eq!(declined.code, "card_declined");
    for lang in ["en", "fr"] {
        let said = declined.message(lang).to_lowercase();
        let word = if lang == "en" { "declined" } else { "refusée" };
        assert_eq!(said.matches(word).count(), 1, "{said}");
    }
    sim.script("decline:78");
    let expired = pay(&mut till.register);
    assert!(expired.message("en").contains("card expired"), "{}", expired.message("en"));
    assert!(sim.money_moves().is_empty());
}

#[test]
fn after_a_reversal_a_lost_payment_of_the_same_amount_is_not_taken_for_approved() {
    // The terminal goes silent after asking for the card: the register asks it what its
    // last transaction was, and must not mistake the reversal it just made for this one.
    let sim = Sim::start(|config| config.status_timeout = Some(1));
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    till.register.scan(PEANUTS).unwrap();
    sim.script("answer-currency:978");
    let cell = RefCell::new(&mut till.register);
    let error = terminal::pay_by_card(&cell, &terminal, "4.47", &mut |_| {}).unwrap_err();
    assert_eq!(error.code, "card_wrong_currency");
    assert_eq!(sim.money_moves(), ["charge", "reverse"]);

    sim.script("timeout");
    let cell = RefCell::new(&mut till.register);
    let error = terminal::pay_by_card(&cell, &terminal, "4.47", &mut |_| {}).unwrap_err();
    assert_eq!(error.code, "card_not_charged", "{error:?}");
    assert_eq!(sim.money_moves(), ["charge", "reverse"], "nothing more was charged");
    let view = till.register.view().unwrap();
    assert!(view.cart.tenders.is_empty(), "no tender from the reversal's receipt: {view:?}");
    assert!(till.register.unsettled_card_payments().unwrap().is_empty());
}

#[test]
fn after_a_reversal_a_lost_refund_of_the_same_amount_is_not_taken_for_refunded() {
    let sim = Sim::start(|config| config.status_timeout = Some(1));
    let mut till = open_till();
    let terminal = with_terminal(&mut till, &sim);
    let sale = card_sale(&mut till.register, &terminal);
    // The next customer's card is charged in euros and reversed at once.
    till.register.scan(PEANUTS).unwrap();
    sim.script("answer-currency:978");
    let cell = RefCell::new(&mut till.register);
    terminal::pay_by_card(&cell, &terminal, "4.47", &mut |_| {}).unwrap_err();
    till.register.void_cart("the customer left").unwrap();
    assert_eq!(sim.money_moves(), ["charge", "charge", "reverse"]);

    bring_back(&mut till.register, &sale);
    sim.script("timeout");
    let error = refund(&mut till.register, &terminal).unwrap_err();
    assert_eq!(error.code, "card_not_refunded", "{error:?}");
    assert_eq!(sim.money_moves(), ["charge", "charge", "reverse"], "nothing went back");
    assert!(till.register.view().unwrap().cart.returns.len() == 1, "the return waits");
}
