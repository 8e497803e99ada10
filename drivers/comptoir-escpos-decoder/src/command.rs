//! The commands a print job is made of, one variant per command of the Epson reference.
//!
//! Parameters that the reference lets a sender write either as a digit or as its ASCII character
//! (`0` or `'0'`) are stored in their small form, so `ESC a 1` and `ESC a '1'` decode alike.

use crate::barcode::{Barcode, HriPosition};
use crate::image::{BitImage, Graphics, RasterImage};
use crate::symbol::Symbol;

/// One decoded command. Comments name the bytes each variant comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Printable bytes, decoded to Unicode through the code table (or Kanji encoding) in force.
    Text(String),
    /// `LF`: print the line buffer and feed one line.
    LineFeed,
    /// `CR`: ignored by the printer unless automatic line feed is on (it is off by default).
    CarriageReturn,
    /// `HT`: move to the next tab stop.
    HorizontalTab,
    /// `ESC d n`: print and feed `n` lines.
    FeedLines(u8),
    /// `ESC e n`: print and feed `n` lines backwards.
    ReverseFeedLines(u8),
    /// `ESC J n`: print and feed `n` motion units.
    FeedDots(u8),
    /// `ESC @`: clear the buffer and reset every mode to its power-on value.
    Init,
    /// `ESC t n`: select code table `n` (Epson numbering).
    SelectCodeTable(u8),
    /// `ESC R n`: select international character set `n`.
    InternationalCharset(u8),
    /// `ESC E n`: emphasized (bold) on or off.
    Emphasis(bool),
    /// `ESC G n`: double-strike on or off.
    DoubleStrike(bool),
    /// `ESC - n`: underline off (0), one dot (1) or two dots (2) thick.
    Underline(u8),
    /// `ESC a n`: justification of the lines that start after it.
    Justify(Justification),
    /// `ESC ! n`: font, emphasis, double height and width and underline at once.
    PrintMode(PrintMode),
    /// `GS ! n`: character size as multipliers, each 1..=8.
    CharSize { width: u8, height: u8 },
    /// `GS B n`: white on black on or off.
    Reverse(bool),
    /// `ESC M n`: character font, 0 = A, 1 = B, 2 = C, 3 = D, 4 = E, 97/98 = special A/B.
    Font(u8),
    /// `ESC 2` (`None`, the default spacing) or `ESC 3 n` (`n` motion units).
    LineSpacing(Option<u8>),
    /// `ESC SP n`: right-side character spacing in motion units.
    CharacterSpacing(u8),
    /// `ESC V n`: 90° clockwise rotation off (0) or on (1, 2: with 1 or 1.5 dot spacing).
    Rotate90(u8),
    /// `ESC { n`: upside-down printing on or off.
    UpsideDown(bool),
    /// `GS L nL nH`: left margin in motion units.
    LeftMargin(u16),
    /// `GS W nL nH`: print area width in motion units.
    PrintAreaWidth(u16),
    /// `ESC $ nL nH`: absolute horizontal print position in motion units.
    AbsolutePosition(u16),
    /// `ESC \ nL nH`: relative horizontal print position in motion units (negative is left).
    RelativePosition(i16),
    /// `ESC D n1 .. nk NUL`: horizontal tab stops, in character columns.
    TabStops(Vec<u8>),
    /// `GS P x y`: horizontal and vertical motion units.
    MotionUnits { x: u8, y: u8 },
    /// `GS b n`: smoothing on or off.
    Smoothing(bool),
    /// `ESC r n`: print colour, 0 = black, 1 = red on two-colour printers.
    PrintColor(u8),
    /// `ESC = n`: select the peripheral device (printer, customer display).
    SelectPeripheral(u8),
    /// `ESC % n`: user-defined character set on or off.
    UserDefinedCharacters(bool),
    /// `ESC ? n`: cancel user-defined character `n`.
    CancelUserCharacter(u8),
    /// `GS V m [n]`: cut, partial or full, after feeding `n` motion units if `feed` is set.
    Cut { partial: bool, feed: Option<u8> },
    /// `ESC p m t1 t2`: drawer pulse on pin 2 (m = 0) or pin 5 (m = 1), times in milliseconds.
    DrawerKick { pin: u8, on_ms: u16, off_ms: u16 },
    /// `DLE DC4 1 m t`: real-time drawer pulse, on and off for `pulse_ms` each.
    RealTimePulse { pin: u8, pulse_ms: u16 },
    /// `DLE ENQ n`: real-time request to the printer.
    RealTimeRequest(u8),
    /// `DLE DC4 fn ...` other than the pulse: power off (2), send status (7), clear buffer (8).
    RealTimeFunction { function: u8, params: Vec<u8> },
    /// `DLE EOT n`: transmit status byte `n` (1..=4) at once.
    StatusRequest(u8),
    /// `GS a n`: automatic status back for the events in bit mask `n`.
    AutoStatusBack(u8),
    /// `GS r n`: transmit paper (1) or drawer (2) status.
    TransmitStatus(u8),
    /// `GS I n`: transmit printer id `n`.
    TransmitPrinterId(u8),
    /// `ESC c 3 n`: paper sensors that signal paper end.
    PaperSensorSignal(u8),
    /// `ESC c 4 n`: paper sensors that stop printing.
    PaperSensorStop(u8),
    /// `ESC c 5 n`: panel buttons enabled or not.
    PanelButtons { enabled: bool },
    /// `GS k`: print a barcode.
    Barcode(Barcode),
    /// `GS h n`: barcode height in dots.
    BarcodeHeight(u8),
    /// `GS w n`: barcode module width.
    BarcodeWidth(u8),
    /// `GS H n`: where the human-readable interpretation is printed.
    HriPosition(HriPosition),
    /// `GS f n`: font of the human-readable interpretation.
    HriFont(u8),
    /// `GS ( k`: a two-dimensional symbol function (QR code, PDF417, ...).
    Symbol(Symbol),
    /// `GS v 0`: a raster bit image, printed at once.
    RasterImage(RasterImage),
    /// `ESC *`: a column bit image, printed with the line it is in.
    BitImage(BitImage),
    /// `GS ( L` or `GS 8 L`: a graphics function.
    Graphics(Graphics),
    /// Another `GS ( x pL pH ...` function (`A`, `C`, `D`, `E`, `H`, `K`, `M`, `N`, `P`, `Q`),
    /// kept whole since its length is known; none of them prints anything.
    ExtendedFunction { class: u8, params: Vec<u8> },
    /// `FS &` (on) or `FS .` (off): Kanji (multi-byte) character mode.
    KanjiMode(bool),
    /// `FS C n`: Kanji code system, 0 = JIS, 1 = Shift JIS, 2 = Shift JIS-2004.
    KanjiCodeSystem(u8),
    /// `FS ! n`: Kanji print mode (double width, double height, underline bits).
    KanjiPrintMode(u8),
    /// `FS - n`: Kanji underline thickness, 0..=2.
    KanjiUnderline(u8),
    /// `FS S n1 n2`: Kanji left and right spacing.
    KanjiSpacing { left: u8, right: u8 },
    /// `FS W n`: quadruple-size Kanji on or off.
    KanjiQuadruple(bool),
    /// `FS p n m`: print NV bit image `n` in mode `m` (the older logo command).
    PrintNvBitImage { image: u8, mode: u8 },
}

/// Where the lines of text sit between the margins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Justification {
    #[default]
    Left,
    Center,
    Right,
}

/// The bits of `ESC !`; bits 1, 2 and 6 are undefined in the reference and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrintMode {
    pub font_b: bool,
    pub emphasized: bool,
    pub double_height: bool,
    pub double_width: bool,
    pub underline: bool,
}

impl PrintMode {
    pub fn from_bits(bits: u8) -> Self {
        Self {
            font_b: bits & 0x01 != 0,
            emphasized: bits & 0x08 != 0,
            double_height: bits & 0x10 != 0,
            double_width: bits & 0x20 != 0,
            underline: bits & 0x80 != 0,
        }
    }
}

/// The parameters the reference accepts either as `n` or as the ASCII digit `'0' + n`.
pub(crate) fn digit(n: u8) -> u8 {
    if n.is_ascii_digit() { n - b'0' } else { n }
}
