//! xtask's one integration test binary: the committed fixtures are what a fresh run writes, and
//! they keep the properties the register's tests rely on.

mod committed;
mod regenerate;

use std::path::PathBuf;

/// The committed `fixtures/` folder of this workspace.
pub fn fixtures_dir() -> PathBuf {
    xtask::fixtures::workspace_root().join("fixtures")
}

/// A committed catalog, as header and rows of strings.
pub fn read_catalog(store: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let path = fixtures_dir().join("stores").join(store).join("catalog.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}
