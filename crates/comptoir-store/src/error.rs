//! Store errors, each with a stable code the UI and the CLI branch on.

/// What went wrong with the register's database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the disk is full: the last action was not saved")]
    Full,
    #[error("the database cannot be written: {0}")]
    ReadOnly(String),
    #[error("the database was made by a newer Comptoir (schema {found}, this one knows {known})")]
    TooNew { found: i64, known: i64 },
    #[error("the register is not initialised")]
    NotInitialised,
    #[error("already recorded: {0}")]
    Duplicate(String),
    #[error("stored data is damaged: {0}")]
    Corrupt(String),
    #[error("the server sent a catalog change the register cannot use: {0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl StoreError {
    /// A stable code for the UI and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Full => "storage_full",
            StoreError::ReadOnly(_) => "storage_read_only",
            StoreError::TooNew { .. } => "storage_too_new",
            StoreError::NotInitialised => "not_initialised",
            StoreError::Duplicate(_) => "duplicate",
            StoreError::Corrupt(_) => "storage_corrupt",
            StoreError::Invalid(_) => "catalog_change_invalid",
            StoreError::Sqlite(_) => "storage_failed",
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => StoreError::Full,
            Some(ErrorCode::ReadOnly)
            | Some(ErrorCode::CannotOpen)
            | Some(ErrorCode::PermissionDenied) => StoreError::ReadOnly(error.to_string()),
            Some(ErrorCode::ConstraintViolation) => StoreError::Duplicate(error.to_string()),
            _ => StoreError::Sqlite(error),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> StoreError {
        StoreError::Corrupt(error.to_string())
    }
}
