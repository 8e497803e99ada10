use comptoir_store::StoreError;

/// Why sync did not complete, with a stable code: `offline` (no connection), `tls_untrusted`
/// (the server's certificate is not the pinned one), `refused` (the server refused the
/// credential: revoked or unknown), `not_enrolled`, `rejected` (a 4xx for the request),
/// `server_error`, `storage`, and enrolment's `fingerprint_mismatch`, `enrolment_refused`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyncError {
    pub code: &'static str,
    pub message: String,
}

impl SyncError {
    pub fn new(code: &'static str, message: impl Into<String>) -> SyncError {
        SyncError { code, message: message.into() }
    }

    /// Whether trying again later may succeed without anybody doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self.code, "offline" | "server_error" | "unavailable" | "stalled")
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> SyncError {
        SyncError::new("storage", e.to_string())
    }
}
