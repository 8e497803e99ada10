//! Hand-written byte sequences, one test per command family, checked against snapshots.

use comptoir_escpos_decoder::{Command, DecodeError, Symbology, decode, render};
use expect_test::{Expect, expect};

/// Decodes `bytes` and writes one command a line, or the error with its message.
fn check(bytes: &[u8], expected: Expect) {
    let actual = match decode(bytes) {
        Ok(commands) => commands.iter().map(|c| format!("{c:?}\n")).collect::<String>(),
        Err(error) => format!("error: {error}\n{error:?}\n"),
    };
    expected.assert_eq(&actual);
}

fn error_of(bytes: &[u8]) -> DecodeError {
    decode(bytes).expect_err("the bytes must be refused")
}

#[test]
fn drawer_kick_is_five_bytes_with_times_in_two_ms_steps() {
    check(
        b"\x1b\x70\x00\x19\xfa\x1b\x70\x31\x32\x32",
        expect![[r#"
            DrawerKick { pin: 2, on_ms: 50, off_ms: 500 }
            DrawerKick { pin: 5, on_ms: 100, off_ms: 100 }
        "#]],
    );
}

#[test]
fn drawer_kick_without_times_is_truncated() {
    // What the escpos crate's cash_drawer() sends: the printer would eat two more bytes.
    let error = error_of(b"Total\n\x1b\x70\x00");
    assert_eq!(error.offset(), 6);
    assert_eq!(error.bytes(), [0x1b, 0x70, 0x00]);
    assert!(matches!(error, DecodeError::Truncated { needed: 2, .. }), "{error:?}");
}

#[test]
fn real_time_pulse_and_status_requests() {
    check(
        b"\x10\x14\x01\x00\x03\x10\x04\x01\x10\x04\x04\x1d\x61\x0f\x1d\x72\x31",
        expect![[r#"
            RealTimePulse { pin: 2, pulse_ms: 300 }
            StatusRequest(1)
            StatusRequest(4)
            AutoStatusBack(15)
            TransmitStatus(1)
        "#]],
    );
}

#[test]
fn status_request_with_a_stray_nul_is_refused() {
    // The escpos crate's real_time_status() appends a NUL that lands in the print stream.
    let error = error_of(b"\x10\x04\x01\x00");
    assert_eq!((error.offset(), error.bytes()), (3, vec![0x00]));
}

#[test]
fn cuts_with_and_without_feed() {
    check(
        b"\x1d\x56\x42\x00\x1d\x56\x41\x00\x1d\x56\x01\x1d\x56\x30\x1d\x56\x42\x03",
        expect![[r#"
            Cut { partial: true, feed: Some(0) }
            Cut { partial: false, feed: Some(0) }
            Cut { partial: true, feed: None }
            Cut { partial: false, feed: None }
            Cut { partial: true, feed: Some(3) }
        "#]],
    );
}

#[test]
fn code128_keeps_code_set_prefixes_and_reads_set_c_as_digits() {
    let bytes = b"\x1d\x6b\x49\x08{C\x0c\x22\x38{B7";
    let commands = decode(bytes).expect("decodes");
    let [Command::Barcode(barcode)] = commands.as_slice() else {
        panic!("one barcode expected: {commands:?}");
    };
    assert_eq!(barcode.symbology, Symbology::Code128);
    assert_eq!(barcode.data, b"{C\x0c\x22\x38{B7");
    assert_eq!(barcode.human_readable(), "1234567");
}

#[test]
fn code128_without_code_set_is_refused() {
    let error = error_of(b"\x1d\x6b\x49\x04\x31\x32\x33\x34");
    assert!(matches!(error, DecodeError::InvalidParameter { offset: 0, .. }), "{error:?}");
}

#[test]
fn barcode_functions_a_and_b_and_their_settings() {
    check(
        b"\x1d\x68\x50\x1d\x77\x02\x1d\x48\x32\x1d\x66\x01\x1d\x6b\x04ABC\x00\x1d\x6b\x43\x0c012345678901",
        expect![[r#"
            BarcodeHeight(80)
            BarcodeWidth(2)
            HriPosition(Below)
            HriFont(1)
            Barcode(Barcode { symbology: Code39, data: [65, 66, 67] })
            Barcode(Barcode { symbology: Ean13, data: [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 48, 49] })
        "#]],
    );
}

#[test]
fn qr_code_settings_store_and_print() {
    let bytes = b"\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x06\x1d(k\x03\x001E1\
                  \x1d(k\x0a\x001P0Sale 42\x1d(k\x03\x001Q0";
    check(
        bytes,
        expect![[r#"
            Symbol(Symbol { kind: Qr, function: QrModel(2) })
            Symbol(Symbol { kind: Qr, function: ModuleSize(6) })
            Symbol(Symbol { kind: Qr, function: QrErrorCorrection(M) })
            Symbol(Symbol { kind: Qr, function: Store([83, 97, 108, 101, 32, 52, 50]) })
            Symbol(Symbol { kind: Qr, function: Print })
        "#]],
    );
    let preview = render(bytes).expect("renders");
    expect![[r#"
        [
            QrCode {
                model: 2,
                module_size: 6,
                error_correction: M,
                data: [
                    83,
                    97,
                    108,
                    101,
                    32,
                    52,
                    50,
                ],
            },
        ]
    "#]]
    .assert_debug_eq(&preview.qr_codes);
    assert_eq!(preview.text(), "[QR: Sale 42]");
}

#[test]
fn qr_code_out_of_range_is_refused() {
    let error = error_of(b"\x1d(k\x03\x001C\x11");
    assert!(matches!(error, DecodeError::InvalidParameter { offset: 0, .. }), "{error:?}");
}

#[test]
fn pdf417_settings_store_and_print() {
    check(
        b"\x1d(k\x03\x000A\x02\x1d(k\x04\x000E1\x05\x1d(k\x06\x000P0abc\x1d(k\x03\x000Q0",
        expect![[r#"
            Symbol(Symbol { kind: Pdf417, function: Pdf417Columns(2) })
            Symbol(Symbol { kind: Pdf417, function: Pdf417ErrorCorrection { by_ratio: true, value: 5 } })
            Symbol(Symbol { kind: Pdf417, function: Store([97, 98, 99]) })
            Symbol(Symbol { kind: Pdf417, function: Print })
        "#]],
    );
}

#[test]
fn text_style_commands() {
    check(
        b"\x1bE\x01\x1bG\x01\x1b-\x02\x1b!\x38\x1d!\x11\x1dB\x01\x1bM\x01\x1b{\x01\x1bV\x01",
        expect![[r#"
            Emphasis(true)
            DoubleStrike(true)
            Underline(2)
            PrintMode(PrintMode { font_b: false, emphasized: true, double_height: true, double_width: true, underline: false })
            CharSize { width: 2, height: 2 }
            Reverse(true)
            Font(1)
            UpsideDown(true)
            Rotate90(1)
        "#]],
    );
}

#[test]
fn character_size_beyond_eight_is_refused() {
    let error = error_of(b"\x1d!\x88");
    assert!(matches!(error, DecodeError::InvalidParameter { offset: 0, .. }), "{error:?}");
}

#[test]
fn layout_commands() {
    check(
        b"\x1ba\x01\x1ba2\x1b2\x1b3\x40\x1b \x02\x1dL\x10\x00\x1dW\x00\x02\x1b$\x18\x00\x1bD\x04\x0a\x00\x09\x0d\x0a",
        expect![[r#"
            Justify(Center)
            Justify(Right)
            LineSpacing(None)
            LineSpacing(Some(64))
            CharacterSpacing(2)
            LeftMargin(16)
            PrintAreaWidth(512)
            AbsolutePosition(24)
            TabStops([4, 10])
            HorizontalTab
            CarriageReturn
            LineFeed
        "#]],
    );
}

#[test]
fn feeds() {
    check(
        b"\x1bd\x03\x1bJ\x3c\x1be\x01\x1bc5\x01",
        expect![[r#"
            FeedLines(3)
            FeedDots(60)
            ReverseFeedLines(1)
            PanelButtons { enabled: false }
        "#]],
    );
}

#[test]
fn code_tables_and_international_sets_decode_text() {
    check(
        b"\x1bt\x02caf\x82 \x1bt\x10\x80 \x1bt\x13\xd5 \x1bR\x02[\\]\x1bR\x00\x1b@\x82",
        expect![[r#"
            SelectCodeTable(2)
            Text("café ")
            SelectCodeTable(16)
            Text("€ ")
            SelectCodeTable(19)
            Text("€ ")
            InternationalCharset(2)
            Text("ÄÖÜ")
            InternationalCharset(0)
            Init
            Text("é")
        "#]],
    );
}

#[test]
fn unmapped_code_table_is_refused_where_it_matters() {
    let error = error_of(b"\x1bt\x06ok \x80");
    assert_eq!(error, DecodeError::UnsupportedCodeTable { offset: 6, table: 6, byte: 0x80 });
}

#[test]
fn kanji_mode_commands() {
    check(
        b"\x1c&\xb2\xcd\x1c.\x1cC\x01\x1c!\x0c\x1c-\x01\x1cS\x01\x02\x1cW\x01",
        expect![[r#"
            KanjiMode(true)
            Text("餐")
            KanjiMode(false)
            KanjiCodeSystem(1)
            KanjiPrintMode(12)
            KanjiUnderline(1)
            KanjiSpacing { left: 1, right: 2 }
            KanjiQuadruple(true)
        "#]],
    );
}

#[test]
fn malformed_gbk_is_refused() {
    // A lead byte cut off by a line feed.
    let error = error_of(b"\x1c&ok\xb2\n");
    assert!(matches!(error, DecodeError::MalformedText { offset: 2, .. }), "{error:?}");
}

#[test]
fn images() {
    check(
        b"\x1dv0\x00\x01\x00\x02\x00\xf0\x0f\x1b*\x21\x01\x00\x80\x00\x01\x1d(L\x0c\x000p0\x01\x011\x08\x00\x02\x00\xaa\x55\x1d(L\x02\x0002",
        expect![[r#"
            RasterImage(RasterImage { mode: 0, width_bytes: 1, height: 2, data: [240, 15] })
            BitImage(BitImage { mode: 33, width: 1, data: [128, 0, 1] })
            Graphics(Store(GraphicsImage { tone: 48, scale_x: 1, scale_y: 1, color: 49, width: 8, height: 2, column_format: false, data: [170, 85] }))
            Graphics(PrintBuffer)
        "#]],
    );
}

#[test]
fn graphics_with_wrong_data_length_is_refused() {
    let error = error_of(b"\x1d(L\x0b\x000p0\x01\x011\x08\x00\x02\x00\xaa");
    assert!(matches!(error, DecodeError::InvalidParameter { offset: 0, .. }), "{error:?}");
}

#[test]
fn other_extended_functions_are_kept_whole() {
    check(
        b"\x1d(E\x03\x00\x01IN\x1d(A\x02\x00\x00\x02",
        expect![[r#"
            ExtendedFunction { class: 69, params: [1, 73, 78] }
            ExtendedFunction { class: 65, params: [0, 2] }
        "#]],
    );
}

#[test]
fn truncated_command_names_its_offset() {
    let error = error_of(b"AB\x1dV\x41");
    expect![[r#"
        "truncated command at byte 2: 1D 56 41 (1 more byte(s) expected)"
    "#]]
    .assert_debug_eq(&error.to_string());
    assert_eq!(error.code(), "escpos_truncated");
}

#[test]
fn truncated_image_quotes_only_its_start() {
    let mut bytes = b"\x1dv0\x00\x30\x00\x40\x00".to_vec();
    bytes.extend([0xff; 100]);
    let error = error_of(&bytes);
    assert_eq!(error.offset(), 0);
    assert_eq!(error.bytes().len(), 16);
}

#[test]
fn unknown_command_is_an_error() {
    let error = error_of(b"Hi\n\x1b\xff");
    assert_eq!(error, DecodeError::UnknownCommand { offset: 3, bytes: vec![0x1b, 0xff] });
    expect!["unknown command at byte 3: 1B FF"].assert_eq(&error.to_string());
}

#[test]
fn escpos_crate_reset_is_no_init() {
    // escpos 0.20 sends ESC ? 0A 00 for reset(): it cancels a user character, then a stray NUL.
    let error = error_of(b"\x1b\x3f\x0a\x00");
    assert_eq!(error, DecodeError::UnknownCommand { offset: 3, bytes: vec![0x00] });
}

#[test]
fn unknown_control_byte_is_an_error() {
    let error = error_of(b"ok\x07");
    assert_eq!(error, DecodeError::UnknownCommand { offset: 2, bytes: vec![0x07] });
}
