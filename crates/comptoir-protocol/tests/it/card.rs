//! No card number survives in what a terminal sends or a slip holds.

use comptoir_protocol::card::{check_slip, luhn, mask_pans};
use comptoir_protocol::payload::CardSlip;

#[test]
fn luhn_accepts_the_standard_test_numbers_and_refuses_a_typo() {
    let digits = |s: &str| s.bytes().map(|b| b - b'0').collect::<Vec<_>>();
    for pan in ["4111111111111111", "5555555555554444", "378282246310005", "6011111111111117"] {
        assert!(luhn(&digits(pan)), "{pan}");
    }
    assert!(!luhn(&digits("4111111111111112")));
}

#[test]
fn card_numbers_are_masked_to_the_last_four_digits_wherever_they_are() {
    for (text, masked) in [
        ("4111111111111111", "************1111"),
        ("PAN 4111 1111 1111 1111 EXP", "PAN **** **** **** 1111 EXP"),
        ("5555-5555-5555-4444", "****-****-****-4444"),
        ("AMEX 378282246310005.", "AMEX ***********0005."),
        // Not card numbers: a date, a total, a number failing Luhn, an order number of 20+
        // digits, a receipt barcode.
        ("04.12.2026 10:31", "04.12.2026 10:31"),
        ("TOTAL EUR 12,34", "TOTAL EUR 12,34"),
        ("4111111111111112", "4111111111111112"),
        ("TRACE 000123 BELEG 0042", "TRACE 000123 BELEG 0042"),
        ("MTL01-000042", "MTL01-000042"),
        ("ORDER 41111111111111110000", "ORDER 41111111111111110000"),
        ("411111111111111 1", "************111 1"),
        ("", ""),
    ] {
        assert_eq!(mask_pans(text), masked, "{text}");
    }
}

#[test]
fn a_slip_with_a_card_number_is_refused() {
    let ok = CardSlip {
        brand: Some("VISA".into()),
        masked_pan: Some("************1111".into()),
        terminal_id: Some("52500038".into()),
        receipt: vec!["Kartenzahlung".into(), "VISA ****1111".into()],
    };
    assert_eq!(check_slip(&ok), Ok(()));
    let shows_too_much = CardSlip { masked_pan: Some("411111******1111".into()), ..ok.clone() };
    assert!(check_slip(&shows_too_much).unwrap_err().contains("at most 4"));
    let full_in_receipt = CardSlip { receipt: vec!["PAN 4111111111111111".into()], ..ok.clone() };
    assert!(check_slip(&full_in_receipt).is_err());
}
