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
