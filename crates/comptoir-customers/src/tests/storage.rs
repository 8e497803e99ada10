//! Documents stored as appended automerge chunks, compacted now and then.

use rusqlite::Connection;

use super::*;
use crate::{COMPACT_AFTER, store};

fn open(path: &std::path::Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn
}

#[test]
fn a_replica_reopens_from_its_chunks_and_compacts_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("register.sqlite");
    let conn = open(&path);
    conn.execute_batch(store::SCHEMA).unwrap();
    let mut a = Replica::new(rid(1));
    let id = a.create(T0, &named("Marie", "marie@example.com")).unwrap();
    assert_eq!(a.persist(&conn).unwrap().chunks, 1);
    assert_eq!(a.persist(&conn).unwrap().chunks, 0, "nothing changed, nothing written");

    for n in 1..COMPACT_AFTER as u64 {
        a.edit(id, T0 + n, &[Edit::Visit]).unwrap();
        assert_eq!(a.persist(&conn).unwrap().chunks, 1);
    }
    assert_eq!(store::load_chunks(&conn, id).unwrap().len(), COMPACT_AFTER);
    let reopened = Replica::open(&conn, rid(1)).unwrap();
    assert_eq!(reopened.customer(id), a.customer(id));
    assert_eq!(reopened.doc(id).unwrap().heads(), a.doc(id).unwrap().heads());

    a.edit(id, T0 + 100, &[Edit::Phone(Some("514 555 0100".into()))]).unwrap();
    assert_eq!(a.persist(&conn).unwrap().compacted, 1);
    assert_eq!(store::load_chunks(&conn, id).unwrap().len(), 1, "one full save");
    drop(conn);
    let conn = open(&path);
    let mut reopened = Replica::open(&conn, rid(1)).unwrap();
    assert_eq!(reopened.customer(id), a.customer(id));
    assert_eq!(reopened.customer(id).unwrap().visits, COMPACT_AFTER as i64 - 1);

    // A reopened replica edits under a new actor and appends again.
    reopened.edit(id, T0 + 200, &[Edit::Visit]).unwrap();
    assert_eq!(reopened.persist(&conn).unwrap().chunks, 1);
    assert_eq!(store::load_chunks(&conn, id).unwrap().len(), 2);
}
