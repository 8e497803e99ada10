//! The shapes of `store.json` and `cashiers.json`, in the field order the files show.

use std::path::Path;

use anyhow::Context as _;
use comptoir_protocol::catalog::{Labels, TaxConfig};
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

    /// The texts of `labels` in the store's `languages` (the file knows French and English).
    pub fn of(labels: &Labels, languages: &[String]) -> Label {
        let pick = |lang: &str| {
            languages.iter().any(|l| l == lang).then(|| labels.get(lang).cloned()).flatten()
        };
        Label { fr: pick("fr"), en: pick("en") }
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
    /// Where `taxes` come from (`comptoir_protocol::jurisdiction`); the list is written out
    /// too, so the file says what the register charges.
    pub jurisdiction: String,
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

impl Tax {
    /// A tax of the jurisdiction tables, its labels in the store's languages.
    pub fn of(tax: &TaxConfig, languages: &[String]) -> Tax {
        let rates = tax
            .rates
            .iter()
            .map(|r| Rate {
                class: r.class.clone(),
                rate: r.rate.clone(),
                from: r.from.clone(),
                to: r.to.clone(),
            })
            .collect();
        Tax { code: tax.code.clone(), label: Label::of(&tax.label, languages), rates }
    }
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
