//! Plays decoded commands onto a virtual roll of paper to build a [`Preview`].
//!
//! It follows the printer's standard mode: text waits in a line buffer until `LF`, `ESC d` or
//! `ESC J` prints it; barcodes, symbols, raster images and cuts print the buffer first and then
//! take lines of their own; `ESC @` throws the buffer away. Horizontal positions are counted in
//! character cells of font A (12 motion units a cell), which is all a text preview can show.

use crate::barcode::Barcode;
use crate::command::{Command, Justification};
use crate::image::{self, BitImage, Graphics, GraphicsImage, RasterImage};
use crate::preview::{
    CutMark, DrawerPulse, ImageSource, LineKind, Preview, PreviewImage, PreviewLine,
    PrintedBarcode, Span, TextStyle,
};
use crate::symbols::SymbolStore;

/// Motion units of one character cell of font A, for `ESC $` and `ESC \`.
const UNITS_PER_CELL: u16 = 12;
/// The line spacing after power-on, in motion units (1/6 inch).
const DEFAULT_LINE_SPACING: u16 = 30;

/// Builds the preview of a decoded job.
pub(crate) fn render(commands: &[Command]) -> Preview {
    let mut paper = Paper::default();
    for command in commands {
        paper.apply(command);
    }
    paper.flush();
    paper.preview
}

/// The text waiting in the printer's line buffer.
struct PendingLine {
    justify: Justification,
    spans: Vec<Span>,
    cells: usize,
}

/// The barcode settings of `GS h`, `GS w` and `GS H`.
#[derive(Clone, Copy)]
struct BarcodeSettings {
    height: u8,
    module_width: u8,
    hri: crate::barcode::HriPosition,
}

impl Default for BarcodeSettings {
    fn default() -> Self {
        Self { height: 162, module_width: 3, hri: crate::barcode::HriPosition::None }
    }
}

/// The printer's modes and the paper printed so far.
struct Paper {
    preview: Preview,
    style: TextStyle,
    justify: Justification,
    line_spacing: u16,
    tab_stops: Vec<u8>,
    pending: Option<PendingLine>,
    barcode: BarcodeSettings,
    symbols: SymbolStore,
    graphics: Option<GraphicsImage>,
    /// An `ESC *` band was printed and the `LF` that ends its band is still to come.
    after_bit_image: bool,
    /// The image a `GS v 0` just printed, with no command since: the next band of the same
    /// width and scale continues it, so a logo sent in bands previews as one image.
    last_raster: Option<usize>,
}

impl Default for Paper {
    fn default() -> Self {
        Self {
            preview: Preview::default(),
            style: TextStyle::default(),
            justify: Justification::Left,
            line_spacing: DEFAULT_LINE_SPACING,
            // Epson's default: a stop every eight characters.
            tab_stops: (1..=31).map(|n| n * 8).collect(),
            pending: None,
            barcode: BarcodeSettings::default(),
            symbols: SymbolStore::default(),
            graphics: None,
            after_bit_image: false,
            last_raster: None,
        }
    }
}

impl Paper {
    fn apply(&mut self, command: &Command) {
        let last_raster = self.last_raster.take();
        if let Command::RasterImage(raster) = command {
            self.print_raster(raster, last_raster);
            return;
        }
        if self.apply_style(command) || self.apply_layout(command) {
            return;
        }
        self.apply_output(command);
    }

    /// Commands that change how later characters look.
    fn apply_style(&mut self, command: &Command) -> bool {
        let style = &mut self.style;
        match command {
            Command::Emphasis(on) => style.bold = *on,
            Command::DoubleStrike(on) => style.double_strike = *on,
            Command::Underline(n) => style.underline = *n,
            Command::Reverse(on) => style.reverse = *on,
            Command::Font(n) => style.font = *n,
            Command::UpsideDown(on) => style.upside_down = *on,
            Command::CharSize { width, height } => (style.width, style.height) = (*width, *height),
            Command::PrintMode(mode) => {
                style.font = u8::from(mode.font_b);
                style.bold = mode.emphasized;
                style.width = if mode.double_width { 2 } else { 1 };
                style.height = if mode.double_height { 2 } else { 1 };
                style.underline = u8::from(mode.underline);
            }
            _ => return false,
        }
        true
    }

    /// Commands that move the print position or set up what comes next.
    fn apply_layout(&mut self, command: &Command) -> bool {
        match command {
            Command::Justify(justify) => self.justify = *justify,
            Command::LineSpacing(spacing) => {
                self.line_spacing = spacing.map_or(DEFAULT_LINE_SPACING, u16::from).max(1);
            }
            Command::TabStops(stops) => self.tab_stops = stops.clone(),
            Command::HorizontalTab => self.tab(),
            Command::AbsolutePosition(units) => self.move_to(usize::from(units / UNITS_PER_CELL)),
            Command::RelativePosition(units) => self.move_by(*units),
            Command::BarcodeHeight(n) => self.barcode.height = *n,
            Command::BarcodeWidth(n) => self.barcode.module_width = *n,
            Command::HriPosition(hri) => self.barcode.hri = *hri,
            Command::Symbol(symbol) => return self.symbols.apply(symbol),
            Command::Graphics(Graphics::Store(image)) => self.graphics = Some(image.clone()),
            _ => return false,
        }
        true
    }

    /// Commands that put something on paper (or on the drawer).
    fn apply_output(&mut self, command: &Command) {
        match command {
            Command::Text(text) => self.push_text(text),
            Command::LineFeed => self.feed_lines(1),
            Command::FeedLines(n) => self.feed_lines(*n),
            Command::FeedDots(n) => self.feed_dots(*n),
            Command::ReverseFeedLines(_) => self.flush(),
            Command::Init => {
                *self = Self { preview: std::mem::take(&mut self.preview), ..Self::default() }
            }
            Command::Cut { partial, feed } => self.cut(CutMark { partial: *partial, feed: *feed }),
            Command::DrawerKick { pin, on_ms, off_ms } => self.kick(*pin, *on_ms, *off_ms, false),
            Command::RealTimePulse { pin, pulse_ms } => self.kick(*pin, *pulse_ms, *pulse_ms, true),
            Command::Barcode(barcode) => self.print_barcode(barcode),
            Command::Symbol(symbol) => self.print_symbol(symbol),
            Command::BitImage(bits) => self.print_bit_image(bits),
            Command::Graphics(graphics) => self.print_graphics(graphics),
            Command::PrintNvBitImage { image, .. } => {
                self.print_image(stored_image(ImageSource::NvBitImage(*image)))
            }
            _ => {}
        }
    }

    fn push_text(&mut self, text: &str) {
        self.after_bit_image = false;
        let (justify, style) = (self.justify, self.style);
        let line = self.pending.get_or_insert_with(|| PendingLine {
            justify,
            spans: Vec::new(),
            cells: 0,
        });
        line.cells += text.chars().map(cells).sum::<usize>() * usize::from(style.width);
        match line.spans.last_mut() {
            Some(span) if span.style == style => span.text.push_str(text),
            _ => line.spans.push(Span { text: text.to_owned(), style }),
        }
    }

    fn cells(&self) -> usize {
        self.pending.as_ref().map_or(0, |line| line.cells)
    }

    /// `HT` moves to the next tab stop; past the last one the printer ignores it.
    fn tab(&mut self) {
        let column = self.cells();
        let next = self.tab_stops.iter().map(|&stop| usize::from(stop)).find(|&stop| stop > column);
        if let Some(stop) = next {
            self.move_to(stop);
        }
    }

    /// Pads with blanks up to cell `column`; a position left of the current one would overprint,
    /// which a text preview cannot show, so it is ignored.
    fn move_to(&mut self, column: usize) {
        let current = self.cells();
        if column > current {
            let width = usize::from(self.style.width);
            self.push_text(&" ".repeat((column - current).div_ceil(width)));
        }
    }

    fn move_by(&mut self, units: i16) {
        let cells = usize::from(units.max(0).unsigned_abs() / UNITS_PER_CELL);
        self.move_to(self.cells() + cells);
    }

    /// `LF` and `ESC d n`: print the buffer and feed a line, `n` times.
    fn feed_lines(&mut self, n: u8) {
        if n == 0 {
            self.flush();
        }
        for _ in 0..n {
            self.end_line();
        }
    }

    /// `ESC J n`: print the buffer and feed `n` units, shown as the nearest number of lines.
    fn feed_dots(&mut self, n: u8) {
        let lines = (u16::from(n) + self.line_spacing / 2) / self.line_spacing;
        let lines = u8::try_from(lines).unwrap_or(u8::MAX);
        if self.pending.is_some() {
            self.end_line();
            self.feed_lines(lines.saturating_sub(1));
        } else {
            self.feed_lines(lines);
        }
    }

    /// Prints the line buffer, or an empty line if it is empty.
    fn end_line(&mut self) {
        if std::mem::take(&mut self.after_bit_image) && self.pending.is_none() {
            return;
        }
        let line = self.pending.take().unwrap_or(PendingLine {
            justify: self.justify,
            spans: Vec::new(),
            cells: 0,
        });
        self.preview.lines.push(text_line(line));
    }

    /// Prints the line buffer if it holds anything.
    fn flush(&mut self) {
        if self.pending.is_some() {
            self.end_line();
        }
    }

    /// Prints the buffer, then a line of its own for something that is not text.
    fn push_block(&mut self, kind: LineKind, text: String) {
        self.flush();
        self.after_bit_image = false;
        let line = PreviewLine {
            kind,
            text,
            justify: self.justify,
            bold: false,
            width: 1,
            height: 1,
            spans: Vec::new(),
        };
        self.preview.lines.push(line);
    }

    fn cut(&mut self, mark: CutMark) {
        let text = if mark.partial { "[partial cut]" } else { "[cut]" };
        self.push_block(LineKind::Cut(self.preview.cuts.len()), text.to_owned());
        self.preview.cuts.push(mark);
    }

    fn kick(&mut self, pin: u8, on_ms: u16, off_ms: u16, real_time: bool) {
        self.preview.kicks.push(DrawerPulse { pin, on_ms, off_ms, real_time });
    }

    fn print_barcode(&mut self, barcode: &Barcode) {
        let text = barcode.human_readable();
        let label = format!("[barcode {}: {text}]", barcode.symbology.name());
        self.push_block(LineKind::Barcode(self.preview.barcodes.len()), label);
        let BarcodeSettings { height, module_width, hri } = self.barcode;
        let barcode = barcode.clone();
        self.preview.barcodes.push(PrintedBarcode { barcode, text, height, module_width, hri });
    }

    fn print_symbol(&mut self, symbol: &crate::symbol::Symbol) {
        if let Some((kind, text)) = self.symbols.print(symbol, &mut self.preview) {
            self.push_block(kind, text);
        }
    }

    fn print_image(&mut self, image: PreviewImage) {
        let label = format!("[image {}x{}]", image.width, image.height);
        self.push_block(LineKind::Image(self.preview.images.len()), label);
        self.preview.images.push(image);
    }

    /// Prints a `GS v 0` image, or adds it below the one just printed when it is the next
    /// band of it (same width and scale, nothing in between).
    fn print_raster(&mut self, raster: &RasterImage, last: Option<usize>) {
        let image = raster_image(raster);
        let continued = last.filter(|&at| {
            let before = &self.preview.images[at];
            at + 1 == self.preview.images.len()
                && (before.width, before.scale_x, before.scale_y)
                    == (image.width, image.scale_x, image.scale_y)
        });
        let Some(at) = continued else {
            self.print_image(image);
            self.last_raster = Some(self.preview.images.len() - 1);
            return;
        };
        let joined = &mut self.preview.images[at];
        joined.height += image.height;
        joined.bitmap.extend_from_slice(&image.bitmap);
        let label = format!("[image {}x{}]", joined.width, joined.height);
        if let Some(line) =
            self.preview.lines.iter_mut().rev().find(|l| l.kind == LineKind::Image(at))
        {
            line.text = label;
        }
        self.last_raster = Some(at);
    }

    /// An `ESC *` band sits in the line buffer and prints with the `LF` after it, so that `LF`
    /// must not add a blank line of its own.
    fn print_bit_image(&mut self, bits: &BitImage) {
        self.print_image(bit_image(bits));
        self.after_bit_image = true;
    }

    fn print_graphics(&mut self, graphics: &Graphics) {
        match graphics {
            Graphics::PrintBuffer => {
                if let Some(image) = self.graphics.as_ref().map(graphics_image) {
                    self.print_image(image);
                }
            }
            Graphics::PrintStored { nv, key, .. } => {
                self.print_image(stored_image(ImageSource::StoredGraphics { nv: *nv, key: *key }));
            }
            _ => {}
        }
    }
}

/// Cells a character takes in font A: two for the full-width East Asian characters.
fn cells(c: char) -> usize {
    let wide = matches!(u32::from(c), 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xE000..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    if wide { 2 } else { 1 }
}

fn text_line(line: PendingLine) -> PreviewLine {
    let text: String = line.spans.iter().map(|span| span.text.as_str()).collect();
    let visible: Vec<&Span> = line.spans.iter().filter(|s| !s.text.trim().is_empty()).collect();
    PreviewLine {
        kind: LineKind::Text,
        text: text.trim_end().to_owned(),
        justify: line.justify,
        bold: !visible.is_empty() && visible.iter().all(|span| span.style.bold),
        width: visible.iter().map(|span| span.style.width).max().unwrap_or(1),
        height: visible.iter().map(|span| span.style.height).max().unwrap_or(1),
        spans: line.spans,
    }
}

fn raster_image(raster: &RasterImage) -> PreviewImage {
    PreviewImage {
        source: ImageSource::Raster,
        width: u32::from(raster.width_bytes) * 8,
        height: u32::from(raster.height),
        scale_x: if raster.mode & 1 == 1 { 2 } else { 1 },
        scale_y: if raster.mode & 2 == 2 { 2 } else { 1 },
        bitmap: raster.data.clone(),
    }
}

/// `ESC *` densities: single-density modes (0, 32) print each dot twice as wide, and the
/// eight-dot modes (0, 1) three times as tall as the 180 dpi grid.
fn bit_image(bits: &BitImage) -> PreviewImage {
    let rows_of_bytes = usize::from(bits.height() / 8);
    PreviewImage {
        source: ImageSource::BitImage,
        width: u32::from(bits.width),
        height: u32::from(bits.height()),
        scale_x: if bits.mode == 0 || bits.mode == 32 { 2 } else { 1 },
        scale_y: if bits.mode < 32 { 3 } else { 1 },
        bitmap: image::columns_to_raster(&bits.data, usize::from(bits.width), rows_of_bytes),
    }
}

/// A graphics image as a bitmap; multi-tone data is kept out, as it holds no single bitmap.
fn graphics_image(graphic: &GraphicsImage) -> PreviewImage {
    let (width, height) = (usize::from(graphic.width), usize::from(graphic.height));
    let mut bitmap = match (graphic.tone, graphic.column_format) {
        (48, false) => graphic.data.clone(),
        (48, true) => image::columns_to_raster(&graphic.data, width, height.div_ceil(8)),
        _ => Vec::new(),
    };
    bitmap.truncate(width.div_ceil(8) * height);
    PreviewImage {
        source: ImageSource::Graphics,
        width: u32::from(graphic.width),
        height: u32::from(graphic.height),
        scale_x: graphic.scale_x,
        scale_y: graphic.scale_y,
        bitmap,
    }
}

/// An image kept in printer memory: its size is unknown to the job.
fn stored_image(source: ImageSource) -> PreviewImage {
    PreviewImage { source, width: 0, height: 0, scale_x: 1, scale_y: 1, bitmap: Vec::new() }
}
