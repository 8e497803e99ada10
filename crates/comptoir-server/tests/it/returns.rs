//! A sale returned at another register of the chain: found on the server with the returns
//! of it any register made, so a line is never returned twice and a card leg never refunded
//! beyond what it paid; a sale in another currency refused; offline, a clear refusal that
//! changes nothing. Amounts as in comptoir-app's returns tests: peanuts 4.47, two truffles
//! 8.02 (4.02 for the first one back, 4.00 for the second), sriracha 3.59; 10.00 on card.

use comptoir_app::entry::{Sale, SaleTender};
use comptoir_app::returns::{Disposition, RefundTo};
use comptoir_sync::Trust;

use crate::support::*;

/// Rings the basket and pays 10.00 on card (AUTH-7781) and 10.00 cash.
fn sold(till: &mut Till) -> (String, String) {
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    r.set_multiplier("2").unwrap();
    r.scan(TRUFFLES).unwrap();
    r.scan(SRIRACHA_UPC_A).unwrap();
    assert!(r.tender_card("10.00", "AUTH-7781").unwrap().is_none());
    let committed = r.tender_cash("10.00").unwrap().expect("paid");
    assert_eq!(committed.sale.total, "16.08");
    (committed.sale.receipt_no, committed.entry.entry_id)
}

fn legs(sale: &Sale) -> Vec<String> {
    sale.tenders
        .iter()
        .map(|t| match t {
            SaleTender::Cash { tendered } => format!("cash {tendered}"),
            SaleTender::ExternalCard { amount, reference, .. } => {
                format!("card {amount} {reference}")
            }
            SaleTender::OnAccount { amount, .. } => format!("account {amount}"),
            SaleTender::StoreCredit { amount, .. } => format!("credit {amount}"),
        })
        .collect()
}

/// A till of `store` enrolled with `server` under a new register.
fn enrolled_in(server: &TestServer, store: &str) -> Till {
    let issued = server.add_register(store);
    let mut till = Till::numbered(store, issued.register.number);
    till.register
        .enrol(&server.url, &issued.code, Trust::Fingerprint(server.fingerprint.clone()))
        .unwrap();
    till
}

fn returnable(till: &mut Till, receipt: &str) -> Vec<String> {
    let found = till.register.find_sale(receipt).unwrap();
    found.lines.iter().map(|l| format!("{} {}", l.line, l.returnable)).collect()
}

/// Takes the server's database back to schema `version` with `undo`, as a server of that
/// version left it.
fn rewind(location: &str, undo: &str, version: i64) {
    if location.starts_with("postgres") {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let (client, connection) =
                tokio_postgres::connect(location, tokio_postgres::NoTls).await.unwrap();
            tokio::spawn(connection);
            client.batch_execute(undo).await.unwrap();
            let set = format!("UPDATE schema_version SET version = {version}");
            client.batch_execute(&set).await.unwrap();
        });
    } else {
        let conn = rusqlite::Connection::open(location).unwrap();
        conn.execute_batch(undo).unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
    }
}

/// Before the steps that index receipts, returned lines and credit notes.
fn before_returned_lines(location: &str) {
    rewind(
        location,
        "DROP TABLE returned_line; DROP INDEX ledger_receipt; DROP TABLE credit_leg;",
        6,
    );
}

/// Before the step that indexes credit notes.
fn before_credit_legs(location: &str) {
    rewind(location, "DROP TABLE credit_leg;", 7);
}

#[test]
fn a_sale_is_returned_at_another_register_and_every_registers_returns_count() {
    for backend in BACKENDS {
        returned_elsewhere(backend);
    }
}

fn returned_elsewhere(backend: Backend) {
    let mut server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    server.add_store("london", "GBP", "Europe/London");
    let mut a = enrolled_in(&server, "montreal");
    let mut b = enrolled_in(&server, "montreal");
    let mut london = enrolled_in(&server, "london");
    let (receipt, sale_entry) = sold(&mut a);
    a.register.sync_now().unwrap();
    let filed_on =
        chrono::Utc::now().with_timezone(&chrono_tz::America::Toronto).date_naive().to_string();

    // At register B the receipt is not in its ledger: the server gives it.
    let found = b.register.find_sale(&receipt).unwrap();
    assert_eq!(found.sold_in.as_deref(), Some("montreal"), "{backend:?}");
    assert_eq!(returnable(&mut b, &receipt), ["1 1", "2 2", "3 1"]);
    b.register.return_line(&receipt, 2, "1", Disposition::Restock, "too sweet").unwrap();
    assert_eq!(b.register.view().unwrap().cart.refund, "4.02");
    let refund = b.register.refund(RefundTo::Original).unwrap();
    assert_eq!(legs(&refund.sale), ["card -4.02 AUTH-7781"], "{backend:?}");
    let original = refund.sale.returns[0].original.clone().unwrap();
    assert_eq!((original.receipt_no.as_str(), original.line), (receipt.as_str(), 2));
    assert_eq!(original.entry.as_deref(), Some(sale_entry.as_str()), "the server's entry id");
    // B's own return counts at B before it is sent, and once after.
    assert_eq!(returnable(&mut b, &receipt), ["1 1", "2 1", "3 1"]);
    b.register.sync_now().unwrap();
    assert_eq!(returnable(&mut b, &receipt), ["1 1", "2 1", "3 1"]);

    // Back at A, its own sale: B's return (synced) leaves one truffle, and 5.98 on the card.
    assert_eq!(returnable(&mut a, &receipt), ["1 1", "2 1", "3 1"]);
    let error = a.register.return_line(&receipt, 2, "2", Disposition::Restock, "both").unwrap_err();
    assert_eq!(error.code, "nothing_left_to_return", "{error:?}");
    a.register.return_line(&receipt, 2, "1", Disposition::Restock, "the other").unwrap();
    assert_eq!(a.register.view().unwrap().cart.refund, "4.00");
    let refund = a.register.refund(RefundTo::Original).unwrap();
    assert_eq!(legs(&refund.sale), ["card -4.00 AUTH-7781"]);
    // The peanuts' 4.47: the card has 1.98 left after B's 4.02 and A's 4.00; the rest is cash.
    a.register.return_line(&receipt, 1, "1", Disposition::Restock, "stale").unwrap();
    let refund = a.register.refund(RefundTo::Original).unwrap();
    assert_eq!(legs(&refund.sale), ["card -1.98 AUTH-7781", "cash -2.50"], "{backend:?}");
    a.register.sync_now().unwrap();
    // Head office's day: the sale, and the three returns from both registers.
    // The day the server filed the sale under: the register runs on a test clock far from the
    // real one, so the server counts its entries in the real day of their upload.
    let day = filed_on;
    let report =
        server.rt.block_on(comptoir_server::sales::day_report(&server.db, "montreal", &day));
    let report = report.unwrap();
    assert_eq!(
        (report.sales, report.total.as_str(), report.returns, report.refunds.as_str()),
        (1, "16.08", 3, "12.49"),
        "{backend:?}"
    );
    assert_eq!(report.net, "3.59");
    let empty = server.rt.block_on(comptoir_server::sales::day_report(
        &server.db,
        "montreal",
        "2001-01-01",
    ));
    assert_eq!(empty.unwrap().total, "0.00");

    // A server of the previous version held these returns before it indexed them: after the
    // upgrade they still count.
    server.restart_with(before_returned_lines);
    assert_eq!(returnable(&mut b, &receipt), ["1 0", "2 0", "3 1"], "{backend:?}");
    let error =
        b.register.return_line(&receipt, 1, "1", Disposition::Restock, "again").unwrap_err();
    assert_eq!(error.code, "nothing_left_to_return");

    // London sells in pounds: a Montréal receipt is refused there, and nothing is put in the cart.
    for error in [
        london.register.find_sale(&receipt).unwrap_err(),
        london.register.return_line(&receipt, 3, "1", Disposition::Restock, "x").unwrap_err(),
    ] {
        assert_eq!(error.code, "wrong_currency", "{error:?}");
    }
    assert!(london.register.view().unwrap().cart.returns.is_empty());

    // A receipt nobody printed.
    let error = b.register.find_sale("MTL09-000042").unwrap_err();
    assert_eq!(error.code, "no_such_sale", "{error:?}");

    // Offline: B cannot know another register's sale; it says so, and nothing changes.
    let entries = b.entries().len();
    drop(server);
    for error in [
        b.register.find_sale(&receipt).unwrap_err(),
        b.register.return_line(&receipt, 3, "1", Disposition::Restock, "x").unwrap_err(),
    ] {
        assert_eq!(error.code, "sale_not_here_offline", "{error:?}");
        assert!(error.message("en").contains("try again when online"), "{}", error.message("en"));
        assert!(error.message("fr").contains("sans reçu"), "{}", error.message("fr"));
    }
    assert!(b.register.view().unwrap().cart.returns.is_empty());
    assert_eq!(b.entries().len(), entries);
    // A sale of the register's own is still returned offline, from what it holds (its own
    // returns; B's are not known to it until it is online again).
    assert_eq!(returnable(&mut a, &receipt)[0], "1 0");
}

#[test]
fn a_credit_note_issued_at_one_register_is_spent_at_another_never_beyond_its_balance() {
    for backend in BACKENDS {
        credit_elsewhere(backend);
    }
}

fn credit_elsewhere(backend: Backend) {
    let mut server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    server.add_store("london", "GBP", "Europe/London");
    let mut a = enrolled_in(&server, "montreal");
    let mut b = enrolled_in(&server, "montreal");
    let mut london = enrolled_in(&server, "london");
    // A refunds the sriracha (3.59, zero-rated) on store credit.
    let (receipt, _) = sold(&mut a);
    a.register.return_line(&receipt, 3, "1", Disposition::Restock, "gift").unwrap();
    let refund = a.register.refund(RefundTo::StoreCredit).unwrap();
    let [SaleTender::StoreCredit { reference: note, .. }] = &refund.sale.tenders[..] else {
        panic!("{:?}", refund.sale.tenders)
    };
    let note = note.clone();
    // B cannot know the note before A sends it.
    let unknown = b.register.store_credit(&note).unwrap_err();
    assert_eq!(unknown.code, "unknown_credit", "{backend:?} {unknown:?}");
    a.register.sync_now().unwrap();

    // B reads it from the server and spends 2.00 of it on a truffle (4.01), the rest in cash.
    let held = b.register.store_credit(&note).unwrap();
    assert_eq!((held.balance.as_str(), held.chain_wide), ("3.59", true), "{backend:?}");
    b.register.scan(TRUFFLES).unwrap();
    assert!(b.register.tender_store_credit("2.00", &note).unwrap().is_none());
    b.register.tender_cash("5.00").unwrap().expect("paid");
    // Before B syncs, A does not know of B's spending; after, both read 1.59.
    b.register.sync_now().unwrap();
    assert_eq!(a.register.store_credit(&note).unwrap().balance, "1.59", "{backend:?}");
    assert_eq!(b.register.store_credit(&note).unwrap().balance, "1.59");
    // A cannot take more than is left, whichever register spent it.
    a.register.scan(PEANUTS).unwrap();
    let short = a.register.tender_store_credit("2.00", &note).unwrap_err();
    assert_eq!(short.code, "credit_short", "{backend:?}");
    a.register.void_cart("customer left").unwrap();

    // A server of the previous version held these entries before it indexed credit notes.
    server.restart_with(before_credit_legs);
    assert_eq!(b.register.store_credit(&note).unwrap().balance, "1.59", "{backend:?}");

    // London sells in pounds: the note is refused there.
    assert_eq!(london.register.store_credit(&note).unwrap_err().code, "wrong_currency");
    // Offline, a note this register never saw is not taken, and says why.
    let mut c = enrolled_in(&server, "montreal");
    drop(server);
    let error = c.register.store_credit(&note).unwrap_err();
    assert_eq!(error.code, "credit_not_here_offline", "{backend:?}");
    // A, which issued it, still reads it from its own ledger (without B's spending).
    assert_eq!(a.register.store_credit(&note).unwrap().balance, "3.59");
}
