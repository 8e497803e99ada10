//! Taking in a ledger batch: the decisions, as a pure function of what the server holds.
//!
//! The backends read what a batch needs in the batch's transaction (the epoch's high-water
//! mark and last hash under a lock, the hashes already held at the batch's sequences, whether
//! a new epoch's back link is known), call [`plan`], and write what it decided. So SQLite and
//! PostgreSQL decide the same way, and the rules are tested without a database.
//!
//! The rules, per entry in sequence order:
//! - at or below the high-water mark: the same hash as held is a duplicate (nothing to do);
//!   another hash is a reused `(register, epoch, seq)` and is quarantined beside the chain;
//! - the next sequence: checked (back link, hash, content); it is stored, or quarantined in
//!   its place in the chain, and either way the mark moves to it, so one bad entry does not
//!   hold up the register's later sales and none is dropped;
//! - an entry whose id the server holds from another register (the same till enrolled again
//!   under a new identity) is quarantined in its place: a sale is never counted twice;
//! - past a gap (a batch lost or overtaken on the way): not stored; the answer's mark tells
//!   the register where to send from.

use std::collections::HashMap;

use comptoir_protocol::ChainFault;
use comptoir_protocol::check::{StoreFacts, check_entry};
use comptoir_protocol::wire::Rejected;
use comptoir_protocol::{GENESIS, LedgerEntry};

/// What the server holds of the batch's epoch, read in the batch's transaction.
#[derive(Clone, Debug, Default)]
pub struct EpochState {
    pub high_water: i64,
    /// The hash of the entry at `high_water` (accepted or quarantined in the chain).
    pub last_hash: Option<String>,
    /// Hashes held at the batch's sequences up to `high_water`.
    pub held: HashMap<i64, String>,
    /// For a batch that starts a new epoch: whether the first entry's back link is the hash of
    /// an entry this register has stored in an earlier epoch.
    pub back_link_known: bool,
    /// Entry ids of the batch that the server already holds from another register (a
    /// register re-enrolled under a new identity sending its ledger again).
    pub held_elsewhere: std::collections::HashSet<String>,
}

/// An entry set aside, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quarantined {
    pub entry: LedgerEntry,
    pub code: String,
    pub reason: String,
    /// Whether it takes its place in the chain (the mark moved past it), or sits beside an
    /// entry already held at its sequence.
    pub in_chain: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub accept: Vec<LedgerEntry>,
    pub quarantine: Vec<Quarantined>,
    pub duplicates: u32,
    pub high_water: i64,
    pub last_hash: Option<String>,
}

impl Plan {
    pub fn rejected(&self) -> Vec<Rejected> {
        self.quarantine
            .iter()
            .map(|q| Rejected {
                seq: q.entry.seq,
                entry_id: q.entry.entry_id.clone(),
                code: q.code.clone(),
                reason: q.reason.clone(),
            })
            .collect()
    }
}

/// Decides what to do with each entry of a batch (entries sorted by `seq`, all of one epoch).
pub fn plan(entries: &[LedgerEntry], state: &EpochState, store: StoreFacts<'_>) -> Plan {
    let mut plan = Plan {
        high_water: state.high_water,
        last_hash: state.last_hash.clone(),
        ..Plan::default()
    };
    for entry in entries {
        if entry.seq <= plan.high_water {
            match state.held.get(&entry.seq) {
                Some(hash) if *hash == entry.hash => plan.duplicates += 1,
                held => plan.quarantine.push(Quarantined {
                    entry: entry.clone(),
                    code: "reused_sequence".to_owned(),
                    reason: match held {
                        Some(hash) => format!(
                            "epoch {} sequence {} is already held with another content \
                             (held hash {}…, this one {}…)",
                            entry.epoch,
                            entry.seq,
                            &hash[..hash.len().min(12)],
                            &entry.hash[..entry.hash.len().min(12)]
                        ),
                        None => format!(
                            "epoch {} sequence {} is already past the server's mark",
                            entry.epoch, entry.seq
                        ),
                    },
                    in_chain: false,
                }),
            }
            continue;
        }
        if entry.seq != plan.high_water + 1 {
            break;
        }
        let fault = if entry.compute_hash() != entry.hash {
            Some(ChainFault::Changed)
        } else if entry.seq == 1 {
            // A new epoch links back to the genesis (a register's first entry, or a register
            // restored from a backup made before it recorded anything) or to an entry the
            // register recorded in an earlier epoch.
            let linked = entry.prev_hash == GENESIS || state.back_link_known;
            (!linked).then_some(ChainFault::BackLink)
        } else {
            (plan.last_hash.as_deref() != Some(entry.prev_hash.as_str()))
                .then_some(ChainFault::BackLink)
        };
        let verdict = match fault {
            Some(ref fault) => Err((fault.code().to_owned(), fault.reason())),
            None if state.held_elsewhere.contains(&entry.entry_id) => Err((
                "held_elsewhere".to_owned(),
                format!(
                    "entry {} is already held from another register: this register's ledger \
                     was sent before under another identity",
                    entry.entry_id
                ),
            )),
            None => check_entry(entry, store).map_err(|f| (f.code.to_owned(), f.reason)),
        };
        if entry.seq == 1 && matches!(fault, Some(ChainFault::BackLink)) {
            // A new epoch that links to an entry the server does not hold (yet): the register
            // sends its earlier epochs first, so this is a server restored from a backup that
            // misses them, or a ledger that was tampered with. Set aside beside the chain and
            // not passed: once the earlier entries are back, the same entry goes in.
            plan.quarantine.push(Quarantined {
                entry: entry.clone(),
                code: "unknown_back_link".to_owned(),
                reason: format!(
                    "epoch {} starts from an entry this server does not hold ({}…)",
                    entry.epoch,
                    &entry.prev_hash[..entry.prev_hash.len().min(12)]
                ),
                in_chain: false,
            });
            break;
        }
        match verdict {
            Ok(()) => plan.accept.push(entry.clone()),
            Err((code, reason)) => plan.quarantine.push(Quarantined {
                entry: entry.clone(),
                code,
                reason,
                in_chain: true,
            }),
        }
        plan.high_water = entry.seq;
        plan.last_hash = Some(entry.hash.clone());
    }
    plan
}
