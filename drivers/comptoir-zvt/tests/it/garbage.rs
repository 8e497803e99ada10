//! Bad bytes from the terminal: garbage, half messages and oversize input end in a typed
//! error, never a panic.

use comptoir_zvt::apdu::parse_apdu;
use comptoir_zvt::frame::{encode_frame, parse_frame, split_frame};
use comptoir_zvt::tlv::parse_tlv_container;
use comptoir_zvt::{ParseError, parse_bmps, parse_message, parse_tlv};

use crate::support::hex;

/// Messages from the published sources the protocol tests cite.
fn vectors() -> Vec<Vec<u8>> {
    [
        "04 0F 1E 27 6C 29 28 00 48 69 3C F0 F1 F9 41 62 62 72 75 63 68 20 64 75 72 63 68 20 4B 75 6E 64 65",
        "04-0F-25-27-05-29-29-00-02-74-3C-F0-F0-F9-41-62-67-65-6C-65-68-6E-74-8A-06-06-0D-24-0B-07-09-41-62-67-65-6C-65-68-6E-74",
        "04 FF 1E 0A 01 06 1A 24 18 07 16 42 69 74 74 65 20 4B 61 72 74 65 20 65 69 6E 73 74 65 63 6B 65 6E",
        "06-D1-19-40-2A-2A-20-48-C4-4E-44-4C-45-52-42-45-4C-45-47-20-2A-2A-06-04-1F-07-01-01",
        "06 0F 0B F0 F0 F7 32 2E 31 34 2E 31 35 00",
        "06 0F 11 19 00 29 52 00 12 33 49 09 78 06 05 27 03 14 01 FF",
        "06501712345606123f210c60065501aa0501bb1002abba110177",
    ]
    .iter()
    .map(|v| hex(v))
    .collect()
}

/// A small deterministic generator, so a failure is reproducible.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

fn feed_all(bytes: &[u8]) {
    let _ = parse_message(bytes);
    let _ = parse_apdu(bytes);
    let _ = parse_frame(bytes);
    let _ = split_frame(bytes);
    let _ = parse_tlv(bytes);
    let _ = parse_tlv_container(bytes);
    let _ = parse_bmps(bytes);
}

#[test]
fn every_cut_off_message_is_an_error() {
    for vector in vectors() {
        for end in 0..vector.len() {
            assert!(parse_message(&vector[..end]).is_err(), "{end} of {vector:02X?}");
            feed_all(&vector[..end]);
            let frame = encode_frame(&vector);
            assert!(parse_frame(&frame[..frame.len() * end / vector.len()]).is_err());
        }
    }
}

#[test]
fn flipped_bytes_and_random_garbage_never_panic() {
    let mut random = XorShift(0x5EED_CAFE);
    for vector in vectors() {
        for _ in 0..2000 {
            let mut bytes = vector.clone();
            let at = usize::from(random.next()) % bytes.len();
            bytes[at] = random.next();
            feed_all(&bytes);
            let frame = encode_frame(&bytes);
            feed_all(&frame);
        }
    }
    for len in 0..300 {
        let bytes: Vec<u8> = (0..len).map(|_| random.next()).collect();
        feed_all(&bytes);
        let mut framed = vec![0x10, 0x02];
        framed.extend(&bytes);
        feed_all(&framed);
    }
}

#[test]
fn trailing_bytes_and_lying_lengths_are_refused() {
    assert_eq!(parse_message(&hex("80 00 00 00")), Err(ParseError::Trailing));
    assert_eq!(parse_message(&hex("04 0F 02 27")), Err(ParseError::Truncated));
    // A BMP 22 whose LLVAR says 99 bytes, with two there.
    assert_eq!(parse_bmps(&hex("22 F9 F9 41 11")), Err(ParseError::Truncated));
    // An LLVAR length that is no F-digit pair.
    assert_eq!(parse_bmps(&hex("22 A0 01 41")), Err(ParseError::BadLength));
    assert_eq!(parse_bmps(&hex("FE 00")), Err(ParseError::UnknownBmp(0xFE)));
    // A BER length form ZVT does not use.
    assert_eq!(parse_tlv(&hex("07 83 00 00 01 41")), Err(ParseError::BadLength));
    // A tag that never ends.
    assert_eq!(parse_tlv(&hex("1F 81 82 83 84 01 00")), Err(ParseError::BadTlv));
    // Amounts that are not BCD.
    assert_eq!(parse_bmps(&hex("04 00 00 00 00 00 1A")), Err(ParseError::BadBcd));
}

#[test]
fn deep_nesting_is_refused() {
    // Constructed tag 2F holding itself twenty times.
    let mut bytes = hex("07 01 41");
    for _ in 0..20 {
        let mut outer = vec![0x2F, bytes.len() as u8];
        outer.extend(bytes);
        bytes = outer;
    }
    assert_eq!(parse_tlv(&bytes), Err(ParseError::BadTlv));
}

#[test]
fn an_oversize_frame_is_refused_before_it_ends() {
    let mut bytes = vec![0x10, 0x02];
    bytes.extend(std::iter::repeat_n(0x41, 70_000));
    assert_eq!(split_frame(&bytes), Err(ParseError::Oversize));
    // A DLE followed by anything but DLE or ETX is no frame.
    assert_eq!(split_frame(&hex("10 02 80 10 41")), Err(ParseError::BadFrame));
    assert_eq!(split_frame(&hex("41 10 02")), Err(ParseError::BadFrame));
}
