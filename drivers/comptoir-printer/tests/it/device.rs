//! DeviceFileTransport, against plain files standing in for /dev/usb/lp0.

use std::time::Duration;

use comptoir_printer::{DeviceConfig, DeviceFileTransport, Job, Transport};

#[test]
fn a_job_is_written_to_the_device_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    std::fs::write(&path, b"").unwrap();
    let mut config = DeviceConfig::new(&path);
    config.check_status = false;
    let mut printer = DeviceFileTransport::new(config);
    printer.write_job(&Job::new("sale-1", b"\x1b@hello\n".to_vec())).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"\x1b@hello\n");
}

#[test]
fn a_device_that_never_answers_status_still_prints() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lp0");
    std::fs::write(&path, b"").unwrap();
    let mut config = DeviceConfig::new(&path);
    config.status_timeout = Duration::from_millis(50);
    let mut printer = DeviceFileTransport::new(config);
    printer.write_job(&Job::new("sale-1", b"job\n".to_vec())).unwrap();
    assert!(std::fs::read(&path).unwrap().ends_with(b"job\n"));
    assert_eq!(printer.status().unwrap_err().code(), "printer_io");
}

#[test]
fn a_missing_device_is_offline() {
    let dir = tempfile::tempdir().unwrap();
    let mut printer = DeviceFileTransport::new(DeviceConfig::new(dir.path().join("lp9")));
    let err = printer.write_job(&Job::new("sale-1", b"x".to_vec())).unwrap_err();
    assert_eq!(err.code(), "printer_offline");
}

/// A serial simulator's pseudo-terminal stands in for a two-way `/dev/usb/lp0`: the same
/// DLE EOT replies and status back come through the device file.
#[test]
fn a_two_way_device_reports_status_and_status_back_between_jobs() {
    use comptoir_printer::sim::{self, ScriptedStatus, SimConfig};
    use comptoir_printer::{Paper, PrinterStatus};
    let out = tempfile::tempdir().unwrap();
    let sim = sim::spawn_serial(SimConfig::new(out.path())).unwrap();
    let mut config = DeviceConfig::new(&sim.path);
    config.auto_status = true;
    let mut printer = DeviceFileTransport::new(config);
    assert_eq!(printer.status().unwrap(), PrinterStatus::OK);
    printer.write_job(&Job::new("sale-1", b"\x1b@hello\n\x1dV\x42\x00".to_vec())).unwrap();
    assert_eq!(crate::support::wait_for_files(out.path(), "bin", 1).len(), 1);
    sim.control.set_status(ScriptedStatus::NearEnd);
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    let mut seen = None;
    while seen.is_none() && std::time::Instant::now() < deadline {
        seen = printer.poll_status().unwrap().filter(|s| s.paper == Paper::NearEnd);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(seen.is_some(), "status back reported the paper near its end");
    sim.control.set_status(ScriptedStatus::CoverOpen);
    let err = printer.write_job(&Job::new("sale-2", b"x\n".to_vec())).unwrap_err();
    assert_eq!(err.code(), "printer_cover_open");
}
