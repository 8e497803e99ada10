//! The drawer's audit: one row per opening, written as the register opens it (or as its
//! sensor reports an opening the register did not ask for), closed when the sensor says so.

use rusqlite::{Row, params};

use crate::{Store, StoreError};

/// One opening of the cash drawer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrawerOpeningRow {
    pub id: i64,
    /// RFC 3339, the register's clock.
    pub opened_at: String,
    /// `sale`, `refund`, `no_sale`, `cash_movement`, `test`, or `unexplained` (the sensor saw
    /// it open with no opening asked: its key, or forced).
    pub reason: String,
    /// Who was signed in.
    pub cashier_id: Option<String>,
    /// The receipt it opened for, if any.
    pub receipt_no: Option<String>,
    /// Opened by the real-time pulse because the printer was in error (out of paper, cover
    /// open).
    pub real_time: bool,
    /// The connector pin, 2 or 5.
    pub pin: u8,
    /// When the sensor saw it closed again; none without a sensor, or while open.
    pub closed_at: Option<String>,
}

const COLUMNS: &str = "id, opened_at, reason, cashier_id, receipt_no, real_time, pin, closed_at";

impl DrawerOpeningRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<DrawerOpeningRow> {
        Ok(DrawerOpeningRow {
            id: row.get(0)?,
            opened_at: row.get(1)?,
            reason: row.get(2)?,
            cashier_id: row.get(3)?,
            receipt_no: row.get(4)?,
            real_time: row.get(5)?,
            pin: row.get(6)?,
            closed_at: row.get(7)?,
        })
    }
}

impl Store {
    /// Records an opening; `row.id` is ignored and the new id returned.
    pub fn record_drawer_opening(&mut self, row: &DrawerOpeningRow) -> Result<i64, StoreError> {
        let tx = self.begin()?;
        tx.tx.execute(
            "INSERT INTO drawer_opening \
             (opened_at, reason, cashier_id, receipt_no, real_time, pin, closed_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                row.opened_at,
                row.reason,
                row.cashier_id,
                row.receipt_no,
                row.real_time,
                row.pin,
                row.closed_at
            ],
        )?;
        let id = tx.tx.last_insert_rowid();
        tx.commit()?;
        Ok(id)
    }

    /// Marks every opening still open as closed at `at` (the sensor saw the drawer shut).
    /// Returns how many were open.
    pub fn close_drawer_openings(&mut self, at: &str) -> Result<usize, StoreError> {
        let tx = self.begin()?;
        let closed = tx
            .tx
            .execute("UPDATE drawer_opening SET closed_at = ?1 WHERE closed_at IS NULL", [at])?;
        tx.commit()?;
        Ok(closed)
    }

    /// The openings since `since` (RFC 3339, compared as text in the register's zone), oldest
    /// first, at most `limit`.
    pub fn drawer_openings_since(
        &self,
        since: &str,
        limit: usize,
    ) -> Result<Vec<DrawerOpeningRow>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM drawer_opening WHERE opened_at >= ?1 \
             ORDER BY id DESC LIMIT ?2) ORDER BY id"
        );
        let mut statement = self.conn().prepare(&sql)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map(params![since, limit], DrawerOpeningRow::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
