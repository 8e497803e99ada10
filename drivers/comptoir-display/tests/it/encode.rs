//! The bytes sent to the display, written out by hand from the Epson display commands (ESC @
//! 1B 40, ESC t n 1B 74 n, US MD1 1F 01, US C n 1F 43 n, US $ x y 1F 24 x y, CLR 0C, and ESC = n
//! 1B 3D n from the DM-D110 specification), not produced by the encoder under test.

use comptoir_display::{CodePage, Layout, ThroughPrinter, decode, encode};

fn pc858() -> CodePage {
    CodePage::epson(19).unwrap()
}

fn expected_frame(table: u8, top: &[u8], bottom: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0x1B, 0x74, table, 0x1F, 0x01, 0x1F, 0x43, 0x00];
    bytes.extend_from_slice(&[0x1F, 0x24, 0x01, 0x01]);
    bytes.extend_from_slice(top);
    bytes.extend_from_slice(&[0x1F, 0x24, 0x01, 0x02]);
    bytes.extend_from_slice(bottom);
    bytes
}

#[test]
fn init_resets_then_selects_the_table_overwrite_mode_and_no_cursor() {
    assert_eq!(
        encode::init(&pc858()),
        [0x1B, 0x40, 0x1B, 0x74, 0x13, 0x1F, 0x01, 0x1F, 0x43, 0x00]
    );
}

#[test]
fn a_frame_writes_both_lines_whole_at_their_positions() {
    let layout = Layout::new(pc858());
    let text = layout.item("Croissant", "1.20", "Total", "3.45");
    assert_eq!(
        encode::frame(&text, &pc858()),
        expected_frame(0x13, b"Croissant       1.20", b"Total           3.45")
    );
}

#[test]
fn accents_are_bytes_of_the_selected_table() {
    // PC858: é 0x82, è 0x8A, € 0xD5 (Epson code table page 19).
    let layout = Layout::new(pc858());
    let text = layout.item("Café crème", "2,50 €", "Total", "2,50 €");
    assert_eq!(
        encode::frame(&text, &pc858()),
        expected_frame(0x13, b"Caf\x82 cr\x8ame    2,50 \xd5", b"Total         2,50 \xd5")
    );
}

#[test]
fn what_the_table_lacks_is_spelt_out() {
    // PC437 (page 0) has é but no euro and no Œ: "EUR" and "OE", in ASCII.
    let page = CodePage::epson(0).unwrap();
    let text = Layout::new(page.clone()).item("Œufs frais", "3 €", "Total", "3 €");
    assert_eq!(
        encode::frame(&text, &page),
        expected_frame(0x00, b"OEufs frais    3 EUR", b"Total          3 EUR")
    );
}

#[test]
fn clear_is_one_byte() {
    assert_eq!(encode::CLEAR, [0x0C]);
}

#[test]
fn through_the_printer_the_frame_is_framed_by_select_display_and_select_printer() {
    let page = pc858();
    let text = Layout::new(page.clone()).idle("Bienvenue", "Chez Max");
    let bytes = ThroughPrinter::new(page).show(&text);
    let mut expected = vec![0x1B, 0x3D, 0x02];
    expected.extend(expected_frame(0x13, b"     Bienvenue      ", b"      Chez Max      "));
    expected.extend_from_slice(&[0x1B, 0x3D, 0x01]);
    assert_eq!(bytes, expected);
}

#[test]
fn through_the_printer_init_and_clear() {
    let through = ThroughPrinter::new(pc858());
    assert_eq!(
        through.init(),
        [
            0x1B, 0x3D, 0x02, 0x1B, 0x40, 0x1B, 0x74, 0x13, 0x1F, 0x01, 0x1F, 0x43, 0x00, 0x1B,
            0x3D, 0x01
        ]
    );
    assert_eq!(through.clear(), [0x1B, 0x3D, 0x02, 0x0C, 0x1B, 0x3D, 0x01]);
}

#[test]
fn the_preview_and_the_bytes_agree_for_every_table() {
    for (number, _) in comptoir_display::PAGES {
        let page = CodePage::epson(number).unwrap();
        let layout = Layout::new(page.clone());
        let screens = [
            layout.item("Pâté de campagne", "4.95", "Total", "12.40"),
            layout.item("Тесто", "1.00", "Итого", "1.00"),
            layout.change("Espèces", "20.00", "Change", "1.70"),
            layout.total("À payer", "€ 18.30"),
            layout.idle("Welcome", "Żabka Łódź"),
        ];
        for text in screens {
            let screen = decode::decode(&encode::frame(&text, &page)).unwrap();
            assert_eq!(screen.lines(), text.lines(), "table {number}");
        }
    }
}
