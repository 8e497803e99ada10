//! The real-time `DLE` (0x10) commands: status requests and the real-time drawer pulse.

use crate::command::Command;
use crate::error::DecodeError;
use crate::reader::Reader;

const EOT: u8 = 0x04;
const ENQ: u8 = 0x05;
const DC4: u8 = 0x14;

/// Parses one `DLE` command after its `DLE` byte.
pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    match r.u8()? {
        EOT => status_request(r),
        ENQ => Ok(Command::RealTimeRequest(r.u8()?)),
        DC4 => dc4(r),
        _ => Err(r.unknown()),
    }
}

/// `DLE EOT n` is three bytes: a fourth (the escpos crate's stray NUL) would be printed.
fn status_request(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    match r.u8()? {
        n @ 1..=4 => Ok(Command::StatusRequest(n)),
        _ => Err(r.invalid("DLE EOT takes 1..=4")),
    }
}

fn dc4(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let function = r.u8()?;
    let params = match function {
        1 => return pulse(r),
        2 => r.take(2)?,
        7 => r.take(1)?,
        8 => r.take(7)?,
        _ => return Err(r.unknown()),
    };
    Ok(Command::RealTimeFunction { function, params: params.to_vec() })
}

/// `DLE DC4 1 m t`: pin 2 (m = 0) or 5 (m = 1), on and off for t × 100 ms, t in 1..=8.
fn pulse(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let pin = match r.u8()? {
        0 => 2,
        1 => 5,
        _ => return Err(r.invalid("DLE DC4 1 takes m = 0 (pin 2) or 1 (pin 5)")),
    };
    match r.u8()? {
        t @ 1..=8 => Ok(Command::RealTimePulse { pin, pulse_ms: u16::from(t) * 100 }),
        _ => Err(r.invalid("DLE DC4 1 takes t = 1..=8")),
    }
}
