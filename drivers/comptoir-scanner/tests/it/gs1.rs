//! GS1 element strings against gs1_element_string_hri_vectors.csv (biip tests, Apache-2.0),
//! and the AI rules of GS1's syntax dictionary (fixtures/barcodes/gs1-syntax-dictionary.txt).

use chrono::NaiveDate;
use comptoir_scanner::gs1::{
    Dictionary, GS, Gs1Date, Gs1Error, Gs1Price, Weight, WeightUnit, parse_element_string,
    parse_element_string_with, parse_hri,
};
use rust_decimal::Decimal;

use crate::support::{csv_rows, fixture_path};

fn gs(text: &str) -> Vec<u8> {
    text.replace("<GS>", "\u{1d}").into_bytes()
}

#[test]
fn every_element_string_vector() {
    let rows = csv_rows("gs1_element_string_hri_vectors.csv");
    assert_eq!(rows.len(), 8);
    for row in rows {
        let raw = gs(&row["raw_value"]);
        let separators: Vec<u8> = match row["separator_chars"].as_str() {
            "" => vec![GS],
            list => list.split(' ').flat_map(gs).collect(),
        };
        let parsed = parse_element_string_with(&raw, &separators)
            .unwrap_or_else(|e| panic!("{:?}: {e}", row["raw_value"]));
        assert_eq!(parsed.to_hri(), row["expected_hri"], "{:?}", row["raw_value"]);
        // The readable form reads back to the same elements.
        assert_eq!(parse_hri(&row["expected_hri"]).unwrap(), parsed);
    }
}

#[test]
fn the_dictionary_reads_every_entry_of_gs1s_file() {
    let text = std::fs::read_to_string(fixture_path("gs1-syntax-dictionary.txt")).unwrap();
    let lines = text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).count();
    let dictionary = Dictionary::builtin();
    assert_eq!(dictionary.entries().len(), lines);
    let gtin = dictionary.get("01").unwrap();
    assert!(gtin.predefined_length);
    assert_eq!(gtin.fixed_length(), Some(14));
    assert_eq!(gtin.components[0].linters, ["csum", "gcppos2"]);
    let batch = dictionary.get("10").unwrap();
    assert!(!batch.predefined_length);
    assert_eq!((batch.components[0].min, batch.components[0].max), (1, 20));
    assert_eq!(dictionary.get("3105").unwrap().title, "NET WEIGHT (kg)");
    assert!(dictionary.get("3106").is_none());
    assert_eq!(dictionary.get("3932").unwrap().components.len(), 2);
}

#[test]
fn a_bad_dictionary_line_names_its_line() {
    let error =
        Dictionary::parse("# comment\n01 * N14,csum # GTIN\n10 ? Q..20 # BATCH\n").unwrap_err();
    assert_eq!(error.line, 3);
}

#[test]
fn expiry_batch_serial_weight_and_price_are_typed() {
    // GS1-128 on a weighed pack: GTIN, expiry, net weight 1.250 kg, price 123.41, batch.
    let data = gs("0109506000134352172605003103001250392212341<GS>10AB-12<GS>21XYZ");
    let e = parse_element_string(&data).unwrap();
    assert_eq!(e.gtin().unwrap().as_str(), "09506000134352");
    assert_eq!(e.expiry(), Some(Gs1Date { year: 26, month: 5, day: None }));
    assert_eq!(
        e.net_weight(),
        Some(Weight { value: Decimal::new(1250, 3), unit: WeightUnit::Kilogram })
    );
    assert_eq!(e.price(), Some(Gs1Price { amount: Decimal::new(12341, 2), currency: None }));
    assert_eq!(e.batch(), Some("AB-12"));
    assert_eq!(e.serial(), Some("XYZ"));
    let lb = parse_element_string(b"3202000150").unwrap().net_weight().unwrap();
    assert_eq!(lb, Weight { value: Decimal::new(150, 2), unit: WeightUnit::Pound });
    // (393n): ISO 4217 numeric currency first (978 is the euro).
    let eur = parse_hri("(3932)9781234").unwrap().price().unwrap();
    assert_eq!(eur, Gs1Price { amount: Decimal::new(1234, 2), currency: Some("978".into()) });
}

#[test]
fn day_00_is_the_last_day_of_the_month_and_the_century_is_picked_the_gs1_way() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(Gs1Date { year: 26, month: 2, day: None }.resolve(today), Some(date(2026, 2, 28)));
    assert_eq!(Gs1Date { year: 28, month: 2, day: None }.resolve(today), Some(date(2028, 2, 29)));
    assert_eq!(Gs1Date { year: 26, month: 12, day: None }.resolve(today), Some(date(2026, 12, 31)));
    // 50 years ahead is still this century; 51 ahead is the last one; 50 behind the next.
    assert_eq!(Gs1Date { year: 76, month: 1, day: Some(1) }.resolve(today), Some(date(2076, 1, 1)));
    assert_eq!(Gs1Date { year: 77, month: 1, day: Some(1) }.resolve(today), Some(date(1977, 1, 1)));
    let late = NaiveDate::from_ymd_opt(2098, 1, 1).unwrap();
    assert_eq!(Gs1Date { year: 48, month: 1, day: Some(1) }.resolve(late), Some(date(2148, 1, 1)));
    assert_eq!(Gs1Date { year: 49, month: 1, day: Some(1) }.resolve(late), Some(date(2049, 1, 1)));
}

#[test]
fn each_fault_is_a_typed_error_naming_its_ai() {
    let ai = |a: &str| a.to_owned();
    let cases: Vec<(Vec<u8>, Gs1Error)> = vec![
        (b"".to_vec(), Gs1Error::Empty),
        (gs("<GS><GS>"), Gs1Error::Empty),
        (b"0107032069804".to_vec(), Gs1Error::Truncated { ai: ai("01") }),
        (gs("0107032069804<GS>988"), Gs1Error::Truncated { ai: ai("01") }),
        (b"0107032069804989".to_vec(), Gs1Error::CheckDigit { ai: ai("01") }),
        (b"01070320698049AB".to_vec(), Gs1Error::NotNumeric { ai: ai("01") }),
        (b"17261332".to_vec(), Gs1Error::BadDate { ai: ai("17") }),
        (b"17260230".to_vec(), Gs1Error::BadDate { ai: ai("17") }),
        (b"10ABCDEFGHIJKLMNOPQRSTU".to_vec(), Gs1Error::TooLong { ai: ai("10"), max: 20 }),
        (gs("10<GS>17260500"), Gs1Error::NoData { ai: ai("10") }),
        (b"3100".to_vec(), Gs1Error::Truncated { ai: ai("3100") }),
        (b"0107032069804988\xff".to_vec(), Gs1Error::BadCharacter { at: 16 }),
        (b"10A B".to_vec(), Gs1Error::BadCharacter { at: 3 }),
        (b"9".to_vec(), Gs1Error::UnknownAi { at: 0, text: "9".into() }),
        (b"0107032069804988XX".to_vec(), Gs1Error::UnknownAi { at: 16, text: "XX".into() }),
    ];
    for (data, expected) in cases {
        assert_eq!(
            parse_element_string(&data),
            Err(expected),
            "{}",
            String::from_utf8_lossy(&data)
        );
    }
    // With the scanner's identifier: a GS1 one is stripped, another is refused.
    let with_aim = parse_element_string(b"]C10107032069804988").unwrap();
    assert_eq!(with_aim.to_hri(), "(01)07032069804988");
    assert_eq!(parse_element_string(b"]e00107032069804988").unwrap(), with_aim);
    assert_eq!(parse_element_string(b"]E00107032069804988"), Err(Gs1Error::NotGs1));
    assert_eq!(parse_element_string(b"]C"), Err(Gs1Error::NotGs1));
    // In the typed form too.
    assert_eq!(parse_hri("01)0703"), Err(Gs1Error::BadHri { at: 0 }));
    assert_eq!(parse_hri("(01)0703"), Err(Gs1Error::Truncated { ai: ai("01") }));
    assert_eq!(parse_hri("(99999)12"), Err(Gs1Error::BadHri { at: 0 }));
}

#[test]
fn no_input_makes_the_parsers_panic() {
    // Every cut of a valid string, and pseudo-random bytes (a fixed LCG, so failures replay).
    let whole = gs("0109506000134352172605003103001250<GS>10AB-12<GS>21XYZ");
    for end in 0..=whole.len() {
        let _ = parse_element_string(&whole[..end]);
        let _ = parse_hri(&String::from_utf8_lossy(&whole[..end]));
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let len = (seed >> 58) as usize;
        let bytes: Vec<u8> = (0..len).map(|i| (seed >> (i % 8 * 8)) as u8 % 64 + 0x1D).collect();
        let _ = parse_element_string(&bytes);
        let _ = parse_hri(&String::from_utf8_lossy(&bytes));
    }
}
