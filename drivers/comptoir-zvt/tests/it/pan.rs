//! No full card number ever leaves the client: not in an outcome, its `Debug`, a receipt line
//! or a display text; whatever the terminal sent.

use comptoir_zvt::cards::TEST_CARDS;
use comptoir_zvt::{
    Command, Intent, MaskedPan, Progress, TerminalMessage, parse_message, scrub_pan,
};

use crate::support::{BOTH, Sim, hex};

#[test]
fn a_terminal_that_sends_a_whole_number_gets_it_masked() {
    // ecrterm test_parsing.py PACKET_LIST, from its tutorial: an old terminal's status
    // information whose BMP 22 holds a whole card number and track data (5966666666 D2002...).
    let bytes = hex(
        "04 0F 37 27 00 04 00 00 00 00 40 00 49 09 78 0C 09 38 48 0D 04 25 22 F1 F1 59 66 66 66 66 D2 00 21 22 01 00 \
         17 00 01 87 01 75 0B 61 39 95 19 40 29 60 09 99 14 0E 05 12 8A 02",
    );
    let TerminalMessage::StatusInformation(info) = parse_message(&bytes).unwrap() else { panic!() };
    let pan = info.card_number.clone().unwrap();
    assert_eq!(pan.as_str(), "******6666");
    assert!(!format!("{info:?}").contains("5966666666"));
    assert_eq!(info.amount, Some(4000));
    assert_eq!(info.receipt_no, Some(175));
    assert_eq!(info.trace, Some(613995));
}

#[test]
fn masking_keeps_the_last_four_digits_only() {
    assert_eq!(MaskedPan::from_terminal("4111111111111111").as_str(), "************1111");
    assert_eq!(MaskedPan::from_terminal("411111EEEEEE1111").as_str(), "************1111");
    assert_eq!(MaskedPan::from_terminal("378282246310005F").as_str(), "***********0005");
    assert_eq!(MaskedPan::from_terminal("4111111111111111D3012").as_str(), "************1111");
    assert_eq!(MaskedPan::from_terminal("1234").as_str(), "****");
    assert_eq!(MaskedPan::from_terminal("").last4(), None);
    let pan = MaskedPan::from_terminal("5555555555554444");
    assert_eq!(pan.last4(), Some("4444"));
    assert_eq!(format!("{pan:?}"), "MaskedPan(************4444)");
}

#[test]
fn scrubbing_masks_numbers_printed_in_text() {
    assert_eq!(scrub_pan("Karte: 4111111111111111"), "Karte: ************1111");
    assert_eq!(scrub_pan("Nr 4111 1111 1111 1111 ok"), "Nr **** **** **** 1111 ok");
    assert_eq!(scrub_pan("Terminal-ID: 52001233"), "Terminal-ID: 52001233");
    assert_eq!(scrub_pan("Datum 02.11.2021 08:35:32"), "Datum 02.11.2021 08:35:32");
}

fn assert_no_pan(where_: &str, text: &str) {
    for card in TEST_CARDS {
        assert!(!text.contains(card.pan), "{where_} holds {}: {text}", card.name);
        let spaced: String = card
            .pan
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(!text.contains(&spaced), "{where_} holds {} spaced: {text}", card.name);
    }
}

#[test]
fn every_test_card_through_every_flow_leaves_no_full_number() {
    let sim = Sim::start();
    for via in BOTH {
        for card in TEST_CARDS {
            for fault in ["approve", "leak-pan", "decline:05", "user-abort", "drop-after-status"] {
                sim.script(&format!("{fault} card={}", card.name));
                let mut seen = Vec::new();
                let mut client = sim.client(via);
                let paid = client.run(&Command::Pay { amount: 1234, currency: None }, &mut |p| {
                    seen.push(match p {
                        Progress::Display(t) | Progress::PrintLine(t) => t.to_owned(),
                    })
                });
                drop(client);
                let paid = paid.unwrap();
                let mut texts = vec![format!("{paid:?}")];
                texts.extend(paid.receipt.iter().cloned());
                texts.extend(seen);
                sim.script(&format!("approve card={}", card.name));
                let mut client = sim.client(via);
                let intent = Intent {
                    id: "pan-test".to_owned(),
                    amount: 1234,
                    receipt_no: paid.reference.receipt_no,
                    previous_receipt_no: None,
                };
                texts.push(format!("{:?}", client.recover(&intent, &mut |_| {})));
                for command in [
                    Command::RepeatReceipt,
                    Command::Refund { amount: 100, currency: None },
                    Command::EndOfDay,
                    Command::Diagnosis,
                    Command::StatusEnquiry,
                ] {
                    texts.push(format!("{:?}", client.run(&command, &mut |_| {})));
                }
                if let Some(receipt_no) = paid.reference.receipt_no {
                    texts.push(format!(
                        "{:?}",
                        client.run(&Command::Reverse { receipt_no }, &mut |_| {})
                    ));
                }
                for text in &texts {
                    assert_no_pan(&format!("{via:?} {fault} {}", card.name), text);
                }
                if fault == "approve" || fault == "leak-pan" {
                    let masked = paid.card_number.unwrap();
                    assert_eq!(masked.last4(), Some(&card.pan[card.pan.len() - 4..]));
                }
            }
        }
    }
    // Every approved payment was charged, then reversed.
    let charged = sim.journal().iter().filter(|l| l.starts_with("charge ")).count();
    assert_eq!(charged, 2 * TEST_CARDS.len() * 3, "approve, leak-pan and drop-after-status charge");
    assert_eq!(sim.charges(), 0);
}

/// Collects what the log would write.
#[derive(Clone, Default)]
struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[test]
fn the_log_at_trace_level_holds_no_full_number_even_when_the_terminal_leaks_one() {
    let sim = Sim::start();
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        for via in BOTH {
            for card in TEST_CARDS {
                sim.script(&format!("leak-pan card={}", card.name));
                let paid =
                    sim.client(via).run(&Command::Pay { amount: 999, currency: None }, &mut |_| {});
                assert!(paid.unwrap().approved());
                tracing::info!(outcome = ?sim.client(via).run(&Command::RepeatReceipt, &mut |_| {}), "logged");
            }
        }
    });
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("zvt command"), "the log was captured: {log}");
    assert_no_pan("the log", &log);
}
