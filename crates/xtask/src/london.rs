//! The London shop's catalog: one row per stock code sold in the first week of December 2010
//! by a UK online retailer (UCI Online Retail), priced at its usual unit price, VAT included.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context as _;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::catalog::{CatalogRow, Kind, TaxClass};

pub const WEEK_FILE: &str = "transactions/online_retail_week_2010-12-01.csv";
pub const NON_PRODUCT_FILE: &str = "transactions/online_retail_non_product_codes.csv";
/// The Dotcomgiftshop codes of the non-product file are goods (party bags, an ashtray, dog
/// collars) sold through another channel, not fees: they stay items.
const GIFT_SHOP_GOODS_PREFIX: &str = "DCGS";

#[derive(Debug, Default)]
pub struct London {
    pub rows: Vec<CatalogRow>,
    pub lines: usize,
    pub codes_seen: usize,
    pub codes_merged_by_case: usize,
    pub left_out: BTreeMap<&'static str, usize>,
}

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "StockCode")]
    stock_code: String,
    #[serde(rename = "Description")]
    description: String,
    #[serde(rename = "Quantity")]
    quantity: i64,
    #[serde(rename = "UnitPrice")]
    unit_price: String,
}

#[derive(Deserialize)]
struct NonProductLine {
    #[serde(rename = "StockCode")]
    stock_code: String,
}

/// Everything the week says about one stock code.
#[derive(Default)]
struct CodeLines {
    /// Positive unit prices and how many lines had each.
    prices: BTreeMap<Decimal, usize>,
    /// Names from lines with a positive price, then from lines sold at no charge; counts and
    /// the order of first appearance (for ties).
    priced_names: Vec<(String, usize)>,
    free_names: Vec<(String, usize)>,
}

pub fn build(data: &Path) -> anyhow::Result<London> {
    let lines: Vec<Line> = crate::sources::read_csv(&data.join(WEEK_FILE))?;
    let non_product: Vec<NonProductLine> = crate::sources::read_csv(&data.join(NON_PRODUCT_FILE))?;
    let non_product: BTreeSet<String> = non_product
        .into_iter()
        .map(|line| line.stock_code.trim().to_uppercase())
        .filter(|code| !code.starts_with(GIFT_SHOP_GOODS_PREFIX))
        .collect();

    let mut out = London { lines: lines.len(), ..London::default() };
    let mut spellings = BTreeSet::new();
    let mut codes: BTreeMap<String, CodeLines> = BTreeMap::new();
    for line in &lines {
        spellings.insert(line.stock_code.trim().to_owned());
        let code = line.stock_code.trim().to_uppercase();
        add_line(codes.entry(code).or_default(), line)?;
    }
    out.codes_seen = codes.len();
    out.codes_merged_by_case = spellings.len() - codes.len();

    for (code, seen) in codes {
        let non_merchandise = non_product.contains(&code);
        match row(code, &seen, non_merchandise) {
            Ok(row) => out.rows.push(row),
            Err(reason) => *out.left_out.entry(reason).or_default() += 1,
        }
    }
    Ok(out)
}

fn add_line(seen: &mut CodeLines, line: &Line) -> anyhow::Result<()> {
    let price: Decimal = line
        .unit_price
        .trim()
        .parse()
        .with_context(|| format!("unit price {:?} of {}", line.unit_price, line.stock_code))?;
    anyhow::ensure!(
        price.normalize().scale() <= 2,
        "unit price {price} of {} has more than 2 decimals",
        line.stock_code
    );
    let name = crate::text::clean_name(&line.description);
    if price > Decimal::ZERO {
        *seen.prices.entry(price.normalize()).or_default() += 1;
        count(&mut seen.priced_names, name);
    } else if line.quantity > 0 {
        count(&mut seen.free_names, name);
    }
    // A line at no charge with a negative quantity is a stock adjustment whose description is
    // a note ("check", "?", "damaged"), not the product's name.
    Ok(())
}

fn count(names: &mut Vec<(String, usize)>, name: String) {
    if name.is_empty() {
        return;
    }
    match names.iter_mut().find(|(known, _)| *known == name) {
        Some((_, n)) => *n += 1,
        None => names.push((name, 1)),
    }
}

fn row(code: String, seen: &CodeLines, non_merchandise: bool) -> Result<CatalogRow, &'static str> {
    let names = if seen.priced_names.is_empty() { &seen.free_names } else { &seen.priced_names };
    let Some(name) = most_frequent_name(names) else {
        return Err("no name: only stock adjustments or blank descriptions");
    };
    let (kind, price) = if non_merchandise {
        (Kind::NonMerchandise, None)
    } else {
        (Kind::Item, usual_price(&seen.prices))
    };
    Ok(CatalogRow {
        sku: code,
        barcode: String::new(),
        name,
        name_fr: String::new(),
        price,
        tax_class: TaxClass::Standard,
        kind,
    })
}

/// The name on most lines; a tie goes to the name seen first.
fn most_frequent_name(names: &[(String, usize)]) -> Option<String> {
    let mut best: Option<&(String, usize)> = None;
    for entry in names {
        if best.is_none_or(|(_, n)| entry.1 > *n) {
            best = Some(entry);
        }
    }
    best.map(|(name, _)| name.clone())
}

/// The unit price on most lines; a tie goes to the lower price. `None` (open price) for a
/// code that was only ever given away.
fn usual_price(prices: &BTreeMap<Decimal, usize>) -> Option<Decimal> {
    let mut best: Option<(Decimal, usize)> = None;
    for (price, n) in prices {
        if best.is_none_or(|(_, most)| *n > most) {
            best = Some((*price, *n));
        }
    }
    best.map(|(price, _)| price)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_to_the_lower_price() {
        let prices: BTreeMap<Decimal, usize> =
            [(Decimal::new(295, 2), 3), (Decimal::new(255, 2), 3), (Decimal::new(100, 2), 1)]
                .into();
        assert_eq!(usual_price(&prices), Some(Decimal::new(255, 2)));
    }
}
