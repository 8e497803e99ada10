//! The `GS` (0x1D) commands: size, cut, barcodes, images, margins and status.

use crate::barcode::{self, HriPosition};
use crate::command::{Command, digit};
use crate::error::DecodeError;
use crate::esc::flag;
use crate::reader::Reader;
use crate::{ext, image};

/// Parses one `GS` command after its `GS` byte.
pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    Ok(match r.u8()? {
        b'!' => char_size(r)?,
        b'(' => ext::parse(r)?,
        b'8' => ext::parse_long_graphics(r)?,
        b'B' => Command::Reverse(flag(r)?),
        b'H' => hri_position(r)?,
        b'I' => Command::TransmitPrinterId(r.u8()?),
        b'L' => Command::LeftMargin(r.u16()?),
        b'P' => Command::MotionUnits { x: r.u8()?, y: r.u8()? },
        b'V' => cut(r)?,
        b'W' => Command::PrintAreaWidth(r.u16()?),
        b'a' => Command::AutoStatusBack(r.u8()?),
        b'b' => Command::Smoothing(flag(r)?),
        b'f' => Command::HriFont(digit(r.u8()?)),
        b'h' => Command::BarcodeHeight(r.u8()?),
        b'k' => barcode::parse(r)?,
        b'r' => Command::TransmitStatus(digit(r.u8()?)),
        b'v' => image::raster(r)?,
        b'w' => Command::BarcodeWidth(r.u8()?),
        _ => return Err(r.unknown()),
    })
}

/// `GS ! n`: the high nibble is the width multiplier minus one, the low nibble the height's.
fn char_size(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let n = r.u8()?;
    let (width, height) = ((n >> 4) + 1, (n & 0x0F) + 1);
    if width > 8 || height > 8 {
        return Err(r.invalid("GS ! multipliers are 1..=8"));
    }
    Ok(Command::CharSize { width, height })
}

fn hri_position(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let n = r.u8()?;
    HriPosition::from_param(n)
        .map(Command::HriPosition)
        .ok_or_else(|| r.invalid("GS H takes 0..=3"))
}

/// `GS V m` cuts where the paper is; `GS V 65/66 n` first feeds to the cutter plus `n` units.
fn cut(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    Ok(match r.u8()? {
        0 | 48 => Command::Cut { partial: false, feed: None },
        1 | 49 => Command::Cut { partial: true, feed: None },
        65 => Command::Cut { partial: false, feed: Some(r.u8()?) },
        66 => Command::Cut { partial: true, feed: Some(r.u8()?) },
        _ => return Err(r.unknown()),
    })
}
