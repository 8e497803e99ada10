//! Encodes a [`Document`] into the ESC/POS bytes of one job for one printer profile.

use crate::commands::{self, BarcodeStyle, DrawerConfig, ESC, GS, LF};
use crate::document::{Align, Block, Document, Size};
use crate::image::{self, GreyImage};
use crate::profile::Profile;
use crate::text::{self, Cell, Mapper};

/// Paper width in dots assumed when the profile does not say: 80 mm paper at 203 dpi.
const FALLBACK_DOTS: u32 = 512;

/// Settings that belong to the register, not to the printer model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodeOptions {
    /// The drawer pulse sent for [`Block::DrawerKick`].
    pub drawer: DrawerConfig,
    /// QR module size in dots (1..=16).
    pub qr_module_size: u8,
    /// CODE128 height and narrowest bar.
    pub barcode: BarcodeStyle,
    /// Rows of one `GS v 0` band of an image: small enough for a printer's receive buffer.
    pub image_band_rows: u16,
}

impl Default for EncodeOptions {
    fn default() -> EncodeOptions {
        EncodeOptions {
            drawer: DrawerConfig::default(),
            qr_module_size: 6,
            barcode: BarcodeStyle { height: 80, module_width: 2 },
            image_band_rows: 24,
        }
    }
}

/// The bytes of one print job: `ESC @`, `ESC t n`, `ESC R 0`, then each block.
///
/// Text goes through the profile's code tables (switching tables per character where needed,
/// transliterating what no table has), so the job never holds UTF-8 or a byte ≥ 0x80 that the
/// active table does not define.
pub fn encode(doc: &Document, profile: &Profile, opts: &EncodeOptions) -> Vec<u8> {
    let chars: Vec<char> =
        doc.blocks.iter().flat_map(block_text).flat_map(text::printable_chars).collect();
    let mapper = Mapper::for_text(profile, &chars);
    let table = mapper.current();
    let out = Vec::with_capacity(chars.len() + 64);
    let style = Style::default();
    let mut encoder = Encoder { out, profile, opts, mapper, table, style };
    encoder.out.extend_from_slice(&commands::INIT);
    encoder.out.extend_from_slice(&commands::select_table(table));
    encoder.out.extend_from_slice(&commands::CHARSET_USA);
    for block in &doc.blocks {
        encoder.block(block);
    }
    encoder.out
}

fn block_text(block: &Block) -> Vec<&str> {
    match block {
        Block::Text { text, .. } => vec![text.as_str()],
        Block::Columns { left, right, .. } => vec![left.as_str(), right.as_str()],
        _ => Vec::new(),
    }
}

struct Encoder<'a> {
    out: Vec<u8>,
    profile: &'a Profile,
    opts: &'a EncodeOptions,
    mapper: Mapper<'a>,
    /// The table the printer is in, as selected by the bytes written so far.
    table: u8,
    /// The style the printer is in; `ESC @` leaves it left-aligned, not bold, normal size.
    style: Style,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Style {
    align: Align,
    bold: bool,
    size: Size,
}

fn align_n(align: Align) -> u8 {
    match align {
        Align::Left => 0,
        Align::Center => 1,
        Align::Right => 2,
    }
}

fn size_n(size: Size) -> u8 {
    match size {
        Size::Normal => 0x00,
        Size::DoubleHeight => 0x01,
        Size::DoubleWidth => 0x10,
        Size::Double => 0x11,
    }
}

impl Encoder<'_> {
    fn block(&mut self, block: &Block) {
        match block {
            Block::Text { text, align, bold, size } => self.text(text, *align, *bold, *size),
            Block::Columns { left, right, bold } => self.columns(left, right, *bold),
            Block::Rule => self.rule(),
            Block::Feed(lines) => self.feed(*lines),
            Block::Code128(data) => self.code128(data),
            Block::Qr(data) => self.qr(data),
            Block::Cut => self.cut(),
            Block::DrawerKick => self.drawer_kick(),
            Block::Image(image) => self.image(image),
        }
    }

    fn text(&mut self, text: &str, align: Align, bold: bool, size: Size) {
        self.set_style(align, bold, size);
        let width = self.profile.columns() / size.cell_width();
        for line in text.split('\n') {
            let cells = self.mapper.map(line);
            for wrapped in text::wrap(&cells, width) {
                self.line(&wrapped);
            }
        }
        self.set_style(Align::Left, false, Size::Normal);
    }

    fn columns(&mut self, left: &str, right: &str, bold: bool) {
        self.set_style(Align::Left, bold, Size::Normal);
        let left = self.mapper.map(left);
        let right = self.mapper.map(right);
        let ellipsis = self.mapper.ellipsis();
        for line in text::columns(&left, &right, self.profile.columns(), ellipsis) {
            self.line(&line);
        }
        self.set_style(Align::Left, false, Size::Normal);
    }

    fn rule(&mut self) {
        let line = vec![Cell { table: None, byte: b'-' }; self.profile.columns()];
        self.line(&line);
    }

    fn feed(&mut self, lines: u8) {
        if lines > 0 {
            self.out.extend_from_slice(&[ESC, b'd', lines]);
        }
    }

    fn code128(&mut self, data: &str) {
        let dots = self.profile.dots().unwrap_or(FALLBACK_DOTS);
        let symbol = self
            .profile
            .features()
            .barcode_b
            .then(|| commands::code128(data, self.opts.barcode, dots));
        match symbol.flatten() {
            Some(bytes) => self.centered_symbol(&bytes),
            None => self.fallback_text("barcode", data),
        }
    }

    fn qr(&mut self, data: &str) {
        // QR data is the payload, not print text: its bytes are stored as given (UTF-8), which
        // is what scanners expect.
        let size = self.opts.qr_module_size;
        let symbol =
            self.profile.features().qr_code.then(|| commands::qr_code(data.as_bytes(), size));
        match symbol.flatten() {
            Some(bytes) => self.centered_symbol(&bytes),
            None => self.fallback_text("QR code", data),
        }
    }

    fn centered_symbol(&mut self, bytes: &[u8]) {
        self.set_style(Align::Center, false, Size::Normal);
        self.out.extend_from_slice(bytes);
        self.out.push(LF);
        self.set_style(Align::Left, false, Size::Normal);
    }

    /// Prints the data as text where the printer or the paper cannot take the symbol, so the
    /// number is still on the receipt.
    fn fallback_text(&mut self, what: &str, data: &str) {
        tracing::warn!(
            profile = self.profile.name(),
            what,
            "symbol not printable here; printing its text"
        );
        self.text(data, Align::Center, false, Size::Normal);
    }

    fn image(&mut self, picture: &GreyImage) {
        if !self.profile.features().raster_image {
            tracing::warn!(profile = self.profile.name(), "no raster images here; logo left out");
            return;
        }
        let dots = self.profile.dots().unwrap_or(FALLBACK_DOTS);
        // Whole bytes of dots: a raster row wider than the print area is cut off by the printer.
        let bitmap = image::dither(&picture.fit_width(dots / 8 * 8));
        self.set_style(Align::Center, false, Size::Normal);
        self.out.extend_from_slice(&image::raster_bands(&bitmap, self.opts.image_band_rows));
        self.set_style(Align::Left, false, Size::Normal);
    }

    fn cut(&mut self) {
        let features = self.profile.features();
        if features.partial_cut {
            self.out.extend_from_slice(&commands::PARTIAL_CUT);
        } else if features.full_cut {
            self.out.extend_from_slice(&commands::FULL_CUT);
        } else {
            // No cutter: feed the last line past the tear bar.
            self.feed(4);
        }
    }

    fn drawer_kick(&mut self) {
        self.out.extend_from_slice(&commands::drawer_kick(&self.opts.drawer));
    }

    /// Sends only the style commands that change something, so the job stays short.
    fn set_style(&mut self, align: Align, bold: bool, size: Size) {
        let wanted = Style { align, bold, size };
        if wanted.align != self.style.align {
            self.out.extend_from_slice(&[ESC, b'a', align_n(align)]);
        }
        if wanted.bold != self.style.bold {
            self.out.extend_from_slice(&[ESC, b'E', u8::from(bold)]);
        }
        if wanted.size != self.style.size {
            self.out.extend_from_slice(&[GS, b'!', size_n(size)]);
        }
        self.style = wanted;
    }

    fn line(&mut self, cells: &[Cell]) {
        for cell in cells {
            if let Some(table) = cell.table
                && table != self.table
            {
                self.out.extend_from_slice(&commands::select_table(table));
                self.table = table;
            }
            self.out.push(cell.byte);
        }
        self.out.push(LF);
    }
}
