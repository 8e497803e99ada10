//! An ESC/POS decoder written from the Epson command reference, independent of any encoder.
//!
//! [`decode`] splits a print job into [`Command`]s, with text already turned into Unicode
//! through the code table in force; [`render`] plays them onto a [`Preview`] of the paper.
//! Tests use it to check every receipt the register prints, and the register uses it to show a
//! stored print job. It is strict on purpose: an unknown command, a truncated one, a parameter
//! out of range, or a byte printed under a code table it cannot map is a [`DecodeError`] naming
//! the byte offset, never skipped.
//!
//! # Decisions
//!
//! - Code tables follow Epson's `ESC t` numbering ([`code_table_name`] lists the mapped ones);
//!   `ESC @` brings back table 0 (PC437), international set 0 and Kanji mode off.
//! - Kanji mode (`FS &`, off with `FS .`): a Chinese-model printer reads every byte from 0x81
//!   as the first of a GB18030/GBK character, so text is decoded as GB18030 (one byte for
//!   ASCII, two or four for the rest). GBK's user-defined area (e.g. `AA A1`) becomes the
//!   private-use code point GB18030 assigns it (U+E000..): the printer prints whatever user
//!   glyph is defined there, which the job does not say. `FS C` switches to the Japanese JIS
//!   or Shift JIS systems. [`DecodeOptions`] sets Kanji mode on at power-on, as many
//!   Chinese-market printers are.
//! - `CR` is kept as a command but prints nothing: Epson printers ignore it unless automatic
//!   line feed is switched on, so `CR LF` is one line.
//! - `ESC @` also empties the line buffer: text not yet printed before it never reaches paper.
//! - `GS v 0` images that follow one another with the same width and scale, nothing between,
//!   preview as one image: an encoder sends a tall logo in bands so a printer with a small
//!   buffer copes, and the paper shows one picture. The commands stay one per band.
//! - Not decoded, so reported as unknown: page mode (`ESC L`, `ESC W`, `FF`, ...), user-defined
//!   characters (`ESC &`, `FS 2`), macros (`GS :`), the obsolete `ESC i`/`ESC m` cuts and the
//!   reserved cuts `GS V 97/98/103/104`. None of the reference jobs uses them.
//! - Real-time commands (`DLE EOT`, `DLE DC4`) are only recognised between commands; the
//!   printer would also act on them inside image data, which no decoder of a byte stream can
//!   tell apart from pixels.
//!
//! The preview types derive no `serde` traits; the app converts them to its own wire types.

mod barcode;
mod charset;
mod command;
mod decoder;
mod dle;
mod error;
mod esc;
mod ext;
mod fs;
mod gs;
mod image;
mod preview;
mod reader;
mod render;
mod symbol;
mod symbols;
#[rustfmt::skip]
mod tables;

pub use barcode::{Barcode, HriPosition, Symbology};
pub use charset::{DecodeOptions, KanjiEncoding, code_table_name};
pub use command::{Command, Justification, PrintMode};
pub use error::DecodeError;
pub use image::{BitImage, Graphics, GraphicsImage, RasterImage};
pub use preview::{
    CutMark, DrawerPulse, ImageSource, LineKind, Pdf417Code, Preview, PreviewImage, PreviewLine,
    PrintedBarcode, QrCode, Span, TextStyle,
};
pub use symbol::{QrErrorLevel, Symbol, SymbolFunction, SymbolKind};

/// Decodes a print job into its commands, for a printer in its default (non-Kanji) state.
pub fn decode(bytes: &[u8]) -> Result<Vec<Command>, DecodeError> {
    decode_with(bytes, DecodeOptions::default())
}

/// [`decode`] for a printer whose power-on state `options` describes.
pub fn decode_with(bytes: &[u8], options: DecodeOptions) -> Result<Vec<Command>, DecodeError> {
    decoder::decode(bytes, options)
}

/// Decodes a print job and lays it out as the paper it would produce.
pub fn render(bytes: &[u8]) -> Result<Preview, DecodeError> {
    render_with(bytes, DecodeOptions::default())
}

/// [`render`] for a printer whose power-on state `options` describes.
pub fn render_with(bytes: &[u8], options: DecodeOptions) -> Result<Preview, DecodeError> {
    Ok(render_commands(&decode_with(bytes, options)?))
}

/// Lays out commands already decoded (by [`decode`], or built by hand in a test).
pub fn render_commands(commands: &[Command]) -> Preview {
    render::render(commands)
}
