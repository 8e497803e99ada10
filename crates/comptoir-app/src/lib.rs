//! The application API of the register: every use case (sign in, open a shift, scan, tender,
//! close) as one method of [`Register`]. The Tauri commands, the `comptoir` CLI and the tests
//! call only this crate; none of them touches the database or a device directly.
//!
//! Boundaries: the domain arithmetic lives in `comptoir-core` (pure), persistence in
//! `comptoir-store`, bytes for the printer in `comptoir-printer`. This crate orders them: a
//! fact is committed to the ledger before any device is touched.

pub mod backup;
pub mod card;
pub mod clock;
pub mod config;
pub mod config_file;
pub mod credit;
pub mod customers;
pub mod discounts;
pub mod display;
pub mod entry;
pub mod error;
mod i18n;
pub mod import;
pub mod labels;
pub mod logs;
pub mod pin;
mod preview;
pub mod printing;
pub mod promotions;
pub mod receipt;
pub mod register;
pub mod replay;
pub mod returns;
pub mod scanner;
mod screen;
pub mod setup;
pub mod shift;
pub mod sync;
pub mod terminal;
pub mod view;
pub mod weighed;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, AppResult};
pub use pin::Pin;
pub use printing::PrinterSetting;
pub use register::{Committed, OpenOptions, Register};
pub use shift::DrawerMovement;

use serde::Serialize;

/// What an import did.
#[derive(Clone, Debug, Serialize)]
pub struct ImportReport {
    pub format: &'static str,
    pub imported: usize,
    pub errors: Vec<import::RowError>,
}

impl Register {
    /// Imports a catalog file. With bad rows and `skip_bad_rows` false nothing is written and
    /// the error lists every bad row; otherwise the good rows go in, in one transaction.
    pub fn import_catalog(&mut self, text: &str, skip_bad_rows: bool) -> AppResult<ImportReport> {
        // Two sources of prices would disagree at the till: once the server publishes this
        // store's catalog, it is changed there.
        if self.db.catalog_version()? > 0 {
            return Err(AppError::new(
                "catalog_managed",
                "this register's catalog comes from the central server: import the file there \
                 (comptoir-server catalog import, then catalog publish)",
            ));
        }
        let mut parsed = import::parse_catalog(text, &self.store)?;
        // A barcode that already belongs to another item is refused: moving it silently would
        // make the scanner sell the new item under the old one's barcode.
        for (row, line) in parsed.rows.iter().zip(&parsed.lines) {
            let owner = row.gtin.as_deref().and_then(|g| self.catalog.lookup(g));
            if let Some(owner) = owner.filter(|o| !o.sku.0.eq_ignore_ascii_case(&row.sku)) {
                let barcode = row.gtin.as_deref().unwrap_or("");
                let reason = format!(
                    "{}: barcode {barcode} belongs to {} ({})",
                    row.sku, owner.sku.0, owner.name
                );
                parsed.errors.push(import::RowError { line: *line, reason });
            }
        }
        parsed.errors.sort_by_key(|e| e.line);
        let refused: Vec<u64> = parsed.errors.iter().map(|e| e.line).collect();
        let keep: Vec<bool> = parsed.lines.iter().map(|l| !refused.contains(l)).collect();
        let mut keep_iter = keep.iter();
        parsed.rows.retain(|_| *keep_iter.next().unwrap_or(&false));
        if !parsed.errors.is_empty() && !skip_bad_rows {
            let listing: Vec<String> =
                parsed.errors.iter().map(|e| format!("line {}: {}", e.line, e.reason)).collect();
            return Err(AppError::new(
                "invalid_catalog",
                format!(
                    "{} bad row(s), nothing imported (use --skip-bad-rows to import the rest): {}",
                    parsed.errors.len(),
                    listing.join("; ")
                ),
            ));
        }
        self.db.upsert_catalog(&parsed.rows)?;
        self.catalog = register::load_catalog(&self.db)?;
        tracing::info!(imported = parsed.rows.len(), bad = parsed.errors.len(), "catalog imported");
        Ok(ImportReport {
            format: parsed.format,
            imported: parsed.rows.len(),
            errors: parsed.errors,
        })
    }

    /// Checks the ledger's chain.
    pub fn verify(&self) -> AppResult<comptoir_store::VerifyReport> {
        Ok(self.db.verify()?)
    }

    /// Saves a setting (printer, drawer, scanner thresholds).
    pub fn set_setting(&mut self, key: &str, value: &str) -> AppResult<()> {
        if !printing::SETTINGS.iter().any(|(known, _)| *known == key) {
            let keys: Vec<&str> = printing::SETTINGS.iter().map(|(k, _)| *k).collect();
            return Err(AppError::new("unknown_setting", format!("{key}: settings are {keys:?}")));
        }
        printing::check_setting(key, value)?;
        self.db.set_setting(key, value.trim())?;
        Ok(())
    }

    /// The store's money policies this register applies: the discount limits per role and the
    /// policy for returns without a receipt.
    pub fn store_policies(&self) -> serde_json::Value {
        let config = &self.store.config;
        serde_json::json!({
            "discount_limits": config.discount_limits,
            "returns_without_receipt": config.returns_without_receipt,
        })
    }

    /// Changes one of the store's money policies on this register (a manager): `KEY` is
    /// `discount_limits.ROLE` (a percentage), or `returns_without_receipt.refund_to`
    /// (`store_credit`, `any`), `.price` (`lowest_recent`, `current`), `.days` (0 to 3650) or
    /// `.manager_approval` (`true`, `false`).
    pub fn set_store_policy(&mut self, key: &str, value: &str) -> AppResult<serde_json::Value> {
        self.require("store_policy")?;
        let value = value.trim();
        let bad = |why: &str| AppError::new("invalid_setting", format!("{key} {value:?}: {why}"));
        let json = match key.split_once('.') {
            Some(("discount_limits", role)) if !role.is_empty() => {
                let percent: rust_decimal::Decimal =
                    value.parse().map_err(|_| bad("a percentage, 0 to 100"))?;
                if percent < rust_decimal::Decimal::ZERO
                    || percent > rust_decimal::Decimal::ONE_HUNDRED
                {
                    return Err(bad("a percentage, 0 to 100"));
                }
                serde_json::to_value(percent.normalize()).map_err(|e| bad(&e.to_string()))?
            }
            Some(("returns_without_receipt", "refund_to"))
                if ["store_credit", "any"].contains(&value) =>
            {
                serde_json::Value::from(value)
            }
            Some(("returns_without_receipt", "price"))
                if ["lowest_recent", "current"].contains(&value) =>
            {
                serde_json::Value::from(value)
            }
            Some(("returns_without_receipt", "days")) => {
                let days: i64 = value.parse().map_err(|_| bad("a number of days, 0 to 3650"))?;
                if !(0..=3650).contains(&days) {
                    return Err(bad("a number of days, 0 to 3650"));
                }
                serde_json::Value::from(days)
            }
            Some(("returns_without_receipt", "manager_approval")) => match value {
                "true" => serde_json::Value::from(true),
                "false" => serde_json::Value::from(false),
                _ => return Err(bad("true or false")),
            },
            Some(("returns_without_receipt", "refund_to")) => {
                return Err(bad("store_credit or any"));
            }
            Some(("returns_without_receipt", "price")) => {
                return Err(bad("lowest_recent or current"));
            }
            _ => {
                return Err(AppError::new(
                    "unknown_setting",
                    format!(
                        "{key}: the store policies are discount_limits.ROLE and \
                         returns_without_receipt.refund_to, .price, .days, .manager_approval"
                    ),
                ));
            }
        };
        let (section, field) = key.split_once('.').unwrap_or_default();
        let register = self.db.register()?.ok_or(comptoir_store::StoreError::NotInitialised)?;
        let mut config: serde_json::Value = serde_json::from_str(&register.store_config)
            .map_err(|e| AppError::config(format!("store configuration: {e}")))?;
        if !config[section].is_object() {
            config[section] = serde_json::json!({});
        }
        config[section][field] = json;
        let store = config::Store::from_json(&config.to_string())?;
        self.db.set_store_config(&config.to_string())?;
        self.store = store;
        tracing::info!(key, value, "store policy changed");
        Ok(self.store_policies())
    }
}

pub use comptoir_store::VerifyReport;

/// Checks the ledger of a register that another process (the app) holds open: it only reads,
/// which WAL allows beside the writer.
pub fn verify_folder(data_dir: &std::path::Path) -> AppResult<VerifyReport> {
    let path = register::db_path(data_dir);
    if !path.exists() {
        return Err(AppError::new(
            "not_initialised",
            format!("{} holds no register", data_dir.display()),
        ));
    }
    Ok(comptoir_store::Store::open(&path)?.verify()?)
}

/// The register's data folder when none is given: `$XDG_DATA_HOME/org.comptoir.register`, or
/// `~/.local/share/org.comptoir.register`, the folder the desktop app uses too.
pub fn default_data_dir() -> std::path::PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/share"))
        })
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    base.join("org.comptoir.register")
}
