//! Turning printed bytes into Unicode: code tables (`ESC t`), international sets (`ESC R`)
//! and Kanji mode (`FS &`), with the state the printer keeps between commands.

use encoding_rs::Encoding;
use oem_cp::code_table as oem;

use crate::command::Command;
use crate::error::DecodeError;
use crate::tables;

/// How a code table maps its upper half (0x80..=0xFF); the lower half is always ASCII.
#[derive(Clone, Copy)]
enum Mapping {
    Complete(&'static [char; 128]),
    Partial(&'static [Option<char>; 128]),
    Web(&'static Encoding),
}

/// Epson's `ESC t` numbers with the tables this decoder maps, named as in the printer database.
const CODE_TABLES: &[(u8, &str, Mapping)] = &[
    (0, "PC437", Mapping::Complete(&oem::DECODING_TABLE_CP437)),
    // FIXME(escpos-katakana): the box-drawing and symbol glyphs Epson puts at 0x80..=0x9F and
    // 0xE0..=0xFF of this page decode to U+FFFD; no chart of them was at hand to check against.
    (1, "Katakana", Mapping::Complete(&tables::KATAKANA)),
    (2, "PC850", Mapping::Complete(&oem::DECODING_TABLE_CP850)),
    (3, "PC860", Mapping::Complete(&oem::DECODING_TABLE_CP860)),
    (4, "PC863", Mapping::Complete(&oem::DECODING_TABLE_CP863)),
    (5, "PC865", Mapping::Complete(&oem::DECODING_TABLE_CP865)),
    (13, "PC857", Mapping::Partial(&oem::DECODING_TABLE_CP857)),
    (14, "PC737", Mapping::Complete(&oem::DECODING_TABLE_CP737)),
    (15, "ISO8859-7", Mapping::Web(encoding_rs::ISO_8859_7)),
    (16, "WPC1252", Mapping::Web(encoding_rs::WINDOWS_1252)),
    (17, "PC866", Mapping::Complete(&oem::DECODING_TABLE_CP866)),
    (18, "PC852", Mapping::Complete(&oem::DECODING_TABLE_CP852)),
    (19, "PC858", Mapping::Complete(&oem::DECODING_TABLE_CP858)),
    (21, "PC874", Mapping::Partial(&oem::DECODING_TABLE_CP874)),
    (30, "TCVN-3 lower case", Mapping::Complete(&tables::TCVN3_LOWER)),
    (31, "TCVN-3 capitals", Mapping::Complete(&tables::TCVN3_UPPER)),
    (32, "PC720", Mapping::Complete(&oem::DECODING_TABLE_CP720)),
    (33, "PC775", Mapping::Complete(&oem::DECODING_TABLE_CP775)),
    (34, "PC855", Mapping::Complete(&oem::DECODING_TABLE_CP855)),
    (35, "PC861", Mapping::Complete(&oem::DECODING_TABLE_CP861)),
    (36, "PC862", Mapping::Complete(&oem::DECODING_TABLE_CP862)),
    (37, "PC864", Mapping::Partial(&oem::DECODING_TABLE_CP864)),
    (38, "PC869", Mapping::Complete(&oem::DECODING_TABLE_CP869)),
    (39, "ISO8859-2", Mapping::Web(encoding_rs::ISO_8859_2)),
    (40, "ISO8859-15", Mapping::Web(encoding_rs::ISO_8859_15)),
    (42, "PC774", Mapping::Complete(&tables::CP774)),
    (43, "PC772", Mapping::Complete(&tables::CP772)),
    (44, "PC1125", Mapping::Complete(&tables::CP1125)),
    (45, "WPC1250", Mapping::Web(encoding_rs::WINDOWS_1250)),
    (46, "WPC1251", Mapping::Web(encoding_rs::WINDOWS_1251)),
    (47, "WPC1253", Mapping::Web(encoding_rs::WINDOWS_1253)),
    (48, "WPC1254", Mapping::Web(encoding_rs::WINDOWS_1254)),
    (49, "WPC1255", Mapping::Web(encoding_rs::WINDOWS_1255)),
    (50, "WPC1256", Mapping::Web(encoding_rs::WINDOWS_1256)),
    (51, "WPC1257", Mapping::Web(encoding_rs::WINDOWS_1257)),
    (52, "WPC1258", Mapping::Web(encoding_rs::WINDOWS_1258)),
    (53, "KZ-1048", Mapping::Complete(&tables::RK1048)),
];

/// The name of Epson code table `n`, if this decoder maps it.
pub fn code_table_name(n: u8) -> Option<&'static str> {
    CODE_TABLES.iter().find(|(number, ..)| *number == n).map(|(_, name, _)| *name)
}

fn mapping(n: u8) -> Option<Mapping> {
    CODE_TABLES.iter().find(|(number, ..)| *number == n).map(|(.., mapping)| *mapping)
}

/// The twelve ASCII positions an international character set (`ESC R n`) replaces.
const NATIONAL_POSITIONS: [u8; 12] = *b"#$@[\\]^`{|}~";

/// What sits at [`NATIONAL_POSITIONS`] for `ESC R` 0..=16 (USA .. Vietnam), from the reference.
const NATIONAL_SETS: [&str; 17] = [
    "#$@[\\]^`{|}~",
    "#$à°ç§^`éùè¨",
    "#$§ÄÖÜ^`äöüß",
    "£$@[\\]^`{|}~",
    "#$@ÆØÅ^`æøå~",
    "#¤ÉÄÖÅÜéäöåü",
    "#$@°\\é^ùàòèì",
    "₧$@¡Ñ¿^`¨ñ}~",
    "#$@[¥]^`{|}~",
    "#¤ÉÆØÅÜéæøåü",
    "#$ÉÆØÅÜéæøåü",
    "#$á¡Ñ¿é`íñóú",
    "#$á¡Ñ¿éüíñóú",
    "#$@[₩]^`{|}~",
    "#$ŽŠĐĆČžšđćč",
    "#¥@[\\]^`{|}~",
    "#₫@[\\]^`{|}~",
];

/// The multi-byte encoding Kanji mode uses: GB18030 (a superset of GBK) on Chinese models,
/// or the JIS and Shift JIS systems `FS C` selects on Japanese ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KanjiEncoding {
    #[default]
    Gb18030,
    Jis,
    ShiftJis,
}

/// What the printer is like before the job's first byte (and after each `ESC @`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DecodeOptions {
    /// Kanji mode on at power-on, as on many Chinese-market printers.
    pub kanji_mode_at_init: bool,
    /// The Kanji encoding at power-on.
    pub kanji_encoding: KanjiEncoding,
}

/// The character state the printer keeps between commands.
pub(crate) struct TextState {
    options: DecodeOptions,
    code_table: u8,
    charset: u8,
    kanji: bool,
    encoding: KanjiEncoding,
}

impl TextState {
    pub(crate) fn new(options: DecodeOptions) -> Self {
        Self {
            options,
            code_table: 0,
            charset: 0,
            kanji: options.kanji_mode_at_init,
            encoding: options.kanji_encoding,
        }
    }

    /// Follows the commands that change how later bytes decode.
    pub(crate) fn apply(&mut self, command: &Command) {
        match command {
            Command::Init => *self = Self::new(self.options),
            Command::SelectCodeTable(n) => self.code_table = *n,
            Command::InternationalCharset(n) => self.charset = *n,
            Command::KanjiMode(on) => self.kanji = *on,
            Command::KanjiCodeSystem(0) => self.encoding = KanjiEncoding::Jis,
            Command::KanjiCodeSystem(_) => self.encoding = KanjiEncoding::ShiftJis,
            _ => {}
        }
    }

    /// Decodes a run of printable bytes that starts at `offset` in the job.
    pub(crate) fn decode(&self, run: &[u8], offset: usize) -> Result<String, DecodeError> {
        if self.kanji {
            let text = self.decode_kanji(run, offset)?;
            return text.chars().map(|c| self.national_char(c, offset)).collect();
        }
        let mapping = mapping(self.code_table);
        let chars = run.iter().enumerate().map(|(i, &byte)| {
            if byte < 0x80 {
                return self.national(byte, offset + i);
            }
            let mapping = mapping.ok_or(DecodeError::UnsupportedCodeTable {
                offset: offset + i,
                table: self.code_table,
                byte,
            })?;
            Ok(upper_half(mapping, byte))
        });
        chars.collect()
    }

    /// An ASCII byte, replaced as the international character set says.
    fn national(&self, byte: u8, offset: usize) -> Result<char, DecodeError> {
        let Some(position) = NATIONAL_POSITIONS.iter().position(|&p| p == byte) else {
            return Ok(char::from(byte));
        };
        let set = NATIONAL_SETS.get(usize::from(self.charset));
        let unsupported = DecodeError::UnsupportedCharset { offset, charset: self.charset, byte };
        set.and_then(|set| set.chars().nth(position)).ok_or(unsupported)
    }

    /// [`Self::national`] for the ASCII characters of decoded Kanji-mode text.
    fn national_char(&self, c: char, offset: usize) -> Result<char, DecodeError> {
        match u8::try_from(c) {
            Ok(byte) if byte < 0x80 => self.national(byte, offset),
            _ => Ok(c),
        }
    }

    /// Kanji mode: one byte for ASCII, two (or four, in GB18030) for everything else.
    fn decode_kanji(&self, run: &[u8], offset: usize) -> Result<String, DecodeError> {
        let malformed = |encoding: &'static str| DecodeError::MalformedText {
            offset,
            bytes: run.iter().copied().take(crate::error::QUOTED_BYTES).collect(),
            encoding,
        };
        let (encoding, bytes) = match self.encoding {
            KanjiEncoding::Gb18030 => (encoding_rs::GB18030, run.to_vec()),
            KanjiEncoding::ShiftJis => (encoding_rs::SHIFT_JIS, run.to_vec()),
            KanjiEncoding::Jis => (encoding_rs::EUC_JP, jis_as_euc(run).ok_or(malformed("JIS"))?),
        };
        encoding
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .map(|text| text.into_owned())
            .ok_or(malformed(encoding.name()))
    }
}

/// In JIS mode every character is two bytes 0x21..=0x7E; EUC-JP is the same with the high
/// bits set, which lets encoding_rs read it.
fn jis_as_euc(run: &[u8]) -> Option<Vec<u8>> {
    let valid = run.len().is_multiple_of(2) && run.iter().all(|b| (0x21..=0x7E).contains(b));
    valid.then(|| run.iter().map(|b| b | 0x80).collect())
}

/// A byte 0x80..=0xFF of a mapped table; U+FFFD where the table leaves the byte undefined.
fn upper_half(mapping: Mapping, byte: u8) -> char {
    let index = usize::from(byte - 0x80);
    match mapping {
        Mapping::Complete(table) => table[index],
        Mapping::Partial(table) => table[index].unwrap_or(char::REPLACEMENT_CHARACTER),
        Mapping::Web(encoding) => {
            let bytes = [byte];
            let (text, _) = encoding.decode_without_bom_handling(&bytes);
            text.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_with_table(table: u8, bytes: &[u8]) -> String {
        let mut state = TextState::new(DecodeOptions::default());
        state.apply(&Command::SelectCodeTable(table));
        state.decode(bytes, 0).expect("mapped table")
    }

    #[test]
    fn euro_sign_sits_where_each_table_puts_it() {
        assert_eq!(decode_with_table(16, &[0x80]), "€");
        assert_eq!(decode_with_table(19, &[0xD5]), "€");
        assert_eq!(decode_with_table(40, &[0xA4]), "€");
    }

    #[test]
    fn own_tables_agree_with_the_pages_they_derive_from() {
        // CP772 and CP1125 keep PC866's Cyrillic letters and box drawing; CP774 keeps PC437's
        // first three rows. These rows come from oem_cp, so the generated tables are checked.
        let cp866 = &oem::DECODING_TABLE_CP866;
        assert_eq!(tables::CP772[..0x30], cp866[..0x30]);
        assert_eq!(tables::CP772[0x60..0x70], cp866[0x60..0x70]);
        assert_eq!(tables::CP1125[..0x70], cp866[..0x70]);
        assert_eq!(tables::CP774[..0x30], oem::DECODING_TABLE_CP437[..0x30]);
        assert_eq!(decode_with_table(44, &[0xF2, 0xF6]), "ҐІ");
        assert_eq!(decode_with_table(53, &[0xAF, 0xC0]), "ҮА");
    }

    #[test]
    fn international_set_replaces_ascii_positions() {
        let mut state = TextState::new(DecodeOptions::default());
        state.apply(&Command::InternationalCharset(2));
        assert_eq!(state.decode(b"[Gr\\e]", 0).expect("set 2"), "ÄGrÖeÜ");
        state.apply(&Command::InternationalCharset(99));
        assert!(state.decode(b"plain", 0).is_ok());
        assert!(state.decode(b"#1", 7).is_err());
    }

    #[test]
    fn unmapped_table_is_refused_only_for_bytes_above_ascii() {
        let mut state = TextState::new(DecodeOptions::default());
        state.apply(&Command::SelectCodeTable(255));
        assert_eq!(state.decode(b"Table 255", 0).expect("ascii"), "Table 255");
        let error = state.decode(b"x\x80", 10).expect_err("unmapped");
        assert_eq!(error.offset(), 11);
    }

    #[test]
    fn kanji_mode_reads_gbk_and_shift_jis() {
        let mut state = TextState::new(DecodeOptions::default());
        state.apply(&Command::KanjiMode(true));
        assert_eq!(state.decode(b"\xb2\xcd\xb9\xdd 1", 0).expect("gbk"), "餐馆 1");
        state.apply(&Command::KanjiCodeSystem(1));
        assert_eq!(state.decode(b"\x93\xfa\x96\x7b", 0).expect("sjis"), "日本");
        state.apply(&Command::KanjiCodeSystem(0));
        assert_eq!(state.decode(b"\x46\x7c\x4b\x5c", 0).expect("jis"), "日本");
        assert!(state.decode(b"\x46", 0).is_err());
    }
}
