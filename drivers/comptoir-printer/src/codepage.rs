//! Character tables a printer selects with `ESC t n`, built from the profile's code page names.

use std::collections::HashMap;

use oem_cp::code_table::DECODING_TABLE_CP_MAP;
use oem_cp::code_table_type::TableType;

/// One character table of a printer: `ESC t number` selects it, and its upper half
/// (bytes 0x80..=0xFF) holds the glyphs in `glyphs`. The lower half is ASCII in every table
/// we use, because `ESC R 0` (USA) is sent with every init.
#[derive(Debug, Clone)]
pub struct CodeTable {
    number: u8,
    name: String,
    glyphs: [Option<char>; 128],
    bytes: HashMap<char, u8>,
}

impl CodeTable {
    /// Builds the table the printer selects with `ESC t number`, for the escpos-printer-db
    /// code page `name`; `data` is the db's own glyph list for printer-specific pages.
    /// Returns `None` for pages we have no map for (multi-byte CP932, "Unknown", Star pages):
    /// such a page is never selected, so no byte is sent whose glyph we cannot vouch for.
    pub fn build(number: u8, name: &str, data: Option<&[String]>) -> Option<CodeTable> {
        let glyphs = match data {
            Some(rows) => glyphs_from_rows(rows)?,
            None => glyphs_for_name(name)?,
        };
        Some(CodeTable::from_glyphs(number, name, glyphs))
    }

    fn from_glyphs(number: u8, name: &str, glyphs: [Option<char>; 128]) -> CodeTable {
        let mut bytes = HashMap::new();
        for (offset, glyph) in glyphs.iter().enumerate() {
            // The first position wins when a page repeats a glyph, like a decoder would.
            if let Some(c) = glyph {
                bytes.entry(*c).or_insert(0x80 + offset as u8);
            }
        }
        CodeTable { number, name: name.to_owned(), glyphs, bytes }
    }

    /// The `n` of `ESC t n` that selects this table on the profile's printer.
    pub fn number(&self) -> u8 {
        self.number
    }

    /// The code page's name in the printer database, e.g. "CP858".
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The byte (0x80..=0xFF) that prints `c` in this table, if the table has it.
    pub fn encode(&self, c: char) -> Option<u8> {
        self.bytes.get(&c).copied()
    }

    /// The glyph a byte prints as in this table: ASCII below 0x80, the table above.
    pub fn decode(&self, byte: u8) -> Option<char> {
        match byte {
            0x20..=0x7E => Some(char::from(byte)),
            0x80..=0xFF => self.glyphs[usize::from(byte - 0x80)],
            _ => None,
        }
    }

    /// Whether the table prints `c` (ASCII counts as present in every table).
    pub fn has(&self, c: char) -> bool {
        matches!(c, ' '..='~') || self.bytes.contains_key(&c)
    }
}

fn glyphs_from_rows(rows: &[String]) -> Option<[Option<char>; 128]> {
    let chars: Vec<char> = rows.iter().flat_map(|row| row.chars()).collect();
    if chars.len() != 128 {
        return None;
    }
    let mut glyphs = [None; 128];
    for (slot, c) in glyphs.iter_mut().zip(chars) {
        // The db fills undefined positions with a space; a space is ASCII and never needs them.
        *slot = (c != ' ').then_some(c);
    }
    Some(glyphs)
}

fn glyphs_for_name(name: &str) -> Option<[Option<char>; 128]> {
    if name == "ISO_8859-1" {
        return Some(latin1());
    }
    if let Some(number) = name.strip_prefix("CP").and_then(|n| n.parse::<u16>().ok())
        && let Some(glyphs) = oem_glyphs(number)
    {
        return Some(glyphs);
    }
    web_glyphs(name)
}

/// DOS code pages, from the oem_cp tables.
fn oem_glyphs(number: u16) -> Option<[Option<char>; 128]> {
    match DECODING_TABLE_CP_MAP.get(&number)? {
        TableType::Complete(table) => Some(table.map(Some)),
        TableType::Incomplete(table) => Some(**table),
    }
}

/// Windows and ISO 8859 pages, from encoding_rs.
fn web_glyphs(name: &str) -> Option<[Option<char>; 128]> {
    let label = if let Some(n) = name.strip_prefix("CP125") {
        format!("windows-125{n}")
    } else if let Some(n) = name.strip_prefix("ISO_8859-") {
        format!("iso-8859-{n}")
    } else {
        return None;
    };
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
    // WHATWG maps ISO-8859-9 to windows-1254 and fills holes with C1 controls; a printer's
    // ISO page has nothing at 0x80..=0x9F, so only glyphs at 0xA0 and up are taken for those.
    let first = if name.starts_with("ISO") { 0xA0 } else { 0x80 };
    let mut glyphs = [None; 128];
    for byte in first..=0xFFu8 {
        glyphs[usize::from(byte - 0x80)] = decode_single(encoding, byte);
    }
    Some(glyphs)
}

fn decode_single(encoding: &'static encoding_rs::Encoding, byte: u8) -> Option<char> {
    let input = [byte];
    let (text, had_errors) = encoding.decode_without_bom_handling(&input);
    let mut chars = text.chars();
    match (chars.next(), chars.next(), had_errors) {
        (Some(c), None, false) if !c.is_control() => Some(c),
        _ => None,
    }
}

fn latin1() -> [Option<char>; 128] {
    let mut glyphs = [None; 128];
    for byte in 0xA0..=0xFFu8 {
        glyphs[usize::from(byte - 0x80)] = Some(char::from(byte));
    }
    glyphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp858_has_euro_at_d5_and_cp850_does_not() {
        let cp858 = CodeTable::build(19, "CP858", None).unwrap();
        let cp850 = CodeTable::build(2, "CP850", None).unwrap();
        assert_eq!(cp858.encode('€'), Some(0xD5));
        assert_eq!(cp850.encode('€'), None);
        assert_eq!(cp850.encode('é'), Some(0x82));
    }

    #[test]
    fn windows_1252_has_oe_ligature_and_euro() {
        let t = CodeTable::build(16, "CP1252", None).unwrap();
        assert_eq!(t.encode('Œ'), Some(0x8C));
        assert_eq!(t.encode('€'), Some(0x80));
        assert_eq!(t.decode(0x81), None, "a hole in windows-1252 is no glyph");
    }

    #[test]
    fn iso_8859_15_has_euro_at_a4_and_nothing_below_a0() {
        let t = CodeTable::build(40, "ISO_8859-15", None).unwrap();
        assert_eq!(t.encode('€'), Some(0xA4));
        assert_eq!(t.decode(0x80), None);
    }

    #[test]
    fn pages_without_a_map_are_not_built() {
        assert!(CodeTable::build(1, "CP932", None).is_none());
        assert!(CodeTable::build(255, "Unknown", None).is_none());
    }
}
