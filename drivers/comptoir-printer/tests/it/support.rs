//! Test helpers: a Montréal receipt and a walker that reads encoded bytes back into text,
//! written from the Epson command lengths rather than from the encoder.

use std::path::Path;
use std::time::{Duration, Instant};

use comptoir_printer::{Document, Profile};

/// A receipt from a Montréal café, with the accents and signs French receipts carry.
pub fn montreal_receipt() -> Document {
    Document::new()
        .title("Café Olimpico")
        .centered("124, rue Saint-Viateur Ouest")
        .centered("Montréal (Québec) H2T 2L1")
        .line("Caissière : Françoise — caisse nº 2")
        .rule()
        .columns("Café au lait", "4,75 $")
        .columns("Crème brûlée à l’érable", "6,50 $")
        .columns("Bœuf bourguignon", "18,25 $")
        .columns("Œuf à la coque", "3,00 $")
        .columns("Pâté chinois « maison » de la Côte-des-Neiges", "14,00 $")
        .rule()
        .columns("Sous-total", "46,50 $")
        .columns("TPS 5 %", "2,33 $")
        .columns("TVQ 9,975 %", "4,64 $")
        .total("TOTAL", "53,47 $")
        .line("Payé en espèces : 60,00 $ (soit 41,00 €)")
        .centered("« Merci et à bientôt ! »")
        .code128("0101000042")
        .qr("https://comptoir.example/r/0101000042")
        .feed(2)
        .cut()
        .drawer_kick()
}

/// What the walker found in a job.
#[derive(Debug, Default)]
pub struct Walked {
    /// Printed lines, decoded through the table active at each byte.
    pub lines: Vec<String>,
    /// The raw bytes of every text run (no command bytes).
    pub text_bytes: Vec<u8>,
    /// Every command, as its bytes.
    pub commands: Vec<Vec<u8>>,
}

/// Splits a job into commands and text. Panics on a byte that is neither (an unknown command
/// or a control character), and on a byte ≥ 0x80 that the active table does not define.
pub fn walk(bytes: &[u8], profile: &Profile) -> Walked {
    let mut walked = Walked::default();
    let mut table = 0u8;
    let mut line = String::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b == 0x0A {
            walked.lines.push(std::mem::take(&mut line));
            at += 1;
        } else if b >= 0x20 && b != 0x7F {
            line.push(glyph(profile, table, b));
            walked.text_bytes.push(b);
            at += 1;
        } else {
            let len = command_len(&bytes[at..]);
            let command = bytes[at..at + len].to_vec();
            if command[..2] == [0x1B, b't'] {
                table = command[2];
            }
            walked.commands.push(command);
            at += len;
        }
    }
    if !line.is_empty() {
        walked.lines.push(line);
    }
    walked
}

fn glyph(profile: &Profile, table: u8, byte: u8) -> char {
    if byte < 0x80 {
        return char::from(byte);
    }
    let Some(active) = profile.table(table) else {
        panic!("byte {byte:#04x} printed in table {table}, which the profile cannot use");
    };
    let name = active.name();
    independent_decode(name, byte).unwrap_or_else(|| {
        panic!("byte {byte:#04x} is not defined in the active table {table} ({name})")
    })
}

/// Decodes through oem_cp and encoding_rs directly, not through the crate's own tables.
fn independent_decode(page: &str, byte: u8) -> Option<char> {
    if let Some(number) = page.strip_prefix("CP").and_then(|n| n.parse::<u16>().ok())
        && let Some(table) = oem_cp::code_table::DECODING_TABLE_CP_MAP.get(&number)
    {
        return match table {
            oem_cp::code_table_type::TableType::Complete(t) => Some(t[usize::from(byte - 0x80)]),
            oem_cp::code_table_type::TableType::Incomplete(t) => t[usize::from(byte - 0x80)],
        };
    }
    let label = match page {
        "CP1252" => "windows-1252",
        "ISO_8859-15" => "iso-8859-15",
        "CP1250" => "windows-1250",
        _ => panic!("test decoder has no table for {page}"),
    };
    let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
    let input = [byte];
    let (text, errors) = encoding.decode_without_bom_handling(&input);
    let c = text.chars().next()?;
    (!errors && !c.is_control()).then_some(c)
}

/// Command lengths from the Epson ESC/POS reference, for the commands a receipt uses.
fn command_len(rest: &[u8]) -> usize {
    let at = |i: usize| {
        usize::from(rest.get(i).copied().unwrap_or_else(|| panic!("truncated command {rest:02X?}")))
    };
    match rest {
        [0x1B, b'@', ..] => 2,
        [0x1B, b't' | b'R' | b'a' | b'E' | b'd' | b'!' | b'-' | b'M', ..] => 3,
        [0x1B, b'p', ..] => 5,
        [0x1D, b'!' | b'H' | b'f' | b'h' | b'w', ..] => 3,
        [0x1D, b'V', 65 | 66, ..] => 4,
        [0x1D, b'V', 0 | 1 | 48 | 49, ..] => 3,
        [0x1D, b'k', m, ..] if *m >= 65 => 4 + at(3),
        [0x1D, b'(', b'k', ..] => 5 + at(3) + 256 * at(4),
        [0x10, 0x04, ..] => 3,
        [0x10, 0x14, ..] => 5,
        _ => panic!("unknown command at {:02X?}", &rest[..rest.len().min(8)]),
    }
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Waits (at most five seconds) until `dir` holds `count` files ending in `ext`, then returns
/// them sorted by name.
pub fn wait_for_files(dir: &Path, ext: &str, count: usize) -> Vec<std::path::PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let files = files_with(dir, ext);
        if files.len() >= count || Instant::now() > deadline {
            return files;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn files_with(dir: &Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == ext));
    files.sort();
    files
}
