//! Customer profiles through the server: made and edited offline on two registers, merged
//! field by field on every replica, erased on one register (or at head office) so that no
//! replica's stored bytes (either register's files, the server's database and its key store)
//! can give the personal data back.

use comptoir_app::customers::CustomerInput;
use comptoir_protocol::wire::{CustomerSync, CustomerSyncAnswer};
use comptoir_sync::{CustomerTransport, SyncError};

use crate::support::*;

const NAME: &str = "Émilie Tremblay-Qwxz";
const EMAIL: &str = "emilie.zyxwv@example.com";
const PHONE: &str = "514 555 0199";
const NOTE: &str = "Allergique aux noix de cajou";

fn input(name: &str) -> CustomerInput {
    CustomerInput {
        name: Some(name.to_owned()),
        email: Some(EMAIL.to_owned()),
        phone: Some(PHONE.to_owned()),
        note: Some(NOTE.to_owned()),
        consent: Some(true),
        ..CustomerInput::default()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every byte of the files in `dir` whose names start with `prefix` (a database and its WAL).
fn files(dir: &std::path::Path, prefix: &str) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with(prefix) {
            bytes.extend(std::fs::read(path).unwrap());
        }
    }
    bytes
}

/// What a replica stores: a register's files, or the server's database (its files, or its
/// PostgreSQL rows) and its key store's files.
fn server_bytes(server: &TestServer, backend: Backend) -> Vec<u8> {
    let mut bytes = files(server.dir(), "customer-keys.db");
    match backend {
        Backend::Sqlite => bytes.extend(files(server.dir(), "server.db")),
        Backend::Postgres => server.rt.block_on(async {
            let (client, connection) =
                tokio_postgres::connect(server.postgres_url(), tokio_postgres::NoTls)
                    .await
                    .unwrap();
            tokio::spawn(connection);
            for row in client.query("SELECT bytes FROM customer_log", &[]).await.unwrap() {
                bytes.extend(row.get::<_, Vec<u8>>(0));
            }
            let text = "SELECT customer_id || chunks || updated_at FROM customer";
            for row in client.query(text, &[]).await.unwrap() {
                bytes.extend(row.get::<_, String>(0).into_bytes());
            }
        }),
    }
    bytes
}

fn field(record: &serde_json::Value, name: &str) -> serde_json::Value {
    record["fields"][name]["value"].clone()
}

fn key_of(till: &Till) -> Vec<u8> {
    rusqlite::Connection::open(till.dir.path().join("register.db"))
        .unwrap()
        .query_row("SELECT key FROM customer_keys", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn customers_merge_across_registers_and_an_erasure_leaves_nothing_readable_anywhere() {
    for backend in BACKENDS {
        let server = TestServer::start(backend);
        server.add_store("montreal", "CAD", "America/Toronto");
        let mut a = Till::enrolled(&server);
        let mut b = Till::enrolled(&server);

        // Made on A while offline (before any sync), then synced: B finds and reads it.
        let made = a.register.add_customer(&input(NAME)).unwrap();
        let id = made["customer_id"].as_str().unwrap().to_owned();
        assert_eq!(a.register.view().unwrap().sync.customers_pending, 1, "{backend:?}");
        let report = a.register.sync_now().unwrap().customers.unwrap();
        assert_eq!(report.pushed, 1, "{backend:?}: {report:?}");
        assert_eq!(a.register.view().unwrap().sync.customers_pending, 0, "{backend:?}");
        let report = b.register.sync_now().unwrap().customers.unwrap();
        assert_eq!((report.pulled, report.keys_received), (1, 1), "{backend:?}: {report:?}");
        let found = b.register.find_customers("tremblay").unwrap();
        assert_eq!(found.len(), 1, "{backend:?}");
        assert_eq!(found[0].id, id);
        assert_eq!(field(&b.register.customer(&id).unwrap(), "phone"), PHONE);

        // Offline on both: A changes the phone, B the email (both survive), and both set the
        // language, B a minute later (B's wins everywhere, whoever syncs first).
        a.register
            .edit_customer(
                &id,
                &CustomerInput {
                    phone: Some("438 555 0123".into()),
                    language: Some("fr".into()),
                    ..CustomerInput::default()
                },
            )
            .unwrap();
        b.clock.advance(chrono::Duration::minutes(1));
        b.register
            .edit_customer(
                &id,
                &CustomerInput {
                    email: Some("e.tremblay@example.org".into()),
                    language: Some("en".into()),
                    note: Some("Préfère les reçus par courriel".into()),
                    ..CustomerInput::default()
                },
            )
            .unwrap();
        b.register.sync_now().unwrap();
        a.register.sync_now().unwrap();
        b.register.sync_now().unwrap();
        let on_a = a.register.customer(&id).unwrap();
        let on_b = b.register.customer(&id).unwrap();
        for record in [&on_a, &on_b] {
            assert_eq!(field(record, "phone"), "438 555 0123", "{backend:?}: {record}");
            assert_eq!(field(record, "email"), "e.tremblay@example.org", "{backend:?}: {record}");
            assert_eq!(field(record, "language"), "en", "{backend:?}: {record}");
            assert_eq!(record["notes"].as_array().unwrap().len(), 2, "{backend:?}: {record}");
        }
        // The server reads the same (it holds the key until the erasure).
        let customers = server.customers();
        let on_server =
            server.rt.block_on(comptoir_server::customers::export(&server.db, &customers, &id));
        let on_server = on_server.unwrap();
        assert_eq!(field(&on_server, "phone"), "438 555 0123", "{backend:?}: {on_server}");
        assert_eq!(field(&on_server, "email"), "e.tremblay@example.org");

        // Nothing personal is stored in clear on any replica; the key is in each key table.
        let key = key_of(&a);
        assert_eq!(key, key_of(&b), "one key per customer, shared");
        let secrets: [&[u8]; 5] =
            [b"Tremblay-Qwxz", b"emilie.zyxwv", b"555 0199", b"cajou", b"par courriel"];
        let replicas = |server: &TestServer, a: &Till, b: &Till| {
            [
                ("register A", files(a.dir.path(), "register.db")),
                ("register B", files(b.dir.path(), "register.db")),
                ("server", server_bytes(server, backend)),
            ]
        };
        for (replica, bytes) in replicas(&server, &a, &b) {
            for secret in secrets {
                assert!(!contains(&bytes, secret), "{backend:?}: {replica} stores it in clear");
            }
            assert!(contains(&bytes, &key), "{backend:?}: {replica} holds the key before");
        }

        // A manager on B erases the customer; A, offline meanwhile, edits the phone again.
        b.register.lock();
        b.register.sign_in(&comptoir_app::Pin::new("1234")).unwrap();
        b.register.erase_customer(&id).unwrap();
        a.clock.advance(chrono::Duration::minutes(5));
        a.register
            .edit_customer(
                &id,
                &CustomerInput { phone: Some("450 555 0777".into()), ..Default::default() },
            )
            .unwrap();
        b.register.sync_now().unwrap();
        let report = a.register.sync_now().unwrap().customers.unwrap();
        assert_eq!(report.erased, 1, "{backend:?}: {report:?}");
        b.register.sync_now().unwrap();

        for till in [&mut a, &mut b] {
            let record = till.register.customer(&id).unwrap();
            assert!(record["erased"]["at"].is_string(), "{backend:?}: {record}");
            for name in ["name", "email", "phone"] {
                assert_eq!(field(&record, name), serde_json::Value::Null, "{backend:?}: {name}");
            }
            assert!(till.register.find_customers("tremblay").unwrap().is_empty());
            let edit = till.register.edit_customer(&id, &input("Back Again")).unwrap_err();
            assert_eq!(edit.code, "customer_erased", "{backend:?}");
        }
        let rows = server.rt.block_on(server.db.customers()).unwrap();
        assert!(rows[0].erased_at.is_some(), "{backend:?}: the server recorded the erasure");

        // No replica's stored bytes hold the key, so the ciphertext left in every automerge
        // history cannot be opened; and the phone A wrote after the erasure was never in clear.
        for (replica, bytes) in replicas(&server, &a, &b) {
            assert!(!contains(&bytes, &key), "{backend:?}: {replica} still holds the key");
            for secret in secrets.iter().copied().chain([b"555 0777".as_slice()]) {
                assert!(!contains(&bytes, secret), "{backend:?}: {replica} stores it in clear");
            }
        }
        // And the server will not hand a key out again, even to a register that asks for it.
        let export =
            server.rt.block_on(comptoir_server::customers::export(&server.db, &customers, &id));
        assert_eq!(field(&export.unwrap(), "phone"), serde_json::Value::Null, "{backend:?}");
    }
}

/// Passes requests to the real transport but loses the first answer, as a dropped connection
/// after the server committed would.
struct LosesFirstAnswer {
    inner: comptoir_sync::HttpTransport,
    lost: std::cell::Cell<bool>,
}

impl CustomerTransport for LosesFirstAnswer {
    fn customers_sync(&self, request: &CustomerSync) -> Result<CustomerSyncAnswer, SyncError> {
        let answer = self.inner.customers_sync(request)?;
        if !self.lost.replace(true) {
            return Err(SyncError::new("offline", "the answer was lost"));
        }
        Ok(answer)
    }
}

#[test]
fn a_lost_answer_a_restored_server_and_an_erasure_at_head_office() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut a = Till::enrolled(&server);
    let mut b = Till::enrolled(&server);
    let id =
        a.register.add_customer(&input(NAME)).unwrap()["customer_id"].as_str().unwrap().to_owned();

    // The server takes the push but its answer is lost: the register pushes again, and the
    // server stores the document once.
    let lossy = LosesFirstAnswer { inner: a.transport(), lost: Default::default() };
    let store = a.store();
    let lost = comptoir_sync::sync_customers(&lossy, &store).unwrap_err();
    assert_eq!(lost.code, "offline");
    let report = comptoir_sync::sync_customers(&lossy, &store).unwrap();
    assert_eq!(report.pushed, 1, "{report:?}");
    let rows = server.rt.block_on(server.db.customers()).unwrap();
    assert_eq!((rows.len(), rows[0].chunks), (1, 1), "stored once: {rows:?}");
    let again = comptoir_sync::sync_customers(&lossy, &store).unwrap();
    assert_eq!((again.pushed, again.pulled), (0, 0), "nothing left to say: {again:?}");

    // The server comes back from a backup taken before any customer: the register sees its
    // log went back and gives it everything again, key included.
    let mut server = server;
    server.restart_with(|db| {
        let conn = rusqlite::Connection::open(db).unwrap();
        conn.execute_batch("DELETE FROM customer_log; DELETE FROM customer;").unwrap();
        let keys =
            rusqlite::Connection::open(std::path::Path::new(db).with_file_name("customer-keys.db"));
        keys.unwrap().execute_batch("DELETE FROM customer_keys").unwrap();
    });
    let report = a.register.sync_now().unwrap().customers.unwrap();
    assert!(report.pushed >= 1, "{report:?}");
    b.register.sync_now().unwrap();
    assert_eq!(field(&b.register.customer(&id).unwrap(), "name"), NAME);

    // Head office erases the customer at their request: the key store's key goes at once,
    // and each register destroys its own at its next sync.
    let customers = server.customers();
    let erased =
        server.rt.block_on(comptoir_server::customers::erase(&server.db, &customers, &id)).unwrap();
    assert!(erased.erased_now && erased.key_destroyed, "{erased:?}");
    let key = key_of(&a);
    assert!(!contains(&files(server.dir(), "customer-keys.db"), &key));
    for till in [&mut a, &mut b] {
        let report = till.register.sync_now().unwrap().customers.unwrap();
        assert_eq!(report.erased, 1, "{report:?}");
        assert!(till.register.customer(&id).unwrap()["erased"]["at"].is_string());
        assert!(!contains(&files(till.dir.path(), "register.db"), &key));
    }
    let twice =
        server.rt.block_on(comptoir_server::customers::erase(&server.db, &customers, &id)).unwrap();
    assert!(!twice.erased_now, "erasing again changes nothing");
}

#[test]
fn bad_customer_requests_get_a_clear_refusal_and_the_server_keeps_serving() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let till = Till::enrolled(&server);
    let credential = till.sync_server().credential;
    let client = server.client();
    let post = |body: serde_json::Value, auth: bool| {
        let mut request = client.post(format!("{}/v1/customers:sync", server.url)).json(&body);
        if auth {
            request = request.bearer_auth(&credential);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        (status, response.json::<serde_json::Value>().unwrap())
    };
    let id = "01937a3c-0000-7000-8000-000000000001";

    let (status, body) = post(serde_json::json!({"since": 0}), false);
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")), "{body}");
    let (status, body) = post(serde_json::json!({"since": 0, "docs": "no"}), true);
    assert_eq!((status, body["code"].as_str()), (400, Some("malformed_request")), "{body}");
    let bad_base64 = serde_json::json!({"since": 0, "docs": [{"id": id, "chunks": ["%%%"]}]});
    let (status, body) = post(bad_base64, true);
    assert_eq!((status, body["code"].as_str()), (422, Some("bad_customer_sync")), "{body}");
    let bad_id = serde_json::json!({"since": 0, "docs": [{"id": "bob", "chunks": []}]});
    let (status, body) = post(bad_id, true);
    assert_eq!((status, body["code"].as_str()), (422, Some("bad_customer_sync")), "{body}");
    let short_key = serde_json::json!({"since": 0, "keys": [{"id": id, "key": "AAAA"}]});
    let (status, body) = post(short_key, true);
    assert_eq!((status, body["code"].as_str()), (422, Some("bad_customer_sync")), "{body}");
    let many: Vec<_> = (0..201)
        .map(
            |n| serde_json::json!({"id": format!("01937a3c-0000-7000-8000-{n:012}"), "chunks": []}),
        )
        .collect();
    let (status, body) = post(serde_json::json!({"since": 0, "docs": many}), true);
    assert_eq!((status, body["code"].as_str()), (413, Some("payload_too_large")), "{body}");

    // Chunks that are base64 but not automerge: that document is refused (with a code), the
    // request answers, nothing is stored.
    let garbage =
        serde_json::json!({"since": 0, "docs": [{"id": id, "chunks": ["aGVsbG8gd29ybGQ="]}]});
    let (status, body) = post(garbage, true);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refused"][0]["code"], "bad_customer_document", "{body}");
    assert!(server.rt.block_on(server.db.customers()).unwrap().is_empty());

    // Still serving: a real register's customer goes through.
    let mut till = till;
    till.register.add_customer(&input(NAME)).unwrap();
    let report = till.register.sync_now().unwrap().customers.unwrap();
    assert_eq!((report.pushed, report.refused), (1, 0), "{report:?}");
}

/// The network between one register and the server's customer log: it calls the code behind
/// `customers:sync` in the server's process, and misbehaves on purpose.
struct FaultyCustomers<'a> {
    server: &'a TestServer,
    customers: &'a comptoir_server::customers::Customers,
    register: String,
    rng: &'a std::cell::RefCell<crate::sim::Rng>,
    partitioned: bool,
    faulty: bool,
    held: &'a std::cell::RefCell<Vec<CustomerSync>>,
    faults: &'a std::cell::RefCell<crate::sim::Faults>,
}

impl FaultyCustomers<'_> {
    fn deliver(&self, request: &CustomerSync) -> CustomerSyncAnswer {
        let decoded = comptoir_server::customers::decode(request.clone()).unwrap();
        let db = &self.server.db;
        let answer = comptoir_server::customers::sync(db, self.customers, &self.register, decoded);
        self.server.rt.block_on(answer).expect("the server takes the request")
    }
}

impl CustomerTransport for FaultyCustomers<'_> {
    fn customers_sync(&self, request: &CustomerSync) -> Result<CustomerSyncAnswer, SyncError> {
        let offline = || Err(SyncError::new("offline", "simulated"));
        let mut faults = self.faults.borrow_mut();
        if self.partitioned {
            faults.refused_partitioned += 1;
            return offline();
        }
        if !self.faulty {
            return Ok(self.deliver(request));
        }
        let roll = self.rng.borrow_mut().below(100);
        if roll < 5
            && let Some(late) = self.held.borrow_mut().pop()
        {
            // An old request arrives after newer ones.
            faults.delivered_late += 1;
            self.deliver(&late);
        }
        match roll {
            0..10 => {
                faults.dropped_requests += 1;
                offline()
            }
            10..20 => {
                faults.held_back += 1;
                self.held.borrow_mut().push(request.clone());
                offline()
            }
            20..30 => {
                faults.lost_answers += 1;
                self.deliver(request);
                offline()
            }
            30..40 => {
                faults.duplicated += 1;
                self.deliver(request);
                Ok(self.deliver(request))
            }
            _ => Ok(self.deliver(request)),
        }
    }
}

/// Every customer a register holds, as it reads them, with their heads.
pub(crate) type Held =
    std::collections::BTreeMap<String, (Vec<String>, comptoir_customers::Customer)>;

pub(crate) fn held_by_register(till: &Till) -> Held {
    let conn = rusqlite::Connection::open(till.dir.path().join("register.db")).unwrap();
    let replica = comptoir_customers::Replica::open(
        &conn,
        comptoir_customers::ReplicaId(uuid::Uuid::now_v7()),
    );
    let replica = replica.unwrap();
    let ids: Vec<_> = replica.customer_ids().collect();
    ids.into_iter()
        .map(|id| {
            let mut heads: Vec<String> =
                replica.doc(id).unwrap().heads().iter().map(ToString::to_string).collect();
            heads.sort();
            (id.to_string(), (heads, replica.customer(id).unwrap()))
        })
        .collect()
}

pub(crate) fn held_by_server(
    server: &TestServer,
    customers: &comptoir_server::customers::Customers,
) -> Held {
    let rows = server.rt.block_on(server.db.customers()).unwrap();
    let mut held = Held::new();
    for row in rows {
        let id: comptoir_customers::CustomerId = row.id.parse().unwrap();
        let (chunks, _) = server.rt.block_on(server.db.customer_chunks(&row.id)).unwrap();
        let doc =
            comptoir_customers::CustomerDoc::load(id, chunks.iter().map(Vec::as_slice)).unwrap();
        let key = server.rt.block_on(customers.keys.get(vec![id])).unwrap().remove(&id);
        let mut heads: Vec<String> = doc.heads().iter().map(ToString::to_string).collect();
        heads.sort();
        let mut customer = doc.read(key.as_ref());
        if row.erased_at.is_some() {
            assert!(key.is_none(), "the server holds an erased customer's key");
        }
        customer.readable = key.is_some();
        held.insert(row.id, (heads, customer));
    }
    held
}

/// Registers create, edit and erase customers offline, syncing now and then through a network
/// that drops, duplicates, holds back and partitions. Once it heals, every replica (the three
/// registers and the server) holds the same documents at the same heads and reads the same
/// records; nobody holds an erased customer's key.
fn simulate_customers(backend: Backend, seed: u64, steps: usize) -> crate::sim::Faults {
    use std::cell::RefCell;
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    let customers = server.customers();
    let mut tills: Vec<Till> = (0..3).map(|_| Till::enrolled(&server)).collect();
    let ids: Vec<String> = tills.iter().map(|t| t.sync_server().register_id).collect();
    let rng = RefCell::new(crate::sim::Rng::new(seed));
    let faults = RefCell::new(crate::sim::Faults::default());
    let mut partitioned = [false; 3];
    // Requests a register sent that the network held back, to deliver after newer ones.
    let held: [RefCell<Vec<CustomerSync>>; 3] = Default::default();
    let mut known: Vec<String> = Vec::new();
    let mut erased = 0;
    let pick = |n: usize| rng.borrow_mut().below(n as u64) as usize;
    for step in 0..steps {
        let r = pick(3);
        let till = &mut tills[r];
        till.clock.advance(chrono::Duration::seconds(1 + pick(90) as i64));
        let roll = pick(100);
        let context = format!("{backend:?} seed {seed} step {step}");
        if roll < 12 || known.is_empty() {
            let name = format!("Client {step} Zqx");
            let made = till.register.add_customer(&CustomerInput {
                name: Some(name),
                phone: Some(format!("514 555 {:04}", step)),
                ..CustomerInput::default()
            });
            known.push(made.unwrap()["customer_id"].as_str().unwrap().to_owned());
        } else if roll < 65 {
            let id = &known[pick(known.len())];
            let n = pick(1000);
            let edit = match pick(5) {
                0 => CustomerInput { phone: Some(format!("438 555 {n:04}")), ..Default::default() },
                1 => {
                    CustomerInput { email: Some(format!("c{n}@example.com")), ..Default::default() }
                }
                2 => CustomerInput {
                    language: Some(["fr", "en", "es"][n % 3].into()),
                    ..Default::default()
                },
                3 => CustomerInput { note: Some(format!("note {n}")), ..Default::default() },
                _ => CustomerInput { tags: vec![format!("tag{}", n % 4)], ..Default::default() },
            };
            if let Err(e) = till.register.edit_customer(id, &edit) {
                // Not on this register yet, or erased (here or, as it learnt, elsewhere).
                assert!(
                    ["customer_unknown", "customer_erased", "customer_key_missing"]
                        .contains(&e.code),
                    "{context}: {e:?}"
                );
            }
        } else if roll < 67 && erased < 3 {
            let id = &known[pick(known.len())];
            if till.register.erase_customer(id).is_ok() {
                erased += 1;
            }
        } else if roll < 72 {
            partitioned[r] = !partitioned[r];
        } else {
            let network = FaultyCustomers {
                server: &server,
                customers: &customers,
                register: ids[r].clone(),
                rng: &rng,
                partitioned: partitioned[r],
                faulty: true,
                held: &held[r],
                faults: &faults,
            };
            let _ = comptoir_sync::sync_customers(&network, &till.store());
        }
    }
    // The network heals: a clean sync each, twice round (what one register sent reaches the
    // others at their second).
    for _ in 0..2 {
        for (r, till) in tills.iter().enumerate() {
            let network = FaultyCustomers {
                server: &server,
                customers: &customers,
                register: ids[r].clone(),
                rng: &rng,
                partitioned: false,
                faulty: false,
                held: &held[r],
                faults: &faults,
            };
            comptoir_sync::sync_customers(&network, &till.store()).unwrap();
        }
    }
    let on_server = held_by_server(&server, &customers);
    assert_eq!(
        on_server.len(),
        known.len(),
        "{backend:?} seed {seed}: every customer reached the server"
    );
    for (r, till) in tills.iter().enumerate() {
        let on_register = held_by_register(till);
        assert_eq!(
            on_register.keys().collect::<Vec<_>>(),
            on_server.keys().collect::<Vec<_>>(),
            "{backend:?} seed {seed}: register {r} holds every customer"
        );
        for (id, (heads, customer)) in &on_register {
            let (server_heads, server_customer) = &on_server[id];
            assert_eq!(heads, server_heads, "{backend:?} seed {seed}: register {r}, {id}: heads");
            assert_eq!(
                customer, server_customer,
                "{backend:?} seed {seed}: register {r}, {id}: record"
            );
            let erased = matches!(customer.status, comptoir_customers::Status::Erased(_));
            assert_eq!(
                customer.readable, !erased,
                "{backend:?} seed {seed}: register {r}, {id}: key"
            );
        }
    }
    faults.into_inner()
}

#[test]
fn customers_converge_on_every_replica_through_a_faulty_network() {
    let seeds: Vec<u64> = match std::env::var("COMPTOIR_SIM_SEED") {
        Ok(seed) => vec![seed.parse().expect("COMPTOIR_SIM_SEED is a number")],
        Err(_) => vec![1, 2, 3],
    };
    let mut all = crate::sim::Faults::default();
    for seed in &seeds {
        all.add(simulate_customers(Backend::Sqlite, *seed, 160));
    }
    simulate_customers(Backend::Postgres, seeds[0], 80);
    if seeds.len() > 1 {
        assert!(
            all.lost_answers > 0
                && all.held_back > 0
                && all.duplicated > 0
                && all.delivered_late > 0,
            "the network misbehaved in every way ({all:?})"
        );
    }
}

#[test]
fn a_lost_key_store_is_refilled_from_the_registers_and_a_stray_erasure_still_destroys_the_key() {
    let mut server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut a = Till::enrolled(&server);
    let id =
        a.register.add_customer(&input(NAME)).unwrap()["customer_id"].as_str().unwrap().to_owned();
    a.register.sync_now().unwrap();

    // The key store is lost while the server is stopped; nobody edits the customer again.
    server.restart_with(|db| {
        let keys = std::path::Path::new(db).with_file_name("customer-keys.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", keys.display()));
        }
    });
    let customers = server.customers();
    let export = comptoir_server::customers::export(&server.db, &customers, &id);
    assert_eq!(field(&server.rt.block_on(export).unwrap(), "name"), serde_json::Value::Null);
    // The server asks the registers for the keys it lacks: A sends it at its next sync, and a
    // register enrolled later reads the customer.
    a.register.sync_now().unwrap();
    let export = comptoir_server::customers::export(&server.db, &customers, &id);
    assert_eq!(field(&server.rt.block_on(export).unwrap(), "name"), NAME);
    let mut c = Till::enrolled(&server);
    let report = c.register.sync_now().unwrap().customers.unwrap();
    assert_eq!(report.keys_received, 1, "{report:?}");
    assert_eq!(field(&c.register.customer(&id).unwrap(), "name"), NAME);

    // Head office erases with a command given the wrong key store: refused, not made empty.
    let elsewhere = server.dir().join("nowhere").join("customer-keys.db");
    let refused = comptoir_server::keys::KeyStore::open_existing(&elsewhere).unwrap_err();
    assert!(refused.to_string().contains("--customer-keys"), "{refused}");
    // An erasure recorded with another key store (another machine's) still destroys the key
    // in the one the server uses, at the next request that touches the customer.
    let other = comptoir_server::keys::KeyStore::open(&server.dir().join("other-keys.db"));
    let other = comptoir_server::customers::Customers::new(other.unwrap());
    let erased = comptoir_server::customers::erase(&server.db, &other, &id);
    let erased = server.rt.block_on(erased).unwrap();
    assert!(erased.erased_now && !erased.key_destroyed, "{erased:?}");
    let key = key_of(&a);
    assert!(contains(&files(server.dir(), "customer-keys.db"), &key));
    a.register.sync_now().unwrap();
    assert!(!contains(&files(server.dir(), "customer-keys.db"), &key), "destroyed by the server");
    assert!(a.register.customer(&id).unwrap()["erased"]["at"].is_string());
}

#[test]
fn a_register_restored_from_a_backup_keeps_every_erasure() {
    let server = TestServer::start(Backend::Sqlite);
    server.add_store("montreal", "CAD", "America/Toronto");
    let mut a = Till::enrolled(&server);
    let mut b = Till::enrolled(&server);
    let mut add = |name: &str| {
        a.register.add_customer(&input(name)).unwrap()["customer_id"].as_str().unwrap().to_owned()
    };
    let (here, elsewhere, kept) = (add("Erased Here"), add("Erased Elsewhere"), add("Kept Zqx"));
    a.register.sync_now().unwrap();
    b.register.sync_now().unwrap();
    let saved = tempfile::tempdir().unwrap();
    let file = saved.path().join("register.backup");
    comptoir_app::backup::backup(b.dir.path(), &file).unwrap();

    // After the backup: B erases one customer (not synced yet) and edits another; A erases a
    // third and syncs. Then B's database is restored from the backup.
    b.register.erase_customer(&here).unwrap();
    let phone = CustomerInput { phone: Some("438 555 0999".into()), ..Default::default() };
    b.register.edit_customer(&kept, &phone).unwrap();
    a.register.erase_customer(&elsewhere).unwrap();
    a.register.sync_now().unwrap();
    let Till { dir, clock, register } = b;
    drop(register);
    comptoir_app::backup::restore(dir.path(), &file, false, true).unwrap();
    let mut b = Till::reopen(dir, clock);
    for id in [&here, &elsewhere] {
        let record = b.register.customer(id).unwrap();
        assert!(record["erased"]["at"].is_string(), "erased before it opens: {record}");
        assert_eq!(field(&record, "name"), serde_json::Value::Null);
    }
    let record = b.register.customer(&kept).unwrap();
    assert_eq!(field(&record, "phone"), "438 555 0999", "the edit after the backup is kept");
    let keys: i64 = rusqlite::Connection::open(b.dir.path().join("register.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM customer_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(keys, 1, "only the customer not erased has a key");
    // And the erasure B made before the restore reaches the others.
    b.register.sync_now().unwrap();
    a.register.sync_now().unwrap();
    assert!(a.register.customer(&here).unwrap()["erased"]["at"].is_string());
}
