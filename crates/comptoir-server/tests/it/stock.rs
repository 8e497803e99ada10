//! Stock: on-hand per store and SKU from the movements held (the registers' sales, receipts,
//! transfers, counts), the register showing the stock of the item just scanned and, online,
//! of the other stores; offline the last known value and its age; overselling opens an
//! exception listing its entries and refuses no sale.

use comptoir_server::stock::{self, Recorded};

use crate::support::*;

const PEANUTS_SKU: &str = "M0019061093791";
const TRUFFLES_SKU: &str = "M0020601405080";

fn record(server: &TestServer, recorded: Recorded) -> Vec<stock::Level> {
    server.rt.block_on(stock::record(&server.db, recorded)).unwrap()
}

fn receive(server: &TestServer, store: &str, sku: &str, qty: &str) {
    record(
        server,
        Recorded::Receipt {
            store: store.into(),
            sku: sku.into(),
            qty: qty.into(),
            reference: "PO-1".into(),
        },
    );
}

fn on_hand(server: &TestServer, store: &str, sku: &str) -> i64 {
    server.rt.block_on(server.db.on_hand(store, sku)).unwrap()
}

#[test]
fn stock_follows_sales_receipts_transfers_and_counts_and_overselling_is_an_exception() {
    for backend in BACKENDS {
        stock_levels(backend);
    }
}

fn stock_levels(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    server.add_store("laval", "CAD", "America/Toronto");
    receive(&server, "montreal", PEANUTS_SKU, "5");
    receive(&server, "laval", PEANUTS_SKU, "7");

    let mut till = Till::enrolled(&server);
    till.register.sync_now().unwrap();
    till.register.scan(PEANUTS).unwrap();
    let shown = till.register.view().unwrap().stock.expect("the stock of the item just scanned");
    assert_eq!((shown.sku.as_str(), shown.on_hand.as_str()), (PEANUTS_SKU, "5"), "{backend:?}");
    till.register.discard_cart().unwrap();

    // Three sales of peanuts and truffles: no truffle was ever received.
    for _ in 0..3 {
        till.sell();
    }
    let sales: Vec<String> =
        till.entries().into_iter().filter(|e| e.kind == "sale").map(|e| e.entry_id).collect();
    let report = till.register.sync_now().unwrap();
    assert!(report.stock_levels.unwrap() >= 2);
    assert_eq!(on_hand(&server, "montreal", PEANUTS_SKU), 2000);
    assert_eq!(on_hand(&server, "montreal", TRUFFLES_SKU), -3000);
    let open = server.rt.block_on(server.db.stock_exceptions(Some("montreal"), true)).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!((open[0].sku.as_str(), open[0].on_hand.as_str()), (TRUFFLES_SKU, "-3"));
    assert_eq!(open[0].entries, sales, "the exception lists the sales that oversold");
    // Every sale was kept as it was: the server holds three sales.
    let counts = server.rt.block_on(server.db.ledger_counts(Some("montreal"))).unwrap();
    assert_eq!(counts[0].sales, 3);

    // Ten truffles arrive: the exception closes.
    receive(&server, "montreal", TRUFFLES_SKU, "10");
    assert_eq!(on_hand(&server, "montreal", TRUFFLES_SKU), 7000);
    assert!(
        server.rt.block_on(server.db.stock_exceptions(Some("montreal"), true)).unwrap().is_empty()
    );
    let all = server.rt.block_on(server.db.stock_exceptions(None, false)).unwrap();
    assert!(all[0].closed_at.is_some());

    // A count finds one bag of peanuts (2 held): recorded as -1. Two come from Laval.
    let counted = record(
        &server,
        Recorded::Count {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            counted: "1".into(),
            reference: "count".into(),
        },
    );
    assert_eq!(counted[0].on_hand, "1");
    record(
        &server,
        Recorded::Transfer {
            from: "laval".into(),
            to: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            qty: "2".into(),
            reference: "T-9".into(),
        },
    );
    assert_eq!(
        (on_hand(&server, "montreal", PEANUTS_SKU), on_hand(&server, "laval", PEANUTS_SKU)),
        (3000, 5000)
    );
    // Bad movements are refused and change nothing.
    for bad in [
        Recorded::Receipt {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            qty: "-1".into(),
            reference: String::new(),
        },
        Recorded::Receipt {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            qty: "1.0001".into(),
            reference: String::new(),
        },
        Recorded::Transfer {
            from: "montreal".into(),
            to: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            qty: "1".into(),
            reference: String::new(),
        },
        Recorded::Receipt {
            store: "nowhere".into(),
            sku: PEANUTS_SKU.into(),
            qty: "1".into(),
            reference: String::new(),
        },
        Recorded::Receipt {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            qty: "1e3".into(),
            reference: String::new(),
        },
        Recorded::Receipt {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            qty: "99999999999".into(),
            reference: String::new(),
        },
        Recorded::Adjustment {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            delta: "0".into(),
            reference: String::new(),
        },
    ] {
        assert!(server.rt.block_on(stock::record(&server.db, bad)).is_err());
    }
    assert_eq!(on_hand(&server, "montreal", PEANUTS_SKU), 3000);
    // A receipt keyed one too many is taken back by an adjustment.
    record(
        &server,
        Recorded::Adjustment {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            delta: "-1".into(),
            reference: "PO-1 keyed 5 for 4".into(),
        },
    );
    record(
        &server,
        Recorded::Adjustment {
            store: "montreal".into(),
            sku: PEANUTS_SKU.into(),
            delta: "1".into(),
            reference: "found".into(),
        },
    );
    assert_eq!(on_hand(&server, "montreal", PEANUTS_SKU), 3000);

    // Stock anywhere, online: both stores.
    let anywhere = till.register.stock_anywhere(PEANUTS).unwrap();
    let stores: Vec<(String, String)> =
        anywhere.stores.iter().map(|l| (l.store.clone(), l.on_hand.clone())).collect();
    assert_eq!(stores, vec![("laval".into(), "5".into()), ("montreal".into(), "3".into())]);
    assert_eq!(anywhere.unavailable, None);
    till.register.sync_now().unwrap();
    assert_eq!(till.register.stock_anywhere(PEANUTS).unwrap().here.unwrap().on_hand, "3");

    // Offline: the last known value, and how old it is.
    drop(server);
    till.clock.advance(chrono::Duration::minutes(90));
    let offline = till.register.stock_anywhere(PEANUTS).unwrap();
    assert!(offline.stores.is_empty());
    assert!(offline.unavailable.is_some());
    let here = offline.here.unwrap();
    assert_eq!(here.on_hand, "3");
    assert!(here.age_minutes.unwrap() >= 90, "{here:?}");
    till.register.scan(PEANUTS).unwrap();
    assert_eq!(till.register.view().unwrap().stock.unwrap().on_hand, "3");
}

#[test]
fn stock_is_the_same_whatever_order_the_registers_arrive_in() {
    for backend in BACKENDS {
        for order in [[0, 1], [1, 0]] {
            arrival_order(backend, order);
        }
    }
}

fn arrival_order(backend: Backend, order: [usize; 2]) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    receive(&server, "montreal", PEANUTS_SKU, "4");
    let mut tills = [Till::enrolled(&server), Till::enrolled(&server)];
    // Offline, each sells three: peanuts go to -2 whatever order the sales arrive in.
    for till in &mut tills {
        for _ in 0..3 {
            till.sell();
        }
    }
    for &i in &order {
        tills[i].register.sync_now().unwrap();
    }
    assert_eq!(on_hand(&server, "montreal", PEANUTS_SKU), -2000, "{backend:?} {order:?}");
    assert_eq!(on_hand(&server, "montreal", TRUFFLES_SKU), -6000);
    let open = server.rt.block_on(server.db.stock_exceptions(Some("montreal"), true)).unwrap();
    let peanuts = open.iter().find(|e| e.sku == PEANUTS_SKU).unwrap();
    // The peanuts went below zero with the fifth sale: the exception lists the sales from the
    // batch that took them there on.
    assert!(!peanuts.entries.is_empty() && peanuts.entries.len() <= 6, "{peanuts:?}");
    let truffles = open.iter().find(|e| e.sku == TRUFFLES_SKU).unwrap();
    assert_eq!(truffles.entries.len(), 6, "every truffle sale oversold");
}

#[test]
fn stock_of_an_item_not_in_the_stores_catalog_is_refused_and_a_barcode_names_its_sku() {
    for backend in BACKENDS {
        let server = TestServer::start(backend);
        server.add_store("montreal", "CAD", "America/Toronto");
        // Before the catalog is published from the server, the registers keep their own: no check.
        receive(&server, "montreal", "LOCAL-1", "2");
        let csv = include_str!("../../../../fixtures/stores/montreal/catalog.csv");
        let imported =
            comptoir_server::catalog::import(&server.db, csv, "catalog.csv", None, false);
        let draft = server.rt.block_on(imported).unwrap().draft.expect("a draft").id;
        let stores = ["montreal".to_owned()];
        let published = comptoir_server::catalog::publish_draft(&server.db, draft, &stores);
        server.rt.block_on(published).unwrap();

        let receipt = |sku: &str| Recorded::Receipt {
            store: "montreal".into(),
            sku: sku.into(),
            qty: "24".into(),
            reference: "PO-7".into(),
        };
        // The barcode instead of the SKU: refused, and the message gives the SKU.
        let barcode = server.rt.block_on(stock::record(&server.db, receipt(PEANUTS))).unwrap_err();
        assert!(barcode.to_string().contains(PEANUTS_SKU), "{backend:?}: {barcode}");
        let typo =
            server.rt.block_on(stock::record(&server.db, receipt("M00190610937"))).unwrap_err();
        assert!(typo.to_string().contains("no item M00190610937"), "{backend:?}: {typo}");
        assert_eq!(on_hand(&server, "montreal", PEANUTS), 0, "{backend:?}: nothing recorded");
        // The SKU goes in.
        receive(&server, "montreal", PEANUTS_SKU, "24");
        assert_eq!(on_hand(&server, "montreal", PEANUTS_SKU), 24_000, "{backend:?}");
    }
}
