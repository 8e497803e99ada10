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

#[test]
fn status_back_and_the_real_time_pulse_decode_as_the_reference_says() {
    use comptoir_escpos_decoder::Command;
    use comptoir_printer::{ASB_ALL, Pin, auto_status_back, realtime_pulse};
    let mut bytes = auto_status_back(ASB_ALL).to_vec();
    bytes.extend(realtime_pulse(Pin::Pin5, 250));
    bytes.extend(auto_status_back(0));
    let commands = comptoir_escpos_decoder::decode(&bytes).unwrap();
    assert_eq!(
        commands,
        [
            Command::AutoStatusBack(0x0F),
            Command::RealTimePulse { pin: 5, pulse_ms: 300 },
            Command::AutoStatusBack(0),
        ]
    );
}

#[test]
fn a_receipt_with_a_logo_decodes_with_no_unknown_command() {
    let logo =
        comptoir_printer::GreyImage::new(600, 90, (0..600 * 90).map(|i| (i % 251) as u8).collect())
            .unwrap();
    let doc = montreal_receipt_with(logo);
    for name in ["TM-T88V", "TM-T88II", "TM-P80-42col", "POS-5890", "default"] {
        let profile = Profile::load(name).unwrap();
        let bytes = encode(&doc, &profile, &EncodeOptions::default());
        let preview =
            comptoir_escpos_decoder::render(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let dots = profile.dots().unwrap_or(512);
        assert_eq!(preview.images.len(), 1, "{name}");
        // Shrunk to whole bytes within the printable width (546 dots: 544).
        assert_eq!(preview.images[0].width, dots / 8 * 8, "{name}");
    }
}

fn montreal_receipt_with(logo: comptoir_printer::GreyImage) -> comptoir_printer::Document {
    let mut doc = crate::support::montreal_receipt();
    doc.blocks.insert(0, comptoir_printer::Block::Image(logo));
    doc
}
