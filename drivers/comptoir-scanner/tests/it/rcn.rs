//! In-store labels against rcn_weighted_price_vectors.csv (biip tests, Apache-2.0): every row,
//! with the layouts of fixtures/barcodes/rcn_rules.json.

use comptoir_core::gtin::{Gtin14, check_digit};
use comptoir_scanner::rcn::{RcnError, RulesError, price_check_digit};
use comptoir_scanner::{EmbeddedValue, InStoreRules, Interpreter, Scanned};
use rust_decimal::Decimal;

use crate::support::csv_rows;

fn country(region: &str) -> &'static str {
    match region {
        "estonia" => "EE",
        "germany" => "DE",
        "sweden" => "SE",
        other => panic!("no country for {other}"),
    }
}

#[test]
fn every_in_store_vector() {
    let rules = InStoreRules::builtin();
    let rows = csv_rows("rcn_weighted_price_vectors.csv");
    assert_eq!(rows.len(), 20);
    for row in rows {
        let code = row["value"].as_str();
        let rules = rules.country(country(&row["region"])).unwrap();
        let gtin = Gtin14::parse(code).unwrap();
        let expected = if !row["weight_kg"].is_empty() {
            Some(EmbeddedValue::Weight { kg: row["weight_kg"].parse().unwrap() })
        } else if !row["count"].is_empty() {
            Some(EmbeddedValue::Count(row["count"].parse().unwrap()))
        } else if !row["price"].is_empty() {
            let currency = Some(row["currency"].clone());
            Some(EmbeddedValue::Price { amount: row["price"].parse().unwrap(), currency })
        } else {
            None
        };
        let read = rules.read(&gtin).map(|r| r.unwrap().value);
        assert_eq!(read, expected, "{code}");
        // Through the interpreter: a label without a rule is the store's own item number.
        let scanned =
            Interpreter::new(Some(rules.clone())).interpret(code.as_bytes()).unwrap().scanned;
        match expected {
            Some(value) => {
                assert!(matches!(scanned, Scanned::Embedded(e) if e.value == value), "{code}")
            }
            None => assert_eq!(scanned, Scanned::Item { gtin, add_on: None }),
        }
    }
}

#[test]
fn the_price_check_digit_follows_gs1s_worked_examples() {
    // GS1 General Specifications 7.9.3 (four digits) and 7.9.4 (five digits), as biip's
    // checksums module quotes them.
    assert_eq!(price_check_digit("2875"), Some(9));
    assert_eq!(price_check_digit("14685"), Some(6));
    assert_eq!(price_check_digit("123"), None);
    assert_eq!(price_check_digit("12a4"), None);
}

/// A German price label with its price verifier changed, and a GTIN check digit that fits.
fn with_verifier(code: &str, verifier: u8) -> String {
    let mut body: Vec<u8> = code[..12].bytes().collect();
    body[6] = b'0' + verifier;
    let body = String::from_utf8(body).unwrap();
    format!("{body}{}", check_digit(&body).unwrap())
}

#[test]
fn a_wrong_price_verifier_is_refused_with_a_message() {
    let rules = InStoreRules::builtin();
    let de = rules.country("de").unwrap();
    let good = "2211114002394";
    assert!(de.read(&Gtin14::parse(good).unwrap()).unwrap().is_ok());
    let bad = with_verifier(good, 5);
    assert_eq!(de.read(&Gtin14::parse(&bad).unwrap()), Some(Err(RcnError::ValueCheckDigit)));
    let error = Interpreter::new(Some(de.clone())).interpret(bad.as_bytes()).unwrap_err();
    assert_eq!(error.code(), "scan_label_check_digit");
    assert!(error.message().contains("scan it again"), "{}", error.message());
}

#[test]
fn two_labels_of_one_item_share_the_lookup_code() {
    let rules = InStoreRules::builtin();
    let se = rules.country("SE").unwrap();
    let read = |code: &str| se.read(&Gtin14::parse(code).unwrap()).unwrap().unwrap();
    let (a, b) = (read("2388060112344"), read("2488060112341"));
    assert_eq!(a.item, "23880601");
    // 23 and 24 are different prefixes (weight with 3 or 2 decimals): different items.
    assert_ne!(a.lookup, b.lookup);
    let de = rules.country("DE").unwrap();
    let (p, q) = (
        de.read(&Gtin14::parse("2811111068708").unwrap()).unwrap().unwrap(),
        de.read(&Gtin14::parse("2930711068700").unwrap()).unwrap().unwrap(),
    );
    // The value and its verifier zeroed, the check digit redone: the catalog's barcode.
    assert_eq!(&p.lookup.as_str()[..13], "0281111000000");
    assert_eq!(&q.lookup.as_str()[..13], "0293071000000");
    assert_eq!(p.item, "281111");
}

#[test]
fn gb_us_and_ca_labels_carry_a_four_digit_price_with_its_verifier() {
    let rules = InStoreRules::builtin();
    // Four-digit price 28.75 with GS1's worked verifier 9 (General Specifications 7.9.3).
    let body = "2012345928 75".replace(' ', "");
    let gb = format!("{body}{}", check_digit(&body).unwrap());
    let read = rules.country("GB").unwrap().read(&Gtin14::parse(&gb).unwrap()).unwrap().unwrap();
    assert_eq!(
        read.value,
        EmbeddedValue::Price { amount: Decimal::new(2875, 2), currency: Some("GBP".into()) }
    );
    // A UPC-A number system 2 label (12 digits: 2 IIIII V PPPP C).
    let body = "2123459287 5".replace(' ', "");
    let upc = format!("{body}{}", check_digit(&body).unwrap());
    for (country, currency) in [("US", "USD"), ("CA", "CAD")] {
        let read =
            Interpreter::new(rules.country(country).cloned()).interpret(upc.as_bytes()).unwrap();
        let Scanned::Embedded(e) = read.scanned else { panic!("{country}: {upc}") };
        assert_eq!(
            e.value,
            EmbeddedValue::Price { amount: Decimal::new(2875, 2), currency: Some(currency.into()) }
        );
        assert_eq!(e.item, "0212345");
    }
}

#[test]
fn every_country_of_the_rules_file_loads_and_bad_rules_are_refused() {
    let rules = InStoreRules::builtin();
    let countries: Vec<&str> = rules.countries().collect();
    assert_eq!(countries, ["CA", "DE", "DK", "EE", "FI", "GB", "LT", "LV", "NO", "SE", "US"]);
    let bad = |layout: &str, prefix: &str| {
        let json = format!(
            r#"{{"countries": {{"XX": {{"currency": "EUR", "prefixes": {{"{prefix}": {{"layout": "{layout}", "value": "price", "decimals": 2}}}}}}}}}}"#
        );
        InStoreRules::from_json(&json)
    };
    assert!(bad("PPPPPPCVVVVV", "22").is_ok());
    assert!(matches!(bad("PPPPPPCVVVV", "22"), Err(RulesError::Rule { .. })));
    assert!(matches!(bad("PPPPPPCVVVVV", "30"), Err(RulesError::Rule { .. })));
    assert!(matches!(bad("PPPPPCCVVVVV", "22"), Err(RulesError::Rule { .. })));
    assert!(matches!(bad("PPPCVVVVVVVV", "22"), Err(RulesError::Rule { .. })));
    assert!(matches!(bad("VVPPPPPPVVVV", "22"), Err(RulesError::Rule { .. })));
    assert!(matches!(InStoreRules::from_json("{"), Err(RulesError::Json(_))));
}
