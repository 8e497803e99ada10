//! The length-prefixed extended functions: `GS ( x pL pH ...` and `GS 8 L p1 p2 p3 p4 ...`.

use crate::command::Command;
use crate::error::DecodeError;
use crate::reader::Reader;
use crate::{image, symbol};

/// Why the parameters of an extended function were refused; the caller adds offset and bytes.
pub(crate) enum ParamError {
    /// The function number is none the reference defines for this class.
    Unknown,
    /// The function is known but its parameters are out of range.
    Invalid(&'static str),
}

/// `GS (` classes whose functions print nothing and are kept whole.
const OPAQUE_CLASSES: &[u8] = b"ACDEHKMNPQ";

/// Parses `GS ( x pL pH ...` after `GS (`.
pub(crate) fn parse(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let class = r.u8()?;
    if class != b'k' && class != b'L' && !OPAQUE_CLASSES.contains(&class) {
        return Err(r.unknown());
    }
    let len = r.u16()?;
    let params = r.take(usize::from(len))?;
    let command = match class {
        b'k' => symbol::parse(params).map(Command::Symbol),
        b'L' => image::graphics(params).map(Command::Graphics),
        _ => Ok(Command::ExtendedFunction { class, params: params.to_vec() }),
    };
    command.map_err(|error| refused(r, error))
}

/// Parses `GS 8 L p1 p2 p3 p4 ...` after `GS 8`: graphics with a 32-bit length.
pub(crate) fn parse_long_graphics(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    if r.u8()? != b'L' {
        return Err(r.unknown());
    }
    let len = r.u32()?;
    let len = usize::try_from(len).map_err(|_| r.invalid("graphics length too large"))?;
    let params = r.take(len)?;
    image::graphics(params).map(Command::Graphics).map_err(|error| refused(r, error))
}

fn refused(r: &Reader<'_>, error: ParamError) -> DecodeError {
    match error {
        ParamError::Unknown => r.unknown(),
        ParamError::Invalid(reason) => r.invalid(reason),
    }
}
