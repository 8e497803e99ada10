//! Customer profiles on the register: created, found, edited offline, kept across a restart,
//! exported, and erased on request so that nothing personal can be read back from the
//! register's files.

use comptoir_app::Pin;
use comptoir_app::customers::CustomerInput;

use crate::common::*;

fn input(name: &str) -> CustomerInput {
    CustomerInput {
        name: Some(name.to_owned()),
        email: Some("emilie.zyxwv@example.com".to_owned()),
        phone: Some("514 555 0199".to_owned()),
        consent: Some(true),
        note: Some("Allergique aux noix de cajou".to_owned()),
        ..CustomerInput::default()
    }
}

/// Every byte of the register's database files (the database and its write-ahead log).
fn stored_bytes(till: &Till) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(till.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with("register.db") {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_customer_is_kept_encrypted_found_edited_exported_and_erased() {
    let mut till = open_till();
    let record = till.register.add_customer(&input("Émilie Tremblay-Qwxz")).unwrap();
    let id = record["customer_id"].as_str().unwrap().to_owned();
    assert_eq!(record["fields"]["name"]["value"], "Émilie Tremblay-Qwxz");
    assert_eq!(record["consent_history"][0]["granted"], true);
    // Found by any part of the name, without accents, or by phone.
    assert_eq!(till.register.find_customers("tremblay").unwrap()[0].id, id);
    assert_eq!(till.register.find_customers("EMILIE").unwrap().len(), 1);
    assert_eq!(till.register.find_customers("555 0199").unwrap().len(), 1);
    // A phone typed as digits, or with dashes, finds the number however it was written.
    assert_eq!(till.register.find_customers("5145550199").unwrap().len(), 1);
    assert_eq!(till.register.find_customers("514-555-0199").unwrap().len(), 1);
    assert!(till.register.find_customers("5145550100").unwrap().is_empty());
    assert!(till.register.find_customers("nobody").unwrap().is_empty());
    // A name is required; a bad email is refused and changes nothing.
    let nameless = till.register.add_customer(&CustomerInput::default()).unwrap_err();
    assert_eq!(nameless.code, "customer_name_required");
    let bad = CustomerInput { email: Some("not an email".into()), ..CustomerInput::default() };
    let refused = till.register.edit_customer(&id, &bad).unwrap_err();
    assert_eq!(refused.code, "invalid_email", "{refused:?}");
    let long = CustomerInput { note: Some("é".repeat(2001)), ..CustomerInput::default() };
    let refused = till.register.edit_customer(&id, &long).unwrap_err();
    assert_eq!(refused.code, "note_too_long", "{refused:?}");
    assert!(refused.to_string().contains("2001 characters; at most 2000"), "{refused:?}");

    // Edited, then the register restarts: the record is there, field by field.
    let phone = CustomerInput { phone: Some("438 555 0123".into()), ..CustomerInput::default() };
    till.register.edit_customer(&id, &phone).unwrap();
    let mut till = till.restart();
    till.register.sign_in(&Pin::new("2468")).unwrap();
    let export = till.register.customer(&id).unwrap();
    assert_eq!(export["fields"]["phone"]["value"], "438 555 0123");
    assert_eq!(export["fields"]["email"]["value"], "emilie.zyxwv@example.com");
    assert_eq!(export["notes"][0]["text"], "Allergique aux noix de cajou", "{export}");
    // The database (and a backup of it) holds customers' keys: the register's user's only.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&till.dir.path().join("register.db")), 0o600);
    let saved = tempfile::tempdir().unwrap();
    comptoir_app::backup::backup(till.dir.path(), &saved.path().join("b.db")).unwrap();
    assert_eq!(mode(&saved.path().join("b.db")), 0o600);
    // The personal data is never stored in clear.
    let before = stored_bytes(&till);
    for secret in ["Tremblay-Qwxz", "emilie.zyxwv", "555 0199", "438 555 0123", "cajou"] {
        assert!(!contains(&before, secret), "{secret} is stored in clear");
    }

    let key: Vec<u8> = rusqlite::Connection::open(till.dir.path().join("register.db"))
        .unwrap()
        .query_row("SELECT key FROM customer_keys", [], |r| r.get(0))
        .unwrap();
    assert!(before.windows(key.len()).any(|w| w == key.as_slice()), "the key is on file before");

    // A cashier may not erase; a manager may.
    let denied = till.register.erase_customer(&id).unwrap_err();
    assert_eq!(denied.code, "permission_denied");
    till.register.lock();
    till.register.sign_in(&Pin::new("1234")).unwrap();
    till.register.erase_customer(&id).unwrap();
    let erased = till.register.customer(&id).unwrap();
    assert!(erased["erased"]["at"].is_string());
    assert_eq!(erased["fields"]["name"]["value"], serde_json::Value::Null);
    assert!(till.register.find_customers("tremblay").unwrap().is_empty());
    let edit = till.register.edit_customer(&id, &phone).unwrap_err();
    assert_eq!(edit.code, "customer_erased");
    // After a restart too, and with no key left in the files to read the ciphertext with.
    let mut till = till.restart();
    till.register.sign_in(&Pin::new("1234")).unwrap();
    assert_eq!(
        till.register.customer(&id).unwrap()["fields"]["name"]["value"],
        serde_json::Value::Null
    );
    let conn = rusqlite::Connection::open(till.dir.path().join("register.db")).unwrap();
    let keys: i64 = conn.query_row("SELECT count(*) FROM customer_keys", [], |r| r.get(0)).unwrap();
    assert_eq!(keys, 0, "the customer's key is destroyed");
    let erasures: i64 =
        conn.query_row("SELECT count(*) FROM customer_erasures", [], |r| r.get(0)).unwrap();
    assert_eq!(erasures, 1, "the erasure itself is kept");
    drop(conn);
    let after = stored_bytes(&till);
    assert!(
        !after.windows(key.len()).any(|w| w == key.as_slice()),
        "the key's bytes are left nowhere in the register's files"
    );
}
