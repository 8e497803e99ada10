//! GTIN check digits and normalisation against gtin_check_digit_vectors.csv (openfoodfacts-python
//! tests, MIT): every row. comptoir-core's `gtin` module does the work; the scanner uses it.

use comptoir_core::gtin::{Gtin14, check_digit, has_valid_check_digit};
use comptoir_scanner::{Scanned, interpret};

use crate::support::csv_rows;

#[test]
fn every_check_digit_vector() {
    let rows = csv_rows("gtin_check_digit_vectors.csv");
    assert_eq!(rows.len(), 29);
    let mut seen = [0; 3];
    for row in rows {
        let input = row["gtin_without_or_with_check"].as_str();
        let expected = row["expected"].as_str();
        match row["kind"].as_str() {
            // openfoodfacts' calculate_check_digit takes the whole code and ignores its last
            // digit (the check position).
            kind if kind.starts_with("calculate_check_digit") => {
                let body = &input[..input.len() - 1];
                assert_eq!(
                    check_digit(body).map(|d| d.to_string()).as_deref(),
                    Some(expected),
                    "{input}"
                );
                seen[0] += 1;
            }
            "has_valid_check_digit" => {
                assert_eq!(has_valid_check_digit(input), expected == "True", "{input}");
                if [8, 12, 13, 14].contains(&input.len()) {
                    assert_eq!(Gtin14::parse(input).is_ok(), expected == "True", "{input}");
                }
                seen[1] += 1;
            }
            "normalize_barcode" => {
                normalize_row(input, expected);
                seen[2] += 1;
            }
            other => panic!("unknown kind {other}"),
        }
    }
    assert_eq!(seen, [13, 13, 3]);
}

/// openfoodfacts pads every short code for its database (3 digits to EAN-8, 9 to EAN-13);
/// the register pads only real GTIN lengths, so a 3- or 9-digit scan stays a stock code.
/// Where both pad, they agree: the 12-digit UPC-A is the 0-prefixed EAN-13, as 14 digits.
fn normalize_row(input: &str, expected: &str) {
    match input.len() {
        12 => {
            let gtin = Gtin14::parse(input).unwrap();
            assert_eq!(gtin.as_str(), format!("{expected:0>14}"));
            assert_eq!(gtin, Gtin14::parse(expected).unwrap());
            let Scanned::Item { gtin: scanned, .. } = interpret(input.as_bytes()).unwrap().scanned
            else {
                panic!("{input} is an item");
            };
            assert_eq!(scanned, gtin);
        }
        _ => {
            let scan = interpret(input.as_bytes()).unwrap();
            assert_eq!(scan.scanned, Scanned::Text(input.to_owned()), "{input}");
        }
    }
}

#[test]
fn upc_a_ean_13_and_gtin_14_of_one_item_meet() {
    // The UPC-A of the vectors' normalisation row, as a scanner sends it under each form.
    let forms: [&[u8]; 4] =
        [b"123456789012", b"0123456789012", b"00123456789012", b"]E00123456789012"];
    let gtins: Vec<Scanned> = forms.iter().map(|f| interpret(f).unwrap().scanned).collect();
    for g in &gtins {
        assert_eq!(
            g,
            &Scanned::Item { gtin: Gtin14::parse("00123456789012").unwrap(), add_on: None }
        );
    }
}
