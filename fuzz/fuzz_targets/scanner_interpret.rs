//! What a scan means: `interpret`, without and with each country's in-store label rules.
//! Invariants: a GTIN the register rings (an item, an in-store label's code and lookup code,
//! a GS1 code's (01)) always has a right check digit; errors have a code and a message.
#![no_main]

use comptoir_core::gtin::{Gtin14, has_valid_check_digit};
use comptoir_scanner::{InStoreRules, Interpreter, Scanned, interpret};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

/// One interpreter per country's rules, and one without: the rules are read once.
static INTERPRETERS: LazyLock<Vec<Interpreter>> = LazyLock::new(|| {
    let rules = InStoreRules::builtin();
    let countries: Vec<String> = rules.countries().map(str::to_owned).collect();
    let mut all = vec![Interpreter::default()];
    all.extend(countries.iter().map(|c| Interpreter::new(rules.country(c).cloned())));
    all
});

fn check_gtin(gtin: &Gtin14) {
    assert_eq!(gtin.as_str().len(), 14, "{gtin:?}");
    assert!(has_valid_check_digit(gtin.as_str()), "{gtin:?}");
}

fn check(interpreter: &Interpreter, data: &[u8]) {
    match interpreter.interpret(data) {
        Ok(scan) => {
            let _ = scan.scanned.action();
            match &scan.scanned {
                Scanned::Item { gtin, .. } => check_gtin(gtin),
                Scanned::Embedded(label) => {
                    check_gtin(&label.gtin);
                    check_gtin(&label.lookup);
                }
                Scanned::Gs1(elements) => {
                    if let Some(gtin) = elements.gtin() {
                        check_gtin(&gtin);
                    }
                    let _ = (elements.expiry(), elements.net_weight(), elements.price());
                }
                Scanned::Receipt(_) | Scanned::Credit(_) | Scanned::Text(_) => {}
            }
        }
        Err(error) => {
            assert!(!error.code().is_empty());
            assert!(!error.message().is_empty());
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, scan)) = data.split_first() else { return };
    let _ = interpret(scan);
    check(&INTERPRETERS[usize::from(pick) % INTERPRETERS.len()], scan);
});
