//! Mettler Toledo MT-SICS, levels 0 and 1: the commands the register sends and a parser for
//! every answer a scale can give them.
//!
//! From the MT-SICS reference manuals (for example "MT-SICS Interface Command Reference Manual
//! for Weigh Modules", the New Classic and JS operating instructions' MT-SICS chapters):
//! commands are upper-case ASCII ended by CR LF; an answer repeats the command's name (the
//! weight commands S, SI and SIR all answer as `S`), a space, a status and, for a weight, the
//! value right-aligned in a field of 10 characters, a space and the unit:
//!
//! ```text
//! S S     100.00 g     stable weight          S D     100.00 g   dynamic (still moving)
//! S I                  not executable (busy, or no stability before the scale's timeout)
//! S +  /  S -          overload / underload
//! T S     100.00 g     tared, tare value      TA A     100.00 g  the tare value
//! Z A / TAC A          done                   ZI S / ZI D        zeroed (stable / dynamic)
//! I4 A "B021002593"    the serial number      ES / ET / EL       syntax, transmission, logical error
//! ```

use std::fmt;

use rust_decimal::Decimal;

use crate::weight::{Stability, Unit, Weight};

/// The longest line a scale sends: I2 and I3, the longest answers, are well under 80 bytes.
pub const MAX_LINE: usize = 128;

/// A command the register sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// `S`: the next stable net weight (the scale waits for stability, then answers `S I`).
    Stable,
    /// `SI`: the net weight now, stable or not.
    Immediate,
    /// `SIR`: the net weight now and repeatedly, until another command.
    ImmediateRepeat,
    /// `T`: tare with the stable weight on the pan.
    Tare,
    /// `TA`: what the tare is.
    TareValue,
    /// `TAC`: clear the tare.
    ClearTare,
    /// `Z`: zero, once stable.
    Zero,
    /// `ZI`: zero now, stable or not.
    ZeroImmediate,
    /// `I4`: the serial number.
    SerialNumber,
    /// `@`: reset to the power-on state (tare cleared, no zeroing); answers like `I4`.
    Reset,
}

impl Command {
    pub const ALL: [Command; 10] = [
        Command::Stable,
        Command::Immediate,
        Command::ImmediateRepeat,
        Command::Tare,
        Command::TareValue,
        Command::ClearTare,
        Command::Zero,
        Command::ZeroImmediate,
        Command::SerialNumber,
        Command::Reset,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Command::Stable => "S",
            Command::Immediate => "SI",
            Command::ImmediateRepeat => "SIR",
            Command::Tare => "T",
            Command::TareValue => "TA",
            Command::ClearTare => "TAC",
            Command::Zero => "Z",
            Command::ZeroImmediate => "ZI",
            Command::SerialNumber => "I4",
            Command::Reset => "@",
        }
    }

    /// The bytes on the wire: the name and CR LF.
    pub fn bytes(self) -> Vec<u8> {
        let mut bytes = self.name().as_bytes().to_vec();
        bytes.extend_from_slice(b"\r\n");
        bytes
    }

    /// The answer's name: the weight commands answer as `S`, a reset answers as `I4`.
    pub fn reply_id(self) -> Id {
        match self {
            Command::Stable | Command::Immediate | Command::ImmediateRepeat => Id::S,
            Command::Tare => Id::T,
            Command::TareValue => Id::TA,
            Command::ClearTare => Id::TAC,
            Command::Zero => Id::Z,
            Command::ZeroImmediate => Id::ZI,
            Command::SerialNumber | Command::Reset => Id::I4,
        }
    }

    /// Reads a command line as a scale receives it (for the simulator); `None` for what a
    /// scale would answer `ES` to.
    pub fn parse(line: &[u8]) -> Option<Command> {
        let text = std::str::from_utf8(trim_line(line)).ok()?;
        Command::ALL.into_iter().find(|c| c.name() == text)
    }
}

/// The name an answer starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Id {
    S,
    T,
    TA,
    TAC,
    Z,
    ZI,
    I4,
}

impl Id {
    fn parse(text: &str) -> Option<Id> {
        Some(match text {
            "S" => Id::S,
            "T" => Id::T,
            "TA" => Id::TA,
            "TAC" => Id::TAC,
            "Z" => Id::Z,
            "ZI" => Id::ZI,
            "I4" => Id::I4,
            _ => return None,
        })
    }
}

/// One answer from the scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `ES`: the scale did not recognise the command.
    SyntaxError,
    /// `ET`: the scale received a faulty command (parity error, interface break).
    TransmissionError,
    /// `EL`: the scale cannot execute the command.
    LogicalError,
    /// An answer to a command: its name and what happened.
    Answer { id: Id, status: Status },
}

/// What an answer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// `S` or `D` and a weight: a weight, or the tare just taken.
    Weight { stability: Stability, weight: Weight },
    /// `A` and a weight: a value asked for (`TA A`).
    Value(Weight),
    /// `A` alone: done.
    Done,
    /// `S` or `D` alone: done, with the scale stable or not (`ZI S`, `ZI D`).
    Performed(Stability),
    /// `A` and a quoted text (`I4 A "B021002593"`).
    Text(String),
    /// `I`: not executable now (busy, or no stability in time).
    NotExecutable,
    /// `L`: a parameter is wrong or missing.
    Parameter,
    /// `+`: overload (or the upper limit of the tare or zero range).
    Overload,
    /// `-`: underload (or the lower limit of the tare or zero range).
    Underload,
}

/// Why a line from the scale is not an MT-SICS answer. Never a panic: garbage, half lines and
/// endless lines all end here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SicsError {
    #[error("an empty line")]
    Empty,
    #[error("a line longer than {MAX_LINE} bytes")]
    TooLong,
    #[error("bytes that are not printable ASCII")]
    NotAscii,
    #[error("an answer no MT-SICS command gives: {0:?}")]
    Unknown(String),
    #[error("a weight that is no number: {0:?}")]
    BadWeight(String),
    #[error("a unit this register does not sell by: {0:?}")]
    UnknownUnit(String),
    #[error("a text that is not quoted: {0:?}")]
    BadText(String),
}

/// Parses one line from the scale, with or without its CR LF.
pub fn parse_reply(line: &[u8]) -> Result<Reply, SicsError> {
    let line = trim_line(line);
    if line.is_empty() {
        return Err(SicsError::Empty);
    }
    if line.len() > MAX_LINE {
        return Err(SicsError::TooLong);
    }
    if !line.iter().all(|b| (0x20..0x7F).contains(b)) {
        return Err(SicsError::NotAscii);
    }
    // Printable ASCII is UTF-8.
    let text = std::str::from_utf8(line).map_err(|_| SicsError::NotAscii)?;
    match text.trim_end() {
        "ES" => return Ok(Reply::SyntaxError),
        "ET" => return Ok(Reply::TransmissionError),
        "EL" => return Ok(Reply::LogicalError),
        _ => {}
    }
    let unknown = || SicsError::Unknown(text.to_owned());
    let (name, rest) = text.split_once(' ').ok_or_else(unknown)?;
    let id = Id::parse(name).ok_or_else(unknown)?;
    let mut chars = rest.chars();
    let status = chars.next().ok_or_else(unknown)?;
    let payload = chars.as_str();
    if !payload.is_empty() && !payload.starts_with(' ') {
        return Err(unknown());
    }
    let status = parse_status(status, payload.trim(), text)?;
    Ok(Reply::Answer { id, status })
}

fn parse_status(status: char, payload: &str, line: &str) -> Result<Status, SicsError> {
    let unknown = || SicsError::Unknown(line.to_owned());
    let bare = payload.is_empty();
    Ok(match status {
        'S' | 'D' => {
            let stability = if status == 'S' { Stability::Stable } else { Stability::Dynamic };
            if bare {
                Status::Performed(stability)
            } else {
                Status::Weight { stability, weight: parse_weight(payload)? }
            }
        }
        'A' if bare => Status::Done,
        'A' if payload.starts_with('"') => Status::Text(parse_text(payload)?),
        'A' => Status::Value(parse_weight(payload)?),
        'I' if bare => Status::NotExecutable,
        'L' if bare => Status::Parameter,
        '+' if bare => Status::Overload,
        '-' if bare => Status::Underload,
        _ => return Err(unknown()),
    })
}

/// Reads `0.256 kg`, `-12.5 g`: a plain decimal (digits, at most one point, an optional
/// leading minus) of at most 10 characters, one or more spaces, a unit.
pub fn parse_weight(text: &str) -> Result<Weight, SicsError> {
    let bad = || SicsError::BadWeight(text.to_owned());
    let mut parts = text.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if value.len() > 10 || !is_plain_decimal(value) {
        return Err(bad());
    }
    let value = Decimal::from_str_exact(value).map_err(|_| bad())?;
    let unit = Unit::parse(unit).ok_or_else(|| SicsError::UnknownUnit(unit.to_owned()))?;
    Ok(Weight::new(value, unit))
}

fn is_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

fn parse_text(payload: &str) -> Result<String, SicsError> {
    let inner = payload
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| !inner.contains('"'))
        .ok_or_else(|| SicsError::BadText(payload.to_owned()))?;
    Ok(inner.to_owned())
}

fn trim_line(line: &[u8]) -> &[u8] {
    let end = line.iter().rposition(|&b| b != b'\r' && b != b'\n').map_or(0, |at| at + 1);
    &line[..end]
}

/// Cuts the byte stream from a scale into lines at LF (a CR before it is dropped). A line that
/// grows past [`MAX_LINE`] is reported once as [`SicsError::TooLong`] and skipped up to its
/// end, so a scale babbling at the wrong speed cannot make the register hold unbounded memory.
#[derive(Debug, Default)]
pub struct Lines {
    current: Vec<u8>,
    overflowed: bool,
}

impl Lines {
    pub fn new() -> Lines {
        Lines::default()
    }

    /// Adds bytes read from the port; returns the lines they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<Vec<u8>, SicsError>> {
        let mut lines = Vec::new();
        for &byte in bytes {
            if byte == b'\n' {
                if self.overflowed {
                    self.overflowed = false;
                } else {
                    lines.push(Ok(trim_line(&self.current).to_vec()));
                }
                self.current.clear();
            } else if self.overflowed {
                continue;
            } else if self.current.len() >= MAX_LINE {
                self.current.clear();
                self.overflowed = true;
                lines.push(Err(SicsError::TooLong));
            } else {
                self.current.push(byte);
            }
        }
        lines
    }

    /// Forgets a half line (before a new command, so an old answer's tail cannot be read as
    /// the new answer).
    pub fn clear(&mut self) {
        self.current.clear();
        self.overflowed = false;
    }
}

/// Formats a weight the way a scale sends it: the value right-aligned in 10 characters, a
/// space and the unit. Used by the simulator.
pub fn format_weight(weight: &Weight) -> String {
    format!("{:>10} {}", weight.value, weight.unit)
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Id::S => "S",
            Id::T => "T",
            Id::TA => "TA",
            Id::TAC => "TAC",
            Id::Z => "Z",
            Id::ZI => "ZI",
            Id::I4 => "I4",
        })
    }
}
