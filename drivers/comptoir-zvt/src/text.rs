//! Text from the terminal: print lines and display texts. The specification says code page
//! 437; terminals in the field also send ISO 8859-1 (`C4` for `Ä`), so bytes 80..9F and E1 are
//! read as CP437 and A0..FF as Latin-1.

const CP437_80: [char; 32] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ',
    'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ',
];

/// Decodes terminal text; control characters become spaces, a trailing NUL is dropped.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    bytes
        .iter()
        .map(|&b| match b {
            0x20..=0x7E => char::from(b),
            0x80..=0x9F => CP437_80[usize::from(b - 0x80)],
            0xE1 => 'ß',
            0xA0..=0xFF => char::from(b),
            _ => ' ',
        })
        .collect()
}

/// Encodes text for a print line: ASCII as is, the CP437 letters above, `?` for the rest.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            'ß' => 0xE1,
            _ => CP437_80.iter().position(|&k| k == c).map_or(b'?', |i| 0x80 + i as u8),
        })
        .collect()
}
