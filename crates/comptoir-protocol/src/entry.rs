//! A ledger entry and its hash chain.
//!
//! An entry's hash is SHA-256 over its `(epoch, seq)` and every stored field, each one
//! length-prefixed, starting with the previous entry's hash; so changing, removing or
//! reordering an entry breaks the chain at that entry. Within an epoch `seq` runs 1, 2, 3…
//! with no gap; the first entry of a new epoch (a register restored from a backup) links back
//! to the last entry the register still had.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the very first entry of a register points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A recorded entry, as stored on the register and on the server, and as uploaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub epoch: i64,
    pub seq: i64,
    pub entry_id: String,
    pub kind: String,
    pub recorded_at: String,
    pub business_day: String,
    #[serde(default)]
    pub receipt_no: Option<String>,
    #[serde(default)]
    pub external_ref: Option<String>,
    /// The entry's JSON, hashed byte for byte (see [`crate::payload`]).
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl LedgerEntry {
    /// The hash this entry's content gives: equal to `hash` unless the entry was changed.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let fields: [&str; 8] = [
            &self.prev_hash,
            &self.entry_id,
            &self.kind,
            &self.recorded_at,
            &self.business_day,
            self.receipt_no.as_deref().unwrap_or(""),
            self.external_ref.as_deref().unwrap_or(""),
            &self.payload,
        ];
        hasher.update(self.epoch.to_be_bytes());
        hasher.update(self.seq.to_be_bytes());
        for field in fields {
            // Length-prefixed, so no two different entries hash the same bytes.
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }
}

/// Why an entry does not continue the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainFault {
    /// `seq` is not the one expected: an entry is missing before it.
    Gap { expected: i64, found: i64 },
    /// `prev_hash` is not the previous entry's hash.
    BackLink,
    /// The content does not give `hash`: the entry was changed.
    Changed,
}

impl ChainFault {
    /// A stable code for the fault.
    pub fn code(&self) -> &'static str {
        match self {
            ChainFault::Gap { .. } => "chain_gap",
            ChainFault::BackLink => "chain_back_link",
            ChainFault::Changed => "hash_mismatch",
        }
    }

    /// The fault in words, for an administrator.
    pub fn reason(&self) -> String {
        match self {
            ChainFault::Gap { expected, found } => {
                format!("sequence {found} where {expected} was expected (an entry is missing)")
            }
            ChainFault::BackLink => {
                "its back link does not match the previous entry's hash".to_owned()
            }
            ChainFault::Changed => {
                "its content does not match its hash (the entry was changed)".to_owned()
            }
        }
    }
}

/// Checks that `entry` follows `previous` (the register's entry before it, `None` for the very
/// first one): the next `seq` of the same epoch, or `seq` 1 of a later epoch, linked by hash.
pub fn chain_fault(previous: Option<(i64, i64, &str)>, entry: &LedgerEntry) -> Option<ChainFault> {
    let (expected_seq, expected_prev) = match previous {
        Some((epoch, seq, hash)) if epoch == entry.epoch => (seq + 1, hash),
        Some((_, _, hash)) => (1, hash),
        None => (1, GENESIS),
    };
    if entry.seq != expected_seq {
        return Some(ChainFault::Gap { expected: expected_seq, found: entry.seq });
    }
    if entry.prev_hash != expected_prev {
        return Some(ChainFault::BackLink);
    }
    if entry.compute_hash() != entry.hash {
        return Some(ChainFault::Changed);
    }
    None
}
