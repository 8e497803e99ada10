//! Packed BCD, as ZVT sends amounts, trace and receipt numbers: two decimal digits a byte, the
//! high nibble first; and the `Fx Fy` length prefixes of its LLVAR and LLLVAR fields.

use crate::ParseError;

/// Writes `value` as `bytes` bytes of packed BCD; `None` when it does not fit.
pub fn encode(value: u64, bytes: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; bytes];
    let mut rest = value;
    for byte in out.iter_mut().rev() {
        let low = (rest % 10) as u8;
        rest /= 10;
        let high = (rest % 10) as u8;
        rest /= 10;
        *byte = (high << 4) | low;
    }
    (rest == 0).then_some(out)
}

/// Reads packed BCD; a nibble above 9 is an error.
pub fn decode(bytes: &[u8]) -> Result<u64, ParseError> {
    if bytes.len() > 9 {
        return Err(ParseError::BadBcd);
    }
    let mut value = 0u64;
    for &byte in bytes {
        for nibble in [byte >> 4, byte & 0x0F] {
            if nibble > 9 {
                return Err(ParseError::BadBcd);
            }
            value = value * 10 + u64::from(nibble);
        }
    }
    Ok(value)
}

/// Every nibble as a character (`0`..`9`, `A`..`F`), for card numbers whose masked digits
/// come as `E` and whose padding comes as `F`.
pub fn nibbles(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0F)]));
    }
    out
}

/// Reads an LLVAR (`digits` = 2) or LLLVAR (`digits` = 3) length: each byte is `F` and a digit.
pub fn var_len(bytes: &[u8], digits: usize) -> Result<usize, ParseError> {
    let Some(prefix) = bytes.get(..digits) else {
        return Err(ParseError::Truncated);
    };
    let mut len = 0usize;
    for &byte in prefix {
        if byte >> 4 != 0x0F || byte & 0x0F > 9 {
            return Err(ParseError::BadLength);
        }
        len = len * 10 + usize::from(byte & 0x0F);
    }
    Ok(len)
}

/// Writes an LLVAR or LLLVAR length.
pub fn encode_var_len(len: usize, digits: usize) -> Vec<u8> {
    let mut out = vec![0xF0u8; digits];
    let mut rest = len;
    for byte in out.iter_mut().rev() {
        *byte = 0xF0 | (rest % 10) as u8;
        rest /= 10;
    }
    out
}
