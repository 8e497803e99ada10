//! The register killed (SIGKILL) in the middle of a card payment on the terminal simulator,
//! a separate process that journals every charge and reversal: after the restart the register
//! asks the terminal instead of charging again, and the payment ends reversed (the CLI's
//! basket died with it) or not charged, never twice.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// The ZVT terminal simulator as its own process.
struct Terminal {
    child: Child,
    address: String,
    journal: PathBuf,
    script: PathBuf,
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Terminal {
    fn start(dir: &Path, script: &str) -> Terminal {
        let journal = dir.join("terminal-journal");
        let script_file = dir.join("terminal-script");
        std::fs::write(&script_file, script).unwrap();
        let mut child = Command::new(simulator_binary("comptoir-zvt-sim"))
            .args(["--tcp", "127.0.0.1:0", "--step-delay-ms", "20", "--journal"])
            .arg(&journal)
            .arg("--script-file")
            .arg(&script_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let address = line.trim().strip_prefix("tcp ").expect("tcp ADDR").to_owned();
        Terminal { child, address, journal, script: script_file }
    }

    /// The charges and reversals the terminal made, in order (the simulator also books a
    /// reversal's own transaction as `reversal`: one reversal, one `reverse`).
    fn journal(&self) -> Vec<String> {
        std::fs::read_to_string(&self.journal)
            .unwrap_or_default()
            .lines()
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
            .filter(|word| word == "charge" || word == "reverse")
            .collect()
    }

    fn script(&self, script: &str) {
        std::fs::write(&self.script, script).unwrap();
    }
}

fn with_terminal(dir: &Path, terminal: &Terminal) {
    let setting = format!("zvt+tcp://{}", terminal.address);
    let out = run(comptoir(dir).args(["--pin", "1234", "config", "terminal", &setting]), "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

const CARD_SALE: &str =
    r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"terminal","amount":"4.47"}]}"#;
const CASH_SALE: &str =
    r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;

/// Starts a card sale and kills the register once `until` holds.
fn kill_card_sale_when(dir: &Path, until: impl Fn() -> bool) {
    let mut child = comptoir(dir)
        .args(["--pin", "2468", "sale"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(CARD_SALE.as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !until() {
        assert!(Instant::now() < deadline, "the terminal never got that far");
        assert!(child.try_wait().unwrap().is_none(), "the sale ended before the kill");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

fn pending(dir: &Path) -> usize {
    let out = run(comptoir(dir).args(["--pin", "2468", "card", "pending"]), "");
    json(&out).as_array().expect("a list").len()
}

fn sales(dir: &Path) -> usize {
    let out = run(comptoir(dir).args(["--pin", "1234", "report", "x"]), "");
    json(&out)["sales_count"].as_u64().unwrap_or_else(|| panic!("{}", json(&out))) as usize
}

#[test]
fn a_register_killed_after_the_terminal_charged_reverses_the_charge_once() {
    let dir = montreal();
    // Slow enough that the register is killed after the charge, before the answer.
    let terminal = Terminal::start(dir.path(), "slow:400");
    with_terminal(dir.path(), &terminal);
    kill_card_sale_when(dir.path(), || terminal.journal().contains(&"charge".to_owned()));

    assert_eq!(pending(dir.path()), 1, "the payment was recorded before it was sent");
    let refused = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), CASH_SALE);
    assert_eq!(json(&refused)["code"], "card_payment_pending", "no second payment meanwhile");

    terminal.script("approve");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)[0]["outcome"], "reversed", "{}", json(&out));
    assert_eq!(terminal.journal(), ["charge", "reverse"], "charged once, given back once");
    assert_eq!(pending(dir.path()), 0);
    // Recovering again asks nothing and charges nothing.
    let again = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert_eq!(json(&again).as_array().unwrap().len(), 0);
    assert_eq!(terminal.journal(), ["charge", "reverse"]);

    assert_eq!(sales(dir.path()), 0, "the killed basket is no sale");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), CARD_SALE);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(terminal.journal(), ["charge", "reverse", "charge"]);
    assert_eq!(sales(dir.path()), 1);
    let verify = run(comptoir(dir.path()).arg("verify"), "");
    assert!(verify.status.success());
}

#[test]
fn a_register_killed_before_the_terminal_charged_is_told_nothing_was_charged() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), CARD_SALE);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(terminal.journal(), ["charge"]);

    // The terminal acknowledges the next payment and then says nothing: the register dies
    // waiting for the customer's card.
    terminal.script("timeout");
    let started = Instant::now();
    kill_card_sale_when(dir.path(), || started.elapsed() > Duration::from_millis(1500));
    assert_eq!(pending(dir.path()), 1);

    terminal.script("approve");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert_eq!(json(&out)[0]["outcome"], "not_charged", "{}", json(&out));
    assert_eq!(terminal.journal(), ["charge"], "nothing charged, nothing reversed");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), CASH_SALE);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(sales(dir.path()), 2);
}

/// Everything the register wrote: its database files and the printer's jobs.
fn written_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if !path.ends_with("terminal-journal") {
                bytes.extend(std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn no_test_card_number_reaches_the_database_the_log_or_a_receipt() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let mut said = Vec::new();
    let mut run_logged = |args: &[&str], stdin: &str| {
        let out = run(comptoir(dir.path()).env("COMPTOIR_LOG", "trace").args(args), stdin);
        said.extend(out.stdout.clone());
        said.extend(out.stderr.clone());
        out
    };
    for card in comptoir_zvt::cards::TEST_CARDS {
        // A terminal that sends the whole number (it must not, some do) and one that drops
        // the line after charging, so the answer comes from recovery.
        for fault in ["approve", "leak-pan", "decline", "drop-after-status"] {
            terminal.script(&format!("{fault} card={}", card.name));
            let out = run_logged(&["--pin", "2468", "sale"], CARD_SALE);
            let errors = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(
                out.status.success() || errors.contains(r#""code": "card_declined""#),
                "{fault} {}: {errors}",
                card.name,
            );
            run_logged(&["--pin", "2468", "card", "recover"], "");
        }
        terminal.script(&format!("leak-pan card={}", card.name));
        run_logged(&["--pin", "2468", "terminal", "repeat-receipt"], "");
        run_logged(&["--pin", "2468", "reprint"], "");
    }
    run_logged(&["--pin", "1234", "terminal", "end-of-day"], "");
    let preview = run_logged(&["preview"], "");
    assert!(preview.status.success());

    let written = written_bytes(dir.path());
    assert!(contains(&written, "****1111"), "the masked number is kept");
    assert!(contains(&said, "TRACE"), "the log was captured");
    for card in comptoir_zvt::cards::TEST_CARDS {
        let spaced: Vec<&str> = (0..card.pan.len())
            .step_by(4)
            .map(|i| &card.pan[i..(i + 4).min(card.pan.len())])
            .collect();
        for form in [card.pan.to_owned(), spaced.join(" ")] {
            assert!(!contains(&written, &form), "{} in what the register wrote", card.name);
            assert!(!contains(&said, &form), "{} in the output or the log", card.name);
        }
    }
}
