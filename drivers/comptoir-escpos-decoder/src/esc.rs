//! The `ESC` (0x1B) commands: text style, layout, feeds, code tables and the drawer pulse.

use crate::command::{Command, Justification, PrintMode, digit};
use crate::error::DecodeError;
use crate::image;
use crate::reader::Reader;

/// Parses one `ESC` command after its `ESC` byte.
pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    Ok(match r.u8()? {
        b' ' => Command::CharacterSpacing(r.u8()?),
        b'!' => Command::PrintMode(PrintMode::from_bits(r.u8()?)),
        b'$' => Command::AbsolutePosition(r.u16()?),
        b'%' => Command::UserDefinedCharacters(flag(r)?),
        b'*' => image::bit_image(r)?,
        b'-' => Command::Underline(upto(r, 2, "ESC - takes 0, 1 or 2")?),
        b'2' => Command::LineSpacing(None),
        b'3' => Command::LineSpacing(Some(r.u8()?)),
        b'=' => Command::SelectPeripheral(r.u8()?),
        b'?' => Command::CancelUserCharacter(r.u8()?),
        b'@' => Command::Init,
        b'D' => Command::TabStops(tab_stops(r)?),
        b'E' => Command::Emphasis(flag(r)?),
        b'G' => Command::DoubleStrike(flag(r)?),
        b'J' => Command::FeedDots(r.u8()?),
        b'M' => Command::Font(font(r)?),
        b'R' => Command::InternationalCharset(r.u8()?),
        b'V' => Command::Rotate90(upto(r, 2, "ESC V takes 0, 1 or 2")?),
        b'\\' => Command::RelativePosition(i16::from_le_bytes(r.u16()?.to_le_bytes())),
        b'a' => Command::Justify(justification(r)?),
        b'c' => panel(r)?,
        b'd' => Command::FeedLines(r.u8()?),
        b'e' => Command::ReverseFeedLines(r.u8()?),
        b'p' => drawer_kick(r)?,
        b'r' => Command::PrintColor(upto(r, 1, "ESC r takes 0 or 1")?),
        b't' => Command::SelectCodeTable(r.u8()?),
        b'{' => Command::UpsideDown(flag(r)?),
        _ => return Err(r.unknown()),
    })
}

/// On/off parameters: the reference reads only the least significant bit.
pub(crate) fn flag(r: &mut Reader<'_>) -> Result<bool, DecodeError> {
    Ok(r.u8()? & 1 == 1)
}

/// A parameter `0..=max` or its ASCII digit.
pub(crate) fn upto(r: &mut Reader<'_>, max: u8, reason: &'static str) -> Result<u8, DecodeError> {
    let n = digit(r.u8()?);
    if n > max {
        return Err(r.invalid(reason));
    }
    Ok(n)
}

fn justification(r: &mut Reader<'_>) -> Result<Justification, DecodeError> {
    Ok(match upto(r, 2, "ESC a takes 0, 1 or 2")? {
        0 => Justification::Left,
        1 => Justification::Center,
        _ => Justification::Right,
    })
}

fn font(r: &mut Reader<'_>) -> Result<u8, DecodeError> {
    match r.u8()? {
        97 => Ok(97),
        98 => Ok(98),
        n if digit(n) <= 4 => Ok(digit(n)),
        _ => Err(r.invalid("ESC M takes 0..=4, 97 or 98")),
    }
}

/// `ESC D n1 .. nk NUL`: at most 32 stops, each after the one before.
fn tab_stops(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let stops = r.until_nul()?;
    let ascending = stops.windows(2).all(|pair| pair[0] < pair[1]);
    if stops.len() > 32 || !ascending {
        return Err(r.invalid("ESC D takes at most 32 ascending tab stops"));
    }
    Ok(stops.to_vec())
}

/// `ESC c 3 n`, `ESC c 4 n` and `ESC c 5 n`: paper sensors and panel buttons.
fn panel(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    Ok(match r.u8()? {
        b'3' => Command::PaperSensorSignal(r.u8()?),
        b'4' => Command::PaperSensorStop(r.u8()?),
        b'5' => Command::PanelButtons { enabled: !flag(r)? },
        _ => return Err(r.unknown()),
    })
}

/// `ESC p m t1 t2`: five bytes; without t1 and t2 the printer would eat the next two bytes.
fn drawer_kick(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let [m, on, off] = r.array()?;
    let pin = match digit(m) {
        0 => 2,
        1 => 5,
        _ => return Err(r.invalid("ESC p takes m = 0 (pin 2) or 1 (pin 5)")),
    };
    Ok(Command::DrawerKick { pin, on_ms: u16::from(on) * 2, off_ms: u16::from(off) * 2 })
}
