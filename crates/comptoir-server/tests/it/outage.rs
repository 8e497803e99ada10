//! The real thing, as processes: a `comptoir-server`, three `comptoir` registers each replaying
//! the UK retailer's week of invoices, a TCP proxy between them that cuts connections in both
//! directions (before the server reads a request, after it has answered), and the server
//! killed with SIGKILL while batches are in flight and started again. Everything converges:
//! the server holds each register's 757 entries (611 sales, 79 returns, 67 adjustments)
//! exactly once, and the totals match the registers' to the penny.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comptoir_protocol::payload::Sale;
use comptoir_server::Db;
use rust_decimal::Decimal;
use serde_json::Value;

const WEEK: &str = "online_retail_week_2010-12-01.csv";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/replay").join(name)
}

/// A workspace binary next to this test's (`cargo build --bins` builds them).
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe.parent().and_then(Path::parent).unwrap().join(name);
    assert!(path.exists(), "{} is missing: run `cargo build --bins` first", path.display());
    path
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or(Value::Null)
}

fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().unwrap()
}

/// Seeded coin flips shared by the proxy's connections.
struct Coins(Mutex<u64>);

impl Coins {
    fn below(&self, n: u64) -> u64 {
        let mut s = self.0.lock().unwrap();
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s % n
    }
}

/// A TCP proxy that, while `faulty`, is a thin link that cuts one connection in two: part-way
/// through a request (the server never sees all of it) or part-way through an answer (the
/// server committed, the register never hears it).
struct Proxy {
    port: u16,
    faulty: Arc<AtomicBool>,
    cuts: Arc<AtomicU32>,
}

/// Copies `from` to `to`; cuts both after `limit` bytes; `slow`: a thin link (4 kB per 2 ms).
fn pump(
    mut from: TcpStream,
    mut to: TcpStream,
    limit: Option<usize>,
    slow: bool,
    cuts: Arc<AtomicU32>,
) {
    let mut buffer = [0u8; 4096];
    let mut passed = 0usize;
    loop {
        let n = match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let n = match limit {
            Some(limit) if passed + n >= limit => {
                let _ = to.write_all(&buffer[..limit - passed]);
                cuts.fetch_add(1, Ordering::Relaxed);
                break;
            }
            _ => n,
        };
        if to.write_all(&buffer[..n]).is_err() {
            break;
        }
        passed += n;
        if slow {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

fn proxy(upstream: u16, seed: u64) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let faulty = Arc::new(AtomicBool::new(false));
    let cuts = Arc::new(AtomicU32::new(0));
    let coins = Arc::new(Coins(Mutex::new(seed | 1)));
    let (faulty_, cuts_) = (faulty.clone(), cuts.clone());
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                continue; // the server is down: the register sees the connection close
            };
            let (mut up, mut down) = (None, None);
            let slow = faulty_.load(Ordering::Relaxed);
            if slow {
                // The TLS handshake is about 2.5 kB each way: a cut past it falls in a request
                // (upstream) or in an answer to a batch the server has committed (downstream).
                match coins.below(4) {
                    0 => up = Some(coins.below(40_000) as usize + 1),
                    1 => down = Some(2_500 + coins.below(3_000) as usize),
                    _ => {}
                }
            }
            let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (cuts_up, cuts_down) = (cuts_.clone(), cuts_.clone());
            std::thread::spawn(move || pump(client, server, up, slow, cuts_up));
            std::thread::spawn(move || pump(s2, c2, down, slow, cuts_down));
        }
    });
    Proxy { port, faulty, cuts }
}

struct Server {
    child: Option<Child>,
    db: PathBuf,
    tls: PathBuf,
    port: u16,
}

impl Server {
    fn command(db: &Path) -> Command {
        let mut command = Command::new(binary("comptoir-server"));
        command.arg("--db").arg(db).env("COMPTOIR_LOG", "warn");
        command
    }

    fn start(db: &Path, tls: &Path, dir: &Path) -> Server {
        let port_file = dir.join("server.port");
        let mut server = Server { child: None, db: db.to_owned(), tls: tls.to_owned(), port: 0 };
        server.spawn("127.0.0.1:0", Some(&port_file));
        let started = Instant::now();
        while server.port == 0 {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                server.port = text.rsplit(':').next().unwrap().parse().unwrap();
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn spawn(&mut self, listen: &str, port_file: Option<&Path>) {
        let mut command = Server::command(&self.db);
        command.args(["serve", "--listen", listen, "--tls-dir"]).arg(&self.tls);
        if let Some(file) = port_file {
            command.arg("--port-file").arg(file);
        }
        self.child = Some(command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    }

    /// SIGKILL, then the same server on the same port again.
    fn kill_and_restart(&mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        self.spawn(&format!("127.0.0.1:{}", self.port), None);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn register(dir: &Path) -> Command {
    let mut command = Command::new(binary("comptoir"));
    command.arg("--data-dir").arg(dir).env("COMPTOIR_SYNC_BATCH", "10");
    command
}

fn sale_total(payload: &str) -> Decimal {
    serde_json::from_str::<Sale>(payload).unwrap().total.parse().unwrap()
}

#[test]
fn registers_replaying_a_week_converge_through_cuts_and_a_killed_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let tls = dir.path().join("tls");
    let admin = |args: &[&str]| {
        let output = run(Server::command(&db).args(args));
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        json(&output)
    };
    admin(&[
        "store",
        "add",
        "london",
        "--name",
        "London",
        "--currency",
        "GBP",
        "--time-zone",
        "Europe/London",
    ]);
    let mut server = Server::start(&db, &tls, dir.path());
    let fingerprint = admin(&["fingerprint", "--tls-dir", tls.to_str().unwrap()])["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let proxy = proxy(server.port, 0x5eed);
    let url = format!("https://127.0.0.1:{}", proxy.port);

    let registers: Vec<PathBuf> =
        (1..=3).map(|n| dir.path().join(format!("register-{n}"))).collect();
    for (index, data) in registers.iter().enumerate() {
        let number = (index + 1).to_string();
        let init = run(register(data).args(["init", "--store", "london", "--register", &number]));
        assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
        let code = admin(&["register", "add", "london"])["code"].as_str().unwrap().to_owned();
        let enrol = run(register(data).args([
            "--pin",
            "1234",
            "enrol",
            "--server",
            &url,
            "--code",
            &code,
            "--fingerprint",
            &fingerprint,
        ]));
        assert!(enrol.status.success(), "{}", String::from_utf8_lossy(&enrol.stderr));
        let replay = run(register(data).arg("replay").arg(fixture(WEEK)));
        assert_eq!(json(&replay)["sales"], 611, "{}", String::from_utf8_lossy(&replay.stderr));
    }

    // The network goes bad, and the server dies three times while the registers sync.
    proxy.faulty.store(true, Ordering::Relaxed);
    let done = AtomicBool::new(false);
    let attempts = AtomicU32::new(0);
    let failures = AtomicU32::new(0);
    let pending = |data: &PathBuf| {
        comptoir_store::Store::open(&data.join("register.db"))
            .unwrap()
            .sync_pending_count()
            .unwrap()
    };
    let mut waiting_at_kills = Vec::new();
    std::thread::scope(|s| {
        for data in &registers {
            let (done, attempts, failures) = (&done, &attempts, &failures);
            s.spawn(move || {
                let started = Instant::now();
                loop {
                    let output = run(register(data).arg("sync"));
                    attempts.fetch_add(1, Ordering::Relaxed);
                    if !output.status.success() {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    let caught_up =
                        output.status.success() && json(&output)["report"]["pending"] == 0;
                    if caught_up && done.load(Ordering::Relaxed) {
                        return;
                    }
                    assert!(started.elapsed() < Duration::from_secs(240), "no convergence");
                    std::thread::sleep(Duration::from_millis(30));
                }
            });
        }
        for pause in [300, 500, 500] {
            std::thread::sleep(Duration::from_millis(pause));
            waiting_at_kills.push(registers.iter().map(pending).sum::<u64>());
            server.kill_and_restart();
        }
        std::thread::sleep(Duration::from_millis(500));
        proxy.faulty.store(false, Ordering::Relaxed);
        done.store(true, Ordering::Relaxed);
    });
    let (cuts, failed) = (proxy.cuts.load(Ordering::Relaxed), failures.load(Ordering::Relaxed));
    assert!(cuts >= 2, "the proxy cut connections ({cuts})");
    assert!(failed >= 3, "sync runs failed on the way ({failed})");
    assert!(
        waiting_at_kills[0] > 0,
        "the server died with entries in flight: {waiting_at_kills:?}"
    );
    drop(server);

    // What the server holds, read from its database once it is stopped.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server_db = rt.block_on(Db::open(db.to_str().unwrap())).unwrap();
    let counts = rt.block_on(server_db.ledger_counts(Some("london"))).unwrap();
    assert_eq!(counts.len(), 3);
    for count in &counts {
        assert_eq!((count.entries, count.sales, count.quarantined), (757, 611, 0), "{count:?}");
        let marks = rt.block_on(server_db.ledger_status(&count.register_id)).unwrap();
        assert_eq!(marks.len(), 1);
        assert_eq!(marks[0].high_water, 757, "seqs 1..757, no gap");
    }
    let on_server: Decimal =
        rt.block_on(server_db.sale_payloads("london")).unwrap().iter().map(|p| sale_total(p)).sum();
    let mut on_registers = Decimal::ZERO;
    // Stock: what the registers' sales and adjustments moved, summed per SKU on the
    // registers' side, equals the server's on-hand, whatever order the entries arrived in.
    let mut moved: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for data in &registers {
        let store = comptoir_store::Store::open(&data.join("register.db")).unwrap();
        let entries = store.entries_after(0, 0, 10_000).unwrap();
        for (sku, (delta, _)) in comptoir_server::stock::movements(&entries) {
            *moved.entry(sku).or_default() += delta;
        }
        on_registers += entries
            .iter()
            .filter(|e| e.kind == "sale")
            .map(|e| sale_total(&e.payload))
            .sum::<Decimal>();
    }
    assert_eq!(on_server, on_registers, "to the penny");
    assert_eq!(on_server.to_string(), "1019629.47", "three times the week's 339876.49");
    let store_id = rt
        .block_on(server_db.stores())
        .unwrap()
        .into_iter()
        .find(|s| s.code == "london")
        .unwrap()
        .id;
    let levels = rt.block_on(server_db.stock_levels(&store_id, "")).unwrap();
    let held: std::collections::BTreeMap<String, i64> = levels
        .iter()
        .map(|l| (l.sku.clone(), comptoir_server::stock::milli(&l.on_hand).unwrap()))
        .filter(|(_, milli)| *milli != 0)
        .collect();
    moved.retain(|_, milli| *milli != 0);
    assert!(moved.len() > 1000, "the week moves {} SKUs", moved.len());
    assert_eq!(held, moved, "stock: the server's on-hand is the sum of the registers' movements");
    eprintln!(
        "outage: {} sync runs, {failed} failed, {cuts} cut connections, entries waiting at each kill: {waiting_at_kills:?}",
        attempts.load(Ordering::Relaxed)
    );
}
