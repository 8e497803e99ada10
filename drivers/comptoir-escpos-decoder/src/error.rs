//! Why a byte stream is not a print job this decoder vouches for.

use std::fmt;

/// How many bytes of a command an error quotes: enough to recognise it, not a whole image.
pub(crate) const QUOTED_BYTES: usize = 16;

/// A decoding failure, always naming the byte offset where the offending command starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are no command of the Epson reference that this decoder knows.
    #[error("unknown command at byte {offset}: {}", Hex(bytes))]
    UnknownCommand { offset: usize, bytes: Vec<u8> },
    /// The stream ends inside a command; `needed` more bytes were expected.
    #[error("truncated command at byte {offset}: {} ({needed} more byte(s) expected)", Hex(bytes))]
    Truncated { offset: usize, bytes: Vec<u8>, needed: usize },
    /// A known command carries a parameter outside the range the reference allows.
    #[error("invalid command at byte {offset}: {} ({reason})", Hex(bytes))]
    InvalidParameter { offset: usize, bytes: Vec<u8>, reason: &'static str },
    /// A byte above 0x7F is printed while a code table this decoder cannot map is selected.
    #[error("byte {byte:#04x} at {offset} is printed with code table {table}, which is not mapped")]
    UnsupportedCodeTable { offset: usize, table: u8, byte: u8 },
    /// A byte that `ESC R` replaces is printed under an international set that is not mapped.
    #[error("byte {byte:#04x} at {offset} is printed with international set {charset}, not mapped")]
    UnsupportedCharset { offset: usize, charset: u8, byte: u8 },
    /// Text in Kanji mode is not a valid sequence of the selected multi-byte encoding.
    #[error("text at byte {offset} is not valid {encoding}: {}", Hex(bytes))]
    MalformedText { offset: usize, bytes: Vec<u8>, encoding: &'static str },
}

impl DecodeError {
    /// The offset, in the decoded stream, of the first byte of the offending command or text.
    pub fn offset(&self) -> usize {
        match self {
            Self::UnknownCommand { offset, .. }
            | Self::Truncated { offset, .. }
            | Self::InvalidParameter { offset, .. }
            | Self::UnsupportedCodeTable { offset, .. }
            | Self::UnsupportedCharset { offset, .. }
            | Self::MalformedText { offset, .. } => *offset,
        }
    }

    /// The offending bytes (at most [`QUOTED_BYTES`] of a command).
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Self::UnknownCommand { bytes, .. }
            | Self::Truncated { bytes, .. }
            | Self::InvalidParameter { bytes, .. }
            | Self::MalformedText { bytes, .. } => bytes.clone(),
            Self::UnsupportedCodeTable { byte, .. } | Self::UnsupportedCharset { byte, .. } => {
                vec![*byte]
            }
        }
    }

    /// A stable code for callers that branch on the kind of failure (never on the message).
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownCommand { .. } => "escpos_unknown_command",
            Self::Truncated { .. } => "escpos_truncated",
            Self::InvalidParameter { .. } => "escpos_invalid_parameter",
            Self::UnsupportedCodeTable { .. } => "escpos_unsupported_code_table",
            Self::UnsupportedCharset { .. } => "escpos_unsupported_charset",
            Self::MalformedText { .. } => "escpos_malformed_text",
        }
    }
}

/// Bytes written the way the Epson reference writes them: `1B 70 00`.
struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            write!(f, "{sep}{byte:02X}")?;
        }
        Ok(())
    }
}
