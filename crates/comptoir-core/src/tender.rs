//! Tenders: how a sale is paid, cash rounding of the cash part, and change.
//!
//! Cash rounding applies to the cash part only, after tax: the part of the total that cards
//! do not cover is rounded to the smallest coin, and the difference is recorded as its own
//! amount. Card legs are never rounded. Change is the cash tendered minus the rounded cash due.

use crate::money::{Currency, Money};

/// One payment leg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tender {
    /// Cash handed over by the customer (before change).
    Cash { tendered: Money },
    /// A card paid on a standalone terminal; the register records the terminal's reference.
    ExternalCard { amount: Money, reference: String },
    /// Charged to a customer's account against an invoice (replayed invoices); settled exactly.
    OnAccount { amount: Money, reference: String },
    /// A credit note: spent by the customer (positive) or issued to them by a refund
    /// (negative); settled exactly.
    StoreCredit { amount: Money, reference: String },
}

impl Tender {
    /// The reference of a leg that is not cash (a card's authorisation, an account, a credit
    /// note's number).
    pub fn reference(&self) -> Option<&str> {
        match self {
            Tender::Cash { .. } => None,
            Tender::ExternalCard { reference, .. }
            | Tender::OnAccount { reference, .. }
            | Tender::StoreCredit { reference, .. } => Some(reference),
        }
    }

    /// What a non-cash leg pays (zero for cash).
    pub fn non_cash(&self) -> Money {
        match self {
            Tender::ExternalCard { amount, .. }
            | Tender::OnAccount { amount, .. }
            | Tender::StoreCredit { amount, .. } => *amount,
            Tender::Cash { .. } => Money::ZERO,
        }
    }
}

/// Why a tender was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenderError {
    #[error("a tender is more than zero")]
    NotPositive,
    #[error("a card pays at most what is left: {remaining} minor units")]
    ExceedsDue { remaining: Money },
    #[error("the terminal's reference is required for a card payment")]
    ReferenceRequired,
}

/// Where the payment of a sale stands. `card` is every leg that is not cash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settlement {
    pub total: Money,
    pub card: Money,
    pub cash_tendered: Money,
    /// The cash part before rounding: total minus cards.
    pub cash_due: Money,
    /// The cash part rounded to the smallest coin.
    pub cash_due_rounded: Money,
    /// `cash_due_rounded - cash_due`, recorded on the sale and the receipt.
    pub cash_rounding: Money,
    /// Cash to give back, once paid.
    pub change: Money,
    /// What is still owed: in cash, rounded (`cash_remaining`), or exactly (`remaining`).
    pub remaining: Money,
    pub cash_remaining: Money,
    pub paid: bool,
}

impl Settlement {
    /// Settles `tenders` against `total`. Pure: it refuses nothing, see [`check_new_tender`].
    pub fn of(total: Money, tenders: &[Tender], currency: &Currency) -> Settlement {
        let card: Money = tenders.iter().map(Tender::non_cash).sum();
        let cash_tendered: Money = tenders
            .iter()
            .map(|t| match t {
                Tender::Cash { tendered } => *tendered,
                Tender::ExternalCard { .. }
                | Tender::OnAccount { .. }
                | Tender::StoreCredit { .. } => Money::ZERO,
            })
            .sum();
        let has_cash = tenders.iter().any(|t| matches!(t, Tender::Cash { .. }));
        let cash_due = total - card;
        let cash_due_rounded = currency.cash_round(cash_due);
        let paid = if has_cash { cash_tendered >= cash_due_rounded } else { cash_due.is_zero() };
        let rounding_applies = has_cash && paid;
        let cash_rounding =
            if rounding_applies { cash_due_rounded - cash_due } else { Money::ZERO };
        let change = if paid && has_cash { cash_tendered - cash_due_rounded } else { Money::ZERO };
        let remaining = if paid { Money::ZERO } else { cash_due - cash_tendered };
        let cash_remaining = if paid { Money::ZERO } else { cash_due_rounded - cash_tendered };
        Settlement {
            total,
            card,
            cash_tendered,
            cash_due,
            cash_due_rounded: if has_cash { cash_due_rounded } else { cash_due },
            cash_rounding,
            change,
            remaining,
            cash_remaining: cash_remaining.max(Money::ZERO),
            paid,
        }
    }

    /// A refund of `total` (negative) settled in full by its planned legs: nothing is
    /// tendered and no change is given; `cash_rounding` is the plan's.
    pub fn refund(total: Money, cash_rounding: Money) -> Settlement {
        Settlement {
            total,
            card: Money::ZERO,
            cash_tendered: Money::ZERO,
            cash_due: total,
            cash_due_rounded: total,
            cash_rounding,
            change: Money::ZERO,
            remaining: Money::ZERO,
            cash_remaining: Money::ZERO,
            paid: true,
        }
    }

    /// The cash that stays in the drawer: tendered minus change.
    pub fn cash_kept(&self) -> Money {
        self.cash_tendered - self.change
    }
}

/// Checks a new leg against what is already tendered.
pub fn check_new_tender(
    total: Money,
    tenders: &[Tender],
    new: &Tender,
    currency: &Currency,
) -> Result<(), TenderError> {
    let before = Settlement::of(total, tenders, currency);
    match new {
        Tender::Cash { tendered } if tendered.is_negative() => Err(TenderError::NotPositive),
        Tender::Cash { tendered } if tendered.is_zero() && !before.cash_remaining.is_zero() => {
            Err(TenderError::NotPositive)
        }
        Tender::Cash { .. } => Ok(()),
        Tender::ExternalCard { reference, .. }
        | Tender::OnAccount { reference, .. }
        | Tender::StoreCredit { reference, .. }
            if reference.trim().is_empty() =>
        {
            Err(TenderError::ReferenceRequired)
        }
        leg if leg.non_cash().minor() <= 0 => Err(TenderError::NotPositive),
        leg if leg.non_cash() > before.remaining => {
            Err(TenderError::ExceedsDue { remaining: before.remaining })
        }
        _ => Ok(()),
    }
}
