//! Encoded receipts checked by comptoir-escpos-decoder, written from the Epson reference and
//! not from this encoder.

use comptoir_escpos_decoder::{decode, render};
use comptoir_printer::{EncodeOptions, Profile, encode};

use crate::support::montreal_receipt;

const FRENCH_LINES: [&str; 5] = [
    "Montréal (Québec) H2T 2L1",
    "Caissière : Françoise",
    "Crème brûlée à l",
    "Pâté chinois « maison »",
    "« Merci et à bientôt ! »",
];

fn encoded(profile: &str) -> Vec<u8> {
    let profile = Profile::load(profile).unwrap();
    encode(&montreal_receipt(), &profile, &EncodeOptions::default())
}

#[test]
fn receipts_decode_without_an_unknown_command() {
    for profile in ["TM-T88V", "TM-T88II", "TM-T88IV", "simple", "default"] {
        if let Err(e) = decode(&encoded(profile)) {
            panic!("{profile}: {e}");
        }
    }
}

#[test]
fn the_rendered_receipt_holds_the_accented_french_lines() {
    for profile in ["TM-T88V", "TM-T88II"] {
        let text = render(&encoded(profile)).unwrap().text();
        for line in FRENCH_LINES {
            assert!(text.contains(line), "{profile}: {line:?} missing from\n{text}");
        }
    }
}

#[test]
fn tm_t88v_keeps_the_ligature_and_the_euro_sign() {
    let text = render(&encoded("TM-T88V")).unwrap().text();
    assert!(text.contains("Bœuf bourguignon"), "{text}");
    assert!(text.contains("Œuf à la coque"), "{text}");
    assert!(text.contains("41,00 €"), "{text}");
}

#[test]
fn tm_t88ii_spells_out_what_it_cannot_print() {
    let text = render(&encoded("TM-T88II")).unwrap().text();
    assert!(text.contains("Boeuf bourguignon"), "{text}");
    assert!(text.contains("OEuf à la coque"), "{text}");
    assert!(text.contains("41,00 €"), "CP858 has the euro sign:\n{text}");
}

#[test]
fn the_decoder_sees_the_cut_the_kick_and_the_codes() {
    let preview = render(&encoded("TM-T88V")).unwrap();
    assert_eq!(preview.cuts.len(), 1);
    assert!(preview.cuts[0].partial);
    assert_eq!(preview.kicks.len(), 1);
    let kick = preview.kicks[0];
    assert_eq!((kick.on_ms, kick.off_ms, kick.real_time), (50, 500, false));
    assert_eq!(preview.barcodes.len(), 1);
    assert_eq!(preview.barcodes[0].text, "0101000042");
    assert_eq!(preview.qr_codes.len(), 1);
    assert_eq!(preview.qr_codes[0].model, 2);
    assert_eq!(preview.qr_codes[0].data, b"https://comptoir.example/r/0101000042");
}
