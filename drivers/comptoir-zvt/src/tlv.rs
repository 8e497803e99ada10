//! The TLV container of BMP 06: BER tags (one byte, or `x1F` and more while the high bit is
//! set), BER lengths (`< 80`, `81 xx`, `82 xx xx`), constructed tags holding more TLV.

use std::fmt;

use crate::ParseError;

/// How deep constructed tags may nest before the input is refused.
const MAX_DEPTH: usize = 8;

/// One TLV data object. Its `Debug` shows the tag and the length only: a value may hold card
/// data.
#[derive(Clone, PartialEq, Eq)]
pub struct Tlv {
    /// The tag's bytes, big-endian (`1F07` for the receipt type).
    pub tag: u32,
    pub value: Vec<u8>,
    /// What a constructed tag holds.
    pub children: Vec<Tlv>,
}

impl fmt::Debug for Tlv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Tlv");
        s.field("tag", &format_args!("{:X}", self.tag)).field("len", &self.value.len());
        if !self.children.is_empty() {
            s.field("children", &self.children);
        }
        s.finish()
    }
}

impl Tlv {
    pub fn new(tag: u32, value: Vec<u8>) -> Tlv {
        Tlv { tag, value, children: Vec::new() }
    }

    /// A constructed object holding `children`.
    pub fn constructed(tag: u32, children: Vec<Tlv>) -> Tlv {
        let value = children.iter().flat_map(Tlv::encode).collect();
        Tlv { tag, value, children }
    }

    /// Every object with `tag`, depth first.
    pub fn find_all<'a>(items: &'a [Tlv], tag: u32, out: &mut Vec<&'a Tlv>) {
        for item in items {
            if item.tag == tag {
                out.push(item);
            }
            Tlv::find_all(&item.children, tag, out);
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = tag_bytes(self.tag);
        out.extend(encode_len(self.value.len()));
        out.extend(&self.value);
        out
    }
}

fn tag_bytes(tag: u32) -> Vec<u8> {
    let bytes = tag.to_be_bytes();
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(3);
    bytes[first..].to_vec()
}

/// A BER length.
pub fn encode_len(len: usize) -> Vec<u8> {
    match len {
        0..=0x7F => vec![len as u8],
        0x80..=0xFF => vec![0x81, len as u8],
        _ => {
            let len = len.min(0xFFFF) as u16;
            let [high, low] = len.to_be_bytes();
            vec![0x82, high, low]
        }
    }
}

/// Reads a BER length: the length and how many bytes it took.
pub fn parse_len(bytes: &[u8]) -> Result<(usize, usize), ParseError> {
    match bytes {
        [] => Err(ParseError::Truncated),
        [len @ 0..=0x7F, ..] => Ok((usize::from(*len), 1)),
        [0x81, len, ..] => Ok((usize::from(*len), 2)),
        [0x82, high, low, ..] => Ok((usize::from(u16::from_be_bytes([*high, *low])), 3)),
        [0x81] | [0x82] | [0x82, _] => Err(ParseError::Truncated),
        _ => Err(ParseError::BadLength),
    }
}

fn parse_tag(bytes: &[u8]) -> Result<(u32, usize), ParseError> {
    let Some(&first) = bytes.first() else { return Err(ParseError::Truncated) };
    let mut tag = u32::from(first);
    let mut used = 1;
    if first & 0x1F == 0x1F {
        loop {
            let Some(&next) = bytes.get(used) else { return Err(ParseError::Truncated) };
            tag = (tag << 8) | u32::from(next);
            used += 1;
            if next & 0x80 == 0 {
                break;
            }
            if used >= 4 {
                return Err(ParseError::BadTlv);
            }
        }
    }
    Ok((tag, used))
}

/// Reads the TLV objects that fill `bytes` exactly.
pub fn parse_tlv(bytes: &[u8]) -> Result<Vec<Tlv>, ParseError> {
    parse_items(bytes, 0)
}

fn parse_items(mut bytes: &[u8], depth: usize) -> Result<Vec<Tlv>, ParseError> {
    if depth > MAX_DEPTH {
        return Err(ParseError::BadTlv);
    }
    let mut items = Vec::new();
    while !bytes.is_empty() {
        let (tag, tag_len) = parse_tag(bytes)?;
        let (len, len_len) = parse_len(&bytes[tag_len..])?;
        let start = tag_len + len_len;
        let Some(value) = bytes.get(start..start + len) else {
            return Err(ParseError::Truncated);
        };
        let constructed = tag_bytes(tag).first().is_some_and(|b| b & 0x20 != 0);
        let children = if constructed { parse_items(value, depth + 1)? } else { Vec::new() };
        items.push(Tlv { tag, value: value.to_vec(), children });
        bytes = &bytes[start + len..];
    }
    Ok(items)
}

/// Reads a TLV container (a BER total length, then the objects) at the start of `bytes`:
/// the objects and how many bytes the container took.
pub fn parse_tlv_container(bytes: &[u8]) -> Result<(Vec<Tlv>, usize), ParseError> {
    let (len, len_len) = parse_len(bytes)?;
    let Some(body) = bytes.get(len_len..len_len + len) else {
        return Err(ParseError::Truncated);
    };
    Ok((parse_tlv(body)?, len_len + len))
}

/// Writes a TLV container (without the `06` BMP byte).
pub fn encode_tlv_container(items: &[Tlv]) -> Vec<u8> {
    let body: Vec<u8> = items.iter().flat_map(Tlv::encode).collect();
    let mut out = encode_len(body.len());
    out.extend(body);
    out
}
