//! Turns Unicode text into printable cells: a byte of the active code table, a switch to
//! another table of the profile, or a transliteration, so no UTF-8 ever reaches the printer.

use unicode_normalization::UnicodeNormalization;

use crate::codepage::CodeTable;
use crate::profile::Profile;

/// One printed character: an ASCII byte (the same in every table) or a byte of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    pub table: Option<u8>,
    pub byte: u8,
}

impl Cell {
    const SPACE: Cell = Cell::ascii(b' ');

    const fn ascii(byte: u8) -> Cell {
        Cell { table: None, byte }
    }

    fn is_space(self) -> bool {
        self == Cell::SPACE
    }
}

/// Maps characters while remembering the table in use, so that a run of accented text stays
/// in one table and `ESC t` is sent only where the next character needs another one.
pub(crate) struct Mapper<'p> {
    profile: &'p Profile,
    current: u8,
}

impl<'p> Mapper<'p> {
    /// Starts in the table that serves the first stretch of `text` best.
    pub fn for_text(profile: &'p Profile, text: &[char]) -> Mapper<'p> {
        let first_needed = text.iter().position(|&c| needs_table(profile, c));
        let current = first_needed
            .and_then(|at| best_table(profile, &text[at..]))
            // A profile always has a table: loading refuses one without.
            .unwrap_or_else(|| profile.tables()[0].number());
        Mapper { profile, current }
    }

    /// The table the printer is in after the cells mapped so far.
    pub fn current(&self) -> u8 {
        self.current
    }

    /// Maps one line of text; control characters are dropped, so that text from a catalogue
    /// can never smuggle a command into the job.
    pub fn map(&mut self, text: &str) -> Vec<Cell> {
        let chars: Vec<char> = printable_chars(text).filter_map(clean).collect();
        let mut cells = Vec::with_capacity(chars.len());
        for at in 0..chars.len() {
            self.map_char(&chars[at..], &mut cells);
        }
        cells
    }

    fn map_char(&mut self, rest: &[char], cells: &mut Vec<Cell>) {
        let c = rest[0];
        if c.is_ascii() {
            cells.push(Cell::ascii(c as u8));
        } else if let Some(byte) = self.active().and_then(|t| t.encode(c)) {
            cells.push(Cell { table: Some(self.current), byte });
        } else if let Some(number) = best_table(self.profile, rest) {
            tracing::trace!(from = self.current, to = number, %c, "switching code table");
            self.current = number;
            self.map_char(rest, cells);
        } else {
            cells.extend(transliterate(c));
        }
    }

    /// The mark that ends a cut label: '…' if the active table has it, else '.'; one cell
    /// either way, so the layout does not move.
    pub fn ellipsis(&self) -> Cell {
        match self.active().and_then(|t| t.encode('…')) {
            Some(byte) => Cell { table: Some(self.current), byte },
            None => Cell::ascii(b'.'),
        }
    }

    fn active(&self) -> Option<&'p CodeTable> {
        self.profile.table(self.current)
    }
}

/// The characters of `text` in composed form (NFC): a letter and its combining accent ("e" +
/// U+0301, as macOS file names and some catalogue exports write it) become the one accented
/// letter the code tables have ("é"), instead of a letter and a mark no table holds.
pub(crate) fn printable_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.nfc()
}

/// Spaces of every kind (a French amount often has U+202F before the currency) become one
/// plain space; other control characters are dropped.
fn clean(c: char) -> Option<char> {
    if c.is_whitespace() {
        Some(' ')
    } else if c.is_control() {
        None
    } else {
        Some(c)
    }
}

fn needs_table(profile: &Profile, c: char) -> bool {
    !c.is_ascii() && profile.tables().iter().any(|t| t.has(c))
}

/// The table that has `rest[0]` and keeps the longest stretch of the following characters
/// printable without another switch; ties go to the lowest `ESC t` number.
fn best_table(profile: &Profile, rest: &[char]) -> Option<u8> {
    let first = *rest.first()?;
    let mut best: Option<(usize, u8)> = None;
    for table in profile.tables().iter().filter(|t| t.has(first)) {
        let run = covered_run(profile, table, rest);
        if best.is_none_or(|(longest, _)| run > longest) {
            best = Some((run, table.number()));
        }
    }
    best.map(|(_, number)| number)
}

fn covered_run(profile: &Profile, table: &CodeTable, rest: &[char]) -> usize {
    rest.iter().filter(|&&c| needs_table(profile, c)).take_while(|&&c| table.has(c)).count()
}

/// ASCII for a character no table has: "Œ" becomes "OE", "€" becomes "EUR", and what
/// deunicode does not know becomes '?'.
fn transliterate(c: char) -> Vec<Cell> {
    let ascii = deunicode::deunicode_char(c).unwrap_or("?");
    ascii.bytes().filter(|b| (0x20..0x7F).contains(b)).map(Cell::ascii).collect()
}

/// Breaks cells into lines of at most `width` cells, at spaces where possible.
pub(crate) fn wrap(cells: &[Cell], width: usize) -> Vec<Vec<Cell>> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut rest = trim_start(cells);
    while rest.len() > width {
        let cut = rest[..=width].iter().rposition(|c| c.is_space()).filter(|&at| at > 0);
        let (line, next) = rest.split_at(cut.unwrap_or(width));
        lines.push(trim_end(line).to_vec());
        rest = trim_start(next);
    }
    lines.push(trim_end(rest).to_vec());
    lines
}

/// Lays out a label and a right-aligned amount on `width` cells. A label too long is cut and
/// ends with `ellipsis`; an amount too long for one line goes on its own line under the label.
pub(crate) fn columns(
    left: &[Cell],
    right: &[Cell],
    width: usize,
    ellipsis: Cell,
) -> Vec<Vec<Cell>> {
    // Leading blanks are kept: an indented label (a quantity under its item) is meant.
    let left = trim_end(left);
    let right = trim_end(trim_start(right));
    if right.len() + 2 > width {
        let label = fit(left, width, ellipsis);
        let amount = pad_left(&right[..right.len().min(width)], width);
        return vec![label, amount];
    }
    let room = width - right.len() - 1;
    let mut line = fit(left, room, ellipsis);
    line.resize(width - right.len(), Cell::SPACE);
    line.extend_from_slice(right);
    vec![line]
}

fn fit(cells: &[Cell], width: usize, ellipsis: Cell) -> Vec<Cell> {
    if cells.len() <= width {
        return cells.to_vec();
    }
    let mut kept = trim_end(&cells[..width.saturating_sub(1)]).to_vec();
    kept.push(ellipsis);
    kept
}

fn pad_left(cells: &[Cell], width: usize) -> Vec<Cell> {
    let mut line = vec![Cell::SPACE; width.saturating_sub(cells.len())];
    line.extend_from_slice(cells);
    line
}

fn trim_start(cells: &[Cell]) -> &[Cell] {
    let start = cells.iter().position(|c| !c.is_space()).unwrap_or(cells.len());
    &cells[start..]
}

fn trim_end(cells: &[Cell]) -> &[Cell] {
    let end = cells.iter().rposition(|c| !c.is_space()).map_or(0, |at| at + 1);
    &cells[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ascii(text: &str) -> Vec<Cell> {
        text.bytes().map(Cell::ascii).collect()
    }

    fn show(lines: &[Vec<Cell>]) -> Vec<String> {
        lines.iter().map(|l| l.iter().map(|c| char::from(c.byte)).collect()).collect()
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        let lines = wrap(&ascii("merci de votre visite"), 10);
        assert_eq!(show(&lines), ["merci de", "votre", "visite"]);
    }

    #[test]
    fn wrap_cuts_a_word_longer_than_the_line() {
        assert_eq!(show(&wrap(&ascii("abcdefghij"), 4)), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn columns_cut_the_label_and_keep_the_amount() {
        let lines = columns(&ascii("Croissant aux amandes"), &ascii("3,25"), 16, Cell::ascii(b'.'));
        assert_eq!(show(&lines), ["Croissant.  3,25"]);
        let lines = columns(&ascii("Pain"), &ascii("3,25"), 16, Cell::ascii(b'.'));
        assert_eq!(show(&lines), ["Pain        3,25"]);
    }

    #[test]
    fn an_amount_wider_than_the_paper_goes_on_its_own_line() {
        let lines = columns(&ascii("Total"), &ascii("123456789"), 8, Cell::ascii(b'.'));
        assert_eq!(show(&lines), ["Total", "12345678"]);
    }

    #[test]
    fn control_characters_never_reach_the_printer() {
        let profile = Profile::load("TM-T88II").unwrap();
        let mut mapper = Mapper::for_text(&profile, &[]);
        assert_eq!(mapper.map("A\u{1b}@B\tC"), ascii("A@B C"));
    }
}
