//! The receipt as the register's layout produces it: blocks of text, columns, codes and cuts.

use crate::image::GreyImage;
use crate::profile::Profile;

/// A receipt (or any slip) to print, top to bottom.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
}

/// One piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Text, wrapped at words to the paper width; `\n` starts a new line.
    Text { text: String, align: Align, bold: bool, size: Size },
    /// A label on the left and an amount flush right on one line, fitted to the paper width
    /// in printed cells; a label too long is cut and ends with '…' (or '.').
    Columns { left: String, right: String, bold: bool },
    /// A line of '-' across the paper.
    Rule,
    /// Feeds this many blank lines.
    Feed(u8),
    /// A CODE128 barcode of digits or printable ASCII, with its text printed below.
    Code128(String),
    /// A QR code (Model 2, error correction M).
    Qr(String),
    /// Feeds the paper to the cutter and cuts partially.
    Cut,
    /// Pulses the cash drawer as configured in [`crate::EncodeOptions::drawer`].
    DrawerKick,
    /// A logo or picture, centred, shrunk to the paper's width where it is wider, dithered to
    /// one bit and printed in `GS v 0` bands.
    Image(GreyImage),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Size {
    #[default]
    Normal,
    DoubleHeight,
    DoubleWidth,
    Double,
}

impl Size {
    /// How many font A cells one character takes across the line.
    pub fn cell_width(self) -> usize {
        match self {
            Size::Normal | Size::DoubleHeight => 1,
            Size::DoubleWidth | Size::Double => 2,
        }
    }
}

impl Document {
    pub fn new() -> Document {
        Document::default()
    }

    /// Characters per line at normal size on this profile's paper.
    pub fn width_chars(profile: &Profile) -> usize {
        profile.columns()
    }

    /// Appends any block.
    pub fn push(mut self, block: Block) -> Document {
        self.blocks.push(block);
        self
    }

    /// A left-aligned line of normal text.
    pub fn line(self, text: impl Into<String>) -> Document {
        self.push(Block::text(text))
    }

    /// A centred line of normal text.
    pub fn centered(self, text: impl Into<String>) -> Document {
        self.push(Block::Text {
            text: text.into(),
            align: Align::Center,
            bold: false,
            size: Size::Normal,
        })
    }

    /// A centred, bold, double-size heading (the shop's name).
    pub fn title(self, text: impl Into<String>) -> Document {
        self.push(Block::Text {
            text: text.into(),
            align: Align::Center,
            bold: true,
            size: Size::Double,
        })
    }

    /// A label and an amount on one line.
    pub fn columns(self, left: impl Into<String>, right: impl Into<String>) -> Document {
        self.push(Block::Columns { left: left.into(), right: right.into(), bold: false })
    }

    /// A bold label and amount, for totals.
    pub fn total(self, left: impl Into<String>, right: impl Into<String>) -> Document {
        self.push(Block::Columns { left: left.into(), right: right.into(), bold: true })
    }

    pub fn rule(self) -> Document {
        self.push(Block::Rule)
    }

    pub fn feed(self, lines: u8) -> Document {
        self.push(Block::Feed(lines))
    }

    pub fn code128(self, data: impl Into<String>) -> Document {
        self.push(Block::Code128(data.into()))
    }

    pub fn qr(self, data: impl Into<String>) -> Document {
        self.push(Block::Qr(data.into()))
    }

    pub fn cut(self) -> Document {
        self.push(Block::Cut)
    }

    /// A centred logo (see [`Block::Image`]).
    pub fn image(self, image: GreyImage) -> Document {
        self.push(Block::Image(image))
    }

    pub fn drawer_kick(self) -> Document {
        self.push(Block::DrawerKick)
    }
}

impl Block {
    /// Left-aligned normal text.
    pub fn text(text: impl Into<String>) -> Block {
        Block::Text { text: text.into(), align: Align::Left, bold: false, size: Size::Normal }
    }
}
