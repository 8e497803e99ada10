//! The `fixtures` task: writes both demo stores and the replay week, and sums up what it wrote.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use comptoir_protocol::catalog::TaxConfig;
use comptoir_protocol::jurisdiction::{self, TaxTables, TaxTexts};

use crate::catalog::{self, CatalogRow, Kind, TaxClass};
use crate::montreal::{self, Montreal, classify::Evidence, rules};
use crate::sources::{self, QuebecFacts, UkFacts, format_rate};
use crate::store::{CashRounding, Cashier, Label, Store, Tax, TaxRegistration, write_json};
use crate::template::fill;
use crate::{gtin, london, london::London, text};

const MONTREAL_README: &str = include_str!("../templates/montreal-README.md");
const MONTREAL_LICENSE: &str = include_str!("../templates/montreal-LICENSE.md");
const LONDON_README: &str = include_str!("../templates/london-README.md");
const LONDON_LICENSE: &str = include_str!("../templates/london-LICENSE.md");
const MONTREAL_PROMOTIONS: &str = include_str!("../templates/montreal-promotions.json");
const LONDON_PROMOTIONS: &str = include_str!("../templates/london-promotions.json");
const REPLAY_SOURCE: &str = include_str!("../templates/replay-SOURCE.md");
const ODBL_FILE: &str = "catalog/LICENSE-ODbL-1.0.md";
const ONLINE_RETAIL_SOURCE_FILE: &str = "transactions/SOURCE-online-retail.txt";
/// The tax and currency tables the product embeds (`comptoir_protocol::{jurisdiction,
/// currency}`), copied from `data/tax/` into `fixtures/tax/` as they are. The folder's
/// `SOURCE.md` and `vat_additions.json` are written by hand.
pub const TAX_FILES: [&str; 7] = [
    "canada_sales_tax_by_province.csv",
    "eu_vat_rates_effective_dated.json",
    "eu_vat_rates.LICENSE",
    "us_state_base_sales_tax_2025.csv",
    "cash_rounding_rules.csv",
    "cldr_currency_data.json",
    "cldr_currency_data.LICENSE",
];

/// The workspace root, found from this crate's place in it (`crates/xtask`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir).to_path_buf()
}

/// Writes `out/stores/montreal`, `out/stores/london`, `out/replay` and the tables of
/// `out/tax` from the shared `data` folder. The same data gives the same bytes.
pub fn generate(data: &Path, out: &Path) -> anyhow::Result<Summary> {
    anyhow::ensure!(data.is_dir(), "no shared data folder at {}", data.display());
    let montreal = montreal::build(data)?;
    let quebec = sources::quebec(data)?;
    let london = london::build(data)?;
    let uk = sources::united_kingdom(data)?;
    let tables = tax_tables(data)?;
    let summary = Summary::new(&montreal, &london);

    let store = montreal_store(&quebec, &jurisdiction_taxes(&tables, MONTREAL_JURISDICTION)?);
    write_montreal(data, &out.join("stores/montreal"), &montreal, &store, &quebec, &summary)?;
    let store = london_store(&uk, &jurisdiction_taxes(&tables, LONDON_JURISDICTION)?);
    write_london(&out.join("stores/london"), &london, &store, &uk, &summary)?;
    write_replay(data, &out.join("replay"))?;
    write_tax(data, &out.join("tax"))?;
    Ok(summary)
}

const MONTREAL_JURISDICTION: &str = "CA-QC";
const LONDON_JURISDICTION: &str = "GB";

/// The jurisdiction tables read from the shared data, with the hand-written additions of
/// `fixtures/tax/vat_additions.json` (the copy compiled into `comptoir-protocol`).
pub fn tax_tables(data: &Path) -> anyhow::Result<TaxTables> {
    let canada = read_text(&data.join("tax/canada_sales_tax_by_province.csv"))?;
    let vat = read_text(&data.join("tax/eu_vat_rates_effective_dated.json"))?;
    let us = read_text(&data.join("tax/us_state_base_sales_tax_2025.csv"))?;
    let texts = TaxTexts {
        canada: &canada,
        vat: &vat,
        vat_additions: jurisdiction::EMBEDDED.vat_additions,
        us: &us,
    };
    TaxTables::parse(&texts).map_err(|e| anyhow::anyhow!("reading the tax tables: {e}"))
}

fn jurisdiction_taxes(tables: &TaxTables, code: &str) -> anyhow::Result<Vec<TaxConfig>> {
    Ok(tables.get(code)?.taxes.clone())
}

fn write_tax(data: &Path, dir: &Path) -> anyhow::Result<()> {
    create_dir(dir)?;
    for file in TAX_FILES {
        let from = data.join("tax").join(file);
        let bytes = fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
        let to = dir.join(file);
        fs::write(&to, bytes).with_context(|| format!("writing {}", to.display()))?;
    }
    Ok(())
}

fn write_montreal(
    data: &Path,
    dir: &Path,
    montreal: &Montreal,
    store: &Store,
    facts: &QuebecFacts,
    summary: &Summary,
) -> anyhow::Result<()> {
    create_dir(dir)?;
    catalog::write(&dir.join("catalog.csv"), &montreal.rows)?;
    write_promotions(&dir.join("promotions.json"), MONTREAL_PROMOTIONS, &montreal.rows)?;
    write_json(&dir.join("store.json"), store)?;
    write_json(
        &dir.join("cashiers.json"),
        &[
            Cashier::new("c1", "Camille Tremblay", "manager", "1234"),
            Cashier::new("c2", "Noah Gagnon", "cashier", "2468"),
        ],
    )?;
    let counts = &summary.montreal;
    let readme = fill(
        MONTREAL_README,
        &[
            ("rows", counts.rows.to_string()),
            ("read", montreal.read.to_string()),
            ("with_barcode", (counts.rows - counts.open_price).to_string()),
            ("open_price", counts.open_price.to_string()),
            ("zero_rated", counts.tax_class(TaxClass::ZeroRated).to_string()),
            ("standard", counts.tax_class(TaxClass::Standard).to_string()),
            ("exempt", counts.tax_class(TaxClass::Exempt).to_string()),
            ("accented", counts.accented.to_string()),
            ("name_fr", counts.name_fr.to_string()),
            ("ean8", counts.ean8.to_string()),
            ("upca", counts.upc_a.to_string()),
            ("ean13_zero", counts.ean13_zero.to_string()),
            ("ean13_other", counts.ean13_other.to_string()),
            ("gtin14", counts.gtin14.to_string()),
            ("examples_table", examples_table(montreal)?),
            ("deli_table", deli_table(montreal)?),
            ("bucket_table", bucket_table(montreal)),
            ("evidence_table", evidence_table(montreal)),
            ("left_out_table", reason_table(&montreal.left_out)),
            ("gst_rate", format_rate(facts.gst.rate)),
            ("gst_from", facts.gst.from.clone()),
            ("gst_source", facts.gst.source.clone()),
            ("qst_rate", format_rate(facts.qst.rate)),
            ("qst_from", facts.qst.from.clone()),
            ("qst_source", facts.qst.source.clone()),
            ("cash_increment", facts.cash_increment.to_string()),
            ("cash_since", facts.cash_since.clone()),
            ("cash_rule", facts.cash_rule.clone()),
            ("cash_sources", facts.cash_sources.clone()),
        ],
    )?;
    write_text(&dir.join("README.md"), &readme)?;
    let odbl = read_text(&data.join(ODBL_FILE))?;
    write_text(&dir.join("LICENSE.md"), &fill(MONTREAL_LICENSE, &[("odbl", odbl)])?)
}

/// The Montréal store; its taxes are the jurisdiction `CA-QC`.
fn montreal_store(facts: &QuebecFacts, taxes: &[TaxConfig]) -> Store {
    let languages: Vec<String> = vec!["fr".into(), "en".into()];
    Store {
        code: "montreal".into(),
        name: "Comptoir Montréal — boutique éphémère".into(),
        currency: "CAD".into(),
        timezone: "America/Toronto".into(),
        languages: languages.clone(),
        default_language: "fr".into(),
        prices_include_tax: false,
        tax_rounding: "per_rate_over_sale".into(),
        cash_rounding: CashRounding { increment: facts.cash_increment.to_string() },
        cash_only_rounding: true,
        address: vec![
            "Marché Jean-Talon (démo)".into(),
            "7070 av. Henri-Julien".into(),
            "Montréal QC H2S 3S3".into(),
        ],
        tax_registrations: vec![
            TaxRegistration {
                label: Label::fr_en("TPS", "GST"),
                number: "123456789 RT0001".into(),
            },
            TaxRegistration {
                label: Label::fr_en("TVQ", "QST"),
                number: "1234567890 TQ0001".into(),
            },
        ],
        jurisdiction: MONTREAL_JURISDICTION.into(),
        taxes: taxes.iter().map(|tax| Tax::of(tax, &languages)).collect(),
        receipt_footer: Label::fr_en("Merci et à bientôt!", "Thank you!"),
        register_prefix: "MTL".into(),
    }
}

fn write_london(
    dir: &Path,
    london: &London,
    store: &Store,
    uk: &UkFacts,
    summary: &Summary,
) -> anyhow::Result<()> {
    create_dir(dir)?;
    catalog::write(&dir.join("catalog.csv"), &london.rows)?;
    write_promotions(&dir.join("promotions.json"), LONDON_PROMOTIONS, &london.rows)?;
    write_json(&dir.join("store.json"), store)?;
    write_json(
        &dir.join("cashiers.json"),
        &[
            Cashier::new("c1", "Olivia Hughes", "manager", "1234"),
            Cashier::new("c2", "Arjun Patel", "cashier", "2468"),
        ],
    )?;
    let counts = &summary.london;
    let example = |code: &str| {
        london.rows.iter().find(|row| row.sku == code).map_or_else(String::new, |row| {
            let price = row.price.map_or_else(|| "open price".into(), catalog::format_price);
            format!("| `{}` | {} | {} |", row.sku, row.name, price)
        })
    };
    let readme = fill(
        LONDON_README,
        &[
            ("lines", london.lines.to_string()),
            ("codes_seen", london.codes_seen.to_string()),
            ("merged_by_case", london.codes_merged_by_case.to_string()),
            ("rows", counts.rows.to_string()),
            ("items", (counts.rows - counts.non_merchandise).to_string()),
            ("non_merchandise", counts.non_merchandise.to_string()),
            ("open_price", counts.open_price.to_string()),
            ("open_price_items", (counts.open_price - counts.non_merchandise).to_string()),
            ("standard", counts.tax_class(TaxClass::Standard).to_string()),
            ("left_out_table", reason_table(&london.left_out)),
            ("non_merchandise_table", non_merchandise_table(&london.rows)),
            ("examples", ["85123A", "22423", "84879", "POST"].map(example).join("\n")),
            ("vat_rate", format_rate(uk.vat_standard.rate)),
            ("vat_from", uk.vat_standard.from.clone()),
            ("vat_source", uk.vat_standard.source.clone()),
            ("vat_reduced", uk.vat_reduced_percent.to_string()),
            ("cash_increment", uk.cash_increment.to_string()),
        ],
    )?;
    write_text(&dir.join("README.md"), &readme)?;
    write_text(&dir.join("LICENSE.md"), LONDON_LICENSE)
}

/// The London store; its taxes are the jurisdiction `GB`, whose history before 2011-01-04 is
/// the hand-added part of `fixtures/tax/vat_additions.json` (HMRC).
fn london_store(uk: &UkFacts, taxes: &[TaxConfig]) -> Store {
    let languages: Vec<String> = vec!["en".into()];
    Store {
        code: "london".into(),
        name: "Comptoir London (demo)".into(),
        currency: "GBP".into(),
        timezone: "Europe/London".into(),
        languages: languages.clone(),
        default_language: "en".into(),
        prices_include_tax: true,
        tax_rounding: "per_rate_over_sale".into(),
        cash_rounding: CashRounding { increment: uk.cash_increment.to_string() },
        cash_only_rounding: true,
        address: vec![
            "Old Spitalfields Market (demo)".into(),
            "16 Horner Square".into(),
            "London E1 6EW".into(),
        ],
        tax_registrations: vec![TaxRegistration {
            label: Label::en("VAT"),
            number: "GB 123 4567 89 (demo)".into(),
        }],
        jurisdiction: LONDON_JURISDICTION.into(),
        taxes: taxes.iter().map(|tax| Tax::of(tax, &languages)).collect(),
        receipt_footer: Label::en("Thank you for shopping with us!"),
        register_prefix: "LDN".into(),
    }
}

fn write_replay(data: &Path, dir: &Path) -> anyhow::Result<()> {
    create_dir(dir)?;
    let week = data.join(london::WEEK_FILE);
    fs::copy(&week, dir.join("online_retail_week_2010-12-01.csv"))
        .with_context(|| format!("copying {}", week.display()))?;
    let mut source = read_text(&data.join(ONLINE_RETAIL_SOURCE_FILE))?;
    if !source.ends_with('\n') {
        source.push('\n');
    }
    write_text(&dir.join("SOURCE.md"), &fill(REPLAY_SOURCE, &[("source", source)])?)
}

/// The README's table of [`montreal::EXAMPLES`], with their prices as computed.
fn examples_table(montreal: &Montreal) -> anyhow::Result<String> {
    let mut lines = vec![
        "| barcode | name | price (CAD, before tax) | tax class |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    for barcode in montreal::EXAMPLES {
        let row = montreal
            .rows
            .iter()
            .find(|row| row.barcode == barcode)
            .with_context(|| format!("the example {barcode} is no longer in the catalog"))?;
        let price = row.price.map(catalog::format_price).unwrap_or_default();
        lines.push(format!(
            "| `{barcode}` | {} | {price} | `{}` |",
            row.name,
            row.tax_class.as_str()
        ));
    }
    Ok(lines.join("\n"))
}

/// The README's table of [`montreal::DELI_LABELS`]: each label, its item and what it rings.
fn deli_table(montreal: &Montreal) -> anyhow::Result<String> {
    let mut lines = vec![
        "| label | item | catalog barcode | price per kg | the label rings |".to_owned(),
        "|---|---|---|---|---|".to_owned(),
    ];
    for (label, sku, price) in montreal::DELI_LABELS {
        let row = montreal
            .rows
            .iter()
            .find(|row| row.sku == sku)
            .with_context(|| format!("the deli item {sku} is no longer in the catalog"))?;
        let per_kg = row.price.map(catalog::format_price).unwrap_or_default();
        lines.push(format!(
            "| `{label}` | `{sku}` {} | `{}` | {per_kg} | {price} |",
            row.name, row.barcode
        ));
    }
    Ok(lines.join("\n"))
}

/// The README's bucket table: the whole pricing and tax rule, with how many products each got.
fn bucket_table(montreal: &Montreal) -> String {
    let mut lines = vec![
        "| bucket | tax class | price (CAD, before tax) | products | OFF categories | name words (flavour words) |".to_owned(),
        "|---|---|---|---|---|---|".to_owned(),
    ];
    for bucket in rules::BUCKETS {
        let count = montreal.by_bucket.get(bucket.code).copied().unwrap_or_default();
        let base = rust_decimal::Decimal::new(bucket.base_cents, 2);
        let top = rust_decimal::Decimal::new(bucket.base_cents + 190, 2);
        let flavours = if bucket.flavours.is_empty() {
            String::new()
        } else {
            format!(" ({})", bucket.flavours.join(", "))
        };
        lines.push(format!(
            "| `{}` {} | `{}` | {base} to {top} | {count} | {} | {}{flavours} |",
            bucket.code,
            bucket.label,
            bucket.tax_class.as_str(),
            bucket.tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(" "),
            bucket.words.join(", "),
        ));
    }
    lines.join("\n")
}

fn evidence_table(montreal: &Montreal) -> String {
    let label = |evidence: &Evidence| match evidence {
        Evidence::Category => "a specific OFF category",
        Evidence::NameWord => "a word naming the product",
        Evidence::GeneralCategory => "only a general OFF category",
        Evidence::Flavour => "only a flavour word",
    };
    let mut lines = vec!["| decided by | products |".to_owned(), "|---|---|".to_owned()];
    for (evidence, count) in &montreal.by_evidence {
        lines.push(format!("| {} | {count} |", label(evidence)));
    }
    lines.join("\n")
}

fn reason_table(reasons: &std::collections::BTreeMap<&'static str, usize>) -> String {
    let mut lines = vec!["| left out because | rows |".to_owned(), "|---|---|".to_owned()];
    for (reason, count) in reasons {
        lines.push(format!("| {reason} | {count} |"));
    }
    lines.join("\n")
}

fn non_merchandise_table(rows: &[CatalogRow]) -> String {
    let mut lines = vec!["| stock code | name |".to_owned(), "|---|---|".to_owned()];
    for row in rows.iter().filter(|row| row.kind == Kind::NonMerchandise) {
        lines.push(format!("| `{}` | {} |", row.sku, row.name));
    }
    lines.join("\n")
}

/// Counts over one catalog, printed at the end of the run and written into the READMEs.
#[derive(Debug, Default)]
pub struct CatalogCounts {
    pub rows: usize,
    pub by_tax_class: Vec<(TaxClass, usize)>,
    pub non_merchandise: usize,
    pub open_price: usize,
    pub accented: usize,
    pub name_fr: usize,
    pub ean8: usize,
    pub upc_a: usize,
    pub ean13_zero: usize,
    pub ean13_other: usize,
    pub gtin14: usize,
}

impl CatalogCounts {
    fn new(rows: &[CatalogRow]) -> CatalogCounts {
        let count =
            |keep: &dyn Fn(&CatalogRow) -> bool| rows.iter().filter(|row| keep(row)).count();
        let barcodes = |keep: &dyn Fn(&str) -> bool| {
            rows.iter().filter(|row| gtin::is_valid(&row.barcode) && keep(&row.barcode)).count()
        };
        CatalogCounts {
            rows: rows.len(),
            by_tax_class: TaxClass::ALL
                .iter()
                .map(|class| (*class, count(&|row| row.tax_class == *class)))
                .collect(),
            non_merchandise: count(&|row| row.kind == Kind::NonMerchandise),
            open_price: count(&|row| row.price.is_none()),
            accented: count(&|row| {
                text::has_accented_letter(&row.name) || text::has_accented_letter(&row.name_fr)
            }),
            name_fr: count(&|row| !row.name_fr.is_empty()),
            ean8: barcodes(&|code| code.len() == 8),
            upc_a: barcodes(&|code| code.len() == 12),
            ean13_zero: barcodes(&|code| code.len() == 13 && code.starts_with('0')),
            ean13_other: barcodes(&|code| code.len() == 13 && !code.starts_with('0')),
            gtin14: barcodes(&|code| code.len() == 14),
        }
    }

    pub fn tax_class(&self, class: TaxClass) -> usize {
        self.by_tax_class.iter().find(|(c, _)| *c == class).map_or(0, |(_, n)| *n)
    }
}

#[derive(Debug)]
pub struct Summary {
    pub montreal: CatalogCounts,
    pub london: CatalogCounts,
}

impl Summary {
    fn new(montreal: &Montreal, london: &London) -> Summary {
        Summary {
            montreal: CatalogCounts::new(&montreal.rows),
            london: CatalogCounts::new(&london.rows),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (store, counts) in [("montreal", &self.montreal), ("london", &self.london)] {
            let classes: Vec<String> = counts
                .by_tax_class
                .iter()
                .map(|(class, n)| format!("{} {n}", class.as_str()))
                .collect();
            writeln!(f, "{store}: {} catalog rows ({})", counts.rows, classes.join(", "))?;
            writeln!(
                f,
                "  open price {}, non-merchandise {}, accented names {}, with name_fr {}",
                counts.open_price, counts.non_merchandise, counts.accented, counts.name_fr
            )?;
            writeln!(
                f,
                "  barcodes: EAN-8 {}, UPC-A (12 digits) {}, EAN-13 with a leading 0 {}, other EAN-13 {}, GTIN-14 {}",
                counts.ean8, counts.upc_a, counts.ean13_zero, counts.ean13_other, counts.gtin14
            )?;
        }
        Ok(())
    }
}

/// Writes a store's demo promotions (a template, as written by hand) once every SKU they name
/// is one of the store's catalog rows with a price: a catalog rebuilt from new data that drops
/// one fails here instead of leaving a promotion that never applies.
fn write_promotions(path: &Path, template: &str, rows: &[CatalogRow]) -> anyhow::Result<()> {
    let promotions: serde_json::Value = serde_json::from_str(template)
        .with_context(|| format!("the template of {}", path.display()))?;
    let mut named = Vec::new();
    skus_in(&promotions, &mut named);
    for sku in named {
        let priced = rows.iter().any(|row| row.sku == sku && row.price.is_some());
        anyhow::ensure!(
            priced,
            "{}: SKU {sku} is not a priced item of the catalog",
            path.display()
        );
    }
    write_text(path, template)
}

/// Every SKU listed under a `skus` key, anywhere in the value.
fn skus_in(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Array(items) => items.iter().for_each(|v| skus_in(v, out)),
        serde_json::Value::Object(fields) => {
            for (key, field) in fields {
                match (key.as_str(), field) {
                    ("skus", serde_json::Value::Array(skus)) => {
                        out.extend(skus.iter().filter_map(|s| s.as_str().map(str::to_owned)))
                    }
                    _ => skus_in(field, out),
                }
            }
        }
        _ => {}
    }
}

fn create_dir(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn write_text(path: &Path, text: &str) -> anyhow::Result<()> {
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
