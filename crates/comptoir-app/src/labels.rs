//! In-store labels at the till: the deli's or the butcher's scale prints a barcode with prefix
//! 02 or 20 to 29 that carries the item and its price, weight or count, in the layout of the
//! store's country (`comptoir_scanner::rcn`, the data in `fixtures/barcodes/rcn_rules.json`).
//! Such a label rings as one line: at the printed price (never the shelf's), or the weight at
//! the item's price per kilogram, or the count at the shelf price.
//!
//! The catalog knows a labelled item by its **lookup** barcode: the label's code with the value
//! (and the value's own check digit) set to zero and the check digit redone, the same for every
//! label of the item. It is the item's ordinary `barcode` in the catalog (a CSV import or the
//! server's catalog), so no new column is needed: the Montréal demo's deli ham, item 01234 in
//! the UPC-A layout `2 IIIII V PPPP C`, is the barcode `201234000006`.

use std::sync::OnceLock;

use comptoir_core::catalog::{Item, ItemKind};
use comptoir_core::gtin::Gtin14;
use comptoir_core::{Line, LineId};
use comptoir_scanner::rcn::{CountryRules, Embedded, EmbeddedValue, InStoreRules};
use rust_decimal::Decimal;

use crate::error::{AppError, AppResult};
use crate::register::Register;
use crate::view::Notice;

/// The layouts shipped with Comptoir, read once.
pub fn builtin_rules() -> &'static InStoreRules {
    static RULES: OnceLock<InStoreRules> = OnceLock::new();
    RULES.get_or_init(InStoreRules::builtin)
}

impl Register {
    /// The country whose label layouts the register reads: the `scanner` setting's
    /// `country=XX` when it names one, else the store's own country.
    pub fn label_country(&self) -> Option<String> {
        let setting = self.db.setting("scanner").ok().flatten().unwrap_or_default();
        let from_scanner = crate::setup::scanner_setting(&setting).ok().flatten();
        from_scanner.and_then(|config| config.country).or_else(|| self.store.country())
    }

    fn label_rules(&self) -> Option<&'static CountryRules> {
        builtin_rules().country(&self.label_country()?)
    }

    /// Reads a scanned code as an in-store label, when its prefix has a layout in the
    /// register's country. A wrong check digit, or a wrong price check digit, is refused.
    pub(crate) fn in_store_label(&self, code: &str) -> AppResult<Option<Embedded>> {
        let code = code.trim();
        if !(12..=14).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        let Some(rules) = self.label_rules() else { return Ok(None) };
        let padded = format!("{code:0>14}");
        let Some(gtin13) = padded.strip_prefix('0') else { return Ok(None) };
        if rules.rule(&gtin13[..2]).is_none() {
            return Ok(None);
        }
        let gtin =
            Gtin14::parse(code).map_err(|_| AppError::new("scan_check_digit", code.to_owned()))?;
        match rules.read(&gtin) {
            None => Ok(None),
            Some(Ok(label)) => Ok(Some(label)),
            Some(Err(_)) => Err(AppError::new("scan_label_check_digit", code.to_owned())),
        }
    }

    /// Rings an in-store label as one line of its own.
    pub fn ring_label(&mut self, label: &Embedded) -> AppResult<LineId> {
        self.cashier()?;
        self.require_shift()?;
        self.check_no_tenders()?;
        let code = label.gtin.display().to_owned();
        if self.multiplier.take().is_some() {
            return Err(AppError::new("label_quantity", code));
        }
        self.check_label_currency(label, &code)?;
        self.refresh_catalog()?;
        let Some(item) = self.catalog.lookup(label.lookup.as_str()).map(|i| self.item_now(i))
        else {
            return Err(self.unknown_label(&code));
        };
        let id = match &label.value {
            EmbeddedValue::Price { amount, .. } => self.ring_priced_label(&item, &code, *amount)?,
            EmbeddedValue::Weight { kg } => self.ring_weighed_label(&item, &code, *kg)?,
            EmbeddedValue::Count(count) => self.ring_counted_label(&item, &code, *count)?,
        };
        tracing::info!(sku = %item.sku.0, label = %code, "in-store label rung");
        self.after_weighing(id)?;
        Ok(id)
    }

    /// Whether a line was rung from a price or count label: its quantity is the label's.
    pub(crate) fn is_label_line(&self, line: &Line) -> bool {
        let Some(barcode) = &line.barcode else { return false };
        let Ok(Some(label)) = self.in_store_label(barcode) else { return false };
        // The lookup barcode itself (a value of zero) is the item's own, rung at the shelf.
        let carries = match label.value {
            EmbeddedValue::Price { amount, .. } => !amount.is_zero(),
            EmbeddedValue::Weight { kg } => !kg.is_zero(),
            EmbeddedValue::Count(count) => count > 0,
        };
        line.kind != ItemKind::Weighed && carries
    }

    fn unknown_label(&mut self, code: &str) -> AppError {
        tracing::info!(code, "in-store label of an unknown item");
        let error = AppError::new("unknown_barcode", code.to_owned());
        self.notice = Some(Notice {
            level: "error",
            code: "unknown_barcode",
            message: error.message(&self.lang),
            offer: Some("open_price"),
        });
        error
    }

    /// A price in another currency than the store's means the labels are read with another
    /// country's layout.
    fn check_label_currency(&self, label: &Embedded, code: &str) -> AppResult<()> {
        let EmbeddedValue::Price { currency: Some(theirs), .. } = &label.value else {
            return Ok(());
        };
        let ours = self.store.config.currency.as_str();
        if theirs.eq_ignore_ascii_case(ours) {
            return Ok(());
        }
        Err(AppError::new(
            "label_currency",
            format!("label {code} is priced in {theirs}, the store sells in {ours}"),
        ))
    }

    /// The label's price, whatever the shelf says: the scale priced this package.
    fn ring_priced_label(&mut self, item: &Item, code: &str, amount: Decimal) -> AppResult<LineId> {
        let price = self
            .parse_money(&amount.to_string())
            .map_err(|_| AppError::new("label_empty", code.to_owned()))?;
        if price.is_zero() {
            return Err(AppError::new("label_empty", code.to_owned()));
        }
        // A package sold by its label is one unit, even of an item priced per kilogram.
        let kind = match item.kind {
            ItemKind::Weighed => ItemKind::Item,
            other => other,
        };
        Ok(self.cart.add_line(label_line(item, code, price, Decimal::ONE, kind))?)
    }

    /// The label's weight at the item's price per kilogram, as a weighed line.
    fn ring_weighed_label(&mut self, item: &Item, code: &str, kg: Decimal) -> AppResult<LineId> {
        if item.kind != ItemKind::Weighed {
            return Err(AppError::new("label_not_weighed", item.name.clone()));
        }
        let Some(per_kg) = item.price else {
            return Err(AppError::new(
                "needs_price",
                format!("{}: it has no price per kilogram", item.name),
            ));
        };
        let kilograms = crate::weighed::sellable_kilograms(kg)
            .map_err(|_| AppError::new("label_empty", code.to_owned()))?;
        let line = label_line(item, code, per_kg, kilograms, ItemKind::Weighed);
        Ok(self.cart.add_line(line)?)
    }

    /// A count of pieces at the shelf price.
    fn ring_counted_label(&mut self, item: &Item, code: &str, count: u32) -> AppResult<LineId> {
        self.refuse_unweighed(item.kind, &item.name)?;
        if count == 0 {
            return Err(AppError::new("label_empty", code.to_owned()));
        }
        let Some(price) = item.price else {
            return Err(AppError::new(
                "needs_price",
                format!("{}: key its price as an open-price item", item.name),
            ));
        };
        let line = label_line(item, code, price, Decimal::from(count), item.kind);
        Ok(self.cart.add_line(line)?)
    }
}

/// A line of its own for one label, which keeps the label's code as its barcode.
fn label_line(
    item: &Item,
    code: &str,
    price: comptoir_core::Money,
    qty: Decimal,
    kind: ItemKind,
) -> Line {
    Line {
        id: LineId(0),
        sku: item.sku.clone(),
        barcode: Some(code.to_owned()),
        name: item.name.clone(),
        unit_price: price,
        quantity: qty,
        tax_class: item.tax_class.clone(),
        kind,
        open_price: false,
        discount: None,
        price_override: None,
    }
}
