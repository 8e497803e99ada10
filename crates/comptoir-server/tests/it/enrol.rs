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
