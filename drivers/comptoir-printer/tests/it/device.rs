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
