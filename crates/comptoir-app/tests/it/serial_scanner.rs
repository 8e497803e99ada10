//! A serial scanner (the scanner simulator, a separate process on a pseudo-terminal) rings
//! items on the register, as a 12-digit UPC-A or with AIM identifiers, and a receipt's code
//! offers its return; junk on the line rings nothing.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crate::common::{PEANUTS, SRIRACHA_UPC_A, Simulator, open_till};

fn scanner(codes: &[&str]) -> (Simulator, String) {
    let mut args = vec!["--delay-ms", "1500", "--gap-ms", "300", "--no-stdin"];
    args.extend_from_slice(codes);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    Simulator::start("comptoir-scanner-sim", &args)
}

#[test]
fn serial_scans_ring_items_and_a_receipt_code_offers_its_return() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    let sold = till.register.tender_cash("5.00").unwrap().expect("paid");
    let receipt = sold.sale.receipt_no.clone();

    let (_sim, path) =
        scanner(&["--aim", "--garbage", PEANUTS, SRIRACHA_UPC_A, &receipt.to_lowercase()]);
    till.register.set_setting("scanner", &format!("serial:{path},suffix=cr")).unwrap();
    let register = Arc::new(Mutex::new(till.register));
    let (tx, views) = mpsc::channel();
    assert!(comptoir_app::scanner::watch_scanner(Arc::clone(&register), move |view| {
        let _ = tx.send(view);
    }));
    let next = || views.recv_timeout(Duration::from_secs(10)).expect("a scan's screen");

    // Junk before each code: the watcher pushes nothing for it; the codes ring.
    let view = next();
    assert_eq!(view.cart.lines.len(), 1, "{:?}", view.notice);
    let view = next();
    assert_eq!(view.cart.lines.len(), 2, "the 12-digit UPC-A finds its EAN-13");
    let view = next();
    let notice = view.notice.expect("a notice");
    assert_eq!((notice.code, notice.offer), ("receipt_scanned", Some("return")));
    assert_eq!(view.cart.lines.len(), 2, "a receipt's code rings nothing");
}
