//! TcpTransport against the simulator, started in-process on a free port.

use std::time::Duration;

use comptoir_printer::sim::{self, ScriptedStatus, SimConfig, SimHandle};
use comptoir_printer::{
    EncodeOptions, Job, Paper, PrinterStatus, Profile, TcpConfig, TcpTransport, Transport, encode,
};
use tempfile::TempDir;

use crate::support::{files_with, montreal_receipt, wait_for_files};

fn simulator(configure: impl FnOnce(&mut SimConfig)) -> (SimHandle, TempDir) {
    let out = tempfile::tempdir().unwrap();
    let mut config = SimConfig::new(out.path());
    config.port = 0;
    configure(&mut config);
    (sim::spawn(config).unwrap(), out)
}

fn transport(sim: &SimHandle) -> TcpTransport {
    let mut config = TcpConfig::new(sim.addr.to_string());
    config.read_timeout = Duration::from_secs(2);
    TcpTransport::new(config)
}

fn receipt_job(id: &str) -> Job {
    let profile = Profile::load("TM-T88V").unwrap();
    Job::new(id, encode(&montreal_receipt(), &profile, &EncodeOptions::default()))
}

#[test]
fn a_receipt_is_recorded_whole_without_the_status_requests() {
    let (sim, out) = simulator(|_| {});
    let job = receipt_job("sale-1");
    transport(&sim).write_job(&job).unwrap();
    // The receipt ends with a cut, then a drawer kick: the simulator completes a job at the
    // cut and the rest when the connection closes.
    let files = wait_for_files(out.path(), "bin", 2);
    assert_eq!(files.len(), 2, "{files:?}");
    let recorded: Vec<u8> = files.iter().flat_map(|f| std::fs::read(f).unwrap()).collect();
    assert_eq!(recorded, job.bytes);
    assert!(files[0].to_string_lossy().ends_with("-cut.bin"));
}

#[test]
fn paper_out_refuses_the_job_before_sending_it() {
    let (sim, out) = simulator(|c| c.status = ScriptedStatus::PaperOut);
    let mut printer = transport(&sim);
    let err = printer.write_job(&receipt_job("sale-2")).unwrap_err();
    assert_eq!(err.code(), "printer_out_of_paper");
    assert_eq!(err.cashier_message(), "printer out of paper: load a roll, then Reprint");
    assert_eq!(printer.status().unwrap().paper, Paper::Out);
    std::thread::sleep(Duration::from_millis(100));
    assert!(files_with(out.path(), "bin").is_empty());

    // Once a roll is loaded, the same job prints.
    sim.control.set_status(ScriptedStatus::Ok);
    printer.write_job(&receipt_job("sale-2")).unwrap();
    assert_eq!(wait_for_files(out.path(), "bin", 2).len(), 2);
}

#[test]
fn cover_open_and_offline_refuse_the_job() {
    for (scripted, code) in [
        (ScriptedStatus::CoverOpen, "printer_cover_open"),
        (ScriptedStatus::Offline, "printer_offline"),
    ] {
        let (sim, _out) = simulator(|c| c.status = scripted);
        let err = transport(&sim).write_job(&receipt_job("sale-3")).unwrap_err();
        assert_eq!(err.code(), code);
    }
}

#[test]
fn a_connection_dropped_mid_job_is_reported_offline_and_not_recorded_whole() {
    let (sim, out) = simulator(|c| c.drop_after_bytes = Some(200));
    let job = receipt_job("sale-4");
    assert!(job.bytes.len() > 400);
    let err = transport(&sim).write_job(&job).unwrap_err();
    assert_eq!(err.code(), "printer_offline", "{err}");
    assert_eq!(wait_for_files(out.path(), "partial", 1).len(), 1);
    assert!(files_with(out.path(), "bin").is_empty());
}

#[test]
fn the_same_job_id_is_not_printed_twice() {
    let (sim, out) = simulator(|_| {});
    let mut printer = transport(&sim);
    printer.write_job(&receipt_job("sale-5")).unwrap();
    let err = printer.write_job(&receipt_job("sale-5")).unwrap_err();
    assert_eq!(err.code(), "printer_duplicate_job");
    assert_eq!(wait_for_files(out.path(), "bin", 2).len(), 2);
}

#[test]
fn a_slow_printer_still_gets_the_whole_job() {
    // The simulator needs longer to take in the job than the status read timeout allows:
    // the reply after the job is waited for with the longer finish timeout.
    let (sim, out) = simulator(|c| c.slow_ms = 20);
    let job = receipt_job("sale-6");
    assert!(job.bytes.len() > 64 * 8, "at least 8 slow reads");
    let mut config = TcpConfig::new(sim.addr.to_string());
    config.read_timeout = Duration::from_millis(100);
    TcpTransport::new(config).write_job(&job).unwrap();
    let recorded: Vec<u8> = wait_for_files(out.path(), "bin", 2)
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap())
        .collect();
    assert_eq!(recorded, job.bytes);
}

#[test]
fn nothing_listening_is_offline() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = TcpConfig::new(format!("127.0.0.1:{port}"));
    config.connect_timeout = Duration::from_millis(500);
    let err = TcpTransport::new(config).write_job(&receipt_job("sale-7")).unwrap_err();
    assert_eq!(err.code(), "printer_offline");
}

#[test]
fn near_end_is_reported_and_still_prints() {
    let (sim, _out) = simulator(|c| c.status = ScriptedStatus::NearEnd);
    let mut printer = transport(&sim);
    assert_eq!(printer.status().unwrap().paper, Paper::NearEnd);
    printer.write_job(&receipt_job("sale-8")).unwrap();
}

#[test]
fn cut_bytes_inside_barcode_data_do_not_split_the_job() {
    // In code set C, "29866600" is the bytes 1D 56 42 00: GS V 66 0 as data, not as a cut.
    let (sim, out) = simulator(|_| {});
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new().code128("29866600").line("fin").cut();
    let job = Job::new("sale-9", encode(&doc, &profile, &EncodeOptions::default()));
    assert!(crate::support::contains(&job.bytes, &[0x7B, 0x43, 0x1D, 0x56, 0x42, 0x00]));
    transport(&sim).write_job(&job).unwrap();
    let files = wait_for_files(out.path(), "bin", 1);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(files_with(out.path(), "bin").len(), 1);
    assert_eq!(std::fs::read(&files[0]).unwrap(), job.bytes);
}

#[test]
fn status_back_on_a_held_connection_reports_changes_between_jobs() {
    let (sim, out) = simulator(|_| {});
    let mut config = TcpConfig::new(sim.addr.to_string());
    config.auto_status = true;
    let mut printer = TcpTransport::new(config);
    let poll_until = |printer: &mut TcpTransport, wanted: &dyn Fn(&PrinterStatus) -> bool| {
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        while std::time::Instant::now() < deadline {
            if let Some(status) = printer.poll_status().unwrap()
                && wanted(&status)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    };
    assert!(poll_until(&mut printer, &|s| s.ready().is_ok()));
    sim.control.set_status(ScriptedStatus::CoverOpen);
    assert!(poll_until(&mut printer, &|s| s.cover_open));
    sim.control.set_status(ScriptedStatus::Ok);
    assert!(poll_until(&mut printer, &|s| !s.cover_open));
    // A job closes the held connection, prints on its own, and status back resumes after.
    printer.write_job(&receipt_job("sale-10")).unwrap();
    assert_eq!(wait_for_files(out.path(), "bin", 2).len(), 2);
    sim.control.set_status(ScriptedStatus::PaperOut);
    assert!(poll_until(&mut printer, &|s| s.paper == Paper::Out));
    // GS a itself is no print data: nothing but the receipt was recorded.
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(files_with(out.path(), "bin").len(), 2);
}

#[test]
fn a_kick_in_a_job_opens_the_drawer_and_its_sensor_says_so_until_it_closes() {
    let (sim, _out) = simulator(|c| c.drawer_open_secs = 1);
    let mut printer = transport(&sim);
    assert!(!printer.status().unwrap().drawer_sensor_high);
    printer.write_job(&receipt_job("sale-11")).unwrap();
    assert_eq!(sim.control.drawer_pulses(), 1);
    assert!(printer.status().unwrap().drawer_sensor_high, "open: pin 3 high");
    std::thread::sleep(Duration::from_millis(1100));
    assert!(!printer.status().unwrap().drawer_sensor_high, "pushed shut after a second");
}

#[test]
fn a_queued_kick_is_not_run_in_error_but_the_real_time_pulse_is() {
    let (sim, _out) = simulator(|c| {
        c.status = ScriptedStatus::PaperOut;
        c.drawer_open_high = false;
    });
    let mut printer = transport(&sim);
    let mut raw = TcpConfig::new(sim.addr.to_string());
    raw.check_status = false;
    // ESC p 0 25 250 sent anyway: the printer in error does not run it.
    TcpTransport::new(raw).write_job(&Job::new("kick-1", vec![0x1B, 0x70, 0, 25, 250])).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(sim.control.drawer_pulses(), 0);
    // DLE DC4 1 0 1 is run at once; this drawer's sensor reads low when open.
    printer.send_realtime(&[0x10, 0x14, 0x01, 0x00, 0x01]).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while sim.control.drawer_pulses() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(sim.control.drawer_pulses(), 1);
    assert!(!printer.status().unwrap().drawer_sensor_high);
    sim.control.close_drawer();
    assert!(printer.status().unwrap().drawer_sensor_high);
}

#[test]
fn a_printer_limited_in_bytes_per_second_takes_its_time_and_the_whole_job() {
    let (sim, out) = simulator(|c| c.bytes_per_second = Some(4000));
    let job = receipt_job("sale-12");
    let started = std::time::Instant::now();
    let mut config = TcpConfig::new(sim.addr.to_string());
    config.read_timeout = Duration::from_millis(200);
    TcpTransport::new(config).write_job(&job).unwrap();
    let floor = Duration::from_secs_f64(job.bytes.len() as f64 / 4000.0 * 0.8);
    assert!(started.elapsed() >= floor, "{:?} < {floor:?}", started.elapsed());
    let recorded: Vec<u8> = wait_for_files(out.path(), "bin", 2)
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap())
        .collect();
    assert_eq!(recorded, job.bytes);
}

/// A peer that answers the first bytes it gets with `reply`, then closes: a printer (or
/// something else on port 9100) talking nonsense.
fn misbehaving_peer(reply: Vec<u8>) -> std::net::SocketAddr {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 64];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(&reply);
        }
    });
    addr
}

#[test]
fn garbage_half_replies_and_endless_status_back_end_in_typed_errors() {
    let endless_asb: Vec<u8> = [0x10, 0, 0, 0].repeat(200);
    for (reply, code) in [
        (vec![0xFF, 0x00, 0x41], "printer_io"),
        (b"HTTP/1.1 400 Bad Request\r\n".to_vec(), "printer_io"),
        (vec![0x12], "printer_offline"),
        (vec![], "printer_offline"),
        (endless_asb, "printer_io"),
    ] {
        let addr = misbehaving_peer(reply.clone());
        let mut config = TcpConfig::new(addr.to_string());
        config.read_timeout = Duration::from_millis(300);
        let error = TcpTransport::new(config).write_job(&receipt_job("sale-13")).unwrap_err();
        assert_eq!(error.code(), code, "{:02X?}: {error}", &reply[..reply.len().min(8)]);
    }
}
