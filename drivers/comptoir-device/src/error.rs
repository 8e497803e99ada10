//! Device errors: a UnifiedPOS result code, a stable code the UI branches on, a message for the
//! cashier and a detail for the log.

use std::fmt;
use std::io;

/// The UnifiedPOS result codes (`OPOS_E_*`, `JPOS_E_*`), kept with their numbers so that a log
/// line or a support call can name them the way every POS technician knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The device is not open.
    Closed = 101,
    /// Another owner holds the device (another program has the port).
    Claimed = 102,
    /// The device must be claimed first.
    NotClaimed = 103,
    /// The driver cannot talk to its service (a library or daemon is missing).
    NoService = 104,
    /// The device must be enabled first.
    Disabled = 105,
    /// The request makes no sense for this device or in its current state.
    Illegal = 106,
    /// The device is not connected (unplugged, switched off, wrong address).
    NoHardware = 107,
    /// The device is connected but does not answer or reports itself offline.
    Offline = 108,
    /// The named device, port or file does not exist.
    NoExist = 109,
    /// What the request would create exists already (a print job printed before).
    Exists = 110,
    /// The device failed to do what was asked.
    Failure = 111,
    /// The device did not answer in time.
    Timeout = 112,
    /// The device is doing something else.
    Busy = 113,
    /// A device-specific error: see [`DeviceError::code`].
    Extended = 114,
}

impl ErrorCode {
    /// The UnifiedPOS number.
    pub fn number(self) -> u16 {
        self as u16
    }

    /// The stable code the UI branches on when the driver names nothing more precise.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Closed => "device_closed",
            ErrorCode::Claimed => "device_claimed",
            ErrorCode::NotClaimed => "device_not_claimed",
            ErrorCode::NoService => "device_no_service",
            ErrorCode::Disabled => "device_disabled",
            ErrorCode::Illegal => "device_illegal",
            ErrorCode::NoHardware => "device_no_hardware",
            ErrorCode::Offline => "device_offline",
            ErrorCode::NoExist => "device_not_found",
            ErrorCode::Exists => "device_exists",
            ErrorCode::Failure => "device_failure",
            ErrorCode::Timeout => "device_timeout",
            ErrorCode::Busy => "device_busy",
            ErrorCode::Extended => "device_error",
        }
    }

    /// Whether the error says the hardware is in trouble (the device goes to the error state),
    /// as opposed to a request refused by the model (wrong state, illegal request).
    pub fn is_hardware(self) -> bool {
        matches!(
            self,
            ErrorCode::NoHardware
                | ErrorCode::Offline
                | ErrorCode::NoExist
                | ErrorCode::Failure
                | ErrorCode::Timeout
                | ErrorCode::Extended
                | ErrorCode::NoService
        )
    }
}

/// Why a device could not do what was asked.
///
/// `code()` is stable: the UI and the CLI branch on it. `message` is what the cashier reads (what
/// happened and what to do next, in English; the app translates by code). `detail` is for the
/// log and may name ports, addresses and OS errors, never card data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DeviceError {
    pub kind: ErrorCode,
    /// A device-specific code (`printer_out_of_paper`, `zvt_declined`), or none.
    pub extended: Option<&'static str>,
    pub message: String,
    pub detail: String,
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code(), self.kind.number(), self.message)?;
        if !self.detail.is_empty() {
            write!(f, " [{}]", self.detail)?;
        }
        Ok(())
    }
}

impl DeviceError {
    pub fn new(kind: ErrorCode, message: impl Into<String>) -> DeviceError {
        DeviceError { kind, extended: None, message: message.into(), detail: String::new() }
    }

    /// A device-specific error with its own stable code.
    pub fn extended(
        kind: ErrorCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> DeviceError {
        DeviceError { extended: Some(code), ..DeviceError::new(kind, message) }
    }

    /// Adds what the log should know (the port, the OS error).
    pub fn with_detail(mut self, detail: impl fmt::Display) -> DeviceError {
        self.detail = detail.to_string();
        self
    }

    /// The stable code: the device-specific one when there is one.
    pub fn code(&self) -> &'static str {
        self.extended.unwrap_or(self.kind.as_str())
    }

    pub fn timeout(what: &str) -> DeviceError {
        DeviceError::new(
            ErrorCode::Timeout,
            format!("{what} did not answer in time: check that it is on and connected"),
        )
    }

    /// Maps an I/O error on a device's link to what it means for the cashier.
    pub fn from_io(what: &str, error: &io::Error) -> DeviceError {
        use io::ErrorKind as K;
        let (kind, message) = match error.kind() {
            K::NotFound => {
                (ErrorCode::NoExist, format!("{what} not found: check its cable and its setting"))
            }
            K::PermissionDenied => (
                ErrorCode::NoService,
                format!(
                    "{what}: this account may not use the port; ask IT to add it to the dialout group"
                ),
            ),
            K::TimedOut | K::WouldBlock => {
                (ErrorCode::Timeout, format!("{what} did not answer in time: check that it is on"))
            }
            K::ResourceBusy => (
                ErrorCode::Claimed,
                format!("{what} is in use by another program: close it, then try again"),
            ),
            K::ConnectionRefused
            | K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::NotConnected
            | K::UnexpectedEof
            | K::HostUnreachable
            | K::NetworkUnreachable
            | K::NetworkDown => (
                ErrorCode::Offline,
                format!("{what} is offline: check that it is switched on and connected"),
            ),
            _ => (ErrorCode::Failure, format!("{what} failed: check its cable, then try again")),
        };
        DeviceError::new(kind, message).with_detail(error)
    }
}
