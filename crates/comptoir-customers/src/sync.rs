//! Batched sync of many customer documents with one peer, over any transport.
//!
//! One round is one [`Batch`] each way. A batch carries an automerge sync message for every
//! document that has something to say (a document whose heads did not move since it last had
//! nothing to say, and that received nothing, is skipped without asking automerge), the keys
//! the peer asked for, the keys this side wants, and the erasures this side knows and has not
//! yet told the peer. Peers exchange batches until both are empty.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use automerge::ChangeHash;
use automerge::sync::{Message, State, SyncDoc};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use crate::crypto::CustomerKey;
use crate::error::CustomerError;
use crate::hlc::ReplicaId;
use crate::model::{CustomerId, Erasure};
use crate::replica::Replica;

/// The batch format's version.
pub const BATCH_VERSION: u32 = 1;

/// One round of sync for many documents. JSON (`serde_json`), binary values in standard
/// base64 (with padding), so it can go over the HTTP API as it is. It carries customer keys:
/// send it only over the pinned TLS channel, and never log it (`Debug` shows counts only).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Batch {
    /// Always [`BATCH_VERSION`].
    pub v: u32,
    /// Sync messages, one per document at most.
    #[serde(default)]
    pub docs: Vec<DocMessage>,
    /// Keys the peer asked for.
    #[serde(default)]
    pub keys: Vec<KeyGrant>,
    /// Customers whose documents the sender holds without their key.
    #[serde(default)]
    pub want_keys: Vec<String>,
    /// Erased customers: the receiver destroys their keys and treats them as erased.
    #[serde(default)]
    pub erased: Vec<ErasureNotice>,
}

/// A document's sync message.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct DocMessage {
    /// The customer id.
    pub id: String,
    /// The automerge sync message, base64.
    pub msg: String,
}

/// A customer's key, for a replica that asked for it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyGrant {
    /// The customer id.
    pub id: String,
    /// The 32-byte key, base64.
    pub key: String,
}

/// An erasure, for every replica to apply.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ErasureNotice {
    /// The customer id.
    pub id: String,
    /// When, in Unix milliseconds.
    pub at_ms: u64,
    /// The replica that erased the customer.
    pub by: String,
}

impl fmt::Debug for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("docs", &self.docs.len())
            .field("keys", &self.keys.len())
            .field("want_keys", &self.want_keys.len())
            .field("erased", &self.erased.len())
            .finish()
    }
}

impl Batch {
    /// Whether the batch says nothing (the peers are done when both batches are empty).
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
            && self.keys.is_empty()
            && self.want_keys.is_empty()
            && self.erased.is_empty()
    }

    /// The batch as JSON bytes.
    pub fn to_json(&self) -> Vec<u8> {
        // Strings, numbers and vectors only: serialization cannot fail.
        serde_json::to_vec(self).expect("a batch serializes")
    }

    /// A batch from JSON bytes.
    pub fn from_json(bytes: &[u8]) -> Result<Batch, CustomerError> {
        serde_json::from_slice(bytes).map_err(|e| CustomerError::Batch(e.to_string()))
    }
}

/// What this replica knows of one peer during a session.
#[derive(Default)]
pub(crate) struct PeerState {
    docs: BTreeMap<CustomerId, DocSync>,
    /// Keys asked of this peer (once per session each).
    asked: BTreeSet<CustomerId>,
    /// Keys the peer asked for that are not yet sent (sent as soon as held).
    owed: BTreeSet<CustomerId>,
    erasures_told: BTreeSet<CustomerId>,
}

#[derive(Default)]
struct DocSync {
    state: State,
    /// The heads at which automerge last had nothing to send; `None` after any message.
    quiet_at: Option<Vec<ChangeHash>>,
}

/// What a received batch changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Received {
    /// Documents that took in changes (the server compensates these).
    pub changed: Vec<CustomerId>,
    /// Customers erased here by this batch.
    pub erased: Vec<CustomerId>,
    /// Keys taken in.
    pub keys: usize,
    /// Documents whose message was refused (bad id or message); their sync restarts.
    pub rejected: Vec<String>,
}

impl Replica {
    /// The next batch for `peer`.
    pub fn sync_batch(&mut self, peer: ReplicaId) -> Batch {
        let state = self.peers.entry(peer).or_default();
        let mut batch = Batch { v: BATCH_VERSION, ..Batch::default() };
        for (id, held) in &self.docs {
            let sync = state.docs.entry(*id).or_default();
            let heads = held.doc.heads();
            if sync.quiet_at.as_ref() == Some(&heads) {
                continue;
            }
            match held.doc.automerge().generate_sync_message(&mut sync.state) {
                Some(msg) => batch
                    .docs
                    .push(DocMessage { id: id.to_string(), msg: B64.encode(msg.encode()) }),
                None => sync.quiet_at = Some(heads),
            }
        }

        let erasures = &self.erasures;
        state.owed.retain(|id| !erasures.contains_key(id));
        for id in state.owed.clone() {
            if let Some(key) = self.keys.get(&id) {
                batch.keys.push(KeyGrant { id: id.to_string(), key: B64.encode(key.as_bytes()) });
                state.owed.remove(&id);
            }
        }
        for id in self.docs.keys() {
            let wanted = !self.keys.contains_key(id) && !erasures.contains_key(id);
            if wanted && state.asked.insert(*id) {
                batch.want_keys.push(id.to_string());
            }
        }
        for (id, erasure) in erasures {
            if state.erasures_told.insert(*id) {
                let (at_ms, by) = (erasure.at_ms, erasure.by.to_string());
                batch.erased.push(ErasureNotice { id: id.to_string(), at_ms, by });
            }
        }
        tracing::debug!(%peer, docs = batch.docs.len(), keys = batch.keys.len(), "sync batch built");
        batch
    }

    /// Takes in a batch from `peer` (the id the transport authenticated, not one the batch
    /// claims). Erasures first, so a key for an erased customer in the same batch is refused.
    pub fn receive_batch(
        &mut self,
        peer: ReplicaId,
        batch: Batch,
    ) -> Result<Received, CustomerError> {
        if batch.v != BATCH_VERSION {
            return Err(CustomerError::Batch(format!(
                "version {} (this replica reads {BATCH_VERSION})",
                batch.v
            )));
        }
        let mut received = Received::default();
        for notice in &batch.erased {
            let Ok(id) = notice.id.parse::<CustomerId>() else { continue };
            let by = ReplicaId(notice.by.parse().unwrap_or_default());
            if !self.erasures.contains_key(&id) {
                self.destroy(id, Erasure { at_ms: notice.at_ms, by });
                received.erased.push(id);
            }
        }
        for grant in &batch.keys {
            let id = grant.id.parse::<CustomerId>().ok();
            let key = B64.decode(&grant.key).ok().and_then(|k| CustomerKey::from_bytes(&k));
            if let (Some(id), Some(key)) = (id, key) {
                let had = self.has_key(id);
                self.accept_key(id, key);
                received.keys += usize::from(!had && self.has_key(id));
            }
        }
        let state = self.peers.entry(peer).or_default();
        state.owed.extend(batch.want_keys.iter().filter_map(|id| id.parse::<CustomerId>().ok()));

        for message in batch.docs {
            match self.receive_message(peer, &message) {
                Ok(true) => {
                    received.changed.push(message.id.parse().expect("checked by receive_message"))
                }
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%peer, customer = %message.id, %error, "sync message refused");
                    received.rejected.push(message.id);
                }
            }
        }
        self.erase_tombstoned(&received.changed, &mut received.erased);
        Ok(received)
    }

    /// Forgets what was exchanged with `peer`: call after a transport failure or at the end of
    /// a session, so the next session starts from a clean sync state.
    pub fn reset_peer(&mut self, peer: ReplicaId) {
        self.peers.remove(&peer);
    }

    /// Applies one document's message; `Ok(true)` if the document took in changes.
    fn receive_message(
        &mut self,
        peer: ReplicaId,
        message: &DocMessage,
    ) -> Result<bool, CustomerError> {
        let id: CustomerId =
            message.id.parse().map_err(|_| CustomerError::Batch("bad customer id".into()))?;
        let bytes = B64.decode(&message.msg).map_err(|e| CustomerError::Batch(e.to_string()))?;
        let msg = Message::decode(&bytes).map_err(|e| CustomerError::Batch(e.to_string()))?;
        let held = self.held_or_genesis(id);
        let before = held.doc.heads();
        let state = self.peers.entry(peer).or_default();
        let sync = state.docs.entry(id).or_default();
        sync.quiet_at = None;
        let held = self.docs.get_mut(&id).expect("made above");
        if let Err(error) = held.doc.automerge_mut().receive_sync_message(&mut sync.state, msg) {
            sync.state = State::new();
            return Err(error.into());
        }
        let changed = held.doc.heads() != before;
        if changed && let Some(seen) = held.doc.max_timestamp() {
            self.hlc.observe(seen);
        }
        Ok(changed)
    }

    /// Destroys the keys of documents whose tombstone just arrived.
    fn erase_tombstoned(&mut self, changed: &[CustomerId], erased: &mut Vec<CustomerId>) {
        for id in changed {
            let tombstone = self.docs.get(id).and_then(|held| held.doc.erasure());
            if let Some(erasure) = tombstone
                && !self.erasures.contains_key(id)
            {
                self.destroy(*id, erasure);
                erased.push(*id);
            }
        }
    }
}
