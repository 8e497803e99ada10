//! Device setup from the CLI, against the simulators as separate processes: the test page as
//! the decoder reads the printed bytes, a scan from a serial scanner, a weight from a scale.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::support::*;

fn simulator(name: &str) -> Command {
    Command::new(simulator_binary(name))
}

/// Starts a pty simulator and returns it with the path it prints (`scanner on /dev/pts/N`).
fn on_pty(mut command: Command) -> (KillOnDrop, String) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let path = line.split_whitespace().last().expect("a path").to_owned();
    (KillOnDrop(child), path)
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn set(dir: &Path, key: &str, value: &str) {
    let out = run(comptoir(dir).args(["--pin", "1234", "config", key, value]), "");
    assert!(out.status.success(), "{key}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn the_test_page_prints_every_accented_line_and_the_preview_is_the_decoded_bytes() {
    let dir = montreal();
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "devices", "test-page"]), "");
    let page = json(&out);
    assert_eq!(page["test_page"]["printed"], true, "{page}");
    let job = page["test_page"]["job"].as_str().unwrap();

    // The bytes the virtual printer got, decoded here on their own.
    let file = std::fs::read_dir(dir.path().join("printer"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(&format!("{job}.bin")))
        .expect("the job's file");
    let decoded = comptoir_escpos_decoder::render(&std::fs::read(file).unwrap()).unwrap();
    let decoded: Vec<String> = decoded.lines.into_iter().map(|l| l.text).collect();
    let previewed: Vec<String> = page["preview"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(decoded, previewed, "the screen shows what was printed");
    for line in [
        "Français : àâæçéèêëîïôœùûüÿ ÀÂÇÉÈÊËÎÏÔŒÙÛÜ",
        "Deutsch : äöüß ÄÖÜ",
        "Español : áéíóúñ¿¡ ÁÉÍÓÚÑ",
        "Nordisk : åæø ÅÆØ",
        "Money : € £ ¥ ¢ $",
        "[barcode CODE128: COMPTOIR-TEST]",
        "[QR: https://comptoir.invalid/test-page]",
    ] {
        assert!(decoded.iter().any(|l| l == line), "{line:?} missing from {decoded:#?}");
    }
    // A cashier may not print it.
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "devices", "test-page"]), "");
    assert_eq!(json(&out)["code"], "permission_denied");
}

#[test]
fn a_scan_on_the_serial_scanner_says_what_the_register_would_do() {
    let dir = montreal();
    let mut sim = simulator("comptoir-scanner-sim");
    sim.args(["--aim", "--delay-ms", "1500", "--no-stdin", "0019061093791"]);
    let (_sim, path) = on_pty(sim);
    set(dir.path(), "scanner", &format!("serial:{path}"));
    let out = run(comptoir(dir.path()).args(["devices", "scan", "--wait", "10"]), "");
    let scan = json(&out);
    assert_eq!(scan["action"], "ring_item", "{scan}");
    assert_eq!(scan["aim"], "]E0");
    assert_eq!(scan["symbology"], "EAN-13 / UPC-A / UPC-E");
    assert_eq!(scan["data"], "0019061093791");
    assert_eq!(scan["meaning"], "item 0019061093791");
}

#[test]
fn a_gs1_scan_and_a_deli_label_are_said_field_by_field() {
    let dir = montreal();
    let mut sim = simulator("comptoir-scanner-sim");
    sim.args(["--aim", "--delay-ms", "1500", "--no-stdin", "(01)09506000134352(17)261200(10)AB12"]);
    let (_sim, path) = on_pty(sim);
    set(dir.path(), "scanner", &format!("serial:{path}"));
    let out = run(comptoir(dir.path()).args(["devices", "scan", "--wait", "10"]), "");
    let scan = json(&out);
    assert_eq!(scan["symbology"], "GS1-128", "{scan}");
    assert_eq!(
        scan["fields"][0],
        serde_json::json!({"ai": "01", "name": "GTIN", "value": "09506000134352"})
    );
    assert_eq!(scan["fields"][1]["ai"], "17");
    assert_eq!(scan["fields"][2]["value"], "AB12");
    let meaning = scan["meaning"].as_str().unwrap();
    assert!(meaning.starts_with("GS1 code: GTIN 09506000134352, "), "{meaning}");
    assert!(
        !meaning.contains("Gs1(") && !meaning.contains("elements"),
        "no Rust debug text: {meaning}"
    );

    // The Montréal demo's deli label, read with the store's (Canadian) layout.
    let mut sim = simulator("comptoir-scanner-sim");
    sim.args(["--aim", "--delay-ms", "1500", "--no-stdin", "201234703495"]);
    let (_sim, path) = on_pty(sim);
    set(dir.path(), "scanner", &format!("serial:{path}"));
    let out = run(comptoir(dir.path()).args(["devices", "scan", "--wait", "10"]), "");
    let scan = json(&out);
    assert_eq!(scan["action"], "ring_label", "{scan}");
    assert_eq!(scan["meaning"], "in-store label of item 0201234: price 3.49 CAD");
    assert_eq!(
        scan["fields"][1],
        serde_json::json!({"ai": null, "name": "lookup barcode", "value": "0201234000006"})
    );
}

#[test]
fn the_scale_reads_a_stable_weight_after_it_settles() {
    let dir = montreal();
    let mut sim = simulator("comptoir-scale-sim");
    sim.args(["--step", "dynamic 0.254 kg", "--step", "stable 0.256 kg"]);
    let (_sim, path) = on_pty(sim);
    set(dir.path(), "scale", &format!("serial:{path}"));
    let out = run(comptoir(dir.path()).args(["devices", "scale", "--wait", "5"]), "");
    assert_eq!(json(&out)["weight"], "0.256 kg", "{}", json(&out));
}

#[test]
fn bad_device_settings_are_refused_and_the_list_names_the_profiles() {
    let dir = montreal();
    for (key, value) in [
        ("scanner", "/dev/ttyACM0"),
        ("scale", "serial:COM3"),
        ("terminal", "tcp://10.0.0.7"),
        ("terminal.password", "12ab56"),
        ("printer", "usb:04b8"),
        ("display", "serial:/dev/ttyS0@fast"),
        ("scanner", "serial:/dev/ttyACM0,country=FR"),
    ] {
        let out = run(comptoir(dir.path()).args(["--pin", "1234", "config", key, value]), "");
        let code = json(&out)["code"].clone();
        assert!(code == "invalid_setting" || code == "invalid_printer", "{key} {value}: {code}");
    }
    // A country without label layouts is refused with the ones there are.
    let refused = ["--pin", "1234", "config", "scanner", "serial:/dev/ttyACM0,country=FR"];
    let message = json(&run(comptoir(dir.path()).args(refused), ""))["message"].clone();
    let message = message.as_str().unwrap();
    assert!(message.contains("country=FR") && message.contains("CA, DE, DK"), "{message}");
    set(dir.path(), "scanner", "serial:/dev/ttyACM0,country=de");
    let out = run(comptoir(dir.path()).args(["devices", "list"]), "");
    let list = json(&out);
    assert!(list["profiles"].as_array().unwrap().iter().any(|p| p == "TM-T88V"), "{list}");
    assert!(list["serial_ports"].is_array() && list["usb"].is_array());
    set(dir.path(), "terminal.password", "123456");
    let out = run(comptoir(dir.path()).args(["devices", "settings"]), "");
    let shown = json(&out).to_string();
    assert!(!shown.contains("123456"), "the password is never shown: {shown}");
}

#[test]
fn a_weighed_basket_line_reads_the_scale_and_is_priced_per_kilogram() {
    let dir = montreal();
    let mut sim = simulator("comptoir-scale-sim");
    sim.args(["--step", "dynamic 1.230 kg", "--step", "stable 1.234 kg"]);
    let (_sim, path) = on_pty(sim);
    set(dir.path(), "scale", &format!("serial:{path}"));
    let basket = r#"{"lines":[{"sku":"MPLU4011","weigh":true}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket);
    let sale = json(&out);
    assert_eq!(sale["sale"]["lines"][0]["qty"], "1.234", "{sale}");
    assert_eq!(sale["sale"]["total"], "2.15");
    let keyed =
        r#"{"lines":[{"sku":"MPLU4011","qty":"2"}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), keyed);
    assert_eq!(json(&out)["code"], "weigh_item", "a weight is never keyed");
}

#[test]
fn the_drawer_test_before_any_shift_is_in_the_drawer_log_for_a_manager_only() {
    let dir = montreal();
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "devices", "drawer"]), "");
    assert_eq!(json(&out)["opened"], true, "{}", String::from_utf8_lossy(&out.stdout));
    let out = run(comptoir(dir.path()).args(["--pin", "1234", "devices", "drawer-log"]), "");
    let log = json(&out);
    let openings = log["openings"].as_array().unwrap();
    assert_eq!(openings.len(), 1, "{log}");
    assert_eq!(openings[0]["reason"], "test");
    assert_eq!(openings[0]["cashier_id"], "c1");
    assert_eq!(openings[0]["real_time"], false);
    // The pulse reached the printer as a job of its own.
    let pulses: usize = std::fs::read_dir(dir.path().join("printer"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .map(|bytes| comptoir_escpos_decoder::render(&bytes).unwrap().kicks.len())
        .sum();
    assert_eq!(pulses, 1);
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "devices", "drawer-log"]), "");
    assert_eq!(json(&out)["code"], "permission_denied");
}

#[test]
fn a_basket_line_keyed_wrong_for_its_item_says_what_the_item_takes() {
    let dir = montreal();
    let sale =
        |basket: &str| json(&run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket));
    // Weighed and a quantity: the scale gives the weight, the quantity would be dropped.
    let both = r#"{"lines":[{"sku":"MPLU4011","weigh":true,"qty":"2"}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let error = sale(both);
    assert_eq!(error["code"], "invalid_input", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.starts_with("line 1: ") && message.contains("remove its \"qty\""), "{message}");
    // Half a bag of peanuts: sold by the unit; half a kilo of bananas: on the scale.
    let half = r#"{"lines":[{"barcode":"0019061093791","qty":"0.5"}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let error = sale(half);
    assert_eq!(error["code"], "whole_quantity", "{error}");
    assert_eq!(
        error["message"],
        "line 1: French Burnt Peanuts is sold by the unit: enter a whole number (1 to 9999)."
    );
    let half =
        r#"{"lines":[{"sku":"MPLU4011","qty":"0.5"}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let error = sale(half);
    assert_eq!(error["code"], "weigh_item", "{error}");
    assert!(error["message"].as_str().unwrap().contains("Bananas is sold by weight"), "{error}");
    // No scale set: the message gives a setting to copy.
    let weighed = r#"{"lines":[{"sku":"MPLU4011","weigh":true}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let error = sale(weighed);
    assert_eq!(error["code"], "no_device", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("comptoir config scale serial:/dev/ttyUSB0@9600,8N1")
    );
}

#[test]
fn a_deli_label_in_a_basket_rings_at_its_price() {
    let dir = montreal();
    let basket = r#"{"lines":[{"barcode":"201234703495"},{"barcode":"201235905751"}],"tenders":[{"kind":"cash","amount":"10.00"}]}"#;
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket);
    let sale = json(&out);
    assert_eq!(sale["sale"]["lines"][0]["sku"], "MDELI01234", "{sale}");
    assert_eq!(sale["sale"]["lines"][0]["amount"], "3.49");
    assert_eq!(sale["sale"]["lines"][1]["amount"], "5.75");
    assert_eq!(sale["sale"]["total"], "9.24");
    let misread =
        r#"{"lines":[{"barcode":"201234803492"}],"tenders":[{"kind":"cash","amount":"10.00"}]}"#;
    let out = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), misread);
    assert_eq!(json(&out)["code"], "scan_label_check_digit");
}

#[test]
fn a_cash_sale_says_whether_the_drawer_opened() {
    let dir = montreal();
    let cash =
        r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let card = r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"card","amount":"4.47","reference":"A1"}]}"#;
    let out = json(&run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), cash));
    assert_eq!(out["drawer"]["opened"], true, "{out}");
    let out = json(&run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), card));
    assert!(out["drawer"].is_null(), "a card sale opens no drawer: {out}");
    // A printer nobody answers at: the sale is recorded, the drawer stayed shut, and it says so.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    set(dir.path(), "printer", &format!("tcp://{addr}"));
    let out = json(&run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), cash));
    assert_eq!(out["entry"]["kind"], "sale", "{out}");
    assert_eq!(out["drawer"]["opened"], false, "{out}");
    assert_eq!(out["drawer"]["error"]["code"], "drawer_not_opened", "{out}");
    assert!(out["drawer"]["error"]["message"].as_str().unwrap().contains("key"), "{out}");
}

#[test]
fn a_weighed_line_is_checked_before_the_scale_is_read() {
    let dir = montreal();
    let sale =
        |basket: &str| json(&run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket));
    // No scale is set: what is wrong with the line is said first, not the missing scale.
    let label = r#"{"lines":[{"barcode":"201234703495","weigh":true}],"tenders":[{"kind":"cash","amount":"10.00"}]}"#;
    let out = sale(label);
    assert_eq!(out["code"], "label_not_on_scale", "{out}");
    assert!(out["message"].as_str().unwrap().contains("without the scale"), "{out}");
    let unit = r#"{"lines":[{"barcode":"0019061093791","weigh":true}],"tenders":[{"kind":"cash","amount":"10.00"}]}"#;
    assert_eq!(sale(unit)["code"], "not_weighed");
    let unknown = r#"{"lines":[{"barcode":"0000000000017","weigh":true}],"tenders":[{"kind":"cash","amount":"10.00"}]}"#;
    assert_eq!(sale(unknown)["code"], "unknown_barcode");
    let bananas = r#"{"lines":[{"sku":"MPLU4011","weigh":true}],"tenders":[{"kind":"cash","amount":"10.00"}]}"#;
    assert_ne!(sale(bananas)["code"], "not_weighed", "bananas go on to the scale");
}
