//! The automerge hazards of the sync notes: each reproduced with raw automerge, then shown
//! not to happen through this crate's API.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ROOT, ReadDoc, ScalarValue};

use super::*;
use crate::doc::K_NOTES;
use crate::{CustomerDoc, Status};

#[test]
fn raw_automerge_objects_made_on_two_replicas_hide_one_side() {
    let mut a = Automerge::new();
    let mut b = Automerge::new();
    for (doc, note) in [(&mut a, "from a"), (&mut b, "from b")] {
        let mut tx = doc.transaction();
        let notes = tx.put_object(ROOT, "notes", ObjType::List).unwrap();
        tx.insert(&notes, 0, note).unwrap();
        tx.commit();
    }
    a.merge(&mut b).unwrap();

    assert_eq!(a.get_all(ROOT, "notes").unwrap().len(), 2, "two lists conflict");
    let (_, notes) = a.get(ROOT, "notes").unwrap().unwrap();
    assert_eq!(a.length(&notes), 1, "one side's note is hidden");
}

#[test]
fn a_genesis_built_on_two_replicas_is_one_change_and_both_notes_survive() {
    let id = CustomerId(uuid::Uuid::now_v7());
    let mut a = CustomerDoc::genesis(id);
    let mut b = CustomerDoc::genesis(id);
    assert_eq!(a.heads(), b.heads(), "the same genesis change, byte for byte");
    assert_ne!(a.automerge().get_actor(), b.automerge().get_actor(), "each writes as itself");

    let key = crate::CustomerKey::generate().unwrap();
    for (doc, text, n) in [(&mut a, "from a", 1), (&mut b, "from b", 2)] {
        let mut hlc = crate::Hlc::new(rid(n));
        let writes =
            crate::edit::prepare(doc, Some(&key), &mut hlc, T0, &[Edit::Note(text.into())]);
        doc.commit(T0, writes.unwrap()).unwrap();
    }
    a.automerge_mut().merge(b.automerge_mut()).unwrap();

    assert_eq!(a.automerge().get_all(ROOT, K_NOTES).unwrap().len(), 1, "one notes list");
    let texts: Vec<String> =
        a.read(Some(&key)).notes.iter().map(|n| n.text.clone().unwrap().0).collect();
    assert_eq!(texts.len(), 2);
    assert!(texts.contains(&"from a".to_string()) && texts.contains(&"from b".to_string()));
}

#[test]
fn raw_automerge_lets_the_higher_op_counter_win_over_the_later_edit() {
    let mut base = Automerge::new();
    base.transact(|tx| tx.put(ROOT, "email", "first@example.com").map(|_| ())).unwrap();
    let mut early = base.fork().with_actor(ActorId::from([1u8; 16]));
    let mut late = base.fork().with_actor(ActorId::from([2u8; 16]));
    // The early writer makes many operations; the late one a single put an hour later.
    early
        .transact(|tx| {
            for n in 0..5 {
                tx.put(ROOT, "scratch", n)?;
            }
            tx.put(ROOT, "email", "early@example.com")
        })
        .unwrap();
    late.transact(|tx| tx.put(ROOT, "email", "late@example.com")).unwrap();
    early.merge(&mut late).unwrap();

    let (winner, _) = early.get(ROOT, "email").unwrap().unwrap();
    assert_eq!(winner.as_str(), Some("early@example.com"), "the op counter, not time, decided");
}

#[test]
fn the_latest_edit_wins_by_its_clock_whatever_the_op_counters() {
    let (mut a, mut b) = (replica(1), replica(2));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    sync_pair(&mut a, &mut b);

    // Offline: B edits the email five times early; A edits once, an hour later.
    for n in 0..5 {
        b.edit(id, T0 + 1_000 + n, &[Edit::Email(Some(format!("b{n}@example.com")))]).unwrap();
    }
    a.edit(id, T0 + 3_600_000, &[Edit::Email(Some("later@example.com".into()))]).unwrap();
    sync_pair(&mut a, &mut b);

    for r in [&a, &b] {
        assert_eq!(r.customer(id).unwrap().email.unwrap().0, "later@example.com");
    }
    // automerge's own pick is B's (more operations): the test would fail on automerge order.
    let doc = a.doc(id).unwrap();
    let fields = doc.layout().unwrap().fields;
    let (_, cell) = doc.automerge().get(&fields, "email").unwrap().unwrap();
    let (raw, _) = doc.automerge().get(&cell, "hlc").unwrap().unwrap();
    assert_eq!(raw.as_str().unwrap().parse::<crate::Timestamp>().unwrap().replica, rid(2));
    assert_converged(&[&a, &b]);
}

#[test]
fn an_edit_made_after_seeing_another_wins_even_with_the_wall_clock_behind() {
    let (mut a, mut b) = (replica(1), replica(2));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    a.edit(id, T0 + 86_400_000, &[Edit::Phone(Some("514 555 0100".into()))]).unwrap();
    sync_pair(&mut a, &mut b);

    // B's clock is a day behind A's, but B saw A's edit before correcting it.
    b.edit(id, T0 + 5, &[Edit::Phone(Some("514 555 0199".into()))]).unwrap();
    sync_pair(&mut a, &mut b);

    assert_eq!(a.customer(id).unwrap().phone.unwrap().0, "514 555 0199");
    assert_converged(&[&a, &b]);
}

#[test]
fn concurrent_edits_of_different_fields_both_survive() {
    let (mut a, mut b) = (replica(1), replica(2));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    sync_pair(&mut a, &mut b);

    a.edit(id, T0 + 10, &[Edit::Phone(Some("514 555 0100".into())), Edit::Tag("vip".into())])
        .unwrap();
    b.edit(id, T0 + 20, &[Edit::Email(Some("m.tremblay@example.com".into()))]).unwrap();
    b.edit(id, T0 + 21, &[Edit::Language(Some("fr-CA".into())), Edit::Tag("wholesale".into())])
        .unwrap();
    sync_pair(&mut a, &mut b);

    let customer = a.customer(id).unwrap();
    assert_eq!(customer.name.unwrap().0, "Marie");
    assert_eq!(customer.phone.unwrap().0, "514 555 0100");
    assert_eq!(customer.email.unwrap().0, "m.tremblay@example.com");
    assert_eq!(customer.language.as_deref(), Some("fr-CA"));
    assert_eq!(customer.tags.into_iter().collect::<Vec<_>>(), ["vip", "wholesale"]);
    assert_converged(&[&a, &b]);
}

#[test]
fn raw_automerge_loses_increments_to_a_put_of_the_counter() {
    let mut base = Automerge::new();
    base.transact(|tx| tx.put(ROOT, "visits", ScalarValue::counter(5))).unwrap();
    let mut recount = base.fork();
    let mut register = base.fork();
    recount.transact(|tx| tx.put(ROOT, "visits", ScalarValue::counter(10))).unwrap();
    register.transact(|tx| tx.increment(ROOT, "visits", 2)).unwrap();
    recount.merge(&mut register).unwrap();

    let (visits, _) = recount.get(ROOT, "visits").unwrap().unwrap();
    assert_eq!(visits.as_i64(), Some(10), "the two visits counted offline are gone");
}

#[test]
fn a_recount_is_written_as_a_difference_and_keeps_concurrent_visits() {
    let (mut a, mut b) = (replica(1), replica(2));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    a.edit(id, T0 + 1, &[Edit::Visit, Edit::Visit, Edit::Visit, Edit::Visit, Edit::Visit]).unwrap();
    sync_pair(&mut a, &mut b);

    // A finds the count should be 10 while B counts two visits offline.
    a.edit(id, T0 + 2, &[Edit::RecountVisits(10)]).unwrap();
    b.edit(id, T0 + 3, &[Edit::Visit, Edit::Visit]).unwrap();
    sync_pair(&mut a, &mut b);

    assert_eq!(a.customer(id).unwrap().visits, 12);
    assert_converged(&[&a, &b]);
}

#[test]
fn raw_automerge_loses_an_edit_inside_a_concurrently_deleted_map() {
    let mut base = Automerge::new();
    base.transact(|tx| tx.put_object(ROOT, "profile", ObjType::Map).map(|_| ())).unwrap();
    let mut deleter = base.fork();
    let mut editor = base.fork();
    deleter.transact(|tx| tx.delete(ROOT, "profile")).unwrap();
    editor
        .transact(|tx| {
            let (_, profile) = tx.get(ROOT, "profile")?.unwrap();
            tx.put(&profile, "phone", "514 555 0100")
        })
        .unwrap();
    deleter.merge(&mut editor).unwrap();

    assert!(deleter.get(ROOT, "profile").unwrap().is_none(), "the phone edit is gone with it");
}

#[test]
fn deactivation_is_a_status_and_keeps_a_concurrent_edit() {
    let (mut a, mut b) = (replica(1), replica(2));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    sync_pair(&mut a, &mut b);

    a.edit(id, T0 + 10, &[Edit::Deactivate]).unwrap();
    b.edit(id, T0 + 11, &[Edit::Phone(Some("514 555 0100".into()))]).unwrap();
    sync_pair(&mut a, &mut b);

    let customer = b.customer(id).unwrap();
    assert_eq!(customer.status, Status::Inactive);
    assert_eq!(customer.phone.unwrap().0, "514 555 0100");
    a.edit(id, T0 + 12, &[Edit::Reactivate]).unwrap();
    sync_pair(&mut a, &mut b);
    assert_eq!(b.customer(id).unwrap().status, Status::Active);
    assert_converged(&[&a, &b]);
}
