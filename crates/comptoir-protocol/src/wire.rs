//! Requests and answers of the sync API (`/v1`), as JSON.
//!
//! Every request but enrolment carries `Authorization: Bearer <credential>`, the credential a
//! register got in exchange for its one-time enrolment code. Errors are [`ApiError`] with a
//! stable `code` (see [`codes`]) and an HTTP status in the 4xx range for what the caller sent,
//! 5xx for what the server could not do.

use serde::{Deserialize, Serialize};

use crate::LedgerEntry;

/// The largest ledger batch a register sends, in entries.
pub const MAX_BATCH_ENTRIES: usize = 1000;
/// The largest request body the server reads, in bytes.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// `POST /v1/enrol`: a register exchanges its one-time code for a credential.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrolRequest {
    pub code: String,
    /// The store the register belongs to, as configured on it (`MTL`): enrolment into another
    /// store is refused.
    pub store_code: String,
    /// The register's own id (a UUID made when it was set up), recorded by the server.
    pub device_id: String,
    /// The register's number in its store, as configured on it (its receipts carry it): a
    /// code for another register of the store is refused.
    pub register_number: i64,
    /// The register's last ledger entry, `None` when it has recorded nothing. When the server
    /// already holds a ledger for the register, this entry must be one of it (the same till,
    /// or a new install taking it back): otherwise the enrolment is refused
    /// (`ledger_conflict`) and nothing changes.
    #[serde(default)]
    pub tip: Option<LedgerTip>,
    /// The register's entry at the mark the server last acknowledged to it, if any: when the
    /// server holds nothing after it, the register's later entries are its own unsent ones.
    #[serde(default)]
    pub acked: Option<LedgerTip>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerTip {
    pub epoch: i64,
    pub seq: i64,
    pub hash: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EnrolResponse {
    pub register_id: String,
    pub store_id: String,
    pub store_code: String,
    pub register_number: i64,
    /// The register's credential: shown once, kept on the register, only its hash on the server.
    pub credential: String,
}

/// `POST /v1/registers/{id}/ledger:batch`: entries of one epoch, in order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerBatch {
    pub epoch: i64,
    pub entries: Vec<LedgerEntry>,
    /// The register's clock when it sent the batch (RFC 3339): the server compares it with
    /// its own to find a register whose clock is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
}

/// How far a register's clock may be from the server's before it is said to be off.
pub const CLOCK_TOLERANCE_SECONDS: i64 = 300;

/// The server's answer to a batch. A retry of the same batch changes nothing. Entries after a
/// gap (an earlier batch lost or overtaken on the way) are not stored: the register sends
/// again from `high_water + 1`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct BatchAck {
    pub epoch: i64,
    /// Every entry of this epoch up to this sequence is stored on the server (accepted or
    /// quarantined): the register need not send them again.
    pub high_water: i64,
    /// Entries of this batch newly stored.
    pub accepted: u32,
    /// Entries of this batch the server already held, identical.
    pub duplicates: u32,
    /// Entries of this batch set aside for an administrator, with the reason.
    pub quarantined: Vec<Rejected>,
    /// The register's clock minus the server's, in seconds, when it is off by more than
    /// [`CLOCK_TOLERANCE_SECONDS`]: the register says so; the server counts the register's
    /// sales in the business day they really fell on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_seconds: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Rejected {
    pub seq: i64,
    pub entry_id: String,
    pub code: String,
    pub reason: String,
}

/// `GET /v1/registers/{id}/ledger:status`: what the server holds of a register's ledger.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerStatus {
    pub register_id: String,
    pub epochs: Vec<EpochMark>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct EpochMark {
    pub epoch: i64,
    pub high_water: i64,
}

/// `GET /v1/registers/{id}/ledger?epoch=E&after=S[&limit=N]`: the register's own entries of
/// epoch E after sequence S, as the server holds them (a restored register takes them back).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerQuery {
    pub epoch: i64,
    pub after: i64,
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
}

/// One store's on-hand of a SKU, as the server computed it from the movements it holds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StockLevel {
    pub store: String,
    pub sku: String,
    /// A decimal quantity (`12`, `-1`, `3.25`).
    pub on_hand: String,
    pub updated_at: String,
}

/// `GET /v1/stores/{id}/stock?since=T` and `GET /v1/stock/{sku}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct StockPage {
    /// The server's time of the answer: ask again from a minute before it.
    pub as_of: String,
    pub levels: Vec<StockLevel>,
}

/// `GET /v1/sales/{receipt_no}[?store=CODE]`: a sale (or an exchange) found by its receipt
/// number at any register of the chain, for a return, with every return and exchange the
/// server holds that brought back a line of it (from any register), so what is left to return
/// and what each tender already gave back count them all.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SaleLookup {
    /// The sale's entry as its register recorded it (kind `sale` or `exchange`).
    pub sale: LedgerEntry,
    /// The register that recorded it.
    pub register_id: String,
    /// The store it was sold in (its code) and that store's currency.
    pub store: String,
    pub currency: String,
    /// The return and exchange entries with a line of this sale, in the order recorded.
    pub returns: Vec<LedgerEntry>,
}

/// `GET /v1/credits/{reference}`: every sale, return and exchange the server holds with a
/// leg on this credit note (the refund that issued it, the sales that spent it), from any
/// register of the chain, so a note issued at one till is spent at another.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreditLookup {
    pub reference: String,
    /// The currency of the store that issued it.
    pub currency: String,
    /// The entries with a leg on it, in the order recorded.
    pub entries: Vec<LedgerEntry>,
}

/// The most documents a register pushes in one customers sync request.
pub const MAX_CUSTOMER_PUSH: usize = 200;
/// The most chunks the server answers with in one customers sync answer (fewer if they pass
/// [`CUSTOMER_PAGE_BYTES`]).
pub const MAX_CUSTOMER_PAGE: usize = 500;
/// The bytes of chunks (before base64) after which the server ends a page.
pub const CUSTOMER_PAGE_BYTES: usize = 3 * 1024 * 1024;

/// `POST /v1/customers:sync`: what the register pushes, and where its pull stands. Binary
/// values are standard base64. It carries customer keys: sent only over the pinned TLS
/// connection, and never logged.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerSync {
    /// The server's log position the register has taken in everything up to (0 at first).
    pub since: i64,
    /// Chunks of documents the server has not acknowledged yet.
    #[serde(default)]
    pub docs: Vec<CustomerChunks>,
    /// Keys for customers the register pushes or the server asked for.
    #[serde(default)]
    pub keys: Vec<CustomerKeyGrant>,
    /// Customers whose documents the register holds without their key.
    #[serde(default)]
    pub want_keys: Vec<String>,
}

/// Automerge chunks (whole or incremental saves) of one customer's document, base64.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerChunks {
    pub id: String,
    pub chunks: Vec<String>,
}

/// A customer's 32-byte key, base64.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerKeyGrant {
    pub id: String,
    pub key: String,
}

/// A pushed document the server could not take (its chunks do not decode).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRefused {
    pub id: String,
    pub code: String,
    pub message: String,
}

/// The answer to [`CustomerSync`].
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CustomerSyncAnswer {
    /// The server's last log position: a `since` above it means the server went back (it was
    /// restored from a backup) and the register pulls and pushes everything again.
    pub head: i64,
    /// Where the next pull starts (the last position this answer covers).
    pub cursor: i64,
    /// More chunks wait after `cursor`.
    pub more: bool,
    /// Pushed documents taken in (their chunks are acknowledged).
    #[serde(default)]
    pub accepted: Vec<String>,
    /// Pushed documents whose changes depend on changes the server lacks: push them whole.
    #[serde(default)]
    pub resend: Vec<String>,
    /// Pushed documents refused, with why (pushing them again will not help).
    #[serde(default)]
    pub refused: Vec<CustomerRefused>,
    /// The server's chunks after `since`, document by document, in log order.
    #[serde(default)]
    pub docs: Vec<CustomerChunks>,
    /// Keys for documents in this answer or asked for (never for an erased customer).
    #[serde(default)]
    pub keys: Vec<CustomerKeyGrant>,
    /// Customers whose keys the server lacks: the register sends them next time if it holds them.
    #[serde(default)]
    pub want_keys: Vec<String>,
}

impl std::fmt::Debug for CustomerSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerSync")
            .field("since", &self.since)
            .field("docs", &self.docs.len())
            .field("keys", &self.keys.len())
            .field("want_keys", &self.want_keys.len())
            .finish()
    }
}

impl std::fmt::Debug for CustomerSyncAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerSyncAnswer")
            .field("head", &self.head)
            .field("cursor", &self.cursor)
            .field("more", &self.more)
            .field("docs", &self.docs.len())
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for CustomerKeyGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerKeyGrant").field("id", &self.id).finish_non_exhaustive()
    }
}

/// An error answer.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// The API's stable error codes.
pub mod codes {
    /// No credential, or one the server does not know.
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    /// The register was revoked by an administrator.
    pub const REVOKED: &str = "revoked";
    /// The credential is valid but not for this register or store.
    pub const FORBIDDEN: &str = "forbidden";
    /// The register's ledger is not the one the server holds for that register.
    pub const LEDGER_CONFLICT: &str = "ledger_conflict";
    /// The enrolment code is unknown, used or expired.
    pub const ENROLMENT_REFUSED: &str = "enrolment_refused";
    /// The body is not the JSON the endpoint takes.
    pub const MALFORMED: &str = "malformed_request";
    /// The body is larger than [`super::MAX_BODY_BYTES`] or the batch than
    /// [`super::MAX_BATCH_ENTRIES`].
    pub const TOO_LARGE: &str = "payload_too_large";
    pub const NOT_FOUND: &str = "not_found";
    /// The server could not store the batch; retry later.
    pub const UNAVAILABLE: &str = "unavailable";
    /// What was asked does not pass the server's checks (a tax rate that is not a fraction).
    pub const INVALID: &str = "invalid";
    /// A catalog file with bad rows (each listed with its line) or unknown columns.
    pub const INVALID_CATALOG: &str = "invalid_catalog";
    /// A customers sync request that does not decode (a bad id, key or base64).
    pub const BAD_CUSTOMER_SYNC: &str = "bad_customer_sync";
    /// A pushed customer document whose chunks automerge refuses.
    pub const BAD_CUSTOMER_DOCUMENT: &str = "bad_customer_document";
    /// No sale with this receipt number at any register of the chain (`GET /v1/sales/…`).
    pub const NO_SUCH_SALE: &str = "no_such_sale";
    /// The sale was in another currency than the asking register's store: it is returned in
    /// the store it was bought in.
    pub const WRONG_CURRENCY: &str = "wrong_currency";
    /// Registers of several other stores printed this receipt number (stores that share a
    /// receipt prefix): the request names the store (`?store=CODE`).
    pub const AMBIGUOUS_RECEIPT: &str = "ambiguous_receipt";
    /// No entry with a leg on this credit note at any register of the chain
    /// (`GET /v1/credits/…`).
    pub const NO_SUCH_CREDIT: &str = "no_such_credit";
}
