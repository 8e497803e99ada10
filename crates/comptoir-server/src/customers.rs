//! Customer profiles on the server: the chain-wide customer log every register pushes to and
//! pulls from (`POST /v1/customers:sync`), the keys it hands to the chain's registers, and the
//! administrator's erasure and export.
//!
//! The server holds no sync state between requests: each request loads the documents it
//! names from the log, merges the pushed chunks (`comptoir_customers::merge`: automerge, then
//! the corrections the rules call for), appends the result as one chunk, and answers with the
//! log after the register's cursor. Several processes over one PostgreSQL therefore behave as
//! one server. An erasure recorded here (from a document's tombstone, or by `customer erase`)
//! destroys the key in the key store; registers destroy theirs when the tombstone reaches them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use comptoir_customers::{
    COMPACT_AFTER, CustomerDoc, CustomerId, CustomerKey, Hlc, Merged, ReplicaId,
};
use comptoir_protocol::wire::{
    self, CustomerChunks, CustomerKeyGrant, CustomerRefused, CustomerSync, CustomerSyncAnswer,
    codes,
};

use crate::db::{CustomerOutcome, Db, DbError, DbResult, Written};
use crate::keys::KeyStore;

/// The server's side of customers: the key store and the clock its corrections are written
/// with.
#[derive(Debug)]
pub struct Customers {
    pub keys: KeyStore,
    hlc: Arc<Mutex<Hlc>>,
    /// Customers whose key the key store lacks (a lost or restored key store), as the last
    /// [`sweep`] found them: registers are asked for them at each sync until one sends them.
    missing: Mutex<std::collections::BTreeSet<String>>,
}

impl Customers {
    pub fn new(keys: KeyStore) -> Customers {
        // A replica id per process: each process's corrections carry their own timestamps.
        let replica = ReplicaId(uuid::Uuid::now_v7());
        Customers { keys, hlc: Arc::new(Mutex::new(Hlc::new(replica))), missing: Mutex::default() }
    }

    fn missing(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeSet<String>> {
        self.missing.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The most keys asked of one register at a time, beyond those of what it pushes.
const ASK_KEYS: usize = 200;

/// How often a serving process sweeps (destroys erased customers' keys, finds missing keys).
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// A request, decoded and checked.
#[derive(Debug)]
pub struct Request {
    since: i64,
    docs: Vec<(CustomerId, Vec<Vec<u8>>)>,
    keys: Vec<(CustomerId, CustomerKey)>,
    want_keys: Vec<CustomerId>,
}

/// Why a request cannot be taken: `(too large?, message)`.
pub type Refusal = (bool, String);

fn parse_id(id: &str) -> Result<CustomerId, Refusal> {
    id.parse().map_err(|_| (false, format!("{id:?} is not a customer id")))
}

/// Decodes a request; anything that does not decode refuses the whole request.
pub fn decode(request: CustomerSync) -> Result<Request, Refusal> {
    if request.docs.len() > wire::MAX_CUSTOMER_PUSH {
        return Err((true, format!("at most {} documents per request", wire::MAX_CUSTOMER_PUSH)));
    }
    let most = wire::MAX_CUSTOMER_PAGE + wire::MAX_CUSTOMER_PUSH;
    if request.keys.len() > most || request.want_keys.len() > most {
        return Err((true, format!("at most {most} keys given or asked for per request")));
    }
    let mut docs: BTreeMap<CustomerId, Vec<Vec<u8>>> = BTreeMap::new();
    for doc in request.docs {
        let id = parse_id(&doc.id)?;
        let chunks = docs.entry(id).or_default();
        for chunk in doc.chunks {
            let bytes = B64
                .decode(chunk.as_bytes())
                .map_err(|e| (false, format!("customer {id}: a chunk is not base64 ({e})")))?;
            chunks.push(bytes);
        }
    }
    let mut keys = Vec::with_capacity(request.keys.len());
    for grant in request.keys {
        let id = parse_id(&grant.id)?;
        let key = B64
            .decode(grant.key.as_bytes())
            .ok()
            .and_then(|k| CustomerKey::from_bytes(&k))
            .ok_or_else(|| {
            (false, format!("customer {id}: the key is not 32 bytes of base64"))
        })?;
        keys.push((id, key));
    }
    let want_keys = request.want_keys.iter().map(|id| parse_id(id)).collect::<Result<_, _>>()?;
    Ok(Request { since: request.since.max(0), docs: docs.into_iter().collect(), keys, want_keys })
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

/// One register's sync: takes its keys and chunks, then answers with the log after its cursor.
pub async fn sync(
    db: &Db,
    customers: &Customers,
    register_id: &str,
    request: Request,
) -> DbResult<CustomerSyncAnswer> {
    let Request { since, docs, keys, want_keys } = request;

    // Keys first (never one for an erased customer), so the merge can check personal fields.
    let given: Vec<String> = keys.iter().map(|(id, _)| id.to_string()).collect();
    let erased = db.erased_among(given).await?;
    let keys: Vec<_> =
        keys.into_iter().filter(|(id, _)| !erased.contains(&id.to_string())).collect();
    let given: Vec<String> = keys.iter().map(|(id, _)| id.to_string()).collect();
    customers.keys.add(keys).await?;
    customers.missing().retain(|id| !given.contains(id));

    let pushed_ids: Vec<CustomerId> = docs.iter().map(|(id, _)| *id).collect();
    let held = customers.keys.get(pushed_ids.clone()).await?;
    let mut answer = CustomerSyncAnswer::default();
    if !docs.is_empty() {
        let written = write(db, customers, docs, &held).await?;
        let mut newly_erased = Vec::new();
        for (id, outcome) in written {
            match outcome {
                Written::Unchanged | Written::Stored { erased: false } => answer.accepted.push(id),
                Written::Stored { erased: true } => {
                    newly_erased.push(id.clone());
                    answer.accepted.push(id);
                }
                Written::Resend => answer.resend.push(id),
                Written::Refused(message) => {
                    tracing::warn!(register = register_id, customer = %id, %message, "customer document refused");
                    answer.refused.push(CustomerRefused {
                        id,
                        code: codes::BAD_CUSTOMER_DOCUMENT.to_owned(),
                        message,
                    });
                }
            }
        }
        if !newly_erased.is_empty() {
            let destroyed = customers.keys.destroy(newly_erased.clone()).await?;
            tracing::info!(
                register = register_id,
                erased = newly_erased.len(),
                destroyed,
                "customers erased: keys destroyed"
            );
        }
    }
    // The server asks for the keys it lacks: of what was pushed (`held` was read after this
    // request's keys were stored), and those a lost or restored key store lacks, a few at a
    // time (`missing` may be stale in another process: those held by now are left out).
    let mut want: Vec<String> = pushed_ids
        .iter()
        .filter(|id| !held.contains_key(id))
        .map(ToString::to_string)
        .filter(|id| !answer.refused.iter().any(|r| r.id == *id))
        .collect();
    let missing: Vec<String> = customers.missing().iter().take(ASK_KEYS).cloned().collect();
    if !missing.is_empty() {
        let ids: Vec<CustomerId> = missing.iter().filter_map(|id| id.parse().ok()).collect();
        let now_held = customers.keys.get(ids).await?;
        let now_held: Vec<String> = now_held.keys().map(ToString::to_string).collect();
        customers.missing().retain(|id| !now_held.contains(id));
        for id in missing {
            if !now_held.contains(&id) && !want.contains(&id) {
                want.push(id);
            }
        }
    }
    if !want.is_empty() {
        let erased = db.erased_among(want.clone()).await?;
        want.retain(|id| !erased.contains(id));
    }
    answer.want_keys = want;

    let (rows, head) =
        db.customer_page(since, wire::MAX_CUSTOMER_PAGE, wire::CUSTOMER_PAGE_BYTES).await?;
    answer.head = head;
    answer.cursor = rows.last().map_or(since.min(head), |r| r.0);
    answer.more = answer.cursor < head;
    let mut order: Vec<String> = Vec::new();
    let mut grouped: HashMap<String, Vec<String>> = HashMap::new();
    for (_, id, bytes) in rows {
        let chunks = grouped.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            Vec::new()
        });
        chunks.push(B64.encode(bytes));
    }
    answer.docs = order
        .iter()
        .map(|id| CustomerChunks { id: id.clone(), chunks: grouped.remove(id).unwrap_or_default() })
        .collect();

    // Keys for the documents sent and those asked for, except erased customers'.
    let mut asked: Vec<CustomerId> = order.iter().filter_map(|id| id.parse().ok()).collect();
    asked.extend(want_keys);
    asked.sort();
    asked.dedup();
    let erased = db.erased_among(asked.iter().map(ToString::to_string).collect()).await?;
    asked.retain(|id| !erased.contains(&id.to_string()));
    if customers.keys.destroy(erased).await? > 0 {
        // An erasure recorded by another process, or by a command given another key store.
        tracing::warn!("keys of erased customers were still held: destroyed");
    }
    let found = customers.keys.get(asked).await?;
    answer.keys = found
        .into_iter()
        .map(|(id, key)| CustomerKeyGrant { id: id.to_string(), key: B64.encode(key.as_bytes()) })
        .collect();
    answer.keys.sort_by(|a, b| a.id.cmp(&b.id));
    tracing::info!(
        register = register_id,
        pushed = answer.accepted.len(),
        resend = answer.resend.len(),
        refused = answer.refused.len(),
        pulled = answer.docs.len(),
        keys = answer.keys.len(),
        cursor = answer.cursor,
        "customers synced"
    );
    Ok(answer)
}

/// Merges pushed chunks into the stored documents, in one transaction.
async fn write(
    db: &Db,
    customers: &Customers,
    docs: Vec<(CustomerId, Vec<Vec<u8>>)>,
    held: &HashMap<CustomerId, CustomerKey>,
) -> DbResult<Vec<(String, Written)>> {
    let ids: Vec<String> = docs.iter().map(|(id, _)| id.to_string()).collect();
    type Pushed = (CustomerId, Vec<Vec<u8>>, Option<CustomerKey>);
    let mut pushed: HashMap<String, Pushed> = docs
        .into_iter()
        .map(|(id, chunks)| (id.to_string(), (id, chunks, held.get(&id).cloned())))
        .collect();
    let hlc = customers.hlc.clone();
    let now = now_ms();
    let merge = Box::new(move |id: &str, stored: &[Vec<u8>]| {
        let Some((id, chunks, key)) = pushed.remove(id) else { return CustomerOutcome::Unchanged };
        let mut hlc = hlc.lock().unwrap_or_else(|p| p.into_inner());
        let compact = stored.len() >= COMPACT_AFTER;
        match comptoir_customers::merge(id, stored, &chunks, key.as_ref(), &mut hlc, now, compact) {
            Ok(Merged::Unchanged) => CustomerOutcome::Unchanged,
            Ok(Merged::Missing) => CustomerOutcome::Resend,
            Ok(Merged::Changed { chunk, whole, erasure, .. }) => CustomerOutcome::Append {
                chunk,
                whole,
                erasure: erasure
                    .map(|e| (i64::try_from(e.at_ms).unwrap_or(i64::MAX), e.by.to_string())),
            },
            Err(e) => CustomerOutcome::Refused(e.to_string()),
        }
    });
    db.customer_write(ids, merge, &crate::now()).await
}

/// Destroys the keys of every erased customer still in the key store (after a crash between
/// recording an erasure and destroying its key, or an erasure made by a command given another
/// key store), and lists the customers whose key the store lacks, to ask registers for them.
/// Run at start and every [`SWEEP_EVERY`]; returns how many keys were destroyed.
pub async fn sweep(db: &Db, customers: &Customers) -> DbResult<usize> {
    let erased = db.erased_customers().await?;
    let destroyed = customers.keys.destroy(erased).await?;
    let held = customers.keys.held().await?;
    let missing: std::collections::BTreeSet<String> = db
        .customers()
        .await?
        .into_iter()
        .filter(|c| c.erased_at.is_none() && !held.contains(&c.id))
        .map(|c| c.id)
        .collect();
    if !missing.is_empty() {
        tracing::warn!(
            customers = missing.len(),
            "the key store lacks some customers' keys: asking the registers for them"
        );
    }
    *customers.missing() = missing;
    Ok(destroyed)
}

/// What an administrator's erasure did.
#[derive(Debug, serde::Serialize)]
pub struct Erased {
    pub customer: String,
    /// `false` if the customer was already erased.
    pub erased_now: bool,
    /// Whether the key store held the key (`false`: it was already gone from it).
    pub key_destroyed: bool,
    /// The key store the key was destroyed in.
    pub key_store: String,
}

/// Erases a customer at their request (head office): the tombstone goes into the log (every
/// register destroys its key when it pulls it) and the key store's key is destroyed now.
pub async fn erase(db: &Db, customers: &Customers, id: &str) -> DbResult<Erased> {
    let id: CustomerId =
        id.trim().parse().map_err(|_| DbError::NotFound(format!("{id:?} is not a customer id")))?;
    let (stored, _) = db.customer_chunks(&id.to_string()).await?;
    if stored.is_empty() {
        return Err(DbError::NotFound(format!(
            "no customer {id} on this server yet: sync the register that holds them, or erase \
             them there (`comptoir customer erase`)"
        )));
    }
    let hlc = customers.hlc.clone();
    let now = now_ms();
    let merge = Box::new(move |_: &str, stored: &[Vec<u8>]| {
        let mut hlc = hlc.lock().unwrap_or_else(|p| p.into_inner());
        match comptoir_customers::erase_stored(id, stored, &mut hlc, now) {
            Ok(Some((chunk, e))) => CustomerOutcome::Append {
                chunk,
                whole: false,
                erasure: Some((i64::try_from(e.at_ms).unwrap_or(i64::MAX), e.by.to_string())),
            },
            Ok(None) => CustomerOutcome::Unchanged,
            Err(e) => CustomerOutcome::Refused(e.to_string()),
        }
    });
    let written = db.customer_write(vec![id.to_string()], merge, &crate::now()).await?;
    let erased_now = match written.into_iter().next().map(|w| w.1) {
        Some(Written::Stored { .. }) => true,
        Some(Written::Refused(why)) => return Err(DbError::Backend(why)),
        _ => false,
    };
    // Whether just now or before, the key must not be here.
    let key_destroyed = customers.keys.destroy(vec![id.to_string()]).await? > 0;
    let key_store = customers.keys.path().display().to_string();
    Ok(Erased { customer: id.to_string(), erased_now, key_destroyed, key_store })
}

/// Everything the server holds about a customer, for a data-access request.
pub async fn export(db: &Db, customers: &Customers, id: &str) -> DbResult<serde_json::Value> {
    let id: CustomerId =
        id.trim().parse().map_err(|_| DbError::NotFound(format!("{id:?} is not a customer id")))?;
    let (stored, _) = db.customer_chunks(&id.to_string()).await?;
    if stored.is_empty() {
        return Err(DbError::NotFound(format!("no customer {id} on this server")));
    }
    let doc = CustomerDoc::load(id, stored.iter().map(Vec::as_slice))
        .map_err(|e| DbError::Backend(format!("customer {id}: {e}")))?;
    let key = customers.keys.get(vec![id]).await?.remove(&id);
    let customer = doc.read(key.as_ref());
    let replica = customers.hlc.lock().unwrap_or_else(|p| p.into_inner()).replica();
    Ok(comptoir_customers::export(&customer, replica))
}
