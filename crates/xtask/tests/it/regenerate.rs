//! Regenerates the fixtures from `../shared/data` into a temporary folder and compares them byte
//! for byte with the committed ones. Without the shared data the test is skipped on a
//! developer's machine and fails in CI (`CI` set), where the shared folder must be there.

use std::fs;
use std::path::{Path, PathBuf};

use crate::fixtures_dir;

#[test]
fn committed_fixtures_are_what_a_fresh_run_writes() {
    let data = xtask::fixtures::workspace_root().join("../shared/data");
    if !data.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: CI cannot check fixtures/stores against its sources",
            data.display()
        );
        eprintln!("skipped: no {} to regenerate the fixtures from", data.display());
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    xtask::fixtures::generate(&data, fresh.path()).unwrap();

    let committed = fixtures_dir();
    let mut differences = Vec::new();
    for store in ["stores/montreal", "stores/london"] {
        let fresh_files = files(&fresh.path().join(store));
        let committed_files = files(&committed.join(store));
        if fresh_files != committed_files {
            differences.push(format!(
                "{store}: files {committed_files:?}, a fresh run writes {fresh_files:?}"
            ));
        }
    }
    // fixtures/replay may hold other teams' files too, and fixtures/tax its hand-written
    // SOURCE.md and additions: only the files this task writes count.
    let written = |dir: &str| -> Vec<PathBuf> {
        files(&fresh.path().join(dir)).iter().map(|f| Path::new(dir).join(f)).collect()
    };
    for file in ["stores", "replay", "tax"].into_iter().flat_map(written) {
        let new = fs::read(fresh.path().join(&file)).unwrap();
        match fs::read(committed.join(&file)) {
            Ok(old) if old == new => {}
            Ok(_) => differences.push(format!("{} differs", file.display())),
            Err(error) => differences.push(format!("{}: {error}", file.display())),
        }
    }
    assert!(
        differences.is_empty(),
        "fixtures/ is out of date; run `cargo run -p xtask -- fixtures` and commit:\n{}",
        differences.join("\n")
    );
}

#[test]
fn two_runs_write_the_same_bytes() {
    let data = xtask::fixtures::workspace_root().join("../shared/data");
    if !data.is_dir() {
        return; // The test above reports the missing folder.
    }
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    xtask::fixtures::generate(&data, first.path()).unwrap();
    xtask::fixtures::generate(&data, second.path()).unwrap();
    for file in files(first.path()) {
        let a = fs::read(first.path().join(&file)).unwrap();
        let b = fs::read(second.path().join(&file)).unwrap();
        assert!(a == b, "{} differs between two runs", file.display());
    }
}

/// Every file under `dir`, as paths relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(&current) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}
