//! The printer failing: the sale is kept, the cashier is told, and the receipt prints once
//! the printer is back; a reprint says COPY.

use comptoir_printer::{Paper, PrinterStatus};

use crate::common::*;

fn out_of_paper() -> PrinterStatus {
    PrinterStatus { paper: Paper::Out, ..PrinterStatus::OK }
}

#[test]
fn out_of_paper_keeps_the_sale_and_prints_it_when_the_roll_is_back() {
    let mut till = open_till();
    till.register.printer_port_mut().set_virtual_status(out_of_paper());
    till.register.scan(PEANUTS).unwrap();
    let committed = till.register.tender_cash("5.00").unwrap().expect("the sale is committed");
    let error = committed.printed.unwrap_err();
    assert_eq!(error.code, "printer_out_of_paper");
    let view = till.register.view().unwrap();
    assert_eq!(view.printer.state, "out_of_paper");
    assert_eq!(view.printer.pending_jobs, 1);
    let notice = view.notice.unwrap();
    assert_eq!(notice.code, "printer_out_of_paper");
    assert!(notice.message.contains("Réimprimer"), "{}", notice.message);
    assert!(till.printed_jobs().is_empty());
    // The change is given all the same: the printer's real-time pulse opens the drawer
    // while it is out of paper, and the audit says so.
    let kicks = till.drawer_pulses();
    assert_eq!(kicks.len(), 1);
    assert!(kicks[0].real_time, "{kicks:?}");
    let audit = till.register.drawer_openings("2026-01-01T00:00:00Z").unwrap();
    assert_eq!((audit.len(), audit[0].real_time), (1, true));
    assert_eq!(
        till.register.database().entry_by_receipt("MTL01-000001").unwrap().map(|e| e.kind),
        Some("sale".into())
    );

    till.register.printer_port_mut().set_virtual_status(PrinterStatus::OK);
    let job = till.register.reprint_last().unwrap();
    assert_eq!(job, "MTL01-000001", "the original prints first, not a copy");
    assert_eq!(till.printed_jobs(), ["MTL01-000001"]);
    assert!(!till.printed_text(&job).contains("COPIE"));
    assert_eq!(till.register.view().unwrap().printer.pending_jobs, 0);

    let copy = till.register.reprint_last().unwrap();
    let text = till.printed_text(&copy);
    assert!(text.contains("*** COPIE ***"), "{text}");
    assert!(text.contains("Reçu MTL01-000001"), "{text}");
    assert_eq!(
        till.drawer_pulses().len(),
        1,
        "neither the late original nor the copy opens the drawer"
    );
    assert_eq!(till.register.drawer_openings("2026-01-01T00:00:00Z").unwrap().len(), 1);
}

#[test]
fn an_offline_network_printer_keeps_the_sale() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(comptoir_app::ManualClock::new(at("2026-12-03T15:00:00Z")));
    // Nothing listens on this port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let printer = Some(comptoir_app::PrinterSetting::Tcp(format!("127.0.0.1:{port}")));
    let mut r = comptoir_app::Register::init_demo(
        dir.path(),
        "montreal",
        1,
        comptoir_app::OpenOptions { clock: Box::new(clock), printer, persist_cart: true },
    )
    .unwrap();
    r.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
    r.open_shift("0").unwrap();
    r.scan(PEANUTS).unwrap();
    let committed = r.tender_card("4.47", "X").unwrap().unwrap();
    assert_eq!(committed.printed.unwrap_err().code, "printer_offline");
    assert_eq!(r.view().unwrap().printer.state, "offline");
    assert_eq!(r.verify().unwrap().entries, 2);
}
