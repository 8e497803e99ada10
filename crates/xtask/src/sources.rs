//! The tax and rounding facts the store files state, read from the shared data so that every
//! number in `store.json` has a source; each is checked against the value the stores were
//! designed with, and a change in the data stops the run instead of changing a store silently.

use std::path::Path;

use anyhow::{Context as _, bail, ensure};
use rust_decimal::Decimal;
use serde::Deserialize;

/// A rate with its first day in force and the row it came from.
#[derive(Debug, Clone)]
pub struct DatedRate {
    pub rate: Decimal,
    pub from: String,
    pub source: String,
}

/// Quebec: the federal GST, the QST, and Canada's cash rounding.
#[derive(Debug, Clone)]
pub struct QuebecFacts {
    pub gst: DatedRate,
    pub qst: DatedRate,
    pub cash_increment: Decimal,
    pub cash_since: String,
    pub cash_rule: String,
    pub cash_sources: String,
}

/// The United Kingdom: today's standard VAT rate, and the pound's smallest cash amount.
#[derive(Debug, Clone)]
pub struct UkFacts {
    pub vat_standard: DatedRate,
    pub vat_reduced_percent: Decimal,
    pub cash_increment: Decimal,
}

#[derive(Deserialize)]
struct ProvinceRow {
    province_code: String,
    effective_from: String,
    tax_model: String,
    gst_pct: String,
    pst_name: String,
    pst_pct: String,
    verified_by: String,
}

#[derive(Deserialize)]
struct CashRow {
    currency: String,
    increment: String,
    rule: String,
    since: String,
    source_urls: String,
}

pub fn quebec(data: &Path) -> anyhow::Result<QuebecFacts> {
    let provinces: Vec<ProvinceRow> = read_csv(&data.join("tax/canada_sales_tax_by_province.csv"))?;
    let qc = provinces
        .iter()
        .find(|row| row.province_code == "QC" && row.tax_model == "GST+QST")
        .context("no GST+QST row for QC in canada_sales_tax_by_province.csv")?;
    ensure!(qc.pst_name == "QST", "the QC row names its provincial tax {:?}", qc.pst_name);
    let gst_percent = percent(&qc.gst_pct)?;
    // The QC row starts in 2013 (when the QST stopped applying on top of the GST); the GST's
    // own 5 % start is the earliest row that charges it alone at that rate.
    let gst_first = provinces
        .iter()
        .filter(|row| row.tax_model == "GST" && !row.effective_from.is_empty())
        .filter(|row| percent(&row.gst_pct).is_ok_and(|p| p == gst_percent))
        .min_by(|a, b| a.effective_from.cmp(&b.effective_from))
        .context("no GST-only row with a start date")?;
    let gst = DatedRate {
        rate: gst_percent / Decimal::ONE_HUNDRED,
        from: gst_first.effective_from.clone(),
        source: format!(
            "`tax/canada_sales_tax_by_province.csv`, row {} ({})",
            gst_first.province_code, gst_first.verified_by
        ),
    };
    let qst = DatedRate {
        rate: percent(&qc.pst_pct)? / Decimal::ONE_HUNDRED,
        from: qc.effective_from.clone(),
        source: format!("`tax/canada_sales_tax_by_province.csv`, row QC ({})", qc.verified_by),
    };
    expect_rate("GST", &gst, "0.05", "2008-01-01")?;
    expect_rate("QST", &qst, "0.09975", "2013-01-01")?;

    let cash: Vec<CashRow> = read_csv(&data.join("tax/cash_rounding_rules.csv"))?;
    let cad = cash.iter().find(|row| row.currency == "CAD").context("no CAD cash rounding row")?;
    let cash_increment: Decimal = cad.increment.parse().context("CAD cash increment")?;
    ensure!(cash_increment == dec("0.05"), "CAD cash rounding is now {cash_increment}");
    Ok(QuebecFacts {
        gst,
        qst,
        cash_increment,
        cash_since: cad.since.clone(),
        cash_rule: cad.rule.clone(),
        cash_sources: cad.source_urls.clone(),
    })
}

pub fn united_kingdom(data: &Path) -> anyhow::Result<UkFacts> {
    let path = data.join("tax/eu_vat_rates_effective_dated.json");
    let vat: serde_json::Value = read_json(&path)?;
    let periods = vat["items"]["GB"].as_array().context("no GB entry in the VAT file")?;
    let latest = periods
        .iter()
        .max_by_key(|p| p["effective_from"].as_str().unwrap_or_default().to_owned())
        .context("GB has no periods")?;
    let from = latest["effective_from"].as_str().context("GB period without a date")?;
    let standard = json_percent(&latest["rates"]["standard"])?;
    let reduced = json_percent(&latest["rates"]["reduced"])?;
    let vat_standard = DatedRate {
        rate: standard / Decimal::ONE_HUNDRED,
        from: from.to_owned(),
        source: "`tax/eu_vat_rates_effective_dated.json`, `items.GB` (ibericode/vat-rates)".into(),
    };
    expect_rate("UK VAT", &vat_standard, "0.20", "2011-01-04")?;

    let cldr: serde_json::Value = read_json(&data.join("tax/cldr_currency_data.json"))?;
    let fractions = &cldr["supplemental"]["currencyData"]["fractions"];
    let gbp = if fractions["GBP"].is_object() { &fractions["GBP"] } else { &fractions["DEFAULT"] };
    let digits: u32 = gbp["_digits"].as_str().context("CLDR digits for GBP")?.parse()?;
    ensure!(gbp["_cashRounding"].is_null(), "CLDR now gives GBP a cash rounding");
    Ok(UkFacts {
        vat_standard,
        vat_reduced_percent: reduced,
        cash_increment: Decimal::new(1, digits),
    })
}

/// A rate as `store.json` writes it: the jurisdiction tables' own format.
pub use comptoir_protocol::jurisdiction::format_rate;

fn expect_rate(name: &str, got: &DatedRate, rate: &str, from: &str) -> anyhow::Result<()> {
    if got.rate != dec(rate) || got.from != from {
        bail!(
            "{name}: the shared data now says {} from {}, the stores were built for {rate} from \
             {from}; check the source and update crates/xtask",
            got.rate,
            got.from
        );
    }
    Ok(())
}

fn percent(text: &str) -> anyhow::Result<Decimal> {
    text.trim().parse().with_context(|| format!("not a percentage: {text:?}"))
}

fn json_percent(value: &serde_json::Value) -> anyhow::Result<Decimal> {
    percent(&value.to_string())
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

pub fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let rows: Result<Vec<T>, _> = reader.deserialize().collect();
    rows.with_context(|| format!("reading {}", path.display()))
}

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
