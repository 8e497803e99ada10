//! Customer profiles as automerge documents: created and edited offline on any register,
//! merged field by field, synced in batches, stored as automerge chunks, erasable on request.
//!
//! # One document per customer
//!
//! A customer is a [`CustomerId`] (UUIDv7) and one automerge document ([`CustomerDoc`], layout
//! in `doc.rs`). A [`Replica`] (a register, or the server) holds the documents, their keys and
//! the erasures it knows, runs the use cases ([`Replica::create`], [`Replica::edit`],
//! [`Replica::erase`], [`Replica::export`], [`Replica::compensate`]), persists them
//! ([`Replica::persist`], [`store::SCHEMA`]) and syncs them ([`Replica::sync_batch`],
//! [`Replica::receive_batch`]).
//!
//! # The hazards of the sync notes, designed out
//!
//! - **Shared genesis.** Every document starts from [`CustomerDoc::genesis`]: one change with a
//!   fixed actor, time 0, no message and fixed operations (the id, then every top-level map,
//!   list and the visit counter). Every replica builds the same change (same hash), so no two
//!   replicas ever create a top-level object concurrently, which would hide one side's data.
//!   Replicas write under a random actor per session after it.
//! - **Latest edit wins, by time, per field.** automerge orders concurrent puts by operation
//!   counter. Each field is a cell `{hlc, v}` whose `hlc` is a [`Timestamp`] of the writer's
//!   hybrid logical clock ([`Hlc`]: wall ms, counter, replica). Readers take every concurrent
//!   cell (`get_all`) and keep the largest timestamp. Timestamps compare as `(ms, counter,
//!   replica)`; one clock never issues the same timestamp twice, so equal timestamps mean a
//!   malformed document, and then the larger automerge op id wins (the same everywhere). A
//!   writer first observes every timestamp in the document, so an edit made after seeing
//!   another always beats it, even if its wall clock is behind.
//! - **Field by field.** Each field is its own key of the `fields` map: concurrent edits of
//!   different fields never touch the same key and both survive.
//! - **No counter overwrite.** Visits are a counter made by the genesis and only incremented;
//!   a recount ([`Edit::RecountVisits`]) writes the difference.
//! - **No delete of what others edit.** Nothing is ever deleted: deactivation is a status
//!   field, erasure a tombstone appended to a list, notes are only appended (a correction
//!   marks one withdrawn), tags are a last-writer-wins set of cells.
//! - **Compensate, do not reject.** [`validate`] lists [`Problem`]s after a merge;
//!   [`compensate`] writes one correcting change (a field back to its previous valid value, a
//!   note withdrawn) and an incident per correction. The same rules refuse bad input up front
//!   in [`Replica::edit`].
//!
//! # What is encrypted, and why
//!
//! automerge keeps every value ever written in the document's history, and every replica keeps
//! the history: deleting a value does not erase it. So the fields that identify a person
//! (name, email, phone, postal address, note texts) are written only as ciphertext,
//! ChaCha20-Poly1305 under a random 256-bit key per customer, a random nonce per value, and the
//! customer id and field name (or note id) as associated data, so a ciphertext moved to
//! another field or customer does not open (see `crypto.rs` for the choice of `ring`). The key
//! is never in the document: each replica holds it in its key table (`customer_keys`), and it
//! travels only in sync batches, to a replica that asks for it.
//!
//! Stored in clear, because the server and the promotions read them and they are labels, not
//! free text: preferred language, segment and tags (short ASCII labels, checked), marketing
//! consent (granted, when, source label, replica), visit count, creation time and replica,
//! status, incidents, timestamps.
//!
//! # Erasure
//!
//! [`Replica::erase`] appends a tombstone (when, which replica), clears the personal fields
//! and withdraws the notes in the same change, and destroys the key. Every batch carries the
//! erasures the peer was not yet told of; a replica that hears of one (from a batch, or from
//! the tombstone arriving in a document) destroys its key, records the erasure, and from then
//! refuses edits and refuses the key if a peer offers it. The ciphertext stays in every
//! history, unreadable. A replica that edited offline after the erasure cannot bring the
//! customer back: reads of an erased document show nothing personal, its key is destroyed at
//! its next sync, and [`compensate`] clears what it wrote. The key table is written with
//! `secure_delete` on and the WAL truncated after a key is deleted, so the key is not left in
//! free pages.
//!
//! # Sync batch
//!
//! [`Batch`], JSON with base64 binaries, version 1:
//!
//! ```text
//! {"v": 1,
//!  "docs": [{"id": "<customer>", "msg": "<base64 sync message>"}],
//!  "keys": [{"id": "<customer>", "key": "<base64 32 bytes>"}],
//!  "want_keys": ["<customer>"],
//!  "erased": [{"id": "<customer>", "at_ms": 1760000000000, "by": "<replica>"}]}
//! ```
//!
//! `msg` is an automerge sync message for the document; only documents with something to say
//! are in it (per peer and document, the heads at which automerge last had nothing to send are
//! kept, and a document still at them is skipped). Peers exchange batches until both sides'
//! batches are empty.

mod crypto;
mod doc;
mod edit;
mod error;
mod exchange;
mod export;
mod hlc;
mod model;
mod repair;
mod replica;
mod rules;
pub mod store;
mod sync;
#[cfg(test)]
mod tests;

pub use crypto::{CustomerKey, KEY_LEN, OpenFailed, RandomFailed};
pub use doc::CustomerDoc;
pub use error::CustomerError;
pub use exchange::{Merged, erase_stored, merge};
pub use export::{EXPORT_VERSION, export};
pub use hlc::{BadTimestamp, Hlc, ReplicaId, Timestamp};
pub use model::{
    Consent, Customer, CustomerId, Edit, Erasure, Field, Incident, Note, Personal, PostalAddress,
    Status,
};
pub use repair::{compensate, validate};
pub use replica::{COMPACT_AFTER, Persisted, Replica};
pub use rules::{
    MAX_ADDRESS_LINES, MAX_ADDRESS_PART, MAX_EMAIL, MAX_LABEL, MAX_NAME, MAX_NOTE, MAX_NOTES,
    MAX_PHONE, Problem,
};
pub use sync::{BATCH_VERSION, Batch, DocMessage, ErasureNotice, KeyGrant, Received};
