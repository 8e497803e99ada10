//! Promotions as the register keeps them: a demo file's until the first page from the server,
//! then the server's, a changed one replaced, a retired one gone, each page in one transaction.

use comptoir_protocol::catalog::{CatalogPage, Change, VersionedChange};
use comptoir_protocol::promotion::PromotionRecord;
use comptoir_store::{RegisterRow, Store};

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

fn record(id: &str, price: &str, retired: bool) -> PromotionRecord {
    serde_json::from_value(serde_json::json!({
        "id": id, "label": {"en": "2 for"}, "from": "2026-01-01T00:00", "retired": retired,
        "rule": {"type": "mix_match", "items": {"skus": ["A"]}, "qty": 2, "price": price}
    }))
    .unwrap()
}

fn page(since: i64, changes: Vec<PromotionRecord>) -> CatalogPage {
    let changes: Vec<VersionedChange> = changes
        .into_iter()
        .enumerate()
        .map(|(n, p)| VersionedChange {
            version: since + 1 + n as i64,
            change: Change::Promotion(p),
        })
        .collect();
    CatalogPage { since, latest: since + changes.len() as i64, changes, more: false }
}

fn held(store: &Store) -> Vec<(String, String)> {
    let price = |p: &PromotionRecord| match &p.rule {
        comptoir_protocol::promotion::RuleRecord::MixMatch { price, .. } => price.clone(),
        other => format!("{other:?}"),
    };
    store.promotions().unwrap().iter().map(|p| (p.id.clone(), price(p))).collect()
}

#[test]
fn the_servers_promotions_replace_the_demo_files_then_change_and_retire_by_id() {
    let (_dir, mut store) = store();
    store.replace_promotions(&[record("DEMO", "5.00", false)]).unwrap();
    assert_eq!(held(&store), [("DEMO".to_owned(), "5.00".to_owned())]);

    let first = store.apply_catalog(&page(0, vec![record("P1", "6.00", false)]), "", 2).unwrap();
    assert_eq!((first.version, first.promotions), (1, 1));
    assert_eq!(held(&store), [("P1".to_owned(), "6.00".to_owned())], "the demo file's are gone");

    let second = page(1, vec![record("P1", "5.50", false), record("P2", "4.00", false)]);
    store.apply_catalog(&second, "", 2).unwrap();
    assert_eq!(
        held(&store),
        [("P1".to_owned(), "5.50".to_owned()), ("P2".to_owned(), "4.00".to_owned())]
    );
    store.apply_catalog(&page(3, vec![record("P1", "5.50", true)]), "", 2).unwrap();
    assert_eq!(held(&store), [("P2".to_owned(), "4.00".to_owned())], "retired: dropped");
    assert_eq!(store.catalog_version().unwrap(), 4);
}
