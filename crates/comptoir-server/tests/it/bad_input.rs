//! Malformed, truncated and oversized requests get a 4xx with a stable code, and the server
//! keeps serving.

use comptoir_protocol::wire::{ApiError, LedgerBatch, MAX_BATCH_ENTRIES};

use crate::support::*;

#[test]
fn bad_requests_get_a_clear_4xx_and_the_server_keeps_serving() {
    for backend in BACKENDS {
        let server = TestServer::start(backend);
        server.add_store("montreal", "CAD", "America/Toronto");
        let mut till = Till::enrolled(&server);
        till.sell();
        let sync = till.sync_server();
        let client = server.client();
        let batch_url = format!("{}/v1/registers/{}/ledger:batch", server.url, sync.register_id);
        let post = |body: Vec<u8>| {
            client
                .post(&batch_url)
                .bearer_auth(&sync.credential)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .unwrap()
        };
        let expect = |response: reqwest::blocking::Response, status: u16, code: &str| {
            assert_eq!(response.status().as_u16(), status, "{backend:?} {code}");
            assert_eq!(response.json::<ApiError>().unwrap().code, code);
        };

        let entries = till.entries();
        let good =
            serde_json::to_vec(&LedgerBatch { epoch: 1, entries: entries.clone(), sent_at: None })
                .unwrap();
        expect(post(b"{not json".to_vec()), 400, "malformed_request");
        expect(post(good[..good.len() / 2].to_vec()), 400, "malformed_request");
        expect(
            post(br#"{"epoch": 1, "entries": [{"seq": 1}]}"#.to_vec()),
            400,
            "malformed_request",
        );
        // The server answers before reading an oversized body and closes the connection; the
        // client may see the reset before the answer, so it asks up to three times.
        let oversized = (0..3)
            .find_map(|_| {
                client
                    .post(&batch_url)
                    .bearer_auth(&sync.credential)
                    .header("content-type", "application/json")
                    .body(vec![b' '; 9 * 1024 * 1024])
                    .send()
                    .ok()
            })
            .expect("an answer to the oversized body");
        expect(oversized, 413, "payload_too_large");
        let many = LedgerBatch {
            epoch: 1,
            entries: vec![entries[0].clone(); MAX_BATCH_ENTRIES + 1],
            sent_at: None,
        };
        expect(post(serde_json::to_vec(&many).unwrap()), 413, "payload_too_large");
        let mixed = LedgerBatch { epoch: 2, entries: entries.clone(), sent_at: None };
        expect(post(serde_json::to_vec(&mixed).unwrap()), 400, "malformed_request");
        let twice = LedgerBatch {
            epoch: 1,
            entries: vec![entries[0].clone(), entries[0].clone()],
            sent_at: None,
        };
        expect(post(serde_json::to_vec(&twice).unwrap()), 400, "malformed_request");
        let anonymous = client.post(&batch_url).body(good.clone()).send().unwrap();
        expect(anonymous, 401, "unauthenticated");
        expect(client.get(format!("{}/v1/nothing", server.url)).send().unwrap(), 404, "not_found");
        let enrol = client
            .post(format!("{}/v1/enrol", server.url))
            .header("content-type", "application/json")
            .body("[]")
            .send()
            .unwrap();
        expect(enrol, 400, "malformed_request");

        // Nothing of that was stored, and the register's upload goes through.
        let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
        assert_eq!(counts[0].entries, 0);
        let report = till.register.sync_now().unwrap();
        assert_eq!(report.accepted, 2);
        let health = client.get(format!("{}/v1/health", server.url)).send().unwrap();
        assert_eq!(health.status(), 200);
    }
}
