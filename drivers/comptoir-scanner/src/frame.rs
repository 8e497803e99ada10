//! Cuts a serial scanner's byte stream into scans at the configured line ending, dropping lines
//! that grow past the limit (junk, a wrong baud rate) instead of holding them.

use std::fmt;
use std::str::FromStr;

pub const CR: u8 = b'\r';
pub const LF: u8 = b'\n';

/// What ends a scan on the wire (the scanner's "suffix" setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Suffix {
    /// CR, LF or CR LF: whatever the scanner sends (empty lines are skipped).
    #[default]
    Any,
    Cr,
    Lf,
    CrLf,
}

impl FromStr for Suffix {
    type Err = String;

    fn from_str(text: &str) -> Result<Suffix, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "any" => Ok(Suffix::Any),
            "cr" => Ok(Suffix::Cr),
            "lf" => Ok(Suffix::Lf),
            "crlf" => Ok(Suffix::CrLf),
            other => Err(format!("{other:?}: a scanner's suffix is cr, lf, crlf or any")),
        }
    }
}

impl fmt::Display for Suffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Suffix::Any => "any",
            Suffix::Cr => "cr",
            Suffix::Lf => "lf",
            Suffix::CrLf => "crlf",
        })
    }
}

impl Suffix {
    /// The bytes that end a scan, as a scanner (or the simulator) sends them.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Suffix::Any | Suffix::Cr => b"\r",
            Suffix::Lf => b"\n",
            Suffix::CrLf => b"\r\n",
        }
    }
}

/// One piece the stream was cut into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A whole scan, without its line ending.
    Line(Vec<u8>),
    /// A line longer than the limit, dropped; its length.
    TooLong(usize),
}

/// Cuts bytes into scans. Holds at most `max` bytes, whatever arrives.
#[derive(Debug, Clone)]
pub struct LineReader {
    suffix: Suffix,
    max: usize,
    line: Vec<u8>,
    /// Bytes dropped from the current line once it passed `max`.
    dropped: Option<usize>,
    /// The byte before this one (CR LF ends a line even while its bytes are dropped).
    previous: u8,
}

impl LineReader {
    pub fn new(suffix: Suffix, max: usize) -> LineReader {
        LineReader { suffix, max, line: Vec::new(), dropped: None, previous: 0 }
    }

    /// Feeds bytes; returns the scans and dropped lines they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Frame> {
        let mut frames = Vec::new();
        for &byte in bytes {
            if let Some(frame) = self.byte(byte) {
                frames.push(frame);
            }
        }
        frames
    }

    /// Whether part of a line is waiting for its ending.
    pub fn has_partial(&self) -> bool {
        !self.line.is_empty() || self.dropped.is_some()
    }

    /// Drops a partial line; returns how many bytes it had.
    pub fn clear(&mut self) -> usize {
        let n = self.line.len() + self.dropped.unwrap_or(0);
        self.line.clear();
        self.dropped = None;
        self.previous = 0;
        n
    }

    fn byte(&mut self, byte: u8) -> Option<Frame> {
        let ends = match self.suffix {
            Suffix::Any => byte == CR || byte == LF,
            Suffix::Cr => byte == CR,
            Suffix::Lf => byte == LF,
            Suffix::CrLf => byte == LF && self.previous == CR,
        };
        self.previous = byte;
        if ends {
            return self.end_line();
        }
        // Under CR LF the CR waits in the line for its LF: room for one more byte.
        let limit = self.max + usize::from(self.suffix == Suffix::CrLf);
        match &mut self.dropped {
            Some(n) => *n += 1,
            None if self.line.len() >= limit => {
                self.dropped = Some(self.line.len() + 1);
                self.line.clear();
            }
            None => self.line.push(byte),
        }
        None
    }

    fn end_line(&mut self) -> Option<Frame> {
        if let Some(n) = self.dropped.take() {
            return Some(Frame::TooLong(n));
        }
        if self.suffix == Suffix::CrLf {
            // The CR of the CR LF.
            self.line.pop();
        }
        if self.line.is_empty() {
            // CR LF under `any`, or a scanner's blank line: nothing was scanned.
            return None;
        }
        Some(Frame::Line(std::mem::take(&mut self.line)))
    }
}
