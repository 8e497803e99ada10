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

/// The refunds the terminal made, with its charges, in order.
fn money_moves(terminal: &Terminal) -> Vec<String> {
    std::fs::read_to_string(&terminal.journal)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap_or_default().to_owned())
        .filter(|word| ["charge", "refund", "reverse"].contains(&word.as_str()))
        .collect()
}

/// A card sale on the terminal; its receipt number.
fn card_sale(dir: &Path) -> String {
    let out = run(comptoir(dir).args(["--pin", "2468", "sale"]), CARD_SALE);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    json(&out)["sale"]["receipt_no"].as_str().unwrap().to_owned()
}

/// The error on standard error, after the lines the terminal displayed.
fn error_after_terminal_texts(out: &std::process::Output) -> serde_json::Value {
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    let start = said.find("\n{").map_or(0, |i| i + 1);
    serde_json::from_str(&said[start..]).unwrap_or_else(|e| panic!("{e}: {said}"))
}

fn return_basket(receipt: &str) -> String {
    format!(r#"{{"returns":[{{"receipt":"{receipt}","line":1,"reason":"changed their mind"}}]}}"#)
}

fn left_to_return(dir: &Path, receipt: &str) -> String {
    let out = run(comptoir(dir).args(["--pin", "2468", "find-sale", receipt]), "");
    json(&out)["lines"][0]["returnable"].as_str().unwrap().to_owned()
}

#[test]
fn a_return_of_a_card_sale_is_refunded_through_the_terminal() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let receipt = card_sale(dir.path());

    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &return_basket(&receipt));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let returned = json(&out);
    assert_eq!(returned["entry"]["kind"], "return");
    let tender = &returned["sale"]["tenders"][0];
    assert_eq!(
        (tender["kind"].as_str(), tender["amount"].as_str()),
        (Some("external_card"), Some("-4.47"))
    );
    assert!(tender["terminal"]["receipt"].to_string().contains("GUTSCHRIFT"), "{tender}");
    assert!(returned.get("card_refunds_by_hand").is_none(), "{returned}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("terminal: customer: insert"), "{said}");
    assert_eq!(money_moves(&terminal), ["charge", "refund"], "one refund");
    assert_eq!(left_to_return(dir.path(), &receipt), "0");
}

#[test]
fn a_declined_refund_records_nothing_and_store_credit_still_refunds() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let receipt = card_sale(dir.path());

    terminal.script("decline");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &return_basket(&receipt));
    let error = error_after_terminal_texts(&out);
    assert_eq!(error["code"], "card_refund_declined", "{error}");
    assert!(error["message"].as_str().unwrap().contains("store credit"), "{error}");
    assert_eq!(left_to_return(dir.path(), &receipt), "1", "the return is not recorded");
    assert_eq!(pending(dir.path()), 0);

    let basket = return_basket(&receipt).replace("]}", r#"],"refund_to":"store_credit"}"#);
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &basket);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["sale"]["tenders"][0]["kind"], "store_credit");
    assert_eq!(money_moves(&terminal), ["charge"]);
}

/// Starts a return and kills the register once `until` holds.
fn kill_return_when(dir: &Path, receipt: &str, until: impl Fn() -> bool) {
    let mut child = comptoir(dir)
        .args(["--pin", "2468", "sale"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(return_basket(receipt).as_bytes()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !until() {
        assert!(Instant::now() < deadline, "the terminal never got that far");
        assert!(child.try_wait().unwrap().is_none(), "the return ended before the kill");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_register_killed_after_the_terminal_refunded_records_the_return_at_recovery_once() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let receipt = card_sale(dir.path());

    terminal.script("slow:400");
    kill_return_when(dir.path(), &receipt, || money_moves(&terminal).len() == 2);
    assert_eq!(pending(dir.path()), 1, "the refund was recorded before it was sent");
    let refused = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), CASH_SALE);
    assert_eq!(json(&refused)["code"], "card_payment_pending");
    let said = json(&refused)["message"].as_str().unwrap().to_owned();
    assert!(said.contains("comptoir card recover") && !said.contains("Retry"), "{said}");

    terminal.script("approve");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recovered = json(&out);
    assert_eq!(
        (recovered[0]["kind"].as_str(), recovered[0]["outcome"].as_str()),
        (Some("refund"), Some("refunded")),
        "{recovered}"
    );
    assert_eq!(money_moves(&terminal), ["charge", "refund"], "refunded once");
    assert_eq!(left_to_return(dir.path(), &receipt), "0", "the return is recorded");
    let again = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert_eq!(json(&again).as_array().unwrap().len(), 0);
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &return_basket(&receipt));
    assert_eq!(json(&out)["code"], "nothing_left_to_return");
    assert_eq!(money_moves(&terminal), ["charge", "refund"]);
    assert!(run(comptoir(dir.path()).arg("verify"), "").status.success());
}

#[test]
fn a_register_killed_before_the_terminal_refunded_is_told_nothing_was_refunded() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let receipt = card_sale(dir.path());

    terminal.script("timeout");
    let started = Instant::now();
    kill_return_when(dir.path(), &receipt, || started.elapsed() > Duration::from_millis(1500));
    assert_eq!(pending(dir.path()), 1);

    terminal.script("approve");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert_eq!(json(&out)[0]["outcome"], "not_refunded", "{}", json(&out));
    assert_eq!(money_moves(&terminal), ["charge"]);
    assert_eq!(left_to_return(dir.path(), &receipt), "1");
    // The return is rung again and refunded, once.
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &return_basket(&receipt));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(money_moves(&terminal), ["charge", "refund"]);
}

#[test]
fn without_a_terminal_a_card_refund_is_recorded_and_the_cli_says_to_run_it_by_hand() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let receipt = card_sale(dir.path());
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "config", "terminal", "none"]), "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &return_basket(&receipt));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let by_hand = &json(&out)["card_refunds_by_hand"];
    assert_eq!(by_hand[0]["amount"], "4.47", "{}", json(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("refund 4.47 to the card") && said.contains("by hand"), "{said}");
    assert_eq!(money_moves(&terminal), ["charge"], "the terminal was not asked");
}

/// A `comptoir` process whose standard error is read line by line as it comes.
struct Watched {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    said: Vec<String>,
}

impl Watched {
    fn sale(dir: &Path, basket: &str) -> Watched {
        let mut child = comptoir(dir)
            .args(["--pin", "2468", "sale"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(basket.as_bytes()).unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watched { child, lines, said: Vec::new() }
    }

    /// Waits for a line of standard error that starts with `start`.
    fn wait_for(&mut self, start: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.said.iter().any(|l| l.starts_with(start)) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.said.push(line),
                Err(_) => panic!("no {start:?} on standard error: {:?}", self.said),
            }
        }
    }

    fn interrupt(&self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
    }

    /// Waits for the end; the exit code and everything said on standard error.
    fn finish(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        self.said.extend(self.lines.iter());
        (status.code(), self.said.join("\n"))
    }
}

#[test]
fn ctrl_c_during_a_card_payment_aborts_it_on_the_terminal() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "slow:1500");
    with_terminal(dir.path(), &terminal);
    let mut sale = Watched::sale(dir.path(), CARD_SALE);
    sale.wait_for("terminal: ", Duration::from_secs(10));
    sale.interrupt();
    let (code, said) = sale.finish();

    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("Ctrl-C: aborting on the terminal"), "{said}");
    assert!(said.contains(r#""code": "card_aborted""#), "{said}");
    assert!(
        std::fs::read_to_string(&terminal.journal)
            .unwrap()
            .contains("abort code=6C by the register")
    );
    assert!(money_moves(&terminal).is_empty(), "nothing charged");
    assert_eq!(pending(dir.path()), 0, "the outcome is known");
    assert_eq!(sales(dir.path()), 0);
}

#[test]
fn a_silent_terminal_is_waited_on_aloud_and_a_second_ctrl_c_leaves_the_payment_pending() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    // A first sale, so the terminal's last receipt tells the next payment apart.
    card_sale(dir.path());
    terminal.script("timeout");
    let mut sale = Watched::sale(dir.path(), CARD_SALE);
    sale.wait_for("waiting for the terminal: 10 s", Duration::from_secs(20));
    sale.interrupt();
    sale.wait_for("Ctrl-C: aborting", Duration::from_secs(5));
    sale.interrupt();
    let (code, said) = sale.finish();
    assert_eq!(code, Some(130), "{said}");
    assert!(said.contains("comptoir card recover"), "{said}");

    assert_eq!(pending(dir.path()), 1, "the payment stays pending");
    terminal.script("approve");
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert_eq!(json(&out)[0]["outcome"], "not_charged", "{}", json(&out));
    assert_eq!(money_moves(&terminal), ["charge"]);
}

#[test]
fn terminal_answers_show_only_what_the_terminal_gave() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "terminal", "diagnosis"]), "");
    let diagnosis = json(&out);
    assert_eq!(diagnosis["result"], "done", "{diagnosis}");
    assert!(diagnosis.get("software").is_none() && diagnosis.get("terminal_id").is_none());
    assert!(diagnosis["receipt"].to_string().contains("DIAGNOSE"), "{diagnosis}");
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "terminal", "status"]), "");
    assert!(json(&out)["software"].as_str().unwrap().contains("comptoir-zvt-sim"));
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "terminal", "register"]), "");
    assert_eq!(json(&out)["terminal_id"], "52001233");

    // A terminal that is not there: what to check, said once, and where it was looked for.
    let nowhere = ["--pin", "1234", "config", "terminal", "zvt+tcp://127.0.0.1:1"];
    assert!(run(comptoir(dir.path()).args(nowhere), "").status.success());
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "terminal", "status"]), "");
    let error = json(&out);
    assert_eq!(error["code"], "terminal_offline", "{error}");
    let said = error["message"].as_str().unwrap();
    assert_eq!(said.matches("check").count(), 1, "{said}");
    assert!(said.contains("127.0.0.1:1"), "{said}");
}

#[test]
fn a_basket_that_cannot_be_recorded_never_leaves_the_card_charged() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "approve");
    with_terminal(dir.path(), &terminal);
    // The tenders do not pay the 4.47: refused before the terminal is asked.
    let short = r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"terminal","amount":"3.00"},{"kind":"cash","amount":"1.00"}]}"#;
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), short);
    let error = json(&out);
    assert_eq!(error["code"], "not_paid", "{error}");
    assert!(error["message"].as_str().unwrap().contains("nothing was charged"), "{error}");
    assert!(money_moves(&terminal).is_empty(), "the card was not charged");

    // The card is charged, then the next tender fails (no such credit note): the charge is
    // given back on the terminal and nothing of the basket stays.
    let bad_note = r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"terminal","amount":"3.00"},{"kind":"store_credit","amount":"1.47","reference":"CR-NOPE"}]}"#;
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), bad_note);
    let error = error_after_terminal_texts(&out);
    assert!(error["message"].as_str().unwrap().contains("given back"), "{error}");
    assert_eq!(money_moves(&terminal), ["charge", "reverse"]);
    assert_eq!(sales(dir.path()), 0);

    // The next basket rings as if nothing happened.
    card_sale(dir.path());
    assert_eq!(money_moves(&terminal), ["charge", "reverse", "charge"]);
}

#[test]
fn a_payment_the_terminal_cannot_say_anything_about_is_settled_by_a_manager() {
    let dir = montreal();
    let terminal = Terminal::start(dir.path(), "timeout");
    with_terminal(dir.path(), &terminal);
    let started = Instant::now();
    kill_card_sale_when(dir.path(), || started.elapsed() > Duration::from_millis(1500));
    // The terminal is gone (replaced, reset): recovery cannot say, and nothing else can pay.
    drop(terminal);
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "card", "recover"]), "");
    assert_eq!(json(&out)[0]["outcome"], "pending", "{}", json(&out));
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), CASH_SALE);
    assert_eq!(json(&out)["code"], "card_payment_pending");

    let listed = json(&run(comptoir(dir.path()).args(["--pin", "1234", "card", "pending"]), ""));
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "card", "not-charged", &id]), "");
    assert_eq!(json(&out)["code"], "permission_denied", "a manager's word only");
    assert!(json(&out)["message"].as_str().unwrap().contains("card payment"), "{}", json(&out));
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "card", "not-charged", &id]), "");
    assert_eq!(json(&out)["outcome"], "not_charged", "{}", json(&out));
    assert_eq!(pending(dir.path()), 0);
    let again = run(comptoir(dir.path()).args(["--pin", "1234", "card", "not-charged", &id]), "");
    assert_eq!(json(&again)["code"], "card_already_settled", "{}", json(&again));
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), CASH_SALE);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
