//! What a 2x20 display shows: two lines of exactly 20 cells, each cell a character the
//! display's code table holds, so the app's preview and the bytes sent are the same thing.

use std::fmt;

use comptoir_printer::CodeTable;

/// Cells per line.
pub const COLUMNS: usize = 20;
/// Lines.
pub const ROWS: usize = 2;

/// A code table of an Epson DM-D display, selected with `ESC t n`. The numbers are the
/// DM-D110 specification's (`ESC t n`, range 0..5, 16..19): the same as Epson printers'.
#[derive(Debug, Clone)]
pub struct CodePage {
    table: CodeTable,
}

/// The `ESC t` numbers this driver maps, with the code page each selects.
pub const PAGES: [(u8, &str); 9] = [
    (0, "CP437"),
    (2, "CP850"),
    (3, "CP860"),
    (4, "CP863"),
    (5, "CP865"),
    (16, "CP1252"),
    (17, "CP866"),
    (18, "CP852"),
    (19, "CP858"),
];

impl CodePage {
    /// The table `ESC t number` selects, or `None` for a number this driver has no map for
    /// (1, Katakana, among them).
    pub fn epson(number: u8) -> Option<CodePage> {
        let (_, name) = PAGES.iter().find(|(n, _)| *n == number)?;
        CodeTable::build(number, name, None).map(|table| CodePage { table })
    }

    /// The `n` of `ESC t n`.
    pub fn number(&self) -> u8 {
        self.table.number()
    }

    pub fn name(&self) -> &str {
        self.table.name()
    }

    /// The byte that shows `c`: ASCII as is, others through the table.
    pub fn byte(&self, c: char) -> Option<u8> {
        if matches!(c, ' '..='~') {
            return Some(c as u8);
        }
        self.table.encode(c)
    }

    /// What a byte shows as: ASCII, or the table's glyph above 0x7F.
    pub fn glyph(&self, byte: u8) -> Option<char> {
        self.table.decode(byte)
    }

    /// The cells `text` takes: each character the table holds is one cell; one it does not is
    /// transliterated ("œ" → "oe", "€" → "EUR" when the table has no euro) or becomes '?';
    /// whitespace is a space and control characters are dropped, so catalogue text can never
    /// carry a command to the display.
    pub fn cells(&self, text: &str) -> Vec<char> {
        let mut cells = Vec::with_capacity(text.len());
        for c in text.chars() {
            if c.is_whitespace() {
                cells.push(' ');
            } else if c.is_control() {
                continue;
            } else if self.byte(c).is_some() {
                cells.push(c);
            } else {
                let ascii = deunicode::deunicode_char(c).unwrap_or("?");
                cells.extend(ascii.chars().filter(|c| matches!(c, ' '..='~')));
            }
        }
        cells
    }
}

/// Two lines of exactly [`COLUMNS`] cells, made by a [`Layout`] for one code page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayText {
    lines: [Vec<char>; ROWS],
}

impl DisplayText {
    /// A blank display.
    pub fn blank() -> DisplayText {
        DisplayText { lines: [vec![' '; COLUMNS], vec![' '; COLUMNS]] }
    }

    /// One line, 20 characters, as the display shows it (0 is the top line).
    pub fn line(&self, row: usize) -> String {
        self.lines.get(row).map(|l| l.iter().collect()).unwrap_or_default()
    }

    /// Both lines, for a preview.
    pub fn lines(&self) -> [String; ROWS] {
        [self.line(0), self.line(1)]
    }

    /// Whether every character is one `page` holds (true when a [`Layout`] for `page` made
    /// it).
    pub fn fits(&self, page: &CodePage) -> bool {
        self.lines.iter().flatten().all(|&c| page.byte(c).is_some())
    }

    pub(crate) fn cells(&self, row: usize) -> &[char] {
        &self.lines[row]
    }
}

impl fmt::Display for DisplayText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.line(0), self.line(1))
    }
}

/// Lays out what the register shows on a display with a given code page. Labels ("Total",
/// "Change") come from the caller, in the cashier's language; amounts come formatted.
#[derive(Debug, Clone)]
pub struct Layout {
    page: CodePage,
}

impl Layout {
    pub fn new(page: CodePage) -> Layout {
        Layout { page }
    }

    pub fn page(&self) -> &CodePage {
        &self.page
    }

    /// Two lines of text, left-aligned, cut at 20 cells.
    pub fn text(&self, top: &str, bottom: &str) -> DisplayText {
        DisplayText { lines: [self.left(top), self.left(bottom)] }
    }

    /// A line as it is rung: its name on the left and its price on the right of the top line,
    /// the sale's total on the bottom line.
    pub fn item(&self, name: &str, price: &str, total_label: &str, total: &str) -> DisplayText {
        DisplayText { lines: [self.columns(name, price), self.columns(total_label, total)] }
    }

    /// The total to pay: the label on top, the amount right-aligned below.
    pub fn total(&self, label: &str, amount: &str) -> DisplayText {
        DisplayText { lines: [self.left(label), self.right(amount)] }
    }

    /// The payment and the change: `Cash 20.00` on top, `Change 1.70` below.
    pub fn change(
        &self,
        paid_label: &str,
        paid: &str,
        change_label: &str,
        change: &str,
    ) -> DisplayText {
        DisplayText { lines: [self.columns(paid_label, paid), self.columns(change_label, change)] }
    }

    /// Between sales: a welcome and the store's name, centred.
    pub fn idle(&self, top: &str, bottom: &str) -> DisplayText {
        DisplayText { lines: [self.centre(top), self.centre(bottom)] }
    }

    fn trimmed(&self, text: &str) -> Vec<char> {
        let cells = self.page.cells(text);
        let start = cells.iter().position(|&c| c != ' ').unwrap_or(cells.len());
        let end = cells.iter().rposition(|&c| c != ' ').map_or(start, |at| at + 1);
        cells[start..end].to_vec()
    }

    fn left(&self, text: &str) -> Vec<char> {
        let mut cells = self.trimmed(text);
        cells.resize(COLUMNS, ' ');
        cells
    }

    fn right(&self, text: &str) -> Vec<char> {
        let cells = self.trimmed(text);
        let cells = &cells[..cells.len().min(COLUMNS)];
        let mut line = vec![' '; COLUMNS - cells.len()];
        line.extend_from_slice(cells);
        line
    }

    fn centre(&self, text: &str) -> Vec<char> {
        let mut cells = self.trimmed(text);
        cells.truncate(COLUMNS);
        let before = (COLUMNS - cells.len()) / 2;
        let mut line = vec![' '; before];
        line.extend(cells);
        line.resize(COLUMNS, ' ');
        line
    }

    /// A label on the left and an amount on the right, at least one space between. The label
    /// is cut, not the amount: an amount too wide to leave room for a label takes the line
    /// alone (and one wider than the line, which no price is, is cut at 20 cells).
    fn columns(&self, label: &str, amount: &str) -> Vec<char> {
        let amount = self.trimmed(amount);
        if amount.len() + 2 > COLUMNS {
            return self.right(&amount.iter().collect::<String>());
        }
        let mut line = self.trimmed(label);
        let room = COLUMNS - amount.len() - 1;
        line.truncate(room);
        while line.last() == Some(&' ') {
            line.pop();
        }
        line.resize(COLUMNS - amount.len(), ' ');
        line.extend(amount);
        line
    }
}
