//! Catalog import: our format and Open Food Facts, bad rows named with their line.

use crate::common::*;

#[test]
fn a_file_with_bad_rows_is_refused_whole_and_each_row_is_named() {
    let mut till = till("montreal");
    let before = till.register.catalog().len();
    let csv = "sku,barcode,name,name_fr,price,tax_class,kind,unit\n\
               A1,4006381333931,Stabilo,,1.99,standard,item,each\n\
               A2,4006381333932,Bad check digit,,1.99,standard,item,each\n\
               A3,,No price ok,,,standard,item,each\n\
               A4,,Bad price,,1.999,standard,item,each\n\
               A5,,Bad class,,1.00,luxury,item,each\n\
               ,,No sku,,1.00,standard,item,each\n";
    let error = till.register.import_catalog(csv, false).unwrap_err();
    assert_eq!(error.code, "invalid_catalog");
    for line in ["line 3:", "line 5:", "line 6:", "line 7:"] {
        assert!(error.detail.contains(line), "{line} missing: {}", error.detail);
    }
    assert_eq!(till.register.catalog().len(), before, "nothing imported");
    let report = till.register.import_catalog(csv, true).unwrap();
    assert_eq!((report.imported, report.errors.len()), (2, 4));
    assert!(till.register.catalog().lookup("4006381333931").is_some());
}

#[test]
fn open_food_facts_exports_import_and_spreadsheet_damage_is_reported() {
    let mut till = till("montreal");
    let off = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/catalogs/openfoodfacts_300_excel_mangled.csv"
    ));
    let Ok(off) = off else {
        panic!("fixtures/catalogs/openfoodfacts_300_excel_mangled.csv is missing");
    };
    let report = till.register.import_catalog(&off, true).unwrap();
    assert_eq!(report.format, "openfoodfacts");
    assert!(report.imported > 0);
    assert!(
        report.errors.iter().any(|e| e.reason.contains("scientific notation")),
        "{:?}",
        &report.errors[..3.min(report.errors.len())]
    );
}

#[test]
fn a_barcode_or_sku_given_twice_or_owned_by_another_item_is_refused() {
    let mut till = till("montreal");
    let csv = "sku,barcode,name,name_fr,price,tax_class,kind,unit\n\
               T1,4006381333931,Stabilo,,1.99,standard,item,each\n\
               T1,,Same sku,,1.99,standard,item,each\n\
               T2,4006381333931,Same barcode,,1.99,standard,item,each\n\
               T3,0019061093791,Takes the peanuts' barcode,,9.99,zero_rated,item,each\n\
               T4,,Short row\n";
    let error = till.register.import_catalog(csv, false).unwrap_err();
    for expected in [
        "line 3: T1: the sku is also on line 2",
        "line 4: T2: barcode",
        "line 5: T3: barcode 00019061093791 belongs to M0019061093791",
        "line 6: the row has 3 fields",
    ] {
        assert!(error.detail.contains(expected), "{expected:?} missing from {}", error.detail);
    }
    let report = till.register.import_catalog(csv, true).unwrap();
    assert_eq!(report.imported, 1);
    assert_eq!(till.register.catalog().lookup(PEANUTS).unwrap().name, "French Burnt Peanuts");
}
