//! DLE EOT requests and the parser of the printer's one-byte replies, against Epson's bit tables.

use comptoir_printer::sim::ScriptedStatus;
use comptoir_printer::{Paper, PrintError, PrinterStatus, StatusKind, status_request};

fn parse(printer: u8, cause: u8, paper: u8) -> PrinterStatus {
    PrinterStatus::from_replies(printer, cause, paper).unwrap()
}

#[test]
fn requests_are_three_bytes() {
    assert_eq!(status_request(StatusKind::Printer), [0x10, 0x04, 0x01]);
    assert_eq!(status_request(StatusKind::OfflineCause), [0x10, 0x04, 0x02]);
    assert_eq!(status_request(StatusKind::PaperSensor), [0x10, 0x04, 0x04]);
}

#[test]
fn idle_printer_replies_0x12_three_times() {
    assert_eq!(parse(0x12, 0x12, 0x12), PrinterStatus::OK);
}

#[test]
fn reply_bits_follow_the_epson_tables() {
    // n=1: bit 2 drawer sensor, bit 3 offline.
    assert!(parse(0x16, 0x12, 0x12).drawer_sensor_high);
    assert!(!parse(0x1A, 0x12, 0x12).online);
    // n=2: bit 2 cover open, bit 5 stopped at paper end, bit 6 error.
    assert!(parse(0x1A, 0x16, 0x12).cover_open);
    assert_eq!(parse(0x1A, 0x32, 0x12).paper, Paper::Out);
    assert!(parse(0x1A, 0x52, 0x12).error);
    // The paper-feed button (bit 3) is no error by itself.
    assert_eq!(parse(0x12, 0x1A, 0x12), PrinterStatus::OK);
    // n=4: bits 2-3 near end, bits 5-6 paper end.
    assert_eq!(parse(0x12, 0x12, 0x1E).paper, Paper::NearEnd);
    assert_eq!(parse(0x1A, 0x12, 0x72).paper, Paper::Out);
    assert_eq!(parse(0x1A, 0x32, 0x7E).paper, Paper::Out);
}

#[test]
fn a_byte_without_the_fixed_bits_is_refused() {
    for byte in [0x00, 0x92, 0x13, 0x10, 0xFF] {
        let err = PrinterStatus::from_replies(byte, 0x12, 0x12).unwrap_err();
        assert!(matches!(err, PrintError::BadStatusReply { request: 1, .. }), "{byte:#04x}");
        assert_eq!(err.code(), "printer_io");
    }
}

#[test]
fn ready_says_what_the_cashier_must_fix() {
    let out = ScriptedStatus::PaperOut.status().ready().unwrap_err();
    assert_eq!(out.code(), "printer_out_of_paper");
    assert_eq!(out.cashier_message(), "printer out of paper: load a roll, then Reprint");
    assert_eq!(
        ScriptedStatus::CoverOpen.status().ready().unwrap_err().code(),
        "printer_cover_open"
    );
    assert_eq!(ScriptedStatus::Offline.status().ready().unwrap_err().code(), "printer_offline");
    assert!(ScriptedStatus::NearEnd.status().ready().is_ok(), "near end still prints");
}

#[test]
fn simulated_replies_parse_back_to_the_scripted_state() {
    for scripted in [
        ScriptedStatus::Ok,
        ScriptedStatus::PaperOut,
        ScriptedStatus::NearEnd,
        ScriptedStatus::CoverOpen,
        ScriptedStatus::Offline,
    ] {
        let s = scripted.status();
        let parsed = parse(
            s.reply(StatusKind::Printer),
            s.reply(StatusKind::OfflineCause),
            s.reply(StatusKind::PaperSensor),
        );
        assert_eq!(parsed.paper, s.paper, "{scripted:?}");
        assert_eq!(parsed.cover_open, s.cover_open, "{scripted:?}");
        assert_eq!(parsed.ready().is_ok(), s.ready().is_ok(), "{scripted:?}");
    }
    // A paper-out printer answers like an Epson: offline, stopped at paper end, sensor empty.
    let out = ScriptedStatus::PaperOut.status();
    assert_eq!(
        [StatusKind::Printer, StatusKind::OfflineCause, StatusKind::PaperSensor]
            .map(|k| out.reply(k)),
        [0x1A, 0x32, 0x7E]
    );
}

// Automatic Status Back. The bytes below are written from the bit tables of `GS a` in the
// Epson ESC/POS reference (TM-U220 and TM-L90 manuals, "Enable/disable Automatic Status
// Back"): first byte 0xx1xx00 (bit 2 drawer pin 3 high, 3 offline, 5 cover open, 6 feeding),
// second 0xx0xxxx (bit 0 waiting for recovery, 1 feed button, 3 cutter, 5 unrecoverable,
// 6 auto-recoverable), third 0xx0xxxx (bits 0-1 near end, 2-3 paper end), fourth 0xx0xxxx.

use comptoir_printer::{
    AsbStatus, StatusMessage, StatusParseError, StatusReader, auto_status_back, parse_asb,
};

#[test]
fn gs_a_turns_status_back_on_for_every_event() {
    assert_eq!(auto_status_back(comptoir_printer::ASB_ALL), [0x1D, 0x61, 0x0F]);
    assert_eq!(auto_status_back(0), [0x1D, 0x61, 0x00]);
}

#[test]
fn an_idle_printer_sends_10_00_00_00() {
    let idle = parse_asb(&[0x10, 0x00, 0x00, 0x00]).unwrap();
    assert_eq!(idle, AsbStatus::default());
    assert_eq!(idle.printer_status(), PrinterStatus::OK);
}

#[test]
fn asb_bits_follow_the_epson_tables() {
    let drawer = parse_asb(&[0x14, 0, 0, 0]).unwrap();
    assert!(drawer.drawer_sensor_high && drawer.printer_status().drawer_sensor_high);
    // Cover open: offline and cover bits.
    let cover = parse_asb(&[0x38, 0, 0, 0]).unwrap();
    assert!(cover.cover_open && cover.offline);
    assert_eq!(cover.printer_status().ready().unwrap_err().code(), "printer_cover_open");
    // Paper out: offline, near-end and end sensors.
    let out = parse_asb(&[0x18, 0x00, 0x0F, 0x00]).unwrap();
    assert!(out.paper_end && out.paper_near_end);
    assert_eq!(out.printer_status().paper, Paper::Out);
    assert_eq!(out.printer_status().ready().unwrap_err().code(), "printer_out_of_paper");
    // Near end only: still online, still prints.
    let near = parse_asb(&[0x10, 0x00, 0x03, 0x00]).unwrap();
    assert_eq!(near.printer_status().paper, Paper::NearEnd);
    assert!(near.printer_status().ready().is_ok());
    // One sensor bit of a pair is enough (some clones set only one).
    assert_eq!(parse_asb(&[0x10, 0, 0x04, 0]).unwrap().printer_status().paper, Paper::Out);
    // Second byte: the errors, each its own bit.
    let cutter = parse_asb(&[0x18, 0x08, 0x00, 0x00]).unwrap();
    assert!(cutter.cutter_error && !cutter.unrecoverable_error);
    assert_eq!(cutter.printer_status().ready().unwrap_err().code(), "printer_error");
    assert!(parse_asb(&[0x18, 0x20, 0, 0]).unwrap().unrecoverable_error);
    assert!(parse_asb(&[0x18, 0x40, 0, 0]).unwrap().auto_recoverable_error);
    let button = parse_asb(&[0x50, 0x03, 0, 0]).unwrap();
    assert!(button.feeding && button.feed_button && button.waiting_recovery);
    assert_eq!(button.printer_status(), PrinterStatus::OK, "feeding is no fault");
}

#[test]
fn bad_asb_bytes_are_typed_errors() {
    use StatusParseError::*;
    assert_eq!(parse_asb(&[]), Err(Incomplete { got: 0, expected: 4 }));
    assert_eq!(parse_asb(&[0x10, 0, 0]), Err(Incomplete { got: 3, expected: 4 }));
    assert_eq!(parse_asb(&[0x10, 0, 0, 0, 0]), Err(Oversize { got: 5, expected: 4 }));
    // A DLE EOT reply byte (bit 1 set) is no ASB first byte; neither is one without bit 4.
    assert_eq!(parse_asb(&[0x12, 0, 0, 0]), Err(FixedBits { index: 0, byte: 0x12 }));
    assert_eq!(parse_asb(&[0x00, 0, 0, 0]), Err(FixedBits { index: 0, byte: 0x00 }));
    assert_eq!(parse_asb(&[0x90, 0, 0, 0]), Err(FixedBits { index: 0, byte: 0x90 }));
    assert_eq!(parse_asb(&[0x10, 0x10, 0, 0]), Err(FixedBits { index: 1, byte: 0x10 }));
    assert_eq!(parse_asb(&[0x10, 0, 0x80, 0]), Err(FixedBits { index: 2, byte: 0x80 }));
    assert_eq!(parse_asb(&[0x10, 0, 0, 0xFF]), Err(FixedBits { index: 3, byte: 0xFF }));
}

#[test]
fn every_asb_message_of_four_bytes_parses_or_is_refused_without_panic() {
    for first in 0..=255u8 {
        for rest in [0x00, 0x0F, 0x10, 0x6F, 0x80, 0xFF] {
            let result = parse_asb(&[first, rest, rest, rest]);
            assert_eq!(result.is_ok(), first & 0x93 == 0x10 && rest & 0x90 == 0, "{first:#04x}");
        }
    }
}

#[test]
fn the_reader_splits_replies_from_status_back_on_one_link() {
    let mut reader = StatusReader::new();
    // A DLE EOT reply, then an ASB message arriving in two reads, then another reply.
    let first = reader.push(&[0x12, 0x38, 0x00]);
    assert_eq!(first, [Ok(StatusMessage::Reply(0x12))]);
    assert_eq!(reader.pending(), 2);
    let second = reader.push(&[0x00, 0x00, 0x16]);
    let cover = parse_asb(&[0x38, 0, 0, 0]).unwrap();
    assert_eq!(second, [Ok(StatusMessage::Asb(cover)), Ok(StatusMessage::Reply(0x16))]);
    assert_eq!(reader.pending(), 0);
}

#[test]
fn the_reader_survives_garbage_and_cut_messages() {
    let mut reader = StatusReader::new();
    // Garbage byte, an ASB cut after two bytes by a reply byte, then a whole ASB message.
    let out = reader.push(&[0xFF, 0x10, 0x00, 0x12, 0x10, 0x00, 0x03, 0x00]);
    assert_eq!(
        out,
        [
            Err(StatusParseError::FixedBits { index: 0, byte: 0xFF }),
            Err(StatusParseError::Incomplete { got: 2, expected: 4 }),
            Ok(StatusMessage::Reply(0x12)),
            Ok(StatusMessage::Asb(parse_asb(&[0x10, 0, 3, 0]).unwrap())),
        ]
    );
    // A long run of noise never grows the reader's buffer past one message.
    let noise: Vec<u8> =
        (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let _ = reader.push(&noise);
    assert!(reader.pending() < 4);
}

#[test]
fn simulated_asb_parses_back_to_the_scripted_state() {
    for scripted in [
        ScriptedStatus::Ok,
        ScriptedStatus::PaperOut,
        ScriptedStatus::NearEnd,
        ScriptedStatus::CoverOpen,
        ScriptedStatus::Offline,
    ] {
        let s = scripted.status();
        let parsed = parse_asb(&s.asb()).unwrap().printer_status();
        assert_eq!(parsed.paper, s.paper, "{scripted:?}");
        assert_eq!(parsed.cover_open, s.cover_open, "{scripted:?}");
        assert_eq!(parsed.ready().is_ok(), s.ready().is_ok(), "{scripted:?}");
    }
}
