//! What each screen of a sale shows, cell by cell.

use comptoir_display::{CodePage, Layout};

fn layout() -> Layout {
    Layout::new(CodePage::epson(19).unwrap())
}

#[test]
fn a_line_as_it_is_rung() {
    let text = layout().item("Baguette", "1.20", "Total", "14.85");
    assert_eq!(text.lines(), ["Baguette        1.20", "Total          14.85"]);
}

#[test]
fn a_long_name_is_cut_and_the_price_kept() {
    let text = layout().item("Croissant aux amandes et pistaches", "12.50", "Total", "112.50");
    assert_eq!(text.lines(), ["Croissant aux  12.50", "Total         112.50"]);
}

#[test]
fn a_price_too_wide_for_a_label_takes_the_line() {
    let text = layout().item("Lot", "1234567890123456.00", "Total", "1.00");
    assert_eq!(text.line(0), " 1234567890123456.00");
}

#[test]
fn the_total() {
    let text = layout().total("Total", "14.85");
    assert_eq!(text.lines(), ["Total               ", "               14.85"]);
}

#[test]
fn the_payment_and_the_change() {
    let text = layout().change("Cash", "20.00", "Change", "1.70");
    assert_eq!(text.lines(), ["Cash           20.00", "Change          1.70"]);
}

#[test]
fn the_idle_message_is_centred() {
    let text = layout().idle("Welcome", "Épicerie du Marché");
    assert_eq!(text.lines(), ["      Welcome       ", " Épicerie du Marché "]);
}

#[test]
fn every_line_is_twenty_cells_whatever_the_text() {
    let layout = layout();
    for text in ["", "   ", "a", "Œ€ÿ漢字🙂", "\u{1b}@\u{0c}", &"x".repeat(500)] {
        for screen in [
            layout.text(text, text),
            layout.item(text, text, text, text),
            layout.total(text, text),
            layout.change(text, text, text, text),
            layout.idle(text, text),
        ] {
            for line in screen.lines() {
                assert_eq!(line.chars().count(), 20, "{text:?} gave {line:?}");
            }
        }
    }
}

#[test]
fn control_characters_never_reach_the_display() {
    // ESC is dropped; form feed (CLR to the display) and tab are whitespace, so a space.
    let text = layout().text("A\u{1b}@B\u{0c}C\tD\u{7}", "");
    assert_eq!(text.line(0), "A@B C D             ");
}

#[test]
fn a_character_is_one_cell_even_when_utf8_takes_more_bytes() {
    // "é" is two bytes of UTF-8 but one cell of the display.
    let text = layout().item("Crème brûlée", "6.00", "Total", "6.00");
    assert_eq!(text.line(0), "Crème brûlée    6.00");
}

#[test]
fn what_the_table_lacks_is_transliterated_in_the_preview_too() {
    let page = CodePage::epson(0).unwrap();
    let text = Layout::new(page).item("Œufs", "3 €", "Total", "3 €");
    assert_eq!(text.line(0), "OEufs          3 EUR");
}
