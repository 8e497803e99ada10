//! The register's side of sync: its enrolment with the central server, and how far the
//! server has acknowledged the ledger. The ledger itself is the outbox: what waits is every
//! entry after the acknowledged mark.

use rusqlite::{OptionalExtension, params};

use crate::{Entry, Store, StoreError};

/// The register's enrolment. `credential` is the register's secret (the server keeps only a
/// hash); `pin_pem` is the certificate the register trusts for this server, and only it.
#[derive(Clone, PartialEq, Eq)]
pub struct SyncServer {
    pub url: String,
    pub register_id: String,
    pub store_id: String,
    pub credential: String,
    pub pin_pem: String,
    pub enrolled_at: String,
}

impl std::fmt::Debug for SyncServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncServer")
            .field("url", &self.url)
            .field("register_id", &self.register_id)
            .field("store_id", &self.store_id)
            .field("credential", &"<hidden>")
            .field("enrolled_at", &self.enrolled_at)
            .finish()
    }
}

/// An entry the server set aside, as it said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRejected {
    pub epoch: i64,
    pub seq: i64,
    pub entry_id: String,
    pub code: String,
    pub reason: String,
    pub seen_at: String,
}

impl Store {
    pub fn sync_server(&self) -> Result<Option<SyncServer>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT url, register_id, store_id, credential, pin_pem, enrolled_at FROM sync_server WHERE id = 1",
                [],
                |r| {
                    Ok(SyncServer {
                        url: r.get(0)?,
                        register_id: r.get(1)?,
                        store_id: r.get(2)?,
                        credential: r.get(3)?,
                        pin_pem: r.get(4)?,
                        enrolled_at: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records the enrolment (replacing an earlier one: a register enrolled again, or moved to
    /// a new server, starts its acknowledgements afresh and sends its whole ledger; the server
    /// treats what it already holds as duplicates).
    pub fn set_sync_server(&mut self, server: &SyncServer) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        let previous: Option<String> = tx
            .query_row("SELECT url || ' ' || register_id FROM sync_server WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        if previous.as_deref() != Some(&format!("{} {}", server.url, server.register_id)) {
            tx.execute("DELETE FROM sync_ack", [])?;
            tx.execute("DELETE FROM sync_rejected", [])?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO sync_server (id, url, register_id, store_id, credential, pin_pem, enrolled_at) \
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                server.url,
                server.register_id,
                server.store_id,
                server.credential,
                server.pin_pem,
                server.enrolled_at
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The last acknowledged position: `(epoch, high_water)` of the latest epoch the server
    /// acknowledged, `(0, 0)` before the first acknowledgement.
    pub fn sync_acked(&self) -> Result<(i64, i64), StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT epoch, high_water FROM sync_ack ORDER BY epoch DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or((0, 0)))
    }

    /// Records the server's acknowledgement of an epoch. The server's mark is the truth, even
    /// when it is lower than what this register thought acknowledged (a server restored from
    /// a backup): the entries after it are then sent again. Later epochs' marks are dropped
    /// when an earlier epoch goes back, so the outbox restarts from there.
    pub fn set_sync_acked(
        &mut self,
        epoch: i64,
        high_water: i64,
        at: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        tx.execute("DELETE FROM sync_ack WHERE epoch > ?1", [epoch])?;
        tx.execute(
            "INSERT OR REPLACE INTO sync_ack (epoch, high_water, acked_at) VALUES (?1, ?2, ?3)",
            params![epoch, high_water, at],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The server's acknowledgement of each epoch, in order.
    pub fn sync_acked_marks(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut st =
            self.conn().prepare("SELECT epoch, high_water FROM sync_ack ORDER BY epoch")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Entries the server has not acknowledged, in order, at most `limit`.
    pub fn sync_pending(&self, limit: u32) -> Result<Vec<Entry>, StoreError> {
        let (epoch, seq) = self.sync_acked()?;
        self.entries_after(epoch, seq, limit)
    }

    /// How many entries wait for the server. The ledger is gap-free within an epoch, so when
    /// the acknowledged mark and the last entry share an epoch this is their difference, read
    /// without counting rows (it runs on every screen refresh); across epochs it counts.
    /// Customers with changes the server has not acknowledged yet.
    pub fn customers_pending_count(&self) -> Result<u64, StoreError> {
        let count: i64 = self.conn().query_row(
            "SELECT count(DISTINCT customer_id) FROM customer_chunks WHERE pushed = 0",
            [],
            |r| r.get(0),
        )?;
        Ok(count.max(0) as u64)
    }

    pub fn sync_pending_count(&self) -> Result<u64, StoreError> {
        let (epoch, seq) = self.sync_acked()?;
        let (last_epoch, last_seq) = self.last_position()?;
        if last_epoch == epoch || (epoch, seq) == (0, 0) && last_epoch <= 1 {
            return Ok((last_seq - seq).max(0) as u64);
        }
        let count: i64 = self.conn().query_row(
            "SELECT count(*) FROM ledger WHERE position > ?1",
            [(epoch << 32) + seq],
            |r| r.get(0),
        )?;
        Ok(count as u64)
    }

    /// How many entries the server set aside.
    pub fn sync_rejected_count(&self) -> Result<u64, StoreError> {
        let count: i64 =
            self.conn().query_row("SELECT count(*) FROM sync_rejected", [], |r| r.get(0))?;
        Ok(count as u64)
    }

    pub fn record_sync_rejected(&mut self, rejected: &[SyncRejected]) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        for r in rejected {
            tx.execute(
                "INSERT OR IGNORE INTO sync_rejected (epoch, seq, entry_id, code, reason, seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![r.epoch, r.seq, r.entry_id, r.code, r.reason, r.seen_at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn sync_rejected(&self) -> Result<Vec<SyncRejected>, StoreError> {
        let mut st = self.conn().prepare(
            "SELECT epoch, seq, entry_id, code, reason, seen_at FROM sync_rejected ORDER BY epoch, seq",
        )?;
        let rows = st
            .query_map([], |r| {
                Ok(SyncRejected {
                    epoch: r.get(0)?,
                    seq: r.get(1)?,
                    entry_id: r.get(2)?,
                    code: r.get(3)?,
                    reason: r.get(4)?,
                    seen_at: r.get(5)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
