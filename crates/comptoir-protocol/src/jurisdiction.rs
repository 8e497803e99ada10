//! A store's taxes from its jurisdiction: `CA-QC`, `EU-FR`, `GB` or `US-NY` becomes the list of
//! taxes (`Vec<TaxConfig>`, effective-dated rates per tax class) that a store configuration or
//! the server's catalog would otherwise spell out, read from the tax tables of `fixtures/tax/`
//! (their origin, licences and what was added by hand are in its `SOURCE.md`).
//!
//! Pure: [`TaxTables::parse`] takes the files' text; [`TaxTables::embedded`] parses the copies
//! compiled into the binary (about 20 kB).
//!
//! What each family gives:
//! - Canada (`CA-XX`, one per row group of `canada_sales_tax_by_province.csv`): the GST, the HST
//!   or the provincial tax (PST, QST, RST) of each dated row, each charged on the price before
//!   tax. A row without dates is taken from 2008-01-01, when the GST became 5 %; a province whose
//!   first row charges the GST (Quebec, Manitoba, Saskatchewan) has the GST back to 2008-01-01
//!   too, but its provincial tax only from its row. A province whose first row is an HST has
//!   nothing before it (the data does not say whether it had an HST or a PST then).
//! - EU and UK VAT (`EU-XX`, `GB`): one `VAT` with the rate names of the ibericode file as tax
//!   classes ([`VAT_CLASSES`]); each period ends the day before the next begins, and
//!   `0000-01-01` means "as far back as the file goes". Local exceptions (Canary Islands,
//!   Heligoland, …) depend on the store's postcode and are not applied: they are listed in the
//!   jurisdiction's notes.
//! - US states (`US-XX`): one `STATE` tax at the state's base rate from the file's date; local
//!   rates are not included (a store adds its own as a second tax). A state without a sales
//!   tax has an empty list.
//!
//! Every jurisdiction also has the class `zero_rated` at 0 in each of its taxes (basic
//! groceries in Canada, children's clothes in the UK), over the whole span the data covers.
//! Before [`Jurisdiction::since`] it has no rate at all: the register would sell every item as
//! outside the tax, so a store that replays older sales must list its taxes by hand.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::catalog::{Labels, RateConfig, TaxConfig};

/// The texts of the tax tables, as `fixtures/tax/` holds them.
#[derive(Clone, Copy, Debug)]
pub struct TaxTexts<'a> {
    /// `canada_sales_tax_by_province.csv`
    pub canada: &'a str,
    /// `eu_vat_rates_effective_dated.json` (ibericode/vat-rates)
    pub vat: &'a str,
    /// `vat_additions.json`: periods added by hand, in the ibericode shape, with a source each.
    pub vat_additions: &'a str,
    /// `us_state_base_sales_tax_2025.csv`
    pub us: &'a str,
}

/// The tables compiled into the binary.
pub const EMBEDDED: TaxTexts<'static> = TaxTexts {
    canada: include_str!("../../../fixtures/tax/canada_sales_tax_by_province.csv"),
    vat: include_str!("../../../fixtures/tax/eu_vat_rates_effective_dated.json"),
    vat_additions: include_str!("../../../fixtures/tax/vat_additions.json"),
    us: include_str!("../../../fixtures/tax/us_state_base_sales_tax_2025.csv"),
};

/// The tax classes VAT rates come in, named as the ibericode file names them: `reduced` where
/// a country has one reduced rate, `reduced1` (the lower) and `reduced2` where it has two,
/// `super_reduced` below those, `parking` for the legacy rate some countries keep. Another
/// rate name in the data (Estonia's `press_publications`) is left out, and said so in the
/// notes. When a country's reduced rates change names (Czechia's two became one `reduced` on
/// 2024-01-01), the old classes end there: the notes say so, and items must be re-classed.
pub const VAT_CLASSES: [&str; 6] =
    ["standard", "reduced", "reduced1", "reduced2", "super_reduced", "parking"];

/// The first day of the Canadian rows that give none: the GST has been 5 % since 2008-01-01.
pub const CANADA_UNDATED_FROM: &str = "2008-01-01";

/// One jurisdiction's taxes and what a store should know about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jurisdiction {
    /// `CA-QC`, `EU-FR`, `GB`, `US-NY`.
    pub code: String,
    /// The ISO 3166 country: `CA`, `FR`, `GB`, `US` (cash rounding of the euro depends on it).
    pub country: String,
    /// The name the data gives (the Canadian and US files have one, the VAT file does not).
    pub name: Option<String>,
    pub taxes: Vec<TaxConfig>,
    /// The first day the data covers (`YYYY-MM-DD`).
    pub since: String,
    /// What the data leaves out, assumes or doubts, in sentences.
    pub notes: Vec<String>,
    /// The sources disagree on a rate: check it before selling.
    pub disputed: bool,
}

/// A jurisdiction nobody has tables for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownJurisdiction {
    pub given: String,
    pub known: Vec<String>,
}

impl fmt::Display for UnknownJurisdiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown jurisdiction {:?}", self.given)?;
        let guess = ["EU-", "CA-", "US-"]
            .iter()
            .map(|prefix| format!("{prefix}{}", self.given.trim().to_uppercase()))
            .find(|code| self.known.contains(code));
        if let Some(guess) = guess {
            write!(f, " (did you mean {guess}?)")?;
        }
        write!(f, "; known: {}", self.known.join(", "))
    }
}

impl std::error::Error for UnknownJurisdiction {}

/// Every jurisdiction the tables give, by code.
#[derive(Clone, Debug)]
pub struct TaxTables {
    jurisdictions: BTreeMap<String, Jurisdiction>,
}

impl TaxTables {
    /// Reads the four files. An error names the file and what in it is wrong.
    pub fn parse(texts: &TaxTexts<'_>) -> Result<TaxTables, String> {
        let mut jurisdictions = BTreeMap::new();
        let all = canada(texts.canada)?
            .into_iter()
            .chain(vat(texts.vat, texts.vat_additions)?)
            .chain(united_states(texts.us)?);
        for jurisdiction in all {
            if let Some(fault) = crate::catalog::taxes_fault(&jurisdiction.taxes) {
                return Err(format!("{}: {fault}", jurisdiction.code));
            }
            jurisdictions.insert(jurisdiction.code.clone(), jurisdiction);
        }
        Ok(TaxTables { jurisdictions })
    }

    /// The tables compiled into the binary, read once.
    pub fn embedded() -> &'static TaxTables {
        static TABLES: OnceLock<TaxTables> = OnceLock::new();
        // The embedded files are fixed at build time and read by this crate's tests, so a
        // failure here cannot reach a shipped binary.
        TABLES.get_or_init(|| {
            TaxTables::parse(&EMBEDDED).expect("the embedded tax tables are tested to parse")
        })
    }

    /// The jurisdiction named by `code` (case and surrounding spaces do not matter).
    pub fn get(&self, code: &str) -> Result<&Jurisdiction, UnknownJurisdiction> {
        self.jurisdictions.get(&code.trim().to_uppercase()).ok_or_else(|| UnknownJurisdiction {
            given: code.to_owned(),
            known: self.codes().map(str::to_owned).collect(),
        })
    }

    /// The codes, sorted: `CA-AB` … `EU-SK`, `GB`, `US-AK` ….
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.jurisdictions.keys().map(String::as_str)
    }
}

/// The taxes of a jurisdiction, from the embedded tables.
pub fn taxes(code: &str) -> Result<Vec<TaxConfig>, UnknownJurisdiction> {
    TaxTables::embedded().get(code).map(|j| j.taxes.clone())
}

/// The rates of one tax, by class, before they are written out.
#[derive(Default)]
struct TaxBuilder {
    code: &'static str,
    label: Labels,
    /// Class → periods, in the order added (chronological).
    classes: Vec<(String, Vec<Period>)>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Period {
    rate: Decimal,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

impl TaxBuilder {
    fn new(code: &'static str, en: &str, fr: Option<&str>) -> TaxBuilder {
        let mut label = Labels::from([("en".to_owned(), en.to_owned())]);
        if let Some(fr) = fr {
            label.insert("fr".to_owned(), fr.to_owned());
        }
        TaxBuilder { code, label, classes: Vec::new() }
    }

    /// Adds a rate; one equal to the class's last one that starts the day after it ends
    /// extends it instead.
    fn add(&mut self, class: &str, percent: Decimal, from: NaiveDate, to: Option<NaiveDate>) {
        let rate = percent / Decimal::ONE_HUNDRED;
        let index = match self.classes.iter().position(|(c, _)| c == class) {
            Some(index) => index,
            None => {
                self.classes.push((class.to_owned(), Vec::new()));
                self.classes.len() - 1
            }
        };
        let periods = &mut self.classes[index].1;
        if let Some(last) = periods.last_mut()
            && last.rate == rate
            && last.to.and_then(|t| t.checked_add_days(Days::new(1))) == Some(from)
        {
            last.to = to;
            return;
        }
        periods.push(Period { rate, from, to });
    }

    fn build(mut self) -> Option<TaxConfig> {
        // `standard` first and `zero_rated` last, as stores list them.
        let order = |class: &str| {
            let vat = VAT_CLASSES.iter().position(|c| *c == class);
            vat.unwrap_or(if class == "zero_rated" {
                VAT_CLASSES.len() + 1
            } else {
                VAT_CLASSES.len()
            })
        };
        self.classes.sort_by_key(|(class, _)| order(class));
        let rates: Vec<RateConfig> = self
            .classes
            .iter()
            .flat_map(|(class, periods)| {
                periods.iter().map(|p| RateConfig {
                    class: class.clone(),
                    rate: format_rate(p.rate),
                    from: format_day(p.from),
                    to: p.to.map(format_day),
                })
            })
            .collect();
        if rates.is_empty() {
            return None;
        }
        Some(TaxConfig { code: self.code.to_owned(), label: self.label, rates })
    }
}

/// A rate as store files write it: `0`, else at least two decimals (`0.05`, `0.20`,
/// `0.09975`).
pub fn format_rate(rate: Decimal) -> String {
    if rate.is_zero() {
        return "0".to_owned();
    }
    let mut rate = rate.normalize();
    if rate.scale() < 2 {
        rate.rescale(2);
    }
    rate.to_string()
}

fn format_day(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn parse_day(text: &str, what: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{what}: {text:?} is not a date (YYYY-MM-DD)"))
}

fn parse_percent(text: &str, what: &str) -> Result<Decimal, String> {
    text.trim().parse().map_err(|_| format!("{what}: {text:?} is not a percentage"))
}

fn day_before(day: NaiveDate) -> Option<NaiveDate> {
    day.checked_sub_days(Days::new(1))
}

// Canada.

#[derive(Deserialize)]
struct ProvinceRow {
    province_code: String,
    province: String,
    effective_from: String,
    effective_to: String,
    tax_model: String,
    gst_pct: String,
    hst_total_pct: String,
    pst_name: String,
    pst_pct: String,
    notes: String,
}

/// A provincial tax's code and labels, by the name the Canadian file gives it.
fn provincial_tax(name: &str) -> Option<TaxBuilder> {
    match name {
        "QST" => Some(TaxBuilder::new("QST", "QST", Some("TVQ"))),
        "PST" => Some(TaxBuilder::new("PST", "PST", Some("TVP"))),
        "RST" => Some(TaxBuilder::new("RST", "RST", None)),
        _ => None,
    }
}

fn canada(text: &str) -> Result<Vec<Jurisdiction>, String> {
    const FILE: &str = "canada_sales_tax_by_province.csv";
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut by_province: BTreeMap<String, Vec<ProvinceRow>> = BTreeMap::new();
    for row in reader.deserialize::<ProvinceRow>() {
        let row = row.map_err(|e| format!("{FILE}: {e}"))?;
        by_province.entry(row.province_code.clone()).or_default().push(row);
    }
    by_province.into_iter().map(|(code, rows)| province(&code, rows)).collect()
}

fn province(code: &str, mut rows: Vec<ProvinceRow>) -> Result<Jurisdiction, String> {
    let what = |row: &ProvinceRow| {
        format!("canada_sales_tax_by_province.csv, {code} row from {:?}", row.effective_from)
    };
    let undated = parse_day(CANADA_UNDATED_FROM, "undated")?;
    let from_of = |row: &ProvinceRow| {
        if row.effective_from.trim().is_empty() {
            Ok(undated)
        } else {
            parse_day(&row.effective_from, &what(row))
        }
    };
    rows.sort_by_key(|row| from_of(row).unwrap_or(undated));
    let mut notes = Vec::new();
    let mut gst = TaxBuilder::new("GST", "GST", Some("TPS"));
    let mut hst = TaxBuilder::new("HST", "HST", Some("TVH"));
    let mut provincial: Option<TaxBuilder> = None;
    let mut since = None;
    for (n, row) in rows.iter().enumerate() {
        let from = from_of(row)?;
        let next = rows.get(n + 1).map(from_of).transpose()?;
        let to = match row.effective_to.trim() {
            "" => next.and_then(day_before),
            to => Some(parse_day(to, &what(row))?),
        };
        if let (Some(to), Some(next)) = (to, next)
            && to >= next
        {
            return Err(format!("{}: it ends on {to}, after the next row starts", what(row)));
        }
        if row.effective_from.trim().is_empty() {
            notes.push(format!(
                "the data gives no start date: taken from {CANADA_UNDATED_FROM}, when the GST \
                 became 5 %"
            ));
        }
        if !row.notes.trim().is_empty() {
            notes.push(format!("the data's note on the row from {from}: {}", row.notes.trim()));
        }
        let model = row.tax_model.trim();
        let charges_gst = model == "GST" || model.starts_with("GST+");
        let mut gst_from = from;
        if n == 0 && charges_gst && from > undated {
            notes.push(format!(
                "the GST is taken back to {CANADA_UNDATED_FROM}; the provincial tax before \
                 {from} is not in the data"
            ));
            gst_from = undated;
        }
        since.get_or_insert(gst_from);
        let add = |tax: &mut TaxBuilder, percent: &str, from| -> Result<(), String> {
            let percent = parse_percent(percent, &what(row))?;
            tax.add("standard", percent, from, to);
            tax.add("zero_rated", Decimal::ZERO, from, to);
            Ok(())
        };
        if model == "HST" {
            add(&mut hst, &row.hst_total_pct, from)?;
            continue;
        }
        if !charges_gst {
            return Err(format!("{}: unknown tax model {model:?}", what(row)));
        }
        add(&mut gst, &row.gst_pct, gst_from)?;
        if let Some(name) = model.strip_prefix("GST+") {
            if row.pst_name.trim() != name {
                return Err(format!("{}: model {model} but tax {:?}", what(row), row.pst_name));
            }
            let tax = provincial.get_or_insert_with(|| {
                provincial_tax(name).unwrap_or_else(|| TaxBuilder::new("PST", name, None))
            });
            if tax.label.get("en").is_none_or(|en| en != name) {
                return Err(format!("{}: a second provincial tax {name}", what(row)));
            }
            add(tax, &row.pst_pct, from)?;
        } else if !row.pst_pct.trim().is_empty()
            && parse_percent(&row.pst_pct, &what(row))? > Decimal::ZERO
        {
            return Err(format!("{}: a GST-only row with a provincial rate", what(row)));
        }
    }
    let since = since.ok_or_else(|| format!("{code}: no rows"))?;
    if rows.first().is_some_and(|row| row.tax_model.trim() == "HST") {
        notes.push(format!("nothing before {since}: the data does not say what applied then"));
    }
    let taxes = [Some(gst), Some(hst), provincial].into_iter().flatten();
    Ok(Jurisdiction {
        code: format!("CA-{code}"),
        country: "CA".to_owned(),
        name: rows.first().map(|row| row.province.clone()),
        taxes: taxes.filter_map(TaxBuilder::build).collect(),
        since: format_day(since),
        notes,
        disputed: false,
    })
}

// EU and UK VAT.

#[derive(Deserialize)]
struct VatFile {
    items: BTreeMap<String, Vec<VatPeriod>>,
}

#[derive(Deserialize)]
struct VatPeriod {
    effective_from: String,
    rates: BTreeMap<String, serde_json::Number>,
    #[serde(default)]
    exceptions: Vec<VatException>,
}

#[derive(Deserialize)]
struct VatException {
    name: String,
    #[serde(default)]
    standard: Option<serde_json::Number>,
}

fn vat(text: &str, additions: &str) -> Result<Vec<Jurisdiction>, String> {
    let file: VatFile = serde_json::from_str(text)
        .map_err(|e| format!("eu_vat_rates_effective_dated.json: {e}"))?;
    let added: VatFile =
        serde_json::from_str(additions).map_err(|e| format!("vat_additions.json: {e}"))?;
    let mut items = file.items;
    for (country, periods) in added.items {
        let known = items.entry(country.clone()).or_default();
        for period in periods {
            if known.iter().any(|p| p.effective_from == period.effective_from) {
                return Err(format!(
                    "vat_additions.json: {country} from {} is already in the VAT file",
                    period.effective_from
                ));
            }
            known.push(period);
        }
    }
    items.into_iter().map(|(country, periods)| vat_country(&country, periods)).collect()
}

fn vat_country(country: &str, mut periods: Vec<VatPeriod>) -> Result<Jurisdiction, String> {
    let what = format!("VAT {country}");
    periods.sort_by(|a, b| a.effective_from.cmp(&b.effective_from));
    let starts: Vec<NaiveDate> =
        periods.iter().map(|p| parse_day(&p.effective_from, &what)).collect::<Result<_, _>>()?;
    let since = *starts.first().ok_or_else(|| format!("{what}: no periods"))?;
    let mut tax = TaxBuilder::new("VAT", "VAT", Some("TVA"));
    let mut notes = Vec::new();
    let mut exceptions = std::collections::BTreeSet::new();
    for (n, period) in periods.iter().enumerate() {
        let from = starts[n];
        let to = starts.get(n + 1).copied().and_then(day_before);
        for (class, percent) in &period.rates {
            if !VAT_CLASSES.contains(&class.as_str()) {
                notes.push(format!(
                    "the rate {class} ({percent} % from {from}) is not loaded: no tax class for it"
                ));
                continue;
            }
            tax.add(class, parse_percent(&percent.to_string(), &what)?, from, to);
        }
        for exception in &period.exceptions {
            let rate = exception.standard.as_ref().map_or_else(String::new, |r| format!(" {r} %"));
            exceptions.insert(format!("{}{rate}", exception.name));
        }
    }
    notes.extend(class_changes(&tax));
    tax.add("zero_rated", Decimal::ZERO, since, None);
    if !exceptions.is_empty() {
        notes.push(format!(
            "local exceptions by postcode are not applied: {}",
            exceptions.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let code = if country == "GB" { "GB".to_owned() } else { format!("EU-{country}") };
    Ok(Jurisdiction {
        code,
        country: country.to_owned(),
        name: None,
        taxes: tax.build().into_iter().collect(),
        since: format_day(since),
        notes,
        disputed: false,
    })
}

/// The classes that stop before the latest period, pause, or start after the first one: an
/// item in one of them is outside VAT on the days it has no rate.
fn class_changes(tax: &TaxBuilder) -> Vec<String> {
    let first = tax.classes.iter().filter_map(|(_, p)| p.first().map(|p| p.from)).min();
    let mut notes = Vec::new();
    for (class, periods) in &tax.classes {
        let (Some(start), Some(end)) = (periods.first(), periods.last()) else { continue };
        if first.is_some_and(|first| start.from > first) {
            notes.push(format!("class {class} has a rate only from {}", start.from));
        }
        for pair in periods.windows(2) {
            let next_day = pair[0].to.and_then(|t| t.checked_add_days(Days::new(1)));
            if next_day != Some(pair[1].from) {
                let last = pair[0].to.map_or_else(String::new, format_day);
                notes.push(format!(
                    "class {class} has no rate after {last} until {} (the data's reduced rates \
                     change there): re-class its items",
                    pair[1].from
                ));
            }
        }
        if let Some(to) = end.to {
            notes.push(format!(
                "class {class} has no rate after {to} (the data's reduced rates change there): \
                 re-class its items"
            ));
        }
    }
    notes
}

// United States.

#[derive(Deserialize)]
struct StateRow {
    state: String,
    state_name: String,
    state_base_rate_pct: String,
    as_of: String,
    notes: String,
}

/// Words of the US file's notes that say its sources disagree.
const DISPUTED: [&str; 3] = ["disagree", "stale", "some pages list"];

fn united_states(text: &str) -> Result<Vec<Jurisdiction>, String> {
    const FILE: &str = "us_state_base_sales_tax_2025.csv";
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in reader.deserialize::<StateRow>() {
        let row = row.map_err(|e| format!("{FILE}: {e}"))?;
        let what = format!("{FILE}, {} row", row.state);
        let from = parse_day(&row.as_of, &what)?;
        let percent = parse_percent(&row.state_base_rate_pct, &what)?;
        let mut tax = TaxBuilder::new("STATE", "State sales tax", Some("Taxe de vente de l'État"));
        let mut notes = vec![
            "local (county, city, district) rates are not included: add the store's own as a \
             second tax"
                .to_owned(),
        ];
        if percent.is_zero() {
            notes.push("no state sales tax: the list is empty".to_owned());
        } else {
            tax.add("standard", percent, from, None);
            tax.add("zero_rated", Decimal::ZERO, from, None);
        }
        let note = row.notes.trim();
        if !note.is_empty() {
            notes.push(format!("the data's note: {note}"));
        }
        let disputed = DISPUTED.iter().any(|word| note.to_lowercase().contains(word));
        if disputed {
            notes.push("disputed: the sources disagree on this rate; check it before use".into());
        }
        out.push(Jurisdiction {
            code: format!("US-{}", row.state.trim()),
            country: "US".to_owned(),
            name: Some(row.state_name),
            taxes: tax.build().into_iter().collect(),
            since: format_day(from),
            notes,
            disputed,
        });
    }
    Ok(out)
}
