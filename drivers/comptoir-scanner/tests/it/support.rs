//! Shared helpers: the fixture files and waiting for a device's events.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use comptoir_device::{Device, DeviceError, DeviceEvent};
use comptoir_scanner::{Scan, SerialScanner};

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/barcodes").join(name)
}

/// The rows of a fixture CSV, as maps from column name to value.
pub fn csv_rows(name: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(fixture_path(name)).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

/// What a scanner reported, without its state changes.
#[derive(Debug)]
pub enum Seen {
    Data(Scan),
    Error(DeviceError),
}

/// The next data or error event, within `timeout`.
pub fn next_event(device: &Device<SerialScanner>, timeout: Duration) -> Option<Seen> {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match device.events().recv_timeout(left).ok()? {
            DeviceEvent::Data(scan) => return Some(Seen::Data(scan)),
            DeviceEvent::Error(error) => return Some(Seen::Error(error)),
            _ => continue,
        }
    }
}

pub fn next_scan(device: &Device<SerialScanner>) -> Scan {
    match next_event(device, Duration::from_secs(5)) {
        Some(Seen::Data(scan)) => scan,
        other => panic!("expected a scan, got {other:?}"),
    }
}

pub fn next_error(device: &Device<SerialScanner>) -> DeviceError {
    match next_event(device, Duration::from_secs(5)) {
        Some(Seen::Error(error)) => error,
        other => panic!("expected an error, got {other:?}"),
    }
}
