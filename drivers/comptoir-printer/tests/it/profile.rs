//! Printer profiles from escpos-printer-db: names, columns and `ESC t` numbers per model.

use std::path::Path;

use comptoir_printer::{CodeTable, Document, Profile, ProfileError};

fn numbers(profile: &Profile) -> Vec<u8> {
    profile.tables().iter().map(CodeTable::number).collect()
}

#[test]
fn tm_t88v_numbers_its_tables_like_the_epson_manual() {
    let profile = Profile::load("TM-T88V").unwrap();
    assert_eq!(profile.columns(), 42);
    assert_eq!(Document::width_chars(&profile), 42);
    assert_eq!(profile.dots(), Some(512));
    for (n, name) in [
        (0, "CP437"),
        (2, "CP850"),
        (4, "CP863"),
        (16, "CP1252"),
        (19, "CP858"),
        (40, "ISO_8859-15"),
    ] {
        assert_eq!(profile.table(n).map(CodeTable::name), Some(name), "ESC t {n}");
    }
}

#[test]
fn the_family_differs_in_its_tables() {
    assert_eq!(numbers(&Profile::load("TM-T88II").unwrap()), [0, 2, 3, 4, 5, 19]);
    assert_eq!(numbers(&Profile::load("TM-T88IV").unwrap()), [0, 2, 3, 4, 5, 16, 17, 18, 19]);
    assert_eq!(numbers(&Profile::load("simple").unwrap()), [0]);
}

#[test]
fn a_profile_loads_from_a_database_file_too() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/escpos/capabilities.json");
    let profile = Profile::load_from(&path, "default").unwrap();
    assert_eq!(profile.name(), "default");
    let missing = Profile::load_from(Path::new("/nonexistent/capabilities.json"), "default");
    assert!(matches!(missing, Err(ProfileError::Read { .. })));
}

#[test]
fn an_unknown_model_is_an_error_and_the_known_ones_are_listed() {
    assert!(matches!(Profile::load("TM-XYZ"), Err(ProfileError::Unknown { .. })));
    let names = Profile::names();
    assert!(names.iter().any(|n| n == "TM-T88V"), "{names:?}");
    for name in &names {
        // Every profile of the database is usable: each has at least one table we can map.
        Profile::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn columns_can_be_set_for_a_printer_switched_to_48() {
    let profile = Profile::load("TM-T88V").unwrap().with_columns(48);
    assert_eq!(Document::width_chars(&profile), 48);
}
