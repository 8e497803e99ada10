//! Shift arithmetic: the cash the drawer should hold, and the difference at cash-up.
//!
//! Expected cash = opening float + cash kept from sales (tendered minus change) + paid in
//! − paid out − cash refunds.

use crate::money::Money;

/// The cash movements of one shift.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShiftCash {
    pub float: Money,
    pub cash_sales: Money,
    pub paid_in: Money,
    pub paid_out: Money,
    pub cash_refunds: Money,
}

impl ShiftCash {
    pub fn expected(&self) -> Money {
        self.float + self.cash_sales + self.paid_in - self.paid_out - self.cash_refunds
    }

    /// Counted minus expected: negative when the drawer is short.
    pub fn difference(&self, counted: Money) -> Money {
        counted - self.expected()
    }
}
