//! Weights as a scale reports them: an exact decimal in a unit, stable or not, and the one
//! kind of weight an item may be sold by.

use std::fmt;

use rust_decimal::Decimal;

use crate::error::ScaleError;

/// A unit a scale reports in. Conversions are exact: the pound is 0.45359237 kg by definition
/// (the international yard and pound agreement of 1959), the ounce a sixteenth of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Kilogram,
    Gram,
    Milligram,
    Pound,
    Ounce,
}

impl Unit {
    /// Reads a unit as MT-SICS writes it (`kg`, `g`, `mg`, `lb`, `oz`; case matters, as the
    /// manual says units are to be capitalised properly).
    pub fn parse(text: &str) -> Option<Unit> {
        match text {
            "kg" => Some(Unit::Kilogram),
            "g" => Some(Unit::Gram),
            "mg" => Some(Unit::Milligram),
            "lb" => Some(Unit::Pound),
            "oz" => Some(Unit::Ounce),
            _ => None,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Kilogram => "kg",
            Unit::Gram => "g",
            Unit::Milligram => "mg",
            Unit::Pound => "lb",
            Unit::Ounce => "oz",
        }
    }

    /// How many grams one of this unit is, exactly.
    pub fn grams(self) -> Decimal {
        match self {
            Unit::Kilogram => Decimal::from(1000),
            Unit::Gram => Decimal::ONE,
            Unit::Milligram => Decimal::new(1, 3),
            Unit::Pound => Decimal::new(45_359_237, 5),
            Unit::Ounce => Decimal::new(28_349_523_125, 9),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// An amount of mass in a unit, kept exactly as the scale wrote it (`0.256 kg` stays three
/// decimals, so a receipt shows what the scale showed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weight {
    pub value: Decimal,
    pub unit: Unit,
}

impl Weight {
    pub fn new(value: Decimal, unit: Unit) -> Weight {
        Weight { value, unit }
    }

    /// The same mass in grams, exactly.
    pub fn grams(self) -> Decimal {
        (self.value * self.unit.grams()).normalize()
    }

    /// The same mass in kilograms, exactly.
    pub fn kilograms(self) -> Decimal {
        self.in_unit(Unit::Kilogram)
    }

    /// The same mass in `unit`. Exact into grams, kilograms and milligrams, and between
    /// pounds and ounces; metric into pounds or ounces divides by 453.59237 and is rounded at
    /// the 28 digits of a [`Decimal`], far below any scale's division.
    pub fn in_unit(self, unit: Unit) -> Decimal {
        if unit == self.unit {
            return self.value;
        }
        (self.grams() / unit.grams()).normalize()
    }

    pub fn is_positive(self) -> bool {
        self.value > Decimal::ZERO
    }
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.unit)
    }
}

/// Whether the scale had settled when it sent a weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stability {
    Stable,
    /// Still moving ("dynamic" in MT-SICS): for display only, never for sale.
    Dynamic,
}

/// One weight as the scale reported it, net of the scale's own tare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub weight: Weight,
    pub stability: Stability,
}

impl Reading {
    pub fn is_stable(&self) -> bool {
        self.stability == Stability::Stable
    }
}

/// A weight an item may be sold by: stable, and more than nothing. The only ways to get one
/// are [`SellableWeight::from_reading`] and [`SellableWeight::less_tare`], so an unstable,
/// negative or zero weight can never reach a price; overload and underload never become a
/// [`Reading`] at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SellableWeight(Weight);

impl SellableWeight {
    /// Takes a reading for sale, or says why it cannot be sold.
    pub fn from_reading(reading: &Reading) -> Result<SellableWeight, ScaleError> {
        if !reading.is_stable() {
            return Err(ScaleError::Unstable);
        }
        SellableWeight::positive(reading.weight)
    }

    fn positive(weight: Weight) -> Result<SellableWeight, ScaleError> {
        if weight.value.is_zero() {
            Err(ScaleError::NoWeight)
        } else if weight.value.is_sign_negative() {
            Err(ScaleError::Negative)
        } else {
            Ok(SellableWeight(weight))
        }
    }

    pub fn weight(&self) -> Weight {
        self.0
    }

    pub fn kilograms(&self) -> Decimal {
        self.0.kilograms()
    }

    /// The weight less a preset tare (the item's container, from the catalogue), in the
    /// scale's unit. What is left must still be more than nothing.
    pub fn less_tare(&self, tare: Weight) -> Result<SellableWeight, ScaleError> {
        if tare.value.is_sign_negative() {
            return Err(ScaleError::BadTare);
        }
        let net = self.0.value - tare.in_unit(self.0.unit);
        SellableWeight::positive(Weight::new(net.normalize(), self.0.unit))
            .map_err(|_| ScaleError::TareExceedsWeight)
    }
}
