//! Batched sync: two registers and the server, editing offline, converge whatever the order.

use super::*;
use crate::Batch;

/// splitmix64: a seeded generator, so a failing order can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_edit(rng: &mut Rng, n: u64) -> Edit {
    match rng.below(9) {
        0 => Edit::Name(Some(format!("Client {n}"))),
        1 => Edit::Email(Some(format!("client{n}@example.com"))),
        2 => Edit::Phone(Some(format!("514 555 {:04}", n % 10_000))),
        3 => Edit::Note(format!("note {n}")),
        4 => Edit::Visit,
        5 => Edit::Tag(["vip", "wholesale", "staff"][rng.below(3)].into()),
        6 => Edit::Untag(["vip", "wholesale", "staff"][rng.below(3)].into()),
        7 => Edit::Consent { granted: rng.below(2) == 0, source: "register".into() },
        _ => Edit::Language(Some(["fr-CA", "en-CA"][rng.below(2)].into())),
    }
}

/// One register-server session, through JSON batches, in the HTTP shape: the register posts a
/// batch, the server answers with its own. Returns the largest number of document messages
/// in one batch.
fn session(register: &mut Replica, server: &mut Replica) -> usize {
    let mut largest = 0;
    for _ in 0..50 {
        let up = Batch::from_json(&register.sync_batch(server.replica()).to_json()).unwrap();
        let up_empty = up.is_empty();
        largest = largest.max(up.docs.len());
        server.receive_batch(register.replica(), up).unwrap();
        let down = Batch::from_json(&server.sync_batch(register.replica()).to_json()).unwrap();
        largest = largest.max(down.docs.len());
        let down_empty = down.is_empty();
        register.receive_batch(server.replica(), down).unwrap();
        if up_empty && down_empty {
            return largest;
        }
    }
    panic!("the session did not finish in 50 rounds");
}

fn converge_through_the_server(seed: u64) {
    let mut rng = Rng(seed);
    let mut replicas = [replica(1), replica(2), replica(9)];
    let mut now = T0;
    let mut ids = Vec::new();
    for n in 0..100u64 {
        let r = rng.below(3);
        now += 1;
        ids.push(
            replicas[r]
                .create(now, &named(&format!("Client {n}"), &format!("c{n}@example.com")))
                .unwrap(),
        );
    }
    let [a, b, server] = &mut replicas;
    let mut largest = session(a, server);
    largest = largest.max(session(b, server));
    largest = largest.max(session(a, server));
    assert!(largest >= 60, "one batch carries the documents together ({largest})");

    for _ in 0..4 {
        // Offline: every replica edits random customers, with clocks that disagree.
        for _ in 0..60 {
            let r = rng.below(3);
            let id = ids[rng.below(ids.len())];
            let skew = [0, 5_000, 0][r];
            now += rng.below(1_000) as u64;
            let edit = random_edit(&mut rng, now);
            replicas[r].edit(id, now - skew, &[edit]).unwrap();
        }
        // Back online, in a random order of sessions, until a full pass changes nothing.
        let [a, b, server] = &mut replicas;
        for _ in 0..rng.below(4) {
            if rng.below(2) == 0 {
                session(a, server)
            } else {
                session(b, server)
            };
        }
        session(a, server);
        session(b, server);
        session(a, server);
    }

    let [a, b, server] = &replicas;
    for id in &ids {
        assert!(a.has_key(*id) && b.has_key(*id) && server.has_key(*id), "keys reached everyone");
    }
    assert_converged(&[a, b, server]);
}

#[test]
fn three_replicas_converge_through_the_server_in_random_orders() {
    for seed in [1, 2, 0x00c0_ffee] {
        converge_through_the_server(seed);
    }
}

#[test]
fn only_documents_that_changed_are_in_the_next_batch() {
    let (mut a, mut server) = (replica(1), replica(9));
    let ids: Vec<_> =
        (0..20).map(|n| a.create(T0 + n, &named("Marie", "marie@example.com")).unwrap()).collect();
    sync_pair(&mut a, &mut server);
    assert!(a.sync_batch(server.replica()).is_empty());

    a.edit(ids[7], T0 + 100, &[Edit::Visit]).unwrap();
    let batch = a.sync_batch(server.replica());
    assert_eq!(batch.docs.iter().map(|d| d.id.clone()).collect::<Vec<_>>(), [ids[7].to_string()]);
}

#[test]
fn a_batch_of_another_version_is_refused() {
    let mut a = replica(1);
    let batch = Batch { v: 2, ..Batch::default() };
    assert_eq!(a.receive_batch(rid(9), batch).unwrap_err().code(), "bad_sync_batch");
    assert!(Batch::from_json(b"{\"v\":1,\"docs\":[{\"id\":1}]}").is_err());
}

#[test]
fn a_bad_message_is_set_aside_and_the_rest_of_the_batch_applies() {
    let (mut a, mut b) = (replica(1), replica(2));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    let mut batch = a.sync_batch(b.replica());
    batch.docs.push(crate::DocMessage { id: uuid::Uuid::now_v7().to_string(), msg: "AAAA".into() });
    let received = b.receive_batch(a.replica(), batch).unwrap();
    assert_eq!(received.rejected.len(), 1);
    sync_pair(&mut a, &mut b);
    assert_eq!(b.customer(id).unwrap().name.unwrap().0, "Marie");
}

#[test]
fn a_batch_shows_no_key_or_personal_data_in_debug() {
    let (mut a, mut b) = (replica(1), replica(2));
    a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    let first = a.sync_batch(b.replica());
    b.receive_batch(a.replica(), first).unwrap();
    let ask = b.sync_batch(a.replica());
    a.receive_batch(b.replica(), ask).unwrap();
    let grant = a.sync_batch(b.replica());
    assert_eq!(grant.keys.len(), 1);
    assert_eq!(
        format!("{grant:?}"),
        format!("Batch {{ docs: {}, keys: 1, want_keys: 0, erased: 0 }}", grant.docs.len())
    );
}
