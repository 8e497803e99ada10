//! The register process killed with SIGKILL at random points during sales, at least 200 times,
//! with the printer a separate process that records every job it receives. After each kill the
//! register restarts (`verify` opens it and checks the chain); at the end every sale whose
//! receipt reached the printer is in the ledger, and no sale is half-written.
//!
//! `COMPTOIR_CRASH_RUNS` sets the number of kills (default 200), `COMPTOIR_CRASH_SEED` the seed.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::*;

/// xorshift64*: enough randomness for kill points, and a seed that reproduces a failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const BARCODES: [&str; 6] =
    [PEANUTS, TRUFFLES, SRIRACHA_UPC_A, "3252920035601", "7542600120960", "99494858"];

fn basket(rng: &mut Rng) -> String {
    let lines: Vec<String> = (0..1 + rng.below(4))
        .map(|_| {
            format!(
                r#"{{"barcode":"{}","qty":"{}"}}"#,
                BARCODES[rng.below(6) as usize],
                1 + rng.below(3)
            )
        })
        .collect();
    format!(r#"{{"lines":[{}],"tenders":[{{"kind":"cash","amount":"200.00"}}]}}"#, lines.join(","))
}

/// Receipt numbers found in the bytes the printer received, complete jobs or cut-off ones,
/// and how many complete originals (not marked COPY) each one has.
fn printed_receipts(out: &Path) -> (BTreeSet<String>, std::collections::BTreeMap<String, usize>) {
    let mut found = BTreeSet::new();
    let mut originals = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            // The printer simulator renamed a `.partial` job once complete between the listing
            // and the read: read the folder again, so the completed job is seen.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return printed_receipts(out),
            Err(e) => panic!("{}: {e}", path.display()),
        };
        let complete = !path.to_string_lossy().ends_with(".partial");
        let copy = bytes.windows(5).any(|w| w == b"COPIE");
        let mut in_job = BTreeSet::new();
        for start in 0..bytes.len().saturating_sub(12) {
            let window = &bytes[start..start + 12];
            if window.starts_with(b"MTL01-") && window[6..].iter().all(u8::is_ascii_digit) {
                in_job.insert(String::from_utf8_lossy(window).into_owned());
            }
        }
        for receipt in in_job {
            if complete && !copy {
                *originals.entry(receipt.clone()).or_insert(0) += 1;
            }
            found.insert(receipt);
        }
    }
    (found, originals)
}

fn ledger_receipts(data: &Path) -> BTreeSet<String> {
    let db = rusqlite::Connection::open(data.join("register.db")).unwrap();
    let mut statement =
        db.prepare("SELECT receipt_no, payload FROM ledger WHERE kind = 'sale'").unwrap();
    let rows =
        statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap();
    let mut receipts = BTreeSet::new();
    for row in rows {
        let (receipt, payload) = row.unwrap();
        let sale: serde_json::Value =
            serde_json::from_str(&payload).expect("a sale entry is whole JSON");
        assert_eq!(sale["receipt_no"], receipt.as_str());
        assert!(!sale["lines"].as_array().unwrap().is_empty(), "{receipt} has no lines");
        receipts.insert(receipt);
    }
    // A sale and its receipt job are one transaction: neither exists without the other.
    let jobs: i64 = db
        .query_row("SELECT count(*) FROM print_job WHERE kind = 'receipt'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(jobs as usize, receipts.len(), "every sale has exactly its receipt job");
    receipts
}

#[test]
fn sigkill_during_sales_never_loses_a_printed_sale_or_half_writes_one() {
    let runs: usize =
        std::env::var("COMPTOIR_CRASH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let seed: u64 = std::env::var("COMPTOIR_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("crash test: {runs} kills, COMPTOIR_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let data = montreal();
    let out = tempfile::tempdir().unwrap();
    // A slow printer (about 50 ms a receipt) so that many kills land while a receipt is sent.
    let printer = Printer::start(out.path(), 3);
    let printer_url = format!("tcp://127.0.0.1:{}", printer.port);

    // How long a whole sale takes here, so kill points spread over all of it.
    let mut durations = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let output = run(
            comptoir(data.path()).args(["--pin", "2468", "--printer", &printer_url, "sale"]),
            &basket(&mut rng),
        );
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        durations.push(started.elapsed());
    }
    durations.sort();
    let span = durations[2].as_micros() as u64 * 3 / 2;

    let (mut killed, mut finished) = (0, 0);
    for round in 0..runs * 3 {
        if killed >= runs {
            break;
        }
        let mut child = comptoir(data.path())
            .args(["--pin", "2468", "--printer", &printer_url, "sale"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(basket(&mut rng).as_bytes()).unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        match child.try_wait().unwrap() {
            Some(_) => finished += 1,
            None => {
                child.kill().unwrap(); // SIGKILL
                killed += 1;
            }
        }
        let _ = child.wait();

        let verify = run(comptoir(data.path()).arg("verify"), "");
        assert!(
            verify.status.success(),
            "round {round} (seed {seed}): {}",
            String::from_utf8_lossy(&verify.stderr)
        );
    }
    assert!(killed >= runs, "only {killed} kills in {} rounds", runs * 3);

    let (printed, originals) = printed_receipts(out.path());
    let twice: Vec<_> = originals.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "receipts printed twice as originals (seed {seed}): {twice:?}");
    let recorded = ledger_receipts(data.path());
    let lost: Vec<&String> = printed.difference(&recorded).collect();
    assert!(lost.is_empty(), "printed but not in the ledger (seed {seed}): {lost:?}");
    assert!(recorded.len() >= 5 + finished, "sales that finished are recorded");
    eprintln!(
        "crash test: {killed} killed, {finished} finished, {} sales recorded, {} printed",
        recorded.len(),
        printed.len()
    );
    drop(printer);
}
