//! The price of a weighed item: its price per unit of weight times a sellable weight, less
//! the item's preset tare, rounded to the currency's minor unit half up by the core's one
//! rounding function.

use comptoir_core::Money;
use comptoir_core::money::RoundingMode;

use crate::error::ScaleError;
use crate::weight::{SellableWeight, Unit, Weight};

/// A shelf price by weight: `12.99` per kilogram, `2.49` per pound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitPrice {
    pub amount: Money,
    pub per: Unit,
}

impl UnitPrice {
    pub fn per_kilogram(amount: Money) -> UnitPrice {
        UnitPrice { amount, per: Unit::Kilogram }
    }

    /// What `weight` of the item costs, exact until the one rounding to minor units.
    pub fn price(&self, weight: &SellableWeight) -> Money {
        self.amount.mul_round(weight.weight().in_unit(self.per), RoundingMode::HalfUp)
    }
}

/// A weighed line, as the register rings it: the net weight sold and its price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeighedPrice {
    pub net: SellableWeight,
    pub amount: Money,
}

/// Prices a weighed item: the weight less the item's preset tare (its container; `None` when
/// the scale was tared or the item has none) at `unit_price`.
pub fn price_weighed(
    unit_price: UnitPrice,
    weight: &SellableWeight,
    tare: Option<Weight>,
) -> Result<WeighedPrice, ScaleError> {
    let net = match tare {
        Some(tare) => weight.less_tare(tare)?,
        None => *weight,
    };
    Ok(WeighedPrice { net, amount: unit_price.price(&net) })
}
