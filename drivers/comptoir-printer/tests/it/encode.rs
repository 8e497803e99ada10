//! The encoder's bytes: code tables, transliteration, layout, and the exact command bytes.

use comptoir_printer::{
    Block, DrawerConfig, EncodeOptions, Pin, Profile, commands, drawer_kick, encode,
};
use expect_test::{Expect, expect};

use crate::support::{contains, montreal_receipt, walk};

fn check_receipt(profile: &str, expected: Expect) {
    let profile = Profile::load(profile).unwrap();
    let doc = montreal_receipt();
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    let walked = walk(&bytes, &profile);
    expected.assert_eq(&walked.lines.join("\n"));
}

#[test]
fn montreal_receipt_on_tm_t88v_keeps_every_accent() {
    check_receipt(
        "TM-T88V",
        expect![[r#"
            Café Olimpico
            124, rue Saint-Viateur Ouest
            Montréal (Québec) H2T 2L1
            Caissière : Françoise — caisse nº 2
            ------------------------------------------
            Café au lait                        4,75 $
            Crème brûlée à l’érable             6,50 $
            Bœuf bourguignon                   18,25 $
            Œuf à la coque                      3,00 $
            Pâté chinois « maison » de la Côt… 14,00 $
            ------------------------------------------
            Sous-total                         46,50 $
            TPS 5 %                             2,33 $
            TVQ 9,975 %                         4,64 $
            TOTAL                              53,47 $
            Payé en espèces : 60,00 $ (soit 41,00 €)
            « Merci et à bientôt ! »

        "#]],
    );
}

#[test]
fn montreal_receipt_on_tm_t88ii_transliterates_what_its_tables_lack() {
    check_receipt(
        "TM-T88II",
        expect![[r#"
            Café Olimpico
            124, rue Saint-Viateur Ouest
            Montréal (Québec) H2T 2L1
            Caissière : Françoise -- caisse nº 2
            ------------------------------------------
            Café au lait                        4,75 $
            Crème brûlée à l'érable             6,50 $
            Boeuf bourguignon                  18,25 $
            OEuf à la coque                     3,00 $
            Pâté chinois « maison » de la Côt. 14,00 $
            ------------------------------------------
            Sous-total                         46,50 $
            TPS 5 %                             2,33 $
            TVQ 9,975 %                         4,64 $
            TOTAL                              53,47 $
            Payé en espèces : 60,00 $ (soit 41,00 €)
            « Merci et à bientôt ! »

        "#]],
    );
}

#[test]
fn montreal_receipt_on_a_cp437_only_printer_writes_eur() {
    check_receipt(
        "simple",
        expect![[r#"
            Café Olimpico
            124, rue Saint-Viateur Ouest
            Montréal (Québec) H2T 2L1
            Caissière : Françoise -- caisse nº 2
            ------------------------------------------
            Café au lait                        4,75 $
            Crème brûlée à l'érable             6,50 $
            Boeuf bourguignon                  18,25 $
            OEuf à la coque                     3,00 $
            Pâté chinois « maison » de la Côt. 14,00 $
            ------------------------------------------
            Sous-total                         46,50 $
            TPS 5 %                             2,33 $
            TVQ 9,975 %                         4,64 $
            TOTAL                              53,47 $
            Payé en espèces : 60,00 $ (soit 41,00 EUR)
            « Merci et à bientôt ! »
            0101000042
            https://comptoir.example/r/0101000042"#]],
    );
}

#[test]
fn no_utf8_reaches_the_printer() {
    let doc = montreal_receipt();
    for name in ["TM-T88V", "TM-T88II", "simple", "default"] {
        let profile = Profile::load(name).unwrap();
        let bytes = encode(&doc, &profile, &EncodeOptions::default());
        // The walker panics on a byte ≥ 0x80 that the active table does not define.
        let walked = walk(&bytes, &profile);
        for c in "éèàçâêôûŒœ«»’—º€".chars() {
            let utf8 = c.to_string();
            assert!(
                !contains(&walked.text_bytes, utf8.as_bytes()),
                "{name}: UTF-8 of {c:?} in the text"
            );
        }
    }
}

#[test]
fn a_job_starts_with_init_then_table_then_usa_charset() {
    let profile = Profile::load("TM-T88II").unwrap();
    let bytes = encode(&montreal_receipt(), &profile, &EncodeOptions::default());
    assert_eq!(&bytes[..2], &[0x1B, 0x40]);
    assert_eq!(&bytes[2..4], &[0x1B, 0x74]);
    assert!(profile.table(bytes[4]).is_some(), "ESC t {} is a table of the profile", bytes[4]);
    assert_eq!(&bytes[5..8], &[0x1B, 0x52, 0x00]);
}

#[test]
fn tables_switch_only_to_numbers_the_profile_has() {
    for name in ["TM-T88V", "TM-T88II", "simple"] {
        let profile = Profile::load(name).unwrap();
        let bytes = encode(&montreal_receipt(), &profile, &EncodeOptions::default());
        for command in walk(&bytes, &profile).commands {
            if command[..2] == [0x1B, b't'] {
                assert!(profile.table(command[2]).is_some(), "{name}: ESC t {}", command[2]);
            }
        }
    }
}

#[test]
fn euro_uses_a_table_that_has_it_on_tm_t88ii() {
    // CP858 (ESC t 19 on this printer) is CP850 with € at 0xD5.
    let profile = Profile::load("TM-T88II").unwrap();
    let doc = comptoir_printer::Document::new().line("41,00 €");
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    assert!(contains(&bytes, &[0x1B, 0x74, 19]));
    assert!(contains(&bytes, b"41,00 \xD5\n"));
}

#[test]
fn columns_fill_the_paper_width_in_printed_cells() {
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new()
        .columns("Crème brûlée à l’érable", "6,50 $")
        .columns("Pâté chinois « maison » de la Côte-des-Neiges", "14,00 $");
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    let lines = walk(&bytes, &profile).lines;
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert_eq!(line.chars().count(), 42, "{line:?}");
    }
    assert!(lines[0].starts_with("Crème brûlée à l’érable "));
    assert!(lines[1].ends_with("… 14,00 $") || lines[1].ends_with(". 14,00 $"), "{:?}", lines[1]);
}

#[test]
fn a_48_column_printer_gets_48_cell_lines() {
    let profile = Profile::load("TM-T88V").unwrap().with_columns(48);
    let doc = comptoir_printer::Document::new().columns("Œuf", "3,00 $").rule();
    let lines = walk(&encode(&doc, &profile, &EncodeOptions::default()), &profile).lines;
    assert!(lines.iter().all(|l| l.chars().count() == 48), "{lines:?}");
}

#[test]
fn drawer_kick_is_exactly_five_bytes_for_pin_2_at_50_and_500_ms() {
    let config = DrawerConfig { pin: Pin::Pin2, on_ms: 50, off_ms: 500 };
    assert_eq!(drawer_kick(&config), [0x1B, 0x70, 0x00, 0x19, 0xFA]);
    assert_eq!(DrawerConfig::default(), config);
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new().drawer_kick();
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    assert!(bytes.ends_with(&[0x1B, 0x70, 0x00, 0x19, 0xFA]));
}

#[test]
fn cut_feeds_then_cuts_partially() {
    let profile = Profile::load("TM-T88V").unwrap();
    let bytes =
        encode(&comptoir_printer::Document::new().cut(), &profile, &EncodeOptions::default());
    assert!(bytes.ends_with(&[0x1D, 0x56, 0x42, 0x00]));
    assert_eq!(commands::PARTIAL_CUT, [0x1D, 0x56, 0x42, 0x00]);
}

#[test]
fn code128_of_an_even_number_of_digits_uses_code_set_c() {
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new().code128("0101000042");
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    // GS k 73, 7 bytes: "{C" then 01 01 00 00 42 as five two-digit values.
    assert!(contains(&bytes, &[0x1D, 0x6B, 73, 7, b'{', b'C', 1, 1, 0, 0, 42]));
    assert!(contains(&bytes, &[0x1D, 0x48, 2]), "HRI below");
    assert!(contains(&bytes, &[0x1D, 0x68, 80]), "height");
    assert!(contains(&bytes, &[0x1D, 0x77, 2]), "module width");
}

#[test]
fn code128_of_an_odd_number_of_digits_uses_code_set_b() {
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new().code128("12345");
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    assert!(contains(&bytes, b"\x1dk\x49\x07{B12345"));
}

#[test]
fn a_uuid_barcode_is_printed_as_text_because_it_does_not_fit() {
    let profile = Profile::load("TM-T88V").unwrap();
    let id = "0190a5d2-7c3e-7b11-9f1e-3c5d6e7f8a9b";
    let bytes =
        encode(&comptoir_printer::Document::new().code128(id), &profile, &EncodeOptions::default());
    assert!(!contains(&bytes, &[0x1D, 0x6B]));
    assert!(contains(&bytes, id.as_bytes()));
}

#[test]
fn qr_is_model_2_level_m_stored_then_printed() {
    let profile = Profile::load("TM-T88V").unwrap();
    let bytes =
        encode(&comptoir_printer::Document::new().qr("ABC"), &profile, &EncodeOptions::default());
    let expected: Vec<u8> = [
        &[0x1D, 0x28, 0x6B, 4, 0, 49, 65, 50, 0][..],
        &[0x1D, 0x28, 0x6B, 3, 0, 49, 67, 6],
        &[0x1D, 0x28, 0x6B, 3, 0, 49, 69, 49],
        &[0x1D, 0x28, 0x6B, 6, 0, 49, 80, 48, b'A', b'B', b'C'],
        &[0x1D, 0x28, 0x6B, 3, 0, 49, 81, 48],
    ]
    .concat();
    assert!(contains(&bytes, &expected));
}

#[test]
fn styles_use_esc_e_gs_bang_and_esc_a() {
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new().title("Comptoir");
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    let after_header = &bytes[8..];
    assert_eq!(&after_header[..9], &[0x1B, 0x61, 1, 0x1B, 0x45, 1, 0x1D, 0x21, 0x11]);
    assert!(bytes.ends_with(b"Comptoir\n\x1b\x61\x00\x1b\x45\x00\x1d\x21\x00"));
}

#[test]
fn text_from_the_catalogue_cannot_inject_commands() {
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new().push(Block::text("Thé\u{1b}p\u{0}\u{19}\u{fa}"));
    let bytes = encode(&doc, &profile, &EncodeOptions::default());
    assert!(!contains(&bytes, &[0x1B, b'p']));
}

#[test]
fn double_width_text_wraps_at_half_the_columns() {
    let profile = Profile::load("TM-T88V").unwrap();
    let doc = comptoir_printer::Document::new().title("Boulangerie Pâtisserie du Mile End");
    let lines = walk(&encode(&doc, &profile, &EncodeOptions::default()), &profile).lines;
    assert!(lines.iter().all(|l| l.chars().count() <= 21), "{lines:?}");
    assert_eq!(lines, ["Boulangerie", "Pâtisserie du Mile", "End"]);
}

#[test]
fn decomposed_accents_print_as_the_accented_letters() {
    // "Crème brûlée" and "Café" as a macOS file name or some catalogue exports write them: each
    // accent a combining mark after its letter.
    let decomposed = "Cre\u{300}me bru\u{302}le\u{301}e, Cafe\u{301}";
    assert_eq!(decomposed.chars().count(), 22, "the marks are separate characters");
    let doc =
        comptoir_printer::Document::new().line(decomposed).columns("Pa\u{302}te\u{301}", "14,00 $");
    for name in ["TM-T88V", "TM-T88II"] {
        let profile = Profile::load(name).unwrap();
        let bytes = encode(&doc, &profile, &EncodeOptions::default());
        // Read back by the decoder written from the Epson reference, not by the encoder.
        let printed = comptoir_escpos_decoder::render(&bytes).unwrap();
        let lines: Vec<&str> = printed.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(lines[0], "Crème brûlée, Café", "{name}: {lines:?}");
        assert!(
            lines[1].starts_with("Pâté ") && lines[1].ends_with(" 14,00 $"),
            "{name}: {lines:?}"
        );
        assert_eq!(lines[1].chars().count(), 42, "{name}: one cell per accented letter");
    }
}
