//! The CLI's JSON in and out, as `docs/cli.md` fixes it.

use crate::support::*;

#[test]
fn a_sale_from_standard_input_is_committed_and_its_receipt_printed() {
    let dir = montreal();
    let basket = format!(
        r#"{{"lines":[{{"barcode":"{PEANUTS}"}},{{"barcode":"{TRUFFLES}","qty":"2"}},{{"barcode":"{SRIRACHA_UPC_A}"}}],
            "tenders":[{{"kind":"cash","amount":"20.00"}}]}}"#
    );
    let output = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &basket);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let sale = json(&output);
    assert_eq!(sale["sale"]["total"], "16.08");
    assert_eq!(sale["sale"]["cash_rounding"], "0.02");
    assert_eq!(sale["sale"]["change"], "3.90");
    assert_eq!(sale["sale"]["taxes"][1]["amount"], "0.54");
    assert_eq!(sale["printed"], true);
    let receipt: Vec<String> = serde_json::from_value(sale["receipt"].clone()).unwrap();
    assert!(receipt.iter().any(|l| l.starts_with("TVQ 9.975% / 10.87")), "{receipt:?}");

    let verify = run(comptoir(dir.path()).arg("verify"), "");
    assert_eq!(json(&verify)["entries"], 2);
    let preview = json(&run(comptoir(dir.path()).arg("preview"), ""));
    assert_eq!(preview["job"], "MTL01-000001");
}

#[test]
fn errors_are_code_and_message_with_a_non_zero_exit_and_commit_nothing() {
    let dir = montreal();
    let unknown =
        r#"{"lines":[{"barcode":"4006381333931"}],"tenders":[{"kind":"cash","amount":"5.00"}]}"#;
    let output = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), unknown);
    assert!(!output.status.success());
    let error = json(&output);
    assert_eq!(error["code"], "unknown_barcode");
    assert!(error["message"].as_str().unwrap().contains("4006381333931"));

    let short = format!(
        r#"{{"lines":[{{"barcode":"{PEANUTS}"}}],"tenders":[{{"kind":"cash","amount":"1.00"}}]}}"#
    );
    let output = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &short);
    assert_eq!(json(&output)["code"], "not_paid");
    let garbage = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), "{\"lines\": [");
    assert_eq!(json(&garbage)["code"], "invalid_input");
    let no_pin = run(comptoir(dir.path()).arg("sale"), &short);
    assert_eq!(json(&no_pin)["code"], "not_signed_in");

    assert_eq!(
        json(&run(comptoir(dir.path()).arg("verify"), ""))["entries"],
        1,
        "only the shift opening"
    );
    let fresh = tempfile::tempdir().unwrap();
    assert_eq!(json(&run(comptoir(fresh.path()).arg("verify"), ""))["code"], "not_initialised");
}

#[test]
fn verify_names_the_first_tampered_entry() {
    let dir = montreal();
    let basket = format!(
        r#"{{"lines":[{{"barcode":"{PEANUTS}"}}],"tenders":[{{"kind":"card","amount":"4.47","reference":"R1"}}]}}"#
    );
    for _ in 0..3 {
        assert!(
            run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &basket).status.success()
        );
    }
    let db = rusqlite::Connection::open(dir.path().join("register.db")).unwrap();
    db.execute("UPDATE ledger SET payload = replace(payload, '4.47', '0.47') WHERE seq = 3", [])
        .unwrap();
    drop(db);
    let output = run(comptoir(dir.path()).arg("verify"), "");
    assert!(!output.status.success());
    let error = json(&output);
    assert_eq!(error["code"], "ledger_broken");
    assert!(error["message"].as_str().unwrap().contains("entry 1/3"), "{error}");
}

#[test]
fn replaying_the_invoice_week_twice_books_it_once() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(comptoir(dir.path()).args(["init", "--store", "london"]), "").status.success());
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/replay/online_retail_week_2010-12-01.csv"
    );
    let first = json(&run(comptoir(dir.path()).args(["replay", file]), ""));
    assert_eq!(
        (first["sales"].as_u64(), first["stock_adjustments"].as_u64()),
        (Some(611), Some(67))
    );
    assert_eq!(first["sales_total"], "339876.49");
    assert_eq!(
        (first["returns_total"].as_str(), first["net"].as_str()),
        (Some("59110.01"), Some("280766.48"))
    );
    let second = json(&run(comptoir(dir.path()).args(["replay", file]), ""));
    assert_eq!((second["sales"].as_u64(), second["already_booked"].as_u64()), (Some(0), Some(757)));
}

#[test]
fn the_register_refuses_a_second_writer() {
    let dir = montreal();
    let mut hold = comptoir(dir.path());
    // `sale` waits on standard input while it holds the register.
    let mut child = hold
        .args(["--pin", "2468", "sale"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let output = run(comptoir(dir.path()).args(["--pin", "1234", "report", "x"]), "");
    // Verifying only reads: it works beside the register's writer.
    let verify = run(comptoir(dir.path()).arg("verify"), "");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(json(&output)["code"], "already_running");
    let verify = json(&verify);
    assert_eq!(
        (verify["ok"].as_bool(), verify["app_open"].as_bool()),
        (Some(true), Some(true)),
        "{verify}"
    );
}

#[test]
fn a_catalog_with_bad_rows_is_refused_with_line_numbers() {
    let dir = montreal();
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, "sku,barcode,name,name_fr,price,tax_class,kind,unit\nX1,,Ok,,1.00,standard,item,each\nX2,,Bad,,abc,standard,item,each\n").unwrap();
    let output = run(comptoir(dir.path()).arg("import-catalog").arg(&file), "");
    let error = json(&output);
    assert_eq!(error["code"], "invalid_catalog");
    assert!(error["message"].as_str().unwrap().contains("line 3"), "{error}");
    let found = json(&run(comptoir(dir.path()).args(["find", "X1"]), ""));
    assert_eq!(found["items"].as_array().unwrap().len(), 0);
}

#[test]
fn a_basket_paid_before_its_last_tender_is_refused_whole() {
    let dir = montreal();
    let basket = r#"{"lines":[{"barcode":"99494858"}],"tenders":[{"kind":"cash","amount":"20"},{"kind":"cash","amount":"5"}]}"#;
    let output = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket);
    let error = json(&output);
    assert_eq!(error["code"], "invalid_input");
    assert!(error["message"].as_str().unwrap().contains("paid by tender 1"), "{error}");
    assert_eq!(
        json(&run(comptoir(dir.path()).arg("verify"), ""))["entries"],
        1,
        "nothing was sold"
    );
}

#[test]
fn a_refused_drawer_movement_is_an_error_not_a_recording() {
    let dir = montreal();
    let output = run(
        comptoir(dir.path())
            .args(["--pin", "2468", "drawer", "paid-out", "--amount", "5", "--reason", "x"]),
        "",
    );
    assert!(!output.status.success());
    assert_eq!(json(&output)["code"], "permission_denied");
    let output = run(
        comptoir(dir.path())
            .args(["--pin", "1234", "drawer", "paid-in", "--amount", "0", "--reason", "x"]),
        "",
    );
    assert_eq!(json(&output)["code"], "invalid_amount");
    let output = run(
        comptoir(dir.path()).args(["--pin", "1234", "drawer", "no-sale", "--reason", "change"]),
        "",
    );
    assert_eq!(json(&output)["recorded"], true);
}

#[test]
fn errors_on_standard_error_are_only_json_and_name_the_line() {
    let dir = montreal();
    for _ in 0..2 {
        let _ = run(
            comptoir(dir.path()).args(["--pin", "0000", "shift", "close", "--counted", "1"]),
            "",
        );
    }
    let output = run(
        comptoir(dir.path()).args(["--pin", "2468", "sale"]),
        r#"{"lines":[{"barcode":"0019061093791"},{"price":"1.00","name":"x"}],"tenders":[]}"#,
    );
    let error = json(&output);
    assert_eq!(error["code"], "permission_denied");
    assert!(error["message"].as_str().unwrap().starts_with("line 2: "), "{error}");
    let init = run(
        comptoir(tempfile::tempdir().unwrap().path()).args([
            "init",
            "--store",
            "montreal",
            "--register",
            "0",
        ]),
        "",
    );
    assert_eq!(json(&init)["code"], "invalid_argument");
}

#[test]
fn errors_name_the_tender_or_nothing_and_negative_amounts_are_amounts() {
    let dir = montreal();
    let message =
        |output: &std::process::Output| json(output)["message"].as_str().unwrap().to_owned();
    let negative = run(
        comptoir(dir.path()).args(["--pin", "2468", "sale"]),
        r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"cash","amount":"-5"}]}"#,
    );
    assert_eq!(json(&negative)["code"], "invalid_amount");
    assert!(message(&negative).starts_with("tender 1: "), "{}", message(&negative));
    let paid_out = run(
        comptoir(dir.path())
            .args(["--pin", "1234", "drawer", "paid-out", "--amount", "-5", "--reason", "x"]),
        "",
    );
    assert_eq!(json(&paid_out)["code"], "invalid_amount");
    // Without a shift, the register says so once, not about the basket's first line.
    let closed = run(
        comptoir(dir.path()).args(["--pin", "1234", "shift", "close", "--counted", "100.00"]),
        "",
    );
    assert!(closed.status.success());
    let no_shift = run(
        comptoir(dir.path()).args(["--pin", "2468", "sale"]),
        r#"{"lines":[{"barcode":"0019061093791"}],"tenders":[{"kind":"cash","amount":"5"}]}"#,
    );
    assert_eq!(json(&no_shift)["code"], "no_shift");
    assert!(!message(&no_shift).starts_with("line 1"), "{}", message(&no_shift));
    // A negative float is an amount the register refuses, not an unknown argument.
    let float =
        run(comptoir(dir.path()).args(["--pin", "1234", "shift", "open", "--float", "-5"]), "");
    assert_eq!(json(&float)["code"], "invalid_amount", "{}", message(&float));
}

#[test]
fn a_wrong_argument_is_a_json_error_too() {
    let dir = montreal();
    let output = run(
        comptoir(dir.path()).args(["--pin", "1234", "drawer", "paid-out", "--amount", "5"]),
        "",
    );
    assert_eq!(output.status.code(), Some(1));
    let error = json(&output);
    assert_eq!(error["code"], "invalid_argument");
    assert!(error["message"].as_str().unwrap().contains("--reason"), "{error}");
}

#[test]
fn returns_exchanges_and_discounts_from_standard_input() {
    let dir = montreal();
    let pay =
        |basket: &str| json(&run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket));
    // 16.08: 10.00 on card, 6.08 in cash as 6.10 (see the app's returns tests for the shares).
    let sale = pay(&format!(
        r#"{{"lines":[{{"barcode":"{PEANUTS}"}},{{"barcode":"{TRUFFLES}","qty":"2"}},{{"barcode":"{SRIRACHA_UPC_A}"}}],
            "tenders":[{{"kind":"card","amount":"10.00","reference":"A-1"}},{{"kind":"cash","amount":"10.00"}}]}}"#
    ));
    assert_eq!(sale["sale"]["total"], "16.08");
    let found =
        json(&run(comptoir(dir.path()).args(["--pin", "2468", "find-sale", "MTL01-000001"]), ""));
    assert_eq!(found["lines"][1]["returnable"], "2");
    assert_eq!(found["lines"][0]["paid"], "4.47");

    // The peanuts back, to the card they were paid with.
    let back = pay(r#"{"returns":[{"receipt":"MTL01-000001","line":1,"reason":"changed mind"}]}"#);
    assert_eq!(back["sale"]["refund"], "4.47");
    assert_eq!(back["entry"]["kind"], "return");
    assert_eq!(back["sale"]["tenders"][0]["kind"], "external_card");
    assert_eq!(back["sale"]["tenders"][0]["amount"], "-4.47");
    let found =
        json(&run(comptoir(dir.path()).args(["--pin", "2468", "find-sale", "MTL01-000001"]), ""));
    assert_eq!(found["lines"][0]["returnable"], "0");
    // Nothing is left of the peanuts: said as such, with or without a quantity.
    let again = run(
        comptoir(dir.path()).args(["--pin", "2468", "sale"]),
        r#"{"returns":[{"receipt":"mtl01-000001","line":1,"reason":"again"}]}"#,
    );
    assert_eq!(json(&again)["code"], "nothing_left_to_return", "{}", json(&again));
    // With no quantity, the whole of what is left of the line comes back: both truffles.
    let both = pay(r#"{"returns":[{"receipt":"MTL01-000001","line":2,"reason":"stale"}]}"#);
    assert_eq!(
        (both["sale"]["returns"][0]["qty"].as_str(), both["sale"]["refund"].as_str()),
        (Some("2"), Some("8.02"))
    );

    // The sriracha (3.59) for peanuts at 10 % off: 3.89 - 0.39 = 3.50, GST 0.175 -> 0.18,
    // QST 0.349 -> 0.35, 4.03; 0.44 to pay, 0.45 in cash, 0.55 back from 1.00.
    let exchange = pay(&format!(
        r#"{{"returns":[{{"receipt":"MTL01-000001","line":3,"reason":"wrong one","disposition":"write_off"}}],
            "lines":[{{"barcode":"{PEANUTS}","discount":{{"percent":"10","reason":"dented"}}}}],
            "tenders":[{{"kind":"cash","amount":"1.00"}}]}}"#
    ));
    assert_eq!(exchange["sale"]["total"], "0.44");
    assert_eq!(exchange["entry"]["kind"], "exchange");
    assert_eq!(exchange["sale"]["lines"][0]["net"], "3.50");
    assert_eq!(exchange["sale"]["change"], "0.55");
    let receipt: Vec<String> = serde_json::from_value(exchange["receipt"].clone()).unwrap();
    assert!(receipt.iter().any(|l| l.starts_with("Vous économisez")), "{receipt:?}");
    assert!(receipt.iter().any(|l| l.contains("ÉCHANGE")), "{receipt:?}");

    // 20 % off the order is over a cashier's 10 %: refused, then approved by the manager.
    let basket = format!(
        r#"{{"lines":[{{"barcode":"{TRUFFLES}"}}],"order_discount":{{"percent":"20","reason":"staff"}},
            "tenders":[{{"kind":"cash","amount":"5.00"}}]APPROVAL}}"#
    );
    let refused =
        run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), &basket.replace("APPROVAL", ""));
    assert!(!refused.status.success());
    assert_eq!(json(&refused)["code"], "discount_over_limit");
    // 3.49 - 0.70 = 2.79: GST 0.1395 -> 0.14, QST 0.2783 -> 0.28; 3.21, 3.20 in cash.
    let approved = pay(&basket.replace("APPROVAL", r#","approval_pin":"1234""#));
    assert_eq!(approved["sale"]["total"], "3.21");
    assert_eq!(approved["sale"]["order_discount"]["by"], "c1");
    let verify = json(&run(comptoir(dir.path()).arg("verify"), ""));
    assert_eq!(verify["first_bad"], serde_json::Value::Null);
}

/// The demo store's promotions apply to a CLI sale: popcorn at "2 for 5.00" and, with the
/// coupon entered, 5.00 off a spend of 30.00; the receipt, decoded from the printed bytes,
/// shows each promotion under its line and what the customer saved.
#[test]
fn a_demo_promotion_and_a_coupon_show_on_the_receipt() {
    let dir = montreal();
    // Popcorn 2.89 (standard), two bottles of Côtes du Rhône at 16.59 (standard).
    let basket = r#"{"lines":[{"barcode":"0852284005161","qty":"2"},{"barcode":"3142920008586","qty":"2"}],
        "coupons":["bienvenue5"],
        "tenders":[{"kind":"card","amount":"38.15","reference":"R1"}]}"#;
    let output = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let sale = json(&output);
    // 5.78 - 0.78 = 5.00 for the popcorn; 5.00 + 33.18 = 38.18 reaches 30.00: 5.00 off,
    // shared by net amounts (0.65 and 4.35); subtotal 33.18; GST 1.66, QST 3.31.
    let popcorn = &sale["sale"]["lines"][0]["discounts"];
    assert_eq!(popcorn[0]["id"], "MTL-DEMO-001", "{popcorn}");
    assert_eq!(popcorn[0]["amount"], "0.78");
    assert_eq!(popcorn[1]["id"], "MTL-DEMO-004");
    assert_eq!(sale["sale"]["subtotal"], "33.18");
    assert_eq!(sale["sale"]["coupons"][0], "BIENVENUE5");
    assert_eq!(sale["sale"]["total"], "38.15");
    let receipt: Vec<String> = serde_json::from_value(sale["receipt"].clone()).unwrap();
    let has = |start: &str| receipt.iter().any(|l| l.starts_with(start));
    assert!(has("  Maïs soufflé : 2 pour 5,00 $"), "{receipt:#?}");
    assert!(has("  Bienvenue : 5,00 $ de rabais"), "{receipt:#?}");
    let saved = receipt.iter().find(|l| l.starts_with("Vous économisez")).expect("You saved");
    assert!(saved.ends_with("5.78"), "{saved}");

    // A coupon no promotion has is refused, and nothing is recorded.
    let unknown = r#"{"lines":[{"barcode":"0852284005161"}],"coupons":["NOPE"],
        "tenders":[{"kind":"cash","amount":"20.00"}]}"#;
    let output = run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), unknown);
    let error = json(&output);
    assert_eq!(error["code"], "unknown_coupon");
    assert!(error["message"].as_str().unwrap().contains("NOPE"), "{error}");
    let entries = json(&run(comptoir(dir.path()).arg("verify"), ""))["entries"].clone();
    assert_eq!(entries, 2, "the shift's opening and the one sale");
}

#[test]
fn cash_back_for_a_card_sale_takes_the_managers_approval_pin() {
    let dir = montreal();
    let run_basket =
        |basket: &str| json(&run(comptoir(dir.path()).args(["--pin", "2468", "sale"]), basket));
    let sale = run_basket(&format!(
        r#"{{"lines":[{{"barcode":"{PEANUTS}"}}],"tenders":[{{"kind":"card","amount":"4.47","reference":"A-9"}}]}}"#
    ));
    let receipt = sale["sale"]["receipt_no"].as_str().unwrap().to_owned();
    let back = |approval: &str| {
        run_basket(&format!(
            r#"{{"returns":[{{"receipt":"{receipt}","line":1,"reason":"x"}}],"refund_to":"cash"{approval}}}"#
        ))
    };
    assert_eq!(back("")["code"], "manager_required");
    let approved = back(r#","approval_pin":"1234""#);
    assert_eq!(approved["sale"]["approved_by"], "c1", "{approved}");
    assert_eq!(approved["sale"]["tenders"][0]["tendered"], "-4.45");
}
