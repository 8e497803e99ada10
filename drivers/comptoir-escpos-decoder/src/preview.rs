//! What a job puts on paper, line by line, plus the cuts and drawer pulses it asks for.
//!
//! These types derive no `Serialize`: the app converts them to its own wire types, so that a
//! change here never changes what the UI receives by accident.

use crate::barcode::{Barcode, HriPosition};
use crate::command::Justification;
use crate::symbol::{QrErrorLevel, SymbolKind};

/// The paper a job would produce.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Preview {
    /// Every printed line, top to bottom; barcodes, symbols, images and cuts have their own.
    pub lines: Vec<PreviewLine>,
    pub cuts: Vec<CutMark>,
    /// Drawer pulses, queued (`ESC p`) or real-time (`DLE DC4 1`); they print nothing.
    pub kicks: Vec<DrawerPulse>,
    pub barcodes: Vec<PrintedBarcode>,
    pub qr_codes: Vec<QrCode>,
    pub pdf417_codes: Vec<Pdf417Code>,
    pub images: Vec<PreviewImage>,
}

impl Preview {
    /// The lines' text joined with `'\n'`: what a person reads off the receipt, with
    /// `[...]` placeholders for what is not text.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|line| line.text.as_str()).collect();
        lines.join("\n")
    }
}

/// One line of paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    pub kind: LineKind,
    /// The printed characters without trailing blanks, tabs and positions expanded to spaces;
    /// for other kinds a placeholder such as `[barcode CODE128: 1234]`.
    pub text: String,
    pub justify: Justification,
    /// Every visible character of the line is emphasized.
    pub bold: bool,
    /// The largest width multiplier on the line.
    pub width: u8,
    /// The largest height multiplier on the line.
    pub height: u8,
    /// The line's text in runs of one style.
    pub spans: Vec<Span>,
}

/// What a line holds; the numbers index the matching list of [`Preview`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    Text,
    Barcode(usize),
    QrCode(usize),
    Pdf417(usize),
    /// A symbol this preview does not list (MaxiCode, DataMatrix, ...).
    Symbol(SymbolKind),
    Image(usize),
    Cut(usize),
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub style: TextStyle,
}

/// The character style in force when a span was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextStyle {
    pub bold: bool,
    pub double_strike: bool,
    /// 0 none, 1 or 2 dots thick.
    pub underline: u8,
    pub width: u8,
    pub height: u8,
    pub reverse: bool,
    /// 0 = font A, 1 = B, ...
    pub font: u8,
    pub upside_down: bool,
}

impl Default for TextStyle {
    fn default() -> Self {
        Self {
            bold: false,
            double_strike: false,
            underline: 0,
            width: 1,
            height: 1,
            reverse: false,
            font: 0,
            upside_down: false,
        }
    }
}

/// A paper cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CutMark {
    pub partial: bool,
    /// Motion units fed past the cutter position first (`GS V 65/66 n`).
    pub feed: Option<u8>,
}

/// A cash drawer pulse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerPulse {
    pub pin: u8,
    pub on_ms: u16,
    pub off_ms: u16,
    /// Sent as `DLE DC4 1`, run at once even with a full buffer.
    pub real_time: bool,
}

/// A barcode with the settings it was printed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedBarcode {
    pub barcode: Barcode,
    /// What a scanner reads, see [`Barcode::human_readable`].
    pub text: String,
    pub height: u8,
    pub module_width: u8,
    pub hri: HriPosition,
}

/// A printed QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    /// 1, 2, or 3 for Micro QR.
    pub model: u8,
    pub module_size: u8,
    pub error_correction: QrErrorLevel,
    pub data: Vec<u8>,
}

/// A printed PDF417 symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdf417Code {
    /// 0 = automatic.
    pub columns: u8,
    /// 0 = automatic.
    pub rows: u8,
    pub module_width: u8,
    pub row_height: u8,
    pub truncated: bool,
    pub data: Vec<u8>,
}

/// A printed image as a bitmap: rows top to bottom, `(width + 7) / 8` bytes a row, most
/// significant bit leftmost, a set bit a black dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewImage {
    pub source: ImageSource,
    pub width: u32,
    pub height: u32,
    /// How many times each dot is repeated across and down on paper.
    pub scale_x: u8,
    pub scale_y: u8,
    /// Empty where the bytes hold no bitmap (stored or multi-tone images).
    pub bitmap: Vec<u8>,
}

/// Which command printed an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSource {
    /// `GS v 0`.
    Raster,
    /// `ESC *`.
    BitImage,
    /// `GS ( L` / `GS 8 L` print buffer.
    Graphics,
    /// `GS ( L` NV or download graphics printed by key; its bitmap is in printer memory.
    StoredGraphics { nv: bool, key: [u8; 2] },
    /// `FS p`: an NV bit image from printer memory.
    NvBitImage(u8),
}
