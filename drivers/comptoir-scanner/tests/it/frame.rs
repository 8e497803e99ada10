//! Cutting a serial scanner's bytes into scans.

use comptoir_scanner::Suffix;
use comptoir_scanner::frame::{Frame, LineReader};

fn line(s: &str) -> Frame {
    Frame::Line(s.as_bytes().to_vec())
}

#[test]
fn any_ending_cuts_at_cr_lf_and_crlf() {
    let mut r = LineReader::new(Suffix::Any, 256);
    assert_eq!(r.push(b"123\r456\n789\r\n\r\n"), [line("123"), line("456"), line("789")]);
    assert!(!r.has_partial());
}

#[test]
fn a_scan_split_across_reads_is_one_line() {
    let mut r = LineReader::new(Suffix::Cr, 256);
    assert_eq!(r.push(b"40063"), []);
    assert!(r.has_partial());
    assert_eq!(r.push(b"81333931\r4"), [line("4006381333931")]);
    assert_eq!(r.clear(), 1);
}

#[test]
fn strict_endings_keep_the_other_byte_in_the_line() {
    let mut r = LineReader::new(Suffix::CrLf, 256);
    assert_eq!(r.push(b"12\r34\r\n"), [line("12\r34")]);
    let mut r = LineReader::new(Suffix::Lf, 256);
    assert_eq!(r.push(b"12\r\n"), [line("12\r")]);
}

#[test]
fn an_overlong_line_is_dropped_and_the_next_one_read() {
    let mut r = LineReader::new(Suffix::Cr, 8);
    assert_eq!(r.push(b"12345678\r"), [line("12345678")]);
    assert_eq!(r.push(&[b'x'; 10_000]), []);
    assert_eq!(r.push(b"\r12\r"), [Frame::TooLong(10_000), line("12")]);
    let mut r = LineReader::new(Suffix::CrLf, 4);
    assert_eq!(r.push(b"1234\r\n12345\r\n"), [line("1234"), Frame::TooLong(6)]);
}
