//! UPC-E expansion against upc_e_to_upc_a_expansion_vectors.csv (biip tests, Apache-2.0): every
//! row, the four suppression cases, the 6-, 7- and 8-digit forms and the negatives.

use comptoir_core::gtin::Gtin14;
use comptoir_scanner::upc::{UpcError, expand_upc_e};
use comptoir_scanner::{Scanned, interpret};

use crate::support::csv_rows;

#[test]
fn every_expansion_vector() {
    let rows = csv_rows("upc_e_to_upc_a_expansion_vectors.csv");
    assert_eq!(rows.len(), 9);
    for row in rows {
        let input = row["upc_e_input"].as_str();
        let eight = row["upc_e_8digit"].as_str();
        let upc_a = row["expected_upc_a"].as_str();
        let condition = row["suppression_condition"].as_str();
        if eight.is_empty() {
            let error = expand_upc_e(input).unwrap_err();
            if condition.contains("check digit") {
                assert_eq!(error, UpcError::CheckDigit, "{input}");
            } else {
                assert_eq!(error, UpcError::NumberSystem('2'), "{input}");
            }
            continue;
        }
        let expanded = expand_upc_e(input).unwrap();
        assert_eq!(expanded.upc_e, eight, "{input}");
        // The 8-digit form gives the same UPC-A, its check digit verified.
        assert_eq!(expand_upc_e(eight).unwrap(), expanded);
        if upc_a.is_empty() {
            // Number system 1 rows give no UPC-A in the source: the UPC-A has the same
            // number system and check digit as the UPC-E and is a valid GTIN.
            assert!(expanded.upc_a.starts_with(&eight[..1]));
            assert!(expanded.upc_a.ends_with(&eight[7..]));
            Gtin14::parse(&expanded.upc_a).unwrap();
        } else {
            assert_eq!(expanded.upc_a, upc_a, "{input} ({condition})");
        }
    }
}

#[test]
fn a_upc_e_scan_finds_the_upc_a_item() {
    // ]E0 with eight digits is a UPC-E (EAN-8 is ]E4); the vectors' case D.
    let scanned = interpret(b"]E008679339").unwrap().scanned;
    let upc_a = interpret(b"086700000939").unwrap().scanned;
    assert_eq!(scanned, upc_a);
    assert_eq!(
        scanned,
        Scanned::Item { gtin: Gtin14::parse("086700000939").unwrap(), add_on: None }
    );
}

#[test]
fn bad_upc_e_input_is_a_typed_error() {
    assert_eq!(expand_upc_e("12345"), Err(UpcError::Length(5)));
    assert_eq!(expand_upc_e("123456789"), Err(UpcError::Length(9)));
    assert_eq!(expand_upc_e("0234A673"), Err(UpcError::NotDigits));
    assert_eq!(expand_upc_e(""), Err(UpcError::NotDigits));
    assert_eq!(interpret(b"]E004252613").unwrap_err().code(), "scan_check_digit");
}
