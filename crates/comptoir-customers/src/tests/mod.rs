//! The crate's tests: each hazard reproduced with raw automerge where practical, then shown
//! designed out; sync, storage, erasure and export.

mod compensation;
mod erasure;
mod export;
mod hazards;
mod storage;
mod sync;

use automerge::ScalarValue;
use uuid::Uuid;

use crate::doc::Write;
use crate::{Batch, CustomerId, Edit, Field, Replica, ReplicaId};

pub(crate) const T0: u64 = 1_760_000_000_000;

pub(crate) fn rid(n: u128) -> ReplicaId {
    ReplicaId(Uuid::from_u128(n))
}

pub(crate) fn replica(n: u128) -> Replica {
    Replica::new(rid(n))
}

pub(crate) fn named(name: &str, email: &str) -> Vec<Edit> {
    vec![Edit::Name(Some(name.into())), Edit::Email(Some(email.into()))]
}

/// Exchanges batches, through their JSON form, until neither side has anything to send.
/// Returns the number of rounds.
pub(crate) fn sync_pair(a: &mut Replica, b: &mut Replica) -> usize {
    for round in 1..=50 {
        let to_b = Batch::from_json(&a.sync_batch(b.replica()).to_json()).unwrap();
        let quiet = to_b.is_empty();
        b.receive_batch(a.replica(), to_b).unwrap();
        let to_a = Batch::from_json(&b.sync_batch(a.replica()).to_json()).unwrap();
        let quiet = quiet && to_a.is_empty();
        a.receive_batch(b.replica(), to_a).unwrap();
        if quiet {
            return round;
        }
    }
    panic!("no convergence after 50 rounds");
}

/// What an older or buggy register would write: a sealed value the rules refuse, bypassing
/// `Replica::edit`'s checks.
pub(crate) fn write_unchecked(
    replica: &mut Replica,
    id: CustomerId,
    field: Field,
    text: &str,
    now: u64,
) {
    let key = replica.keys[&id].clone();
    let held = replica.docs.get_mut(&id).unwrap();
    replica.hlc.observe(held.doc.max_timestamp().unwrap());
    let sealed = key.seal(id, field.key(), text.as_bytes()).unwrap();
    let ts = replica.hlc.tick(now);
    let write =
        Write::Cell { tags: false, key: field.key().into(), ts, value: ScalarValue::Bytes(sealed) };
    held.doc.commit(now, vec![write]).unwrap();
}

/// Asserts that replicas hold identical documents (heads) and read identical customers.
pub(crate) fn assert_converged(replicas: &[&Replica]) {
    let first = replicas[0];
    let ids: Vec<CustomerId> = first.customer_ids().collect();
    for other in &replicas[1..] {
        assert_eq!(ids, other.customer_ids().collect::<Vec<_>>(), "same customers");
        for id in &ids {
            let (a, b) = (first.doc(*id).unwrap(), other.doc(*id).unwrap());
            let (mut ha, mut hb) = (a.heads(), b.heads());
            ha.sort();
            hb.sort();
            assert_eq!(ha, hb, "heads of {id}");
            assert_eq!(first.customer(*id), other.customer(*id), "customer {id}");
        }
    }
}
