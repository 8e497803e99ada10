//! What can go wrong with a weighing, with the stable codes the UI branches on and the words
//! the cashier reads.

use comptoir_device::{DeviceError, ErrorCode};

use crate::sics::SicsError;

/// Why the scale gave no weight that can be sold, or refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScaleError {
    #[error("weight not steady")]
    Unstable,
    #[error("nothing on the scale")]
    NoWeight,
    #[error("the scale reads below zero")]
    Negative,
    #[error("the scale is overloaded")]
    Overload,
    #[error("the scale is below its range")]
    Underload,
    #[error("the scale is busy")]
    Busy,
    #[error("the tare is more than the weight")]
    TareExceedsWeight,
    #[error("a tare cannot be negative")]
    BadTare,
    #[error("the scale cannot tare this weight")]
    TareOutOfRange,
    #[error("the scale cannot zero with this weight")]
    ZeroOutOfRange,
    #[error("the scale refused the command ({0})")]
    Refused(&'static str),
    #[error("the scale received a garbled command")]
    Transmission,
    #[error("the scale's answer could not be read: {0}")]
    Garbled(SicsError),
}

impl ScaleError {
    /// The stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            ScaleError::Unstable => "scale_unstable",
            ScaleError::NoWeight => "scale_no_weight",
            ScaleError::Negative => "scale_negative",
            ScaleError::Overload => "scale_overload",
            ScaleError::Underload => "scale_underload",
            ScaleError::Busy => "scale_busy",
            ScaleError::TareExceedsWeight => "scale_tare_exceeds_weight",
            ScaleError::BadTare => "scale_bad_tare",
            ScaleError::TareOutOfRange => "scale_tare_out_of_range",
            ScaleError::ZeroOutOfRange => "scale_zero_out_of_range",
            ScaleError::Refused(_) => "scale_refused",
            ScaleError::Transmission => "scale_transmission",
            ScaleError::Garbled(_) => "scale_garbled",
        }
    }

    /// What the cashier reads: what happened, then what to do.
    pub fn message(&self) -> &'static str {
        match self {
            ScaleError::Unstable => {
                "weight not steady: wait for the scale to settle, then weigh again"
            }
            ScaleError::NoWeight => "nothing on the scale: put the item on it, then weigh again",
            ScaleError::Negative => {
                "the scale reads below zero: empty it and press zero, then weigh again"
            }
            ScaleError::Overload => {
                "too heavy for the scale: take the item off, then weigh it in smaller parts"
            }
            ScaleError::Underload => {
                "the scale reads below its range: check the pan is in place, then zero the scale"
            }
            ScaleError::Busy => "the scale is busy or not steady: wait a moment, then try again",
            ScaleError::TareExceedsWeight => {
                "the container weighs more than what is on the scale: check the item, then weigh again"
            }
            ScaleError::BadTare => {
                "this item's tare is negative: ask a manager to correct the item"
            }
            ScaleError::TareOutOfRange => {
                "the scale cannot tare this weight: empty it and press zero, then tare again"
            }
            ScaleError::ZeroOutOfRange => {
                "the scale cannot zero with this on it: empty the pan, then zero again"
            }
            ScaleError::Refused(_) => {
                "the scale refused the command: ask IT to check it is set to MT-SICS"
            }
            ScaleError::Transmission => {
                "the scale received garbled data: check its cable and speed setting, then try again"
            }
            ScaleError::Garbled(_) => {
                "the scale's answer could not be read: check its speed setting and that it speaks MT-SICS"
            }
        }
    }

    /// The UnifiedPOS result. Overload and underload are the scale's extended errors, as
    /// UnifiedPOS names them (`ESCAL_OVERWEIGHT`, `ESCAL_UNDER_ZERO`), and put the device in
    /// the error state until the next good reading. A weight that will not settle is "busy"
    /// (UnifiedPOS's `readWeight` says timeout, but a scale still moving is not broken, so the
    /// device stays idle), and a weight that cannot be sold is a refused request.
    fn kind(&self) -> ErrorCode {
        match self {
            ScaleError::Unstable | ScaleError::Busy => ErrorCode::Busy,
            ScaleError::Overload | ScaleError::Underload => ErrorCode::Extended,
            ScaleError::NoWeight
            | ScaleError::Negative
            | ScaleError::TareExceedsWeight
            | ScaleError::BadTare
            | ScaleError::TareOutOfRange
            | ScaleError::ZeroOutOfRange => ErrorCode::Illegal,
            ScaleError::Refused(_) | ScaleError::Transmission | ScaleError::Garbled(_) => {
                ErrorCode::Failure
            }
        }
    }
}

impl From<ScaleError> for DeviceError {
    fn from(error: ScaleError) -> DeviceError {
        let detail = error.to_string();
        DeviceError::extended(error.kind(), error.code(), error.message()).with_detail(detail)
    }
}
