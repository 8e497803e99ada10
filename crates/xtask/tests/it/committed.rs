//! Properties of the committed catalogs and store files that the register's tests rely on.
//! These need no shared data, so they run everywhere.

use std::collections::BTreeSet;

use crate::{fixtures_dir, read_catalog};

const HEADER: [&str; 8] =
    ["sku", "barcode", "name", "name_fr", "price", "tax_class", "kind", "unit"];
const TAX_CLASSES: [&str; 3] = ["zero_rated", "standard", "exempt"];

/// The taxes a store file lists are its jurisdiction's, as the register's tables give them.
#[test]
fn store_taxes_are_their_jurisdictions() {
    for store in ["montreal", "london"] {
        let json = store_json(store);
        let code = json["jurisdiction"].as_str().unwrap();
        let languages: Vec<&str> =
            json["languages"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
        let mut taxes = comptoir_protocol::jurisdiction::taxes(code).unwrap();
        for tax in &mut taxes {
            tax.label.retain(|lang, _| languages.contains(&lang.as_str()));
        }
        let listed: Vec<comptoir_protocol::catalog::TaxConfig> =
            serde_json::from_value(json["taxes"].clone()).unwrap();
        assert_eq!(listed, taxes, "{store}");
    }
}

fn store_json(store: &str) -> serde_json::Value {
    let path = fixtures_dir().join("stores").join(store).join("store.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn find<'a>(rows: &'a [Vec<String>], column: usize, value: &str) -> &'a [String] {
    rows.iter().find(|row| row[column] == value).unwrap_or_else(|| panic!("no row with {value}"))
}

#[test]
fn montreal_catalog_shape() {
    let (header, rows) = read_catalog("montreal");
    assert_eq!(header, HEADER);
    assert!((400..=1000).contains(&rows.len()), "{} products", rows.len());

    let mut skus = BTreeSet::new();
    let mut gtins = BTreeSet::new();
    for row in &rows {
        assert!(skus.insert(row[0].clone()), "duplicate SKU {}", row[0]);
        assert!(!row[2].is_empty() && row[2] == row[2].trim(), "name {:?}", row[2]);
        assert!(!row[2].contains("&quot;") && !row[2].contains("&amp;"), "entity in {:?}", row[2]);
        assert!(TAX_CLASSES.contains(&row[5].as_str()));
        if row[7] == "kg" {
            // Loose produce by the kilogram: a PLU, no barcode, a price per kg; or a deli
            // item, known by its in-store label's lookup barcode (prefix 2, price zero).
            assert_eq!(row[6], "item");
            assert!(!row[4].is_empty(), "{row:?}");
            let produce = row[0].starts_with("MPLU") && row[1].is_empty();
            let deli = row[0].starts_with("MDELI")
                && row[1].len() == 12
                && row[1].starts_with('2')
                && row[1][6..11] == *"00000"
                && xtask::gtin::is_valid(&row[1]);
            assert!(produce || deli, "{row:?}");
            continue;
        }
        assert_eq!((row[6].as_str(), row[7].as_str()), ("item", "each"));
        if row[1].is_empty() {
            assert_eq!(row[4], "", "a product without a barcode has an open price");
            continue;
        }
        assert!(xtask::gtin::is_valid(&row[1]), "bad barcode {}", row[1]);
        assert!(!xtask::gtin::is_restricted(&row[1]), "restricted barcode {}", row[1]);
        assert!(gtins.insert(xtask::gtin::to_gtin14(&row[1])), "duplicate GTIN {}", row[1]);
        assert_eq!(row[0], format!("M{}", row[1]));
        let (units, cents) = row[4].split_once('.').unwrap();
        assert!(!units.is_empty() && cents.len() == 2 && cents.ends_with('9'), "price {}", row[4]);
    }
    let open_price = rows.iter().filter(|row| row[1].is_empty() && row[4].is_empty()).count();
    assert_eq!(open_price, 3);
    assert_eq!(rows.iter().filter(|row| row[7] == "kg").count(), 4);
}

#[test]
fn montreal_barcode_forms_and_accents() {
    let (_, rows) = read_catalog("montreal");
    let count = |keep: &dyn Fn(&str) -> bool| rows.iter().filter(|row| keep(&row[1])).count();
    assert!(count(&|code| code.len() == 12) >= 1);
    assert!(count(&|code| code.len() == 13 && code.starts_with('0')) >= 5);
    assert!(count(&|code| code.len() == 8) >= 5);
    assert!(count(&|code| code.len() == 14) >= 1);

    // A cashier typing "creme" finds the "Crème …" products.
    let folded = |s: &str| deunicode::deunicode(s).to_lowercase();
    let creme: Vec<&str> = rows
        .iter()
        .filter(|row| folded(&row[2]).contains("creme") && row[2].contains("Crème"))
        .map(|row| row[2].as_str())
        .collect();
    assert!(creme.contains(&"Crème entière fluide"), "{creme:?}");
    let accented = rows.iter().filter(|row| !row[2].is_ascii()).count();
    assert!(accented >= 50, "{accented} accented names");
}

#[test]
fn montreal_examples_scan_to_their_prices() {
    let (_, rows) = read_catalog("montreal");
    let expected = [
        ("3252920035601", "Crème entière fluide", "2.59", "zero_rated"),
        ("0041500932156", "Tomato Ketchup", "4.89", "zero_rated"),
        ("99494858", "Crème caramel", "4.29", "zero_rated"),
        ("00072806004049", "Long Grain Enriched Rice", "3.89", "zero_rated"),
        ("7540013105413", "Poutine", "5.79", "zero_rated"),
        ("886054000001", "Pulsin raspberry&goji raw choc brownie", "3.59", "standard"),
        ("7542600120960", "Fanta orange zero", "1.89", "standard"),
        ("3760029980833", "French IPA", "4.59", "standard"),
        ("0066909100531", "Exquisite French Chocolate", "4.59", "standard"),
        ("41473269", "Avon naturals body care", "5.89", "standard"),
    ];
    for (barcode, name, price, tax_class) in expected {
        let row = find(&rows, 1, barcode);
        assert_eq!((row[2].as_str(), row[4].as_str(), row[5].as_str()), (name, price, tax_class));
    }
    assert_eq!(expected.map(|e| e.0), xtask::montreal::EXAMPLES);
    let open = find(&rows, 0, "MOPEN1");
    assert_eq!((open[3].as_str(), open[4].as_str()), ("Produit du jour", ""));
}

#[test]
fn london_catalog_shape() {
    let (header, rows) = read_catalog("london");
    assert_eq!(header, HEADER);
    let mut skus = BTreeSet::new();
    for row in &rows {
        assert!(skus.insert(row[0].clone()), "duplicate stock code {}", row[0]);
        assert_eq!(row[0], row[0].to_uppercase());
        assert_eq!((row[1].as_str(), row[3].as_str(), row[5].as_str()), ("", "", "standard"));
        if row[6] == "non_merchandise" {
            assert_eq!(row[4], "", "{} has an open price", row[0]);
        }
    }
    for (code, name, price) in [
        ("85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "2.95"),
        ("22423", "REGENCY CAKESTAND 3 TIER", "12.75"),
        ("84879", "ASSORTED COLOUR BIRD ORNAMENT", "1.69"),
    ] {
        let row = find(&rows, 0, code);
        assert_eq!((row[2].as_str(), row[4].as_str(), row[6].as_str()), (name, price, "item"));
    }
    for code in ["POST", "DOT", "C2", "M", "D", "S", "BANK CHARGES", "AMAZONFEE"] {
        assert_eq!(find(&rows, 0, code)[6], "non_merchandise", "{code}");
    }
}

#[test]
fn store_files_state_the_taxes() {
    let montreal = store_json("montreal");
    assert_eq!(montreal["currency"], "CAD");
    assert_eq!(montreal["jurisdiction"], "CA-QC");
    assert_eq!(montreal["prices_include_tax"], false);
    assert_eq!(montreal["cash_rounding"]["increment"], "0.05");
    assert_eq!(montreal["taxes"][0]["rates"][0]["rate"], "0.05");
    assert_eq!(montreal["taxes"][1]["rates"][0]["rate"], "0.09975");
    assert_eq!(montreal["taxes"][1]["rates"][0]["from"], "2013-01-01");

    let london = store_json("london");
    assert_eq!(london["prices_include_tax"], true);
    let rates = london["taxes"][0]["rates"].as_array().unwrap();
    let in_force = |date: &str| -> Vec<&str> {
        rates
            .iter()
            .filter(|r| r["class"] == "standard")
            .filter(|r| r["from"].as_str().unwrap() <= date)
            .filter(|r| r["to"].as_str().is_none_or(|to| date <= to))
            .map(|r| r["rate"].as_str().unwrap())
            .collect()
    };
    assert_eq!(london["jurisdiction"], "GB");
    assert_eq!(in_force("2008-11-30"), ["0.175"]);
    assert_eq!(in_force("2009-06-01"), ["0.15"]);
    assert_eq!(in_force("2010-12-01"), ["0.175"]);
    assert_eq!(in_force("2011-01-04"), ["0.20"]);

    for store in ["montreal", "london"] {
        let path = fixtures_dir().join("stores").join(store).join("cashiers.json");
        let cashiers: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let roles: Vec<&str> =
            cashiers.as_array().unwrap().iter().map(|c| c["role"].as_str().unwrap()).collect();
        assert_eq!(roles, ["manager", "cashier"]);
    }
}
