//! ZVT APDUs: a class byte, an instruction byte, a length (one byte, or `FF` and two bytes
//! little-endian), and the data.

use std::fmt;

use crate::ParseError;

/// The most data one APDU carries (the extended length is 16 bits).
pub const MAX_DATA: usize = 0xFFFF;

/// One APDU. Its `Debug` shows the control field and the length only: the data may hold card
/// data.
#[derive(Clone, PartialEq, Eq)]
pub struct Apdu {
    pub class: u8,
    pub instr: u8,
    pub data: Vec<u8>,
}

impl fmt::Debug for Apdu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Apdu({:02X} {:02X}, {} bytes)", self.class, self.instr, self.data.len())
    }
}

impl Apdu {
    pub fn new(class: u8, instr: u8, data: Vec<u8>) -> Apdu {
        Apdu { class, instr, data }
    }

    /// The control field, `[class, instr]`.
    pub fn control(&self) -> [u8; 2] {
        [self.class, self.instr]
    }

    /// The bytes on the wire; data longer than 254 bytes takes the `FF lo hi` length.
    pub fn encode(&self) -> Result<Vec<u8>, ParseError> {
        let len = self.data.len();
        if len > MAX_DATA {
            return Err(ParseError::Oversize);
        }
        let mut out = Vec::with_capacity(len + 5);
        out.extend([self.class, self.instr]);
        if len < 0xFF {
            out.push(len as u8);
        } else {
            out.push(0xFF);
            out.extend((len as u16).to_le_bytes());
        }
        out.extend(&self.data);
        Ok(out)
    }
}

/// How long the APDU at the start of `bytes` is, header included; `None` until enough of its
/// header has arrived.
pub fn apdu_len(bytes: &[u8]) -> Option<usize> {
    match bytes {
        [_, _, 0xFF, low, high, ..] => Some(5 + usize::from(u16::from_le_bytes([*low, *high]))),
        [_, _, 0xFF] | [_, _, 0xFF, _] => None,
        [_, _, len, ..] => Some(3 + usize::from(*len)),
        _ => None,
    }
}

/// Reads exactly one APDU: a short, long or cut-off input is an error.
pub fn parse_apdu(bytes: &[u8]) -> Result<Apdu, ParseError> {
    let Some(total) = apdu_len(bytes) else { return Err(ParseError::Truncated) };
    if bytes.len() < total {
        return Err(ParseError::Truncated);
    }
    if bytes.len() > total {
        return Err(ParseError::Trailing);
    }
    let header = if bytes[2] == 0xFF { 5 } else { 3 };
    Ok(Apdu::new(bytes[0], bytes[1], bytes[header..].to_vec()))
}
