//! The application's error: a stable code the UI and the CLI branch on, and a message that
//! says what happened and what to do next, in the cashier's language.

use std::fmt;

use comptoir_store::StoreError;

/// An error any use case can return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    pub code: &'static str,
    /// English text with the specifics (which barcode, which line); safe to show and log.
    pub detail: String,
    /// Where it happened, put before the message ("line 2").
    pub context: Option<String>,
}

impl AppError {
    pub fn new(code: &'static str, detail: impl Into<String>) -> AppError {
        AppError { code, detail: detail.into(), context: None }
    }

    /// The same error, said to have happened at `context` ("line 2").
    pub fn at(mut self, context: impl Into<String>) -> AppError {
        self.context = Some(context.into());
        self
    }

    pub fn config(detail: impl Into<String>) -> AppError {
        AppError::new("invalid_config", detail)
    }

    /// The message for the cashier, in `lang`, with the detail where it helps.
    pub fn message(&self, lang: &str) -> String {
        self.in_context(crate::i18n::error_message(self, lang))
    }

    /// The message as the `comptoir` command says it (its hints name commands, not buttons).
    pub fn cli_message(&self, lang: &str) -> String {
        self.in_context(crate::i18n::cli_message(self, lang))
    }

    fn in_context(&self, message: String) -> String {
        match &self.context {
            Some(context) => format!("{context}: {message}"),
            None => message,
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl std::error::Error for AppError {}

/// A device's error keeps its stable code (`scale_unstable`, `device_offline`) and its message
/// for the cashier; the detail for the log is logged here.
impl From<comptoir_device::DeviceError> for AppError {
    fn from(error: comptoir_device::DeviceError) -> AppError {
        tracing::warn!(%error, "device");
        AppError::new(error.code(), error.message)
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        let code = match error {
            StoreError::Full => "storage_full",
            StoreError::ReadOnly(_) | StoreError::Sqlite(_) | StoreError::Corrupt(_) => {
                "storage_failed"
            }
            StoreError::TooNew { .. } => "storage_too_new",
            StoreError::NotInitialised => "not_initialised",
            StoreError::Duplicate(_) => "duplicate",
            StoreError::Invalid(_) => "catalog_change_invalid",
        };
        tracing::error!(%error, code, "database");
        AppError::new(code, error.to_string())
    }
}

impl From<comptoir_core::CartError> for AppError {
    fn from(error: comptoir_core::CartError) -> AppError {
        use comptoir_core::CartError;
        let code = match error {
            CartError::NoSuchLine(_) => "no_such_line",
            CartError::InvalidQuantity { .. } => "invalid_quantity",
            CartError::WholeQuantity => "whole_quantity",
            CartError::NeedsPrice => "needs_price",
        };
        AppError::new(code, error.to_string())
    }
}

impl From<comptoir_core::TenderError> for AppError {
    fn from(error: comptoir_core::TenderError) -> AppError {
        use comptoir_core::TenderError;
        let code = match error {
            TenderError::NotPositive => "invalid_amount",
            TenderError::ExceedsDue { .. } => "tender_exceeds_due",
            TenderError::ReferenceRequired => "card_reference_required",
        };
        AppError::new(code, error.to_string())
    }
}

impl From<comptoir_core::MoneyError> for AppError {
    fn from(error: comptoir_core::MoneyError) -> AppError {
        AppError::new("invalid_amount", error.to_string())
    }
}

pub type AppResult<T> = Result<T, AppError>;
