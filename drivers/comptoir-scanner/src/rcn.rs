//! In-store (restricted circulation) numbers: GTIN-13s with prefix 02 or 20 to 29 that a
//! store's scale or label printer makes, carrying an item number and a price, a weight or a
//! count. Each national GS1 office defines the layouts, so they are data
//! (`fixtures/barcodes/rcn_rules.json`), one layout per country and prefix.
//!
//! FIXME(rcn-countries): France and most other countries have no layout in the file: no
//! published one was found offline. The US and Canadian layout is the common one, not the only
//! one (see `fixtures/barcodes/SOURCE.md`).

use std::collections::BTreeMap;
use std::ops::Range;

use comptoir_core::gtin::{Gtin14, check_digit};
use rust_decimal::Decimal;
use serde::Deserialize;

/// The rules shipped with Comptoir, compiled in.
const RULES: &str = include_str!("../../../fixtures/barcodes/rcn_rules.json");

/// What an in-store number's value field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// The price to charge, in the country's currency.
    Price,
    /// The net weight in kilograms.
    Weight,
    /// A number of pieces.
    Count,
}

/// One prefix's layout, over the 12 digits of the GTIN-13 before its check digit: `P` item
/// number (the prefix included), `C` the value's own check digit, `V` the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixRule {
    pub kind: ValueKind,
    pub decimals: u32,
    item: Range<usize>,
    value: Range<usize>,
    check: Option<usize>,
}

/// One country's layouts, by two-digit prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryRules {
    pub country: String,
    /// ISO 4217 code of the prices.
    pub currency: Option<String>,
    prefixes: BTreeMap<String, PrefixRule>,
}

/// Every country's layouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InStoreRules {
    countries: BTreeMap<String, CountryRules>,
}

/// Why a rules file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("the in-store barcode rules are not valid JSON: {0}")]
    Json(String),
    #[error("in-store rule {country} {prefix}: {reason}")]
    Rule { country: String, prefix: String, reason: String },
}

#[derive(Deserialize)]
struct RulesFile {
    countries: BTreeMap<String, CountryFile>,
}

#[derive(Deserialize)]
struct CountryFile {
    currency: Option<String>,
    prefixes: BTreeMap<String, PrefixFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PrefixFile {
    layout: String,
    value: ValueKind,
    decimals: u32,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

impl InStoreRules {
    /// The rules of `fixtures/barcodes/rcn_rules.json`.
    pub fn builtin() -> InStoreRules {
        // The file is ours and checked by the tests: a failure here is a build defect.
        InStoreRules::from_json(RULES).unwrap_or_else(|e| panic!("builtin in-store rules: {e}"))
    }

    /// Reads a rules file (the same format as the builtin one, for a store's own layouts).
    pub fn from_json(text: &str) -> Result<InStoreRules, RulesError> {
        let file: RulesFile =
            serde_json::from_str(text).map_err(|e| RulesError::Json(e.to_string()))?;
        let mut countries = BTreeMap::new();
        for (country, c) in file.countries {
            let mut prefixes = BTreeMap::new();
            for (prefix, p) in c.prefixes {
                let rule = PrefixRule::new(&prefix, &p).map_err(|reason| RulesError::Rule {
                    country: country.clone(),
                    prefix: prefix.clone(),
                    reason,
                })?;
                prefixes.insert(prefix, rule);
            }
            let rules = CountryRules { country: country.clone(), currency: c.currency, prefixes };
            countries.insert(country.to_ascii_uppercase(), rules);
        }
        Ok(InStoreRules { countries })
    }

    /// A country's rules by ISO 3166 alpha-2 code (`DE`, `SE`).
    pub fn country(&self, code: &str) -> Option<&CountryRules> {
        self.countries.get(&code.trim().to_ascii_uppercase())
    }

    pub fn countries(&self) -> impl Iterator<Item = &str> {
        self.countries.keys().map(String::as_str)
    }
}

impl PrefixRule {
    fn new(prefix: &str, file: &PrefixFile) -> Result<PrefixRule, String> {
        let is_rcn_prefix = prefix == "02"
            || (prefix.len() == 2
                && prefix.starts_with('2')
                && prefix.as_bytes()[1].is_ascii_digit());
        if !is_rcn_prefix {
            return Err("in-store prefixes are 02 and 20 to 29".into());
        }
        let layout = file.layout.as_bytes();
        if layout.len() != 12 || !layout.iter().all(|b| b"PCV".contains(b)) {
            return Err("a layout is 12 letters P, C and V".into());
        }
        let span = |letter: u8| -> Option<Range<usize>> {
            let first = layout.iter().position(|&b| b == letter)?;
            let last = layout.iter().rposition(|&b| b == letter)?;
            Some(first..last + 1)
        };
        let (Some(item), Some(value)) = (span(b'P'), span(b'V')) else {
            return Err("a layout has item digits (P) and value digits (V)".into());
        };
        let check = span(b'C');
        let contiguous =
            |r: &Range<usize>, letter: u8| layout[r.clone()].iter().all(|&b| b == letter);
        if item.start != 0
            || item.len() < 2
            || !contiguous(&item, b'P')
            || !contiguous(&value, b'V')
        {
            return Err("item digits (P) come first, then one run of value digits (V)".into());
        }
        if let Some(check) = &check
            && (check.len() != 1 || !matches!(value.len(), 4 | 5))
        {
            return Err("a value check digit (C) is one digit, over 4 or 5 value digits".into());
        }
        if file.decimals > 5 {
            return Err("at most 5 decimals".into());
        }
        Ok(PrefixRule {
            kind: file.value,
            decimals: file.decimals,
            item,
            value,
            check: check.map(|c| c.start),
        })
    }

    /// Whether the layout has a value check digit (a price verifier).
    pub fn has_value_check(&self) -> bool {
        self.check.is_some()
    }
}

/// What an in-store label carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbeddedValue {
    /// The price to charge, and its currency when the country's rules name it.
    Price {
        amount: Decimal,
        currency: Option<String>,
    },
    /// Net weight in kilograms.
    Weight {
        kg: Decimal,
    },
    Count(u32),
}

/// An in-store label, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    /// The code as scanned.
    pub gtin: Gtin14,
    /// The item number digits, prefix included (`221111`).
    pub item: String,
    /// The same code with its value (and value check digit) set to zero: the barcode the
    /// catalog knows the item by, whatever it weighed.
    pub lookup: Gtin14,
    pub value: EmbeddedValue,
}

/// Why an in-store label cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RcnError {
    #[error("the value check digit of the in-store label is wrong")]
    ValueCheckDigit,
}

/// The GTIN-13 of a GTIN-14 whose indicator digit is 0, when it is an in-store number (prefix
/// 02 or 20 to 29; not an EAN-8, whose 2-prefixed numbers are a company's own).
pub fn in_store_gtin13(gtin: &Gtin14) -> Option<&str> {
    let s = gtin.as_str();
    let gtin13 = s.strip_prefix('0')?;
    let rcn = gtin13.starts_with("02") || gtin13.starts_with('2');
    (rcn && !s.starts_with("000000")).then_some(gtin13)
}

impl CountryRules {
    /// The rule for a two-digit prefix.
    pub fn rule(&self, prefix: &str) -> Option<&PrefixRule> {
        self.prefixes.get(prefix)
    }

    /// Reads an in-store number. `None` when the GTIN is no in-store number or this country
    /// has no rule for its prefix (then it is the store's own item number, read as a GTIN).
    pub fn read(&self, gtin: &Gtin14) -> Option<Result<Embedded, RcnError>> {
        let gtin13 = in_store_gtin13(gtin)?;
        let rule = self.rule(&gtin13[..2])?;
        Some(self.read_with(rule, gtin, gtin13))
    }

    fn read_with(
        &self,
        rule: &PrefixRule,
        gtin: &Gtin14,
        gtin13: &str,
    ) -> Result<Embedded, RcnError> {
        let digits = gtin13.as_bytes();
        let value_digits = &gtin13[rule.value.clone()];
        if let Some(at) = rule.check
            && price_check_digit(value_digits) != Some(digits[at] - b'0')
        {
            return Err(RcnError::ValueCheckDigit);
        }
        let units: u32 = value_digits.parse().map_err(|_| RcnError::ValueCheckDigit)?;
        let amount = Decimal::new(i64::from(units), rule.decimals);
        let value = match rule.kind {
            ValueKind::Price => EmbeddedValue::Price { amount, currency: self.currency.clone() },
            ValueKind::Weight => EmbeddedValue::Weight { kg: amount },
            ValueKind::Count => EmbeddedValue::Count(units),
        };
        Ok(Embedded {
            gtin: gtin.clone(),
            item: gtin13[rule.item.clone()].to_owned(),
            lookup: zeroed(rule, &gtin13[..12]).unwrap_or_else(|| gtin.clone()),
            value,
        })
    }
}

/// The code with its value digits zero, the value check digit and the GTIN check digit redone.
fn zeroed(rule: &PrefixRule, body: &str) -> Option<Gtin14> {
    let mut digits: Vec<u8> = body.bytes().collect();
    digits[rule.value.clone()].fill(b'0');
    if let Some(at) = rule.check {
        let zeros = "0".repeat(rule.value.len());
        digits[at] = b'0' + price_check_digit(&zeros).unwrap_or(0);
    }
    let body = String::from_utf8_lossy(&digits).into_owned();
    let check = check_digit(&body)?;
    Gtin14::parse(&format!("{body}{check}")).ok()
}

// Weighting factors of the price check digit (GS1 General Specifications, section 7.9.2):
// the product's units digit (2-, 5-: minus its tens digit; 5+: plus it).
const TWO_MINUS: [u8; 10] = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
const THREE: [u8; 10] = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
const FIVE_PLUS: [u8; 10] = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
const FIVE_MINUS: [u8; 10] = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

/// The check digit of a 4- or 5-digit price (or weight) field (GS1 General Specifications,
/// sections 7.9.3 and 7.9.4): weights 2-, 2-, 3, 5- for four digits, times 3, units digit;
/// weights 5+, 2-, 5-, 5+, 2- for five digits, and the digit whose 5- product is ten minus the
/// sum's units digit.
pub fn price_check_digit(value: &str) -> Option<u8> {
    let digits: Vec<usize> = value
        .bytes()
        .map(|b| b.checked_sub(b'0').filter(|d| *d <= 9).map(usize::from))
        .collect::<Option<_>>()?;
    match digits[..] {
        [a, b, c, d] => {
            let sum = u32::from(TWO_MINUS[a] + TWO_MINUS[b] + THREE[c] + FIVE_MINUS[d]);
            Some((sum * 3 % 10) as u8)
        }
        [a, b, c, d, e] => {
            let sum = u32::from(
                FIVE_PLUS[a] + TWO_MINUS[b] + FIVE_MINUS[c] + FIVE_PLUS[d] + TWO_MINUS[e],
            );
            let target = ((10 - sum % 10) % 10) as u8;
            FIVE_MINUS.iter().position(|&w| w == target).map(|d| d as u8)
        }
        _ => None,
    }
}
