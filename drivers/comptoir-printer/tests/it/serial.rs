//! SerialTransport against the simulator serving a pseudo-terminal, as a serial printer on
//! /dev/ttyUSB0 would be: jobs arrive whole, status is read, status back arrives between jobs.
//! Flow control cannot be exercised here: a pseudo-terminal has no RTS/CTS lines.

use std::time::{Duration, Instant};

use comptoir_device::serial::{Flow, SerialSettings};
use comptoir_printer::sim::{self, ScriptedStatus, SerialSimHandle, SimConfig};
use comptoir_printer::{
    EncodeOptions, Job, Paper, Profile, SerialConfig, SerialTransport, Transport, encode,
};
use tempfile::TempDir;

use crate::support::{montreal_receipt, wait_for_files};

fn simulator(configure: impl FnOnce(&mut SimConfig)) -> (SerialSimHandle, TempDir) {
    let out = tempfile::tempdir().unwrap();
    let mut config = SimConfig::new(out.path());
    configure(&mut config);
    (sim::spawn_serial(config).unwrap(), out)
}

fn transport(sim: &SerialSimHandle) -> SerialTransport {
    let settings = SerialSettings::parse(&format!("{}@19200,8N1,xonxoff", sim.path)).unwrap();
    assert_eq!(settings.flow, Flow::Software);
    SerialTransport::new(SerialConfig::new(settings))
}

fn receipt_job(id: &str) -> Job {
    let profile = Profile::load("TM-T88V").unwrap();
    Job::new(id, encode(&montreal_receipt(), &profile, &EncodeOptions::default()))
}

/// Polls status back until `wanted` holds, for at most three seconds.
fn poll_until(printer: &mut SerialTransport, wanted: impl Fn(Paper, bool) -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Some(status) = printer.poll_status().unwrap()
            && wanted(status.paper, status.cover_open)
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_receipt_arrives_whole_over_the_serial_line() {
    let (sim, out) = simulator(|_| {});
    let mut printer = transport(&sim);
    let job = receipt_job("sale-1");
    printer.write_job(&job).unwrap();
    // The simulator records up to the cut; the drawer kick after it stays in its buffer
    // until the next cut, as on a serial line no connection ever closes.
    let files = wait_for_files(out.path(), "bin", 1);
    let recorded = std::fs::read(&files[0]).unwrap();
    let cut = job.bytes.windows(4).position(|w| w == [0x1D, b'V', 66, 0]).unwrap() + 4;
    assert_eq!(recorded, job.bytes[..cut]);
    assert_eq!(printer.status().unwrap().paper, Paper::Ok);
    assert_eq!(
        printer.write_job(&job).unwrap_err().code(),
        "printer_duplicate_job",
        "a retry of the same job never prints twice"
    );
}

#[test]
fn status_is_read_and_refuses_a_job_when_the_paper_is_out() {
    let (sim, out) = simulator(|c| c.status = ScriptedStatus::PaperOut);
    let mut printer = transport(&sim);
    assert_eq!(printer.status().unwrap().paper, Paper::Out);
    assert_eq!(
        printer.write_job(&receipt_job("sale-2")).unwrap_err().code(),
        "printer_out_of_paper"
    );
    sim.control.set_status(ScriptedStatus::Ok);
    printer.write_job(&receipt_job("sale-2")).unwrap();
    assert_eq!(wait_for_files(out.path(), "bin", 1).len(), 1);
}

#[test]
fn status_back_reports_each_change_between_jobs() {
    let (sim, _out) = simulator(|_| {});
    let mut printer = transport(&sim);
    // Opening the port sends GS a; the printer answers with its state at once.
    assert!(poll_until(&mut printer, |paper, cover| paper == Paper::Ok && !cover));
    sim.control.set_status(ScriptedStatus::CoverOpen);
    assert!(poll_until(&mut printer, |_, cover| cover), "cover open reported");
    sim.control.set_status(ScriptedStatus::NearEnd);
    assert!(poll_until(&mut printer, |paper, cover| paper == Paper::NearEnd && !cover));
    // A status query between status back messages still gets its own three replies.
    assert_eq!(printer.status().unwrap().paper, Paper::NearEnd);
    sim.control.set_status(ScriptedStatus::PaperOut);
    assert!(poll_until(&mut printer, |paper, _| paper == Paper::Out));
}

#[test]
fn the_real_time_pulse_opens_the_drawer_even_with_the_cover_open() {
    let (sim, _out) = simulator(|c| c.status = ScriptedStatus::CoverOpen);
    let mut printer = transport(&sim);
    // DLE DC4 1 m t, pin 2, 100 ms (Epson reference, "Generate pulse in real-time").
    printer.send_realtime(&[0x10, 0x14, 0x01, 0x00, 0x01]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(3);
    while sim.control.drawer_pulses() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(sim.control.drawer_pulses(), 1);
    assert!(printer.status().unwrap().drawer_sensor_high, "the sensor reads the drawer open");
}

#[test]
fn a_line_cut_mid_job_is_offline_and_the_job_is_not_recorded_whole() {
    let (sim, out) = simulator(|c| c.drop_after_bytes = Some(200));
    let mut settings = SerialSettings::parse(&sim.path).unwrap();
    settings.baud = 115_200;
    let mut config = SerialConfig::new(settings);
    config.read_timeout = Duration::from_millis(300);
    let mut printer = SerialTransport::new(config);
    let job = receipt_job("sale-9");
    let error = printer.write_job(&job).unwrap_err();
    assert_eq!(error.code(), "printer_offline", "{error}");
    assert_eq!(crate::support::wait_for_files(out.path(), "partial", 1).len(), 1);
    assert!(crate::support::files_with(out.path(), "bin").is_empty());
    // Once the line is back (quiet for half a second), a job shorter than the drop prints,
    // and the port is opened again by itself.
    std::thread::sleep(Duration::from_millis(700));
    printer.write_job(&Job::new("sale-10", b"\x1b@short\n\x1dV\x42\x00".to_vec())).unwrap();
    assert_eq!(wait_for_files(out.path(), "bin", 1).len(), 1);
}
