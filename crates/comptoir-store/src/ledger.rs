//! The ledger: append-only, hash-chained entries with a gap-free `(register, epoch, seq)`.
//!
//! An entry's hash is SHA-256 over the previous entry's hash and every stored field of the
//! entry, so changing, removing or reordering any entry breaks the chain at that entry, and
//! [`Store::verify`] names it.

use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::{Store, StoreError};

/// `(epoch, seq)` as the ledger's rowid: ordered like the pair, unique like it.
pub(crate) fn position(epoch: i64, seq: i64) -> i64 {
    (epoch << 32) + seq
}

pub use comptoir_protocol::{GENESIS, LedgerEntry as Entry};

/// An entry to record. `payload` is the entry's JSON, stored and hashed byte for byte.
#[derive(Clone, Debug)]
pub struct NewEntry {
    pub kind: String,
    pub recorded_at: String,
    pub business_day: String,
    pub receipt_no: Option<String>,
    /// The receipt's number in the register's gap-free receipt sequence, from
    /// [`Tx::next_receipt_seq`]; it indexes the receipt for lookups.
    pub receipt_seq: Option<i64>,
    pub external_ref: Option<String>,
    pub payload: String,
}

pub(crate) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        epoch: row.get(0)?,
        seq: row.get(1)?,
        entry_id: row.get(2)?,
        kind: row.get(3)?,
        recorded_at: row.get(4)?,
        business_day: row.get(5)?,
        receipt_no: row.get(6)?,
        external_ref: row.get(7)?,
        payload: row.get(8)?,
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}

pub(crate) const ENTRY_COLUMNS: &str = "epoch, seq, entry_id, kind, recorded_at, business_day, receipt_no, \
                             external_ref, payload, prev_hash, hash";

/// What [`Store::verify`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    pub entries: u64,
    pub first_bad: Option<BadEntry>,
}

/// The first entry that breaks the chain, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadEntry {
    pub epoch: i64,
    pub seq: i64,
    pub entry_id: String,
    pub reason: String,
}

/// A write transaction on the register's database: everything a fact implies commits together.
#[derive(Debug)]
pub struct Tx<'a> {
    pub(crate) tx: Transaction<'a>,
}

impl Store {
    /// Starts a write transaction. `IMMEDIATE`, so two writers never interleave sequence numbers.
    pub fn begin(&mut self) -> Result<Tx<'_>, StoreError> {
        let tx = self.conn_mut().transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Tx { tx })
    }

    /// Records one entry in its own transaction.
    pub fn append(&mut self, entry: NewEntry) -> Result<Entry, StoreError> {
        let mut tx = self.begin()?;
        let entry = tx.append(entry)?;
        tx.commit()?;
        Ok(entry)
    }

    /// Entries after `(epoch, seq)` in order, at most `limit` of them.
    pub fn entries_after(
        &self,
        epoch: i64,
        seq: i64,
        limit: u32,
    ) -> Result<Vec<Entry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger WHERE position > ?1 ORDER BY position LIMIT ?2"
        );
        let mut statement = self.conn().prepare_cached(&sql)?;
        let rows = statement.query_map(params![position(epoch, seq), limit], entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Entries of some kinds, in order, from `(epoch, seq)` on.
    pub fn entries_of_kinds(
        &self,
        kinds: &[&str],
        from: (i64, i64),
    ) -> Result<Vec<Entry>, StoreError> {
        let marks = vec!["?"; kinds.len()].join(",");
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger WHERE kind IN ({marks}) AND position >= ? \
             ORDER BY position"
        );
        let mut statement = self.conn().prepare(&sql)?;
        let mut values: Vec<rusqlite::types::Value> =
            kinds.iter().map(|k| rusqlite::types::Value::Text((*k).to_owned())).collect();
        values.push(position(from.0, from.1).into());
        let rows = statement.query_map(rusqlite::params_from_iter(values), entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Sales, returns and exchanges rung up at this register (not replayed) after
    /// `(epoch, seq)`, in order: the receipts still to queue for printing after a commit or a
    /// crash.
    pub fn register_sales_after(&self, after: (i64, i64)) -> Result<Vec<Entry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger WHERE position > ?1 \
             AND kind IN ('sale', 'return', 'exchange') AND external_ref IS NULL ORDER BY position"
        );
        let mut statement = self.conn().prepare_cached(&sql)?;
        let rows = statement.query_map(params![position(after.0, after.1)], entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The last entry of any of some kinds.
    pub fn last_of_kinds(&self, kinds: &[&str]) -> Result<Option<Entry>, StoreError> {
        let marks = vec!["?"; kinds.len()].join(",");
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger WHERE kind IN ({marks}) \
             ORDER BY position DESC LIMIT 1"
        );
        let values = kinds.iter().map(|k| rusqlite::types::Value::Text((*k).to_owned()));
        let mut statement = self.conn().prepare(&sql)?;
        Ok(statement.query_row(rusqlite::params_from_iter(values), entry_from_row).optional()?)
    }

    /// The last entry of a kind.
    pub fn last_of_kind(&self, kind: &str) -> Result<Option<Entry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger WHERE kind = ?1 ORDER BY position DESC LIMIT 1"
        );
        Ok(self.conn().query_row(&sql, [kind], entry_from_row).optional()?)
    }

    pub fn entry_by_receipt(&self, receipt_no: &str) -> Result<Option<Entry>, StoreError> {
        // Receipt numbers end in their sequence number (`MTL01-000042`), which is indexed.
        let Some(seq) = receipt_no.rsplit(['-', ' ']).next().and_then(|n| n.parse::<i64>().ok())
        else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger WHERE receipt_seq = ?1 AND receipt_no = ?2"
        );
        Ok(self.conn().query_row(&sql, params![seq, receipt_no], entry_from_row).optional()?)
    }

    /// The return and exchange entries with a line from the sale `receipt_no`, in order (from
    /// the `returned_line` index).
    pub fn returns_of(&self, receipt_no: &str) -> Result<Vec<Entry>, StoreError> {
        self.entries_at(
            "SELECT position FROM returned_line WHERE original_receipt = ?1",
            receipt_no,
        )
    }

    /// The sales, returns and exchanges with a leg on the credit note `reference` (issued or
    /// spent), in order (from the `credit_leg` index).
    pub fn entries_with_credit(&self, reference: &str) -> Result<Vec<Entry>, StoreError> {
        self.entries_at("SELECT position FROM credit_leg WHERE reference = ?1", reference)
    }

    /// The entries at the positions an index query gives for `key`, in order.
    fn entries_at(&self, positions: &str, key: &str) -> Result<Vec<Entry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM ledger WHERE position IN ({positions}) ORDER BY position"
        );
        let mut statement = self.conn().prepare_cached(&sql)?;
        let rows = statement.query_map([key], entry_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn has_external_ref(&self, external_ref: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .conn()
            .query_row("SELECT 1 FROM ledger WHERE external_ref = ?1", [external_ref], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// The `(epoch, seq)` of the last entry, `(0, 0)` when there is none.
    pub fn last_position(&self) -> Result<(i64, i64), StoreError> {
        let last = self
            .conn()
            .query_row("SELECT epoch, seq FROM ledger ORDER BY position DESC LIMIT 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(last.unwrap_or((0, 0)))
    }

    /// How many entries the ledger holds.
    pub fn entry_count(&self) -> Result<u64, StoreError> {
        let count: i64 = self.conn().query_row("SELECT count(*) FROM ledger", [], |r| r.get(0))?;
        Ok(count as u64)
    }

    /// Walks the whole chain: sequence continuity, back links and hashes.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM ledger ORDER BY position");
        let mut statement = self.conn().prepare(&sql)?;
        let mut rows = statement.query([])?;
        let mut previous: Option<Entry> = None;
        let mut entries = 0;
        while let Some(row) = rows.next()? {
            let entry = entry_from_row(row)?;
            entries += 1;
            if let Some(reason) = chain_fault(previous.as_ref(), &entry) {
                let first_bad = BadEntry {
                    epoch: entry.epoch,
                    seq: entry.seq,
                    entry_id: entry.entry_id,
                    reason,
                };
                return Ok(VerifyReport { entries, first_bad: Some(first_bad) });
            }
            previous = Some(entry);
        }
        Ok(VerifyReport { entries, first_bad: None })
    }
}

fn chain_fault(previous: Option<&Entry>, entry: &Entry) -> Option<String> {
    comptoir_protocol::entry::chain_fault(
        previous.map(|p| (p.epoch, p.seq, p.hash.as_str())),
        entry,
    )
    .map(|fault| fault.reason())
}

/// Writes one entry row (its place in the chain checked by the caller).
pub(crate) fn insert_entry(
    tx: &Transaction<'_>,
    entry: &Entry,
    receipt_seq: Option<i64>,
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO ledger (position, receipt_seq, {ENTRY_COLUMNS}) \
         VALUES (?12, ?13, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    );
    tx.prepare_cached(&sql)?.execute(params![
        entry.epoch,
        entry.seq,
        entry.entry_id,
        entry.kind,
        entry.recorded_at,
        entry.business_day,
        entry.receipt_no,
        entry.external_ref,
        entry.payload,
        entry.prev_hash,
        entry.hash,
        position(entry.epoch, entry.seq),
        receipt_seq,
    ])?;
    Ok(())
}

impl Tx<'_> {
    /// Appends an entry after the last one of the register's current epoch.
    pub fn append(&mut self, new: NewEntry) -> Result<Entry, StoreError> {
        let epoch: i64 = self
            .tx
            .query_row("SELECT epoch FROM register WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotInitialised)?;
        let last: Option<(i64, i64, String)> = self
            .tx
            .query_row(
                "SELECT epoch, seq, hash FROM ledger ORDER BY position DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let (seq, prev_hash) = match last {
            Some((e, s, h)) if e == epoch => (s + 1, h),
            Some((_, _, h)) => (1, h),
            None => (1, GENESIS.to_owned()),
        };
        let mut entry = Entry {
            epoch,
            seq,
            entry_id: uuid::Uuid::now_v7().to_string(),
            kind: new.kind,
            recorded_at: new.recorded_at,
            business_day: new.business_day,
            receipt_no: new.receipt_no,
            external_ref: new.external_ref,
            payload: new.payload,
            prev_hash,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        insert_entry(&self.tx, &entry, new.receipt_seq)?;
        Ok(entry)
    }

    /// The next receipt number of this register: one more than the last one recorded, read from
    /// the receipt index in the sale's own transaction, so receipt numbers have no gaps.
    pub fn next_receipt_seq(&mut self) -> Result<i64, StoreError> {
        let last: Option<i64> = self
            .tx
            .query_row(
                "SELECT receipt_seq FROM ledger WHERE receipt_seq IS NOT NULL ORDER BY receipt_seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(last.unwrap_or(0) + 1)
    }

    /// Takes the next value of a named counter (receipt numbers, Z report numbers).
    pub fn next_counter(&mut self, name: &str) -> Result<i64, StoreError> {
        let value: i64 = self.tx.query_row(
            "INSERT INTO counter (name, value) VALUES (?1, 1) \
             ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
            [name],
            |r| r.get(0),
        )?;
        Ok(value)
    }

    /// Saves a setting in this transaction.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.tx.execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }
}
