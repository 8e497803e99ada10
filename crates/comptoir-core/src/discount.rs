//! Discounts: what takes money off a line before tax, and how an order discount is shared.
//!
//! Every discount is applied before tax and reduces the tax base of the lines it touches
//! (`money.md`). The order is fixed, so the same cart always prices the same: promotions first
//! (the promotions engine decides them), then the cashier's line discounts on what the
//! promotions left, then the order discount, allocated over the lines by largest remainder
//! in proportion to what each line still costs, so the parts sum exactly and a later partial
//! return refunds each line's own net amount. No discount takes a line below zero.

use rust_decimal::Decimal;

use crate::cart::LineId;
use crate::money::{Money, RoundingMode, allocate};

/// How much a manual discount takes off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiscountRule {
    /// A percentage of what is left: `10` is 10 % off.
    Percent(Decimal),
    /// A fixed amount off, never more than what is left.
    Amount(Money),
}

impl DiscountRule {
    /// The amount this rule takes off `base`, rounded half up, never more than `base`.
    pub fn off(&self, base: Money) -> Money {
        if base.minor() <= 0 {
            return Money::ZERO;
        }
        let off = match self {
            DiscountRule::Percent(p) => {
                base.mul_round(*p / Decimal::ONE_HUNDRED, RoundingMode::HalfUp)
            }
            DiscountRule::Amount(a) => *a,
        };
        off.max(Money::ZERO).min(base)
    }

    /// The share of `base` this rule takes, as a percentage (for the per-role limit).
    pub fn percent_of(&self, base: Money) -> Decimal {
        match self {
            DiscountRule::Percent(p) => *p,
            DiscountRule::Amount(_) if base.minor() <= 0 => Decimal::ONE_HUNDRED,
            DiscountRule::Amount(a) => {
                Decimal::from(a.minor()) * Decimal::ONE_HUNDRED / Decimal::from(base.minor())
            }
        }
    }
}

/// A discount the cashier gave: on a line or on the whole order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManualDiscount {
    pub rule: DiscountRule,
    pub reason: String,
    /// The cashier who gave it, or the manager who approved it.
    pub by: String,
}

/// A line sold at another price than the shelf's, approved by a manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceOverride {
    /// The price the catalog had (`None` for an open-price item).
    pub shelf_price: Option<Money>,
    pub approved_by: String,
    pub reason: String,
}

/// Where a discount on a line comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiscountSource {
    /// A promotion, by its id (a coupon's promotion too).
    Promotion(String),
    /// The cashier's discount on this line.
    Line,
    /// This line's share of the order discount.
    Order,
}

impl DiscountSource {
    pub fn kind(&self) -> &'static str {
        match self {
            DiscountSource::Promotion(_) => "promotion",
            DiscountSource::Line => "line",
            DiscountSource::Order => "order",
        }
    }
}

/// One discount on one line, as the screen, the receipt and the ledger show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineDiscount {
    pub source: DiscountSource,
    pub label: String,
    pub amount: Money,
}

/// A promotion's discount on a line, as the promotions engine decides it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromoDiscount {
    pub promotion: String,
    pub label: String,
    pub line: LineId,
    pub amount: Money,
}

/// Splits an order discount over lines in proportion to what each still costs.
///
/// `remaining` is each line's amount after its own discounts. The order discount is capped at
/// their sum; the parts are allocated by largest remainder and sum to it exactly.
pub fn share_order_discount(rule: &DiscountRule, remaining: &[Money]) -> Vec<Money> {
    let base: Money = remaining.iter().copied().filter(|m| m.minor() > 0).sum();
    let total = rule.off(base);
    let weights: Vec<i64> = remaining.iter().map(|m| m.minor().max(0)).collect();
    if total.is_zero() {
        return vec![Money::ZERO; remaining.len()];
    }
    allocate(total, &weights)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_discount_never_takes_more_than_what_is_left() {
        let m = Money::from_minor;
        assert_eq!(DiscountRule::Amount(m(500)).off(m(300)), m(300));
        assert_eq!(DiscountRule::Percent(dec!(150)).off(m(300)), m(300));
        assert_eq!(DiscountRule::Percent(dec!(10)).off(m(995)), m(100), "99.5 rounds half up");
        assert_eq!(DiscountRule::Percent(dec!(10)).off(m(994)), m(99));
        assert_eq!(DiscountRule::Amount(m(-5)).off(m(300)), Money::ZERO);
    }

    #[test]
    fn an_order_discount_is_shared_exactly() {
        let m = Money::from_minor;
        // 10.00 off lines of 10.00, 20.00 and 30.00: 1.67 + 3.33 + 5.00 by largest remainder.
        let parts =
            share_order_discount(&DiscountRule::Amount(m(1000)), &[m(1000), m(2000), m(3000)]);
        assert_eq!(parts, vec![m(167), m(333), m(500)]);
        assert_eq!(parts.iter().copied().sum::<Money>(), m(1000));
        // A line already free takes no share.
        let parts = share_order_discount(&DiscountRule::Percent(dec!(50)), &[m(0), m(301)]);
        assert_eq!(parts, vec![m(0), m(151)]);
    }
}
