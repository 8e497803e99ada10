//! The keyboard-wedge burst rules, with the cases and numbers of the register's own tests
//! (tests/ui/wedge.test.ts), so the screen and the CLI decide alike.

use comptoir_scanner::wedge::{BurstDetector, Decision, Key, WedgeConfig, split_keys};

const CONFIG: WedgeConfig = WedgeConfig { max_gap_ms: 35, min_len: 6 };

/// Types `text` from `at`, one key every `gap` ms; returns what was released and the last time.
fn feed(d: &mut BurstDetector, text: &str, at: u64, gap: u64) -> (String, u64) {
    let mut typed = String::new();
    let mut t = at;
    for ch in text.chars() {
        typed += &d.char(ch, t, false).typed;
        t += gap;
    }
    (typed, t - gap)
}

#[test]
fn the_defaults_are_the_registers() {
    assert_eq!(WedgeConfig::default(), CONFIG);
}

#[test]
fn a_fast_burst_closed_by_enter_is_a_scan() {
    let mut d = BurstDetector::new(CONFIG);
    let (typed, end) = feed(&mut d, "0068200100012", 1000, 8);
    assert_eq!(typed, "");
    assert_eq!(
        d.terminator(end + 8),
        Decision { typed: String::new(), scan: Some("0068200100012".into()) }
    );
}

#[test]
fn a_burst_shorter_than_burst_min_len_is_typing() {
    let mut d = BurstDetector::new(CONFIG);
    let (_, end) = feed(&mut d, "12345", 0, 5);
    assert_eq!(d.terminator(end + 5), Decision { typed: "12345".into(), scan: None });
}

#[test]
fn a_gap_at_the_threshold_breaks_the_burst() {
    let mut d = BurstDetector::new(CONFIG);
    let (typed, end) = feed(&mut d, "123456", 0, 35);
    assert_eq!(typed, "12345");
    assert_eq!(d.terminator(end + 5).scan, None);
}

#[test]
fn a_terminator_that_comes_too_late_is_not_part_of_the_burst() {
    let mut d = BurstDetector::new(CONFIG);
    let (_, end) = feed(&mut d, "1234567", 0, 5);
    let out = d.terminator(end + 200);
    assert_eq!(out.scan, None);
    assert_eq!(out.typed.len(), 7);
}

#[test]
fn a_held_down_key_is_a_person() {
    let mut d = BurstDetector::new(CONFIG);
    for i in 0..8 {
        d.char('0', i * 5, i > 0);
    }
    assert_eq!(d.terminator(45).scan, None);
}

#[test]
fn thresholds_can_change_between_bursts() {
    let mut d = BurstDetector::new(WedgeConfig { max_gap_ms: 10, min_len: 4 });
    feed(&mut d, "1234", 0, 20);
    assert_eq!(d.terminator(80).scan, None);
    d.config = WedgeConfig { max_gap_ms: 50, min_len: 4 };
    let (_, end) = feed(&mut d, "1234", 1000, 20);
    assert_eq!(d.terminator(end + 20).scan.as_deref(), Some("1234"));
}

#[test]
fn a_clock_going_backwards_breaks_the_burst() {
    let mut d = BurstDetector::new(CONFIG);
    feed(&mut d, "123456", 1000, 5);
    assert_eq!(d.char('7', 900, false).typed, "123456");
}

#[test]
fn a_recorded_key_stream_splits_into_scans_and_typing() {
    let mut keys = Vec::new();
    // A person types 2 (quantity), then the scanner sends a receipt number, then the person
    // presses Backspace after typing 5.
    keys.push((0, Key::Char { ch: '2', repeat: false }));
    let mut t = 500;
    for ch in "MTL01-000042".chars() {
        keys.push((t, Key::Char { ch, repeat: false }));
        t += 4;
    }
    keys.push((t, Key::Terminator));
    keys.push((t + 1000, Key::Char { ch: '5', repeat: false }));
    keys.push((t + 1100, Key::Other));
    let decisions = split_keys(CONFIG, &keys);
    assert_eq!(
        decisions,
        [
            Decision { typed: "2".into(), scan: None },
            Decision { typed: String::new(), scan: Some("MTL01-000042".into()) },
            Decision { typed: "5".into(), scan: None },
        ]
    );
    // A burst with no terminator is typing.
    let burst: Vec<(u64, Key)> = "123456789"
        .chars()
        .enumerate()
        .map(|(i, ch)| (i as u64 * 4, Key::Char { ch, repeat: false }))
        .collect();
    assert_eq!(split_keys(CONFIG, &burst), [Decision { typed: "123456789".into(), scan: None }]);
}
