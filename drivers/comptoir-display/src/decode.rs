//! A 2x20 display's screen as the Epson ESC/POS display commands move it, written from the
//! DM-D110 specification and the DM-D "Epson command mode" tables (not from our encoder), so
//! the simulator and the tests see what a real display would show.
//!
//! Cursor rules, in overwrite mode (`US MD1`): a character is written at the cursor, which
//! moves right; past the end of the top line it goes to the start of the bottom line, past the
//! end of the bottom line back home. In vertical scroll mode (`US MD2`) the next character
//! after the last cell moves the bottom line up and starts a blank bottom line. In horizontal scroll mode (`US MD3`) the line
//! shifts left under a cursor held at its end.

use crate::text::{COLUMNS, CodePage, ROWS};

/// Why bytes are no display command. Never a panic: unknown commands, bad parameters and half
/// commands all end here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown display command {0:02X?}")]
    Unknown(Vec<u8>),
    #[error("the bytes end in the middle of a command: {0:02X?}")]
    Incomplete(Vec<u8>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Overwrite,
    VerticalScroll,
    HorizontalScroll,
}

/// The display's state: what it shows and everything a command can change.
#[derive(Debug, Clone)]
pub struct Screen {
    cells: [[char; COLUMNS]; ROWS],
    column: usize,
    row: usize,
    pub mode: Mode,
    pub table: u8,
    page: Option<CodePage>,
    pub cursor_visible: bool,
    pub brightness: u8,
    /// `ESC =`: bit 0 the printer, bit 1 the display.
    pub selected: u8,
    /// Bytes that went to the printer while it was selected.
    pub printer_bytes: usize,
    pending: Vec<u8>,
}

impl Default for Screen {
    fn default() -> Screen {
        Screen::new()
    }
}

enum Step {
    /// A whole command or character of this many bytes, done.
    Done(usize),
    /// The bytes stop inside a command.
    Incomplete,
    /// This many bytes are no command.
    Bad(usize),
}

impl Screen {
    /// A display as switched on: blank, cursor home, table 0, overwrite mode, display selected.
    pub fn new() -> Screen {
        Screen {
            cells: [[' '; COLUMNS]; ROWS],
            column: 0,
            row: 0,
            mode: Mode::Overwrite,
            table: 0,
            page: CodePage::epson(0),
            cursor_visible: true,
            brightness: 4,
            selected: 2,
            printer_bytes: 0,
            pending: Vec::new(),
        }
    }

    /// The two lines shown, 20 characters each.
    pub fn lines(&self) -> [String; ROWS] {
        [self.cells[0].iter().collect(), self.cells[1].iter().collect()]
    }

    /// Where the cursor is, counted from 1 like `US $` (21 when vertical scroll mode holds it
    /// past the last cell).
    pub fn cursor(&self) -> (usize, usize) {
        (self.column + 1, self.row + 1)
    }

    /// Takes bytes as they arrive; a command cut between two reads is kept for the next.
    /// Bytes that are no command are skipped and reported, as a display ignores them.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<DecodeError> {
        let mut errors = Vec::new();
        self.pending.extend_from_slice(bytes);
        let input = std::mem::take(&mut self.pending);
        let mut at = 0;
        while at < input.len() {
            match self.step(&input[at..]) {
                Step::Done(n) => at += n,
                Step::Bad(n) => {
                    errors.push(DecodeError::Unknown(input[at..at + n].to_vec()));
                    at += n;
                }
                Step::Incomplete => break,
            }
        }
        self.pending = input[at..].to_vec();
        errors
    }

    /// Whether a command is waiting for its last bytes.
    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    fn step(&mut self, bytes: &[u8]) -> Step {
        if self.selected & 2 == 0 {
            return self.pass_to_printer(bytes);
        }
        match bytes[0] {
            0x1B => self.escape(bytes),
            0x1F => self.unit(bytes),
            0x08 => self.done(1, Screen::back),
            0x09 => self.done(1, Screen::forward),
            0x0A => self.done(1, Screen::down),
            0x0B => self.done(1, |s| (s.column, s.row) = (0, 0)),
            0x0C => self.done(1, Screen::clear),
            0x0D => self.done(1, |s| s.column = 0),
            0x18 => self.done(1, |s| {
                s.cells[s.row] = [' '; COLUMNS];
                s.column = 0;
            }),
            0x00..=0x1F => Step::Bad(1),
            byte => {
                let glyph = self.glyph(byte);
                self.done(1, |s| s.write(glyph))
            }
        }
    }

    /// While only the printer is selected, everything but `ESC = n` goes to the printer.
    fn pass_to_printer(&mut self, bytes: &[u8]) -> Step {
        match bytes {
            [0x1B] | [0x1B, 0x3D] => Step::Incomplete,
            [0x1B, 0x3D, n, ..] if (1..=3).contains(n) => {
                self.selected = *n;
                Step::Done(3)
            }
            _ => {
                self.printer_bytes += 1;
                Step::Done(1)
            }
        }
    }

    fn escape(&mut self, bytes: &[u8]) -> Step {
        let Some(&command) = bytes.get(1) else { return Step::Incomplete };
        match command {
            b'@' => self.done(2, Screen::reset),
            b't' | b'R' | b'=' => {
                let Some(&n) = bytes.get(2) else { return Step::Incomplete };
                match command {
                    b't' => self.done(3, |s| s.select_table(n)),
                    // The international set changes a few ASCII glyphs; we show ASCII as is.
                    b'R' => Step::Done(3),
                    _ => self.done(3, |s| {
                        if (1..=3).contains(&n) {
                            s.selected = n;
                        }
                    }),
                }
            }
            _ => Step::Bad(2),
        }
    }

    fn unit(&mut self, bytes: &[u8]) -> Step {
        let Some(&command) = bytes.get(1) else { return Step::Incomplete };
        match command {
            0x01 => self.done(2, |s| s.mode = Mode::Overwrite),
            0x02 => self.done(2, |s| s.mode = Mode::VerticalScroll),
            0x03 => self.done(2, |s| s.mode = Mode::HorizontalScroll),
            0x0A => self.done(2, Screen::up),
            0x0D => self.done(2, |s| s.column = COLUMNS - 1),
            b'B' => self.done(2, |s| (s.column, s.row) = (0, ROWS - 1)),
            b'$' => match bytes {
                [_, _, x, y, ..] => {
                    let (x, y) = (usize::from(*x), usize::from(*y));
                    self.done(4, |s| {
                        // Out of range, the command is ignored, as the specification says.
                        if (1..=COLUMNS).contains(&x) && (1..=ROWS).contains(&y) {
                            (s.column, s.row) = (x - 1, y - 1);
                        }
                    })
                }
                _ => Step::Incomplete,
            },
            b'C' | b'X' | b'E' | b'r' => {
                let Some(&n) = bytes.get(2) else { return Step::Incomplete };
                self.done(3, |s| match command {
                    b'C' => s.cursor_visible = n & 1 == 1,
                    b'X' if (1..=4).contains(&n) => s.brightness = n,
                    // Blinking and reverse characters change how it looks, not what it shows.
                    _ => {}
                })
            }
            _ => Step::Bad(2),
        }
    }

    fn done(&mut self, length: usize, action: impl FnOnce(&mut Screen)) -> Step {
        action(self);
        Step::Done(length)
    }

    fn glyph(&self, byte: u8) -> char {
        match byte {
            0x20..=0x7E => char::from(byte),
            _ => self.page.as_ref().and_then(|p| p.glyph(byte)).unwrap_or('?'),
        }
    }

    fn select_table(&mut self, n: u8) {
        self.table = n;
        self.page = CodePage::epson(n);
    }

    fn reset(&mut self) {
        let selected = self.selected;
        let printer_bytes = self.printer_bytes;
        *self = Screen { selected, printer_bytes, ..Screen::new() };
    }

    fn clear(&mut self) {
        self.cells = [[' '; COLUMNS]; ROWS];
        (self.column, self.row) = (0, 0);
    }

    fn write(&mut self, glyph: char) {
        if self.mode == Mode::HorizontalScroll && self.column == COLUMNS - 1 {
            let line = &mut self.cells[self.row];
            if line[COLUMNS - 1] != ' ' {
                line.rotate_left(1);
            }
            line[COLUMNS - 1] = glyph;
            return;
        }
        if self.column >= COLUMNS {
            // Vertical scroll mode held the cursor past the last cell: scroll now.
            self.column = 0;
            self.down();
        }
        self.cells[self.row][self.column] = glyph;
        if self.mode == Mode::VerticalScroll && self.row + 1 == ROWS && self.column + 1 == COLUMNS {
            // The bottom line scrolls up when the next character comes, not before, so 40
            // characters fill the screen.
            self.column = COLUMNS;
            return;
        }
        self.forward();
    }

    fn forward(&mut self) {
        if self.column + 1 < COLUMNS {
            self.column += 1;
            return;
        }
        self.column = 0;
        self.down();
    }

    fn back(&mut self) {
        if self.column > 0 {
            self.column -= 1;
        } else if self.row > 0 {
            (self.column, self.row) = (COLUMNS - 1, self.row - 1);
        } else {
            (self.column, self.row) = (COLUMNS - 1, ROWS - 1);
        }
    }

    fn down(&mut self) {
        if self.row + 1 < ROWS {
            self.row += 1;
        } else if self.mode == Mode::VerticalScroll {
            self.cells[0] = self.cells[1];
            self.cells[1] = [' '; COLUMNS];
        } else {
            self.row = 0;
        }
    }

    fn up(&mut self) {
        self.row = if self.row > 0 { self.row - 1 } else { ROWS - 1 };
    }
}

/// Decodes a whole byte string: the screen it leaves, or the first thing that is no command.
/// A string that ends inside a command is [`DecodeError::Incomplete`].
pub fn decode(bytes: &[u8]) -> Result<Screen, DecodeError> {
    let mut screen = Screen::new();
    let mut at = 0;
    while at < bytes.len() {
        match screen.step(&bytes[at..]) {
            Step::Done(n) => at += n,
            Step::Bad(n) => return Err(DecodeError::Unknown(bytes[at..at + n].to_vec())),
            Step::Incomplete => return Err(DecodeError::Incomplete(bytes[at..].to_vec())),
        }
    }
    Ok(screen)
}
