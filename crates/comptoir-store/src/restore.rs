//! Backups of the register's database, and what a restore needs: a new epoch, and the
//! entries the server still holds put back in place.

use std::path::Path;

use rusqlite::{OptionalExtension, params};

use crate::ledger::{entry_from_row, position};
use crate::{Entry, Store, StoreError};

impl Store {
    /// A consistent copy of the whole database in `path` (`VACUUM INTO`): safe while the
    /// register sells, since it is one read transaction. `path` must not exist.
    pub fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        let target = path.to_str().ok_or_else(|| {
            StoreError::Corrupt(format!("{}: the backup path is not UTF-8", path.display()))
        })?;
        self.conn().execute("VACUUM INTO ?1", [target])?;
        crate::private(path)
    }

    /// Starts a new epoch, as a register restored from a backup must: its next entry is
    /// `(epoch + 1, 1)`, linked back to the last entry it holds, so no `(epoch, seq)` it may
    /// have used after the backup is used again with other content.
    pub fn start_new_epoch(&mut self) -> Result<i64, StoreError> {
        self.start_new_epoch_from(0)
    }

    /// [`Store::start_new_epoch`], at `at_least` if that is higher: a register restored without
    /// asking the server cannot know which epochs the server has seen, so it takes one from the
    /// clock that no earlier restore can have used.
    pub fn start_new_epoch_from(&mut self, at_least: i64) -> Result<i64, StoreError> {
        let tx = self.conn_mut().transaction()?;
        let epoch: i64 = tx
            .query_row("SELECT epoch FROM register WHERE id = 1", [], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotInitialised)?;
        let last: Option<i64> =
            tx.query_row("SELECT max(epoch) FROM ledger", [], |r| r.get(0)).optional()?.flatten();
        let next = (epoch.max(last.unwrap_or(0)) + 1).max(at_least);
        tx.execute("UPDATE register SET epoch = ?1 WHERE id = 1", [next])?;
        tx.commit()?;
        Ok(next)
    }

    /// Whether this ledger holds exactly this entry at this position.
    pub fn holds(&self, epoch: i64, seq: i64, hash: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .conn()
            .query_row(
                "SELECT 1 FROM ledger WHERE position = ?1 AND hash = ?2",
                params![position(epoch, seq), hash],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// The ledger's last entry, if it has any.
    pub fn last_entry(&self) -> Result<Option<Entry>, StoreError> {
        let sql = format!(
            "SELECT {} FROM ledger ORDER BY position DESC LIMIT 1",
            crate::ledger::ENTRY_COLUMNS
        );
        Ok(self.conn().query_row(&sql, [], entry_from_row).optional()?)
    }

    /// The last entry of an epoch, if it has any.
    pub fn last_of_epoch(&self, epoch: i64) -> Result<Option<Entry>, StoreError> {
        let sql = format!(
            "SELECT {} FROM ledger WHERE epoch = ?1 ORDER BY position DESC LIMIT 1",
            crate::ledger::ENTRY_COLUMNS
        );
        Ok(self.conn().query_row(&sql, [epoch], entry_from_row).optional()?)
    }

    /// Puts back entries this register recorded and lost with a restore, as the server holds
    /// them: each must continue the chain exactly (the next `seq` of its epoch, the back link,
    /// the hash), and no entry of a later epoch may exist yet. All or nothing.
    pub fn recover_entries(&mut self, entries: &[Entry]) -> Result<u64, StoreError> {
        let tx =
            self.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut recovered = 0;
        for entry in entries {
            let last: Option<(i64, i64, String)> = tx
                .query_row(
                    "SELECT epoch, seq, hash FROM ledger ORDER BY position DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let previous = last.as_ref().map(|(e, s, h)| (*e, *s, h.as_str()));
            if let Some(fault) = comptoir_protocol::entry::chain_fault(previous, entry) {
                return Err(StoreError::Corrupt(format!(
                    "the server's entry ({}, {}) does not continue this register's ledger: {}",
                    entry.epoch,
                    entry.seq,
                    fault.reason()
                )));
            }
            let receipt_seq = entry
                .receipt_no
                .as_deref()
                .and_then(|r| r.rsplit(['-', ' ']).next())
                .and_then(|n| n.parse::<i64>().ok());
            crate::ledger::insert_entry(&tx, entry, receipt_seq)?;
            recovered += 1;
        }
        tx.commit()?;
        Ok(recovered)
    }
}
