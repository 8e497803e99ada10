//! Several server processes over one PostgreSQL database behave as one server: the same
//! batches sent to two processes at once are taken once, and customers edited on two registers
//! syncing through two processes at once merge as through one.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use comptoir_protocol::wire::LedgerBatch;
use comptoir_sync::{HttpTransport, Transport};

use crate::support::*;

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &str, tls: &Path, port_file: &Path) -> (Process, String) {
    let process = Process(
        Command::new(env!("CARGO_BIN_EXE_comptoir-server"))
            .args(["--db", db, "--customer-keys"])
            .arg(tls.with_file_name("customer-keys.db"))
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-dir"])
            .arg(tls)
            .arg("--port-file")
            .arg(port_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    loop {
        if let Ok(address) = std::fs::read_to_string(port_file)
            && !address.is_empty()
        {
            return (process, format!("https://{address}"));
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A test server on PostgreSQL with a Montréal store, and two more server processes over its
/// database (with its certificate, and one customer key store between them in `dir`).
struct TwoProcesses {
    server: TestServer,
    dir: tempfile::TempDir,
    a: (Process, String),
    b: (Process, String),
}

fn two_processes() -> TwoProcesses {
    let server = TestServer::start(Backend::Postgres);
    server.add_store("montreal", "CAD", "America/Toronto");
    let pg_url = server.postgres_url().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let tls = dir.path().join("tls");
    // The test server's CA is the one the registers pin; both processes present it.
    std::fs::create_dir_all(&tls).unwrap();
    server.copy_tls_to(&tls);
    let a = serve(&pg_url, &tls, &dir.path().join("a.port"));
    let b = serve(&pg_url, &tls, &dir.path().join("b.port"));
    TwoProcesses { server, dir, a, b }
}

#[test]
fn two_server_processes_over_one_postgres_take_each_entry_once() {
    let TwoProcesses { server, dir: _dir, a: (_a, url_a), b: (_b, url_b) } = two_processes();

    let mut till = Till::enrolled(&server);
    for _ in 0..30 {
        till.sell();
    }
    let entries = till.entries();
    let mut at_a = till.sync_server();
    at_a.url = url_a;
    let mut at_b = till.sync_server();
    at_b.url = url_b;
    let (a, b) = (HttpTransport::new(&at_a).unwrap(), HttpTransport::new(&at_b).unwrap());

    // Overlapping batches to both processes at once, several rounds.
    let mut accepted = 0;
    for chunk in [5usize, 12, 31] {
        let batch = LedgerBatch { epoch: 1, entries: entries[..chunk].to_vec(), sent_at: None };
        let (ack_a, ack_b) = std::thread::scope(|s| {
            let from_a = s.spawn(|| a.post_batch(&batch).unwrap());
            let from_b = s.spawn(|| b.post_batch(&batch).unwrap());
            (from_a.join().unwrap(), from_b.join().unwrap())
        });
        assert_eq!(ack_a.high_water, chunk as i64);
        assert_eq!(ack_b.high_water, chunk as i64);
        assert!(ack_a.quarantined.is_empty() && ack_b.quarantined.is_empty());
        accepted += ack_a.accepted + ack_b.accepted;
        assert_eq!(accepted as usize, chunk, "each entry taken by exactly one process");
    }
    let counts = server.rt.block_on(server.db.ledger_counts(None)).unwrap();
    assert_eq!((counts[0].entries, counts[0].sales), (31, 30));
}

#[test]
fn two_server_processes_over_one_postgres_merge_customers_as_one() {
    use comptoir_app::customers::CustomerInput;
    let TwoProcesses { server, dir, a: (_a, url_a), b: (_b, url_b) } = two_processes();

    // Register A talks to process a only, register B to process b only.
    let mut a = Till::enrolled(&server);
    let mut b = Till::enrolled(&server);
    for (till, url) in [(&a, &url_a), (&b, &url_b)] {
        let mut at = till.sync_server();
        at.url = url.clone();
        till.store().set_sync_server(&at).unwrap();
    }
    let made = CustomerInput { name: Some("Jeanne Qwxz".into()), ..CustomerInput::default() };
    let id = a.register.add_customer(&made).unwrap()["customer_id"].as_str().unwrap().to_owned();
    a.register.sync_now().unwrap();
    b.register.sync_now().unwrap();
    assert_eq!(b.register.find_customers("jeanne").unwrap().len(), 1);

    // Both edit offline, then sync at the same moment through the two processes, five times.
    for round in 0..5 {
        let phone =
            CustomerInput { phone: Some(format!("514 555 010{round}")), ..Default::default() };
        a.register.edit_customer(&id, &phone).unwrap();
        let email = CustomerInput {
            email: Some(format!("j{round}@example.com")),
            note: Some(format!("visite {round}")),
            ..Default::default()
        };
        b.register.edit_customer(&id, &email).unwrap();
        let paths = [a.dir.path().join("register.db"), b.dir.path().join("register.db")];
        std::thread::scope(|s| {
            for path in &paths {
                s.spawn(move || {
                    let store = comptoir_store::Store::open(path).unwrap();
                    let transport = HttpTransport::new(&store.sync_server().unwrap().unwrap());
                    comptoir_sync::sync_customers(&transport.unwrap(), &store).unwrap();
                });
            }
        });
    }
    a.register.sync_now().unwrap();
    b.register.sync_now().unwrap();
    a.register.sync_now().unwrap();
    let record = a.register.customer(&id).unwrap();
    assert_eq!(record["fields"]["phone"]["value"], "514 555 0104", "{record}");
    assert_eq!(record["fields"]["email"]["value"], "j4@example.com", "{record}");
    assert_eq!(record["notes"].as_array().unwrap().len(), 5, "{record}");
    // Both registers and the server (through the key store both processes share) hold the
    // same document at the same heads, read the same.
    let keys = comptoir_server::keys::KeyStore::open(&dir.path().join("customer-keys.db"));
    let customers = comptoir_server::customers::Customers::new(keys.unwrap());
    let on_server = crate::customers::held_by_server(&server, &customers);
    assert!(on_server[&id].1.readable, "the processes' key store holds the key");
    assert_eq!(crate::customers::held_by_register(&a), on_server);
    assert_eq!(crate::customers::held_by_register(&b), on_server);
}
