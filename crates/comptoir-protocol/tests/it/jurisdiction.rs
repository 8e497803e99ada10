//! Jurisdictions to taxes, checked against the rows of the files by hand.

use comptoir_protocol::catalog::{TaxConfig, taxes_fault};
use comptoir_protocol::jurisdiction::{TaxTables, taxes};

/// The rates of each tax for a class on a day, as `(code, rate)`.
fn on(taxes: &[TaxConfig], class: &str, day: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for tax in taxes {
        let in_force = tax
            .rates
            .iter()
            .filter(|r| r.class == class)
            .filter(|r| r.from.as_str() <= day && r.to.as_deref().is_none_or(|to| day <= to));
        let rates: Vec<&str> = in_force.map(|r| r.rate.as_str()).collect();
        assert!(rates.len() <= 1, "{} {class} on {day}: {rates:?}", tax.code);
        out.extend(rates.into_iter().map(|r| (tax.code.clone(), r.to_owned())));
    }
    out
}

fn standard(code: &str, day: &str) -> Vec<(String, String)> {
    on(&taxes(code).unwrap(), "standard", day)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(c, r)| ((*c).to_owned(), (*r).to_owned())).collect()
}

#[test]
fn quebec_has_the_qst_only_from_2013() {
    // QC row: GST+QST from 2013-01-01, 5 + 9.975; the GST goes back to 2008-01-01.
    assert_eq!(standard("CA-QC", "2012-12-31"), pairs(&[("GST", "0.05")]));
    assert_eq!(standard("CA-QC", "2013-01-01"), pairs(&[("GST", "0.05"), ("QST", "0.09975")]));
    assert_eq!(standard("CA-QC", "2007-12-31"), pairs(&[]));
    let zero = on(&taxes("CA-QC").unwrap(), "zero_rated", "2026-12-03");
    assert_eq!(zero, pairs(&[("GST", "0"), ("QST", "0")]));
    let qc = taxes("CA-QC").unwrap();
    let labels: Vec<String> =
        qc.iter().map(|t| format!("{}/{}", t.label["en"], t.label["fr"])).collect();
    assert_eq!(labels, ["GST/TPS", "QST/TVQ"]);
}

#[test]
fn nova_scotia_hst_is_14_from_april_2025() {
    assert_eq!(standard("CA-NS", "2025-03-31"), pairs(&[("HST", "0.15")]));
    assert_eq!(standard("CA-NS", "2025-04-01"), pairs(&[("HST", "0.14")]));
    // The first NS row is an HST: nothing is loaded before it.
    assert_eq!(standard("CA-NS", "2010-06-30"), pairs(&[]));
    // Zero-rated over both rows is one rate.
    let ns = taxes("CA-NS").unwrap();
    assert_eq!(ns[0].rates.iter().filter(|r| r.class == "zero_rated").count(), 1);
}

#[test]
fn british_columbia_had_the_hst_from_2010_to_2013() {
    assert_eq!(standard("CA-BC", "2012-06-01"), pairs(&[("HST", "0.12")]));
    assert_eq!(standard("CA-BC", "2013-03-31"), pairs(&[("HST", "0.12")]));
    assert_eq!(standard("CA-BC", "2013-04-01"), pairs(&[("GST", "0.05"), ("PST", "0.07")]));
    assert_eq!(standard("CA-BC", "2014-06-01"), pairs(&[("GST", "0.05"), ("PST", "0.07")]));
    assert_eq!(standard("CA-ON", "2026-12-03"), pairs(&[("HST", "0.13")]));
    assert_eq!(standard("CA-MB", "2019-07-01"), pairs(&[("GST", "0.05"), ("RST", "0.07")]));
    assert_eq!(standard("CA-MB", "2019-06-30"), pairs(&[("GST", "0.05")]));
    assert_eq!(standard("CA-SK", "2026-12-03"), pairs(&[("GST", "0.05"), ("PST", "0.06")]));
    assert_eq!(standard("CA-PE", "2016-09-30"), pairs(&[("HST", "0.14")]));
    assert_eq!(standard("CA-PE", "2016-10-01"), pairs(&[("HST", "0.15")]));
}

#[test]
fn every_canadian_row_is_a_jurisdiction() {
    let tables = TaxTables::embedded();
    let canada: Vec<&str> = tables.codes().filter(|c| c.starts_with("CA-")).collect();
    let expected = ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"];
    assert_eq!(canada, expected.map(|p| format!("CA-{p}")));
    // A row without dates starts when the GST became 5 %, and says so.
    let yukon = tables.get("CA-YT").unwrap();
    assert_eq!(yukon.since, "2008-01-01");
    assert!(yukon.notes.iter().any(|n| n.contains("no start date")), "{:?}", yukon.notes);
    assert_eq!(standard("CA-YT", "2008-01-01"), pairs(&[("GST", "0.05")]));
    let manitoba = tables.get("CA-MB").unwrap();
    assert!(manitoba.notes.iter().any(|n| n.contains("not verified")), "{:?}", manitoba.notes);
    assert_eq!(tables.get("ca-qc").unwrap().country, "CA");
}

#[test]
fn france_vat_today_and_in_2013() {
    let fr = taxes("EU-FR").unwrap();
    let today = "2026-12-03";
    assert_eq!(on(&fr, "standard", today), pairs(&[("VAT", "0.20")]));
    assert_eq!(on(&fr, "reduced1", today), pairs(&[("VAT", "0.055")]));
    assert_eq!(on(&fr, "reduced2", today), pairs(&[("VAT", "0.10")]));
    assert_eq!(on(&fr, "super_reduced", today), pairs(&[("VAT", "0.021")]));
    assert_eq!(on(&fr, "zero_rated", today), pairs(&[("VAT", "0")]));
    // 2012-01-01 period: 19.6 standard, 7 intermediate; each ends the day before the next.
    assert_eq!(on(&fr, "standard", "2013-12-31"), pairs(&[("VAT", "0.196")]));
    assert_eq!(on(&fr, "reduced2", "2013-12-31"), pairs(&[("VAT", "0.07")]));
    assert_eq!(on(&fr, "reduced2", "2011-12-31"), pairs(&[]));
    assert_eq!(fr[0].label["fr"], "TVA");
    let tables = TaxTables::embedded();
    let notes = &tables.get("EU-FR").unwrap().notes;
    assert!(notes.iter().any(|n| n.contains("Guadeloupe")), "{notes:?}");
    assert_eq!(standard("EU-DE", "2020-12-31"), pairs(&[("VAT", "0.16")]));
    assert_eq!(standard("EU-DE", "2021-01-01"), pairs(&[("VAT", "0.19")]));
    assert_eq!(standard("EU-FI", "2024-09-01"), pairs(&[("VAT", "0.255")]));
}

#[test]
fn united_kingdom_vat_history_includes_the_hand_added_years() {
    // Hand-added from HMRC (fixtures/tax/vat_additions.json), then the file's 20 %.
    assert_eq!(standard("GB", "2008-11-30"), pairs(&[("VAT", "0.175")]));
    assert_eq!(standard("GB", "2008-12-01"), pairs(&[("VAT", "0.15")]));
    assert_eq!(standard("GB", "2009-06-01"), pairs(&[("VAT", "0.15")]));
    assert_eq!(standard("GB", "2010-06-01"), pairs(&[("VAT", "0.175")]));
    assert_eq!(standard("GB", "2011-01-03"), pairs(&[("VAT", "0.175")]));
    assert_eq!(standard("GB", "2011-01-04"), pairs(&[("VAT", "0.20")]));
    let gb = taxes("GB").unwrap();
    assert_eq!(on(&gb, "reduced", "2009-06-01"), pairs(&[("VAT", "0.05")]));
    // One 5 % reduced rate throughout, one zero rate.
    assert_eq!(gb[0].rates.iter().filter(|r| r.class == "reduced").count(), 1);
    assert_eq!(TaxTables::embedded().get("GB").unwrap().since, "1997-09-01");
}

#[test]
fn a_vat_class_that_disappears_is_noted() {
    let cz = TaxTables::embedded().get("EU-CZ").unwrap();
    assert_eq!(on(&cz.taxes, "reduced1", "2023-12-31"), pairs(&[("VAT", "0.10")]));
    assert_eq!(on(&cz.taxes, "reduced1", "2024-01-01"), pairs(&[]));
    assert_eq!(on(&cz.taxes, "reduced", "2024-01-01"), pairs(&[("VAT", "0.12")]));
    assert!(cz.notes.iter().any(|n| n.contains("reduced1 has no rate after 2023-12-31")));
    // A period from "0000-01-01" is as far back as the file goes.
    assert_eq!(cz.since, "0000-01-01");
    let ee = TaxTables::embedded().get("EU-EE").unwrap();
    assert!(ee.notes.iter().any(|n| n.contains("press_publications")), "{:?}", ee.notes);
    let pause = "class reduced has no rate after 2023-12-31 until 2025-07-01";
    assert!(ee.notes.iter().any(|n| n.starts_with(pause)), "{:?}", ee.notes);
}

#[test]
fn us_states_have_their_base_rate_only() {
    let tables = TaxTables::embedded();
    assert_eq!(tables.codes().filter(|c| c.starts_with("US-")).count(), 51);
    assert_eq!(standard("US-NY", "2025-01-01"), pairs(&[("STATE", "0.04")]));
    assert_eq!(standard("US-NY", "2024-12-31"), pairs(&[]));
    assert_eq!(standard("US-MN", "2026-12-03"), pairs(&[("STATE", "0.06875")]));
    let ny = tables.get("US-NY").unwrap();
    assert!(ny.notes[0].contains("local"), "{:?}", ny.notes);
    assert!(!ny.disputed);
    // No state sales tax: no taxes at all.
    assert_eq!(taxes("US-OR").unwrap(), []);
    let disputed: Vec<&str> = tables.codes().filter(|c| tables.get(c).unwrap().disputed).collect();
    assert_eq!(disputed, ["US-CA", "US-LA", "US-NM", "US-SD"]);
}

#[test]
fn an_unknown_jurisdiction_lists_the_known_ones() {
    let error = TaxTables::embedded().get("XX").unwrap_err();
    let message = error.to_string();
    for code in ["CA-QC", "EU-FR", "GB", "US-NY"] {
        assert!(message.contains(code), "{message}");
    }
    let guess = TaxTables::embedded().get("fr").unwrap_err().to_string();
    assert!(guess.starts_with("unknown jurisdiction \"fr\" (did you mean EU-FR?)"), "{guess}");
}

#[test]
fn every_jurisdiction_is_a_valid_tax_list() {
    let tables = TaxTables::embedded();
    assert_eq!(tables.codes().count(), 13 + 28 + 51);
    for code in tables.codes() {
        let jurisdiction = tables.get(code).unwrap();
        assert_eq!(taxes_fault(&jurisdiction.taxes), None, "{code}");
        for tax in &jurisdiction.taxes {
            let zero = tax.rates.iter().filter(|r| r.class == "zero_rated");
            assert!(zero.clone().all(|r| r.rate == "0"), "{code} {}", tax.code);
            assert!(zero.count() >= 1, "{code} {} has no zero rate", tax.code);
        }
    }
}
