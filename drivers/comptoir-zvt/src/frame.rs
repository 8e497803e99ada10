//! The serial transport's framing: `DLE STX`, the APDU with every `DLE` doubled, `DLE ETX`,
//! then a CRC-16 (CCITT polynomial, reflected, initial value 0: CRC-16/KERMIT) over the APDU
//! and the `ETX`, low byte first. The receiver answers `ACK` or `NAK`.
//!
//! The CRC and byte order are checked against a frame a real terminal sent (the ecrterm
//! library's tests) and against the algorithm of Portalum.Zvt and the Wireshark dissector.

use crate::ParseError;
use crate::apdu::MAX_DATA;

pub const STX: u8 = 0x02;
pub const ETX: u8 = 0x03;
pub const ACK: u8 = 0x06;
pub const DLE: u8 = 0x10;
pub const NAK: u8 = 0x15;

/// The longest APDU a frame may carry, header included.
const MAX_APDU: usize = MAX_DATA + 5;

/// CRC-16/KERMIT of `bytes`.
pub fn crc16_kermit(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in bytes {
        crc ^= u16::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x8408 } else { crc >> 1 };
        }
    }
    crc
}

/// The CRC a frame carries for `apdu`: over the APDU and the closing `ETX`.
pub fn frame_crc(apdu: &[u8]) -> u16 {
    let mut crc_input = apdu.to_vec();
    crc_input.push(ETX);
    crc16_kermit(&crc_input)
}

/// Frames one APDU for the serial line.
pub fn encode_frame(apdu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(apdu.len() + 8);
    out.extend([DLE, STX]);
    for &byte in apdu {
        out.push(byte);
        if byte == DLE {
            out.push(DLE);
        }
    }
    out.extend([DLE, ETX]);
    out.extend(frame_crc(apdu).to_le_bytes());
    out
}

/// One frame read off the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// The APDU, unstuffed.
    pub apdu: Vec<u8>,
    /// How many bytes of the input the frame took.
    pub consumed: usize,
    /// Whether its CRC matched.
    pub crc_ok: bool,
}

/// Splits the frame at the start of `bytes`: `Ok(None)` until all of it has arrived; an
/// error when the bytes are no frame.
pub fn split_frame(bytes: &[u8]) -> Result<Option<RawFrame>, ParseError> {
    match bytes {
        [] | [DLE] => return Ok(None),
        [DLE, STX, ..] => {}
        _ => return Err(ParseError::BadFrame),
    }
    let mut apdu = Vec::new();
    let mut i = 2;
    loop {
        let Some(&byte) = bytes.get(i) else { return Ok(None) };
        if byte != DLE {
            apdu.push(byte);
            i += 1;
        } else {
            match bytes.get(i + 1) {
                None => return Ok(None),
                Some(&DLE) => {
                    apdu.push(DLE);
                    i += 2;
                }
                Some(&ETX) => break,
                Some(_) => return Err(ParseError::BadFrame),
            }
        }
        if apdu.len() > MAX_APDU {
            return Err(ParseError::Oversize);
        }
    }
    let crc_at = i + 2;
    let (Some(&low), Some(&high)) = (bytes.get(crc_at), bytes.get(crc_at + 1)) else {
        return Ok(None);
    };
    let crc_ok = u16::from_le_bytes([low, high]) == frame_crc(&apdu);
    Ok(Some(RawFrame { apdu, consumed: crc_at + 2, crc_ok }))
}

/// Reads exactly one whole frame and returns its APDU: a cut-off frame, a bad CRC or trailing
/// bytes are errors.
pub fn parse_frame(bytes: &[u8]) -> Result<Vec<u8>, ParseError> {
    let frame = split_frame(bytes)?.ok_or(ParseError::Truncated)?;
    if !frame.crc_ok {
        return Err(ParseError::BadCrc);
    }
    if frame.consumed != bytes.len() {
        return Err(ParseError::Trailing);
    }
    Ok(frame.apdu)
}
