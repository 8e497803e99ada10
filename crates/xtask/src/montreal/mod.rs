//! The Montréal pop-up's catalog: real products from Open Food Facts with valid barcodes, put
//! in buckets that give each its Quebec tax class and a made-up but deterministic price.

pub mod classify;
pub mod lang;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;

use self::classify::Evidence;
use self::lang::SoldIn;
use crate::catalog::{CatalogRow, Kind, TaxClass};
use crate::{gtin, text};

pub const SLIM_FILE: &str = "catalog/openfoodfacts_1541_slim.csv";
pub const STRATIFIED_FILE: &str = "catalog/openfoodfacts_3245_stratified.csv";
/// The stratified sample's buckets taken whole: Canadian barcodes (GS1 Canada, 754–755) and
/// EAN-8 (the slim file's EAN-8 are all restricted-circulation numbers).
const STRATIFIED_BUCKETS: [&str; 2] = ["CA_754-755", "EAN-8"];
/// No bucket gets more products than this, so that one kind (dressings, breads) does not crowd
/// the catalog; the first ones read are kept.
pub const BUCKET_CAP: usize = 120;

/// Products that tests and demos can scan, five per tax class, in several barcode forms; the
/// README lists them with their prices and the run fails if one goes missing.
pub const EXAMPLES: [&str; 10] = [
    "3252920035601",  // Crème entière fluide: EAN-13, accented name
    "0041500932156",  // Tomato Ketchup: UPC-A stored as a 0-prefixed EAN-13
    "99494858",       // Crème caramel: EAN-8
    "00072806004049", // Long Grain Enriched Rice: GTIN-14
    "7540013105413",  // Poutine: GS1 Canada prefix
    "886054000001",   // Pulsin raspberry&goji raw choc brownie: 12-digit UPC-A
    "7542600120960",  // Fanta orange zero: soft drink
    "3760029980833",  // French IPA: beer
    "0066909100531",  // Exquisite French Chocolate: 0-prefixed EAN-13
    "41473269",       // Avon naturals body care: EAN-8, non-food
];

/// The catalog and what happened to every product read on the way.
#[derive(Debug, Default)]
pub struct Montreal {
    pub rows: Vec<CatalogRow>,
    pub read: usize,
    pub left_out: BTreeMap<&'static str, usize>,
    pub by_evidence: BTreeMap<Evidence, usize>,
    pub by_bucket: BTreeMap<&'static str, usize>,
}

#[derive(Deserialize)]
struct SlimRow {
    code: String,
    product_name: String,
    generic_name: String,
    categories_tags: String,
    countries: String,
}

#[derive(Deserialize)]
struct StratifiedRow {
    barcode: String,
    product_name: String,
    image_lang: String,
    sample_bucket: String,
}

/// A product as read, before any choice.
struct Candidate {
    barcode: String,
    name: String,
    generic_name: String,
    tags: Vec<String>,
    sold_in: SoldIn,
}

pub fn build(data: &Path) -> anyhow::Result<Montreal> {
    // The few stratified rows first, so that the bucket cap never drops them.
    let mut candidates = read_stratified(data)?;
    candidates.extend(read_slim(data)?);

    let mut out = Montreal { read: candidates.len(), ..Montreal::default() };
    let mut barcodes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for candidate in candidates {
        match choose(&candidate, &mut barcodes, &mut names) {
            Ok((_, bucket, _))
                if out.by_bucket.get(bucket).copied().unwrap_or_default() >= BUCKET_CAP =>
            {
                *out.left_out.entry("its bucket already has its 120 products").or_default() += 1;
            }
            Ok((row, bucket, evidence)) => {
                out.rows.push(row);
                *out.by_bucket.entry(bucket).or_default() += 1;
                *out.by_evidence.entry(evidence).or_default() += 1;
            }
            Err(reason) => *out.left_out.entry(reason).or_default() += 1,
        }
    }
    for row in open_price_items().into_iter().chain(weighed_items()).chain(deli_items()) {
        out.rows.push(row);
    }
    out.rows.sort_by(|a, b| a.sku.cmp(&b.sku));
    Ok(out)
}

fn read_slim(data: &Path) -> anyhow::Result<Vec<Candidate>> {
    let rows: Vec<SlimRow> = crate::sources::read_csv(&data.join(SLIM_FILE))?;
    Ok(rows
        .into_iter()
        .map(|row| Candidate {
            sold_in: lang::sold_in(&row.countries),
            tags: row.categories_tags.split(',').map(|t| t.trim().to_owned()).collect(),
            barcode: row.code,
            name: row.product_name,
            generic_name: row.generic_name,
        })
        .collect())
}

/// From the stratified sample only what the slim file lacks: Canadian barcodes, EAN-8, the
/// 12- and 14-digit codes (the slim file has no valid UPC-A nor GTIN-14 of a retail unit) and
/// the few non-food products.
fn read_stratified(data: &Path) -> anyhow::Result<Vec<Candidate>> {
    let rows: Vec<StratifiedRow> = crate::sources::read_csv(&data.join(STRATIFIED_FILE))?;
    let non_food = |name: &str| {
        classify::classify(&[], &text::clean_name(name), false)
            .is_some_and(|(bucket, _)| bucket.code == "non_food")
    };
    Ok(rows
        .into_iter()
        .filter(|row| {
            STRATIFIED_BUCKETS.contains(&row.sample_bucket.as_str())
                || matches!(row.barcode.len(), 12 | 14)
                || non_food(&row.product_name)
        })
        .map(|row| Candidate {
            sold_in: if row.image_lang == "fr" {
                SoldIn::FrenchSpeaking
            } else {
                SoldIn::Elsewhere
            },
            tags: Vec::new(),
            barcode: row.barcode,
            name: row.product_name,
            generic_name: String::new(),
        })
        .collect())
}

/// The catalog row of a candidate, or why it is left out.
fn choose(
    candidate: &Candidate,
    barcodes: &mut BTreeSet<String>,
    names: &mut BTreeSet<String>,
) -> Result<(CatalogRow, &'static str, Evidence), &'static str> {
    let barcode = candidate.barcode.trim();
    if !gtin::is_valid(barcode) {
        return Err("barcode of a wrong length or check digit");
    }
    if gtin::is_restricted(barcode) {
        return Err("restricted-circulation, case or coupon barcode");
    }
    let name = text::clean_name(&candidate.name);
    if name.is_empty() {
        return Err("no name");
    }
    let french = lang::is_french(&name, candidate.sold_in);
    let Some((bucket, evidence)) = classify::classify(&candidate.tags, &name, french) else {
        return Err("no category or name word to tax and price it by");
    };
    if !barcodes.insert(gtin::to_gtin14(barcode)) {
        return Err("same GTIN-14 as a product already taken");
    }
    if !names.insert(text::name_key(&name)) {
        return Err("same name as a product already taken");
    }

    let name_fr = if french { name.clone() } else { french_generic_name(candidate) };
    let row = CatalogRow {
        sku: format!("M{barcode}"),
        barcode: barcode.to_owned(),
        price: Some(price(bucket, barcode)),
        tax_class: bucket.tax_class,
        kind: Kind::Item,
        name,
        name_fr,
    };
    Ok((row, bucket.code, evidence))
}

/// OFF's generic name when it is French and the product name is not ("Fromage à l'échalote").
fn french_generic_name(candidate: &Candidate) -> String {
    let generic = text::clean_name(&candidate.generic_name);
    if lang::is_french(&generic, SoldIn::Elsewhere) { generic } else { String::new() }
}

/// The bucket's base price plus ten cents per unit of the barcode's value modulo 20: from the
/// base to the base + 1.90, always ending in 9 as the base does.
pub fn price(bucket: &rules::Bucket, barcode: &str) -> Decimal {
    let step = i64::try_from(gtin::numeric_value(barcode) % 20).unwrap_or_default();
    Decimal::new(bucket.base_cents + step * 10, 2)
}

/// The products without a barcode: open price, found by name or by the cashier's key.
fn open_price_items() -> Vec<CatalogRow> {
    let item = |sku: &str, name: &str, name_fr: &str, tax_class| CatalogRow {
        sku: sku.into(),
        barcode: String::new(),
        name: name.into(),
        name_fr: name_fr.into(),
        price: None,
        tax_class,
        kind: Kind::Item,
    };
    vec![
        item("MOPEN1", "Daily special", "Produit du jour", TaxClass::ZeroRated),
        item(
            "MOPEN2",
            "Market fruit and vegetables",
            "Fruits et légumes du marché",
            TaxClass::ZeroRated,
        ),
        item("MOPEN3", "Miscellaneous taxable item", "Article divers taxable", TaxClass::Standard),
    ]
}

/// Loose produce sold by the kilogram, weighed on the scale, known by its IFPS price
/// look-up code (PLU 4011 bananas, 4131 Fuji apples). The prices are made up, like the rest.
fn weighed_items() -> Vec<CatalogRow> {
    let item = |sku: &str, name: &str, name_fr: &str, price: Decimal| CatalogRow {
        sku: sku.into(),
        barcode: String::new(),
        name: name.into(),
        name_fr: name_fr.into(),
        price: Some(price),
        tax_class: TaxClass::ZeroRated,
        kind: Kind::Weighed,
    };
    vec![
        item("MPLU4011", "Bananas", "Bananes", Decimal::new(174, 2)),
        item("MPLU4131", "Fuji apples", "Pommes Fuji", Decimal::new(439, 2)),
    ]
}

/// The deli counter's items, priced per kilogram and sold by the labels its scale prints:
/// prefix-2 UPC-A in-store labels `2 IIIII V PPPP C` (item, price check digit, price; the
/// Canadian layout of `fixtures/barcodes/rcn_rules.json`). The catalog holds each item's
/// lookup barcode, the label with a price of zero: the README lists labels to scan.
pub const DELI_LABELS: [(&str, &str, &str); 3] = [
    ("201234703495", "MDELI01234", "3.49"),
    ("201234212997", "MDELI01234", "12.99"),
    ("201235905751", "MDELI01235", "5.75"),
];

fn deli_items() -> Vec<CatalogRow> {
    let item = |sku: &str, barcode: &str, name: &str, name_fr: &str, price: Decimal| CatalogRow {
        sku: sku.into(),
        barcode: barcode.into(),
        name: name.into(),
        name_fr: name_fr.into(),
        price: Some(price),
        tax_class: TaxClass::ZeroRated,
        kind: Kind::Weighed,
    };
    vec![
        item("MDELI01234", "201234000006", "Sliced ham", "Jambon tranché", Decimal::new(2199, 2)),
        item("MDELI01235", "201235000005", "Old cheddar", "Cheddar fort", Decimal::new(3299, 2)),
    ]
}
