//! Card numbers: Comptoir keeps at most the last four digits. A [`MaskedPan`] masks on
//! construction, whatever the terminal sent, so no full number can live in an outcome, a log
//! line or a `Debug` dump; [`scrub_pan`] masks a number printed inside a receipt line.

use std::fmt;

/// How many digits of a card number stay visible.
const VISIBLE: usize = 4;
/// The longest card number (ISO/IEC 7812).
const MAX_DIGITS: usize = 19;
/// A run of this many digits in a text is treated as a card number.
const PAN_RUN: usize = 12;

/// A card number with every digit but the last four replaced by `*`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MaskedPan(String);

impl MaskedPan {
    /// Masks what a terminal sent: digits, `E` for a digit it masked itself, `F` for padding,
    /// and `D` or `=` where track data goes on after the number (which is dropped).
    pub fn from_terminal(raw: &str) -> MaskedPan {
        let number: Vec<char> = raw
            .chars()
            .take_while(|c| !matches!(c, 'D' | 'd' | '='))
            .filter(|c| !matches!(c, 'F' | 'f' | ' '))
            .map(|c| if c.is_ascii_digit() { c } else { '*' })
            .collect();
        let start = number.len().saturating_sub(MAX_DIGITS);
        let number = &number[start..];
        let visible_from = number.len().saturating_sub(VISIBLE);
        // A number of four digits or fewer is shown masked whole: it is no card number.
        let visible_from = if number.len() <= VISIBLE { number.len() } else { visible_from };
        let masked = number
            .iter()
            .enumerate()
            .map(|(i, &c)| if i >= visible_from { c } else { '*' })
            .collect();
        MaskedPan(masked)
    }

    /// The masked number, `************1111`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The visible last digits, when the terminal sent them.
    pub fn last4(&self) -> Option<&str> {
        let tail = &self.0[self.0.len().saturating_sub(VISIBLE)..];
        (tail.len() == VISIBLE && tail.bytes().all(|b| b.is_ascii_digit())).then_some(tail)
    }
}

impl fmt::Debug for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedPan({})", self.0)
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Masks every run of 12 or more digits in `text` (digits may be grouped by single spaces or
/// dashes, as receipts print them) down to its last four digits.
pub fn scrub_pan(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let (end, digits) = digit_run(&chars, i);
        if digits.len() >= PAN_RUN {
            for &position in &digits[..digits.len() - VISIBLE] {
                out[position] = '*';
            }
        }
        i = end;
    }
    out.into_iter().collect()
}

/// Where a run of digits starting at `start` ends, and where its digits are.
fn digit_run(chars: &[char], start: usize) -> (usize, Vec<usize>) {
    let mut digits = Vec::new();
    let mut i = start;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            digits.push(i);
            i += 1;
        } else if matches!(chars[i], ' ' | '-')
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
        {
            i += 1;
        } else {
            break;
        }
    }
    (i, digits)
}
