//! PrinterDriver in the device model, against the simulator over TCP and over a serial
//! pseudo-terminal: jobs printed once, status changes as notices, the drawer kicked, watched
//! and audited.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comptoir_device::serial::SerialSettings;
use comptoir_device::{Device, DeviceEvent, ErrorCode};
use comptoir_printer::sim::{self, ScriptedStatus, SimConfig, SimHandle};
use comptoir_printer::{
    DrawerOpening, DrawerSettings, EncodeOptions, Job, OpeningReason, PrinterDriver, PrinterNotice,
    PrinterReply, PrinterRequest, Profile, SerialConfig, SerialTransport, TcpConfig, TcpTransport,
    encode,
};
use tempfile::TempDir;

use crate::support::{montreal_receipt, wait_for_files};

const WAIT: Duration = Duration::from_secs(5);

fn simulator(configure: impl FnOnce(&mut SimConfig)) -> (SimHandle, TempDir) {
    let out = tempfile::tempdir().unwrap();
    let mut config = SimConfig::new(out.path());
    config.port = 0;
    configure(&mut config);
    (sim::spawn(config).unwrap(), out)
}

fn tcp_driver(addr: &str, drawer: DrawerSettings) -> PrinterDriver {
    let mut config = TcpConfig::new(addr);
    config.connect_timeout = Duration::from_millis(500);
    PrinterDriver::new(
        format!("TM-T88V on tcp://{addr}"),
        Box::new(TcpTransport::new(config)),
        drawer,
    )
    .with_status_every(Duration::from_millis(50))
}

fn open(driver: PrinterDriver) -> Device<PrinterDriver> {
    let device = Device::open(driver);
    device.claim(WAIT).unwrap();
    device.enable(WAIT).unwrap();
    device
}

fn receipt_job(id: &str) -> Job {
    let profile = Profile::load("TM-T88V").unwrap();
    Job::new(id, encode(&montreal_receipt(), &profile, &EncodeOptions::default()))
}

/// Waits for a status notice that `wanted` accepts; returns the notices seen before it.
fn wait_notice(
    device: &Device<PrinterDriver>,
    wanted: impl Fn(&PrinterNotice) -> bool,
) -> Vec<PrinterNotice> {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match device.events().recv_timeout(left) {
            Ok(DeviceEvent::Status(notice)) => {
                seen.push(notice);
                if wanted(&notice) {
                    return seen;
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    panic!("the notice never came; saw {seen:?}");
}

#[test]
fn a_job_prints_once_and_its_retry_is_answered_as_printed() {
    let (sim, out) = simulator(|_| {});
    let device = open(tcp_driver(&sim.addr.to_string(), DrawerSettings::default()));
    let job = receipt_job("sale-1");
    let reply = device.call(PrinterRequest::Print(job.clone()), WAIT).unwrap();
    assert_eq!(
        reply,
        PrinterReply::Printed { job_id: "sale-1".into(), duplicate: false, opening: None }
    );
    let again = device.call(PrinterRequest::Print(job), WAIT).unwrap();
    assert!(matches!(again, PrinterReply::Printed { duplicate: true, .. }));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(wait_for_files(out.path(), "bin", 2).len(), 2, "cut, then the kick after it");
    assert_eq!(sim.control.drawer_pulses(), 1, "printed once, so opened once");
}

#[test]
fn status_changes_reach_the_cashier_as_notices_with_stable_codes() {
    let (sim, _out) = simulator(|_| {});
    let device = open(tcp_driver(&sim.addr.to_string(), DrawerSettings::default()));
    sim.control.set_status(ScriptedStatus::NearEnd);
    let near = wait_notice(&device, |n| *n == PrinterNotice::PaperNearEnd);
    assert_eq!(near.last().unwrap().code(), "printer_paper_near_end");
    assert!(near.last().unwrap().needs_action());
    sim.control.set_status(ScriptedStatus::PaperOut);
    wait_notice(&device, |n| *n == PrinterNotice::PaperOut);
    sim.control.set_status(ScriptedStatus::CoverOpen);
    let cover = wait_notice(&device, |n| *n == PrinterNotice::CoverOpen);
    assert_eq!(cover.last().unwrap().message(), "printer cover open: close the cover");
    sim.control.set_status(ScriptedStatus::Offline);
    let offline = wait_notice(&device, |n| *n == PrinterNotice::Offline);
    assert!(offline.contains(&PrinterNotice::CoverClosed), "{offline:?}");
    assert_eq!(offline.last().unwrap().code(), "printer_offline");
    sim.control.set_status(ScriptedStatus::Ok);
    wait_notice(&device, |n| *n == PrinterNotice::Online);
}

#[test]
fn a_job_refused_for_paper_says_so_in_the_printer_code() {
    let (sim, _out) = simulator(|c| c.status = ScriptedStatus::PaperOut);
    let device = open(tcp_driver(&sim.addr.to_string(), DrawerSettings::default()));
    let error = device.call(PrinterRequest::Print(receipt_job("sale-2")), WAIT).unwrap_err();
    assert_eq!(error.code(), "printer_out_of_paper");
    assert_eq!(error.kind, ErrorCode::Extended);
    assert_eq!(error.message, "printer out of paper: load a roll, then Reprint");
    wait_notice(&device, |n| *n == PrinterNotice::PaperOut);
    let health = device.health(WAIT).unwrap_err();
    assert_eq!(health.code(), "printer_out_of_paper");
}

#[test]
fn a_kick_is_queued_when_ready_real_time_in_error_and_every_opening_is_audited() {
    let (sim, _out) = simulator(|_| {});
    let audited: Arc<Mutex<Vec<DrawerOpening>>> = Arc::default();
    let log = Arc::clone(&audited);
    let driver = tcp_driver(&sim.addr.to_string(), DrawerSettings::default())
        .with_audit(move |opening| log.lock().unwrap().push(opening.clone()));
    let device = open(driver);

    let kick = PrinterRequest::Kick { reason: OpeningReason::NoSale, job_id: None };
    let PrinterReply::DrawerOpened(first) = device.call(kick.clone(), WAIT).unwrap() else {
        panic!("no opening")
    };
    assert!(!first.real_time);
    assert_eq!(first.reason.as_str(), "no_sale");
    assert_eq!(sim.control.drawer_pulses(), 1);

    sim.control.close_drawer();
    sim.control.set_status(ScriptedStatus::CoverOpen);
    let refund =
        PrinterRequest::Kick { reason: OpeningReason::Refund, job_id: Some("ret-7".into()) };
    let PrinterReply::DrawerOpened(second) = device.call(refund, WAIT).unwrap() else {
        panic!("no opening")
    };
    assert!(second.real_time, "cover open: the queued pulse would not run");
    let deadline = Instant::now() + WAIT;
    while sim.control.drawer_pulses() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(sim.control.drawer_pulses(), 2);
    let audited = audited.lock().unwrap();
    assert_eq!(*audited, [first, second]);
    assert_eq!(audited[1].job_id.as_deref(), Some("ret-7"));
}

#[test]
fn a_model_without_the_real_time_pulse_in_error_keeps_the_drawer_shut_and_says_why() {
    let (sim, _out) = simulator(|c| c.status = ScriptedStatus::CoverOpen);
    let drawer = DrawerSettings { realtime_in_error: false, ..DrawerSettings::default() };
    let device = open(tcp_driver(&sim.addr.to_string(), drawer));
    let kick = PrinterRequest::Kick { reason: OpeningReason::Sale, job_id: Some("sale-3".into()) };
    let error = device.call(kick, WAIT).unwrap_err();
    assert_eq!(error.code(), "printer_cover_open");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(sim.control.drawer_pulses(), 0);
}

#[test]
fn a_receipt_that_opens_the_drawer_returns_its_opening_once() {
    let (sim, _out) = simulator(|_| {});
    let device = open(tcp_driver(&sim.addr.to_string(), DrawerSettings::default()));
    let request =
        PrinterRequest::PrintAndOpen { job: receipt_job("sale-4"), reason: OpeningReason::Sale };
    let PrinterReply::Printed { opening: Some(opening), .. } =
        device.call(request.clone(), WAIT).unwrap()
    else {
        panic!("no opening")
    };
    assert_eq!(opening.job_id.as_deref(), Some("sale-4"));
    let PrinterReply::Printed { duplicate: true, opening: None, .. } =
        device.call(request, WAIT).unwrap()
    else {
        panic!("a retry must neither print nor open again")
    };
}

#[test]
fn a_drawer_left_open_warns_once_then_closing_it_is_reported() {
    // This drawer's sensor reads low when open, and the driver is set so.
    let (sim, _out) = simulator(|c| {
        c.drawer_open_secs = 0;
        c.drawer_open_high = false;
    });
    let drawer = DrawerSettings {
        open_when_high: false,
        warn_open_after: Duration::from_millis(300),
        ..DrawerSettings::default()
    };
    let device = open(tcp_driver(&sim.addr.to_string(), drawer));
    device.call(PrinterRequest::Kick { reason: OpeningReason::Sale, job_id: None }, WAIT).unwrap();
    let seen = wait_notice(&device, |n| matches!(n, PrinterNotice::DrawerStillOpen { .. }));
    assert_eq!(seen.first(), Some(&PrinterNotice::DrawerOpened), "{seen:?}");
    let still = seen.last().unwrap();
    assert_eq!(still.code(), "drawer_still_open");
    let PrinterNotice::DrawerStillOpen { open_for } = still else { unreachable!() };
    assert!(*open_for >= Duration::from_millis(300));
    sim.control.close_drawer();
    let closed = wait_notice(&device, |n| *n == PrinterNotice::DrawerClosed);
    assert!(
        !closed.iter().any(|n| matches!(n, PrinterNotice::DrawerStillOpen { .. })),
        "warned once"
    );
}

#[test]
fn the_wrong_sensor_polarity_reads_a_shut_drawer_as_open() {
    // The drawer's sensor is low when open, but the setting says high: the shut drawer reads
    // open at once, which is how IT finds the setting is wrong.
    let (sim, _out) = simulator(|c| c.drawer_open_high = false);
    let device = open(tcp_driver(&sim.addr.to_string(), DrawerSettings::default()));
    let seen = wait_notice(&device, |n| *n == PrinterNotice::DrawerOpened);
    assert_eq!(seen, [PrinterNotice::DrawerOpened]);
}

#[test]
fn a_printer_that_goes_away_is_offline_once_and_unhealthy() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let device = open(tcp_driver(&format!("127.0.0.1:{port}"), DrawerSettings::default()));
    let seen = wait_notice(&device, |n| *n == PrinterNotice::Offline);
    assert_eq!(seen, [PrinterNotice::Offline]);
    std::thread::sleep(Duration::from_millis(300));
    let again: Vec<_> =
        device.events().try_iter().filter(|e| matches!(e, DeviceEvent::Status(_))).collect();
    assert!(again.is_empty(), "told once: {again:?}");
    let error = device.health(WAIT).unwrap_err();
    assert_eq!(error.code(), "printer_offline");
    assert_eq!(error.kind, ErrorCode::Offline);
}

#[test]
fn a_serial_printer_reports_changes_through_status_back() {
    let out = tempfile::tempdir().unwrap();
    let sim = sim::spawn_serial(SimConfig::new(out.path())).unwrap();
    let settings = SerialSettings::parse(&format!("{}@38400,8N1,rtscts", sim.path)).unwrap();
    let transport = SerialTransport::new(SerialConfig::new(settings));
    // Status back only: the DLE EOT poll would be every minute.
    let driver =
        PrinterDriver::new("serial printer", Box::new(transport), DrawerSettings::default())
            .with_status_every(Duration::from_secs(60));
    let device = open(driver);
    sim.control.set_status(ScriptedStatus::CoverOpen);
    wait_notice(&device, |n| *n == PrinterNotice::CoverOpen);
    sim.control.set_status(ScriptedStatus::NearEnd);
    wait_notice(&device, |n| *n == PrinterNotice::PaperNearEnd);
    wait_notice(&device, |n| *n == PrinterNotice::CoverClosed);
    let reply = device.call(PrinterRequest::Print(receipt_job("sale-5")), WAIT).unwrap();
    assert!(
        matches!(reply, PrinterReply::Printed { duplicate: false, .. }),
        "near end still prints"
    );
    assert_eq!(wait_for_files(out.path(), "bin", 1).len(), 1);
}

#[test]
fn the_virtual_printer_keeps_kicks_as_jobs_and_the_real_time_pulse_in_error() {
    let dir = tempfile::tempdir().unwrap();
    let printer = comptoir_printer::VirtualTransport::new(dir.path());
    let device = open(PrinterDriver::new("virtual", Box::new(printer), DrawerSettings::default()));
    let kick = PrinterRequest::Kick { reason: OpeningReason::Test, job_id: None };
    let PrinterReply::DrawerOpened(opening) = device.call(kick, WAIT).unwrap() else { panic!() };
    assert!(!opening.real_time);
    let jobs = comptoir_printer::VirtualTransport::new(dir.path()).jobs().unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(jobs[0].id.starts_with("drawer-"), "{}", jobs[0].id);
    // ESC p 0 25 250: pin 2, 50 ms on, 500 ms off, as the decoder reads it.
    let bytes = std::fs::read(&jobs[0].path).unwrap();
    assert_eq!(
        comptoir_escpos_decoder::decode(&bytes).unwrap(),
        [comptoir_escpos_decoder::Command::DrawerKick { pin: 2, on_ms: 50, off_ms: 500 }]
    );
    drop(device);

    // With the cover open the kick goes as the real-time pulse, kept as its own job.
    let mut printer = comptoir_printer::VirtualTransport::new(dir.path());
    printer.set_status(ScriptedStatus::CoverOpen.status());
    let device = open(PrinterDriver::new("virtual", Box::new(printer), DrawerSettings::default()));
    let kick = PrinterRequest::Kick { reason: OpeningReason::NoSale, job_id: None };
    let PrinterReply::DrawerOpened(opening) = device.call(kick, WAIT).unwrap() else { panic!() };
    assert!(opening.real_time);
    let jobs = comptoir_printer::VirtualTransport::new(dir.path()).jobs().unwrap();
    assert_eq!(jobs[1].id, "realtime-2");
    assert_eq!(
        comptoir_escpos_decoder::decode(&std::fs::read(&jobs[1].path).unwrap()).unwrap(),
        [comptoir_escpos_decoder::Command::RealTimePulse { pin: 2, pulse_ms: 200 }]
    );
}

#[test]
fn a_serial_port_that_is_not_there_is_offline() {
    let settings = SerialSettings::parse("/dev/ttyUSB-comptoir-none@9600").unwrap();
    let transport = SerialTransport::new(SerialConfig::new(settings));
    let device =
        open(PrinterDriver::new("serial printer", Box::new(transport), DrawerSettings::default()));
    let error = device.call(PrinterRequest::Print(receipt_job("sale-6")), WAIT).unwrap_err();
    assert_eq!(error.code(), "printer_offline");
    assert_eq!(error.kind, ErrorCode::Offline);
}
