//! Items sold by weight: their catalog price is per kilogram, and their line's quantity is a
//! weight from the scale. Only a stable, positive reading ([`SellableWeight`]) can make one,
//! so an unstable or zero weight, or a keyed one, is never sold.

use comptoir_core::cart::LineId;
use comptoir_core::catalog::ItemKind;
use comptoir_scale::SellableWeight;
use rust_decimal::Decimal;

use crate::error::{AppError, AppResult};
use crate::register::Register;

impl Register {
    /// Adds a weighed item (by barcode, PLU or SKU) at the weight the scale gave.
    /// Checks that `code` is an item sold by weight, before the scale is read for it: a unit
    /// item, a deli label (it carries its own price or weight) or an unknown code is refused
    /// as such, whatever the scale would say.
    pub fn check_weighable(&mut self, code: &str) -> AppResult<()> {
        self.refresh_catalog()?;
        let code = code.trim();
        match self.catalog.lookup(code) {
            Some(item) if item.kind == ItemKind::Weighed => Ok(()),
            Some(item) => Err(AppError::new("not_weighed", item.name.clone())),
            None if self.in_store_label(code)?.is_some() => {
                Err(AppError::new("label_not_on_scale", code.to_owned()))
            }
            None => Err(AppError::new("unknown_barcode", code.to_owned())),
        }
    }

    pub fn add_weighed(&mut self, code: &str, weight: &SellableWeight) -> AppResult<LineId> {
        self.cashier()?;
        self.require_shift()?;
        self.check_no_tenders()?;
        self.refresh_catalog()?;
        let Some(item) = self.catalog.lookup(code.trim()).map(|i| self.item_now(i)) else {
            return Err(AppError::new("unknown_barcode", code.trim().to_owned()));
        };
        if item.kind != ItemKind::Weighed {
            return Err(AppError::new("not_weighed", item.name.clone()));
        }
        if item.price.is_none() {
            return Err(AppError::new(
                "needs_price",
                format!("{}: it has no price per kilogram", item.name),
            ));
        }
        let kilograms = kilograms(weight)?;
        let id = self.cart.add_item(&item, kilograms)?;
        tracing::info!(sku = %item.sku.0, kg = %kilograms, "weighed item added");
        self.multiplier = None;
        self.after_weighing(id)?;
        Ok(id)
    }

    /// Refuses to ring a weighed item by scanning or keying a quantity: it goes on the scale.
    pub(crate) fn refuse_unweighed(&self, kind: ItemKind, name: &str) -> AppResult<()> {
        match kind {
            ItemKind::Weighed => Err(AppError::new("weigh_item", name.to_owned())),
            _ => Ok(()),
        }
    }
}

/// A sellable weight in kilograms, rounded to the gram the way scales legal for trade show it.
fn kilograms(weight: &SellableWeight) -> AppResult<Decimal> {
    sellable_kilograms(weight.kilograms())
}

/// A weight to sell by (from the scale or an in-store label), rounded to the gram: at least a
/// gram.
pub(crate) fn sellable_kilograms(kilograms: Decimal) -> AppResult<Decimal> {
    let kg = kilograms.round_dp(3);
    if kg <= Decimal::ZERO {
        return Err(AppError::new("invalid_weight", "the weight is less than a gram"));
    }
    Ok(kg)
}
