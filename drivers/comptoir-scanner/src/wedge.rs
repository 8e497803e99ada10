//! Tells a keyboard-wedge scanner from a person typing, by the timing of the keys: the same
//! rules as the register's screen (`ui/src/wedge.ts`), so the CLI and the tests decide alike.
//!
//! A scanner types a code as a burst of keys a few milliseconds apart and ends it with Enter or
//! Tab. A burst of at least `min_len` characters, every gap shorter than `max_gap_ms`, closed by
//! a terminator within `max_gap_ms` of the last character, is a scan. A held-down key (auto
//! repeat) is a person. Times are milliseconds from any origin; no clock is read here.

/// The thresholds: the register's `scanner.burst_max_gap_ms` and `scanner.burst_min_len`
/// settings (defaults 35 and 6, as the register's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WedgeConfig {
    pub max_gap_ms: u64,
    pub min_len: usize,
}

impl Default for WedgeConfig {
    fn default() -> WedgeConfig {
        WedgeConfig { max_gap_ms: 35, min_len: 6 }
    }
}

/// What the detector decided about the keys it held.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    /// Typed by a person: released to the field that had the focus, in order.
    pub typed: String,
    /// A scanned code, whose keys never reach a field.
    pub scan: Option<String>,
}

/// One key, as the detector sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character; `repeat` marks a held-down key.
    Char { ch: char, repeat: bool },
    /// Enter or Tab.
    Terminator,
    /// Any other key (Backspace, arrows): a person is at the keyboard.
    Other,
}

/// Keys and times in, decisions out.
#[derive(Debug, Clone, Default)]
pub struct BurstDetector {
    pub config: WedgeConfig,
    held: Vec<(char, u64)>,
    human: bool,
}

impl BurstDetector {
    pub fn new(config: WedgeConfig) -> BurstDetector {
        BurstDetector { config, held: Vec::new(), human: false }
    }

    /// Whether keys are held back, waiting for the next key or the gap to pass.
    pub fn holding(&self) -> bool {
        !self.held.is_empty()
    }

    /// A printable character at `at` ms.
    pub fn char(&mut self, ch: char, at: u64, repeat: bool) -> Decision {
        let out = if self.gap_broken(at) { self.release() } else { Decision::default() };
        self.held.push((ch, at));
        self.human |= repeat;
        out
    }

    /// Enter or Tab at `at` ms: a scan when the held keys are a burst, else they are released.
    pub fn terminator(&mut self, at: u64) -> Decision {
        let burst = !self.human && self.held.len() >= self.config.min_len && !self.gap_broken(at);
        if !burst {
            return self.release();
        }
        let scan = self.held.iter().map(|(ch, _)| ch).collect();
        self.reset();
        Decision { typed: String::new(), scan: Some(scan) }
    }

    /// Another key, or the gap timer: whatever is held was typed by a person.
    pub fn release(&mut self) -> Decision {
        let typed = self.held.iter().map(|(ch, _)| ch).collect();
        self.reset();
        Decision { typed, scan: None }
    }

    /// Feeds one key.
    pub fn key(&mut self, key: Key, at: u64) -> Decision {
        match key {
            Key::Char { ch, repeat } => self.char(ch, at, repeat),
            Key::Terminator => self.terminator(at),
            Key::Other => self.release(),
        }
    }

    fn gap_broken(&self, at: u64) -> bool {
        // A clock that went backwards, or a gap at the threshold, is no burst.
        self.held.last().is_some_and(|&(_, last)| at < last || at - last >= self.config.max_gap_ms)
    }

    fn reset(&mut self) {
        self.held.clear();
        self.human = false;
    }
}

/// The scans in a recorded key stream (time in ms, key), with what was typed between them.
/// Keys still held at the end are typed (the gap timer would release them).
pub fn split_keys(config: WedgeConfig, keys: &[(u64, Key)]) -> Vec<Decision> {
    let mut detector = BurstDetector::new(config);
    let mut out: Vec<Decision> = keys
        .iter()
        .map(|&(at, key)| detector.key(key, at))
        .filter(|d| d.scan.is_some() || !d.typed.is_empty())
        .collect();
    let rest = detector.release();
    if !rest.typed.is_empty() {
        out.push(rest);
    }
    out
}
