//! A currency's decimals and cash rounding: Unicode CLDR's `fractions` (digits, cash digits,
//! cash rounding) with the cash rounding rules file layered over it where CLDR has nothing
//! (the Australian and New Zealand dollars), and the euro's rounding by country (CLDR gives the
//! euro none; the rules file names the countries that round cash to 0.05).
//!
//! Pure: [`CurrencyTables::parse`] takes the files' text; [`CurrencyTables::embedded`] parses
//! the copies of `fixtures/tax/` compiled into the binary. Every rule the data has rounds to
//! the nearest increment, half up ([`RoundingMode::HalfUp`]); a store may choose another mode.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use comptoir_core::{Currency, RoundingMode};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;

/// The texts of the two files, as `fixtures/tax/` holds them.
#[derive(Clone, Copy, Debug)]
pub struct CurrencyTexts<'a> {
    /// `cldr_currency_data.json` (CLDR `supplemental/currencyData.json`)
    pub cldr: &'a str,
    /// `cash_rounding_rules.csv`
    pub rules: &'a str,
}

/// The files compiled into the binary (CLDR's is 71 kB, most of it the currencies each region
/// used, which tells a currency code from a typing mistake).
pub const EMBEDDED: CurrencyTexts<'static> = CurrencyTexts {
    cldr: include_str!("../../../fixtures/tax/cldr_currency_data.json"),
    rules: include_str!("../../../fixtures/tax/cash_rounding_rules.csv"),
};

/// The rounding modes by the names a store configuration uses.
pub const ROUNDING_MODES: [(&str, RoundingMode); 5] = [
    ("half_up", RoundingMode::HalfUp),
    ("half_even", RoundingMode::HalfEven),
    ("half_down", RoundingMode::HalfDown),
    ("up", RoundingMode::Up),
    ("down", RoundingMode::Down),
];

/// A rounding mode by its configuration name (`half_up`, `half_even`, `half_down`, `up`,
/// `down`).
pub fn rounding_mode(name: &str) -> Option<RoundingMode> {
    ROUNDING_MODES.iter().find(|(n, _)| *n == name).map(|(_, mode)| *mode)
}

/// Where a currency's cash rounding came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CashSource {
    /// CLDR's `_cashRounding` / `_cashDigits`.
    Cldr,
    /// A row of the rules file (CLDR has none for the currency).
    Rules,
    /// Neither has one: cash settles to the minor unit.
    None,
}

/// What a store needs of its currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrencyRules {
    pub currency: Currency,
    pub cash_source: CashSource,
}

/// Why a currency cannot be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CurrencyError {
    /// Not a currency code CLDR knows (fractions or any region's use).
    Unknown(String),
    /// The euro rounds cash by country: the store's country is needed.
    CountryNeeded(String),
}

impl fmt::Display for CurrencyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CurrencyError::Unknown(code) => {
                write!(f, "{code:?} is not a currency code (ISO 4217, as CLDR lists them)")
            }
            CurrencyError::CountryNeeded(code) => write!(
                f,
                "{code} cash rounding depends on the country: give the store's country (or its \
                 jurisdiction), or cash_rounding.increment"
            ),
        }
    }
}

impl std::error::Error for CurrencyError {}

/// CLDR's fractions and the rules file, read.
#[derive(Clone, Debug)]
pub struct CurrencyTables {
    fractions: BTreeMap<String, Fraction>,
    known: BTreeSet<String>,
    /// Currency → increment in major units, for the rules CLDR does not have.
    rules: BTreeMap<String, Decimal>,
    /// The euro countries (ISO 3166) whose cash rounds, and to what.
    euro: BTreeMap<String, Decimal>,
}

#[derive(Clone, Debug, Deserialize)]
struct Fraction {
    #[serde(rename = "_digits")]
    digits: String,
    #[serde(rename = "_cashDigits", default)]
    cash_digits: Option<String>,
    #[serde(rename = "_cashRounding", default)]
    cash_rounding: Option<String>,
}

#[derive(Deserialize)]
struct CldrFile {
    supplemental: Supplemental,
}

#[derive(Deserialize)]
struct Supplemental {
    #[serde(rename = "currencyData")]
    currency_data: CurrencyData,
}

#[derive(Deserialize)]
struct CurrencyData {
    fractions: BTreeMap<String, Fraction>,
    /// Region → the currencies it used, each `{code: {_from, _to, …}}`.
    region: BTreeMap<String, Vec<BTreeMap<String, serde_json::Value>>>,
}

#[derive(Deserialize)]
struct RuleRow {
    currency: String,
    country: String,
    increment: String,
}

/// The euro countries, by the English names the rules file uses.
const EURO_COUNTRIES: [(&str, &str); 21] = [
    ("Austria", "AT"),
    ("Belgium", "BE"),
    ("Bulgaria", "BG"),
    ("Croatia", "HR"),
    ("Cyprus", "CY"),
    ("Estonia", "EE"),
    ("Finland", "FI"),
    ("France", "FR"),
    ("Germany", "DE"),
    ("Greece", "GR"),
    ("Ireland", "IE"),
    ("Italy", "IT"),
    ("Latvia", "LV"),
    ("Lithuania", "LT"),
    ("Luxembourg", "LU"),
    ("Malta", "MT"),
    ("Netherlands", "NL"),
    ("Portugal", "PT"),
    ("Slovakia", "SK"),
    ("Slovenia", "SI"),
    ("Spain", "ES"),
];

impl CurrencyTables {
    pub fn parse(texts: &CurrencyTexts<'_>) -> Result<CurrencyTables, String> {
        let cldr: CldrFile = serde_json::from_str(texts.cldr)
            .map_err(|e| format!("cldr_currency_data.json: {e}"))?;
        let data = cldr.supplemental.currency_data;
        let mut known: BTreeSet<String> =
            data.fractions.keys().filter(|code| *code != "DEFAULT").cloned().collect();
        known.extend(data.region.values().flatten().flat_map(|uses| uses.keys().cloned()));
        let mut tables = CurrencyTables {
            fractions: data.fractions,
            known,
            rules: BTreeMap::new(),
            euro: BTreeMap::new(),
        };
        tables.read_rules(texts.rules)?;
        Ok(tables)
    }

    /// The tables compiled into the binary, read once.
    pub fn embedded() -> &'static CurrencyTables {
        static TABLES: OnceLock<CurrencyTables> = OnceLock::new();
        // Fixed at build time and read by this crate's tests: a failure cannot ship.
        TABLES.get_or_init(|| {
            CurrencyTables::parse(&EMBEDDED).expect("the embedded currency tables are tested")
        })
    }

    fn read_rules(&mut self, text: &str) -> Result<(), String> {
        const FILE: &str = "cash_rounding_rules.csv";
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for row in reader.deserialize::<RuleRow>() {
            let row = row.map_err(|e| format!("{FILE}: {e}"))?;
            // A rule that no longer applies (Sweden's 0.50 before 2010-10-01) says so.
            if row.country.to_lowercase().contains("historic") {
                continue;
            }
            // `5 (forint)`: the number is the first word.
            let number = row.increment.split_whitespace().next().unwrap_or_default();
            let increment: Decimal = number.parse().map_err(|_| {
                format!("{FILE}, {}: increment {:?} is not a number", row.currency, row.increment)
            })?;
            if row.currency != "EUR" {
                self.rules.insert(row.currency, increment);
                continue;
            }
            // `Finland/Netherlands/Belgium/Ireland/Italy (varies)`
            let names = row.country.split(" (").next().unwrap_or_default();
            for name in names.split('/').map(str::trim) {
                let Some((_, code)) = EURO_COUNTRIES.iter().find(|(n, _)| *n == name) else {
                    return Err(format!("{FILE}, EUR: {name:?} is not a euro country"));
                };
                self.euro.insert((*code).to_owned(), increment);
            }
        }
        Ok(())
    }

    /// CLDR's fractions of a currency (its own, or the default) and its digits.
    fn fraction(&self, code: &str) -> Result<(&Fraction, u32), CurrencyError> {
        let unknown = || CurrencyError::Unknown(code.to_owned());
        if !self.known.contains(code) {
            return Err(unknown());
        }
        let fraction = self.fractions.get(code).or_else(|| self.fractions.get("DEFAULT"));
        let fraction = fraction.ok_or_else(unknown)?;
        let digits: u32 = fraction.digits.parse().map_err(|_| unknown())?;
        Ok((fraction, digits))
    }

    /// The decimals of a currency's minor unit (CLDR's `_digits`: 2 for CAD, 0 for JPY).
    pub fn digits(&self, code: &str) -> Result<u32, CurrencyError> {
        self.fraction(code).map(|(_, digits)| digits)
    }

    /// The currency `code` as a store uses it: CLDR's digits, and its cash increment from
    /// CLDR, else the rules file, else (the euro) the store's `country`.
    pub fn rules(&self, code: &str, country: Option<&str>) -> Result<CurrencyRules, CurrencyError> {
        let (fraction, digits) = self.fraction(code)?;
        let (increment, cash_source) = match self.cldr_increment(fraction, digits) {
            Some(increment) => (increment, CashSource::Cldr),
            None => match self.rule_increment(code, country, digits)? {
                Some(increment) => (increment, CashSource::Rules),
                None => (1, CashSource::None),
            },
        };
        Ok(CurrencyRules { currency: Currency::new(code, digits, increment), cash_source })
    }

    /// CLDR's cash increment in minor units: `_cashRounding` (0 meaning 1) units of
    /// `_cashDigits` decimals (the currency's digits if absent). `None` when CLDR gives
    /// neither.
    fn cldr_increment(&self, fraction: &Fraction, digits: u32) -> Option<i64> {
        if fraction.cash_digits.is_none() && fraction.cash_rounding.is_none() {
            return None;
        }
        let cash_digits: u32 = match &fraction.cash_digits {
            Some(text) => text.parse().ok()?,
            None => digits,
        };
        let rounding: i64 = fraction.cash_rounding.as_deref().unwrap_or("0").parse().ok()?;
        let scale = 10_i64.checked_pow(digits.checked_sub(cash_digits)?)?;
        Some(rounding.max(1) * scale)
    }

    fn rule_increment(
        &self,
        code: &str,
        country: Option<&str>,
        digits: u32,
    ) -> Result<Option<i64>, CurrencyError> {
        let increment = if code == "EUR" {
            let country = country.ok_or_else(|| CurrencyError::CountryNeeded(code.to_owned()))?;
            self.euro.get(&country.trim().to_uppercase())
        } else {
            self.rules.get(code)
        };
        let minor = increment.map(|i| i * Decimal::from(10_i64.pow(digits)));
        Ok(minor.and_then(|m| m.to_i64()).filter(|m| *m >= 1))
    }

    /// The rules file's increments for currencies CLDR also rounds, in minor units, next to
    /// CLDR's: `(code, rules, cldr)`. The tests check they agree.
    pub fn overlaps(&self) -> Vec<(String, i64, i64)> {
        let mut out = Vec::new();
        for (code, increment) in &self.rules {
            let Some(fraction) = self.fractions.get(code) else { continue };
            let Ok(digits) = fraction.digits.parse::<u32>() else { continue };
            let Some(cldr) = self.cldr_increment(fraction, digits) else { continue };
            let rules = (increment * Decimal::from(10_i64.pow(digits))).to_i64().unwrap_or(0);
            out.push((code.clone(), rules, cldr));
        }
        out
    }
}

/// A currency from the embedded tables.
pub fn currency(code: &str, country: Option<&str>) -> Result<Currency, CurrencyError> {
    CurrencyTables::embedded().rules(code, country).map(|r| r.currency)
}
