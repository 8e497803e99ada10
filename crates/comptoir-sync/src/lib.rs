//! The register's side of sync.
//!
//! - [`enrol`]: exchange a one-time code for the register's credential, after checking the
//!   server's certificate against the fingerprint the administrator gave; from then on the
//!   register trusts that certificate only (pinned).
//! - [`upload`]: send the ledger after the acknowledged mark, in batches, until the server
//!   holds all of it. Safe to repeat, interrupt or run twice: the server takes each entry once
//!   and its acknowledgement (a high-water mark per epoch) is the only thing that moves the
//!   mark here.

mod error;
mod http;

use comptoir_protocol::wire::{BatchAck, EnrolRequest, LedgerBatch};
use comptoir_store::{Store, SyncRejected, SyncServer};
use sha2::{Digest, Sha256};

pub use error::SyncError;
pub use http::HttpTransport;

/// Entries per batch.
pub const BATCH: u32 = 500;

/// How the register reaches the server (HTTPS, or a simulated network in tests).
pub trait Transport {
    fn post_batch(&self, batch: &LedgerBatch) -> Result<BatchAck, SyncError>;
}

/// SHA-256 of a PEM certificate's DER bytes, as `sha256:` and lower-case hex, as the server's
/// `comptoir-server fingerprint` prints it.
pub fn fingerprint(pem_text: &str) -> Result<String, SyncError> {
    let parsed = pem::parse(pem_text)
        .map_err(|e| SyncError::new("bad_certificate", format!("not a PEM certificate: {e}")))?;
    Ok(format!("sha256:{}", hex::encode(Sha256::digest(parsed.contents()))))
}

/// How the register decides to trust the server at enrolment.
#[derive(Clone, Debug)]
pub enum Trust {
    /// Fetch the server's CA certificate and check it against this fingerprint.
    Fingerprint(String),
    /// The CA certificate itself (PEM), handed over by the administrator.
    Certificate(String),
}

/// Enrols the register with the server at `url` using a one-time `code`, and records the
/// credential and the pinned certificate in the register's database.
pub fn enrol(
    store: &mut Store,
    url: &str,
    code: &str,
    trust: Trust,
    now: &str,
) -> Result<SyncServer, SyncError> {
    let url = url.trim_end_matches('/').to_owned();
    if !url.starts_with("https://") {
        return Err(SyncError::new(
            "bad_url",
            format!("{url:?}: the server's address starts with https://"),
        ));
    }
    let register = store
        .register()?
        .ok_or_else(|| SyncError::new("not_initialised", "this data folder holds no register"))?;
    let pin_pem = match trust {
        Trust::Certificate(pem_text) => {
            fingerprint(&pem_text)?;
            pem_text
        }
        Trust::Fingerprint(expected) => {
            let fetched = http::fetch_ca_unverified(&url)?;
            let found = fingerprint(&fetched)?;
            if !found.eq_ignore_ascii_case(expected.trim()) {
                return Err(SyncError::new(
                    "fingerprint_mismatch",
                    format!(
                        "the server at {url} presents the certificate {found}, not {}: do not \
                         enrol; check the address with the administrator",
                        expected.trim()
                    ),
                ));
            }
            fetched
        }
    };
    let client = http::pinned_client(&pin_pem)?;
    let request = EnrolRequest {
        code: code.to_owned(),
        store_code: register.store_code.clone(),
        device_id: register.register_id.clone(),
    };
    let response: comptoir_protocol::wire::EnrolResponse =
        http::send(client.post(format!("{url}/v1/enrol")).json(&request))?;
    let server = SyncServer {
        url,
        register_id: response.register_id,
        store_id: response.store_id,
        credential: response.credential,
        pin_pem,
        enrolled_at: now.to_owned(),
    };
    store.set_sync_server(&server)?;
    tracing::info!(register = %server.register_id, url = %server.url, "enrolled");
    Ok(server)
}

/// What an upload did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct UploadReport {
    pub batches: u32,
    pub accepted: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    /// Entries still waiting (0 unless the upload stopped on an error).
    pub pending: u64,
    pub acked: (i64, i64),
}

/// Sends every entry the server has not acknowledged, batch after batch, until none waits.
/// An error stops it where it is: what was acknowledged stays acknowledged, the rest waits.
pub fn upload(
    store: &mut Store,
    transport: &dyn Transport,
    now: &dyn Fn() -> String,
) -> Result<UploadReport, SyncError> {
    upload_in_batches_of(store, transport, now, BATCH)
}

/// [`upload`] with another batch size (1 to [`comptoir_protocol::wire::MAX_BATCH_ENTRIES`]).
pub fn upload_in_batches_of(
    store: &mut Store,
    transport: &dyn Transport,
    now: &dyn Fn() -> String,
    batch: u32,
) -> Result<UploadReport, SyncError> {
    let batch = batch.clamp(1, comptoir_protocol::wire::MAX_BATCH_ENTRIES as u32);
    let mut report = UploadReport { acked: store.sync_acked()?, ..UploadReport::default() };
    let mut idle_rounds = 0;
    loop {
        let pending = store.sync_pending(batch)?;
        let Some(first) = pending.first() else {
            break;
        };
        let epoch = first.epoch;
        let entries: Vec<_> = pending.into_iter().take_while(|e| e.epoch == epoch).collect();
        let last_seq = entries.last().map_or(0, |e| e.seq);
        let first_seq = entries[0].seq;
        let ack = transport.post_batch(&LedgerBatch { epoch, entries })?;
        if ack.epoch != epoch {
            return Err(SyncError::new(
                "bad_answer",
                format!("the server acknowledged epoch {} for a batch of epoch {epoch}", ack.epoch),
            ));
        }
        report.batches += 1;
        report.accepted += u64::from(ack.accepted);
        report.duplicates += u64::from(ack.duplicates);
        report.quarantined += ack.quarantined.len() as u64;
        if !ack.quarantined.is_empty() {
            let at = now();
            let rejected: Vec<SyncRejected> = ack
                .quarantined
                .iter()
                .map(|r| SyncRejected {
                    epoch,
                    seq: r.seq,
                    entry_id: r.entry_id.clone(),
                    code: r.code.clone(),
                    reason: r.reason.clone(),
                    seen_at: at.clone(),
                })
                .collect();
            store.record_sync_rejected(&rejected)?;
            for r in &ack.quarantined {
                tracing::warn!(epoch, seq = r.seq, code = %r.code, "the server set an entry aside: {}", r.reason);
            }
        }
        store.set_sync_acked(epoch, ack.high_water, &now())?;
        report.acked = (epoch, ack.high_water);
        let progressed = ack.accepted > 0 || ack.duplicates > 0 || !ack.quarantined.is_empty();
        if progressed {
            idle_rounds = 0;
        } else {
            // Nothing taken: the server holds less than this register thought (it was restored
            // from a backup) and the mark went back, so the next round sends from there. Twice
            // in a row means the server will not take what comes next: stop, do not loop.
            idle_rounds += 1;
            tracing::warn!(
                epoch,
                high_water = ack.high_water,
                first_seq,
                last_seq,
                "the server took nothing of the batch"
            );
            if idle_rounds > 1 {
                return Err(SyncError::new(
                    "stalled",
                    format!(
                        "the server stays at epoch {epoch} sequence {} and takes nothing after it",
                        ack.high_water
                    ),
                ));
            }
        }
    }
    report.pending = store.sync_pending_count()?;
    Ok(report)
}
