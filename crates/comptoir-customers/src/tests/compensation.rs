//! Compensate rather than reject: a merge that brings in what the rules refuse is corrected
//! by a change, and every replica converges on the correction.

use automerge::ScalarValue;

use super::*;
use crate::doc::Write;
use crate::{MAX_NOTES, Problem};

#[test]
fn edits_the_rules_refuse_are_refused_up_front() {
    let mut a = replica(1);
    let err = a.create(T0, &named("Marie", "not an email")).unwrap_err();
    assert_eq!(err.code(), "invalid_email");
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    let err = a.edit(id, T0 + 1, &[Edit::Tag("VIP clients!".into())]).unwrap_err();
    assert_eq!(err.code(), "invalid_label");
}

#[test]
fn an_invalid_email_merged_from_an_old_register_is_restored_and_all_converge() {
    let (mut a, mut b, mut server) = (replica(1), replica(2), replica(9));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    sync_pair(&mut a, &mut server);
    sync_pair(&mut b, &mut server);
    a.edit(id, T0 + 5, &[Edit::Email(Some("marie.t@example.com".into()))]).unwrap();
    sync_pair(&mut a, &mut server);
    sync_pair(&mut b, &mut server);

    write_unchecked(&mut b, id, Field::Email, "514-555-0199", T0 + 10);
    sync_pair(&mut b, &mut server);
    assert_eq!(server.validate(id), [Problem::InvalidEmail]);

    let corrected = server.compensate(id, T0 + 20).unwrap();
    assert_eq!(corrected, [Problem::InvalidEmail]);
    for r in [&mut a, &mut b] {
        sync_pair(r, &mut server);
    }

    for r in [&a, &b, &server] {
        let customer = r.customer(id).unwrap();
        assert_eq!(customer.email.unwrap().0, "marie.t@example.com", "the last valid email");
        assert_eq!(customer.incidents.len(), 1);
        assert_eq!(
            (customer.incidents[0].code.as_str(), customer.incidents[0].target.as_str()),
            ("invalid_email", "email")
        );
        assert_eq!(customer.incidents[0].action, "restored");
        assert!(r.validate(id).is_empty());
    }
    assert_converged(&[&a, &b, &server]);
}

#[test]
fn two_replicas_compensating_the_same_merge_still_converge() {
    let (mut a, mut b) = (replica(1), replica(2));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    sync_pair(&mut a, &mut b);
    write_unchecked(&mut a, id, Field::Name, &"x".repeat(crate::MAX_NAME + 1), T0 + 1);
    sync_pair(&mut a, &mut b);

    a.compensate(id, T0 + 2).unwrap();
    b.compensate(id, T0 + 3).unwrap();
    sync_pair(&mut a, &mut b);

    assert_eq!(a.customer(id).unwrap().name.unwrap().0, "Marie");
    assert!(a.validate(id).is_empty());
    assert_converged(&[&a, &b]);
}

#[test]
fn a_ciphertext_copied_from_another_customer_does_not_open_and_is_replaced() {
    let mut a = replica(1);
    let victim = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    let other = a.create(T0 + 1, &named("Jean", "jean@example.com")).unwrap();
    // Copy the victim's sealed email into the other customer's document.
    let sealed = a.doc(victim).unwrap().field(Field::Email).unwrap().value;
    let ts = a.hlc.tick(T0 + 2);
    let write = Write::Cell { tags: false, key: "email".into(), ts, value: sealed };
    a.docs.get_mut(&other).unwrap().doc.commit(T0 + 2, vec![write]).unwrap();

    assert_eq!(a.customer(other).unwrap().email, None, "does not open for another customer");
    assert_eq!(a.validate(other), [Problem::Unreadable { field: Field::Email }]);
    a.compensate(other, T0 + 3).unwrap();
    assert_eq!(a.customer(other).unwrap().email.unwrap().0, "jean@example.com");
}

#[test]
fn concurrent_notes_past_the_limit_are_withdrawn_the_same_way_everywhere() {
    let (mut a, mut b, mut server) = (replica(1), replica(2), replica(9));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    sync_pair(&mut a, &mut server);
    sync_pair(&mut b, &mut server);
    // Each register stays within the limit on its own; together they pass it.
    for n in 0..30 {
        a.edit(id, T0 + n, &[Edit::Note(format!("a{n}"))]).unwrap();
        b.edit(id, T0 + n, &[Edit::Note(format!("b{n}"))]).unwrap();
    }
    sync_pair(&mut a, &mut server);
    sync_pair(&mut b, &mut server);
    assert_eq!(server.validate(id), [Problem::TooManyNotes { count: 60 }]);

    server.compensate(id, T0 + 100).unwrap();
    sync_pair(&mut a, &mut server);
    sync_pair(&mut b, &mut server);

    let customer = a.customer(id).unwrap();
    let readable = customer.notes.iter().filter(|n| n.withdrawn.is_none()).count();
    assert_eq!(readable, MAX_NOTES);
    assert_eq!(customer.incidents.len(), 60 - MAX_NOTES);
    // Withdrawn, not lost: the export still shows what was written.
    assert!(customer.notes.iter().all(|n| n.text.is_some()));
    assert_eq!(
        a.edit(id, T0 + 101, &[Edit::Note("one more".into())]).unwrap_err().code(),
        "too_many_notes"
    );
    assert_converged(&[&a, &b, &server]);
}

#[test]
fn a_bad_status_value_is_cleared_without_the_key() {
    let (mut a, mut server) = (replica(1), replica(9));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    let ts = a.hlc.tick(T0 + 1);
    let value = ScalarValue::from("vanished");
    let write = Write::Cell { tags: false, key: "status".into(), ts, value };
    a.docs.get_mut(&id).unwrap().doc.commit(T0 + 1, vec![write]).unwrap();
    sync_pair(&mut a, &mut server);
    server.keys.clear();

    assert_eq!(server.validate(id), [Problem::InvalidLabel { field: Field::Status }]);
    server.compensate(id, T0 + 2).unwrap();
    sync_pair(&mut a, &mut server);
    assert!(a.validate(id).is_empty());
}
