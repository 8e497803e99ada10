//! The register's other tables: its identity, the catalog cache, cashiers, parked and current
//! carts, the print queue and settings. Unlike the ledger, these hold state, not facts.

use rusqlite::{OptionalExtension, Row, params};

use crate::ledger::Tx;
use crate::{Store, StoreError};

/// Who this register is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRow {
    pub register_id: String,
    pub store_code: String,
    pub number: i64,
    pub epoch: i64,
    /// The store's configuration (currency, taxes, receipt header) as JSON.
    pub store_config: String,
    pub created_at: String,
}

/// One catalog item as stored.
pub use comptoir_protocol::catalog::CatalogRow;

/// A cashier and their sign-in state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CashierRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub pin_hash: String,
    pub failed_attempts: i64,
    pub locked_until: Option<String>,
}

/// A parked cart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedRow {
    pub id: i64,
    pub parked_at: String,
    pub cashier_id: String,
    pub payload: String,
}

impl ParkedRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<ParkedRow> {
        Ok(ParkedRow {
            id: row.get(0)?,
            parked_at: row.get(1)?,
            cashier_id: row.get(2)?,
            payload: row.get(3)?,
        })
    }
}

/// Where a print job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintJobState {
    Pending,
    Printed,
    Failed,
}

impl PrintJobState {
    fn as_str(self) -> &'static str {
        match self {
            PrintJobState::Pending => "pending",
            PrintJobState::Printed => "printed",
            PrintJobState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> PrintJobState {
        match text {
            "printed" => PrintJobState::Printed,
            "failed" => PrintJobState::Failed,
            _ => PrintJobState::Pending,
        }
    }
}

/// A print job: the document to print, kept until it has printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintJobRow {
    pub id: String,
    pub created_at: String,
    pub kind: String,
    pub receipt_no: Option<String>,
    /// The bytes to send, exactly as encoded for the printer when the job was queued.
    pub bytes: Vec<u8>,
    pub state: PrintJobState,
    pub error: Option<String>,
    pub attempts: i64,
}

impl PrintJobRow {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<PrintJobRow> {
        Ok(PrintJobRow {
            id: row.get(0)?,
            created_at: row.get(1)?,
            kind: row.get(2)?,
            receipt_no: row.get(3)?,
            bytes: row.get(4)?,
            state: PrintJobState::parse(&row.get::<_, String>(5)?),
            error: row.get(6)?,
            attempts: row.get(7)?,
        })
    }
}

const JOB_COLUMNS: &str = "id, created_at, kind, receipt_no, bytes, state, error, attempts";

impl Store {
    pub fn register(&self) -> Result<Option<RegisterRow>, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT register_id, store_code, number, epoch, store_config, created_at FROM register WHERE id = 1",
                [],
                |r| {
                    Ok(RegisterRow {
                        register_id: r.get(0)?,
                        store_code: r.get(1)?,
                        number: r.get(2)?,
                        epoch: r.get(3)?,
                        store_config: r.get(4)?,
                        created_at: r.get(5)?,
                    })
                },
            )
            .optional()?;
        Ok(row)
    }

    /// Sets up a new register: its identity, the store it belongs to, and its cashiers.
    pub fn initialise(
        &mut self,
        register: &RegisterRow,
        cashiers: &[CashierRow],
    ) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "INSERT INTO register (id, register_id, store_code, number, epoch, store_config, created_at) \
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                register.register_id,
                register.store_code,
                register.number,
                register.epoch,
                register.store_config,
                register.created_at
            ],
        )?;
        for cashier in cashiers {
            tx.execute(
                "INSERT INTO cashier (id, name, role, pin_hash) VALUES (?1, ?2, ?3, ?4)",
                params![cashier.id, cashier.name, cashier.role, cashier.pin_hash],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces or adds catalog items, all in one transaction: a bad file changes nothing.
    pub fn upsert_catalog(&mut self, rows: &[CatalogRow]) -> Result<(), StoreError> {
        let tx = self.conn_mut().transaction()?;
        {
            let mut clear_gtin =
                tx.prepare("UPDATE catalog_item SET gtin = NULL WHERE gtin = ?1 AND sku <> ?2")?;
            let mut upsert = tx.prepare(
                "INSERT INTO catalog_item (sku, gtin, name, name_fr, price_minor, tax_class, kind) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                 ON CONFLICT (sku) DO UPDATE SET gtin = excluded.gtin, name = excluded.name, \
                 name_fr = excluded.name_fr, price_minor = excluded.price_minor, \
                 tax_class = excluded.tax_class, kind = excluded.kind",
            )?;
            for row in rows {
                if let Some(gtin) = &row.gtin {
                    // The newest file wins a barcode that moved to another SKU.
                    clear_gtin.execute(params![gtin, row.sku])?;
                }
                upsert.execute(params![
                    row.sku,
                    row.gtin,
                    row.name,
                    row.name_fr,
                    row.price_minor,
                    row.tax_class,
                    row.kind
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    pub fn catalog(&self) -> Result<Vec<CatalogRow>, StoreError> {
        let mut statement = self.conn().prepare(
            "SELECT sku, gtin, name, name_fr, price_minor, tax_class, kind FROM catalog_item ORDER BY rowid",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(CatalogRow {
                sku: r.get(0)?,
                gtin: r.get(1)?,
                name: r.get(2)?,
                name_fr: r.get(3)?,
                price_minor: r.get(4)?,
                tax_class: r.get(5)?,
                kind: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn cashiers(&self) -> Result<Vec<CashierRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare("SELECT id, name, role, pin_hash, failed_attempts, locked_until FROM cashier ORDER BY id")?;
        let rows = statement.query_map([], |r| {
            Ok(CashierRow {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                pin_hash: r.get(3)?,
                failed_attempts: r.get(4)?,
                locked_until: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the sign-in failure count and lockout for the register's PIN pad.
    /// Replaces the store's configuration (JSON) this register was set up with.
    pub fn set_store_config(&self, json: &str) -> Result<(), StoreError> {
        self.conn().execute("UPDATE register SET store_config = ?1 WHERE id = 1", [json])?;
        Ok(())
    }

    pub fn set_sign_in_state(
        &self,
        cashier_id: Option<&str>,
        failed: i64,
        locked_until: Option<&str>,
    ) -> Result<(), StoreError> {
        let key = cashier_id.unwrap_or("*");
        self.set_setting(
            &format!("sign_in.{key}"),
            &format!("{failed}|{}", locked_until.unwrap_or("")),
        )
    }

    pub fn sign_in_state(
        &self,
        cashier_id: Option<&str>,
    ) -> Result<(i64, Option<String>), StoreError> {
        let key = cashier_id.unwrap_or("*");
        let Some(value) = self.setting(&format!("sign_in.{key}"))? else {
            return Ok((0, None));
        };
        let (failed, until) = value.split_once('|').unwrap_or((&value, ""));
        let until = (!until.is_empty()).then(|| until.to_owned());
        Ok((failed.parse().unwrap_or(0), until))
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn park(
        &self,
        parked_at: &str,
        cashier_id: &str,
        payload: &str,
    ) -> Result<i64, StoreError> {
        let tx = self.conn().unchecked_transaction()?;
        tx.execute(
            "INSERT INTO parked_cart (parked_at, cashier_id, payload) VALUES (?1, ?2, ?3)",
            params![parked_at, cashier_id, payload],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute("DELETE FROM current_cart", [])?;
        tx.commit()?;
        Ok(id)
    }

    pub fn parked(&self) -> Result<Vec<ParkedRow>, StoreError> {
        let mut statement = self
            .conn()
            .prepare("SELECT id, parked_at, cashier_id, payload FROM parked_cart ORDER BY id")?;
        let rows = statement.query_map([], ParkedRow::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Takes a parked cart back: it becomes the current cart in the same transaction.
    pub fn unpark(&self, id: i64) -> Result<Option<ParkedRow>, StoreError> {
        let tx = self.conn().unchecked_transaction()?;
        let row = tx
            .query_row(
                "SELECT id, parked_at, cashier_id, payload FROM parked_cart WHERE id = ?1",
                [id],
                ParkedRow::from_row,
            )
            .optional()?;
        if let Some(row) = &row {
            tx.execute("DELETE FROM parked_cart WHERE id = ?1", [id])?;
            tx.execute(
                "INSERT INTO current_cart (id, payload) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
                [&row.payload],
            )?;
        }
        tx.commit()?;
        Ok(row)
    }

    /// Saves the cart being rung up, so a crash or a power cut mid-sale loses no scanned line.
    pub fn save_current_cart(&self, payload: Option<&str>) -> Result<(), StoreError> {
        match payload {
            Some(payload) => self.conn().execute(
                "INSERT INTO current_cart (id, payload) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET payload = excluded.payload",
                [payload],
            )?,
            None => self.conn().execute("DELETE FROM current_cart", [])?,
        };
        Ok(())
    }

    pub fn current_cart(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT payload FROM current_cart WHERE id = 1", [], |r| r.get(0))
            .optional()?)
    }

    pub fn print_job(&self, id: &str) -> Result<Option<PrintJobRow>, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM print_job WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], PrintJobRow::from_row).optional()?)
    }

    pub fn print_jobs_in(&self, state: PrintJobState) -> Result<Vec<PrintJobRow>, StoreError> {
        let sql =
            format!("SELECT {JOB_COLUMNS} FROM print_job WHERE state = ?1 ORDER BY created_at, id");
        let mut statement = self.conn().prepare(&sql)?;
        let rows = statement.query_map([state.as_str()], PrintJobRow::from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// How many jobs are in a state, without reading their bytes (the status bar's count).
    pub fn print_job_count(&self, state: PrintJobState) -> Result<usize, StoreError> {
        let count: i64 = self.conn().query_row(
            "SELECT count(*) FROM print_job WHERE state = ?1",
            [state.as_str()],
            |r| r.get(0),
        )?;
        Ok(count as usize)
    }

    pub fn last_print_job(&self, kind: &str) -> Result<Option<PrintJobRow>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM print_job WHERE kind = ?1 ORDER BY created_at DESC, rowid DESC LIMIT 1"
        );
        Ok(self.conn().query_row(&sql, [kind], PrintJobRow::from_row).optional()?)
    }

    /// Queues a job outside a ledger transaction (a reprint, an X report).
    pub fn queue_print_job(&mut self, job: &PrintJobRow) -> Result<(), StoreError> {
        let mut tx = self.begin()?;
        tx.queue_print_job(job)?;
        tx.commit()
    }

    pub fn set_print_job_state(
        &self,
        id: &str,
        state: PrintJobState,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE print_job SET state = ?2, error = ?3, attempts = attempts + 1 WHERE id = ?1",
            params![id, state.as_str(), error],
        )?;
        Ok(())
    }
}

impl Tx<'_> {
    /// Queues a print job. A job already queued (a crash after queueing, before the queue's
    /// mark moved) stays as it is, so a receipt is never queued twice.
    pub fn queue_print_job(&mut self, job: &PrintJobRow) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO print_job ({JOB_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (id) DO NOTHING"
        );
        self.tx.prepare_cached(&sql)?.execute(params![
            job.id,
            job.created_at,
            job.kind,
            job.receipt_no,
            job.bytes,
            job.state.as_str(),
            job.error,
            job.attempts
        ])?;
        Ok(())
    }

    pub fn clear_current_cart(&mut self) -> Result<(), StoreError> {
        self.tx.execute("DELETE FROM current_cart", [])?;
        Ok(())
    }
}
