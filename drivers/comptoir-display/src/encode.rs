//! The bytes a DM-D class display receives, from the Epson ESC/POS display commands
//! ("standard mode"): initialise, select the code table, overwrite mode, cursor off, then each
//! line written at its position.
//!
//! | bytes          | command                                        |
//! |----------------|------------------------------------------------|
//! | `1B 40`        | ESC @: initialise display (clears it, cursor home) |
//! | `1B 74 n`      | ESC t n: select character code table           |
//! | `1F 01`        | US MD1: overwrite mode                         |
//! | `1F 43 n`      | US C n: cursor off (0) or on (1)               |
//! | `1F 24 x y`    | US $ x y: cursor to column x (1..20), line y (1..2) |
//! | `0C`           | CLR: clear the screen, cursor home             |
//! | `1B 3D n`      | ESC = n: data to the printer (1), the display (2) or both (3) |

use crate::text::{CodePage, DisplayText, ROWS};

pub const INIT: [u8; 2] = [0x1B, 0x40];
pub const CLEAR: [u8; 1] = [0x0C];
pub const OVERWRITE_MODE: [u8; 2] = [0x1F, 0x01];
pub const CURSOR_OFF: [u8; 3] = [0x1F, 0x43, 0x00];
/// ESC = 2: what follows is for the display only.
pub const SELECT_DISPLAY: [u8; 3] = [0x1B, 0x3D, 0x02];
/// ESC = 1: what follows is for the printer again.
pub const SELECT_PRINTER: [u8; 3] = [0x1B, 0x3D, 0x01];

/// `ESC t n`.
pub fn select_table(page: &CodePage) -> [u8; 3] {
    [0x1B, 0x74, page.number()]
}

/// `US $ x y`, with `column` and `row` counted from 1 as the command does.
pub fn move_to(column: u8, row: u8) -> [u8; 4] {
    [0x1F, 0x24, column, row]
}

/// What a display needs once after power-on or a claim: `ESC @`, then the settings every
/// frame relies on.
pub fn init(page: &CodePage) -> Vec<u8> {
    let mut bytes = INIT.to_vec();
    bytes.extend(settings(page));
    bytes
}

/// The settings a frame relies on, sent with each frame so a display that was switched off
/// and on again shows the next frame right: code table, overwrite mode (no scrolling when
/// the last cell is written), cursor off.
pub fn settings(page: &CodePage) -> Vec<u8> {
    let mut bytes = select_table(page).to_vec();
    bytes.extend(OVERWRITE_MODE);
    bytes.extend(CURSOR_OFF);
    bytes
}

/// One screen: each line written whole at its position, all 40 cells, so nothing of the
/// previous screen stays and the display never flickers through a clear.
pub fn frame(text: &DisplayText, page: &CodePage) -> Vec<u8> {
    let mut bytes = settings(page);
    for row in 0..ROWS {
        bytes.extend(move_to(1, row as u8 + 1));
        bytes.extend(text.cells(row).iter().map(|&c| page.byte(c).unwrap_or(b'?')));
    }
    bytes
}

/// A frame for a display behind the printer: `ESC = 2` first, so the printer passes it on
/// and prints none of it, and `ESC = 1` after, so the next receipt prints.
pub fn through_printer(display_bytes: &[u8]) -> Vec<u8> {
    let mut bytes = SELECT_DISPLAY.to_vec();
    bytes.extend_from_slice(display_bytes);
    bytes.extend(SELECT_PRINTER);
    bytes
}
