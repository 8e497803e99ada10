//! The catalog as the server publishes it and registers apply it: items, effective-dated
//! prices and taxes, carried by a versioned change log a register pulls with `since`; and the
//! catalog file formats (our CSV and Open Food Facts exports), checked row by row, which both
//! the register's import and the server's import read.

use std::collections::BTreeMap;

use comptoir_core::Currency;
use comptoir_core::gtin::Gtin14;
use serde::{Deserialize, Serialize};

/// One catalog item as a register stores it and a file gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogRow {
    pub sku: String,
    pub gtin: Option<String>,
    pub name: String,
    pub name_fr: Option<String>,
    pub price_minor: Option<i64>,
    pub tax_class: String,
    pub kind: String,
}

/// Text in several languages: `{"fr": "TPS", "en": "GST"}`.
pub type Labels = BTreeMap<String, String>;

/// A tax and its effective-dated rates per tax class, as a store's configuration holds them
/// and the server publishes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxConfig {
    pub code: String,
    pub label: Labels,
    pub rates: Vec<RateConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateConfig {
    pub class: String,
    /// A fraction: `"0.05"` for 5 %.
    pub rate: String,
    /// The first day the rate applies (`YYYY-MM-DD`).
    pub from: String,
    /// The last day it applies, if it ends.
    #[serde(default)]
    pub to: Option<String>,
}

/// Why a list of taxes cannot be used, or `None`: codes unique and non-empty, every rate for
/// a known tax class and a fraction from 0 to 0.5 with at most 6 decimals, dates that parse,
/// and no two rates of a tax and class in force on the same day. An empty list is allowed here
/// (a store in Oregon charges none); the server asks for it to be said on purpose.
pub fn taxes_fault(taxes: &[TaxConfig]) -> Option<String> {
    use chrono::NaiveDate;
    let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let mut codes = std::collections::BTreeSet::new();
    for tax in taxes {
        if tax.code.trim().is_empty() {
            return Some("a tax has an empty code".to_owned());
        }
        if !codes.insert(tax.code.as_str()) {
            return Some(format!("tax {} is given twice", tax.code));
        }
        let mut spans: Vec<(&str, NaiveDate, NaiveDate)> = Vec::new();
        for rate in &tax.rates {
            let what = format!("tax {} class {}", tax.code, rate.class);
            if !TAX_CLASSES.contains(&rate.class.as_str()) {
                return Some(format!(
                    "{what}: the class is not one items have ({})",
                    TAX_CLASSES.join(", ")
                ));
            }
            // A fraction below one half (the highest sales tax or VAT anywhere is under 30 %),
            // with at most 6 decimals (Québec's QST is 0.09975).
            match rate.rate.parse::<rust_decimal::Decimal>() {
                Ok(r)
                    if !r.is_sign_negative()
                        && r < rust_decimal::Decimal::new(5, 1)
                        && r.normalize().scale() <= 6 => {}
                _ => {
                    return Some(format!(
                        "{what}: rate {:?} is not a fraction from 0 to 0.5 with at most 6 decimals (0.05 for 5 %)",
                        rate.rate
                    ));
                }
            }
            let Some(from) = day(&rate.from) else {
                return Some(format!("{what}: from {:?} is not a date (YYYY-MM-DD)", rate.from));
            };
            let to = match &rate.to {
                None => NaiveDate::MAX,
                Some(to) => match day(to) {
                    Some(to) if to >= from => to,
                    _ => {
                        return Some(format!("{what}: to {to:?} is not a date on or after {from}"));
                    }
                },
            };
            if let Some((_, f, t)) =
                spans.iter().find(|(class, f, t)| *class == rate.class && from <= *t && *f <= to)
            {
                let until = if *t == NaiveDate::MAX { "on".to_owned() } else { format!("to {t}") };
                return Some(format!(
                    "{what}: two rates in force at once (one from {f} {until}, one from {from}): \
                     end the first with \"to\": \"YYYY-MM-DD\", the day before the second starts"
                ));
            }
            spans.push((&rate.class, from, to));
        }
    }
    None
}

/// An item as the server publishes it: everything but its price, which has its own changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRecord {
    pub sku: String,
    pub gtin: Option<String>,
    pub name: String,
    pub name_fr: Option<String>,
    pub tax_class: String,
    pub kind: String,
    /// No longer sold: the register drops it from its catalog (lines already rung keep it).
    #[serde(default)]
    pub retired: bool,
}

/// A price of an item from a moment on, in the store's local time (`YYYY-MM-DDTHH:MM`), so an
/// offline register switches on time. `price` is a decimal string, or `None` for an item whose
/// price the cashier keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceRecord {
    pub sku: String,
    pub price: Option<String>,
    pub from: String,
    /// Published to apply at once: `from` is when it was published (the server's clock), and a
    /// register whose clock is behind applies it from when it receives it.
    #[serde(default)]
    pub immediate: bool,
}

/// One change of a store's catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    Item(ItemRecord),
    Price(PriceRecord),
    /// The store's taxes, the whole list (it replaces the one the register has).
    Taxes {
        taxes: Vec<TaxConfig>,
    },
    /// A promotion, whole (a later one of the same id replaces it; `retired` withdraws it).
    Promotion(crate::promotion::PromotionRecord),
}

impl Change {
    /// What a later change of the same thing replaces: the item, the price of an item from a
    /// moment, or the taxes.
    pub fn key(&self) -> String {
        match self {
            Change::Item(item) => format!("item:{}", item.sku),
            Change::Price(price) => format!("price:{}@{}", price.sku, price.from),
            Change::Taxes { .. } => "taxes".to_owned(),
            Change::Promotion(promotion) => format!("promotion:{}", promotion.id),
        }
    }
}

/// A change and the store's catalog version it made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionedChange {
    pub version: i64,
    #[serde(flatten)]
    pub change: Change,
}

/// `GET /v1/catalog?since=v&limit=n`: the changes after version `since`, oldest first. The
/// log is compacted: of the changes of one thing only the latest is kept, so a new register
/// pulling from 0 gets the catalog as it is now, not its history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogPage {
    pub since: i64,
    /// The store's latest version.
    pub latest: i64,
    pub changes: Vec<VersionedChange>,
    /// More changes wait after the last one of this page.
    pub more: bool,
}

/// The most changes one page carries.
pub const MAX_CATALOG_PAGE: i64 = 2000;

/// A local date-time as prices use it (`YYYY-MM-DDTHH:MM`), parsed.
pub fn parse_local_time(text: &str) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()
}

/// A local date-time to the minute, as prices are given (seconds and below dropped).
pub fn to_minute(at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
    use chrono::Timelike;
    at.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(at)
}

/// A local date-time written as prices use it.
pub fn format_local_time(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// One refused row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The line in the file, counting the header as line 1.
    pub line: u64,
    pub reason: String,
}

/// What a file holds.
#[derive(Clone, Debug, Default)]
pub struct ParsedCatalog {
    pub format: &'static str,
    pub rows: Vec<CatalogRow>,
    /// The file line of each row, for errors found later (a barcode that belongs to another item).
    pub lines: Vec<u64>,
    pub errors: Vec<RowError>,
    /// Where each SKU and barcode is among `rows`, while the file is read (a file of 100,000
    /// rows is checked in one pass, not in the square of it).
    by_sku: std::collections::HashMap<String, usize>,
    by_gtin: std::collections::HashMap<String, usize>,
}

/// The tax classes an item may have (a tax gives rates per class): `standard`, the VAT classes
/// of reduced rates (named as [`crate::jurisdiction::VAT_CLASSES`] explains), `zero_rated`
/// (taxable at 0) and `exempt` (outside the tax).
pub const TAX_CLASSES: [&str; 8] = [
    "standard",
    "reduced",
    "reduced1",
    "reduced2",
    "super_reduced",
    "parking",
    "zero_rated",
    "exempt",
];

/// Reads a catalog file, recognising its format from the header.
pub fn parse_catalog(text: &str, currency: &Currency) -> Result<ParsedCatalog, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| format!("line 1: {e}"))?.clone();
    let has = |name: &str| headers.iter().any(|h| h == name);
    let format = if has("sku") && has("price") && has("tax_class") {
        "comptoir"
    } else if has("code") && has("product_name") {
        "openfoodfacts"
    } else {
        return Err("line 1: unknown columns: expected our format (sku,barcode,name,name_fr,price,tax_class,kind,unit) or an Open Food Facts export (code,product_name,…)".to_owned());
    };
    let mut parsed = ParsedCatalog { format, ..ParsedCatalog::default() };
    for (n, record) in reader.records().enumerate() {
        let line = n as u64 + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                parsed.errors.push(RowError { line, reason: format!("unreadable row: {e}") });
                continue;
            }
        };
        if format == "comptoir" && record.len() != headers.len() {
            let reason = format!(
                "the row has {} fields where the header has {}",
                record.len(),
                headers.len()
            );
            parsed.errors.push(RowError { line, reason });
            continue;
        }
        let fields = Fields { record: &record, headers: &headers };
        let row = match format {
            "comptoir" => own_row(&fields, currency),
            _ => off_row(&fields),
        };
        match row.and_then(|row| parsed.check_unique(row)) {
            Ok(row) => parsed.push(row, line),
            Err(reason) => parsed.errors.push(RowError { line, reason }),
        }
    }
    Ok(parsed)
}

impl ParsedCatalog {
    /// A SKU or a barcode given twice in one file is an error, not "the last row wins".
    fn check_unique(&self, row: CatalogRow) -> Result<CatalogRow, String> {
        if let Some(line) = self.by_sku.get(&row.sku).map(|&i| self.lines[i]) {
            return Err(format!("{}: the sku is also on line {line}", row.sku));
        }
        if let Some(gtin) = &row.gtin
            && let Some(&i) = self.by_gtin.get(gtin)
        {
            return Err(format!(
                "{}: barcode {gtin} is also on line {} ({})",
                row.sku, self.lines[i], self.rows[i].sku
            ));
        }
        Ok(row)
    }

    fn push(&mut self, row: CatalogRow, line: u64) {
        let index = self.rows.len();
        self.by_sku.insert(row.sku.clone(), index);
        if let Some(gtin) = &row.gtin {
            self.by_gtin.insert(gtin.clone(), index);
        }
        self.rows.push(row);
        self.lines.push(line);
    }
}

fn own_row(f: &Fields<'_>, currency: &Currency) -> Result<CatalogRow, String> {
    let sku = f.get("sku");
    if sku.is_empty() {
        return Err("the sku is empty".to_owned());
    }
    let name = f.get("name");
    if name.is_empty() {
        return Err(format!("{sku}: the name is empty"));
    }
    let gtin = barcode(f.get("barcode"))?;
    let price = match f.get("price") {
        "" => None,
        text => {
            let price = currency.parse(text).map_err(|e| format!("{sku}: price {e}"))?;
            if price.is_negative() {
                return Err(format!("{sku}: the price {text} is negative"));
            }
            Some(price.minor())
        }
    };
    let tax_class = f.get("tax_class");
    if !TAX_CLASSES.contains(&tax_class) {
        return Err(format!("{sku}: tax class {tax_class:?} is not one of {TAX_CLASSES:?}"));
    }
    let kind = match (f.get("kind"), f.get("unit")) {
        ("" | "item", "" | "each") => "item",
        ("" | "item" | "weighed", "kg") | ("weighed", "") => "weighed",
        ("non_merchandise", "" | "each") => "non_merchandise",
        (_, unit) if !matches!(unit, "" | "each" | "kg") => {
            return Err(format!("{sku}: unit {unit:?} is not each or kg"));
        }
        (other, unit) => {
            return Err(format!(
                "{sku}: kind {other:?} sold by {} is not item, weighed (unit kg) or \
                 non_merchandise",
                if unit.is_empty() { "each" } else { unit }
            ));
        }
    };
    let name_fr = Some(f.get("name_fr")).filter(|s| !s.is_empty()).map(str::to_owned);
    Ok(CatalogRow {
        sku: sku.to_owned(),
        gtin,
        name: name.to_owned(),
        name_fr,
        price_minor: price,
        tax_class: tax_class.to_owned(),
        kind: kind.to_owned(),
    })
}

/// One row's fields by column name.
struct Fields<'a> {
    record: &'a csv::StringRecord,
    headers: &'a csv::StringRecord,
}

impl Fields<'_> {
    fn get(&self, name: &str) -> &str {
        let index = self.headers.iter().position(|h| h == name);
        index.and_then(|i| self.record.get(i)).map(str::trim).unwrap_or("")
    }
}

/// An Open Food Facts row has a barcode and a name but no price or tax class: it comes in
/// as an open-price, standard-rated item for a manager to complete.
fn off_row(f: &Fields<'_>) -> Result<CatalogRow, String> {
    let code = f.get("code");
    let gtin =
        barcode(&restore_leading_zeros(code))?.ok_or_else(|| "the barcode is empty".to_owned())?;
    let name = f.get("product_name");
    if name.is_empty() {
        return Err(format!("{code}: the product name is empty"));
    }
    Ok(CatalogRow {
        sku: format!("M{}", gtin.trim_start_matches('0')),
        gtin: Some(gtin),
        name: name.to_owned(),
        name_fr: None,
        price_minor: None,
        tax_class: "standard".to_owned(),
        kind: "item".to_owned(),
    })
}

/// A spreadsheet drops the leading zeros of a barcode (`0000651511016` becomes `651511016`).
/// Leading zeros do not change a GTIN's check digit, so a short all-digit code is padded back
/// to 13 digits; the check digit still has to be right.
fn restore_leading_zeros(code: &str) -> String {
    let short = (6..8).contains(&code.len()) || (9..12).contains(&code.len());
    if short && code.bytes().all(|b| b.is_ascii_digit()) {
        format!("{code:0>13}")
    } else {
        code.to_owned()
    }
}

fn barcode(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if text.contains(['E', 'e']) && text.contains('.') {
        return Err(format!(
            "barcode {text:?} went through a spreadsheet (scientific notation): its digits are lost"
        ));
    }
    Gtin14::parse(text)
        .map(|g| Some(g.as_str().to_owned()))
        .map_err(|e| format!("barcode {text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_reads_back_as_written() {
        let changes = [
            Change::Item(ItemRecord {
                sku: "A".into(),
                gtin: Some("00012345678905".into()),
                name: "Item".into(),
                name_fr: None,
                tax_class: "standard".into(),
                kind: "item".into(),
                retired: false,
            }),
            Change::Price(PriceRecord {
                sku: "A".into(),
                price: Some("1.99".into()),
                from: "2026-12-05T06:00".into(),
                immediate: false,
            }),
            Change::Taxes { taxes: vec![] },
            Change::Promotion(
                serde_json::from_value(serde_json::json!({
                    "id": "P1", "label": {"en": "2 for 5.00"}, "from": "2026-01-01T00:00",
                    "rule": {"type": "mix_match", "items": {"skus": ["A"]}, "qty": 2, "price": "5.00"}
                }))
                .unwrap(),
            ),
        ];
        for (n, change) in changes.into_iter().enumerate() {
            let versioned = VersionedChange { version: n as i64 + 1, change };
            let json = serde_json::to_string(&versioned).unwrap();
            assert_eq!(
                serde_json::from_str::<VersionedChange>(&json).unwrap(),
                versioned,
                "{json}"
            );
        }
    }

    #[test]
    fn overlapping_or_malformed_rates_are_refused() {
        let rate = |class: &str, rate: &str, from: &str, to: Option<&str>| RateConfig {
            class: class.into(),
            rate: rate.into(),
            from: from.into(),
            to: to.map(Into::into),
        };
        let tax = |rates| vec![TaxConfig { code: "VAT".into(), label: Labels::new(), rates }];
        let overlapping = tax(vec![
            rate("standard", "0.175", "2008-12-01", Some("2009-12-31")),
            rate("standard", "0.15", "2008-12-01", Some("2009-12-31")),
        ]);
        assert!(taxes_fault(&overlapping).unwrap().contains("two rates in force"));
        let ok = tax(vec![
            rate("standard", "0.15", "2008-12-01", Some("2009-12-31")),
            rate("standard", "0.175", "2010-01-01", Some("2011-01-03")),
            rate("standard", "0.2", "2011-01-04", None),
            rate("zero_rated", "0", "2008-12-01", None),
        ]);
        assert_eq!(taxes_fault(&ok), None);
        assert!(taxes_fault(&tax(vec![rate("standard", "-0.1", "2008-01-01", None)])).is_some());
        assert!(taxes_fault(&tax(vec![rate("standard", "0.1", "2008-13-01", None)])).is_some());
        assert!(
            taxes_fault(&tax(vec![rate("standard", "0.1", "2008-01-02", Some("2008-01-01"))]))
                .is_some()
        );
        let mut twice = tax(vec![]);
        twice.extend(tax(vec![]));
        assert!(taxes_fault(&twice).unwrap().contains("twice"));
    }
}
