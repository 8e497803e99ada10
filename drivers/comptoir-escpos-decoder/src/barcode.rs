//! One-dimensional barcodes (`GS k`) and the text a reader of them would get back.

use crate::command::{Command, digit};
use crate::error::DecodeError;
use crate::reader::Reader;

/// A barcode as sent: its symbology and its data bytes, code-set prefixes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Barcode {
    pub symbology: Symbology,
    pub data: Vec<u8>,
}

/// The barcode systems of `GS k`, function A (`m` 0..=6) and function B (`m` 65..=78).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    UpcA,
    UpcE,
    Ean13,
    Ean8,
    Code39,
    Itf,
    Codabar,
    Code93,
    Code128,
    Gs1_128,
    DataBarOmnidirectional,
    DataBarTruncated,
    DataBarLimited,
    DataBarExpanded,
}

/// Where `GS H` puts the human-readable interpretation (HRI) of a barcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HriPosition {
    #[default]
    None,
    Above,
    Below,
    Both,
}

impl HriPosition {
    pub(crate) fn from_param(n: u8) -> Option<Self> {
        Some(match digit(n) {
            0 => Self::None,
            1 => Self::Above,
            2 => Self::Below,
            3 => Self::Both,
            _ => return None,
        })
    }
}

impl Symbology {
    /// The system for `GS k m`, and whether `m` is function B (a length byte follows).
    fn from_param(m: u8) -> Option<(Self, bool)> {
        const FUNCTION_A: [Symbology; 7] = [
            Symbology::UpcA,
            Symbology::UpcE,
            Symbology::Ean13,
            Symbology::Ean8,
            Symbology::Code39,
            Symbology::Itf,
            Symbology::Codabar,
        ];
        const FUNCTION_B: [Symbology; 14] = [
            Symbology::UpcA,
            Symbology::UpcE,
            Symbology::Ean13,
            Symbology::Ean8,
            Symbology::Code39,
            Symbology::Itf,
            Symbology::Codabar,
            Symbology::Code93,
            Symbology::Code128,
            Symbology::Gs1_128,
            Symbology::DataBarOmnidirectional,
            Symbology::DataBarTruncated,
            Symbology::DataBarLimited,
            Symbology::DataBarExpanded,
        ];
        match m {
            0..=6 => Some((FUNCTION_A[usize::from(m)], false)),
            65..=78 => Some((FUNCTION_B[usize::from(m - 65)], true)),
            _ => None,
        }
    }

    /// The name the Epson reference gives the system.
    pub fn name(self) -> &'static str {
        match self {
            Self::UpcA => "UPC-A",
            Self::UpcE => "UPC-E",
            Self::Ean13 => "EAN13",
            Self::Ean8 => "EAN8",
            Self::Code39 => "CODE39",
            Self::Itf => "ITF",
            Self::Codabar => "CODABAR",
            Self::Code93 => "CODE93",
            Self::Code128 => "CODE128",
            Self::Gs1_128 => "GS1-128",
            Self::DataBarOmnidirectional => "GS1 DataBar Omnidirectional",
            Self::DataBarTruncated => "GS1 DataBar Truncated",
            Self::DataBarLimited => "GS1 DataBar Limited",
            Self::DataBarExpanded => "GS1 DataBar Expanded",
        }
    }
}

impl Barcode {
    /// The characters the barcode stands for: CODE128 without its `{A`/`{B`/`{C` switches and
    /// function characters, with code set C's byte pairs written as two digits.
    pub fn human_readable(&self) -> String {
        if self.symbology == Symbology::Code128
            && let Ok(text) = code128_text(&self.data)
        {
            return text;
        }
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// Parses `GS k` after its two command bytes.
pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let m = r.u8()?;
    let (symbology, function_b) =
        Symbology::from_param(m).ok_or_else(|| r.invalid("unknown barcode system"))?;
    let data = if function_b {
        let len = r.u8()?;
        r.take(usize::from(len))?
    } else {
        r.until_nul()?
    };
    if symbology == Symbology::Code128 {
        code128_text(data).map_err(|reason| r.invalid(reason))?;
    }
    Ok(Command::Barcode(Barcode { symbology, data: data.to_vec() }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeSet {
    A,
    B,
    C,
}

/// Reads CODE128 data the way the printer does: it must open with a code set, and in code set
/// C every byte other than a `{` switch is a value 0..=99.
fn code128_text(data: &[u8]) -> Result<String, &'static str> {
    if !matches!(data, [b'{', b'A' | b'B' | b'C', ..]) {
        return Err("CODE128 data must start with {A, {B or {C");
    }
    let mut text = String::new();
    let mut set = CodeSet::A;
    let mut bytes = data.iter().copied();
    while let Some(byte) = bytes.next() {
        if byte == b'{' {
            let escaped = bytes.next().ok_or("CODE128 data ends after {")?;
            code128_escape(escaped, &mut set, &mut text)?;
        } else if set == CodeSet::C {
            code128_pair(byte, &mut text)?;
        } else {
            text.push(char::from(byte));
        }
    }
    Ok(text)
}

/// Applies the character after a `{`: a code set switch, a shift or FNC (no text), or `{{`.
fn code128_escape(byte: u8, set: &mut CodeSet, text: &mut String) -> Result<(), &'static str> {
    match byte {
        b'A' => *set = CodeSet::A,
        b'B' => *set = CodeSet::B,
        b'C' => *set = CodeSet::C,
        b'S' | b'1' | b'2' | b'3' | b'4' => {}
        b'{' => text.push('{'),
        _ => return Err("CODE128 { must be followed by A, B, C, S, 1..4 or {"),
    }
    Ok(())
}

fn code128_pair(value: u8, text: &mut String) -> Result<(), &'static str> {
    if value > 99 {
        return Err("CODE128 code set C takes values 0..=99");
    }
    text.push(char::from(b'0' + value / 10));
    text.push(char::from(b'0' + value % 10));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readable(data: &[u8]) -> String {
        Barcode { symbology: Symbology::Code128, data: data.to_vec() }.human_readable()
    }

    #[test]
    fn code_set_c_pairs_become_digits() {
        assert_eq!(readable(b"{C\x15\x20\x2B"), "213243");
        assert_eq!(readable(b"{C\x00\x07"), "0007");
    }

    #[test]
    fn code_sets_switch_mid_symbol() {
        assert_eq!(readable(b"{BNo.{C\x0C\x22"), "No.1234");
        assert_eq!(readable(b"{B{{x"), "{x");
    }

    #[test]
    fn code128_without_code_set_is_refused() {
        assert!(code128_text(b"12345").is_err());
        assert!(code128_text(b"{C\x64").is_err());
    }
}
