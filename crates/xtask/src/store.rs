//! The shapes of `store.json` and `cashiers.json`, in the field order the files show.

use std::path::Path;

use anyhow::Context as _;
use serde::Serialize;

/// A text in the store's languages; a language the store does not use is left out.
#[derive(Serialize, Clone, Debug, Default)]
pub struct Label {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Label {
    pub fn en(en: &str) -> Label {
        Label { fr: None, en: Some(en.to_owned()) }
    }

    pub fn fr_en(fr: &str, en: &str) -> Label {
        Label { fr: Some(fr.to_owned()), en: Some(en.to_owned()) }
    }
}

#[derive(Serialize, Debug)]
pub struct Store {
    pub code: String,
    pub name: String,
    pub currency: String,
    pub timezone: String,
    pub languages: Vec<String>,
    pub default_language: String,
    pub prices_include_tax: bool,
    pub tax_rounding: String,
    pub cash_rounding: CashRounding,
    pub cash_only_rounding: bool,
    pub address: Vec<String>,
    pub tax_registrations: Vec<TaxRegistration>,
    pub taxes: Vec<Tax>,
    pub receipt_footer: Label,
    pub register_prefix: String,
}

#[derive(Serialize, Debug)]
pub struct CashRounding {
    pub increment: String,
}

#[derive(Serialize, Debug)]
pub struct TaxRegistration {
    pub label: Label,
    pub number: String,
}

#[derive(Serialize, Debug)]
pub struct Tax {
    pub code: String,
    pub label: Label,
    pub rates: Vec<Rate>,
}

/// A rate for one tax class, in force from `from` to `to` (both inclusive, ISO dates).
#[derive(Serialize, Debug)]
pub struct Rate {
    pub class: String,
    pub rate: String,
    pub from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A demo cashier. The PINs are demo values, documented as such in the store's README.
#[derive(Serialize, Debug)]
pub struct Cashier {
    pub id: String,
    pub name: String,
    pub role: String,
    pub pin: String,
}

impl Cashier {
    pub fn new(id: &str, name: &str, role: &str, pin: &str) -> Cashier {
        Cashier { id: id.into(), name: name.into(), role: role.into(), pin: pin.into() }
    }
}

/// Writes `value` as pretty JSON (two-space indent) with a final newline.
pub fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
