//! Enrolment and access: a one-time code for a credential, pinned TLS, one register per
//! credential, revocation at the next request, and every refusal logged.

use comptoir_protocol::wire::ApiError;
use comptoir_server::secret;
use comptoir_sync::Trust;

use crate::support::*;

#[test]
fn a_register_enrols_once_and_only_into_its_store() {
    for backend in BACKENDS {
        enrolment(backend);
    }
}

fn enrolment(backend: Backend) {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    server.add_store("london", "GBP", "Europe/London");
    let fingerprint = Trust::Fingerprint(server.fingerprint.clone());
    let mut till = Till::new("montreal");
    let issued = server.add_register("montreal");

    let wrong =
        till.register.enrol(&server.url, "AAAA-BBBB-CCCC", fingerprint.clone()).unwrap_err();
    assert_eq!(wrong.code, "enrolment_refused", "{backend:?}: {wrong:?}");

    // A server whose certificate is not the one the administrator read out: nothing is sent,
    // so the code stays usable.
    let elsewhere = Trust::Fingerprint(format!("sha256:{}", "ab".repeat(32)));
    let mismatch = till.register.enrol(&server.url, &issued.code, elsewhere).unwrap_err();
    assert_eq!(mismatch.code, "fingerprint_mismatch");

    let london = server.add_register("london");
    let other_store =
        till.register.enrol(&server.url, &london.code, fingerprint.clone()).unwrap_err();
    assert_eq!(other_store.code, "enrolment_refused");

    let expired = server
        .rt
        .block_on(comptoir_server::admin::add_register(
            &server.db,
            "montreal",
            None,
            None,
            chrono::Duration::seconds(-1),
        ))
        .unwrap();
    let late = till.register.enrol(&server.url, &expired.code, fingerprint.clone()).unwrap_err();
    assert_eq!(late.code, "enrolment_refused");

    // The right code, typed in lower case with spaces, trusting the CA file given by hand.
    let typed = issued.code.to_lowercase().replace('-', " ");
    let view = till
        .register
        .enrol(&server.url, &typed, Trust::Certificate(server.pin_pem.clone()))
        .unwrap();
    assert_eq!(view.server.as_deref(), Some(server.url.as_str()));
    let credential = till.sync_server().credential;
    assert_eq!(till.sync_server().register_id, issued.register.id);

    // Only the credential's hash is on the server.
    let by_hash = server.rt.block_on(server.db.authenticate(&secret::hash(&credential))).unwrap();
    assert_eq!(by_hash.map(|a| a.register_id), Some(issued.register.id.clone()));
    assert_eq!(server.rt.block_on(server.db.authenticate(&credential)).unwrap(), None);

    // The same code again, from another register: refused.
    let mut second = Till::new("montreal");
    let replayed =
        second.register.enrol(&server.url, &issued.code, fingerprint.clone()).unwrap_err();
    assert_eq!(replayed.code, "enrolment_refused");

    till.sell();
    let report = till.register.sync_now().unwrap();
    assert_eq!((report.accepted, report.pending), (2, 0), "shift opened and one sale");
    assert_eq!(till.register.sync_view().unwrap().state, "online");

    // A register reads only its own ledger.
    let client = server.client();
    let response = client
        .get(format!("{}/v1/registers/{}/ledger:status", server.url, london.register.id))
        .bearer_auth(&credential)
        .send()
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(response.json::<ApiError>().unwrap().code, "forbidden");

    // An unknown credential.
    let response = client
        .get(format!("{}/v1/registers/{}/ledger:status", server.url, issued.register.id))
        .bearer_auth("cpt_0000")
        .send()
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<ApiError>().unwrap().code, "unauthenticated");

    // Revoked: the very next request is refused, and the sale waits on the register.
    server.rt.block_on(server.db.revoke(&issued.register.id, &comptoir_server::now())).unwrap();
    till.sell();
    let refused = till.register.sync_now().unwrap_err();
    assert_eq!(refused.code, "refused", "{refused:?}");
    let view = till.register.sync_view().unwrap();
    assert_eq!((view.state, view.pending), ("refused", 1));

    let events = server.rt.block_on(server.db.security_events(100)).unwrap();
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("enrolment_refused"), 4, "{events:#?}");
    assert_eq!(count("enrolled"), 1);
    assert_eq!(count("forbidden"), 1);
    assert_eq!(count("unknown_credential"), 1);
    assert_eq!(count("revoked_credential"), 1);
    assert!(events.iter().all(|e| !e.detail.contains(&credential)), "no secret in the log");
}

#[test]
fn the_register_trusts_only_the_pinned_certificate() {
    let server = TestServer::start(Backend::Sqlite);
    let other = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut till = Till::enrolled(&server);
    till.sell();
    // The address now leads to another server, with a certificate from another CA.
    let mut moved = till.sync_server();
    moved.url = other.url.clone();
    till.store().set_sync_server(&moved).unwrap();
    let refused = till.register.sync_now().unwrap_err();
    assert_eq!(refused.code, "tls_untrusted", "{refused:?}");
    assert_eq!(till.register.sync_view().unwrap().pending, 2);
}

#[test]
fn a_code_for_another_register_number_is_refused() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let _first = server.add_register("montreal");
    let second = server.add_register("montreal");
    // This till prints MTL01 receipts: register 2's code would give two tills one numbering.
    let mut till = Till::numbered("montreal", 1);
    let fingerprint = Trust::Fingerprint(server.fingerprint.clone());
    let refused = till.register.enrol(&server.url, &second.code, fingerprint).unwrap_err();
    assert_eq!(refused.code, "enrolment_refused");
    assert!(
        refused.detail.contains("register 1 of montreal"),
        "the till says what it is: {refused:?}"
    );
    let events = server.rt.block_on(server.db.security_events(10)).unwrap();
    assert!(events[0].detail.contains("register 2"), "{events:?}");
}

#[test]
fn a_reinstalled_till_takes_its_ledger_back_and_goes_on() {
    for backend in BACKENDS {
        let server = TestServer::start(backend);
        server.add_store("montreal", "CAD", "America/Toronto");
        let mut old = Till::enrolled(&server);
        for _ in 0..3 {
            old.sell();
        }
        old.register.sync_now().unwrap();
        let register_id = old.sync_server().register_id;
        drop(old); // the disk died

        // A new install of register 1, enrolled with a new code for the same register.
        let code = server.new_code(&register_id);
        let mut new = Till::bare("montreal", 1);
        let fingerprint = Trust::Fingerprint(server.fingerprint.clone());
        new.register.enrol(&server.url, &code, fingerprint).unwrap();
        assert_eq!(new.entries().len(), 4, "{backend:?}: the shift and three sales, taken back");
        assert!(new.register.verify().unwrap().first_bad.is_none());
        // The shift is still open, the receipt numbers go on, in a new epoch.
        let sale = {
            new.register.scan(PEANUTS).unwrap();
            new.register.tender_cash("10.00").unwrap().expect("paid")
        };
        assert_eq!(sale.sale.receipt_no, "MTL01-2-000004");
        assert_eq!((sale.entry.epoch, sale.entry.seq), (2, 1));
        let report = new.register.sync_now().unwrap();
        assert_eq!((report.accepted, report.quarantined, report.pending), (1, 0, 0));
        let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
        assert_eq!((counts[0].entries, counts[0].sales, counts[0].quarantined), (5, 4, 0));
    }
}

#[test]
fn a_till_with_another_history_cannot_take_a_registers_place() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut first = Till::enrolled(&server);
    first.sell();
    first.register.sync_now().unwrap();
    let register_id = first.sync_server().register_id;
    let code = server.new_code(&register_id);
    // Another till that already sold on its own.
    let mut other = Till::numbered("montreal", 1);
    other.sell();
    let fingerprint = Trust::Fingerprint(server.fingerprint.clone());
    let refused = other.register.enrol(&server.url, &code, fingerprint.clone()).unwrap_err();
    assert_eq!(refused.code, "ledger_conflict", "{refused:?}");
    assert_eq!(other.register.sync_view().unwrap().state, "not_enrolled", "it sends nothing");
    let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
    assert_eq!((counts[0].entries, counts[0].quarantined), (2, 0));
    // Nothing changed on the server: the real till goes on, and the code is still good.
    first.sell();
    assert_eq!(first.register.sync_now().unwrap().accepted, 1);
    let mut fresh = Till::bare("montreal", 1);
    fresh.register.enrol(&server.url, &code, fingerprint).unwrap();
    assert_eq!(fresh.entries().len(), 3);
}

#[test]
fn a_reinstated_register_enrols_again_and_nothing_counts_twice() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut till = Till::enrolled(&server);
    till.sell();
    till.register.sync_now().unwrap();
    let register_id = till.sync_server().register_id;
    server.rt.block_on(server.db.revoke(&register_id, &comptoir_server::now())).unwrap();
    till.sell();
    assert_eq!(till.register.sync_now().unwrap_err().code, "refused");
    server.rt.block_on(server.db.reinstate(&register_id)).unwrap();
    let old_credential = till.sync_server().credential;
    let code = server.new_code(&register_id);
    let fingerprint = Trust::Fingerprint(server.fingerprint.clone());
    till.register.enrol(&server.url, &code, fingerprint).unwrap();
    assert_ne!(till.sync_server().credential, old_credential);
    let report = till.register.sync_now().unwrap();
    assert_eq!((report.accepted, report.pending), (1, 0));
    let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
    assert_eq!((counts[0].entries, counts[0].sales, counts[0].quarantined), (3, 2, 0));
    // The revoked credential stays refused.
    let by_old =
        server.rt.block_on(server.db.authenticate(&secret::hash(&old_credential))).unwrap();
    assert_eq!(by_old, None);
}

#[test]
fn a_copy_of_a_till_with_an_unsent_sale_cannot_take_its_place() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut real = Till::enrolled(&server);
    real.sell();
    real.register.sync_now().unwrap();
    // A copy of the till's folder, which then sells on its own.
    let copy_dir = tempfile::tempdir().unwrap();
    comptoir_app::backup::backup(real.dir.path(), &copy_dir.path().join("register.db")).unwrap();
    let mut copy = Till::reopen(copy_dir, real.clock.clone());
    copy.sell();
    real.sell();
    real.register.sync_now().unwrap();
    let register_id = real.sync_server().register_id;
    let code = server.new_code(&register_id);
    let fingerprint = Trust::Fingerprint(server.fingerprint.clone());
    let refused = copy.register.enrol(&server.url, &code, fingerprint.clone()).unwrap_err();
    assert_eq!(refused.code, "ledger_conflict");
    // The real till keeps its credential, and the code still serves a proper new install.
    real.sell();
    assert_eq!(real.register.sync_now().unwrap().accepted, 1);
    let mut fresh = Till::bare("montreal", 1);
    fresh.register.enrol(&server.url, &code, fingerprint).unwrap();
}
