//! The display's side, against byte sequences from the Epson documentation: the DM-D110
//! specification (ESC @, ESC t n, ESC = n pages) and the DM-D "Epson command mode" table of
//! compatible displays (POSX XP8200 manual 4.1.2: HT 09, BS 08, US LF 1F 0A, LF 0A, US CR 1F 0D,
//! CR 0D, HOM 0B, US B 1F 42, US $ x y 1F 24 x y with 1 <= x <= 20 and 1 <= y <= 2, US C n
//! 1F 43 n, CLR 0C, CAN 18, US X n 1F 58 n, ESC @ 1B 40, ESC t n 1B 74 n, US MD1/2/3
//! 1F 01/02/03).

use comptoir_display::decode::{DecodeError, Screen, decode};

fn lines(bytes: &[u8]) -> [String; 2] {
    decode(bytes).unwrap().lines()
}

fn padded(text: &str) -> String {
    format!("{text:<20}")
}

#[test]
fn text_written_from_home_fills_the_top_line_first() {
    assert_eq!(lines(b"\x1b@Bonjour"), [padded("Bonjour"), padded("")]);
}

#[test]
fn move_cursor_writes_at_the_named_position() {
    // US $ 17 2: column 17 of the bottom line.
    assert_eq!(lines(b"\x1f\x24\x11\x02Prix"), [padded(""), padded("                Prix")]);
}

#[test]
fn a_position_off_the_screen_is_ignored() {
    // US $ 21 1 is outside 1..20: the cursor stays home.
    assert_eq!(lines(b"\x1f\x24\x15\x01A"), [padded("A"), padded("")]);
}

#[test]
fn clear_home_and_cancel_line() {
    assert_eq!(lines(b"ABC\x0cD"), [padded("D"), padded("")]);
    assert_eq!(lines(b"ABC\x0bX"), [padded("XBC"), padded("")]);
    // CAN clears the cursor's line and puts the cursor at its left end.
    assert_eq!(lines(b"\x1f\x24\x01\x02Total\x18T"), [padded(""), padded("T")]);
}

#[test]
fn overwrite_mode_wraps_to_the_bottom_line_then_home() {
    let mut bytes = b"\x1f\x01".to_vec();
    bytes.extend_from_slice(b"abcdefghijklmnopqrstuvwxyz0123456789ABCD");
    bytes.push(b'!');
    let shown = lines(&bytes);
    assert_eq!(shown, ["!bcdefghijklmnopqrst".to_owned(), "uvwxyz0123456789ABCD".to_owned()]);
}

#[test]
fn vertical_scroll_mode_moves_the_bottom_line_up() {
    let mut bytes = b"\x1f\x02".to_vec();
    bytes.extend_from_slice(b"abcdefghijklmnopqrstuvwxyz0123456789ABCD!");
    assert_eq!(lines(&bytes), ["uvwxyz0123456789ABCD".to_owned(), padded("!")]);
}

#[test]
fn vertical_scroll_mode_shows_forty_characters_before_it_scrolls() {
    let mut bytes = b"\x1f\x02".to_vec();
    bytes.extend_from_slice(b"abcdefghijklmnopqrstuvwxyz0123456789ABCD");
    let shown = lines(&bytes);
    assert_eq!(shown, ["abcdefghijklmnopqrst".to_owned(), "uvwxyz0123456789ABCD".to_owned()]);
}

#[test]
fn cursor_moves() {
    // BS, HT, CR, US CR (right end), US B (bottom left), US LF (up).
    assert_eq!(lines(b"AB\x08C"), [padded("AC"), padded("")]);
    assert_eq!(lines(b"A\x09C"), [padded("A C"), padded("")]);
    assert_eq!(lines(b"AB\x0dC"), [padded("CB"), padded("")]);
    assert_eq!(lines(b"\x1f\x0dZ"), [padded("                   Z"), padded("")]);
    assert_eq!(lines(b"\x1f\x42B\x1f\x0aU"), [padded(" U"), padded("B")]);
    assert_eq!(lines(b"A\x0aB"), [padded("A"), padded(" B")]);
}

#[test]
fn cursor_display_and_brightness() {
    let screen = decode(b"\x1f\x43\x00\x1f\x58\x02").unwrap();
    assert!(!screen.cursor_visible);
    assert_eq!(screen.brightness, 2);
    assert!(decode(b"\x1f\x43\x01").unwrap().cursor_visible);
}

#[test]
fn the_code_table_decides_what_a_high_byte_shows() {
    // ESC t 19 selects PC858, whose 0xD5 is the euro sign; in PC850 (ESC t 2) 0xD5 is a
    // dotless i; in both 0x82 is é (Epson code tables, pages 2 and 19).
    assert_eq!(lines(b"\x1bt\x13\x82 \xd5")[0], padded("é €"));
    assert_eq!(lines(b"\x1bt\x02\xd5")[0], padded("ı"));
    // PC437 (page 0, the power-on table) has no euro: 0xD5 is a box-drawing character.
    assert_eq!(lines(b"\xd5")[0], padded("╒"));
}

#[test]
fn a_table_change_does_not_change_what_is_shown() {
    // "This command has no effect on data displayed before this command is received."
    assert_eq!(lines(b"\x1bt\x13\xd5\x1bt\x02\xd5")[0], padded("€ı"));
}

#[test]
fn text_for_the_printer_never_reaches_the_display() {
    // ESC = 1 selects the printer: what follows goes to it, until ESC = 2 selects the display.
    let screen = decode(b"\x1b=\x01RECEIPT LINE\n\x1b=\x02Hello").unwrap();
    assert_eq!(screen.lines(), [padded("Hello"), padded("")]);
    assert_eq!(screen.printer_bytes, 13);
    assert_eq!(screen.selected, 2);
}

#[test]
fn initialise_resets_the_screen_and_the_table() {
    let screen = decode(b"\x1bt\x13\x1f\x02ABC\x1b@").unwrap();
    assert_eq!(screen.lines(), [padded(""), padded("")]);
    assert_eq!(screen.table, 0);
    assert_eq!(screen.cursor(), (1, 1));
}

#[test]
fn unknown_commands_and_half_commands_are_typed_errors() {
    assert!(matches!(decode(b"\x1b\x99"), Err(DecodeError::Unknown(b)) if b == [0x1B, 0x99]));
    assert!(matches!(decode(b"A\x00"), Err(DecodeError::Unknown(b)) if b == [0]));
    assert!(matches!(decode(b"\x1f\x99"), Err(DecodeError::Unknown(_))));
    assert!(
        matches!(decode(b"\x1f\x24\x01"), Err(DecodeError::Incomplete(b)) if b == [0x1F, 0x24, 0x01])
    );
    assert!(matches!(decode(b"\x1b"), Err(DecodeError::Incomplete(_))));
}

#[test]
fn a_command_cut_between_two_reads_is_kept() {
    let mut screen = Screen::new();
    assert!(screen.feed(b"\x1f\x24\x05").is_empty());
    assert!(screen.has_pending());
    assert!(screen.feed(b"\x02X").is_empty());
    assert_eq!(screen.lines(), [padded(""), padded("    X")]);
}

#[test]
fn feeding_skips_garbage_and_goes_on() {
    let mut screen = Screen::new();
    let errors = screen.feed(b"\x00A\x1b\x99B");
    assert_eq!(errors.len(), 2);
    assert_eq!(screen.lines(), [padded("AB"), padded("")]);
}

#[test]
fn random_bytes_never_panic() {
    let mut state = 0x5eed_u64;
    let mut next = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as u8
    };
    let mut screen = Screen::new();
    for _ in 0..5_000 {
        let len = usize::from(next() % 16);
        let bytes: Vec<u8> = (0..len).map(|_| next()).collect();
        let _ = decode(&bytes);
        let _ = screen.feed(&bytes);
        let [top, bottom] = screen.lines();
        assert_eq!((top.chars().count(), bottom.chars().count()), (20, 20));
    }
}
