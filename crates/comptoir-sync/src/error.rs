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
        is_transient_code(self.code)
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> SyncError {
        SyncError::new("storage", e.to_string())
    }
}

/// Whether an error with this code may go away by itself (the network, the server's load):
/// the register says "offline" and retries; any other needs somebody to act ("refused").
pub fn is_transient_code(code: &str) -> bool {
    matches!(code, "offline" | "server_error" | "unavailable" | "stalled")
}
