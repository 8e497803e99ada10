//! Why a card terminal command failed, with a stable code and a message for the cashier.

use std::io;

use comptoir_device::{DeviceError, ErrorCode};

use crate::ParseError;
use crate::codes::ResultCode;
use crate::transport::LinkError;

/// A card terminal command that did not run to its end. A payment whose answer is lost is no
/// error: it ends with [`crate::Verdict::Unknown`], so that it is recovered, never repeated.
#[derive(Debug, thiserror::Error)]
pub enum ZvtError {
    #[error("cannot reach the card terminal at {target}: {source}")]
    Connect { target: String, source: io::Error },
    #[error("the terminal refused {command}: {} ({:02X})", code.description(), code.0)]
    Refused { command: &'static str, code: ResultCode },
    #[error("the terminal could not run {command}: {} ({:02X})", code.description(), code.0)]
    Failed { command: &'static str, code: ResultCode },
    #[error("the terminal's answer to {command} was lost: {reason}")]
    Lost { command: &'static str, reason: LinkError },
    #[error("the request cannot be sent to the terminal: {0}")]
    Invalid(ParseError),
}

impl ZvtError {
    /// The stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            ZvtError::Connect { .. } => "terminal_offline",
            ZvtError::Refused { code, .. } | ZvtError::Failed { code, .. } => code.code(),
            ZvtError::Lost { reason: LinkError::Timeout, .. } => "terminal_timeout",
            ZvtError::Lost { .. } => "terminal_offline",
            ZvtError::Invalid(_) => "terminal_request_invalid",
        }
    }

    /// What the cashier reads.
    pub fn message(&self) -> String {
        match self {
            ZvtError::Connect { .. } => {
                "card terminal not reachable: check that it is on and its network cable is in, then try again".to_owned()
            }
            ZvtError::Refused { code, .. } | ZvtError::Failed { code, .. } => code.message().to_owned(),
            ZvtError::Lost { reason: LinkError::Timeout, .. } => {
                "the card terminal did not answer in time: check it, then try again".to_owned()
            }
            ZvtError::Lost { .. } => {
                "the connection to the card terminal dropped: check its cable, then try again".to_owned()
            }
            ZvtError::Invalid(_) => {
                "the terminal cannot take this request (amount too large?): check it and try again".to_owned()
            }
        }
    }

    /// The device model's error for this failure.
    pub fn to_device_error(&self) -> DeviceError {
        let kind = match self {
            ZvtError::Connect { .. } => ErrorCode::Offline,
            ZvtError::Refused { .. } | ZvtError::Failed { .. } => ErrorCode::Extended,
            ZvtError::Lost { reason: LinkError::Timeout, .. } => ErrorCode::Timeout,
            ZvtError::Lost { .. } => ErrorCode::Offline,
            ZvtError::Invalid(_) => ErrorCode::Illegal,
        };
        DeviceError::extended(kind, self.code(), self.message()).with_detail(self)
    }
}
