//! GS1 element strings as a scanner sends them (`parse_element_string`, with GS or `|` as
//! the separator) and as a person types them (`parse_hri`).
//! Invariants: a (01) read has a right check digit; an element string that parses gives a
//! human-readable form that parses to the same elements (when no value holds a `(`, which
//! the HRI form cannot tell from the next AI).
#![no_main]

use comptoir_core::gtin::has_valid_check_digit;
use comptoir_scanner::gs1::{
    ElementString, parse_element_string, parse_element_string_with, parse_hri,
};
use libfuzzer_sys::fuzz_target;

fn check(elements: &ElementString) {
    if let Some(gtin) = elements.gtin() {
        assert!(has_valid_check_digit(gtin.as_str()), "{gtin:?}");
    }
    let _ = (elements.expiry(), elements.best_before(), elements.batch(), elements.serial());
    let _ = (elements.net_weight(), elements.price());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(elements) = parse_element_string(data) {
        check(&elements);
        if !elements.elements.iter().any(|e| e.value.contains('(')) {
            let hri = elements.to_hri();
            assert_eq!(parse_hri(&hri).as_ref(), Ok(&elements), "{hri}");
        }
    }
    if let Ok(elements) = parse_element_string_with(data, b"|\x1d") {
        check(&elements);
    }
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(elements) = parse_hri(text)
    {
        check(&elements);
    }
});
