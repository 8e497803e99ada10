//! The ledger's chain: gap-free sequences, hash links, and `verify` naming the first bad entry.

use comptoir_store::{NewEntry, RegisterRow, Store, StoreError};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("register.db")).unwrap();
    let register = RegisterRow {
        register_id: "r1".into(),
        store_code: "montreal".into(),
        number: 1,
        epoch: 1,
        store_config: "{}".into(),
        created_at: "2026-12-03T10:00:00-05:00".into(),
    };
    store.initialise(&register, &[]).unwrap();
    (dir, store)
}

fn entry(n: u32) -> NewEntry {
    NewEntry {
        kind: "sale".into(),
        recorded_at: format!("2026-12-03T10:{n:02}:00-05:00"),
        business_day: "2026-12-03".into(),
        receipt_no: Some(format!("R-{n}")),
        receipt_seq: Some(i64::from(n)),
        external_ref: None,
        payload: format!("{{\"n\":{n}}}"),
    }
}

fn raw(dir: &tempfile::TempDir) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.path().join("register.db")).unwrap()
}

#[test]
fn entries_are_numbered_without_gaps_and_chained() {
    let (_dir, mut store) = store();
    let first = store.append(entry(1)).unwrap();
    let second = store.append(entry(2)).unwrap();
    assert_eq!((first.epoch, first.seq, second.seq), (1, 1, 2));
    assert_eq!(first.prev_hash, comptoir_store::GENESIS);
    assert_eq!(second.prev_hash, first.hash);
    assert_ne!(first.entry_id, second.entry_id);
    let report = store.verify().unwrap();
    assert_eq!((report.entries, report.first_bad), (2, None));
}

#[test]
fn verify_names_the_first_changed_entry() {
    let (dir, mut store) = store();
    for n in 1..=5 {
        store.append(entry(n)).unwrap();
    }
    raw(&dir).execute("UPDATE ledger SET payload = '{\"n\":99}' WHERE seq = 3", []).unwrap();
    let bad = store.verify().unwrap().first_bad.unwrap();
    assert_eq!(bad.seq, 3);
    assert!(bad.reason.contains("changed"), "{}", bad.reason);
}

#[test]
fn verify_names_a_missing_entry() {
    let (dir, mut store) = store();
    for n in 1..=4 {
        store.append(entry(n)).unwrap();
    }
    raw(&dir).execute("DELETE FROM ledger WHERE seq = 2", []).unwrap();
    let bad = store.verify().unwrap().first_bad.unwrap();
    assert_eq!(bad.seq, 3);
    assert!(bad.reason.contains("missing"), "{}", bad.reason);
}

#[test]
fn a_duplicate_external_reference_is_refused_and_nothing_is_written() {
    let (_dir, mut store) = store();
    let mut first = entry(1);
    first.external_ref = Some("invoice:536365".into());
    store.append(first.clone()).unwrap();
    first.receipt_no = Some("R-2".into());
    first.receipt_seq = Some(2);
    assert!(matches!(store.append(first), Err(StoreError::Duplicate(_))));
    assert_eq!(store.entry_count().unwrap(), 1);
    assert_eq!(store.append(entry(3)).unwrap().seq, 2);
}

#[test]
fn a_full_disk_is_reported_and_keeps_earlier_entries() {
    let (_dir, mut store) = store();
    store.append(entry(1)).unwrap();
    let pages: u64 = raw(&_dir).query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    store.limit_pages(pages).unwrap();
    let mut big = entry(2);
    big.payload = format!("{{\"pad\":\"{}\"}}", "x".repeat(64 * 1024));
    let error = store.append(big).unwrap_err();
    assert_eq!(error.code(), "storage_full");
    assert_eq!(store.entry_count().unwrap(), 1);
    assert_eq!(store.verify().unwrap().first_bad, None);
}

#[test]
fn a_database_from_a_newer_comptoir_is_refused() {
    let (dir, store) = store();
    drop(store);
    raw(&dir).pragma_update(None, "user_version", 99).unwrap();
    let error = Store::open(&dir.path().join("register.db")).unwrap_err();
    assert!(matches!(error, StoreError::TooNew { found: 99, .. }), "{error}");
}

/// A return entry bringing back line `line` of each receipt (`None`: without a receipt).
fn returned(n: u32, from: &[Option<(&str, u32)>]) -> NewEntry {
    let lines: Vec<serde_json::Value> = from
        .iter()
        .enumerate()
        .map(|(i, original)| match original {
            Some((receipt, line)) => serde_json::json!({
                "line": 1001 + i,
                "original": {"receipt_no": receipt, "line": line},
            }),
            None => serde_json::json!({"line": 1001 + i}),
        })
        .collect();
    NewEntry {
        kind: "return".into(),
        payload: serde_json::json!({ "returns": lines }).to_string(),
        ..entry(n)
    }
}

fn seqs(store: &Store, receipt: &str) -> Vec<i64> {
    store.returns_of(receipt).unwrap().iter().map(|e| e.seq).collect()
}

#[test]
fn the_returns_of_a_sale_are_found_by_its_receipt_also_those_recorded_before_the_index() {
    let (dir, mut store) = store();
    store.append(entry(1)).unwrap();
    store.append(returned(2, &[Some(("R-1", 1)), Some(("R-9", 1)), None])).unwrap();
    store.append(returned(3, &[Some(("R-9", 2)), Some(("R-9", 3))])).unwrap();
    // A payload that is not JSON is still recorded: the index never refuses an entry.
    store.append(NewEntry { payload: "not json".into(), ..returned(4, &[]) }).unwrap();
    assert_eq!(seqs(&store, "R-1"), [2]);
    assert_eq!(seqs(&store, "R-9"), [2, 3]);
    assert!(seqs(&store, "R-5").is_empty());

    // As the previous version left the database: the step adds what was recorded before it.
    drop(store);
    raw(&dir)
        .execute_batch(
            "DROP TRIGGER returned_line_of_entry; DROP TABLE returned_line; \
             DROP TRIGGER credit_leg_of_entry; DROP TABLE credit_leg; \
             DROP TABLE card_payment; DROP TABLE drawer_opening; PRAGMA user_version = 7;",
        )
        .unwrap();
    let store = Store::open(&dir.path().join("register.db")).unwrap();
    assert_eq!(seqs(&store, "R-1"), [2]);
    assert_eq!(seqs(&store, "R-9"), [2, 3]);
}

/// A sale-like entry with store-credit legs on the notes given (`amount`, `reference`).
fn with_credit(n: u32, kind: &str, legs: &[(&str, &str)]) -> NewEntry {
    let tenders: Vec<serde_json::Value> = legs
        .iter()
        .map(|(amount, reference)| {
            serde_json::json!({"kind": "store_credit", "amount": amount, "reference": reference})
        })
        .chain([serde_json::json!({"kind": "cash", "tendered": "1.00"})])
        .collect();
    NewEntry {
        kind: kind.into(),
        payload: serde_json::json!({ "tenders": tenders }).to_string(),
        ..entry(n)
    }
}

fn credit_seqs(store: &Store, reference: &str) -> Vec<i64> {
    store.entries_with_credit(reference).unwrap().iter().map(|e| e.seq).collect()
}

#[test]
fn the_entries_of_a_credit_note_are_found_by_its_number_also_those_recorded_before_the_index() {
    let (dir, mut store) = store();
    store.append(entry(1)).unwrap();
    store.append(with_credit(2, "return", &[("-4.47", "CR-1")])).unwrap();
    store.append(with_credit(3, "sale", &[("2.00", "CR-1"), ("1.00", "CR-2")])).unwrap();
    // The same shape in another kind of entry is not a credit leg.
    store.append(with_credit(4, "paid_out", &[("1.00", "CR-1")])).unwrap();
    store.append(with_credit(5, "exchange", &[("0.47", "CR-1")])).unwrap();
    assert_eq!(credit_seqs(&store, "CR-1"), [2, 3, 5]);
    assert_eq!(credit_seqs(&store, "CR-2"), [3]);
    assert!(credit_seqs(&store, "CR-3").is_empty());

    drop(store);
    raw(&dir)
        .execute_batch(
            "DROP TRIGGER credit_leg_of_entry; DROP TABLE credit_leg; DROP TABLE card_payment; DROP TABLE drawer_opening; \
             PRAGMA user_version = 8;",
        )
        .unwrap();
    let store = Store::open(&dir.path().join("register.db")).unwrap();
    assert_eq!(credit_seqs(&store, "CR-1"), [2, 3, 5]);
}
