//! The catalog from the server: a file imported as a draft and published to stores, pulled by
//! registers with `since`, effective-dated prices that switch on time on a register that is
//! offline, taxes published to a store, items retired; a line keeps the price it was scanned
//! at. The admin API with its tokens, and bad files refused with every bad row.

use comptoir_protocol::catalog::{CatalogPage, Change};
use comptoir_protocol::payload::Sale;
use comptoir_server::catalog;
use rust_decimal::Decimal;

use crate::support::*;

const MONTREAL_CSV: &str = include_str!("../../../../fixtures/stores/montreal/catalog.csv");
const LONDON_CSV: &str = include_str!("../../../../fixtures/stores/london/catalog.csv");

fn import(server: &TestServer, csv: &str, from: Option<&str>) -> i64 {
    let imported =
        server.rt.block_on(catalog::import(&server.db, csv, "test.csv", from, false)).unwrap();
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    imported.draft.expect("a draft").id
}

fn publish(server: &TestServer, draft: i64, store: &str) -> catalog::Published {
    let mut published =
        server.rt.block_on(catalog::publish_draft(&server.db, draft, &[store.to_owned()])).unwrap();
    published.remove(0)
}

fn last_sale(till: &Till) -> Sale {
    let entry = till.entries().into_iter().rev().find(|e| e.kind == "sale").expect("a sale");
    serde_json::from_str(&entry.payload).unwrap()
}

fn unit_prices(sale: &Sale) -> Vec<(String, String)> {
    sale.lines.iter().map(|l| (l.sku.clone(), l.unit_price.clone())).collect()
}

#[test]
fn a_published_catalog_reaches_the_register_and_a_line_keeps_its_scanned_price() {
    for backend in BACKENDS {
        published_catalog(backend);
    }
}

fn published_catalog(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    // The demo store's real catalog (882 Open Food Facts items), published by the server.
    let draft = import(&server, MONTREAL_CSV, None);
    let first = publish(&server, draft, "montreal");
    let rows = MONTREAL_CSV.lines().count() - 1;
    assert_eq!((first.from_version, first.items), (0, rows), "{backend:?}");
    assert_eq!(first.to_version, (first.items + first.prices) as i64);
    // A mistyped store among several publishes nothing anywhere.
    let typo = server
        .rt
        .block_on(catalog::publish_draft(&server.db, draft, &["montreal".into(), "nowhere".into()]))
        .unwrap_err();
    assert!(typo.to_string().contains("nothing was published"), "{typo}");
    // Publishing the same draft again changes nothing.
    let again = publish(&server, draft, "montreal");
    assert_eq!((again.from_version, again.to_version), (first.to_version, first.to_version));

    let mut till = Till::enrolled(&server);
    let report = till.register.sync_now().unwrap().catalog.expect("pulled");
    assert_eq!(
        (report.version, report.latest, report.items),
        (first.to_version, first.to_version, rows)
    );
    assert_eq!(till.store().catalog_version().unwrap(), first.to_version);
    // The register can no longer import a file of its own: two price lists would disagree.
    let refused = till.register.import_catalog(MONTREAL_CSV, false).unwrap_err();
    assert_eq!(refused.code, "catalog_managed");

    // A cart in progress: peanuts at 3.89. The price changes on the server, at once.
    till.register.scan(PEANUTS).unwrap();
    let change = "sku,barcode,name,name_fr,price,tax_class,kind,unit\n\
        M0019061093791,0019061093791,French Burnt Peanuts,,4.29,standard,item,each\n";
    let raise = publish(&server, import(&server, change, None), "montreal");
    assert_eq!((raise.items, raise.prices), (0, 1), "only the price differs");
    let pulled = till.register.sync_now().unwrap().catalog.unwrap();
    assert_eq!((pulled.prices, pulled.items), (1, 0));
    // Every way of looking the item up says 4.29: the price in force, not the one first loaded.
    let found = till.register.lookup_now(PEANUTS).unwrap().unwrap();
    assert_eq!(found.price.map(|p| p.minor()), Some(429));
    let by_sku = till.register.lookup_now("M0019061093791").unwrap().unwrap();
    assert_eq!(by_sku.price.map(|p| p.minor()), Some(429));
    let by_name = till.register.search("french burnt peanuts");
    assert_eq!(by_name[0].price.map(|p| p.minor()), Some(429));
    // The line rung keeps 3.89; the next scan is at 4.29, on a line of its own.
    till.register.scan(PEANUTS).unwrap();
    till.register.tender_cash("20.00").unwrap().expect("paid");
    let sale = last_sale(&till);
    assert_eq!(
        unit_prices(&sale),
        vec![("M0019061093791".into(), "3.89".into()), ("M0019061093791".into(), "4.29".into())]
    );
    // 8.18 + GST 5 % (0.41) + QST 9.975 % (0.82) = 9.41.
    assert_eq!(sale.total, "9.41");
    // Pulling again brings nothing; a restart keeps the catalog and the version.
    assert_eq!(till.register.sync_now().unwrap().catalog.unwrap().prices, 0);
    let mut till = till.restart();
    assert_eq!(till.register.price_check(PEANUTS).unwrap().price.map(|p| p.minor()), Some(429));
}

#[test]
fn an_offline_register_switches_to_a_scheduled_price_on_time() {
    for backend in BACKENDS {
        scheduled_price(backend);
    }
}

fn scheduled_price(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    publish(&server, import(&server, MONTREAL_CSV, None), "montreal");
    let mut till = Till::enrolled(&server);
    till.register.sync_now().unwrap();
    // Truffles go from 3.49 to 2.99 on Saturday 5 December at 06:00 in Montréal.
    let sale = "sku,barcode,name,name_fr,price,tax_class,kind,unit\n\
        M0020601405080,0020601405080,Organic French Truffles,,2.99,standard,item,each\n";
    let draft = import(&server, sale, Some("2026-12-05T06:00"));
    let published = publish(&server, draft, "montreal");
    assert_eq!(published.prices, 1);
    till.register.sync_now().unwrap();
    // The server goes away: the register is offline from here on.
    drop(server);

    let price =
        |till: &mut Till| till.register.price_check(TRUFFLES).unwrap().price.unwrap().minor();
    assert_eq!(price(&mut till), 349, "before the day");
    till.clock.set(at("2026-12-05T10:59:00Z")); // 05:59 in Montréal (UTC-5)
    assert_eq!(price(&mut till), 349, "a minute before");
    till.register.scan(TRUFFLES).unwrap();
    till.clock.set(at("2026-12-05T11:00:00Z")); // 06:00
    assert_eq!(price(&mut till), 299, "on time, with no network");
    till.register.scan(TRUFFLES).unwrap();
    till.register.tender_cash("20.00").unwrap().expect("paid");
    assert_eq!(
        unit_prices(&last_sale(&till)),
        vec![("M0020601405080".into(), "3.49".into()), ("M0020601405080".into(), "2.99".into())]
    );
    assert!(till.register.sync_now().is_err(), "still offline");
}

#[test]
fn taxes_published_to_a_store_apply_from_their_date() {
    for backend in BACKENDS {
        published_taxes(backend);
    }
}

fn published_taxes(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut till = Till::enrolled(&server);
    // The store's taxes, with a (fictional) QST of 10 % from 1 January 2027.
    let store: serde_json::Value =
        serde_json::from_str(include_str!("../../../../fixtures/stores/montreal/store.json"))
            .unwrap();
    let mut taxes: Vec<comptoir_protocol::catalog::TaxConfig> =
        serde_json::from_value(store["taxes"].clone()).unwrap();
    let qst = taxes.iter_mut().find(|t| t.code == "QST").unwrap();
    qst.rates[0].to = Some("2026-12-31".into());
    qst.rates.push(comptoir_protocol::catalog::RateConfig {
        class: "standard".into(),
        rate: "0.10".into(),
        from: "2027-01-01".into(),
        to: None,
    });
    // Two rates in force on one day are refused, and nothing changes.
    let mut overlapping = taxes.clone();
    overlapping[1].rates[2].from = "2026-12-31".into();
    let refused = server
        .rt
        .block_on(catalog::publish_taxes(&server.db, "montreal", overlapping, false))
        .unwrap_err();
    assert!(refused.to_string().contains("two rates in force"), "{refused}");
    let published = server
        .rt
        .block_on(catalog::publish_taxes(&server.db, "montreal", taxes.clone(), false))
        .unwrap();
    assert_eq!((published.taxes, published.to_version), (1, 1), "{backend:?}");
    assert!(till.register.sync_now().unwrap().catalog.unwrap().taxes);

    till.register.scan(PEANUTS).unwrap();
    till.register.tender_cash("10.00").unwrap().expect("paid");
    let december = last_sale(&till);
    let qst_of = |sale: &Sale| sale.taxes.iter().find(|t| t.code == "QST").unwrap().clone();
    assert_eq!((qst_of(&december).rate.as_str(), december.total.as_str()), ("0.09975", "4.47"));
    till.clock.set(at("2027-01-02T15:00:00Z"));
    till.register.scan(PEANUTS).unwrap();
    till.register.tender_cash("10.00").unwrap().expect("paid");
    let january = last_sale(&till);
    // 3.89 + GST 0.19 + QST 10 % 0.39 = 4.47 as well; the rate stored is the new one.
    assert_eq!(qst_of(&january).rate.parse::<Decimal>().unwrap(), Decimal::new(10, 2));
    assert_eq!(qst_of(&january).amount, "0.39");
    // The same taxes again: nothing new.
    let same = server
        .rt
        .block_on(catalog::publish_taxes(&server.db, "montreal", taxes.clone(), false))
        .unwrap();
    // Dropping QST is refused unless it is said to be meant: every sale would be undercharged.
    let without_qst: Vec<_> = taxes.iter().filter(|t| t.code != "QST").cloned().collect();
    let dropped = server.rt.block_on(catalog::publish_taxes(
        &server.db,
        "montreal",
        without_qst.clone(),
        false,
    ));
    assert!(dropped.unwrap_err().to_string().contains("drops tax QST"));
    let meant = server
        .rt
        .block_on(catalog::publish_taxes(&server.db, "montreal", without_qst, true))
        .unwrap();
    assert_eq!(meant.taxes, 1);
    assert_eq!(same.from_version, same.to_version);
}

#[test]
fn a_big_catalog_comes_in_pages_and_the_log_is_compacted() {
    for backend in BACKENDS {
        pages(backend);
    }
}

fn pages(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("london", "GBP", "Europe/London");
    server.add_store("montreal", "CAD", "America/Toronto");
    // The London store's real catalog: 2,279 items and their prices, over two pages.
    let draft = import(&server, LONDON_CSV, None);
    let london = publish(&server, draft, "london");
    assert!(london.to_version > comptoir_protocol::catalog::MAX_CATALOG_PAGE, "{london:?}");
    // Published to one store, the other has nothing.
    let drafts = server.rt.block_on(server.db.drafts()).unwrap();
    assert_eq!(drafts[0].published_to, vec!["london".to_owned()]);

    let issued = server.add_register("london");
    let mut till = Till::numbered("london", issued.register.number);
    till.register
        .enrol(
            &server.url,
            &issued.code,
            comptoir_sync::Trust::Fingerprint(server.fingerprint.clone()),
        )
        .unwrap();
    let report = till.register.sync_now().unwrap().catalog.unwrap();
    assert_eq!(report.version, london.to_version);
    assert_eq!(report.items + report.prices, london.to_version as usize);

    // Ten items change: the store's log keeps one change per item (the latest), so a
    // register pulling from 0 gets each item once, and one pulling from where it was gets
    // just the ten.
    let store_id = server
        .rt
        .block_on(server.db.stores())
        .unwrap()
        .into_iter()
        .find(|s| s.code == "london")
        .unwrap()
        .id;
    let mut changed = String::from("sku,barcode,name,name_fr,price,tax_class,kind,unit\n");
    for line in LONDON_CSV.lines().skip(1).take(10) {
        changed.push_str(line);
        changed.push('\n');
    }
    let ten: Vec<String> =
        changed.lines().skip(1).map(|l| l.split(',').next().unwrap().to_owned()).collect();
    let bumped = changed.replace(",standard,", ",zero_rated,");
    let d2 = import(&server, &bumped, None);
    let p2 = publish(&server, d2, "london");
    assert_eq!(p2.items, 10, "the tax class of ten items changed");
    let page: CatalogPage =
        server.rt.block_on(server.db.catalog_page(&store_id, 0, i64::MAX / 2)).unwrap();
    let items = page.changes.iter().filter(|c| matches!(c.change, Change::Item(_))).count();
    assert_eq!(items, LONDON_CSV.lines().count() - 1, "one change per item, the latest");
    let since: CatalogPage =
        server.rt.block_on(server.db.catalog_page(&store_id, london.to_version, 100)).unwrap();
    let skus: Vec<String> = since
        .changes
        .iter()
        .map(|c| match &c.change {
            Change::Item(i) => i.sku.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(skus, ten);
    assert_eq!(till.register.sync_now().unwrap().catalog.unwrap().items, 10);
}

#[test]
fn a_retired_item_is_no_longer_sold_and_a_line_rung_keeps_it() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    publish(&server, import(&server, MONTREAL_CSV, None), "montreal");
    let mut till = Till::enrolled(&server);
    till.register.sync_now().unwrap();
    till.register.scan(PEANUTS).unwrap();
    let retired = server
        .rt
        .block_on(catalog::retire(&server.db, "montreal", vec!["M0019061093791".into()]))
        .unwrap();
    assert_eq!(retired.items, 1);
    let unknown = server.rt.block_on(catalog::retire(&server.db, "montreal", vec!["NOPE".into()]));
    assert!(unknown.unwrap_err().to_string().contains("no item NOPE"));
    assert_eq!(till.register.sync_now().unwrap().catalog.unwrap().retired, 1);
    assert_eq!(till.register.scan(PEANUTS).unwrap_err().code, "unknown_barcode");
    till.register.scan(TRUFFLES).unwrap();
    till.register.tender_cash("20.00").unwrap().expect("paid");
    assert_eq!(last_sale(&till).lines.len(), 2, "the peanuts rung before stay in the sale");
}

#[test]
fn the_admin_api_needs_a_token_and_refuses_a_bad_file_row_by_row() {
    for backend in BACKENDS {
        admin_api(backend);
    }
}

fn admin_api(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    let token = comptoir_server::secret::admin_token();
    let hash = comptoir_server::secret::hash(&token);
    server
        .rt
        .block_on(server.db.create_admin_token(&hash, "head office", "2026-12-03T00:00:00Z"))
        .unwrap();
    let client = server.client();
    let drafts = format!("{}/v1/admin/catalog/drafts", server.url);

    // No token, a wrong one, a register's credential: refused, and the wrong one logged.
    let none = client.post(&drafts).body(MONTREAL_CSV).send().unwrap();
    assert_eq!(none.status(), 401, "{backend:?}");
    let wrong = client.post(&drafts).bearer_auth("cpa_nope").body(MONTREAL_CSV).send().unwrap();
    assert_eq!(wrong.status(), 401);
    let till = Till::enrolled(&server);
    let credential = till.sync_server().credential;
    let register = client.post(&drafts).bearer_auth(&credential).body(MONTREAL_CSV).send().unwrap();
    assert_eq!(register.status(), 401, "a register is not an administrator");
    let events = server.rt.block_on(server.db.security_events(10)).unwrap();
    assert!(events.iter().any(|e| e.kind == "unknown_admin_token"), "{events:?}");

    // A file with bad rows: 422, every bad row with its line, no draft.
    let bad = "sku,barcode,name,name_fr,price,tax_class,kind,unit\n\
        A1,,Good item,,1.00,standard,item,each\n\
        A2,,Negative,,-1.00,standard,item,each\n\
        A3,,Bad class,,1.00,luxury,item,each\n\
        A1,,Twice,,1.00,standard,item,each\n";
    let refused = client.post(&drafts).bearer_auth(&token).body(bad).send().unwrap();
    assert_eq!(refused.status(), 422);
    let body: serde_json::Value = refused.json().unwrap();
    assert_eq!(body["draft"], serde_json::Value::Null);
    let lines: Vec<u64> =
        body["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, vec![3, 4, 5], "{body}");
    assert!(server.rt.block_on(server.db.drafts()).unwrap().is_empty());
    // Not UTF-8 (a spreadsheet's Latin-1 export), unknown columns, a bad start time: 422
    // with a stable code.
    let latin1 = client
        .post(&drafts)
        .bearer_auth(&token)
        .body(b"sku,name\nA,Cr\xe8me\n".to_vec())
        .send()
        .unwrap();
    assert_eq!(latin1.status(), 422);
    assert!(
        latin1.json::<serde_json::Value>().unwrap()["message"].as_str().unwrap().contains("UTF-8")
    );
    let columns = client.post(&drafts).bearer_auth(&token).body("a,b\n1,2\n").send().unwrap();
    assert_eq!(columns.status(), 422);
    assert_eq!(columns.json::<serde_json::Value>().unwrap()["code"], "invalid_catalog");
    let when = client
        .post(format!("{drafts}?from=tomorrow"))
        .bearer_auth(&token)
        .body(MONTREAL_CSV)
        .send()
        .unwrap();
    assert_eq!(when.json::<serde_json::Value>().unwrap()["code"], "invalid_catalog");

    // The good rows only, when asked; then publish to every store.
    let skipped = client
        .post(format!("{drafts}?skip_bad_rows=true&source=bad.csv"))
        .bearer_auth(&token)
        .body(bad)
        .send()
        .unwrap();
    assert_eq!(skipped.status(), 200);
    let id = skipped.json::<serde_json::Value>().unwrap()["draft"]["id"].as_i64().unwrap();
    let published = client
        .post(format!("{drafts}/{id}/publish"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "all": true }))
        .send()
        .unwrap();
    assert_eq!(published.status(), 200);
    let published: serde_json::Value = published.json().unwrap();
    assert_eq!(
        (published[0]["store"].as_str(), published[0]["items"].as_u64()),
        (Some("montreal"), Some(1))
    );

    // Taxes that are not fractions: 422, nothing published.
    let taxes = format!("{}/v1/admin/stores/montreal/taxes", server.url);
    let silly = serde_json::json!([{ "code": "GST", "label": {}, "rates": [{ "class": "standard", "rate": "5", "from": "2008-01-01" }] }]);
    let refused = client.put(&taxes).bearer_auth(&token).json(&silly).send().unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(refused.json::<serde_json::Value>().unwrap()["code"], "invalid");
    let unknown = client
        .put(format!("{}/v1/admin/stores/nowhere/taxes", server.url))
        .bearer_auth(&token)
        .json(&serde_json::json!([]))
        .send()
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // A register reads its own store's catalog, and no other.
    let own = format!("{}/v1/stores/{}/catalog?since=0", server.url, till.sync_server().store_id);
    let page: CatalogPage =
        client.get(&own).bearer_auth(&credential).send().unwrap().json().unwrap();
    assert_eq!(page.latest, 2);
    let other = client
        .get(format!("{}/v1/stores/elsewhere/catalog", server.url))
        .bearer_auth(&credential)
        .send()
        .unwrap();
    assert_eq!(other.status(), 403);
    let bad_since = client.get(format!("{own}&limit=x")).bearer_auth(&credential).send().unwrap();
    assert_eq!(bad_since.status(), 400);

    // A revoked token is refused from its next request.
    server
        .rt
        .block_on(server.db.revoke_admin_token("head office", "2026-12-03T01:00:00Z"))
        .unwrap();
    let revoked = client.get(&drafts).bearer_auth(&token).send().unwrap();
    assert_eq!(revoked.status(), 401);
}
