//! The `FS` (0x1C) commands: Kanji (multi-byte) mode and the older NV logo print.

use crate::command::{Command, digit};
use crate::error::DecodeError;
use crate::esc::{flag, upto};
use crate::reader::Reader;

/// Parses one `FS` command after its `FS` byte.
pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    Ok(match r.u8()? {
        b'&' => Command::KanjiMode(true),
        b'.' => Command::KanjiMode(false),
        b'!' => Command::KanjiPrintMode(r.u8()?),
        b'-' => Command::KanjiUnderline(upto(r, 2, "FS - takes 0, 1 or 2")?),
        b'C' => Command::KanjiCodeSystem(upto(r, 2, "FS C takes 0, 1 or 2")?),
        b'S' => Command::KanjiSpacing { left: r.u8()?, right: r.u8()? },
        b'W' => Command::KanjiQuadruple(flag(r)?),
        b'p' => Command::PrintNvBitImage { image: r.u8()?, mode: digit(r.u8()?) },
        _ => return Err(r.unknown()),
    })
}
