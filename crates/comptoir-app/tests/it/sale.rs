//! Ringing up and paying: totals, taxes, cash rounding, change, and the decoded receipt.

use comptoir_app::Pin;

use crate::common::*;

#[test]
fn a_montreal_basket_paid_cash_is_committed_and_printed_with_gst_qst_and_rounding() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    r.set_multiplier("2").unwrap();
    r.scan(TRUFFLES).unwrap();
    r.scan(SRIRACHA_UPC_A).unwrap();
    let view = r.view().unwrap();
    // Taxable 3.89 + 6.98 = 10.87: GST 0.5435 → 0.54, QST 1.0843 → 1.08; zero-rated 3.59.
    assert_eq!(view.cart.subtotal, "14.46");
    assert_eq!(view.cart.total, "16.08");
    assert_eq!(view.cart.cash_total, "16.10");
    let taxes: Vec<(&str, &str)> =
        view.cart.taxes.iter().map(|t| (t.label.as_str(), t.amount.as_str())).collect();
    assert_eq!(taxes, [("TPS", "0.54"), ("TVQ", "1.08")]);

    let committed = r.tender_cash("20.00").unwrap().expect("paid");
    assert_eq!(committed.sale.cash_rounding, "0.02");
    assert_eq!(committed.sale.change, "3.90");
    assert!(committed.printed.is_ok());
    assert_eq!(committed.sale.lines[2].barcode.as_deref(), Some("0024463061163"));

    let text = till.printed_text(&committed.print_job);
    for expected in [
        "Reçu MTL01-000001",
        "TPS 5% / 10.87                        0.54",
        "TVQ 9.975% / 10.87                    1.08",
        "Détaxé TPS+TVQ 0% / 3.59              0.00",
        "TOTAL                                16.08",
        "Arrondi comptant                      0.02",
        "Monnaie rendue                        3.90",
        "[barcode CODE128: MTL01-000001]",
        "Comptoir Montréal — boutique éphémère",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let kicks = till.drawer_pulses();
    assert_eq!(kicks.len(), 1, "the cash sale opens the drawer once");
    assert_eq!(
        (kicks[0].pin, kicks[0].on_ms, kicks[0].off_ms, kicks[0].real_time),
        (2, 50, 500, false)
    );
    let bytes =
        till.register.printer_port().printed_bytes(&receipt_job(&till, "MTL01-000001")).unwrap();
    let preview = comptoir_escpos_decoder::render(&bytes).unwrap();
    assert!(preview.kicks.is_empty(), "the receipt itself never opens the drawer");
    assert!(preview.cuts.iter().any(|c| c.partial));
    let audit = till.register.drawer_openings("2026-01-01T00:00:00Z").unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        (audit[0].reason.as_str(), audit[0].receipt_no.as_deref(), audit[0].real_time),
        ("sale", Some("MTL01-000001"), false)
    );
    assert_eq!(till.register.verify().unwrap().first_bad, None);
}

#[test]
fn a_card_on_the_external_terminal_needs_its_reference_and_is_never_rounded() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    // 3.89 + 0.19 + 0.39 = 4.47
    assert_eq!(r.tender_card("4.47", " ").unwrap_err().code, "card_reference_required");
    let committed = r.tender_card("4.47", "AUTH 123456").unwrap().expect("paid");
    assert_eq!(committed.sale.total, "4.47");
    assert_eq!(committed.sale.cash_rounding, "0.00");
    let text = till.printed_text(&committed.print_job);
    assert!(text.contains("Carte                                 4.47"), "{text}");
    assert!(text.contains("Réf AUTH 123456"), "{text}");
    let bytes = till.register.receipt_preview(Some(&committed.print_job)).unwrap();
    assert!(bytes.lines.iter().all(|l| !l.text.contains("Monnaie")));
}

#[test]
fn split_tender_card_then_cash_rounds_only_the_cash_part() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    r.scan(TRUFFLES).unwrap();
    // 7.38 + 0.37 + 0.74 = 8.49; card 5.00 leaves 3.49 cash, rounded to 3.50.
    assert!(r.tender_card("5.00", "A1").unwrap().is_none());
    let view = r.view().unwrap();
    assert_eq!((view.cart.remaining.as_str(), view.cart.cash_remaining.as_str()), ("3.49", "3.50"));
    assert_eq!(r.tender_card("3.50", "A2").unwrap_err().code, "tender_exceeds_due");
    let committed = r.tender_cash("5.00").unwrap().expect("paid");
    assert_eq!(
        (committed.sale.cash_rounding.as_str(), committed.sale.change.as_str()),
        ("0.01", "1.50")
    );
}

#[test]
fn an_unknown_barcode_adds_nothing_and_offers_an_open_price_item() {
    let mut till = open_till();
    let r = &mut till.register;
    let error = r.scan("4006381333931").unwrap_err();
    assert_eq!(error.code, "unknown_barcode");
    let view = r.view().unwrap();
    assert!(view.cart.lines.is_empty());
    let notice = view.notice.unwrap();
    assert_eq!(notice.offer, Some("open_price"));
    assert!(notice.message.contains("4006381333931"), "{}", notice.message);
    r.add_open_price("Bouquet de fleurs", "12.00", "standard", None).unwrap();
    assert_eq!(r.view().unwrap().cart.lines[0].amount, "12.00");
}

#[test]
fn an_open_price_needs_the_permission() {
    let mut till = open_till();
    till.register.lock();
    till.register.sign_in(&Pin::new("2468")).unwrap();
    let error = till.register.add_open_price("Fleurs", "5.00", "standard", None).unwrap_err();
    assert_eq!(error.code, "permission_denied");
}

#[test]
fn quantities_lines_and_search_work_like_a_cashier_expects() {
    let mut till = open_till();
    let r = &mut till.register;
    let line = r.scan(PEANUTS).unwrap();
    r.scan(PEANUTS).unwrap();
    assert_eq!(r.view().unwrap().cart.lines[0].qty, "2");
    r.set_quantity(line.0, "5").unwrap();
    assert_eq!(r.set_quantity(line.0, "0").unwrap_err().code, "invalid_quantity");
    assert_eq!(r.set_quantity(line.0, "abc").unwrap_err().code, "invalid_quantity");
    // Items are sold by the unit: 2.5 is refused, and the message says so, and a whole number.
    let half = r.set_quantity(line.0, "2.5").unwrap_err();
    assert_eq!(half.code, "whole_quantity");
    assert!(half.message("fr").contains("se vend à l'unité"), "{}", half.message("fr"));
    assert!(half.message("fr").contains("nombre entier"), "{}", half.message("fr"));
    assert_eq!(r.view().unwrap().cart.lines[0].amount, "19.45");
    r.remove_line(line.0).unwrap();
    assert!(r.view().unwrap().cart.lines.is_empty());
    let found = r.search("creme");
    assert!(!found.is_empty(), "creme finds nothing");
    assert!(found.iter().all(|i| {
        comptoir_core::text::fold(&format!("{} {}", i.name, i.name_fr.clone().unwrap_or_default()))
            .contains("creme")
    }));
    assert!(
        found.iter().any(|i| i.name.contains("Crème")
            || i.name_fr.as_deref().is_some_and(|n| n.contains("Crème")))
    );
    let checked = r.price_check(SRIRACHA_UPC_A).unwrap();
    assert_eq!(checked.price.map(|p| p.minor()), Some(359));
    assert!(r.view().unwrap().cart.lines.is_empty(), "a price check adds nothing");
}

#[test]
fn park_resume_and_void_keep_an_audit_trail() {
    let mut till = open_till();
    let r = &mut till.register;
    r.scan(PEANUTS).unwrap();
    let parked = r.park().unwrap();
    assert!(r.view().unwrap().cart.lines.is_empty());
    r.scan(TRUFFLES).unwrap();
    assert_eq!(r.resume(parked).unwrap_err().code, "cart_not_empty");
    assert_eq!(r.void_cart("  ").unwrap_err().code, "reason_required");
    r.void_cart("customer left").unwrap();
    r.resume(parked).unwrap();
    assert_eq!(r.view().unwrap().cart.lines[0].sku, "M0019061093791");
    let voids = r.database().entries_of_kinds(&["cart_voided"], (0, 0)).unwrap();
    assert_eq!(voids.len(), 1);
    assert!(voids[0].payload.contains("customer left"));
}

#[test]
fn a_restart_mid_sale_keeps_the_scanned_lines_and_the_card_leg() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    till.register.scan(TRUFFLES).unwrap();
    till.register.tender_card("5.00", "A1").unwrap();
    let mut till = till.restart();
    till.register.sign_in(&Pin::new("1234")).unwrap();
    let view = till.register.view().unwrap();
    assert_eq!(view.cart.lines.len(), 2);
    assert_eq!(view.cart.tenders.len(), 1);
    assert_eq!(view.cart.remaining, "3.49");
    assert_eq!(view.shift.unwrap().number, 1);
}

#[test]
fn a_second_register_on_the_same_folder_is_refused() {
    let till = open_till();
    let error = comptoir_app::Register::open(till.dir.path(), comptoir_app::OpenOptions::default())
        .unwrap_err();
    assert_eq!(error.code, "already_running");
    assert!(error.detail.contains("already running"));
}

#[test]
fn a_full_disk_refuses_the_sale_with_a_clear_message_and_loses_nothing() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    till.register.tender_cash("5.00").unwrap().expect("first sale");
    till.register.scan(TRUFFLES).unwrap();
    let db = till.dir.path().join("register.db");
    let pages: u64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    till.register.database().limit_pages(pages).unwrap();
    let mut error = None;
    for _ in 0..200 {
        // Fill the remaining free pages with scans until the next write fails.
        match till.register.tender_cash("50.00") {
            Err(e) => {
                error = Some(e);
                break;
            }
            Ok(_) => till.register.scan(TRUFFLES).map(|_| ()).unwrap_or(()),
        }
    }
    let error = error.expect("the disk never filled");
    assert!(matches!(error.code, "storage_full"), "{error}");
    assert!(error.message("en").contains("NOT saved"));
    assert!(!till.register.view().unwrap().cart.lines.is_empty(), "the cart is still there");
    assert!(till.register.tenders().is_empty(), "the failed tender came off");
    assert_eq!(till.register.verify().unwrap().first_bad, None);
}

#[test]
fn an_unwritable_database_refuses_the_sale_and_keeps_the_cart() {
    let mut till = open_till();
    till.register.scan(PEANUTS).unwrap();
    till.register.database().refuse_writes(true).unwrap();
    let error = till.register.tender_cash("5.00").unwrap_err();
    assert_eq!(error.code, "storage_failed");
    assert!(error.message("fr").contains("PAS été enregistrée"), "{}", error.message("fr"));
    assert!(till.printed_jobs().is_empty(), "nothing printed for an unsaved sale");
    till.register.database().refuse_writes(false).unwrap();
    let committed = till
        .register
        .tender_cash("5.00")
        .unwrap()
        .expect("the same cart sells once the disk is back");
    assert_eq!(committed.sale.lines.len(), 1);
    assert_eq!(till.printed_jobs(), ["MTL01-000001"]);
}

#[test]
fn a_london_sale_shows_the_vat_included_at_todays_rate() {
    let mut till = till("london");
    till.register.sign_in(&Pin::new("1234")).unwrap();
    till.register.open_shift("50.00").unwrap();
    // The cashier types the stock code, in any case.
    till.register.set_multiplier("6").unwrap();
    till.register.scan("85123a").unwrap();
    let view = till.register.view().unwrap();
    // 6 × 2.95 = 17.70 including VAT at 20% on 2026-12-03: 17.70 / 6 = 2.95 VAT on 14.75.
    assert_eq!(view.cart.total, "17.70");
    assert_eq!((view.cart.taxes[0].amount.as_str(), view.cart.taxes[0].included), ("2.95", true));
    let committed = till.register.tender_cash("20").unwrap().expect("paid");
    assert_eq!(
        (committed.sale.cash_rounding.as_str(), committed.sale.change.as_str()),
        ("0.00", "2.30")
    );
    let text = till.printed_text(&committed.print_job);
    assert!(text.contains("VAT 20% incl. 14.75                   2.95"), "{text}");
    assert!(text.contains("Receipt LDN01-000001"), "{text}");
    assert!(!text.contains("Cash rounding"), "{text}");
}

#[test]
fn quantities_are_whole_numbers_and_amounts_plain_and_bounded() {
    let mut till = open_till();
    let r = &mut till.register;
    for odd in ["1e3", "+2", "-1", "10000", "0"] {
        assert_eq!(r.set_multiplier(odd).unwrap_err().code, "invalid_quantity", "{odd}");
    }
    // A fraction is refused as what it is: the items a multiplier counts are sold by the unit.
    for fraction in ["0.001", "0.5"] {
        let code = r.set_multiplier(fraction).unwrap_err().code;
        assert_eq!(code, "whole_quantity_before_scan", "{fraction}");
    }
    r.scan(PEANUTS).unwrap();
    for odd in ["1e2", "92233720368547758.07", "10000000.01", "-5"] {
        assert_eq!(r.tender_cash(odd).unwrap_err().code, "invalid_amount", "{odd}");
    }
    let error = r.add_open_price("Gold bar", "92233720368547758.07", "standard", None).unwrap_err();
    assert_eq!(error.code, "invalid_amount");
    assert!(error.message("en").contains("largest amount"), "{}", error.message("en"));
}

#[test]
fn a_priced_catalog_item_cannot_be_sold_at_a_keyed_price() {
    let mut till = open_till();
    let priced = till.register.catalog().lookup(PEANUTS).unwrap().sku.0.clone();
    let error =
        till.register.add_open_price("cheap", "0.01", "zero_rated", Some(&priced)).unwrap_err();
    assert_eq!(error.code, "has_shelf_price");
    // An item without a shelf price takes a keyed price, with its own tax class.
    till.register.add_open_price("Produit du jour", "4.00", "standard", Some("MOPEN1")).unwrap();
    let line = &till.register.view().unwrap().cart.lines[0];
    assert_eq!((line.amount.as_str(), line.tax_class.as_str()), ("4.00", "zero_rated"));
}

#[test]
fn a_bad_setting_is_refused_and_a_stored_one_never_keeps_the_register_closed() {
    let mut till = open_till();
    assert_eq!(
        till.register.set_setting("printer.profile", "NOPE").unwrap_err().code,
        "invalid_setting"
    );
    for (key, value) in [
        ("printer", "ftp://x"),
        ("printer", "tcp://host:99999"),
        ("printer", "/etc/passwd"),
        ("drawer.pin", "3"),
        ("drawer.on_ms", "100000"),
        ("scanner.burst_min_len", "0"),
    ] {
        assert!(till.register.set_setting(key, value).is_err(), "{key}={value} was accepted");
    }
    till.register.set_setting("printer", "tcp://10.0.0.5").unwrap();
    assert_eq!(
        till.register.database().setting("printer").unwrap().as_deref(),
        Some("tcp://10.0.0.5")
    );
    till.register.set_setting("printer", "virtual").unwrap();
    // A profile saved by an older version that no longer exists: the register still opens.
    till.register.database().set_setting("printer.profile", "GONE").unwrap();
    let till = till.restart();
    assert_eq!(till.register.printer_port().profile().name(), "TM-T88V");
}
