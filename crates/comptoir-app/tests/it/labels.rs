//! In-store labels: a deli's price label rings one line at its own price and comes back from
//! the receipt; a weight label (on the serial scanner, a separate simulator process) rings a
//! weighed line at the item's price per kilogram; wrong check digits, unknown items and labels
//! of another currency ring nothing. Label vectors: the Montréal demo's deli labels (its README)
//! and the Swedish ones of `fixtures/barcodes/rcn_weighted_price_vectors.csv`.

use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use comptoir_app::Pin;
use comptoir_app::returns::{Disposition, RefundTo};

use crate::common::{Simulator, open_till};

/// Montréal demo deli labels (`2 IIIII V PPPP C`): sliced ham (item 01234, 21.99/kg) at 3.49,
/// old cheddar (item 01235, 32.99/kg) at 5.75.
const HAM_3_49: &str = "201234703495";
const CHEDDAR_5_75: &str = "201235905751";
/// The ham's label with its price check digit changed (7 to 8) and the GTIN check digit redone.
const HAM_BAD_PRICE_CHECK: &str = "201234803492";
/// The ham's label with a wrong GTIN check digit.
const HAM_BAD_CHECK: &str = "201234703496";
/// A label of item 09999, which the catalog does not have.
const UNKNOWN_ITEM: &str = "209999703491";
/// The ham's lookup barcode: the label with a price of zero, the catalog's barcode of the item.
const HAM_LOOKUP: &str = "201234000006";

#[test]
fn a_deli_label_rings_one_line_at_its_price_and_comes_back_from_the_receipt() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(HAM_3_49).unwrap();
    r.scan(CHEDDAR_5_75).unwrap();
    r.scan(HAM_3_49).unwrap();
    let view = r.view().unwrap();
    let lines: Vec<(&str, &str, &str, &str)> = view
        .cart
        .lines
        .iter()
        .map(|l| (l.name.as_str(), l.qty.as_str(), l.unit_price.as_str(), l.amount.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            ("Jambon tranché", "1", "3.49", "3.49"),
            ("Cheddar fort", "1", "5.75", "5.75"),
            ("Jambon tranché", "1", "3.49", "3.49"),
        ],
        "each label is its own line at the label's price, never the price per kilogram"
    );
    assert_eq!(view.cart.lines[0].barcode.as_deref(), Some("0201234703495"));
    assert_eq!(view.cart.total, "12.73", "zero-rated");

    // The label says how much: neither a keyed quantity nor a multiplier changes it.
    let first = view.cart.lines[0].line;
    let error = r.set_quantity(first, "2").unwrap_err();
    assert_eq!(error.code, "label_quantity");
    assert!(error.message("en").contains("scan each package's label"), "{}", error.message("en"));
    r.set_multiplier("3").unwrap();
    assert_eq!(r.scan(HAM_3_49).unwrap_err().code, "label_quantity");
    assert_eq!(r.view().unwrap().cart.multiplier, None, "the multiplier is dropped");
    r.remove_line(view.cart.lines[2].line).unwrap();

    // A restart keeps the lines at the labels' prices.
    let mut till = till.restart();
    till.register.sign_in(&Pin::new("2468")).unwrap();
    assert_eq!(till.register.view().unwrap().cart.total, "9.24");
    let sold = till.register.tender_cash("10.00").unwrap().expect("paid");
    assert_eq!(sold.sale.lines[0].barcode.as_deref(), Some("0201234703495"));
    assert_eq!((sold.sale.lines[0].qty.as_str(), sold.sale.lines[0].kind.as_str()), ("1", "item"));
    let text = till.printed_text(&sold.print_job);
    assert!(text.contains("Sliced ham"), "{text}");
    assert!(text.contains("3.49 Z") && text.contains("5.75 Z"), "{text}");

    // The line comes back from the receipt for what it cost.
    let receipt = sold.sale.receipt_no.clone();
    let sale = till.register.find_sale(&receipt).unwrap();
    assert_eq!(sale.lines[1].returnable, "1");
    till.register.return_line(&receipt, 2, "1", Disposition::Restock, "mould").unwrap();
    let refund = till.register.refund(RefundTo::Cash).unwrap();
    assert_eq!(refund.sale.returns[0].sku, "MDELI01235");
    assert_eq!(refund.sale.returns[0].refund, "5.75");
}

#[test]
fn a_misread_or_unknown_label_rings_nothing_and_says_why() {
    let mut till = open_till();
    let r = &mut till.register;
    let error = r.scan(HAM_BAD_PRICE_CHECK).unwrap_err();
    assert_eq!(error.code, "scan_label_check_digit");
    assert!(error.message("en").contains("wrong price check digit"), "{}", error.message("en"));
    assert!(error.message("fr").contains("chiffre de contrôle du prix"), "{}", error.message("fr"));
    let error = r.scan(HAM_BAD_CHECK).unwrap_err();
    assert_eq!(error.code, "scan_check_digit");
    assert!(error.message("en").starts_with("Barcode 201234703496 did not read right"));
    let error = r.scan(UNKNOWN_ITEM).unwrap_err();
    assert_eq!(error.code, "unknown_barcode");
    assert!(error.message("en").starts_with("Unknown barcode 0209999703491"));
    let notice = r.view().unwrap().notice.expect("the screen says so");
    assert_eq!((notice.code, notice.offer), ("unknown_barcode", Some("open_price")));
    // The lookup barcode is the item's own: a deli item priced per kilogram is weighed.
    assert_eq!(r.scan(HAM_LOOKUP).unwrap_err().code, "weigh_item");
    assert!(r.view().unwrap().cart.lines.is_empty());
}

/// Gives Fuji apples the lookup barcode of Swedish weight labels of item 23880601 (prefix 23,
/// `PPPPPPPPVVVV`, grams), and a unit item one for prefix 23 too.
const CATALOG: &str = "sku,barcode,name,name_fr,price,tax_class,kind,unit\n\
    MPLU4131,2388060100006,Fuji apples,Pommes Fuji,4.39,zero_rated,item,kg\n\
    MNUTS,2311111100007,Mixed nuts,Noix mélangées,9.99,zero_rated,item,each\n";
/// 0.456 kg of item 23880601, made for this test with the Swedish layout.
const APPLES_0_456: &str = "2388060104561";
/// From the shared vectors: 1.234 kg of item 23880601 (sweden), 12.34 SEK (sweden), 1.234 kg
/// of item 23111111 (estonia, the same prefix-23 layout).
const APPLES_1_234: &str = "2388060112344";
const PRICE_12_34_SEK: &str = "2088060112343";
const NUTS_1_234: &str = "2311111112345";

#[test]
fn a_weight_label_on_the_serial_scanner_rings_a_weighed_line() {
    let mut till = open_till();
    till.register.import_catalog(CATALOG, false).unwrap();
    let codes = ["--aim", APPLES_0_456, APPLES_1_234, PRICE_12_34_SEK, NUTS_1_234];
    let mut args = vec!["--delay-ms", "1500", "--gap-ms", "300", "--no-stdin"];
    args.extend_from_slice(&codes);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    let (_sim, path) = Simulator::start("comptoir-scanner-sim", &args);
    let setting = format!("serial:{path},suffix=cr,country=SE");
    till.register.set_setting("scanner", &setting).unwrap();
    assert_eq!(till.register.label_country().as_deref(), Some("SE"));

    let crate::common::Till { dir, register, .. } = till;
    let register = Arc::new(Mutex::new(register));
    let (tx, views) = mpsc::channel();
    assert!(comptoir_app::scanner::watch_scanner(Arc::clone(&register), move |view| {
        let _ = tx.send(view);
    }));
    let next = || views.recv_timeout(Duration::from_secs(10)).expect("a scan's screen");

    let view = next();
    let line = &view.cart.lines[0];
    assert_eq!((line.name.as_str(), line.qty.as_str()), ("Pommes Fuji", "0.456"), "{view:?}");
    assert_eq!((line.unit_price.as_str(), line.amount.as_str()), ("4.39", "2.00"));
    let view = next();
    assert_eq!(view.cart.lines[1].qty, "1.234");
    assert_eq!(view.cart.lines[1].amount, "5.42", "1.234 kg at 4.39 is 5.41726");
    let view = next();
    let notice = view.notice.expect("a notice");
    assert_eq!(notice.code, "label_currency");
    assert!(
        notice.message.contains("autre devise"),
        "in the register's French: {}",
        notice.message
    );
    let view = next();
    assert_eq!(view.notice.expect("a notice").code, "label_not_weighed");
    assert_eq!(view.cart.lines.len(), 2, "neither the SEK label nor the nuts' ring");

    let mut guard = register.lock().unwrap();
    let first = view.cart.lines[0].line;
    assert_eq!(guard.set_quantity(first, "1").unwrap_err().code, "weigh_item");
    let sold = guard.tender_cash("7.50").unwrap().expect("paid");
    assert_eq!(
        (sold.sale.lines[0].qty.as_str(), sold.sale.lines[0].kind.as_str()),
        ("0.456", "weighed")
    );
    let preview = guard.receipt_preview(Some(&sold.print_job)).unwrap();
    let text: Vec<&str> = preview.lines.iter().map(|l| l.text.as_str()).collect();
    let text = text.join("\n");
    assert!(text.contains("Fuji apples\n  0.456 kg x 4.39/kg"), "{text}");
    assert!(text.contains("  1.234 kg x 4.39/kg"), "{text}");
    drop(guard);
    drop(dir);
}
