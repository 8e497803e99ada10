//! The cart: the lines being rung up, and its pricing into totals and taxes.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{Item, ItemKind, Sku};
use crate::money::{Money, RoundingMode};
use crate::tax::{TaxBreakdown, TaxClass, TaxRegime, TaxableLine};

/// The number a line keeps for the whole life of the cart (what the cashier sees and types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineId(pub u32);

/// One item and its quantity, at the price it was scanned at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub id: LineId,
    pub sku: Sku,
    pub barcode: Option<String>,
    pub name: String,
    pub unit_price: Money,
    pub quantity: Decimal,
    pub tax_class: TaxClass,
    pub kind: ItemKind,
    /// The cashier keyed the price.
    pub open_price: bool,
}

/// Why a cart change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("no line {0}")]
    NoSuchLine(u32),
    #[error("a line holds at most {max} of an item, in whole units")]
    InvalidQuantity { max: u32 },
    #[error("this item is sold by the unit: the quantity is a whole number")]
    WholeQuantity,
    #[error("the item has no price: key its price")]
    NeedsPrice,
}

/// The largest quantity one line takes: a typo such as 1000 × instead of 10 × is refused.
pub const MAX_QUANTITY: u32 = 9999;

/// Lines in the order they were first rung up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cart {
    lines: Vec<Line>,
    next_id: u32,
}

impl Cart {
    pub fn new() -> Cart {
        Cart { lines: Vec::new(), next_id: 1 }
    }

    /// Rebuilds a cart from stored lines (a parked cart, a restart mid-sale).
    pub fn from_lines(lines: Vec<Line>) -> Cart {
        let next_id = lines.iter().map(|l| l.id.0).max().unwrap_or(0) + 1;
        Cart { lines, next_id }
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Adds an item at its shelf price. Scanning an item already in the cart at the same price
    /// adds to that line, so the receipt shows `3 x` rather than three lines.
    pub fn add_item(&mut self, item: &Item, quantity: Decimal) -> Result<LineId, CartError> {
        let price = item.price.ok_or(CartError::NeedsPrice)?;
        check_quantity(quantity)?;
        let same = self
            .lines
            .iter_mut()
            .find(|l| l.sku == item.sku && l.unit_price == price && !l.open_price);
        if let Some(line) = same {
            let merged = line.quantity + quantity;
            check_quantity(merged)?;
            line.quantity = merged;
            return Ok(line.id);
        }
        Ok(self.push(Line {
            id: LineId(0),
            sku: item.sku.clone(),
            barcode: item.gtin.as_ref().map(|g| g.display().to_owned()),
            name: item.name.clone(),
            unit_price: price,
            quantity,
            tax_class: item.tax_class.clone(),
            kind: item.kind,
            open_price: false,
        }))
    }

    /// Adds a line whose price the cashier keyed (an open-price item).
    pub fn add_open_price(&mut self, mut line: Line) -> Result<LineId, CartError> {
        check_quantity(line.quantity)?;
        line.open_price = true;
        Ok(self.push(line))
    }

    /// Adds a line exactly as given (a replayed invoice line at its recorded price).
    pub fn add_line(&mut self, line: Line) -> Result<LineId, CartError> {
        check_quantity(line.quantity)?;
        Ok(self.push(line))
    }

    fn push(&mut self, mut line: Line) -> LineId {
        let id = LineId(self.next_id.max(1));
        self.next_id = id.0 + 1;
        line.id = id;
        self.lines.push(line);
        id
    }

    pub fn set_quantity(&mut self, id: LineId, quantity: Decimal) -> Result<(), CartError> {
        check_quantity(quantity)?;
        let line = self.lines.iter_mut().find(|l| l.id == id).ok_or(CartError::NoSuchLine(id.0))?;
        line.quantity = quantity;
        Ok(())
    }

    pub fn remove(&mut self, id: LineId) -> Result<Line, CartError> {
        let index =
            self.lines.iter().position(|l| l.id == id).ok_or(CartError::NoSuchLine(id.0))?;
        Ok(self.lines.remove(index))
    }

    /// Prices the cart: line amounts, taxes per rate, and the total due.
    pub fn price(&self, regime: &TaxRegime, day: NaiveDate) -> PricedCart {
        let lines: Vec<PricedLine> = self
            .lines
            .iter()
            .map(|line| PricedLine {
                line: line.clone(),
                amount: line.unit_price.mul_round(line.quantity, RoundingMode::HalfUp),
            })
            .collect();
        let taxable: Vec<TaxableLine<'_>> = lines
            .iter()
            .map(|l| TaxableLine { amount: l.amount, class: &l.line.tax_class })
            .collect();
        let taxes = regime.compute(&taxable, day);
        let subtotal: Money = lines.iter().map(|l| l.amount).sum();
        let total = subtotal + taxes.added();
        PricedCart { lines, subtotal, taxes, total }
    }
}

fn check_quantity(quantity: Decimal) -> Result<(), CartError> {
    let invalid = CartError::InvalidQuantity { max: MAX_QUANTITY };
    if quantity <= Decimal::ZERO
        || quantity > Decimal::from(MAX_QUANTITY)
        || quantity.normalize().scale() > 3
    {
        return Err(invalid);
    }
    Ok(())
}

/// A line with its amount (unit price × quantity, rounded half up to the minor unit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub line: Line,
    pub amount: Money,
}

/// A priced cart: what the screen and the receipt show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    /// The sum of the line amounts (tax included when the store's prices include it).
    pub subtotal: Money,
    pub taxes: TaxBreakdown,
    /// What the customer owes before cash rounding.
    pub total: Money,
}
