//! Catalog import on the register: our own CSV format and Open Food Facts exports, checked
//! row by row (the parser is [`comptoir_protocol::catalog`], shared with the server's import).
//!
//! Every bad row is reported with its line number and the reason; the good rows are written
//! in one transaction only if the caller accepts the file (the CLI refuses a file with errors
//! unless told to skip them), so a bad file never half-updates the catalog.

pub use comptoir_protocol::catalog::{ParsedCatalog, RowError};

use crate::config;
use crate::error::{AppError, AppResult};

/// Reads a catalog file, recognising its format from the header.
pub fn parse_catalog(text: &str, store: &config::Store) -> AppResult<ParsedCatalog> {
    comptoir_protocol::catalog::parse_catalog(text, &store.currency)
        .map_err(|reason| AppError::new("invalid_catalog", reason))
}
