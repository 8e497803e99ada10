//! The register's side of sync.
//!
//! - [`enrol`]: exchange a one-time code for the register's credential, after checking the
//!   server's certificate against the fingerprint the administrator gave; from then on the
//!   register trusts that certificate only (pinned).
//! - [`upload`]: send the ledger after the acknowledged mark, in batches, until the server
//!   holds all of it. Safe to repeat, interrupt or run twice: the server takes each entry once
//!   and its acknowledgement (a high-water mark per epoch) is the only thing that moves the
//!   mark here.

mod customers;
mod error;
mod http;

use comptoir_protocol::wire::{BatchAck, EnrolRequest, LedgerBatch};
use comptoir_store::{Store, SyncRejected, SyncServer};

pub use customers::{
    CURSOR as CUSTOMERS_CURSOR, CustomerReport, CustomerTransport,
    GENERATION as CUSTOMERS_GENERATION, sync_customers,
};
pub use error::{SyncError, is_transient_code};
pub use http::HttpTransport;

/// Entries per batch: the most a batch may hold ([`comptoir_protocol::wire::MAX_BATCH_ENTRIES`]),
/// as each batch costs a round trip and a durable commit on the server. A batch also stops
/// before [`BATCH_BYTES`].
pub const BATCH: u32 = 1000;

/// A batch holds entries up to this many bytes of JSON, reckoned at their largest (every byte of
/// a payload escaped): well within the server's body limit, whatever the sales' sizes.
pub const BATCH_BYTES: usize = comptoir_protocol::wire::MAX_BODY_BYTES * 3 / 4;

/// The most bytes an entry takes in a batch's JSON: its payload is a JSON text inside a JSON
/// string, where a quote or a backslash takes two bytes (JSON has no raw control characters).
fn wire_size_bound(e: &comptoir_protocol::LedgerEntry) -> usize {
    let text = |s: &str| 2 * s.len() + 8;
    let optional = |s: &Option<String>| s.as_deref().map_or(8, text);
    200 + text(&e.entry_id)
        + text(&e.kind)
        + text(&e.recorded_at)
        + text(&e.business_day)
        + optional(&e.receipt_no)
        + optional(&e.external_ref)
        + text(&e.payload)
        + text(&e.prev_hash)
        + text(&e.hash)
}

/// How the register reaches the server (HTTPS, or a simulated network in tests).
pub trait Transport {
    fn post_batch(&self, batch: &LedgerBatch) -> Result<BatchAck, SyncError>;
}

/// SHA-256 of a PEM certificate's DER bytes, as `sha256:` and lower-case hex, as the server's
/// `comptoir-server fingerprint` prints it.
pub fn fingerprint(pem_text: &str) -> Result<String, SyncError> {
    let parsed = pem::parse(pem_text)
        .map_err(|e| SyncError::new("bad_certificate", format!("not a PEM certificate: {e}")))?;
    Ok(comptoir_protocol::certificate_fingerprint(parsed.contents()))
}

/// A fingerprint as an administrator may type it (`sha256:` or not, colons, upper case), in
/// the form [`fingerprint`] gives; anything but 64 hex digits is refused.
pub fn normalise_fingerprint(typed: &str) -> Result<String, SyncError> {
    let text = typed.trim();
    let text =
        text.strip_prefix("sha256:").or_else(|| text.strip_prefix("SHA256:")).unwrap_or(text);
    let hex: String = text.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(SyncError::new(
            "bad_fingerprint",
            format!("{typed:?} is not a certificate fingerprint (sha256: and 64 hex digits)"),
        ));
    }
    Ok(format!("sha256:{hex}"))
}

/// How the register decides to trust the server at enrolment.
#[derive(Clone, Debug)]
pub enum Trust {
    /// Fetch the server's CA certificate and check it against this fingerprint.
    Fingerprint(String),
    /// The CA certificate itself (PEM), handed over by the administrator.
    Certificate(String),
}

/// What the register shows the server of its ledger at enrolment: its last entry (`None`
/// when it has recorded nothing) and the entry at the mark the server last acknowledged.
fn enrolment_tips(
    store: &Store,
) -> Result<
    (Option<comptoir_protocol::wire::LedgerTip>, Option<comptoir_protocol::wire::LedgerTip>),
    SyncError,
> {
    let tip = |e: comptoir_store::Entry| comptoir_protocol::wire::LedgerTip {
        epoch: e.epoch,
        seq: e.seq,
        hash: e.hash,
    };
    let (epoch, seq) = store.sync_acked()?;
    let acked = if seq > 0 {
        store
            .entries_after(epoch, seq - 1, 1)?
            .into_iter()
            .next()
            .filter(|e| (e.epoch, e.seq) == (epoch, seq))
    } else {
        None
    };
    Ok((store.last_entry()?.map(tip), acked.map(tip)))
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
            let expected = normalise_fingerprint(&expected)?;
            let fetched = http::fetch_ca_unverified(&url)?;
            if fingerprint(&fetched)? != expected {
                // The one found is not said: pasting it back would defeat the check.
                return Err(SyncError::new(
                    "fingerprint_mismatch",
                    format!(
                        "The server at {url} does not present the certificate with the \
                         fingerprint given: do not enrol; check the address and the \
                         fingerprint with the administrator (`comptoir-server fingerprint`)"
                    ),
                ));
            }
            fetched
        }
    };
    let client = http::pinned_client(&pin_pem)?;
    let tips = enrolment_tips(store)?;
    let request = EnrolRequest {
        code: code.to_owned(),
        store_code: register.store_code.clone(),
        device_id: register.register_id.clone(),
        register_number: register.number,
        tip: tips.0,
        acked: tips.1,
    };
    let response: comptoir_protocol::wire::EnrolResponse =
        http::send(client.post(format!("{url}/v1/enrol")).json(&request)).map_err(|e| {
            if e.code == "enrolment_refused" {
                // The server does not say which reason (a code is a secret); the till says
                // what it is, so the administrator can check the code was for it.
                SyncError::new(
                    e.code,
                    format!("this till is register {} of {}", register.number, register.store_code),
                )
            } else {
                e
            }
        })?;
    let server = SyncServer {
        url,
        register_id: response.register_id,
        store_id: response.store_id,
        credential: response.credential,
        pin_pem,
        enrolled_at: now.to_owned(),
    };
    // The server checked, in the enrolment's transaction, that this register's last entry is
    // one it holds under that register (or that this ledger is empty): a till with another
    // history was refused there, with nothing changed. What the server holds beyond it comes
    // back before the enrolment is recorded here, so nothing new is recorded in between.
    let transport = HttpTransport::new(&server)?;
    let empty = store.last_entry()?.is_none();
    let report = recover(store, &transport, &|| now.to_owned())?;
    if empty && report.recovered > 0 {
        let epoch = store.start_new_epoch()?;
        tracing::info!(
            recovered = report.recovered,
            epoch,
            "took this register's ledger back from the server"
        );
    }
    let acked = store.sync_acked()?;
    store.set_sync_server(&server)?;
    if acked != (0, 0) {
        store.set_sync_acked(acked.0, acked.1, now)?;
    }
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
    /// The register's clock minus the server's, in seconds, when the server found it off.
    pub clock_skew_seconds: Option<i64>,
    pub acked: (i64, i64),
    /// What the catalog pull that followed the upload did, if one ran.
    pub catalog: Option<CatalogReport>,
    /// How many stock levels the stock pull brought, if one ran.
    pub stock_levels: Option<usize>,
    /// What the customers' sync that followed did, if one ran.
    pub customers: Option<CustomerReport>,
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

/// [`upload`] with another batch size (1 to [`comptoir_protocol::wire::MAX_BATCH_ENTRIES`]);
/// a batch holds fewer when its entries would reach [`BATCH_BYTES`].
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
        let mut bytes = 0;
        let entries: Vec<_> = pending
            .into_iter()
            .take_while(|e| e.epoch == epoch)
            .enumerate()
            .take_while(|(n, e)| {
                bytes += wire_size_bound(e);
                *n == 0 || bytes <= BATCH_BYTES
            })
            .map(|(_, e)| e)
            .collect();
        let last_seq = entries.last().map_or(0, |e| e.seq);
        let first_seq = entries[0].seq;
        let ack = transport.post_batch(&LedgerBatch { epoch, entries, sent_at: Some(now()) })?;
        if ack.epoch != epoch {
            return Err(SyncError::new(
                "bad_answer",
                format!("the server acknowledged epoch {} for a batch of epoch {epoch}", ack.epoch),
            ));
        }
        report.batches += 1;
        report.clock_skew_seconds = ack.clock_skew_seconds;
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
        // The mark never moves past what this register holds, nor past what it sent when the
        // server holds other content at the same sequences (another installation used this
        // register's identity): that is a conflict somebody must look at.
        let conflict = ack.quarantined.iter().any(|r| r.code == "reused_sequence");
        let local_last = store.last_of_epoch(epoch)?.map_or(0, |e| e.seq);
        let held = ack.high_water.min(if conflict { last_seq } else { local_last });
        // Without an fsync: a lost acknowledgement only makes the register send those entries
        // again, which the server takes as duplicates.
        let at = now();
        store.relaxed(|s| s.set_sync_acked(epoch, held, &at))?;
        report.acked = (epoch, held);
        if conflict {
            return Err(SyncError::new(
                "ledger_conflict",
                format!(
                    "the server holds other entries at this register's epoch {epoch} sequences \
                     (another installation used its identity); they were set aside there: call IT"
                ),
            ));
        }
        // Progress is the mark moving; an answer that leaves it where it was, twice in a row,
        // means the server will not take what comes next: stop, do not loop.
        if held > first_seq - 1 {
            idle_rounds = 0;
        } else {
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
                        "the server stays at epoch {epoch} sequence {held} and takes nothing after it{}",
                        ack.quarantined
                            .first()
                            .map(|q| format!(" ({}: {})", q.code, q.reason))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
    }
    report.pending = store.sync_pending_count()?;
    Ok(report)
}

/// What [`recover`] took back.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecoverReport {
    /// Entries the server held that the restored database did not.
    pub recovered: u64,
    /// The position the ledger now ends at, before the new epoch.
    pub through: (i64, i64),
}

/// Everything the server holds of this register, every epoch, in order.
fn fetch_all(transport: &HttpTransport) -> Result<Vec<comptoir_store::Entry>, SyncError> {
    let status = transport.ledger_status()?;
    let mut marks: Vec<_> = status.epochs.iter().map(|m| (m.epoch, m.high_water)).collect();
    marks.sort_unstable();
    let mut all = Vec::new();
    for (epoch, high_water) in marks {
        let mut after = 0;
        while after < high_water {
            let page = transport.ledger_entries(epoch, after, 1000)?;
            let Some(last) = page.last() else {
                break;
            };
            after = last.seq;
            all.extend(page);
        }
    }
    Ok(all)
}

/// The entries that continue `tip` (the register's last entry, `None` for an empty ledger)
/// up to the server's latest entry, following back links: a register restored from a backup
/// forks its history (its new epoch links to the backup's last entry, not to what came after
/// it), and only the branch that leads to the latest entry can be taken back. `None` when the
/// latest entry does not descend from `tip`.
fn chain_from(
    tip: Option<&comptoir_store::Entry>,
    held: Vec<comptoir_store::Entry>,
) -> Option<Vec<comptoir_store::Entry>> {
    let latest = held.iter().max_by_key(|e| (e.epoch, e.seq))?.hash.clone();
    let mut by_hash: std::collections::HashMap<String, comptoir_store::Entry> =
        held.into_iter().map(|e| (e.hash.clone(), e)).collect();
    let stop = tip.map_or(comptoir_protocol::GENESIS, |t| t.hash.as_str());
    let mut chain = Vec::new();
    let mut cursor = latest;
    while cursor != stop {
        let entry = by_hash.remove(&cursor)?;
        cursor = entry.prev_hash.clone();
        chain.push(entry);
    }
    chain.reverse();
    Some(chain)
}

/// Takes back, from the server, the entries that continue this register's ledger (after a
/// restore from a backup, or on a new install of a register): all or nothing, in one
/// transaction, so no sale that reached the server is missing here and receipt numbers go
/// on after them. Call it before anything new is recorded; then start a new epoch.
pub fn recover(
    store: &mut Store,
    transport: &HttpTransport,
    now: &dyn Fn() -> String,
) -> Result<RecoverReport, SyncError> {
    let held = fetch_all(transport)?;
    let tip = store.last_entry()?;
    // Nothing to take back when this ledger already holds the server's latest entry (the
    // same history, as long or longer).
    match held.iter().max_by_key(|e| (e.epoch, e.seq)) {
        None => return Ok(RecoverReport { recovered: 0, through: store.last_position()? }),
        Some(latest) if store.holds(latest.epoch, latest.seq, &latest.hash)? => {
            return Ok(RecoverReport { recovered: 0, through: store.last_position()? });
        }
        Some(_) => {}
    }
    let latest = held.iter().map(|e| (e.epoch, e.seq)).max().unwrap_or((0, 0));
    let chain = chain_from(tip.as_ref(), held).ok_or_else(|| {
        SyncError::new(
            "ledger_conflict",
            "the server's latest entries of this register do not continue this ledger",
        )
    })?;
    let recovered = store.recover_entries(&chain)?;
    // Everything the server holds is acknowledged, whatever branch it is on.
    store.set_sync_acked(latest.0, latest.1, &now())?;
    Ok(RecoverReport { recovered, through: store.last_position()? })
}

/// What a catalog pull did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CatalogReport {
    /// The version the register holds now, and the server's latest.
    pub version: i64,
    pub latest: i64,
    pub items: usize,
    pub prices: usize,
    pub retired: usize,
    pub taxes: bool,
    /// Promotions added, changed or retired.
    pub promotions: usize,
}

/// Pulls the store's catalog changes after the version the register holds, page by page,
/// each page applied in one transaction. `received_at` is the local time now
/// (`YYYY-MM-DDTHH:MM`): a price published to apply at once applies from then at the latest.
pub fn pull_catalog(
    transport: &HttpTransport,
    store: &mut Store,
    received_at: &str,
    digits: u32,
) -> Result<CatalogReport, SyncError> {
    let mut report =
        CatalogReport { version: store.catalog_version()?, ..CatalogReport::default() };
    loop {
        let page =
            transport.catalog_page(report.version, comptoir_protocol::catalog::MAX_CATALOG_PAGE)?;
        if page.latest < report.version {
            // The server is behind what the register pulled (restored from a backup): pull
            // its whole catalog again, or its next changes would be taken for known ones.
            tracing::warn!(
                held = report.version,
                latest = page.latest,
                "the server's catalog went back: pulling it again"
            );
            store.set_catalog_version(0)?;
            report.version = 0;
            continue;
        }
        let applied = store.apply_catalog(&page, received_at, digits)?;
        report.latest = page.latest;
        report.items += applied.items;
        report.prices += applied.prices;
        report.retired += applied.retired;
        report.taxes |= applied.taxes;
        report.promotions += applied.promotions;
        let progressed = applied.version > report.version;
        report.version = applied.version;
        if !page.more || !progressed {
            return Ok(report);
        }
    }
}

/// How far back a stock pull asks again before the last answer's time, so a level written by
/// a transaction that committed just after an answer is not missed.
pub const STOCK_OVERLAP_SECONDS: i64 = 60;

/// Pulls the store's stock levels changed since the last pull (less [`STOCK_OVERLAP_SECONDS`]).
/// `received_at` is the register's clock now, from which the screen tells the levels' age.
pub fn pull_stock(
    transport: &HttpTransport,
    store: &mut Store,
    received_at: &str,
) -> Result<usize, SyncError> {
    let since = store
        .stock_as_of()?
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| {
            (t.with_timezone(&chrono::Utc) - chrono::Duration::seconds(STOCK_OVERLAP_SECONDS))
                .format("%Y-%m-%dT%H:%M:%S%.3fZ")
                .to_string()
        })
        .unwrap_or_default();
    let page = transport.stock_page(&since)?;
    Ok(store.apply_stock(&page, received_at)?)
}
