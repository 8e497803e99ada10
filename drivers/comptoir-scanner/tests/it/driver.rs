//! The serial scanner driver on the device model, against a real pseudo-terminal pair: the
//! test writes what a scanner would send to one end, the driver reads the other. The codes are
//! the usual published examples: EAN-13 4006381333931 and EAN-8 96385074 (the EAN article's
//! examples), a German weight label of biip's vectors, and the register's receipt format.

use std::io::Write;
use std::time::Duration;

use comptoir_device::serial::pty_pair;
use comptoir_device::{Device, DeviceEvent, DeviceKind, DeviceState};
use comptoir_scanner::driver::HALF_LINE_TIMEOUT;
use comptoir_scanner::{
    EmbeddedValue, InStoreRules, Scanned, ScannerConfig, ScannerRequest, SerialScanner,
};
use rust_decimal::Decimal;
use serialport::{SerialPort, TTYPort};

use crate::support::{Seen, next_error, next_event, next_scan};

const WAIT: Duration = Duration::from_secs(5);

/// A scanner device on a fresh pty, claimed and enabled; the wire end and the kept-open port.
fn scanner(options: &str) -> (Device<SerialScanner>, TTYPort, TTYPort) {
    let (wire, port) = pty_pair().unwrap();
    let setting = format!("{}{options}", port.name().unwrap());
    let config = ScannerConfig::parse(&setting).unwrap();
    let device = Device::open(SerialScanner::new(config, &InStoreRules::builtin()));
    device.claim(WAIT).unwrap();
    device.enable(WAIT).unwrap();
    (device, wire, port)
}

#[test]
fn the_setting_names_port_suffix_limit_and_country() {
    let config =
        ScannerConfig::parse("/dev/ttyACM0@115200,8N1,suffix=crlf,max=64,country=de").unwrap();
    assert_eq!(config.serial.path, "/dev/ttyACM0");
    assert_eq!(config.serial.baud, 115_200);
    assert_eq!(config.suffix, comptoir_scanner::Suffix::CrLf);
    assert_eq!(config.max_line, 64);
    assert_eq!(config.country.as_deref(), Some("DE"));
    assert!(ScannerConfig::parse("/dev/ttyACM0,suffix=tab").is_err());
    assert!(ScannerConfig::parse("/dev/ttyACM0,max=2").is_err());
    assert!(ScannerConfig::parse("/dev/ttyACM0,country=DEU").is_err());
    assert!(ScannerConfig::parse("COM3").is_err());
}

#[test]
fn scans_arrive_as_data_events_with_their_meaning() {
    let (device, mut wire, _port) = scanner(",country=DE");
    assert_eq!(device.kind(), DeviceKind::Scanner);
    wire.write_all(b"]E04006381333931\r\n]E02811111068708\rMTL01-000042\n").unwrap();
    let first = next_scan(&device);
    assert_eq!(first.aim.unwrap().to_string(), "]E0");
    assert!(
        matches!(first.scanned, Scanned::Item { ref gtin, .. } if gtin.as_str() == "04006381333931")
    );
    let Scanned::Embedded(label) = next_scan(&device).scanned else { panic!() };
    assert_eq!(label.value, EmbeddedValue::Weight { kg: Decimal::new(6870, 3) });
    assert_eq!(next_scan(&device).scanned, Scanned::Receipt("MTL01-000042".into()));
    assert_eq!(device.state(), DeviceState::Idle);
}

#[test]
fn garbage_and_bad_codes_are_error_events_and_the_next_scan_still_reads() {
    let (device, mut wire, _port) = scanner(",suffix=cr");
    wire.write_all(b"\xff\x00\x13\xfe\r4006381333932\r4006381333931\r").unwrap();
    let garbage = next_error(&device);
    assert_eq!(garbage.code(), "scan_garbage");
    assert!(garbage.message.contains("scan again"), "{}", garbage.message);
    assert_eq!(next_error(&device).code(), "scan_check_digit");
    assert!(matches!(next_scan(&device).scanned, Scanned::Item { .. }));
    // Errors in the data are no hardware fault.
    assert_eq!(device.state(), DeviceState::Idle);
}

#[test]
fn an_overlong_line_is_dropped_with_an_error() {
    let (device, mut wire, _port) = scanner(",max=32");
    let mut junk = vec![b'9'; 5000];
    junk.extend_from_slice(b"\r96385074\r");
    wire.write_all(&junk).unwrap();
    let error = next_error(&device);
    assert_eq!(error.code(), "scan_too_long");
    assert!(
        matches!(next_scan(&device).scanned, Scanned::Item { ref gtin, .. } if gtin.as_str() == "00000096385074")
    );
}

#[test]
fn half_a_scan_is_dropped_after_a_pause() {
    let (device, mut wire, _port) = scanner(",suffix=cr");
    wire.write_all(b"400638").unwrap();
    let error = next_error(&device);
    assert_eq!(error.code(), "scan_incomplete");
    assert!(error.message.contains("suffix to CR"), "{}", error.message);
    // What was dropped does not stick to the next scan.
    std::thread::sleep(HALF_LINE_TIMEOUT / 5);
    wire.write_all(b"4006381333931\r").unwrap();
    assert!(matches!(next_scan(&device).scanned, Scanned::Item { .. }));
}

#[test]
fn a_disabled_scanner_reports_nothing_and_clear_input_drops_a_partial_line() {
    let (device, mut wire, _port) = scanner("");
    device.disable(WAIT).unwrap();
    wire.write_all(b"4006381333931\r").unwrap();
    assert!(next_event(&device, Duration::from_millis(300)).is_none());
    device.enable(WAIT).unwrap();
    wire.write_all(b"4006381").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    device.call(ScannerRequest::ClearInput, WAIT).unwrap();
    wire.write_all(b"96385074\r").unwrap();
    assert!(
        matches!(next_scan(&device).scanned, Scanned::Item { ref gtin, .. } if gtin.as_str() == "00000096385074")
    );
}

#[test]
fn an_unplugged_scanner_is_an_error_state_not_a_crash() {
    let (device, wire, port) = scanner("");
    assert!(device.health(WAIT).unwrap().ok);
    // Both ends of the pty gone: the driver's reads fail as an unplugged USB adapter's do.
    drop(wire);
    drop(port);
    let error = next_error(&device);
    assert!(error.kind.is_hardware(), "{error}");
    let deadline = std::time::Instant::now() + WAIT;
    while device.state() != DeviceState::Error && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(device.state(), DeviceState::Error);
    // It keeps looking for the port, about once a second, without flooding events.
    let mut errors = 0;
    let until = std::time::Instant::now() + Duration::from_millis(1500);
    while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
        match device.events().recv_timeout(left) {
            Ok(DeviceEvent::Error(_)) => errors += 1,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!((1..=3).contains(&errors), "{errors} errors in 1.5 s");
    device.close();
}

#[test]
fn a_port_that_does_not_exist_cannot_be_claimed() {
    let config = ScannerConfig::parse("/dev/ttyCOMPTOIR-NONE").unwrap();
    let device = Device::open(SerialScanner::new(config, &InStoreRules::builtin()));
    let error = device.claim(WAIT).unwrap_err();
    assert!(error.message.contains("scanner"), "{error}");
    assert!(!device.claimed());
    assert!(matches!(next_event(&device, Duration::from_millis(50)), None | Some(Seen::Error(_))));
}

#[test]
fn a_scan_made_before_the_register_listened_is_not_rung() {
    let (mut wire, port) = pty_pair().unwrap();
    wire.write_all(b"4006381333931\r").unwrap();
    let config = ScannerConfig::parse(&port.name().unwrap()).unwrap();
    let device = Device::open(SerialScanner::new(config, &InStoreRules::builtin()));
    device.claim(WAIT).unwrap();
    device.enable(WAIT).unwrap();
    assert!(next_event(&device, Duration::from_millis(300)).is_none());
    wire.write_all(b"96385074\r").unwrap();
    assert!(
        matches!(next_scan(&device).scanned, Scanned::Item { ref gtin, .. } if gtin.as_str() == "00000096385074")
    );
    drop(port);
}
