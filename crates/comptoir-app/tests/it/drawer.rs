//! The cash drawer and the printer's own reports, against the printer simulator: every
//! opening audited, the real-time pulse in error, the sensor's closing and a drawer left
//! open, an opening by key, and paper and cover news between sales.

use std::io::Write;
use std::time::{Duration, Instant};

use comptoir_printer::sim::{ScriptedStatus, SimConfig, SimHandle, spawn};

use crate::common::*;

const SINCE: &str = "2000-01-01T00:00:00Z";

/// A Montréal till printing to a simulated network printer whose drawer stays open for
/// `drawer_open_secs` after each pulse, with `settings` saved before it opens.
fn till_on_sim(drawer_open_secs: u64, settings: &[(&str, &str)]) -> (Till, SimHandle) {
    let out = tempfile::tempdir().unwrap().keep();
    let config = SimConfig { port: 0, drawer_open_secs, ..SimConfig::new(out) };
    let sim = spawn(config).unwrap();
    let mut till = open_till();
    till.register.set_setting("printer", &format!("tcp://{}", sim.addr)).unwrap();
    for (key, value) in settings {
        till.register.set_setting(key, value).unwrap();
    }
    let mut till = till.restart();
    till.register.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
    till.register.watch_devices().unwrap();
    (till, sim)
}

/// Polls the register's devices until `done` holds of its view, or fails after `secs`.
fn wait_for(
    till: &mut Till,
    secs: u64,
    what: &str,
    done: impl Fn(&comptoir_app::view::View) -> bool,
) {
    let started = Instant::now();
    loop {
        let view = till.register.view().unwrap();
        if done(&view) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(secs),
            "no {what} after {secs} s: {view:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn notice_code(view: &comptoir_app::view::View) -> Option<&'static str> {
    view.notice.as_ref().map(|n| n.code)
}

#[test]
fn a_cash_sale_opens_the_drawer_once_and_its_closing_is_audited() {
    let (mut till, sim) = till_on_sim(2, &[]);
    till.register.scan(PEANUTS).unwrap();
    let committed = till.register.tender_cash("5.00").unwrap().unwrap();
    assert!(committed.printed.is_ok(), "{:?}", committed.printed);
    assert_eq!(sim.control.drawer_pulses(), 1);
    wait_for(&mut till, 5, "open drawer", |v| v.drawer.state == "open");
    let audit = till.register.drawer_openings(SINCE).unwrap();
    assert_eq!(audit.len(), 1, "the register's own kick is no unexplained opening: {audit:?}");
    assert_eq!(audit[0].reason, "sale");
    assert_eq!(audit[0].receipt_no.as_deref(), Some("MTL01-000001"));
    assert_eq!(audit[0].cashier_id.as_deref(), Some("c1"));
    assert!(audit[0].closed_at.is_none());
    // The simulated cashier pushes it shut after 2 s.
    wait_for(&mut till, 8, "closed drawer", |v| v.drawer.state == "closed");
    let audit = till.register.drawer_openings(SINCE).unwrap();
    assert!(audit[0].closed_at.is_some(), "{audit:?}");

    // A card sale leaves the drawer shut.
    till.register.scan(PEANUTS).unwrap();
    till.register.tender_card("4.47", "AUTH 1").unwrap().unwrap();
    assert_eq!(sim.control.drawer_pulses(), 1);
    assert_eq!(till.register.drawer_openings(SINCE).unwrap().len(), 1);
}

#[test]
fn a_drawer_left_open_warns_the_cashier_until_it_is_closed() {
    let (mut till, sim) = till_on_sim(0, &[("drawer.warn_open_secs", "1")]);
    till.register.scan(PEANUTS).unwrap();
    till.register.tender_cash("5.00").unwrap().unwrap();
    wait_for(&mut till, 8, "still-open warning", |v| notice_code(v) == Some("drawer_still_open"));
    let view = till.register.view().unwrap();
    assert!(view.notice.unwrap().message.contains("fermez"), "French store, French words");
    sim.control.close_drawer();
    wait_for(&mut till, 8, "closed drawer", |v| {
        v.drawer.state == "closed" && notice_code(v).is_none()
    });
}

#[test]
fn a_drawer_opened_by_its_key_is_audited_as_unexplained() {
    let (mut till, sim) = till_on_sim(0, &[]);
    wait_for(&mut till, 5, "drawer read", |v| v.drawer.state == "closed");
    // Someone opens the drawer behind the register's back: a pulse straight to the printer.
    let mut link = std::net::TcpStream::connect(sim.addr).unwrap();
    link.write_all(&[0x1b, 0x70, 0x00, 0x19, 0xfa]).unwrap();
    drop(link);
    wait_for(&mut till, 8, "open drawer", |v| v.drawer.state == "open");
    let audit = till.register.drawer_openings(SINCE).unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].reason, "unexplained");
    assert_eq!(audit[0].receipt_no, None);
}

#[test]
fn out_of_paper_the_real_time_pulse_still_opens_the_drawer_unless_the_model_cannot() {
    let (mut till, sim) = till_on_sim(1, &[]);
    sim.control.set_status(ScriptedStatus::PaperOut);
    till.register.scan(PEANUTS).unwrap();
    let committed = till.register.tender_cash("5.00").unwrap().unwrap();
    assert_eq!(committed.printed.unwrap_err().code, "printer_out_of_paper");
    assert_eq!(sim.control.drawer_pulses(), 1, "the change is given all the same");
    let audit = till.register.drawer_openings(SINCE).unwrap();
    assert!(audit[0].real_time, "{audit:?}");

    // A printer model that runs no real-time pulse in error: the drawer stays shut, the
    // sale is kept, and the cashier is told to use the key.
    let (mut till, sim) = till_on_sim(1, &[("drawer.realtime_in_error", "false")]);
    sim.control.set_status(ScriptedStatus::PaperOut);
    till.register.scan(PEANUTS).unwrap();
    let committed = till.register.tender_cash("5.00").unwrap().unwrap();
    assert!(committed.printed.is_err());
    assert_eq!(sim.control.drawer_pulses(), 0);
    assert!(till.register.drawer_openings(SINCE).unwrap().is_empty());
    let notice = till.register.view().unwrap().notice.unwrap();
    assert_eq!(notice.code, "drawer_not_opened");
    assert!(notice.message.contains("clé"), "{}", notice.message);
    assert_eq!(notice.offer, Some("reprint"));
    assert_eq!(
        till.register.database().entry_by_receipt("MTL01-000001").unwrap().map(|e| e.kind),
        Some("sale".into())
    );
}

#[test]
fn an_offline_printer_keeps_the_sale_and_says_the_drawer_did_not_open() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut till = open_till();
    till.register.set_setting("printer", &format!("tcp://{addr}")).unwrap();
    let mut till = till.restart();
    till.register.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
    till.register.scan(PEANUTS).unwrap();
    let committed = till.register.tender_cash("5.00").unwrap().unwrap();
    assert_eq!(committed.printed.unwrap_err().code, "printer_offline");
    let view = till.register.view().unwrap();
    assert_eq!(notice_code(&view), Some("drawer_not_opened"));
    assert!(till.register.drawer_openings(SINCE).unwrap().is_empty());
    assert_eq!(till.register.verify().unwrap().first_bad, None);
}

#[test]
fn paper_and_cover_news_between_sales_reach_the_cashier_and_clear() {
    let (mut till, sim) = till_on_sim(1, &[]);
    wait_for(&mut till, 5, "first status", |v| v.drawer.state == "closed");
    sim.control.set_status(ScriptedStatus::NearEnd);
    wait_for(&mut till, 8, "paper low", |v| notice_code(v) == Some("printer_paper_near_end"));
    assert_eq!(till.register.view().unwrap().printer.state, "ok", "near end still prints");
    sim.control.set_status(ScriptedStatus::CoverOpen);
    wait_for(&mut till, 8, "cover open", |v| {
        notice_code(v) == Some("printer_cover_open") && v.printer.state == "cover_open"
    });
    // A sale while the cover is open: kept, its receipt waits.
    till.register.scan(PEANUTS).unwrap();
    till.register.tender_card("4.47", "AUTH 2").unwrap().unwrap();
    sim.control.set_status(ScriptedStatus::Ok);
    wait_for(&mut till, 8, "cover closed", |v| {
        notice_code(v) == Some("printer_ready_pending") && v.printer.state == "ok"
    });
    let notice = till.register.view().unwrap().notice.unwrap();
    assert_eq!(notice.offer, Some("reprint"));
    till.register.reprint_last().unwrap();
    assert_eq!(till.register.view().unwrap().printer.pending_jobs, 0);
}

#[test]
fn the_drawer_settings_are_checked() {
    let mut till = open_till();
    for (key, bad) in [
        ("drawer.realtime_ms", "50"),
        ("drawer.realtime_ms", "900"),
        ("drawer.warn_open_secs", "-1"),
        ("drawer.open_when_high", "yes"),
        ("drawer.realtime_in_error", "1"),
        ("printer.auto_status", "on"),
        ("printer.logo", "logo.png"),
        ("printer.logo", "/nowhere/logo.pbm"),
    ] {
        let error = till.register.set_setting(key, bad).unwrap_err();
        assert_eq!(error.code, "invalid_setting", "{key}={bad}");
    }
    for (key, good) in [
        ("drawer.realtime_ms", "300"),
        ("drawer.warn_open_secs", "0"),
        ("drawer.open_when_high", "false"),
        ("drawer.realtime_in_error", "false"),
        ("printer.auto_status", "true"),
        ("printer.logo", ""),
    ] {
        till.register.set_setting(key, good).unwrap();
    }
}

#[test]
fn a_display_behind_the_printer_never_keeps_the_receipt_from_the_paper() {
    let (mut till, sim) = till_on_sim(1, &[("display", "printer")]);
    let out = sim_out(&sim);
    // The display is framed at open; restart picked the setting up.
    till.register.scan(PEANUTS).unwrap();
    till.register.tender_cash("5.00").unwrap().unwrap();
    // The simulator files each connection's bytes as it ends: read until the last frame
    // (the change) is in.
    let started = Instant::now();
    let (jobs, shown) = loop {
        let mut jobs: Vec<std::path::PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "bin"))
            .collect();
        jobs.sort();
        // What the display took, in order: the frames, and nothing of the receipt.
        let mut screen = comptoir_display::decode::Screen::new();
        for job in &jobs {
            assert!(screen.feed(&std::fs::read(job).unwrap()).is_empty());
        }
        let shown = screen.lines().join("|");
        if shown.contains("0.55") || started.elapsed() > Duration::from_secs(5) {
            break (jobs, shown);
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(shown.contains("0.55"), "the change is on the display: {shown}");
    let receipt = jobs
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .find(|bytes| {
            comptoir_escpos_decoder::render(bytes).is_ok_and(|r| r.text().contains("MTL01-000001"))
        })
        .expect("the receipt reached the printer");
    assert_eq!(&receipt[..3], &[0x1b, 0x3d, 0x01], "the receipt selects the printer first");
}

fn sim_out(sim: &SimHandle) -> std::path::PathBuf {
    sim.control.out_dir()
}
