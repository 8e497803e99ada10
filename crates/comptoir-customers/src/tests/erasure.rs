//! Erasure on request: after it, no replica's stored bytes give the personal data back.

use std::path::{Path, PathBuf};

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT, ReadDoc, ScalarValue};
use rusqlite::Connection;

use super::*;
use crate::doc::note_field;
use crate::{CustomerDoc, CustomerKey, KeyGrant, PostalAddress, Status, store};

const NAME: &str = "Zéphyrine Quintal-Okonkwo";
const EMAIL: &str = "zephyrine.quintal@example.org";
const PHONE: &str = "+1 438 555 0172";
const STREET: &str = "8841 rue des Érables-Rouges";
const NOTE: &str = "allergique aux arachides, préfère la carte or";
const SECRETS: [&str; 5] = [NAME, EMAIL, PHONE, STREET, NOTE];

struct Node {
    replica: Replica,
    conn: Connection,
    path: PathBuf,
}

impl Node {
    fn open(dir: &Path, n: u128) -> Node {
        let path = dir.join(format!("replica-{n}.sqlite"));
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.execute_batch(store::SCHEMA).unwrap();
        let replica = Replica::open(&conn, rid(n)).unwrap();
        Node { replica, conn, path }
    }

    fn persist(&mut self) -> crate::Persisted {
        self.replica.persist(&self.conn).unwrap()
    }

    /// The bytes of the database and of every file SQLite keeps beside it.
    fn file_bytes(&self) -> Vec<(String, Vec<u8>)> {
        ["", "-wal", "-shm", "-journal"]
            .into_iter()
            .filter_map(|suffix| {
                let path = PathBuf::from(format!("{}{suffix}", self.path.display()));
                std::fs::read(&path).ok().map(|bytes| (path.display().to_string(), bytes))
            })
            .collect()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_no_plaintext(nodes: &[&Node], when: &str) {
    for node in nodes {
        for (file, bytes) in node.file_bytes() {
            for secret in SECRETS {
                assert!(!contains(&bytes, secret.as_bytes()), "{secret:?} in {file} {when}");
            }
        }
    }
}

fn personal_edits() -> Vec<Edit> {
    let address = PostalAddress {
        lines: vec![STREET.into()],
        city: "Montréal".into(),
        region: "QC".into(),
        postal_code: "H2X 1Y4".into(),
        country: "CA".into(),
    };
    vec![
        Edit::Name(Some(NAME.into())),
        Edit::Email(Some(EMAIL.into())),
        Edit::Phone(Some(PHONE.into())),
        Edit::Address(Some(address)),
        Edit::Note(NOTE.into()),
    ]
}

/// Every sealed value the customer's document ever held, in any version, from its chunks.
fn every_sealed_value(conn: &Connection, id: CustomerId) -> Vec<(String, Vec<u8>)> {
    let chunks = store::load_chunks(conn, id).unwrap();
    let doc = CustomerDoc::load(id, chunks.iter().map(Vec::as_slice)).unwrap();
    let fields = doc.layout().unwrap().fields;
    let mut sealed = Vec::new();
    for change in doc.automerge().get_changes(&[]) {
        for field in Field::PERSONAL {
            for cell in doc.cells(&fields, field.key(), Some(&[change.hash()])) {
                if let ScalarValue::Bytes(bytes) = cell.value {
                    sealed.push((field.key().to_owned(), bytes));
                }
            }
        }
    }
    sealed.extend(doc.notes().into_iter().map(|n| (note_field(n.id), n.sealed)));
    sealed
}

#[test]
fn raw_automerge_keeps_a_deleted_value_in_its_history() {
    let mut doc = Automerge::new();
    doc.transact(|tx| tx.put(ROOT, "name", NAME)).unwrap();
    let before = doc.get_heads();
    doc.transact(|tx| tx.delete(ROOT, "name")).unwrap();

    assert!(doc.get(ROOT, "name").unwrap().is_none());
    let (old, _) = doc.get_at(ROOT, "name", &before).unwrap().unwrap();
    assert_eq!(old.as_str(), Some(NAME), "deleting is not erasing");
    assert!(contains(&doc.save_nocompress(), NAME.as_bytes()));
}

#[test]
fn after_erasure_no_replica_file_gives_the_personal_data_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b, mut server) =
        (Node::open(dir.path(), 1), Node::open(dir.path(), 2), Node::open(dir.path(), 9));
    let id = a.replica.create(T0, &personal_edits()).unwrap();
    let other = a.replica.create(T0 + 1, &named("Jean Autre", "jean@example.com")).unwrap();
    a.persist();
    assert_no_plaintext(&[&a], "after creation");

    sync_pair(&mut a.replica, &mut server.replica);
    sync_pair(&mut b.replica, &mut server.replica);
    for node in [&mut a, &mut b, &mut server] {
        node.persist();
        assert_eq!(node.replica.customer(id).unwrap().name.unwrap().0, NAME);
    }
    assert_no_plaintext(&[&a, &b, &server], "after sync");
    // The scan can see a key: before erasure, every replica's files hold it.
    let key = server.replica.keys[&id].as_bytes().to_vec();
    for node in [&a, &b, &server] {
        assert!(node.file_bytes().iter().any(|(_, bytes)| contains(bytes, &key)));
    }

    server.replica.erase(id, T0 + 1_000).unwrap();
    let persisted = server.persist();
    assert_eq!((persisted.keys_destroyed, persisted.scrubbed), (1, true));
    sync_pair(&mut a.replica, &mut server.replica);
    sync_pair(&mut b.replica, &mut server.replica);
    for node in [&mut a, &mut b] {
        let persisted = node.persist();
        assert_eq!((persisted.keys_destroyed, persisted.scrubbed), (1, true));
    }

    assert_no_plaintext(&[&a, &b, &server], "after erasure");
    let nodes = [&a, &b, &server];
    let mut keys_left: Vec<CustomerKey> = Vec::new();
    for node in nodes {
        for (file, bytes) in node.file_bytes() {
            assert!(!contains(&bytes, &key), "the destroyed key is still in {file}");
        }
        let fresh = Connection::open(&node.path).unwrap();
        let held = store::load_keys(&fresh).unwrap();
        assert!(held.iter().all(|(held_id, _)| *held_id != id));
        assert!(held.iter().any(|(held_id, _)| *held_id == other), "other customers keep theirs");
        keys_left.extend(held.into_iter().map(|(_, key)| key));
        assert!(store::erasure(&fresh, id).unwrap().is_some());
    }
    for node in nodes {
        let fresh = Connection::open(&node.path).unwrap();
        let sealed = every_sealed_value(&fresh, id);
        assert!(sealed.len() >= 5, "the ciphertext is still there ({})", sealed.len());
        for (field, bytes) in &sealed {
            for key in &keys_left {
                assert!(key.open(id, field, bytes).is_err(), "{field} opened after erasure");
            }
        }
        let reopened = Replica::open(&fresh, node.replica.replica()).unwrap();
        let customer = reopened.customer(id).unwrap();
        assert!(matches!(customer.status, Status::Erased(_)));
        assert_eq!((customer.name, customer.email, customer.readable), (None, None, false));
        assert_eq!(reopened.customer(other).unwrap().name.unwrap().0, "Jean Autre");
    }
    assert_converged(&[&a.replica, &b.replica, &server.replica]);
}

#[test]
fn without_secure_delete_a_deleted_key_stays_in_the_file() {
    // The control for the test above: the scan does find a deleted key when SQLite leaves it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.sqlite");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "secure_delete", "OFF").unwrap();
    conn.execute_batch(store::SCHEMA).unwrap();
    let id = CustomerId(uuid::Uuid::now_v7());
    let key = CustomerKey::generate().unwrap();
    store::put_key(&conn, id, &key).unwrap();
    store::put_key(&conn, CustomerId(uuid::Uuid::now_v7()), &CustomerKey::generate().unwrap())
        .unwrap();
    store::delete_key(&conn, id).unwrap();
    assert!(store::scrub(&conn).unwrap());

    let bytes = std::fs::read(&path).unwrap();
    assert!(contains(&bytes, key.as_bytes()), "SQLite left the deleted key in its page");
}

#[test]
fn an_offline_replica_cannot_bring_an_erased_customer_back() {
    let (mut a, mut b, mut server) = (replica(1), replica(2), replica(9));
    let id = a.create(T0, &personal_edits()).unwrap();
    sync_pair(&mut a, &mut server);
    sync_pair(&mut b, &mut server);

    // B is offline while the server erases; B edits the customer and writes a note meanwhile.
    server.erase(id, T0 + 1_000).unwrap();
    sync_pair(&mut a, &mut server);
    b.edit(
        id,
        T0 + 2_000,
        &[Edit::Name(Some("Zéphyrine Q.".into())), Edit::Note("encore là".into())],
    )
    .unwrap();
    let late_sealed = b.doc(id).unwrap().field(Field::Name).unwrap().value;

    sync_pair(&mut b, &mut server);
    assert!(!b.has_key(id), "B's key is destroyed when it syncs");
    let problems = server.validate(id);
    assert_eq!(problems.len(), 2, "{problems:?}");
    server.compensate(id, T0 + 3_000).unwrap();
    sync_pair(&mut a, &mut server);
    sync_pair(&mut b, &mut server);

    for r in [&a, &b, &server] {
        let customer = r.customer(id).unwrap();
        assert!(matches!(customer.status, Status::Erased(e) if e.by == rid(9)));
        assert_eq!(customer.name, None);
        assert!(!r.has_key(id));
        assert!(r.validate(id).is_empty());
        assert_eq!(r.doc(id).unwrap().field(Field::Name).unwrap().value, ScalarValue::Null);
    }
    assert!(matches!(late_sealed, ScalarValue::Bytes(_)));
    assert_eq!(b.edit(id, T0 + 4_000, &[Edit::Visit]).unwrap_err().code(), "customer_erased");

    // A key offered later for the erased customer is refused.
    let stolen = KeyGrant { id: id.to_string(), key: "A".repeat(43) + "=" };
    let batch = crate::Batch { v: 1, keys: vec![stolen], ..Default::default() };
    server.receive_batch(rid(2), batch).unwrap();
    assert!(!server.has_key(id));
    assert_converged(&[&a, &b, &server]);
}

#[test]
fn a_note_added_during_the_erasure_is_kept_in_the_document_and_unreadable() {
    let (mut a, mut server) = (replica(1), replica(9));
    let id = a.create(T0, &personal_edits()).unwrap();
    sync_pair(&mut a, &mut server);

    server.erase(id, T0 + 10).unwrap();
    a.edit(id, T0 + 11, &[Edit::Note("written while the server erased".into())]).unwrap();
    sync_pair(&mut a, &mut server);

    // Nothing was deleted under A's feet: its note is in the list, the structure is whole.
    let doc = server.doc(id).unwrap();
    assert_eq!(doc.notes().len(), 2);
    assert_eq!(doc.automerge().get_all(ROOT, crate::doc::K_NOTES).unwrap().len(), 1);
    assert!(matches!(a.customer(id).unwrap().status, Status::Erased(_)));
    assert!(a.customer(id).unwrap().notes.is_empty());
    server.compensate(id, T0 + 20).unwrap();
    sync_pair(&mut a, &mut server);
    assert!(server.doc(id).unwrap().notes().iter().all(|n| n.withdrawn.is_some()));
    assert_converged(&[&a, &server]);
}

#[test]
fn the_erasure_notice_alone_or_the_tombstone_alone_destroys_the_key() {
    let (mut notice_only, mut tombstone_only, mut server) = (replica(1), replica(2), replica(9));
    let id = server.create(T0, &personal_edits()).unwrap();
    sync_pair(&mut notice_only, &mut server);
    sync_pair(&mut tombstone_only, &mut server);
    server.erase(id, T0 + 10).unwrap();

    // The notice arrives, the document's changes do not (lost, or still to come).
    let mut batch = server.sync_batch(notice_only.replica());
    batch.docs.clear();
    let received = notice_only.receive_batch(server.replica(), batch).unwrap();
    assert_eq!(received.erased, [id]);
    assert!(!notice_only.has_key(id));
    assert!(matches!(notice_only.customer(id).unwrap().status, Status::Erased(_)));
    assert_eq!(notice_only.customer(id).unwrap().name, None);
    assert_eq!(
        notice_only.edit(id, T0 + 11, &[Edit::Visit]).unwrap_err().code(),
        "customer_erased"
    );

    // The tombstone arrives in the document, the notice does not (an older peer).
    let mut received = Vec::new();
    for _ in 0..5 {
        let mut batch = server.sync_batch(tombstone_only.replica());
        batch.erased.clear();
        received.extend(tombstone_only.receive_batch(server.replica(), batch).unwrap().erased);
        let reply = tombstone_only.sync_batch(server.replica());
        server.receive_batch(tombstone_only.replica(), reply).unwrap();
    }
    assert_eq!(received, [id]);
    assert!(!tombstone_only.has_key(id));
    assert!(matches!(tombstone_only.customer(id).unwrap().status, Status::Erased(_)));
}
