//! What a receipt printer sends back: `parse_asb`, `parse_status_reply`,
//! `PrinterStatus::from_replies` and the `StatusReader` that splits both on one link.
//! Invariants: the reader gives the same messages whatever the cut and never holds more than
//! three bytes; a status built from `DLE EOT` replies, sent as ASB (as the simulator does),
//! parses back to the same cover, paper, drawer and error.
#![no_main]

use comptoir_printer::{PrinterStatus, StatusReader, parse_asb, parse_status_reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else { return };
    let _ = parse_asb(bytes);
    for &byte in bytes.iter().take(8) {
        let _ = parse_status_reply(byte);
    }
    if let [printer, cause, paper, ..] = *bytes
        && let Ok(status) = PrinterStatus::from_replies(printer, cause, paper)
    {
        let back = parse_asb(&status.asb()).expect("an ASB message from a status").printer_status();
        assert_eq!(
            (back.cover_open, back.paper, back.drawer_sensor_high, back.error),
            (status.cover_open, status.paper, status.drawer_sensor_high, status.error)
        );
        let _ = status.ready();
    }
    let mut whole = StatusReader::new();
    let messages = whole.push(bytes);
    assert!(whole.pending() < 4);
    let at = usize::from(cut).min(bytes.len());
    let mut pieces = StatusReader::new();
    let mut cut_messages = pieces.push(&bytes[..at]);
    cut_messages.extend(pieces.push(&bytes[at..]));
    assert_eq!(messages, cut_messages, "cut at {at}");
    assert_eq!(whole.pending(), pieces.pending());
});
