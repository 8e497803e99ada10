//! Errors a print job can end with, each with a stable code for the UI and a message for the cashier.

use std::io;

/// Why a job was not printed (or may not have been printed completely).
///
/// The UI branches on [`PrintError::code`], never on the text; the cashier sees
/// [`PrintError::cashier_message`]; the `Display` text, with details, goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The printer cannot be reached, reports itself offline, or dropped the connection mid-job.
    #[error("printer offline: {reason}")]
    Offline { reason: String },
    /// The paper roll is out (or ran out during the job).
    #[error("printer out of paper")]
    OutOfPaper,
    /// The printer's cover is open.
    #[error("printer cover open")]
    CoverOpen,
    /// The printer reports an error (cutter jam, head temperature, ...) or cannot take the job.
    #[error("printer error: {reason}")]
    Fault { reason: String },
    /// A job with this id was already printed: a retry must not print the receipt twice.
    #[error("print job {id} was already printed")]
    DuplicateJob { id: String },
    /// Reading or writing the device, the socket or the job folder failed.
    #[error("printer i/o: {context}")]
    Io {
        context: String,
        #[source]
        source: io::Error,
    },
    /// The printer answered a status request with a byte that is no status reply.
    #[error("printer sent a malformed status reply {byte:#04x} to DLE EOT {request}")]
    BadStatusReply { request: u8, byte: u8 },
}

impl PrintError {
    /// The stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::Offline { .. } => "printer_offline",
            PrintError::OutOfPaper => "printer_out_of_paper",
            PrintError::CoverOpen => "printer_cover_open",
            PrintError::Fault { .. } => "printer_error",
            PrintError::DuplicateJob { .. } => "printer_duplicate_job",
            PrintError::Io { .. } | PrintError::BadStatusReply { .. } => "printer_io",
        }
    }

    /// What happened and what to do next, in the cashier's words.
    pub fn cashier_message(&self) -> &'static str {
        match self {
            PrintError::Offline { .. } => {
                "printer offline: check that it is switched on and connected, then Reprint"
            }
            PrintError::OutOfPaper => "printer out of paper: load a roll, then Reprint",
            PrintError::CoverOpen => "printer cover open: close the cover, then Reprint",
            PrintError::Fault { .. } => {
                "printer error: switch the printer off and on again, then Reprint"
            }
            PrintError::DuplicateJob { .. } => {
                "receipt already printed: use Reprint if the customer needs a copy"
            }
            PrintError::Io { .. } | PrintError::BadStatusReply { .. } => {
                "printer not responding: check its cable and settings, then Reprint"
            }
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Self {
        PrintError::Io { context: context.into(), source }
    }

    pub(crate) fn offline(reason: impl Into<String>) -> Self {
        PrintError::Offline { reason: reason.into() }
    }

    /// Maps an error on an open connection: the peer going away is the printer going offline,
    /// anything else is an I/O failure worth logging as such.
    pub(crate) fn from_link(context: &str, source: io::Error) -> Self {
        use io::ErrorKind as K;
        match source.kind() {
            K::BrokenPipe
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::ConnectionRefused
            | K::NotConnected
            | K::UnexpectedEof
            | K::TimedOut
            | K::WouldBlock
            | K::HostUnreachable
            | K::NetworkUnreachable
            | K::NetworkDown => PrintError::offline(format!("{context}: {source}")),
            _ => PrintError::io(context, source),
        }
    }
}
