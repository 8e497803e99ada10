//! A store's configuration, as `fixtures/stores/*/store.json` writes it, and its demo data.

use chrono::NaiveDate;
use comptoir_core::tax::{TaxClass, TaxDefinition, TaxRate, TaxRegime, TaxRounding};
use comptoir_core::{Currency, Money};
use comptoir_protocol::currency::{self as currency_tables, CurrencyTables};
use comptoir_protocol::jurisdiction::{Jurisdiction, TaxTables};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub use comptoir_protocol::catalog::{Labels, RateConfig, TaxConfig};

/// Picks a language's text, falling back to English, then to any.
pub fn label<'a>(labels: &'a Labels, lang: &str) -> &'a str {
    labels
        .get(lang)
        .or_else(|| labels.get("en"))
        .or_else(|| labels.values().next())
        .map_or("", |s| s)
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoreConfig {
    pub code: String,
    pub name: String,
    pub currency: String,
    pub timezone: String,
    pub languages: Vec<String>,
    pub default_language: String,
    pub prices_include_tax: bool,
    pub tax_rounding: String,
    /// How cash is rounded; absent, it is the currency's rule (CLDR and the rules file of
    /// `fixtures/tax/`, by the store's country for the euro).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_rounding: Option<CashRoundingConfig>,
    #[serde(default)]
    pub address: Vec<String>,
    #[serde(default)]
    pub tax_registrations: Vec<TaxRegistration>,
    /// `CA-QC`, `EU-FR`, `GB`, `US-NY` (`comptoir_protocol::jurisdiction`): the taxes when
    /// `taxes` is absent, and the store's country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// The store's ISO 3166 country (`FI`), when the jurisdiction does not give it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The store's taxes. Given, even empty, it is the whole list and the jurisdiction's taxes
    /// are not used: the server's published list replaces this one, and a tax it leaves out
    /// must not come back from the jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxes: Option<Vec<TaxConfig>>,
    #[serde(default)]
    pub receipt_footer: Labels,
    pub register_prefix: String,
    /// The largest discount each role may give on its own, as a percentage of what the line
    /// or the order costs; above it a manager approves. A role not listed may give none.
    #[serde(default = "default_discount_limits")]
    pub discount_limits: std::collections::BTreeMap<String, Decimal>,
    /// What a return without a receipt gets.
    #[serde(default)]
    pub returns_without_receipt: crate::returns::NoReceiptPolicy,
}

fn default_discount_limits() -> std::collections::BTreeMap<String, Decimal> {
    [("cashier", Decimal::TEN), ("manager", Decimal::ONE_HUNDRED)]
        .into_iter()
        .map(|(role, limit)| (role.to_owned(), limit))
        .collect()
}

/// Either field overrides what the currency gives.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CashRoundingConfig {
    /// The smallest cash amount, in major units (`"0.05"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<String>,
    /// `half_up` (every rule the data has), `half_even`, `half_down`, `up`, `down`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaxRegistration {
    pub label: Labels,
    pub number: String,
}

/// A store configuration checked and turned into domain values.
#[derive(Clone, Debug)]
pub struct Store {
    pub config: StoreConfig,
    pub currency: Currency,
    /// The taxes in force: the configuration's list, or its jurisdiction's.
    pub taxes: Vec<TaxConfig>,
    pub regime: TaxRegime,
    pub tz: chrono_tz::Tz,
}

impl Store {
    pub fn from_json(json: &str) -> Result<Store, AppError> {
        let config: StoreConfig =
            serde_json::from_str(json).map_err(|e| AppError::config(format!("store.json: {e}")))?;
        Store::from_config(config)
    }

    pub fn from_config(config: StoreConfig) -> Result<Store, AppError> {
        let jurisdiction = match config.jurisdiction.as_deref() {
            Some(code) => Some(
                TaxTables::embedded()
                    .get(code)
                    .map_err(|e| AppError::config(format!("jurisdiction: {e}")))?,
            ),
            None => None,
        };
        let currency = store_currency(&config, jurisdiction)?;
        let tz: chrono_tz::Tz = config
            .timezone
            .parse()
            .map_err(|_| AppError::config(format!("unknown time zone {}", config.timezone)))?;
        let rounding = match config.tax_rounding.as_str() {
            "per_line" => TaxRounding::PerLine,
            "per_rate_over_sale" => TaxRounding::PerRateOverSale,
            other => return Err(AppError::config(format!("unknown tax_rounding {other}"))),
        };
        let taxes = store_taxes(&config, jurisdiction)?;
        if let Some(fault) = comptoir_protocol::catalog::taxes_fault(&taxes) {
            return Err(AppError::config(format!("taxes: {fault}")));
        }
        let definitions = taxes.iter().map(tax_definition).collect::<Result<_, _>>()?;
        let regime = TaxRegime {
            prices_include_tax: config.prices_include_tax,
            rounding,
            taxes: definitions,
        };
        Ok(Store { config, currency, taxes, regime, tz })
    }

    /// The largest discount a role may give on its own, as a percentage.
    pub fn discount_limit(&self, role: &str) -> Decimal {
        self.config.discount_limits.get(role).copied().unwrap_or(Decimal::ZERO)
    }

    pub fn money(&self, amount: Money) -> String {
        amount.format(&self.currency)
    }

    pub fn tax_label(&self, code: &str, lang: &str) -> String {
        self.taxes
            .iter()
            .find(|t| t.code == code)
            .map_or_else(|| code.to_owned(), |t| label(&t.label, lang).to_owned())
    }

    /// The store's ISO 3166 country: its `country`, else its jurisdiction's (`CA-QC` is `CA`).
    pub fn country(&self) -> Option<String> {
        if let Some(country) = &self.config.country {
            return Some(country.to_ascii_uppercase());
        }
        let code = self.config.jurisdiction.as_deref()?;
        TaxTables::embedded().get(code).ok().map(|j| j.country.to_ascii_uppercase())
    }

    /// The known tax classes (those some tax has a rate for), plus `exempt`.
    pub fn tax_classes(&self) -> Vec<String> {
        let mut classes: Vec<String> =
            self.taxes.iter().flat_map(|t| t.rates.iter().map(|r| r.class.clone())).collect();
        classes.push("exempt".to_owned());
        classes.sort();
        classes.dedup();
        classes
    }
}

/// The store's currency: CLDR's digits; the cash increment and mode the configuration gives,
/// else the currency's rule (by the store's country, or its jurisdiction's, for the euro).
fn store_currency(
    config: &StoreConfig,
    jurisdiction: Option<&Jurisdiction>,
) -> Result<Currency, AppError> {
    let tables = CurrencyTables::embedded();
    let code = config.currency.as_str();
    let bad = |e: currency_tables::CurrencyError| AppError::config(format!("currency: {e}"));
    let given = config.cash_rounding.clone().unwrap_or_default();
    let mut currency = match given.increment.as_deref() {
        Some(text) => {
            let digits = tables.digits(code).map_err(bad)?;
            let increment: Decimal = text
                .parse()
                .map_err(|_| AppError::config("cash_rounding.increment is not a number"))?;
            let increment =
                Currency::new(code, digits, 1).from_decimal(increment).ok_or_else(|| {
                    AppError::config("cash_rounding.increment has more decimals than the currency")
                })?;
            Currency::new(code, digits, increment.minor())
        }
        None => {
            let country = config.country.as_deref().or(jurisdiction.map(|j| j.country.as_str()));
            tables.rules(code, country).map_err(bad)?.currency
        }
    };
    if let Some(name) = given.mode.as_deref() {
        let mode = currency_tables::rounding_mode(name).ok_or_else(|| {
            let names: Vec<&str> =
                currency_tables::ROUNDING_MODES.iter().map(|(n, _)| *n).collect();
            AppError::config(format!(
                "cash_rounding.mode {name:?} is not one of {}",
                names.join(", ")
            ))
        })?;
        currency = currency.with_cash_mode(mode);
    }
    Ok(currency)
}

/// The configuration's taxes if it lists them, else its jurisdiction's.
fn store_taxes(
    config: &StoreConfig,
    jurisdiction: Option<&Jurisdiction>,
) -> Result<Vec<TaxConfig>, AppError> {
    if let Some(taxes) = &config.taxes {
        return Ok(taxes.clone());
    }
    let Some(jurisdiction) = jurisdiction else {
        return Err(AppError::config(
            "taxes: list the store's taxes, or name its jurisdiction (CA-QC, EU-FR, GB, US-NY, …)",
        ));
    };
    for note in &jurisdiction.notes {
        tracing::debug!(jurisdiction = %jurisdiction.code, note, "store taxes from the tables");
    }
    if jurisdiction.disputed {
        tracing::warn!(jurisdiction = %jurisdiction.code, "the sources disagree on this rate");
    }
    Ok(jurisdiction.taxes.clone())
}

fn tax_definition(tax: &TaxConfig) -> Result<TaxDefinition, AppError> {
    let rates = tax
        .rates
        .iter()
        .map(|r| {
            let bad = || AppError::config(format!("tax {}: bad rate {r:?}", tax.code));
            Ok(TaxRate {
                class: TaxClass::new(&r.class),
                rate: r.rate.parse().map_err(|_| bad())?,
                from: NaiveDate::parse_from_str(&r.from, "%Y-%m-%d").map_err(|_| bad())?,
                to: match &r.to {
                    Some(to) => Some(NaiveDate::parse_from_str(to, "%Y-%m-%d").map_err(|_| bad())?),
                    None => None,
                },
            })
        })
        .collect::<Result<_, AppError>>()?;
    Ok(TaxDefinition { code: tax.code.clone(), rates })
}

/// A demo store shipped inside the binary, so `init --store montreal` needs no files.
#[derive(Clone, Copy, Debug)]
pub struct DemoStore {
    pub code: &'static str,
    pub store_json: &'static str,
    pub cashiers_json: &'static str,
    pub catalog_csv: &'static str,
    /// The store's demo promotions (a promotions file, as the server imports).
    pub promotions_json: &'static str,
}

pub const DEMO_STORES: [DemoStore; 2] = [
    DemoStore {
        code: "montreal",
        store_json: include_str!("../../../fixtures/stores/montreal/store.json"),
        cashiers_json: include_str!("../../../fixtures/stores/montreal/cashiers.json"),
        catalog_csv: include_str!("../../../fixtures/stores/montreal/catalog.csv"),
        promotions_json: include_str!("../../../fixtures/stores/montreal/promotions.json"),
    },
    DemoStore {
        code: "london",
        store_json: include_str!("../../../fixtures/stores/london/store.json"),
        cashiers_json: include_str!("../../../fixtures/stores/london/cashiers.json"),
        catalog_csv: include_str!("../../../fixtures/stores/london/catalog.csv"),
        promotions_json: include_str!("../../../fixtures/stores/london/promotions.json"),
    },
];

pub fn demo_store(code: &str) -> Option<DemoStore> {
    DEMO_STORES.iter().copied().find(|s| s.code == code)
}

#[derive(Clone, Debug, Deserialize)]
pub struct DemoCashier {
    pub id: String,
    pub name: String,
    pub role: String,
    pub pin: String,
}

#[cfg(test)]
mod tests {
    use comptoir_core::RoundingMode;
    use serde_json::{Value, json};

    use super::*;

    /// A store configuration with no taxes and no cash rounding, `extra` merged over it.
    fn store(extra: Value) -> Result<Store, AppError> {
        let mut config = json!({
            "code": "test",
            "name": "Test",
            "currency": "CAD",
            "timezone": "America/Toronto",
            "languages": ["en"],
            "default_language": "en",
            "prices_include_tax": false,
            "tax_rounding": "per_rate_over_sale",
            "register_prefix": "TST",
        });
        for (key, value) in extra.as_object().unwrap() {
            config[key] = value.clone();
        }
        Store::from_json(&config.to_string())
    }

    fn codes(store: &Store) -> Vec<&str> {
        store.taxes.iter().map(|t| t.code.as_str()).collect()
    }

    #[test]
    fn the_demo_stores_load() {
        for demo in DEMO_STORES {
            let store = Store::from_json(demo.store_json).unwrap();
            assert_eq!(store.currency.digits, 2, "{}", demo.code);
        }
        let montreal = Store::from_json(DEMO_STORES[0].store_json).unwrap();
        assert_eq!((montreal.currency.cash_increment, codes(&montreal)), (5, vec!["GST", "QST"]));
    }

    #[test]
    fn a_jurisdiction_gives_the_taxes_unless_they_are_listed() {
        let quebec = store(json!({"jurisdiction": "CA-QC"})).unwrap();
        assert_eq!(codes(&quebec), ["GST", "QST"]);
        assert_eq!(quebec.tax_label("QST", "fr"), "TVQ");
        let day = NaiveDate::from_ymd_opt(2013, 1, 1).unwrap();
        let rates = quebec.regime.rates_for(&TaxClass::new("standard"), day);
        assert_eq!(rates, [("GST", Decimal::new(5, 2)), ("QST", Decimal::new(9975, 5))]);
        // A listed list wins whole, even empty (the server's published list replaces it).
        let none = store(json!({"jurisdiction": "CA-QC", "taxes": []})).unwrap();
        assert!(none.taxes.is_empty());
        let gst = quebec.taxes[..1].to_vec();
        let listed = store(json!({"jurisdiction": "CA-QC", "taxes": gst})).unwrap();
        assert_eq!(codes(&listed), ["GST"]);
        let reduced = store(json!({"currency": "GBP", "jurisdiction": "GB"})).unwrap();
        assert!(reduced.tax_classes().contains(&"reduced".to_owned()));
    }

    #[test]
    fn a_store_without_taxes_or_a_known_jurisdiction_is_refused() {
        let missing = store(json!({})).unwrap_err();
        assert!(missing.to_string().contains("name its jurisdiction"), "{missing}");
        let unknown = store(json!({"jurisdiction": "QC"})).unwrap_err().to_string();
        assert!(unknown.contains("did you mean CA-QC?") && unknown.contains("EU-FR"), "{unknown}");
    }

    #[test]
    fn cash_rounding_comes_from_the_currency_and_the_country() {
        let cash =
            |extra: Value| store(extra).map(|s| (s.currency.digits, s.currency.cash_increment));
        let taxes = json!([]);
        assert_eq!(cash(json!({"taxes": taxes})).unwrap(), (2, 5));
        assert_eq!(cash(json!({"currency": "CHF", "taxes": taxes})).unwrap(), (2, 5));
        assert_eq!(cash(json!({"currency": "SEK", "taxes": taxes})).unwrap(), (2, 100));
        assert_eq!(cash(json!({"currency": "JPY", "taxes": taxes})).unwrap(), (0, 1));
        assert_eq!(cash(json!({"currency": "EUR", "jurisdiction": "EU-FI"})).unwrap(), (2, 5));
        assert_eq!(cash(json!({"currency": "EUR", "jurisdiction": "EU-DE"})).unwrap(), (2, 1));
        let nl = json!({"currency": "EUR", "country": "NL", "taxes": taxes});
        assert_eq!(cash(nl).unwrap(), (2, 5));
        let nowhere = cash(json!({"currency": "EUR", "taxes": taxes})).unwrap_err();
        assert!(nowhere.to_string().contains("country"), "{nowhere}");
        let unknown = cash(json!({"currency": "XYZ", "taxes": taxes})).unwrap_err();
        assert!(unknown.to_string().contains("XYZ"), "{unknown}");
    }

    #[test]
    fn an_explicit_increment_or_mode_overrides_the_currency() {
        let taxes = json!([]);
        let tenth = store(json!({"cash_rounding": {"increment": "0.10"}, "taxes": taxes})).unwrap();
        assert_eq!(
            (tenth.currency.cash_increment, tenth.currency.cash_mode),
            (10, RoundingMode::HalfUp)
        );
        let even = store(json!({"cash_rounding": {"mode": "half_even"}, "taxes": taxes})).unwrap();
        assert_eq!(
            (even.currency.cash_increment, even.currency.cash_mode),
            (5, RoundingMode::HalfEven)
        );
        // The euro with an increment given needs no country.
        let eur =
            json!({"currency": "EUR", "cash_rounding": {"increment": "0.05"}, "taxes": taxes});
        assert_eq!(store(eur).unwrap().currency.cash_increment, 5);
        let odd = store(json!({"cash_rounding": {"mode": "nearest"}, "taxes": taxes})).unwrap_err();
        assert!(odd.to_string().contains("half_even"), "{odd}");
        let yen = json!({"currency": "JPY", "cash_rounding": {"increment": "0.5"}, "taxes": taxes});
        assert!(store(yen).unwrap_err().to_string().contains("more decimals"));
    }
}
