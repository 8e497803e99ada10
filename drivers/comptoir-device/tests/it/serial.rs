//! Serial settings as IT types them, and a real pseudo-terminal pair.

use std::io::{Read, Write};
use std::time::Duration;

use comptoir_device::ErrorCode;
use comptoir_device::serial::{Flow, SerialParity, SerialSettings, pty_pair};

#[test]
fn settings_read_path_speed_framing_and_flow() {
    let s = SerialSettings::parse("/dev/ttyS0@19200,7E1,xonxoff").unwrap();
    assert_eq!(
        (s.path.as_str(), s.baud, s.data_bits, s.parity, s.stop_bits, s.flow),
        ("/dev/ttyS0", 19200, 7, SerialParity::Even, 1, Flow::Software)
    );
    assert_eq!(s.to_string(), "/dev/ttyS0@19200,7E1,xonxoff");
    let plain = SerialSettings::parse(" /dev/ttyUSB0 ").unwrap();
    assert_eq!(plain.to_string(), "/dev/ttyUSB0@9600,8N1");
    let printer = SerialSettings::parse("/dev/ttyUSB1@38400,8N1,rtscts").unwrap();
    assert_eq!(printer.flow, Flow::Hardware);
}

#[test]
fn bad_settings_say_what_a_setting_looks_like() {
    for (text, says) in [
        ("COM3", "a /dev path"),
        ("/dev/../etc/passwd", "a /dev path"),
        ("/dev/ttyS0@fast", "no baud rate"),
        ("/dev/ttyS0@0", "no baud rate"),
        ("/dev/ttyS0,9N1", "framing"),
        ("/dev/ttyS0,8X1", "framing"),
        ("/dev/ttyS0,rts", "framing"),
    ] {
        let error = SerialSettings::parse(text).unwrap_err();
        assert!(error.contains(says), "{text}: {error}");
    }
}

#[test]
fn a_missing_port_is_no_hardware_or_not_found() {
    let settings = SerialSettings::parse("/dev/ttyComptoirMissing0").unwrap();
    let Err(error) = settings.open("the scanner", Duration::from_millis(50)) else {
        panic!("a missing port opened")
    };
    assert!(matches!(error.kind, ErrorCode::NoHardware | ErrorCode::NoExist), "{error}");
    assert!(error.message.contains("/dev/ttyComptoirMissing0"), "{error}");
}

#[test]
fn a_pty_pair_carries_bytes_both_ways_and_its_path_opens() {
    let (mut near, far) = pty_pair().unwrap();
    let path = serialport::SerialPort::name(&far).unwrap();
    drop(far);
    let mut device = SerialSettings::parse(&path)
        .unwrap()
        .open("the scanner", Duration::from_millis(500))
        .unwrap();
    near.write_all(b"]E00019061093791\r").unwrap();
    let mut got = [0u8; 17];
    device.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"]E00019061093791\r");
    device.write_all(b"S\r\n").unwrap();
    let mut back = [0u8; 3];
    near.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"S\r\n");
}
