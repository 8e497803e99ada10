//! What the scanner simulator sends for a code: the bytes a real scanner in serial mode puts on
//! the wire, with an AIM identifier when asked and the configured line ending.

use crate::frame::Suffix;
use crate::gs1::{self, Dictionary, GS};

/// How the simulated scanner is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SimOptions {
    /// Put an AIM symbology identifier before each code.
    pub aim: bool,
    pub suffix: Suffix,
}

/// Junk as a scanner with a wrong baud rate or a noisy cable sends it: bytes no scan has.
pub const GARBAGE: &[u8] = &[0xFF, 0x00, 0x13, 0xFE, 0x81, b'?', 0x7F];

/// The bytes for one code. A code in the typed GS1 form `(01)…(17)…` goes out as the element
/// string a GS1-128 label holds (GS after each field that is not of predefined length);
/// `<GS>` in a code stands for the GS byte. A code that starts with `]` carries its own
/// identifier and is sent as it is.
pub fn wire_bytes(code: &str, options: SimOptions) -> Result<Vec<u8>, String> {
    let code = code.trim();
    let mut out = Vec::new();
    let data = if code.starts_with('(') {
        let elements = gs1::parse_hri(code).map_err(|e| format!("{code:?}: {e}"))?;
        if options.aim {
            out.extend_from_slice(b"]C1");
        }
        element_string(&elements)
    } else {
        let data = code.replace("<GS>", "\u{1d}").into_bytes();
        if options.aim && !code.starts_with(']') {
            out.extend_from_slice(guess_aim(&data).as_bytes());
        }
        data
    };
    out.extend_from_slice(&data);
    out.extend_from_slice(options.suffix.bytes());
    Ok(out)
}

/// The identifier a scanner would send for data of this shape.
fn guess_aim(data: &[u8]) -> &'static str {
    let digits = data.iter().all(u8::is_ascii_digit);
    match data.len() {
        8 if digits => "]E4",
        12 | 13 if digits => "]E0",
        _ if data.first() == Some(&GS) => "]C1",
        _ => "]C0",
    }
}

fn element_string(elements: &gs1::ElementString) -> Vec<u8> {
    let dictionary = Dictionary::builtin();
    let mut out = Vec::new();
    let last = elements.elements.len().saturating_sub(1);
    for (i, e) in elements.elements.iter().enumerate() {
        out.extend_from_slice(e.ai.as_bytes());
        out.extend_from_slice(e.value.as_bytes());
        let predefined = dictionary.get(&e.ai).is_some_and(|entry| entry.predefined_length);
        if !predefined && i < last {
            out.push(GS);
        }
    }
    out
}
