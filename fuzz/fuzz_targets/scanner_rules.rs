//! A store's own in-store label rules file (`InStoreRules::from_json`), then a code read with
//! each country's rules of that file (`CountryRules::read`).
//! Input: the rules file, a NUL byte, the scanned digits.
//! Invariant: a label read with any rules still gives GTINs with a right check digit.
#![no_main]

use comptoir_core::gtin::{Gtin14, has_valid_check_digit};
use comptoir_scanner::{InStoreRules, Interpreter, Scanned};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|&b| b == 0) else { return };
    let (Ok(text), code) = (std::str::from_utf8(&data[..split]), &data[split + 1..]) else {
        return;
    };
    let Ok(rules) = InStoreRules::from_json(text) else { return };
    let countries: Vec<String> = rules.countries().map(str::to_owned).collect();
    let digits = String::from_utf8_lossy(code);
    for country in &countries {
        let Some(country_rules) = rules.country(country) else { continue };
        if let Ok(gtin) = Gtin14::parse(&digits)
            && let Some(Ok(label)) = country_rules.read(&gtin)
        {
            assert!(has_valid_check_digit(label.lookup.as_str()), "{label:?}");
        }
        let interpreter = Interpreter::new(Some(country_rules.clone()));
        if let Ok(scan) = interpreter.interpret(code)
            && let Scanned::Embedded(label) = scan.scanned
        {
            assert!(has_valid_check_digit(label.gtin.as_str()), "{label:?}");
            assert!(has_valid_check_digit(label.lookup.as_str()), "{label:?}");
        }
    }
});
