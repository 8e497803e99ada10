//! A replica's customers: the documents, the keys and the erasures one register (or the
//! server) holds, the use cases on them, and their persistence.

use std::collections::{BTreeMap, BTreeSet};

use automerge::{ChangeHash, ScalarValue};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::crypto::CustomerKey;
use crate::doc::{CustomerDoc, Write};
use crate::edit::prepare;
use crate::error::CustomerError;
use crate::hlc::{Hlc, ReplicaId};
use crate::model::{Customer, CustomerId, Edit, Erasure, Field, v7_at};
use crate::repair;
use crate::rules::Problem;
use crate::store;
use crate::sync::PeerState;

/// After this many chunks a document is saved whole again on its next persist.
pub const COMPACT_AFTER: usize = 16;

pub(crate) struct Held {
    pub doc: CustomerDoc,
    /// The heads last written to storage.
    saved: Vec<ChangeHash>,
    /// Chunks in storage.
    chunks: usize,
}

/// One replica's customers.
pub struct Replica {
    pub(crate) hlc: Hlc,
    pub(crate) docs: BTreeMap<CustomerId, Held>,
    pub(crate) keys: BTreeMap<CustomerId, CustomerKey>,
    pub(crate) erasures: BTreeMap<CustomerId, Erasure>,
    /// Keys added or destroyed since the last persist.
    keys_changed: BTreeSet<CustomerId>,
    erasures_new: BTreeSet<CustomerId>,
    pub(crate) peers: BTreeMap<ReplicaId, PeerState>,
}

impl std::fmt::Debug for Replica {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replica")
            .field("replica", &self.hlc.replica())
            .field("docs", &self.docs.len())
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

/// What [`Replica::persist`] wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Persisted {
    /// Incremental chunks appended.
    pub chunks: usize,
    /// Documents compacted to one full save.
    pub compacted: usize,
    /// Keys deleted.
    pub keys_destroyed: usize,
    /// Whether the WAL was checkpointed and truncated after keys were deleted (false if a
    /// reader held it; the next persist tries again).
    pub scrubbed: bool,
}

impl Replica {
    /// An empty replica (nothing stored yet).
    pub fn new(replica: ReplicaId) -> Replica {
        Replica {
            hlc: Hlc::new(replica),
            docs: BTreeMap::new(),
            keys: BTreeMap::new(),
            erasures: BTreeMap::new(),
            keys_changed: BTreeSet::new(),
            erasures_new: BTreeSet::new(),
            peers: BTreeMap::new(),
        }
    }

    /// Every customer, key and erasure stored in `conn` (tables from [`store::SCHEMA`]).
    pub fn open(conn: &Connection, replica: ReplicaId) -> Result<Replica, CustomerError> {
        store::prepare_connection(conn)?;
        let mut this = Replica::new(replica);
        for id in store::customer_ids(conn)? {
            let chunks = store::load_chunks(conn, id)?;
            let doc = CustomerDoc::load(id, chunks.iter().map(Vec::as_slice))?;
            if let Some(seen) = doc.max_timestamp() {
                this.hlc.observe(seen);
            }
            let saved = doc.heads();
            this.docs.insert(id, Held { doc, saved, chunks: chunks.len() });
        }
        this.keys = store::load_keys(conn)?.into_iter().collect();
        this.erasures = store::load_erasures(conn)?.into_iter().collect();
        Ok(this)
    }

    /// This replica's id.
    pub fn replica(&self) -> ReplicaId {
        self.hlc.replica()
    }

    /// Every customer held, erased ones included.
    pub fn customer_ids(&self) -> impl Iterator<Item = CustomerId> + '_ {
        self.docs.keys().copied()
    }

    /// A customer's document.
    pub fn doc(&self, id: CustomerId) -> Option<&CustomerDoc> {
        self.docs.get(&id).map(|held| &held.doc)
    }

    /// Whether this replica holds the customer's key.
    pub fn has_key(&self, id: CustomerId) -> bool {
        self.keys.contains_key(&id)
    }

    /// The customer as this replica reads it.
    pub fn customer(&self, id: CustomerId) -> Option<Customer> {
        let held = self.docs.get(&id)?;
        let mut customer = held.doc.read(self.keys.get(&id));
        if let (Some(erasure), None) = (self.erasures.get(&id), held.doc.erasure()) {
            // The erasure notice came before the document's tombstone: erased all the same.
            customer = CustomerDoc::genesis(id).read(None);
            customer.status = crate::Status::Erased(*erasure);
        }
        Some(customer)
    }

    /// Creates a customer with a new UUIDv7 and a new key, then applies `edits` (name, email
    /// …) in the same change.
    pub fn create(&mut self, now_ms: u64, edits: &[Edit]) -> Result<CustomerId, CustomerError> {
        let id = CustomerId(v7_at(now_ms));
        let key = CustomerKey::generate()?;
        let mut doc = CustomerDoc::genesis(id);
        let created = Write::Cell {
            tags: false,
            key: Field::Created.key().to_owned(),
            ts: self.hlc.tick(now_ms),
            value: ScalarValue::Uint(now_ms),
        };
        let mut writes = vec![created];
        writes.extend(prepare(&doc, Some(&key), &mut self.hlc, now_ms, edits)?);
        doc.commit(now_ms, writes)?;

        self.docs.insert(id, Held { doc, saved: Vec::new(), chunks: 0 });
        self.keys.insert(id, key);
        self.keys_changed.insert(id);
        tracing::info!(customer = %id, "customer created");
        Ok(id)
    }

    /// Applies `edits` to a customer as one change. Personal fields and notes need the key.
    pub fn edit(
        &mut self,
        id: CustomerId,
        now_ms: u64,
        edits: &[Edit],
    ) -> Result<(), CustomerError> {
        if self.erasures.contains_key(&id) {
            return Err(CustomerError::Erased(id));
        }
        let held = self.docs.get_mut(&id).ok_or(CustomerError::Unknown(id))?;
        if held.doc.erasure().is_some() {
            return Err(CustomerError::Erased(id));
        }
        let writes = prepare(&held.doc, self.keys.get(&id), &mut self.hlc, now_ms, edits)?;
        held.doc.commit(now_ms, writes)?;
        Ok(())
    }

    /// Erases a customer on request: writes a tombstone (who, when), clears the personal
    /// fields and withdraws the notes in the same change, and destroys the key here. The
    /// erasure travels in the next sync batches; every replica that receives it destroys its
    /// copy of the key. Nothing is deleted from the document: its history keeps only
    /// ciphertext, which no one can open once the key is gone.
    pub fn erase(&mut self, id: CustomerId, now_ms: u64) -> Result<Erasure, CustomerError> {
        if let Some(erasure) = self.erasures.get(&id) {
            return Ok(*erasure);
        }
        let held = self.docs.get_mut(&id).ok_or(CustomerError::Unknown(id))?;
        let erasure = crate::exchange::erase_document(&mut held.doc, &mut self.hlc, now_ms)?;
        self.destroy(id, erasure);
        tracing::info!(customer = %id, "customer erased");
        Ok(erasure)
    }

    /// Records an erasure and destroys the key (here; `persist` deletes it from storage).
    pub(crate) fn destroy(&mut self, id: CustomerId, erasure: Erasure) {
        if self.erasures.contains_key(&id) {
            return;
        }
        self.erasures.insert(id, erasure);
        self.erasures_new.insert(id);
        // Deleted from storage at the next persist, whether or not a key was held.
        self.keys.remove(&id);
        self.keys_changed.insert(id);
    }

    /// Takes a key received from a peer, unless the customer was erased or a key is held.
    pub(crate) fn accept_key(&mut self, id: CustomerId, key: CustomerKey) {
        if self.erasures.contains_key(&id) || self.keys.contains_key(&id) {
            return;
        }
        self.keys.insert(id, key);
        self.keys_changed.insert(id);
    }

    /// The problems in a customer's document (see [`repair::validate`]).
    pub fn validate(&self, id: CustomerId) -> Vec<Problem> {
        let Some(held) = self.docs.get(&id) else { return Vec::new() };
        repair::validate(&held.doc, self.keys.get(&id))
    }

    /// Corrects a customer's document after a merge (see [`repair::compensate`]). Meant for the
    /// server, after each received batch; a register may run it too and still converge.
    pub fn compensate(
        &mut self,
        id: CustomerId,
        now_ms: u64,
    ) -> Result<Vec<Problem>, CustomerError> {
        let held = self.docs.get_mut(&id).ok_or(CustomerError::Unknown(id))?;
        repair::compensate(&mut held.doc, self.keys.get(&id), &mut self.hlc, now_ms)
    }

    /// Everything held about the customer, for a data-access request.
    pub fn export(&self, id: CustomerId) -> Result<serde_json::Value, CustomerError> {
        let customer = self.customer(id).ok_or(CustomerError::Unknown(id))?;
        Ok(crate::export::export(&customer, self.replica()))
    }

    /// Writes to storage what changed since the last persist, in one `IMMEDIATE` transaction
    /// of its own (so not inside one the caller holds): each
    /// changed document as an incremental chunk (or, past [`COMPACT_AFTER`] chunks, as one
    /// full save replacing them), keys added and destroyed, erasures. Then, if keys were
    /// destroyed, checkpoints and truncates the WAL.
    pub fn persist(&mut self, conn: &Connection) -> Result<Persisted, CustomerError> {
        store::prepare_connection(conn)?;
        let mut done = Persisted::default();
        let mut saved: Vec<(CustomerId, Vec<ChangeHash>, usize)> = Vec::new();
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        for (id, held) in &self.docs {
            let heads = held.doc.heads();
            if heads == held.saved {
                continue;
            }
            // Another connection (the register's sync task) may have appended chunks this
            // replica has not read: then a compaction would delete them, so append instead.
            if held.chunks >= COMPACT_AFTER && store::chunk_count(&tx, *id)? == held.chunks {
                store::compact(&tx, *id, &held.doc.save())?;
                done.compacted += 1;
                saved.push((*id, heads, 1));
            } else {
                store::append_chunk(&tx, *id, &held.doc.save_after(&held.saved))?;
                done.chunks += 1;
                saved.push((*id, heads, held.chunks + 1));
            }
        }
        for id in &self.keys_changed {
            match self.keys.get(id) {
                Some(key) => store::put_key(&tx, *id, key)?,
                None => {
                    store::delete_key(&tx, *id)?;
                    done.keys_destroyed += 1;
                }
            }
        }
        for id in &self.erasures_new {
            store::record_erasure(&tx, *id, self.erasures[id])?;
        }
        tx.commit()?;

        for (id, heads, chunks) in saved {
            if let Some(held) = self.docs.get_mut(&id) {
                held.saved = heads;
                held.chunks = chunks;
            }
        }
        self.keys_changed.clear();
        self.erasures_new.clear();
        if done.keys_destroyed > 0 {
            done.scrubbed = store::scrub(conn)?;
        }
        Ok(done)
    }

    /// The document for `id`, made from the genesis if this replica has none yet.
    pub(crate) fn held_or_genesis(&mut self, id: CustomerId) -> &mut Held {
        self.docs.entry(id).or_insert_with(|| Held {
            doc: CustomerDoc::genesis(id),
            saved: Vec::new(),
            chunks: 0,
        })
    }
}
