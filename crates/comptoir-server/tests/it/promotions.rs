//! Promotions from the server: a promotions file imported and published to stores through the
//! catalog log (keyed by id, unchanged ones not appended again, missing ones retired, each
//! store only its own), pulled by an enrolled register, applied to its next sale and recorded
//! on the sale's lines, and stopped on time on a register that is offline.

use comptoir_protocol::catalog::Change;
use comptoir_protocol::payload::Sale;
use comptoir_server::{catalog, promotions};

use crate::support::*;

const MONTREAL_CSV: &str = include_str!("../../../../fixtures/stores/montreal/catalog.csv");

fn promotion(id: &str, stores: &[&str], price: &str, to: Option<&str>) -> serde_json::Value {
    let mut json = serde_json::json!({
        "id": id,
        "label": {"fr": "Truffes : 2 pour 6,00 $", "en": "Truffles: 2 for $6.00"},
        "rule": {"type": "mix_match", "items": {"skus": ["M0020601405080"]}, "qty": 2, "price": price},
        "from": "2026-01-01T00:00",
        "stores": stores,
    });
    if let Some(to) = to {
        json["to"] = to.into();
    }
    json
}

fn import(server: &TestServer, promotions: &[serde_json::Value]) -> i64 {
    let text = serde_json::to_string(promotions).unwrap();
    server.rt.block_on(promotions::import(&server.db, &text, "promotions.json")).unwrap().id
}

fn publish(server: &TestServer, store: &str) -> catalog::Published {
    let stores = [store.to_owned()];
    server.rt.block_on(promotions::publish(&server.db, None, &stores)).unwrap().remove(0)
}

/// The store's promotions as its current catalog holds them: (id, retired).
fn held(server: &TestServer, store: &str) -> Vec<(String, bool)> {
    let stores = server.rt.block_on(server.db.stores()).unwrap();
    let id = &stores.iter().find(|s| s.code == store).unwrap().id;
    let page = server.rt.block_on(server.db.catalog_page(id, 0, 1000)).unwrap();
    page.changes
        .into_iter()
        .filter_map(|c| match c.change {
            Change::Promotion(p) => Some((p.id, p.retired)),
            _ => None,
        })
        .collect()
}

#[test]
fn promotions_are_published_by_id_once_and_retired_when_the_file_drops_them() {
    for backend in BACKENDS {
        published_by_id(backend);
    }
}

fn published_by_id(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    server.add_store("london", "GBP", "Europe/London");
    import(
        &server,
        &[promotion("P1", &[], "6.00", None), promotion("P2", &["london"], "5.00", None)],
    );
    let first = publish(&server, "montreal");
    assert_eq!((first.promotions, first.from_version, first.to_version), (1, 0, 1), "{backend:?}");
    assert_eq!(held(&server, "montreal"), [("P1".to_owned(), false)], "not London's");
    let again = publish(&server, "montreal");
    assert_eq!((again.promotions, again.to_version), (0, 1), "unchanged: nothing appended");
    assert_eq!(publish(&server, "london").promotions, 2);

    // A new file: P1 changed, P2 gone, P3 new.
    import(
        &server,
        &[promotion("P1", &[], "5.50", None), promotion("P3", &["london"], "5.00", None)],
    );
    assert_eq!(publish(&server, "montreal").promotions, 1, "P1's new version");
    let london = publish(&server, "london");
    assert_eq!(london.promotions, 3, "P1 changed, P2 retired, P3 new");
    assert_eq!(
        held(&server, "london"),
        [("P1".to_owned(), false), ("P3".to_owned(), false), ("P2".to_owned(), true)],
        "in version order: the file's, then what it dropped"
    );
    assert_eq!(publish(&server, "london").promotions, 0);

    // A bad file is refused whole, every fault named, and the list in force stays.
    let bad = serde_json::json!([
        promotion("P4", &[], "6.001", None),
        promotion("P5", &[], "6.00", Some("2025-01-01T00:00")),
    ]);
    let refused = server
        .rt
        .block_on(promotions::import(&server.db, &bad.to_string(), "bad.json"))
        .unwrap_err()
        .to_string();
    assert!(refused.contains("\"P4\"") && refused.contains("price"), "{refused}");
    assert!(refused.contains("\"P5\"") && refused.contains("not after from"), "{refused}");
    let latest = server.rt.block_on(server.db.promotion_file(None)).unwrap();
    assert_eq!(latest.records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["P1", "P3"]);
    assert_eq!(server.rt.block_on(server.db.promotion_files()).unwrap().len(), 2);
    // A mistyped store publishes nothing anywhere.
    let typo = server
        .rt
        .block_on(promotions::publish(&server.db, None, &["montreal".into(), "nowhere".into()]))
        .unwrap_err();
    assert!(typo.to_string().contains("nothing was published"), "{typo}");
}

fn last_sale(till: &Till) -> Sale {
    let entry = till.entries().into_iter().rev().find(|e| e.kind == "sale").expect("a sale");
    serde_json::from_str(&entry.payload).unwrap()
}

/// Each line's promotions on a sale: (sku, promotion id, amount).
fn promotion_lines(sale: &Sale) -> Vec<(String, String, String)> {
    sale.lines
        .iter()
        .flat_map(|l| {
            l.discounts
                .iter()
                .filter(|d| d.kind == "promotion")
                .map(|d| (l.sku.clone(), d.id.clone().unwrap_or_default(), d.amount.clone()))
        })
        .collect()
}

#[test]
fn a_register_pulls_a_promotion_applies_it_on_the_next_sale_and_stops_it_on_time() {
    for backend in BACKENDS {
        pulled_promotion(backend);
    }
}

fn pulled_promotion(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    let draft = server
        .rt
        .block_on(catalog::import(&server.db, MONTREAL_CSV, "catalog.csv", None, false))
        .unwrap()
        .draft
        .unwrap()
        .id;
    server.rt.block_on(catalog::publish_draft(&server.db, draft, &["montreal".into()])).unwrap();
    // Until noon on 3 December, Montréal time (the till's clock starts at 10:00 there).
    import(&server, &[promotion("SRV-1", &["montreal"], "6.00", Some("2026-12-03T12:00"))]);
    assert_eq!(publish(&server, "montreal").promotions, 1);

    let mut till = Till::enrolled(&server);
    let pulled = till.register.sync_now().unwrap().catalog.expect("pulled");
    assert_eq!(pulled.promotions, 1, "{backend:?}");
    // The server's promotions are the store's: the demo file's are gone.
    till.register.scan(PEANUTS).unwrap();
    let ids: Vec<&str> = till.register.promotions().iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["SRV-1"]);

    // Two truffles at 3.49: 6.98 for 6.00, 0.98 off, recorded on the sale's lines.
    till.register.scan(TRUFFLES).unwrap();
    till.register.scan(TRUFFLES).unwrap();
    till.register.tender_cash("20.00").unwrap().expect("paid");
    let sale = last_sale(&till);
    assert_eq!(
        promotion_lines(&sale),
        [("M0020601405080".to_owned(), "SRV-1".to_owned(), "0.98".to_owned())]
    );
    let truffles = sale.lines.iter().find(|l| l.sku == "M0020601405080").unwrap();
    assert_eq!(truffles.discounts[0].label, "Truffes : 2 pour 6,00 $");
    assert_eq!(truffles.net.as_deref(), Some("6.00"));
    // 3.89 + 6.00 = 9.89, + GST 0.49 + QST 0.99 = 11.37.
    assert_eq!(sale.total, "11.37");

    // The server goes away; at noon the promotion ends on the register's own clock.
    drop(server);
    till.clock.set(at("2026-12-03T16:59:00Z")); // 11:59 in Montréal
    till.register.scan(TRUFFLES).unwrap();
    till.register.scan(TRUFFLES).unwrap();
    assert_eq!(till.register.priced().savings().minor(), 98, "a minute before noon");
    till.clock.set(at("2026-12-03T17:00:00Z")); // 12:00
    assert_eq!(till.register.priced().savings().minor(), 0, "ended at noon, with no network");
    till.register.tender_cash("20.00").unwrap().expect("paid");
    assert_eq!(promotion_lines(&last_sale(&till)), []);
}
