//! The cart: the lines being rung up, and its pricing into totals and taxes.
//!
//! Pricing runs in one fixed order: each line's amount (unit price × quantity, half up), the
//! promotions' discounts, the cashier's line discounts, the order discount shared over the
//! lines, then the taxes on each line's net amount, then the total. See [`crate::discount`].

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{Item, ItemKind, Sku};
use crate::discount::{
    DiscountSource, LineDiscount, ManualDiscount, PriceOverride, PromoDiscount,
    share_order_discount,
};
use crate::money::{Money, RoundingMode};
use crate::tax::{Exemption, TaxBreakdown, TaxClass, TaxRegime, TaxableLine};

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
    /// The cashier's discount on this line.
    pub discount: Option<ManualDiscount>,
    /// A manager approved another price than the shelf's (`unit_price` is the new one).
    pub price_override: Option<PriceOverride>,
}

impl Line {
    /// Whether promotions apply: not to a keyed or overridden price, nor to a charge.
    pub fn promotable(&self) -> bool {
        !self.open_price && self.price_override.is_none() && self.kind == ItemKind::Item
    }
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

/// Lines in the order they were first rung up, and what applies to the whole order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cart {
    lines: Vec<Line>,
    next_id: u32,
    /// The cashier's discount on the whole order.
    pub order_discount: Option<ManualDiscount>,
    /// The customer's tax exemption, with its certificate.
    pub exemption: Option<Exemption>,
}

impl Cart {
    pub fn new() -> Cart {
        Cart { lines: Vec::new(), next_id: 1, order_discount: None, exemption: None }
    }

    /// Rebuilds a cart from stored lines (a parked cart, a restart mid-sale).
    pub fn from_lines(lines: Vec<Line>) -> Cart {
        let next_id = lines.iter().map(|l| l.id.0).max().unwrap_or(0) + 1;
        Cart { lines, next_id, order_discount: None, exemption: None }
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
        // Each weighing is its own line: two bags of apples are two weights on the receipt.
        let same = self.lines.iter_mut().filter(|_| item.kind != ItemKind::Weighed).find(|l| {
            l.sku == item.sku
                && l.unit_price == price
                && !l.open_price
                && l.price_override.is_none()
                && l.discount.is_none()
        });
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
            discount: None,
            price_override: None,
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

    pub fn line(&self, id: LineId) -> Result<&Line, CartError> {
        self.lines.iter().find(|l| l.id == id).ok_or(CartError::NoSuchLine(id.0))
    }

    pub fn line_mut(&mut self, id: LineId) -> Result<&mut Line, CartError> {
        self.lines.iter_mut().find(|l| l.id == id).ok_or(CartError::NoSuchLine(id.0))
    }

    /// Prices the cart with no promotions.
    pub fn price(&self, regime: &TaxRegime, day: NaiveDate) -> PricedCart {
        self.price_with(regime, day, &[])
    }

    /// Prices the cart: line amounts, the promotions' discounts given, the manual discounts,
    /// taxes per rate on the net amounts, and the total due.
    pub fn price_with(
        &self,
        regime: &TaxRegime,
        day: NaiveDate,
        promotions: &[PromoDiscount],
    ) -> PricedCart {
        let mut lines: Vec<PricedLine> =
            self.lines.iter().map(|l| priced_line(l, promotions)).collect();
        if let Some(order) = &self.order_discount {
            let remaining: Vec<Money> = lines.iter().map(|l| l.net).collect();
            let shares = share_order_discount(&order.rule, &remaining);
            for (line, share) in lines.iter_mut().zip(shares) {
                line.take(DiscountSource::Order, &order.reason, share);
            }
        }
        let taxable: Vec<TaxableLine<'_>> =
            lines.iter().map(|l| TaxableLine { amount: l.net, class: &l.line.tax_class }).collect();
        let mut taxes = regime.compute(&taxable, day);
        if let Some(exemption) = &self.exemption {
            taxes.exempt(exemption);
        }
        let gross: Money = lines.iter().map(|l| l.amount).sum();
        let subtotal: Money = lines.iter().map(|l| l.net).sum();
        let total = subtotal + taxes.added() - taxes.exempted_included();
        PricedCart { lines, gross, subtotal, taxes, total }
    }
}

/// A line's amount and the discounts of its own: the promotions', then the cashier's.
fn priced_line(line: &Line, promotions: &[PromoDiscount]) -> PricedLine {
    let amount = line.unit_price.mul_round(line.quantity, RoundingMode::HalfUp);
    let mut priced = PricedLine { line: line.clone(), amount, discounts: Vec::new(), net: amount };
    let mut own: Vec<&PromoDiscount> = promotions.iter().filter(|p| p.line == line.id).collect();
    own.sort_by(|a, b| a.promotion.cmp(&b.promotion));
    for promo in own {
        priced.take(DiscountSource::Promotion(promo.promotion.clone()), &promo.label, promo.amount);
    }
    if let Some(discount) = &line.discount {
        let off = discount.rule.off(priced.net);
        priced.take(DiscountSource::Line, &discount.reason, off);
    }
    priced
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

/// A line with its amount (unit price × quantity, rounded half up to the minor unit), its
/// discounts, and its net amount (what the taxes are computed on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    pub line: Line,
    pub amount: Money,
    pub discounts: Vec<LineDiscount>,
    /// `amount` less the discounts, never below zero.
    pub net: Money,
}

impl PricedLine {
    /// Takes a discount off the net amount, at most what is left; a zero discount is not kept.
    fn take(&mut self, source: DiscountSource, label: &str, amount: Money) {
        let amount = amount.max(Money::ZERO).min(self.net);
        if amount.is_zero() {
            return;
        }
        self.net -= amount;
        self.discounts.push(LineDiscount { source, label: label.to_owned(), amount });
    }

    /// What the line's discounts saved the customer.
    pub fn saving(&self) -> Money {
        self.discounts.iter().map(|d| d.amount).sum()
    }
}

/// A priced cart: what the screen and the receipt show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    /// The sum of the line amounts before discounts.
    pub gross: Money,
    /// The sum of the lines' net amounts (tax included when the store's prices include it).
    pub subtotal: Money,
    pub taxes: TaxBreakdown,
    /// What the customer owes before cash rounding.
    pub total: Money,
}

impl PricedCart {
    /// What the discounts of one source took off, over every line (the order discount's
    /// shares add up to what it took).
    pub fn discounted_by(&self, source: &DiscountSource) -> Money {
        self.lines
            .iter()
            .flat_map(|l| &l.discounts)
            .filter(|d| &d.source == source)
            .map(|d| d.amount)
            .sum()
    }

    /// What every discount together saved.
    pub fn savings(&self) -> Money {
        self.gross - self.subtotal
    }

    /// What the customer pays for line `index`: its net amount with its share of the added
    /// taxes (less any included tax they are exempt from). These sum to the total.
    pub fn line_paid(&self, index: usize) -> Money {
        self.lines[index].net + self.taxes.line_adjustment(index)
    }
}
