//! The customer display on the display simulator (a separate process on a pseudo-terminal):
//! the welcome in the register's language, each line as it is rung (with its quantity or
//! weight) and the total, what is left to pay (also after a declined card), and the change.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use comptoir_app::Pin;
use comptoir_app::terminal::{CardTerminal, pay_by_card};
use comptoir_scale::Unit;

use crate::common::{PEANUTS, Simulator, TRUFFLES, open_till, till};
use crate::weighed::stable;

/// Waits until the simulated display shows these two lines.
fn shows(frame: &Path, top: &str, bottom: &str) {
    let want = format!("{top:<20}\n{bottom:<20}");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let got = std::fs::read_to_string(frame).unwrap_or_default();
        let got: Vec<&str> = got.lines().collect();
        if got.join("\n") == want {
            return;
        }
        assert!(Instant::now() < deadline, "the display shows {got:?}, not {want:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_display_follows_the_sale_from_welcome_to_change() {
    let work = tempfile::tempdir().unwrap();
    let (_sim, setting, frame) = display(work.path());
    let mut till = open_till();
    till.register.set_setting("display", &setting).unwrap();
    till.register.set_setting("display.idle", "Bienvenue").unwrap();
    let mut till = till.restart();
    shows(&frame, "     Bienvenue", " Comptoir Montréal");
    let r = &mut till.register;
    r.sign_in(&Pin::new("2468")).unwrap();
    r.scan(PEANUTS).unwrap();
    shows(&frame, "French Burnt Pe 3.89", "Total           4.47");
    r.scan(TRUFFLES).unwrap();
    shows(&frame, "Organic French  3.49", "Total           8.49");
    assert_eq!(r.customer_display().unwrap()[1], "Total           8.49");
    r.tender_card("5.00", "A1").unwrap();
    shows(&frame, "Total           8.49", "Reste           3.49");
    r.tender_cash("5.00").unwrap();
    shows(&frame, "Total           8.49", "Monnaie         1.50");
}

/// A display simulator, and the register's setting that names it.
fn display(work: &Path) -> (Simulator, String, PathBuf) {
    let frame = work.join("frame");
    let (sim, path) =
        Simulator::start("comptoir-display-sim", &["--frame".as_ref(), frame.as_os_str()]);
    (sim, format!("serial:{path}"), frame)
}

#[test]
fn the_welcome_is_in_the_registers_language_unless_display_idle_says_otherwise() {
    let work = tempfile::tempdir().unwrap();
    let (_sim, setting, frame) = display(work.path());
    let mut till = till("montreal");
    till.register.set_setting("display", &setting).unwrap();
    let mut till = till.restart();
    shows(&frame, "     Bienvenue", " Comptoir Montréal");
    let setup = till.register.device_settings().unwrap();
    let idle = setup.iter().find(|s| s.key == "display.idle").unwrap();
    assert_eq!((idle.value.as_str(), idle.default), ("Bienvenue", "Bienvenue"));

    till.register.set_language("en").unwrap();
    shows(&frame, "      Welcome", " Comptoir Montréal");
    till.register.set_setting("display.idle", "Bonjour / Hello").unwrap();
    let till = till.restart();
    shows(&frame, "  Bonjour / Hello", " Comptoir Montréal");
    drop(till);

    let mut london = crate::common::till("london");
    london.register.set_setting("display", &setting).unwrap();
    let _london = london.restart();
    shows(&frame, "      Welcome", "  Comptoir London");
}

#[test]
fn a_line_shows_its_quantity_or_its_weight_beside_its_name() {
    let work = tempfile::tempdir().unwrap();
    let (_sim, setting, frame) = display(work.path());
    let mut till = open_till();
    till.register.set_setting("display", &setting).unwrap();
    let mut till = till.restart();
    let r = &mut till.register;
    r.sign_in(&Pin::new("2468")).unwrap();
    r.scan(PEANUTS).unwrap();
    shows(&frame, "French Burnt Pe 3.89", "Total           4.47");
    r.scan(PEANUTS).unwrap();
    r.scan(PEANUTS).unwrap();
    shows(&frame, "French Burn 3 x 3.89", "Total          13.41");
    // 1.234 kg of bananas at 1.74/kg: 2.15, zero-rated.
    r.add_weighed("MPLU4011", &stable("1.234", Unit::Kilogram)).unwrap();
    shows(&frame, "Banana 1.234 kg 2.15", "Total          15.56");
    // 256 g is shown in kilograms, to the gram.
    r.add_weighed("MPLU4131", &stable("256", Unit::Gram)).unwrap();
    assert_eq!(r.customer_display().unwrap()[0].trim_end().len(), 20);
    assert!(r.customer_display().unwrap()[0].ends_with(" 0.256 kg 1.12"));
}

#[test]
fn after_a_declined_card_the_display_shows_what_is_left_to_pay() {
    let work = tempfile::tempdir().unwrap();
    let (_sim, setting, frame) = display(work.path());
    let script = work.path().join("script");
    std::fs::write(&script, "decline\n").unwrap();
    let (_terminal, address) = Simulator::start(
        "comptoir-zvt-sim",
        &["--tcp".as_ref(), "127.0.0.1:0".as_ref(), "--script-file".as_ref(), script.as_os_str()],
    );
    let mut till = open_till();
    till.register.set_setting("display", &setting).unwrap();
    till.register.set_setting("terminal", &format!("zvt+tcp://{address}")).unwrap();
    let till = till.restart();
    let terminal = CardTerminal::from_register(&till.register).unwrap().unwrap();
    let register = std::sync::Mutex::new(till.register);
    let pay = |amount: &str| pay_by_card(&register, &terminal, amount, &mut |_| ());
    register.lock().unwrap().sign_in(&Pin::new("2468")).unwrap();
    register.lock().unwrap().scan(PEANUTS).unwrap();
    register.lock().unwrap().scan(TRUFFLES).unwrap();
    shows(&frame, "Organic French  3.49", "Total           8.49");

    assert_eq!(pay("8.49").unwrap_err().code, "card_declined");
    shows(&frame, "Total           8.49", "Reste           8.49");
    // Approved for part of it: what is left after the card.
    std::fs::write(&script, "approve\n").unwrap();
    assert!(pay("5.00").unwrap().is_none());
    shows(&frame, "Total           8.49", "Reste           3.49");
    register.lock().unwrap().tender_cash("5.00").unwrap();
    shows(&frame, "Total           8.49", "Monnaie         1.50");
}
