//! Refunds: what a returned line gives back, and how a refund goes back over the tenders.
//!
//! A returned line refunds what the customer paid for it, from the amounts stored on the
//! original sale (its net amount after every discount, and its share of each tax at the rate
//! it was sold at), never from today's prices or rates. Part of a line refunds a cumulative
//! share: returning `k` more of `q` units refunds `round(x × (r + k) / q) − refunded` of each
//! amount `x`, so returning a line in several goes gives back exactly what it cost, never a
//! cent more or less.
//!
//! The money goes back over the original tenders: every leg that is not cash first, in the
//! order they were paid, each up to what it paid less what it already got back, then cash.
//! Cash is rounded like a sale (symmetrically, so a refund of 12.37 is the negation of a sale
//! of 12.37), capped at the cash the sale kept less what was already given back in cash, so a
//! sale's refunds never give more cash than it took. A full refund therefore mirrors the
//! tenders leg by leg; what no leg can take is left for the cashier to give as store credit.

use rust_decimal::Decimal;

use crate::money::{Currency, Money, RoundingMode};
use crate::tender::Tender;

/// One tax of a sold line, as the sale stored it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoldTax {
    pub code: String,
    pub rate: Decimal,
    pub amount: Money,
    pub included: bool,
    pub exempt: bool,
}

impl SoldTax {
    /// What this tax adds to what the customer paid: an added tax they were charged, less an
    /// included tax they were exempt from.
    fn paid(&self, amount: Money) -> Money {
        match (self.included, self.exempt) {
            (false, false) => amount,
            (true, true) => -amount,
            _ => Money::ZERO,
        }
    }
}

/// A line of a sale, with the amounts it was sold at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoldLine {
    pub line: u32,
    pub quantity: Decimal,
    /// The line's amount after every discount.
    pub net: Money,
    pub taxes: Vec<SoldTax>,
}

impl SoldLine {
    /// What the customer paid for the whole line.
    pub fn paid(&self) -> Money {
        self.net + self.taxes.iter().map(|t| t.paid(t.amount)).sum::<Money>()
    }
}

/// What earlier returns already refunded of a line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refunded {
    pub quantity: Decimal,
    pub net: Money,
    /// Per tax of the sold line, same order.
    pub taxes: Vec<Money>,
}

impl Refunded {
    /// Adds a refund to what was refunded.
    pub fn add(&mut self, refund: &LineRefund) {
        self.quantity += refund.quantity;
        self.net += refund.net;
        if self.taxes.len() < refund.taxes.len() {
            self.taxes.resize(refund.taxes.len(), Money::ZERO);
        }
        for (sum, tax) in self.taxes.iter_mut().zip(&refund.taxes) {
            *sum += *tax;
        }
    }
}

/// What returning some units of a line gives back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineRefund {
    pub quantity: Decimal,
    pub net: Money,
    /// Per tax of the sold line, same order: the stored share being refunded.
    pub taxes: Vec<Money>,
    /// What goes back to the customer: the net amount and the taxes they paid.
    pub paid: Money,
}

/// Why a return was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("the quantity returned is more than zero")]
    NotPositive,
    #[error("line {line} has {left} left to return")]
    MoreThanSold { line: u32, left: Decimal },
}

/// Refunds `quantity` more units of a sold line, given what was already refunded of it.
pub fn refund_line(
    sold: &SoldLine,
    already: &Refunded,
    quantity: Decimal,
) -> Result<LineRefund, RefundError> {
    if quantity <= Decimal::ZERO {
        return Err(RefundError::NotPositive);
    }
    let left = sold.quantity - already.quantity;
    if quantity > left {
        return Err(RefundError::MoreThanSold { line: sold.line, left: left.max(Decimal::ZERO) });
    }
    let after = already.quantity + quantity;
    let share = |whole: Money, refunded: Money| {
        let upto = if after == sold.quantity {
            whole
        } else {
            whole.mul_round(after / sold.quantity, RoundingMode::HalfUp)
        };
        // Never more than is left of the amount, never less than nothing.
        (upto - refunded).max(Money::ZERO).min((whole - refunded).max(Money::ZERO))
    };
    let net = share(sold.net, already.net);
    let taxes: Vec<Money> = sold
        .taxes
        .iter()
        .enumerate()
        .map(|(i, t)| share(t.amount, already.taxes.get(i).copied().unwrap_or(Money::ZERO)))
        .collect();
    let paid = net + sold.taxes.iter().zip(&taxes).map(|(t, a)| t.paid(*a)).sum::<Money>();
    Ok(LineRefund { quantity, net, taxes, paid })
}

/// A tender of the original sale, with what was already refunded to it (a positive amount).
/// For a cash leg, `tender` is `Cash { tendered }` with the cash the sale kept: what was
/// handed over less the change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaidLeg {
    pub tender: Tender,
    /// What earlier refunds gave back on this leg (for cash: the cash handed out).
    pub refunded: Money,
    /// For a cash leg, the exact amount earlier refunds settled in cash: the cash handed out
    /// plus their cash rounding. Cash is rounded on the running total, so refunding a sale in
    /// many goes never drifts from what it took.
    pub settled: Money,
    /// For a cash leg, the sale's own cash rounding (`+0.02` when 6.08 was paid as 6.10):
    /// the exact cash part of the sale is the cash kept less it.
    pub rounding: Money,
}

impl Default for Tender {
    fn default() -> Tender {
        Tender::Cash { tendered: Money::ZERO }
    }
}

/// How a refund goes back: legs with negative amounts (money to the customer).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RefundPlan {
    /// The refund legs: `ExternalCard`/`OnAccount` with the original's reference and a
    /// negative amount, and `Cash` with a negative `tendered` (cash handed out).
    pub legs: Vec<Tender>,
    /// The rounding of the cash part, as a sale records it: the exact cash part less the cash
    /// handed out (`+0.02` when 10.02 is refunded as 10.00 in cash).
    pub cash_rounding: Money,
    /// What no original leg can take (give it as store credit, or with a manager's approval).
    pub unallocated: Money,
}

impl RefundPlan {
    /// Adds the plan of another sale's part of the same refund: its card legs after these,
    /// the cash handed out in one cash leg (last), roundings and what is left added up.
    pub fn merge(&mut self, other: RefundPlan) {
        let cash = |legs: &[Tender]| -> Money {
            legs.iter()
                .map(|t| match t {
                    Tender::Cash { tendered } => *tendered,
                    _ => Money::ZERO,
                })
                .sum()
        };
        let had_cash =
            self.legs.iter().chain(&other.legs).any(|t| matches!(t, Tender::Cash { .. }));
        let out = cash(&self.legs) + cash(&other.legs);
        self.legs.retain(|t| !matches!(t, Tender::Cash { .. }));
        self.legs.extend(other.legs.into_iter().filter(|t| !matches!(t, Tender::Cash { .. })));
        if had_cash {
            self.legs.push(Tender::Cash { tendered: out });
        }
        self.cash_rounding += other.cash_rounding;
        self.unallocated += other.unallocated;
    }
}

/// Plans a refund of `amount` (positive) over the original sale's legs.
pub fn plan_refund(amount: Money, legs: &[PaidLeg], currency: &Currency) -> RefundPlan {
    let mut left = amount.max(Money::ZERO);
    let mut plan = RefundPlan::default();
    for leg in legs {
        let (paid, reference) = match &leg.tender {
            Tender::ExternalCard { amount, reference }
            | Tender::OnAccount { amount, reference }
            | Tender::StoreCredit { amount, reference } => (*amount, reference.clone()),
            Tender::Cash { .. } => continue,
        };
        let take = (paid - leg.refunded).max(Money::ZERO).min(left);
        if take.is_zero() {
            continue;
        }
        left -= take;
        plan.legs.push(match &leg.tender {
            Tender::OnAccount { .. } => Tender::OnAccount { amount: -take, reference },
            Tender::StoreCredit { .. } => Tender::StoreCredit { amount: -take, reference },
            _ => Tender::ExternalCard { amount: -take, reference },
        });
    }
    let kept = cash_kept(legs);
    let handed = cash_of(legs, |l| l.refunded);
    let settled = cash_of(legs, |l| l.settled);
    // The exact cash part of a sale is what it kept less its rounding; what earlier refunds
    // settled comes off it, and no refund settles more in cash than is left of it.
    let exact_left = (cash_exact(legs, kept) - settled).max(Money::ZERO);
    let settles = left.min(exact_left);
    if settles.minor() > 0 {
        // Round the running total, so the cash handed out over every refund of the sale is
        // the cash the sale kept, to the coin.
        let total_out = currency.cash_round(settled + settles).min(kept);
        let out = (total_out - handed).max(Money::ZERO);
        plan.legs.push(Tender::Cash { tendered: -out });
        plan.cash_rounding = settles - out;
        left -= settles;
    }
    plan.unallocated = left;
    plan
}

/// The cash the sale kept: for cash legs, [`PaidLeg::tender`] holds the cash kept (tendered
/// less change), not the cash handed over.
fn cash_kept(legs: &[PaidLeg]) -> Money {
    legs.iter()
        .map(|l| match &l.tender {
            Tender::Cash { tendered } => *tendered,
            _ => Money::ZERO,
        })
        .sum()
}

fn cash_of(legs: &[PaidLeg], field: impl Fn(&PaidLeg) -> Money) -> Money {
    legs.iter().filter(|l| matches!(l.tender, Tender::Cash { .. })).map(field).sum()
}

/// The exact cash part of the sale: the cash kept less the sale's cash rounding.
fn cash_exact(legs: &[PaidLeg], kept: Money) -> Money {
    kept - cash_of(legs, |l| l.rounding)
}
