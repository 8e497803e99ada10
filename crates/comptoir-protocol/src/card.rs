//! What a card payment may leave in Comptoir: the terminal's reference, the card's brand and a
//! masked number, never a full card number. [`mask_pans`] scrubs any text a terminal sends
//! (its receipt lines) of digit runs that could be a card number, and [`check_slip`] is the
//! server's and the register's check that a slip holds none.

use crate::payload::CardSlip;

/// The fewest and most digits a card number (PAN) has, ISO/IEC 7812.
const PAN_DIGITS: std::ops::RangeInclusive<usize> = 12..=19;

/// Replaces every run of 12 to 19 digits (spaces and dashes between groups allowed, as
/// receipts print them) that passes the Luhn check by the same run with all but its last four
/// digits starred. Other text is kept as it is.
pub fn mask_pans(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let Some(end) = pan_at(&chars, i) else {
            out.push(chars[i]);
            i += 1;
            continue;
        };
        let digits = chars[i..end].iter().filter(|c| c.is_ascii_digit()).count();
        let mut seen = 0;
        for &c in &chars[i..end] {
            if c.is_ascii_digit() {
                seen += 1;
                out.push(if seen > digits - 4 { c } else { '*' });
            } else {
                out.push(c);
            }
        }
        i = end;
    }
    out
}

/// Where a card number starting at `start` ends, if one does: a whole run of digits, with
/// single spaces or dashes between groups, of 12 to 19 digits that passes Luhn. A longer run
/// (an order number) is none, and neither is a part of one.
fn pan_at(chars: &[char], start: usize) -> Option<usize> {
    if !chars[start].is_ascii_digit() || (start > 0 && chars[start - 1].is_ascii_digit()) {
        return None;
    }
    let mut digits = Vec::new();
    let mut end = start;
    let mut i = start;
    while i < chars.len() && digits.len() <= *PAN_DIGITS.end() {
        let c = chars[i];
        if c.is_ascii_digit() {
            digits.push(c as u8 - b'0');
            end = i + 1;
        } else if !(matches!(c, ' ' | '-') && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            break;
        }
        i += 1;
    }
    (PAN_DIGITS.contains(&digits.len()) && luhn(&digits)).then_some(end)
}

/// A masked card number as it is kept and printed: `****1111`, whatever the terminal sent.
pub fn last_four(masked: &str) -> String {
    let digits: String = masked.chars().filter(char::is_ascii_digit).collect();
    format!("****{}", &digits[digits.len().saturating_sub(4)..])
}

/// The Luhn (mod 10) check of a card number.
pub fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            match i % 2 {
                1 if d * 2 > 9 => d * 2 - 9,
                1 => d * 2,
                _ => d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A slip holds no card number: its masked number shows at most four digits, and no text of
/// it holds a digit run that passes as a card number.
pub fn check_slip(slip: &CardSlip) -> Result<(), String> {
    if let Some(masked) = &slip.masked_pan {
        let shown = masked.chars().filter(char::is_ascii_digit).count();
        if shown > 4 {
            return Err(format!(
                "the masked card number shows {shown} digits; at most 4 may be kept"
            ));
        }
    }
    let texts = slip.receipt.iter().chain(&slip.brand).chain(&slip.terminal_id);
    for text in texts {
        if mask_pans(text) != *text {
            return Err("a card number in the terminal's text".to_owned());
        }
    }
    Ok(())
}
