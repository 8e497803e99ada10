//! Our catalog format, `catalog.csv`: one row per product, written the same way for every store.

use std::path::Path;

use anyhow::Context as _;
use rust_decimal::Decimal;

/// How a product is taxed: at the standard rates, at a zero rate, or outside the tax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TaxClass {
    ZeroRated,
    Standard,
    Exempt,
}

impl TaxClass {
    pub const ALL: [TaxClass; 3] = [TaxClass::ZeroRated, TaxClass::Standard, TaxClass::Exempt];

    pub fn as_str(self) -> &'static str {
        match self {
            TaxClass::ZeroRated => "zero_rated",
            TaxClass::Standard => "standard",
            TaxClass::Exempt => "exempt",
        }
    }
}

/// Goods, or a line that is not goods (postage, carriage, fees, manual lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Item,
    /// Goods sold by weight: the price is per kilogram (unit `kg`).
    Weighed,
    NonMerchandise,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Item | Kind::Weighed => "item",
            Kind::NonMerchandise => "non_merchandise",
        }
    }

    /// What the price is for: one unit, or a kilogram.
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Weighed => "kg",
            Kind::Item | Kind::NonMerchandise => "each",
        }
    }
}

/// One row of `catalog.csv`. A `price` of `None` is an open price: the cashier keys it.
#[derive(Clone, Debug)]
pub struct CatalogRow {
    pub sku: String,
    pub barcode: String,
    pub name: String,
    pub name_fr: String,
    pub price: Option<Decimal>,
    pub tax_class: TaxClass,
    pub kind: Kind,
}

pub const HEADER: [&str; 8] =
    ["sku", "barcode", "name", "name_fr", "price", "tax_class", "kind", "unit"];

/// A price as the catalog writes it: two decimals, no currency sign.
pub fn format_price(price: Decimal) -> String {
    let mut price = price;
    price.rescale(2);
    price.to_string()
}

/// Writes the rows (already in their final order) as UTF-8 CSV with a header row, quoting
/// only the fields that need it (RFC 4180 rules), one `\n` after each record.
pub fn write(path: &Path, rows: &[CatalogRow]) -> anyhow::Result<()> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .with_context(|| format!("creating {}", path.display()))?;
    out.write_record(HEADER)?;
    for row in rows {
        let price = row.price.map(format_price).unwrap_or_default();
        out.write_record([
            row.sku.as_str(),
            row.barcode.as_str(),
            row.name.as_str(),
            row.name_fr.as_str(),
            price.as_str(),
            row.tax_class.as_str(),
            row.kind.as_str(),
            row.kind.unit(),
        ])?;
    }
    out.flush().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
