//! What a scan means to the register: one case per kind of code a store meets.

use comptoir_core::gtin::Gtin14;
use comptoir_scanner::interpret::{looks_like_credit, looks_like_receipt};
use comptoir_scanner::{EmbeddedValue, InStoreRules, Interpreter, Scanned, interpret};
use rust_decimal::Decimal;

fn item(code: &str) -> Scanned {
    Scanned::Item { gtin: Gtin14::parse(code).unwrap(), add_on: None }
}

#[test]
fn product_barcodes_become_items_by_gtin_14() {
    assert_eq!(interpret(b"]E04006381333931").unwrap().scanned, item("4006381333931"));
    assert_eq!(interpret(b"4006381333931").unwrap().scanned, item("4006381333931"));
    assert_eq!(interpret(b"]E496385074").unwrap().scanned, item("96385074"));
    // A UPC-A finds the 0-prefixed EAN-13 (comptoir-core's own example).
    assert_eq!(interpret(b"036000291452").unwrap().scanned, item("0036000291452"));
    let scan = interpret(b"]E3400638133393112").unwrap();
    assert_eq!(
        scan.scanned,
        Scanned::Item { gtin: Gtin14::parse("4006381333931").unwrap(), add_on: Some("12".into()) }
    );
    assert_eq!(scan.aim.unwrap().to_string(), "]E3");
    // ITF-14 on a case: its GTIN-14 (indicator digit 1).
    assert_eq!(interpret(b"]I110012345000017").unwrap().scanned, item("10012345000017"));
    assert_eq!(interpret(b"]I01234").unwrap().scanned, Scanned::Text("1234".into()));
}

#[test]
fn gs1_codes_carry_their_gtin_expiry_and_batch() {
    for raw in [
        &b"]C1010703206980498815210526100329"[..],
        b"]e0010703206980498815210526100329",
        b"]d2010703206980498815210526100329",
        b"\x1d010703206980498815210526100329",
    ] {
        let Scanned::Gs1(e) = interpret(raw).unwrap().scanned else { panic!("{raw:?}") };
        assert_eq!(e.gtin(), Gtin14::parse("07032069804988").ok());
        assert_eq!(e.batch(), Some("0329"));
        assert_eq!(e.best_before().map(|d| (d.year, d.month, d.day)), Some((21, 5, Some(26))));
    }
    // Typed by a person in the readable form.
    let Scanned::Gs1(e) = interpret(b"(01)07032069804988(17)260500(10)AB12").unwrap().scanned
    else {
        panic!()
    };
    assert_eq!(e.expiry().map(|d| d.day), Some(None));
    // The same digits after ]C0 are Code 128 text, not GS1.
    assert_eq!(interpret(b"]C0100329").unwrap().scanned, Scanned::Text("100329".into()));
}

#[test]
fn receipts_start_a_return_and_credit_notes_pay() {
    assert_eq!(
        interpret(b"MTL01-000042").unwrap().scanned,
        Scanned::Receipt("MTL01-000042".into())
    );
    assert_eq!(
        interpret(b"mtl01-2-000042").unwrap().scanned,
        Scanned::Receipt("MTL01-2-000042".into())
    );
    assert_eq!(
        interpret(b"]C0MTL01-000042").unwrap().scanned,
        Scanned::Receipt("MTL01-000042".into())
    );
    assert_eq!(
        interpret(b"CR-MTL01-000001").unwrap().scanned,
        Scanned::Credit("CR-MTL01-000001".into())
    );
    // The same rule as comptoir-app's (its examples and edges).
    assert!(looks_like_receipt("MTL01-000042") && looks_like_receipt("MTL01-2-000042"));
    assert!(
        !looks_like_receipt("01-000042")
            && !looks_like_receipt("MTL01-")
            && !looks_like_receipt("MTL01-1-2-3")
    );
    assert!(!looks_like_receipt("MTL01-00A042") && !looks_like_receipt("4006381333931"));
    assert!(looks_like_credit(" cr-MTL01-000001") && !looks_like_credit("CRX-1"));
}

#[test]
fn each_meaning_names_what_the_register_does() {
    let de = Interpreter::new(InStoreRules::builtin().country("DE").cloned());
    let actions: Vec<&str> = [
        &b"4006381333931"[..],
        b"2811111068708",
        b"]C1010703206980498815210526",
        b"]C11520052610AB",
        b"MTL01-000042",
        b"CR-MTL01-000001",
        b"85123A",
    ]
    .iter()
    .map(|raw| de.interpret(raw).unwrap().scanned.action())
    .collect();
    assert_eq!(
        actions,
        [
            "ring_item",
            "ring_label",
            "ring_item",
            "lookup_code",
            "start_return",
            "tender_credit",
            "lookup_code"
        ]
    );
}

#[test]
fn anything_else_is_a_stock_code() {
    // Stock codes of the UCI Online Retail data (fixtures/replay): looked up as they are.
    for code in ["85123A", "POST", "22423", "M", "BANK CHARGES"] {
        assert_eq!(interpret(code.as_bytes()).unwrap().scanned, Scanned::Text(code.into()));
    }
    assert_eq!(
        interpret(b"]Q1https://example.org/p/1").unwrap().scanned,
        Scanned::Text("https://example.org/p/1".into())
    );
}

#[test]
fn in_store_labels_use_the_stores_country() {
    let rules = InStoreRules::builtin();
    let de = Interpreter::new(rules.country("DE").cloned());
    let Scanned::Embedded(e) = de.interpret(b"]E02811111068708").unwrap().scanned else { panic!() };
    assert_eq!(e.value, EmbeddedValue::Weight { kg: Decimal::new(6870, 3) });
    // Without rules, the label is the store's own number.
    assert_eq!(interpret(b"2811111068708").unwrap().scanned, item("2811111068708"));
}

#[test]
fn bad_scans_are_typed_errors_with_a_message_for_the_cashier() {
    let cases: &[(&[u8], &str)] = &[
        (b"4006381333932", "scan_check_digit"),
        (b"]E04006381333932", "scan_check_digit"),
        (b"]E0400638133", "scan_not_a_gtin"),
        (b"", "scan_empty"),
        (b"   ", "scan_empty"),
        (b"]", "scan_garbage"),
        (b"]E", "scan_garbage"),
        (b"\xff\x00abc", "scan_garbage"),
        (b"4006\x07381333931", "scan_garbage"),
        ("caf\u{e9}".as_bytes(), "scan_garbage"),
        (b"]C10107032069804", "scan_gs1_invalid"),
        (b"(01)07032069804989", "scan_gs1_invalid"),
    ];
    for (raw, code) in cases {
        let error = interpret(raw).unwrap_err();
        assert_eq!(error.code(), *code, "{}", String::from_utf8_lossy(raw));
        assert!(error.message().contains(':'), "{}", error.message());
    }
    let long = vec![b'7'; 257];
    assert_eq!(interpret(&long).unwrap_err().code(), "scan_too_long");
    assert!(interpret(&long[..256]).is_ok());
    let check = interpret(b"4006381333932").unwrap_err().message();
    assert_eq!(
        check,
        "barcode 4006381333932 did not read right (wrong check digit): scan it again or type the number under the bars"
    );
    let gs1 = interpret(b"(01)07032069804989").unwrap_err().message();
    assert!(gs1.contains("(01)"), "{gs1}");
}

#[test]
fn no_bytes_make_the_interpreter_panic() {
    let rules = InStoreRules::builtin();
    let de = Interpreter::new(rules.country("DE").cloned());
    let samples: [&[u8]; 5] = [
        b"]E02811111068708",
        b"]C1010703206980498815210526100329",
        b"(01)07032069804988(17)260500(10)AB12",
        b"]E3400638133393112",
        b"MTL01-2-000042",
    ];
    for sample in samples {
        for end in 0..=sample.len() {
            let _ = de.interpret(&sample[..end]);
            let _ = de.interpret(&sample[end..]);
        }
    }
    let mut seed: u64 = 7;
    for _ in 0..20_000 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let len = (seed >> 59) as usize;
        let alphabet = b"]Ee0123456789C1d2(\x1d)-AB";
        let bytes: Vec<u8> = (0..len)
            .map(|i| alphabet[((seed >> (i * 3 % 60)) as usize) % alphabet.len()])
            .collect();
        let _ = de.interpret(&bytes);
    }
}
