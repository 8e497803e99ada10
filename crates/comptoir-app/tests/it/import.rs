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
