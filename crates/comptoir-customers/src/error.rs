//! What can go wrong, each with a stable code.

use crate::crypto::RandomFailed;
use crate::model::CustomerId;
use crate::rules::Problem;

/// An operation on customers failed.
#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    /// This replica holds no document for the customer.
    #[error("customer {0} is not on this register yet")]
    Unknown(CustomerId),
    /// The customer was erased; nothing can be read or changed any more.
    #[error("customer {0} was erased on request")]
    Erased(CustomerId),
    /// The document is here but its key is not yet (it comes with the next sync).
    #[error("customer {0} cannot be read here until the next sync")]
    NoKey(CustomerId),
    /// An edit would write a value the rules refuse.
    #[error("{0}")]
    Invalid(Problem),
    /// automerge refused an operation or a chunk.
    #[error("customer document: {0}")]
    Document(#[from] automerge::AutomergeError),
    /// The system random generator failed.
    #[error(transparent)]
    Random(#[from] RandomFailed),
    /// SQLite failed.
    #[error("customer storage: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A sync batch did not decode.
    #[error("sync batch: {0}")]
    Batch(String),
}

impl CustomerError {
    /// A stable code the UI and the API branch on.
    pub fn code(&self) -> &'static str {
        match self {
            CustomerError::Unknown(_) => "customer_unknown",
            CustomerError::Erased(_) => "customer_erased",
            CustomerError::NoKey(_) => "customer_key_missing",
            CustomerError::Invalid(problem) => problem.code(),
            CustomerError::Document(_) => "customer_document",
            CustomerError::Random(_) => "random_failed",
            CustomerError::Storage(_) => "customer_storage",
            CustomerError::Batch(_) => "bad_sync_batch",
        }
    }
}
