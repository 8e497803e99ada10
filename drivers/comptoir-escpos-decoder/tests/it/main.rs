//! Integration tests of the ESC/POS decoder: reference jobs, hand-written commands, previews.

mod commands;
mod encodings;
mod fixtures;
mod gbk;
mod previews;

use std::path::PathBuf;

/// The shared ESC/POS reference files.
fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/escpos")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}
