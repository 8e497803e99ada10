//! Ledger upload: every entry once, retries change nothing, and what fails a check is set
//! aside with a reason, never dropped.

use comptoir_protocol::payload::Sale;
use comptoir_protocol::wire::LedgerBatch;
use comptoir_protocol::{GENESIS, LedgerEntry};
use comptoir_sync::Transport;
use rust_decimal::Decimal;

use crate::support::*;

fn sum_of_totals(payloads: impl IntoIterator<Item = String>) -> Decimal {
    payloads
        .into_iter()
        .map(|p| serde_json::from_str::<Sale>(&p).unwrap().total.parse::<Decimal>().unwrap())
        .sum()
}

fn montreal(backend: Backend) -> TestServer {
    let server = TestServer::start(backend);
    server.add_store("montreal", "CAD", "America/Toronto");
    server
}

fn batch(entries: &[LedgerEntry]) -> LedgerBatch {
    LedgerBatch { epoch: entries[0].epoch, entries: entries.to_vec(), sent_at: None }
}

/// The entry with `payload` changed and its hash made right again (a valid entry with other
/// content).
fn rewritten(entry: &LedgerEntry, payload: String) -> LedgerEntry {
    let mut e = entry.clone();
    e.payload = payload;
    e.hash = e.compute_hash();
    e
}

#[test]
fn every_entry_reaches_the_server_exactly_once() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut till = Till::enrolled(&server);
        for _ in 0..5 {
            till.sell();
        }
        let first = till.register.sync_now().unwrap();
        assert_eq!((first.accepted, first.duplicates, first.pending), (6, 0, 0), "{backend:?}");
        let again = till.register.sync_now().unwrap();
        assert_eq!((again.batches, again.accepted), (0, 0));

        // A retry of the whole ledger (an acknowledgement lost on the way) changes nothing.
        let entries = till.entries();
        let ack = till.transport().post_batch(&batch(&entries)).unwrap();
        assert_eq!((ack.accepted, ack.duplicates, ack.high_water), (0, 6, 6));
        assert!(ack.quarantined.is_empty());

        let counts = server.rt.block_on(server.db.ledger_counts(Some("montreal"))).unwrap();
        assert_eq!((counts[0].entries, counts[0].sales, counts[0].quarantined), (6, 5, 0));
        let on_server = server.rt.block_on(server.db.sale_payloads("montreal")).unwrap();
        let on_register = entries.iter().filter(|e| e.kind == "sale").map(|e| e.payload.clone());
        assert_eq!(sum_of_totals(on_server), sum_of_totals(on_register));
        assert_eq!(
            sum_of_totals(server.rt.block_on(server.db.sale_payloads("montreal")).unwrap())
                .to_string(),
            "42.45",
            "5 x (3.89 + 3.49 + GST 0.37 + QST 0.74)"
        );

        // Later sales go up from where the mark is.
        till.sell();
        let third = till.register.sync_now().unwrap();
        assert_eq!((third.accepted, third.acked), (1, (1, 7)));
    }
}

#[test]
fn a_changed_entry_is_set_aside_and_the_rest_still_arrives() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut till = Till::enrolled(&server);
        for _ in 0..4 {
            till.sell();
        }
        let mut entries = till.entries();
        assert_eq!(entries.len(), 5);
        // Entry 3's payload changed after the fact, its hash left as it was.
        entries[2].payload = entries[2].payload.replace("\"total\":\"8.49\"", "\"total\":\"0.49\"");
        assert_ne!(entries[2].compute_hash(), entries[2].hash, "the payload did change");
        let transport = till.transport();
        let ack = transport.post_batch(&batch(&entries)).unwrap();
        assert_eq!((ack.accepted, ack.high_water), (4, 5), "{backend:?}");
        assert_eq!(ack.quarantined.len(), 1);
        assert_eq!(
            (ack.quarantined[0].seq, ack.quarantined[0].code.as_str()),
            (3, "hash_mismatch")
        );

        // Seq 2 again with other content, its hash recomputed: a reused sequence.
        let reused = rewritten(&entries[1], entries[1].payload.replace("20.00", "50.00"));
        let ack = transport.post_batch(&batch(std::slice::from_ref(&reused))).unwrap();
        assert_eq!((ack.accepted, ack.duplicates, ack.high_water), (0, 0, 5));
        assert_eq!(ack.quarantined[0].code, "reused_sequence");
        // Sent again: nothing more is recorded.
        transport.post_batch(&batch(&[reused])).unwrap();

        let listed = server.rt.block_on(server.db.quarantine(Some("montreal"))).unwrap();
        assert_eq!(listed.len(), 2, "{listed:#?}");
        assert_eq!(
            (listed[0].seq, listed[0].in_chain, listed[0].code.as_str()),
            (3, true, "hash_mismatch")
        );
        assert!(listed[0].reason.contains("does not match its hash"));
        assert_eq!(
            (listed[1].seq, listed[1].in_chain, listed[1].code.as_str()),
            (2, false, "reused_sequence")
        );

        // The register's own upload finds everything acknowledged.
        let report = till.register.sync_now().unwrap();
        assert_eq!((report.accepted, report.pending), (0, 0));
    }
}

#[test]
fn sums_that_do_not_add_up_are_set_aside() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut till = Till::enrolled(&server);
        till.sell();
        till.sell();
        let mut entries = till.entries();
        let last = entries.len() - 1;
        let sale: Sale = serde_json::from_str(&entries[last].payload).unwrap();
        let payload = entries[last]
            .payload
            .replace(&format!("\"subtotal\":\"{}\"", sale.subtotal), "\"subtotal\":\"1.00\"");
        entries[last] = rewritten(&entries[last], payload);
        let ack = till.transport().post_batch(&batch(&entries)).unwrap();
        assert_eq!((ack.accepted, ack.high_water), (2, 3), "{backend:?}");
        assert_eq!(ack.quarantined[0].code, "sums_mismatch");
        assert!(ack.quarantined[0].reason.contains("subtotal"), "{}", ack.quarantined[0].reason);
    }
}

#[test]
fn entries_after_a_gap_wait_for_the_ones_before() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut till = Till::enrolled(&server);
        for _ in 0..4 {
            till.sell();
        }
        let entries = till.entries();
        // The first batch lost or overtaken: the later one arrives first.
        let ack = till.transport().post_batch(&batch(&entries[2..])).unwrap();
        assert_eq!((ack.accepted, ack.high_water), (0, 0), "{backend:?}");
        let report = till.register.sync_now().unwrap();
        assert_eq!((report.accepted, report.pending), (5, 0));
    }
}

#[test]
fn a_new_epoch_links_back_to_what_the_register_had() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut till = Till::enrolled(&server);
        for _ in 0..3 {
            till.sell();
        }
        till.register.sync_now().unwrap();
        let entries = till.entries();
        // A register restored from a backup taken after its third entry starts epoch 2.
        let mut restored = entries[3].clone();
        restored.epoch = 2;
        restored.seq = 1;
        restored.prev_hash = entries[2].hash.clone();
        restored.hash = restored.compute_hash();
        let transport = till.transport();
        let ack = transport.post_batch(&batch(&[restored.clone()])).unwrap();
        assert_eq!((ack.epoch, ack.accepted, ack.high_water), (2, 1, 1), "{backend:?}");

        // An epoch that links to nothing the register ever recorded.
        let mut stray = restored.clone();
        stray.epoch = 3;
        stray.prev_hash = "f".repeat(64);
        stray.hash = stray.compute_hash();
        let ack = transport.post_batch(&batch(&[stray])).unwrap();
        assert_eq!(ack.quarantined[0].code, "unknown_back_link");
        assert_eq!(ack.high_water, 0, "set aside beside the chain, not passed");

        // The very first entry of a register links to the genesis and nothing else.
        let mut first = entries[0].clone();
        assert_eq!(first.prev_hash, GENESIS);
        first.epoch = 4;
        first.hash = first.compute_hash();
        assert!(transport.post_batch(&batch(&[first])).unwrap().quarantined.is_empty());

        let status = transport.ledger_status().unwrap();
        let marks: Vec<(i64, i64)> =
            status.epochs.iter().map(|m| (m.epoch, m.high_water)).collect();
        assert_eq!(marks, vec![(1, 4), (2, 1), (3, 0), (4, 1)]);
    }
}

#[test]
fn a_basket_of_taxable_and_zero_rated_items_is_stored() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut till = Till::enrolled(&server);
        till.sell_mixed();
        till.sell_mixed();
        let report = till.register.sync_now().unwrap();
        assert_eq!((report.accepted, report.quarantined), (3, 0), "{backend:?}");
        let sale: Sale = serde_json::from_str(&till.entries()[1].payload).unwrap();
        let rates: Vec<(&str, &str)> =
            sale.taxes.iter().map(|t| (t.code.as_str(), t.rate.as_str())).collect();
        assert!(rates.len() > 2, "GST and QST at 0 % and at their rates: {rates:?}");
    }
}

#[test]
fn a_ledger_sent_again_under_another_identity_is_not_counted_twice() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut first = Till::enrolled(&server);
        first.sell();
        first.register.sync_now().unwrap();
        // Register 2 sends register 1's entries as its own.
        let second = Till::enrolled(&server);
        let ack = second.transport().post_batch(&batch(&first.entries())).unwrap();
        assert_eq!(ack.accepted, 0, "{backend:?}");
        assert!(ack.quarantined.iter().all(|q| q.code == "held_elsewhere"), "{ack:?}");
        assert_eq!(ack.quarantined.len(), 2);
        let on_server = server.rt.block_on(server.db.sale_payloads("montreal")).unwrap();
        assert_eq!(on_server.len(), 1, "the sale counts once");
    }
}

#[test]
fn a_register_whose_clock_is_days_off_is_told_and_its_sales_count_on_the_right_day() {
    for backend in BACKENDS {
        let server = montreal(backend);
        let mut till = Till::enrolled(&server);
        till.register.sync_now().unwrap();
        // The register's clock runs three days ahead of the real time.
        let real = chrono::Utc::now();
        till.clock.set(real + chrono::Duration::days(3));
        till.sell();
        let report = till.register.sync_now().unwrap();
        let skew = report.clock_skew_seconds.expect("the server noticed");
        assert!((skew - 3 * 86_400).abs() < 120, "{skew}");
        assert_eq!(till.register.sync_view().unwrap().clock_skew_seconds, Some(skew));
        let zone = chrono_tz::America::Toronto;
        let today = real.with_timezone(&zone).date_naive().to_string();
        let as_registered =
            (real + chrono::Duration::days(3)).with_timezone(&zone).date_naive().to_string();
        let sale: Sale = serde_json::from_str(&till.entries().last().unwrap().payload).unwrap();
        assert_eq!(till.entries().last().unwrap().business_day, as_registered);
        let counted = server.rt.block_on(server.db.day_sales("montreal", &today)).unwrap();
        assert_eq!(counted.len(), 1, "{backend:?}: counted the day it really happened");
        assert_eq!(sum_of_totals(counted), sale.total.parse::<Decimal>().unwrap());
        assert!(
            server.rt.block_on(server.db.day_sales("montreal", &as_registered)).unwrap().is_empty()
        );
        let events = server.rt.block_on(server.db.security_events(20)).unwrap();
        assert!(
            events.iter().any(|e| e.kind == "clock_skew" && e.detail.contains("3 d")),
            "{events:#?}"
        );
        // The clock set right again: the next sync says so.
        till.clock.set(chrono::Utc::now());
        till.sell();
        let report = till.register.sync_now().unwrap();
        assert_eq!(report.clock_skew_seconds, None);
        assert_eq!(till.register.sync_view().unwrap().clock_skew_seconds, None);
    }
}
