//! A store's configuration, as `fixtures/stores/*/store.json` writes it, and its demo data.

use chrono::NaiveDate;
use comptoir_core::tax::{TaxClass, TaxDefinition, TaxRate, TaxRegime, TaxRounding};
use comptoir_core::{Currency, Money};
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
    pub cash_rounding: CashRoundingConfig,
    #[serde(default)]
    pub address: Vec<String>,
    #[serde(default)]
    pub tax_registrations: Vec<TaxRegistration>,
    pub taxes: Vec<TaxConfig>,
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

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CashRoundingConfig {
    pub increment: String,
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
        let digits = 2;
        let increment: Decimal = config
            .cash_rounding
            .increment
            .parse()
            .map_err(|_| AppError::config("cash_rounding.increment is not a number"))?;
        let currency = Currency::new(&config.currency, digits, 1);
        let increment = currency
            .from_decimal(increment)
            .ok_or_else(|| AppError::config("cash_rounding.increment has too many decimals"))?;
        let currency = Currency::new(&config.currency, digits, increment.minor());
        let tz: chrono_tz::Tz = config
            .timezone
            .parse()
            .map_err(|_| AppError::config(format!("unknown time zone {}", config.timezone)))?;
        let rounding = match config.tax_rounding.as_str() {
            "per_line" => TaxRounding::PerLine,
            "per_rate_over_sale" => TaxRounding::PerRateOverSale,
            other => return Err(AppError::config(format!("unknown tax_rounding {other}"))),
        };
        if let Some(fault) = comptoir_protocol::catalog::taxes_fault(&config.taxes) {
            return Err(AppError::config(format!("taxes: {fault}")));
        }
        let taxes = config.taxes.iter().map(tax_definition).collect::<Result<_, _>>()?;
        let regime = TaxRegime { prices_include_tax: config.prices_include_tax, rounding, taxes };
        Ok(Store { config, currency, regime, tz })
    }

    /// The largest discount a role may give on its own, as a percentage.
    pub fn discount_limit(&self, role: &str) -> Decimal {
        self.config.discount_limits.get(role).copied().unwrap_or(Decimal::ZERO)
    }

    pub fn money(&self, amount: Money) -> String {
        amount.format(&self.currency)
    }

    pub fn tax_label(&self, code: &str, lang: &str) -> String {
        self.config
            .taxes
            .iter()
            .find(|t| t.code == code)
            .map_or_else(|| code.to_owned(), |t| label(&t.label, lang).to_owned())
    }

    /// The known tax classes (those some tax has a rate for), plus `exempt`.
    pub fn tax_classes(&self) -> Vec<String> {
        let mut classes: Vec<String> = self
            .config
            .taxes
            .iter()
            .flat_map(|t| t.rates.iter().map(|r| r.class.clone()))
            .collect();
        classes.push("exempt".to_owned());
        classes.sort();
        classes.dedup();
        classes
    }
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
}

pub const DEMO_STORES: [DemoStore; 2] = [
    DemoStore {
        code: "montreal",
        store_json: include_str!("../../../fixtures/stores/montreal/store.json"),
        cashiers_json: include_str!("../../../fixtures/stores/montreal/cashiers.json"),
        catalog_csv: include_str!("../../../fixtures/stores/montreal/catalog.csv"),
    },
    DemoStore {
        code: "london",
        store_json: include_str!("../../../fixtures/stores/london/store.json"),
        cashiers_json: include_str!("../../../fixtures/stores/london/cashiers.json"),
        catalog_csv: include_str!("../../../fixtures/stores/london/catalog.csv"),
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
