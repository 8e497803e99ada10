//! Every reference job decodes with no unknown command, and renders.

use comptoir_escpos_decoder::{decode, render};

use crate::{fixture, fixture_dir};

fn reference_jobs() -> Vec<String> {
    let entries = std::fs::read_dir(fixture_dir()).expect("fixture folder");
    let mut names: Vec<String> = entries
        .map(|entry| entry.expect("fixture entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".bin"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_reference_job_decodes() {
    let names = reference_jobs();
    assert!(names.len() >= 12, "reference jobs missing: {names:?}");
    let failures: Vec<String> = names
        .iter()
        .filter_map(|name| decode(&fixture(name)).err().map(|error| format!("{name}: {error}")))
        .collect();
    assert!(failures.is_empty(), "jobs that do not decode:\n{}", failures.join("\n"));
}

#[test]
fn every_reference_job_renders() {
    for name in reference_jobs() {
        let preview = render(&fixture(&name)).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(!preview.lines.is_empty(), "{name} renders no line");
    }
}
