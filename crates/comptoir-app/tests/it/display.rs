//! The customer display on the display simulator (a separate process on a pseudo-terminal):
//! the welcome, each line as it is rung with the total, what is left to pay, and the change.

use std::path::Path;
use std::time::{Duration, Instant};

use comptoir_app::Pin;

use crate::common::{PEANUTS, Simulator, TRUFFLES, open_till};

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
    let frame = work.path().join("frame");
    let (_sim, path) =
        Simulator::start("comptoir-display-sim", &["--frame".as_ref(), frame.as_os_str()]);
    let mut till = open_till();
    till.register.set_setting("display", &format!("serial:{path}")).unwrap();
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
