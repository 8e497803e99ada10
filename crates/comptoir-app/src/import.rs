//! Catalog import: our own CSV format and Open Food Facts exports, checked row by row.
//!
//! Every bad row is reported with its line number and the reason; the good rows are written
//! in one transaction only if the caller accepts the file (the CLI refuses a file with errors
//! unless told to skip them), so a bad file never half-updates the catalog.

use comptoir_core::gtin::Gtin14;
use comptoir_store::CatalogRow;
use serde::Serialize;

use crate::config;
use crate::error::{AppError, AppResult};

/// One refused row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
}

const TAX_CLASSES: [&str; 3] = ["standard", "zero_rated", "exempt"];

/// Reads a catalog file, recognising its format from the header.
pub fn parse_catalog(text: &str, store: &config::Store) -> AppResult<ParsedCatalog> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| AppError::new("invalid_catalog", format!("line 1: {e}")))?
        .clone();
    let has = |name: &str| headers.iter().any(|h| h == name);
    let format = if has("sku") && has("price") && has("tax_class") {
        "comptoir"
    } else if has("code") && has("product_name") {
        "openfoodfacts"
    } else {
        return Err(AppError::new(
            "invalid_catalog",
            "line 1: unknown columns: expected our format (sku,barcode,name,name_fr,price,tax_class,kind,unit) or an Open Food Facts export (code,product_name,…)",
        ));
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
            "comptoir" => own_row(&fields, store),
            _ => off_row(&fields),
        };
        match row.and_then(|row| parsed.check_unique(row)) {
            Ok(row) => {
                parsed.rows.push(row);
                parsed.lines.push(line);
            }
            Err(reason) => parsed.errors.push(RowError { line, reason }),
        }
    }
    Ok(parsed)
}

impl ParsedCatalog {
    /// A SKU or a barcode given twice in one file is an error, not "the last row wins".
    fn check_unique(&self, row: CatalogRow) -> Result<CatalogRow, String> {
        if let Some(line) = self.rows.iter().position(|r| r.sku == row.sku).map(|i| self.lines[i]) {
            return Err(format!("{}: the sku is also on line {line}", row.sku));
        }
        if let Some(gtin) = &row.gtin
            && let Some(i) = self.rows.iter().position(|r| r.gtin.as_ref() == Some(gtin))
        {
            return Err(format!(
                "{}: barcode {gtin} is also on line {} ({})",
                row.sku, self.lines[i], self.rows[i].sku
            ));
        }
        Ok(row)
    }
}

fn own_row(f: &Fields<'_>, store: &config::Store) -> Result<CatalogRow, String> {
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
            let price = store.currency.parse(text).map_err(|e| format!("{sku}: price {e}"))?;
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
    let kind = match f.get("kind") {
        "" | "item" => "item",
        "non_merchandise" => "non_merchandise",
        other => return Err(format!("{sku}: kind {other:?} is not item or non_merchandise")),
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
