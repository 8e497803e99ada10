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
//!
//! What an entry says on its own (whether its content gives its hash, and the content check)
//! does not depend on what the server holds, so [`verify`] finds it before the batch's
//! transaction, on several threads for a large batch, and [`plan`] only reads the verdicts:
//! the database is held for the decisions and the writes, not for SHA-256 and JSON parsing.

use std::collections::HashMap;

use comptoir_protocol::ChainFault;
use comptoir_protocol::check::{ContentFault, StoreFacts, check_content};
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
    /// What the accepted entries move of stock, per SKU (from their verdicts).
    pub moved: crate::stock::Moved,
    /// The lines the accepted returns and exchanges bring back, by sequence (from their
    /// verdicts): rows of `returned_line`.
    pub returned: Vec<(i64, crate::sales::ReturnedLine)>,
    /// The credit notes the accepted entries issue or spend, by sequence: rows of
    /// `credit_leg`.
    pub credited: Vec<(i64, String)>,
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

/// What an entry's own content says, whatever the server holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the entry's content gives its `hash`.
    pub hash_ok: bool,
    /// The content check ([`check_content`]).
    pub content: Result<(), ContentFault>,
    /// What the entry moves of stock, per line (SKU, thousandths), read from the payload the
    /// check parsed: the batch's transaction only adds it up.
    pub moves: Vec<(String, i64)>,
    /// The lines it brings back from earlier sales, by their receipts.
    pub returned: Vec<crate::sales::ReturnedLine>,
    /// The credit notes it has a leg on.
    pub credits: Vec<String>,
}

/// Checks one entry on its own: its hash, and its content.
pub fn verdict(entry: &LedgerEntry, store: StoreFacts<'_>) -> Verdict {
    let hash_ok = entry.compute_hash() == entry.hash;
    match check_content(entry, store) {
        Ok(content) => Verdict {
            hash_ok,
            content: Ok(()),
            moves: crate::stock::lines_moved(&content),
            returned: match &content {
                comptoir_protocol::check::Content::Sale(sale) => crate::sales::returned_lines(sale),
                _ => Vec::new(),
            },
            credits: match &content {
                comptoir_protocol::check::Content::Sale(sale) => crate::sales::credit_notes(sale),
                _ => Vec::new(),
            },
        },
        Err(fault) => Verdict {
            hash_ok,
            content: Err(fault),
            moves: Vec::new(),
            returned: Vec::new(),
            credits: Vec::new(),
        },
    }
}

/// Below this many entries a batch is checked on the calling thread only: a small batch is
/// checked in less time than threads take to start, and many registers' small batches at once
/// already keep the cores busy.
pub const PARALLEL_FROM: usize = 256;

/// [`verdict`] for each entry of a batch, in order; a large batch is split over the machine's
/// cores (at most four threads), as the entries are independent of each other.
pub fn verify(entries: &[LedgerEntry], store: StoreFacts<'_>) -> Vec<Verdict> {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    let threads =
        *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)));
    if threads < 2 || entries.len() < PARALLEL_FROM {
        return entries.iter().map(|e| verdict(e, store)).collect();
    }
    let chunk = entries.len().div_ceil(threads);
    let mut parts = entries.chunks(chunk);
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let others: Vec<_> = parts
            .map(|part| {
                scope.spawn(move || part.iter().map(|e| verdict(e, store)).collect::<Vec<_>>())
            })
            .collect();
        let mut verdicts: Vec<Verdict> = first.iter().map(|e| verdict(e, store)).collect();
        for other in others {
            match other.join() {
                Ok(part) => verdicts.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        verdicts
    })
}

/// Decides what to do with each entry of a batch (entries sorted by `seq`, all of one epoch),
/// given each entry's [`Verdict`] (from [`verify`], in the same order). The entries move into
/// the plan: accepted or quarantined, or dropped when they are duplicates or past a gap.
pub fn plan(entries: Vec<LedgerEntry>, verdicts: &[Verdict], state: &EpochState) -> Plan {
    assert_eq!(entries.len(), verdicts.len(), "one verdict per entry");
    let mut plan = Plan {
        high_water: state.high_water,
        last_hash: state.last_hash.clone(),
        ..Plan::default()
    };
    for (entry, checked) in entries.into_iter().zip(verdicts) {
        if entry.seq <= plan.high_water {
            match state.held.get(&entry.seq) {
                Some(hash) if *hash == entry.hash => plan.duplicates += 1,
                held => plan.quarantine.push(Quarantined {
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
                    entry,
                    in_chain: false,
                }),
            }
            continue;
        }
        if entry.seq != plan.high_water + 1 {
            break;
        }
        let fault = if !checked.hash_ok {
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
            None => checked.content.clone().map_err(|f| (f.code.to_owned(), f.reason)),
        };
        if entry.seq == 1 && matches!(fault, Some(ChainFault::BackLink)) {
            // A new epoch that links to an entry the server does not hold (yet): the register
            // sends its earlier epochs first, so this is a server restored from a backup that
            // misses them, or a ledger that was tampered with. Set aside beside the chain and
            // not passed: once the earlier entries are back, the same entry goes in.
            plan.quarantine.push(Quarantined {
                code: "unknown_back_link".to_owned(),
                reason: format!(
                    "epoch {} starts from an entry this server does not hold ({}…)",
                    entry.epoch,
                    &entry.prev_hash[..entry.prev_hash.len().min(12)]
                ),
                entry,
                in_chain: false,
            });
            break;
        }
        plan.high_water = entry.seq;
        plan.last_hash = Some(entry.hash.clone());
        match verdict {
            Ok(()) => {
                crate::stock::add_moved(&mut plan.moved, &entry.entry_id, &checked.moves);
                plan.returned.extend(checked.returned.iter().map(|l| (entry.seq, l.clone())));
                plan.credited.extend(checked.credits.iter().map(|c| (entry.seq, c.clone())));
                plan.accept.push(entry)
            }
            Err((code, reason)) => {
                plan.quarantine.push(Quarantined { entry, code, reason, in_chain: true })
            }
        }
    }
    plan.moved.retain(|_, (delta, _)| *delta != 0);
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64) -> LedgerEntry {
        let mut e = LedgerEntry {
            epoch: 1,
            seq,
            entry_id: format!("e-{seq}"),
            kind: if seq % 7 == 0 { "no_such_kind".into() } else { "receipt_reprinted".into() },
            recorded_at: "2026-12-03T10:15:00-05:00".into(),
            business_day: "2026-12-03".into(),
            receipt_no: None,
            external_ref: None,
            payload: r#"{"v":1,"receipt_no":"MTL01-000001"}"#.into(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        if seq % 5 == 0 {
            e.hash = GENESIS.into();
        }
        e
    }

    #[test]
    fn a_large_batch_checked_on_several_threads_keeps_each_verdict_in_its_place() {
        let entries: Vec<_> = (1..=301).map(entry).collect();
        let store = StoreFacts { currency: "CAD" };
        let one_by_one: Vec<_> = entries.iter().map(|e| verdict(e, store)).collect();
        assert_eq!(verify(&entries, store), one_by_one);
        assert!(!one_by_one[4].hash_ok && one_by_one[6].content.is_err() && one_by_one[0].hash_ok);
    }
}
