//! The serial framing over a real pseudo-terminal pair: `ACK` for a good frame, `NAK` for a
//! bad one and the frame again, three tries before the sender gives up, line noise skipped.

use std::io::Write;
use std::time::{Duration, Instant};

use comptoir_device::serial::pty_pair;
use comptoir_zvt::{Link, LinkError, SerialLink};
use serialport::SerialPort;

use crate::support::hex;

/// The ecrterm test frame of a terminal's status enquiry completion (CRC included).
const FRAME: &str = "10 02 06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00 10 03 B1 11";
const APDU: &str = "06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00";

fn read_n(port: &mut dyn SerialPort, n: usize) -> Vec<u8> {
    port.set_timeout(Duration::from_millis(50)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut got = Vec::new();
    while got.len() < n && Instant::now() < deadline {
        let mut byte = [0u8; 64];
        if let Ok(read) = port.read(&mut byte[..n - got.len()]) {
            got.extend(&byte[..read]);
        }
    }
    got
}

#[test]
fn a_bad_frame_is_refused_then_the_good_one_is_acknowledged() {
    let (mut near, far) = pty_pair().unwrap();
    // The receiver hands its link back, so the far end stays open until the test has read
    // the last byte (a pseudo-terminal drops what its closed end wrote last).
    let receiver = std::thread::spawn(move || {
        let mut link = SerialLink::new(Box::new(far));
        (link.recv(Duration::from_secs(5)), link)
    });
    let mut broken = hex(FRAME);
    *broken.last_mut().unwrap() ^= 0xFF;
    // Line noise first: it is skipped.
    near.write_all(&[0x41, 0x06]).unwrap();
    near.write_all(&broken).unwrap();
    assert_eq!(read_n(&mut near, 1), vec![0x15], "NAK for the bad CRC");
    near.write_all(&hex(FRAME)).unwrap();
    assert_eq!(read_n(&mut near, 1), vec![0x06], "ACK for the good frame");
    assert_eq!(receiver.join().unwrap().0.unwrap(), hex(APDU));
}

#[test]
fn a_refused_frame_is_sent_again() {
    let (mut near, far) = pty_pair().unwrap();
    let sender = std::thread::spawn(move || {
        let mut link = SerialLink::new(Box::new(far));
        link.send(&hex(APDU))
    });
    let frame = hex(FRAME);
    assert_eq!(read_n(&mut near, frame.len()), frame, "the frame a real terminal sends");
    near.write_all(&[0x15]).unwrap();
    assert_eq!(read_n(&mut near, frame.len()), frame, "sent again after NAK");
    near.write_all(&[0x06]).unwrap();
    sender.join().unwrap().unwrap();
}

#[test]
fn a_silent_line_gives_up_after_three_tries() {
    let (mut near, far) = pty_pair().unwrap();
    let sender = std::thread::spawn(move || {
        let mut link = SerialLink::new(Box::new(far));
        link.send(&hex(APDU))
    });
    let frame = hex(FRAME);
    for _ in 0..3 {
        assert_eq!(read_n(&mut near, frame.len()), frame);
    }
    assert!(matches!(sender.join().unwrap(), Err(LinkError::Refused(3))));
}

#[test]
fn three_bad_frames_in_a_row_are_garbled() {
    let (mut near, far) = pty_pair().unwrap();
    // The receiver hands its link back, so the far end stays open until the test has read
    // the last byte (a pseudo-terminal drops what its closed end wrote last).
    let receiver = std::thread::spawn(move || {
        let mut link = SerialLink::new(Box::new(far));
        (link.recv(Duration::from_secs(5)), link)
    });
    let mut broken = hex(FRAME);
    *broken.last_mut().unwrap() ^= 0xFF;
    for _ in 0..3 {
        near.write_all(&broken).unwrap();
        assert_eq!(read_n(&mut near, 1), vec![0x15]);
    }
    assert!(matches!(receiver.join().unwrap().0, Err(LinkError::Garbled(_))));
}
