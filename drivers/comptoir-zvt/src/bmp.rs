//! BMP fields: the tagged values of ZVT messages (BMP 04 amount, 0B trace, 27 result code ...),
//! with their fixed lengths or LLVAR/LLLVAR prefixes, and the TLV container of BMP 06.
//!
//! Lengths are those of the ZVT specification (PA00P015), as the Wireshark ZVT dissector, the
//! ecrterm and Portalum.Zvt libraries read them. Track data, CVV and the like are read past and
//! dropped: Comptoir never holds them.

use crate::pan::{MaskedPan, scrub_pan};
use crate::tlv::{Tlv, parse_tlv_container};
use crate::{ParseError, bcd, text};

/// One BMP field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// 01: timeout in seconds.
    Timeout(u8),
    /// 02: how many status informations the ECR wants.
    MaxStatusInfos(u8),
    /// 03: the service byte.
    ServiceByte(u8),
    /// 04: the amount in cents (6 bytes BCD).
    Amount(u64),
    /// 05: pump number.
    PumpNr(u8),
    /// 06: a TLV container.
    Tlv(Vec<Tlv>),
    /// 0B: the trace number (3 bytes BCD).
    Trace(u32),
    /// 0C: time HHMMSS.
    Time(u32),
    /// 0D: date MMDD.
    Date(u16),
    /// 0E: expiry date YYMM.
    Expiry(u16),
    /// 17: card sequence number.
    CardSequence(u16),
    /// 19: payment type, or the status byte of a registration's completion.
    PaymentType(u8),
    /// 22: the card number, masked on reading.
    CardNumber(MaskedPan),
    /// 27: the result code.
    ResultCode(u8),
    /// 29: the terminal id, eight digits.
    TerminalId(String),
    /// 2A: the merchant's contract number (VU number).
    ContractNumber(String),
    /// 37: the trace number of the original transaction (a reversal).
    OriginalTrace(u32),
    /// 3B: the authorisation attribute (AID).
    Aid(String),
    /// 3C: additional text from the terminal, card numbers in it masked.
    AdditionalText(String),
    /// 3D: a password.
    Password(u32),
    /// 49: the ISO 4217 currency number (978 for EUR).
    Currency(u16),
    /// 87: the receipt number (2 bytes BCD).
    ReceiptNo(u16),
    /// 88: the turnover record number (3 bytes BCD).
    TurnoverNo(u32),
    /// 8A: the ZVT card type.
    CardType(u8),
    /// 8B: the card's name (`Debit Mastercard`).
    CardName(String),
    /// 8C: the card type id of the network operator.
    CardTypeId(u8),
    /// A0: the result code of the authorisation system.
    ResultCodeAs(u8),
    /// A field that may hold card data or that Comptoir has no use for; its value is dropped.
    Dropped(u8),
}

#[derive(Clone, Copy)]
enum Len {
    Fixed(usize),
    Ll,
    Lll,
    Container,
}

fn layout(bmp: u8) -> Option<Len> {
    use Len::{Container, Fixed, Ll, Lll};
    Some(match bmp {
        0x01 | 0x02 | 0x03 | 0x05 | 0x19 | 0x27 | 0x8A | 0x8C | 0xA0 => Fixed(1),
        0x0D | 0x0E | 0x17 | 0x3A | 0x49 | 0x87 => Fixed(2),
        0x0B | 0x0C | 0x37 | 0x3D | 0x88 => Fixed(3),
        0x29 => Fixed(4),
        0xBA => Fixed(5),
        0x04 => Fixed(6),
        0x3B => Fixed(8),
        0x2A => Fixed(15),
        0x22 | 0x23 | 0x2D | 0x8B | 0x92 | 0xA7 => Ll,
        0x24 | 0x2E | 0x3C | 0x60 | 0x9A | 0xAF => Lll,
        0x06 => Container,
        _ => return None,
    })
}

/// Reads a sequence of BMP fields that fills `bytes` exactly.
///
/// FIXME(zvt-bmp): a BMP missing from the table makes the whole message unreadable, since its
/// length is unknown. The table holds the BMPs of PA00P015 that terminals are known to send; a
/// payment whose status information is unreadable still ends approved or not by its
/// completion or abort, but without the terminal's reference.
pub fn parse_bmps(mut bytes: &[u8]) -> Result<Vec<Field>, ParseError> {
    let mut fields = Vec::new();
    while let Some((&bmp, rest)) = bytes.split_first() {
        let Some(len) = layout(bmp) else { return Err(ParseError::UnknownBmp(bmp)) };
        let (field, used) = match len {
            Len::Fixed(n) => {
                let value = rest.get(..n).ok_or(ParseError::Truncated)?;
                (fixed(bmp, value)?, n)
            }
            Len::Ll | Len::Lll => {
                let digits = if matches!(len, Len::Ll) { 2 } else { 3 };
                let n = bcd::var_len(rest, digits)?;
                let value = rest.get(digits..digits + n).ok_or(ParseError::Truncated)?;
                (variable(bmp, value), digits + n)
            }
            Len::Container => {
                let (items, used) = parse_tlv_container(rest)?;
                (Field::Tlv(items), used)
            }
        };
        fields.push(field);
        bytes = &rest[used..];
    }
    Ok(fields)
}

fn fixed(bmp: u8, value: &[u8]) -> Result<Field, ParseError> {
    let number = || bcd::decode(value);
    Ok(match bmp {
        0x01 => Field::Timeout(value[0]),
        0x02 => Field::MaxStatusInfos(value[0]),
        0x03 => Field::ServiceByte(value[0]),
        0x04 => Field::Amount(number()?),
        0x05 => Field::PumpNr(value[0]),
        0x0B => Field::Trace(number()? as u32),
        0x0C => Field::Time(number()? as u32),
        0x0D => Field::Date(number()? as u16),
        0x0E => Field::Expiry(number()? as u16),
        0x17 => Field::CardSequence(number()? as u16),
        0x19 => Field::PaymentType(value[0]),
        0x27 => Field::ResultCode(value[0]),
        0x29 => Field::TerminalId(bcd::nibbles(value)),
        0x2A => Field::ContractNumber(text::decode(value).trim().to_owned()),
        0x37 => Field::OriginalTrace(number()? as u32),
        0x3B => Field::Aid(scrub_pan(text::decode(value).trim_end_matches(' '))),
        0x3D => Field::Password(number()? as u32),
        0x49 => Field::Currency(number()? as u16),
        0x87 => Field::ReceiptNo(number()? as u16),
        0x88 => Field::TurnoverNo(number()? as u32),
        0x8A => Field::CardType(value[0]),
        0x8C => Field::CardTypeId(value[0]),
        0xA0 => Field::ResultCodeAs(value[0]),
        _ => Field::Dropped(bmp),
    })
}

fn variable(bmp: u8, value: &[u8]) -> Field {
    match bmp {
        0x22 => Field::CardNumber(MaskedPan::from_terminal(&bcd::nibbles(value))),
        0x3C => Field::AdditionalText(scrub_pan(&text::decode(value))),
        0x8B => Field::CardName(scrub_pan(text::decode(value).trim())),
        _ => Field::Dropped(bmp),
    }
}

/// Writes one fixed BMP with a BCD value.
pub fn encode_bcd(bmp: u8, value: u64, bytes: usize) -> Result<Vec<u8>, ParseError> {
    let mut out = vec![bmp];
    out.extend(bcd::encode(value, bytes).ok_or(ParseError::Oversize)?);
    Ok(out)
}

/// Writes one LLVAR BMP.
pub fn encode_llvar(bmp: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![bmp];
    out.extend(bcd::encode_var_len(value.len(), 2));
    out.extend(value);
    out
}

/// Writes one LLLVAR BMP.
pub fn encode_lllvar(bmp: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![bmp];
    out.extend(bcd::encode_var_len(value.len(), 3));
    out.extend(value);
    out
}
