//! Exact money: integer minor units of one currency, and the one rounding function.
//!
//! Every amount on the register is a whole number of minor units (cents, pence). Arithmetic that
//! produces fractions (a tax rate, a quantity of 0.350 kg) is done in [`Decimal`] and comes back
//! to minor units through [`round`], the only rounding function in Comptoir, shared with the
//! server. A negative amount rounds its magnitude the way the positive one would, so a refund
//! never differs from the sale it reverses.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// An amount in minor units of the store's currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_minor(minor: i64) -> Money {
        Money(minor)
    }

    pub const fn minor(self) -> i64 {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// The amount as a decimal number of major units (`1250` cents is `12.50`).
    pub fn to_decimal(self, currency: &Currency) -> Decimal {
        Decimal::new(self.0, currency.digits)
    }

    /// The amount as the wire and receipt show it: `"12.50"`, `"-0.05"`.
    pub fn format(self, currency: &Currency) -> String {
        self.to_decimal(currency).to_string()
    }

    /// Multiplies by a decimal factor (a quantity, a rate) and rounds back to minor units.
    pub fn mul_round(self, factor: Decimal, mode: RoundingMode) -> Money {
        let exact = Decimal::from(self.0) * factor;
        round_minor(exact, mode)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

/// A currency: its ISO code, its number of decimals, its smallest cash coin and how a cash
/// amount between two coins is settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Currency {
    pub code: String,
    /// Decimals of the minor unit (2 for CAD and GBP).
    pub digits: u32,
    /// The smallest amount cash can settle, in minor units (5 for CAD since 2013, 1 for GBP).
    pub cash_increment: i64,
    /// How [`Currency::cash_round`] settles an amount between two increments (half up, the
    /// rule of every country Comptoir has rules for, unless the store chooses another).
    pub cash_mode: RoundingMode,
}

impl Currency {
    /// A currency whose cash rounds half up.
    pub fn new(code: &str, digits: u32, cash_increment: i64) -> Currency {
        Currency {
            code: code.to_owned(),
            digits,
            cash_increment: cash_increment.max(1),
            cash_mode: RoundingMode::HalfUp,
        }
    }

    /// The same currency with cash rounded by `mode`.
    pub fn with_cash_mode(self, mode: RoundingMode) -> Currency {
        Currency { cash_mode: mode, ..self }
    }

    /// Parses an amount typed by a cashier or sent on the wire: `"12.5"`, `"12.50"`, `"-3"`.
    /// Only plain decimal notation is read (no exponent, no `+`, no thousands separator); more
    /// decimals than the currency has is an error, never a silent rounding; an amount above
    /// [`MAX_AMOUNT`] major units is refused, so no sum of a sale can overflow.
    pub fn parse(&self, text: &str) -> Result<Money, MoneyError> {
        let trimmed = text.trim();
        if !is_plain_decimal(trimmed) {
            return Err(MoneyError::NotANumber(text.to_owned()));
        }
        let value: Decimal = trimmed.parse().map_err(|_| MoneyError::TooLarge(text.to_owned()))?;
        if value.abs() > Decimal::from(MAX_AMOUNT) {
            return Err(MoneyError::TooLarge(text.to_owned()));
        }
        self.from_decimal(value)
            .ok_or_else(|| MoneyError::TooPrecise { text: text.to_owned(), digits: self.digits })
    }

    /// The exact minor-unit amount of a decimal, or `None` if it has more decimals than the
    /// currency or does not fit.
    pub fn from_decimal(&self, value: Decimal) -> Option<Money> {
        let scaled = value * Decimal::from(10_i64.pow(self.digits));
        if scaled.fract() != Decimal::ZERO {
            return None;
        }
        scaled.to_i64().map(Money)
    }

    /// Rounds a decimal amount of major units to this currency's minor units.
    pub fn round(&self, value: Decimal, mode: RoundingMode) -> Money {
        round_minor(value * Decimal::from(10_i64.pow(self.digits)), mode)
    }

    /// Rounds an amount to the smallest cash coin by the currency's mode (Canada: 0.05, half
    /// up on the cent values that exist: .01/.02 down, .03/.04 up), symmetrically around zero:
    /// a refund of -12.37 rounds like 12.37, negated.
    pub fn cash_round(&self, amount: Money) -> Money {
        round_to_increment(amount, self.cash_increment, self.cash_mode)
    }
}

/// The largest amount, in major units, that a price, a tender or a float may have.
pub const MAX_AMOUNT: i64 = 10_000_000;

/// `-12.50`, `3`, `0.5`: digits, at most one point, an optional leading minus.
pub fn is_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    !whole.is_empty()
        && all_digits(whole)
        && all_digits(fraction)
        && (!fraction.is_empty() || !digits.ends_with('.'))
}

/// Why an amount could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not an amount")]
    NotANumber(String),
    #[error("{text:?} has more than {digits} decimals")]
    TooPrecise { text: String, digits: u32 },
    #[error("{0:?} is more than the largest amount the register takes (10,000,000)")]
    TooLarge(String),
}

/// How a fraction of a minor unit is resolved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RoundingMode {
    /// 0.5 goes away from zero: the usual commercial rounding.
    #[default]
    HalfUp,
    /// 0.5 goes to the even neighbour (banker's rounding).
    HalfEven,
    /// 0.5 goes toward zero.
    HalfDown,
    /// Any fraction goes away from zero.
    Up,
    /// Any fraction is dropped.
    Down,
}

/// Rounds an exact number of minor units to a whole one. The sign is set aside and put back,
/// so `-x` always rounds to `-(round(x))`.
pub fn round_minor(exact: Decimal, mode: RoundingMode) -> Money {
    let magnitude = exact.abs();
    let whole = magnitude.trunc();
    let fraction = magnitude - whole;
    let half = Decimal::new(5, 1);
    let up = match mode {
        RoundingMode::HalfUp => fraction >= half,
        RoundingMode::HalfDown => fraction > half,
        RoundingMode::HalfEven => fraction > half || (fraction == half && !is_even(whole)),
        RoundingMode::Up => fraction > Decimal::ZERO,
        RoundingMode::Down => false,
    };
    let rounded = if up { whole + Decimal::ONE } else { whole };
    // A cart is bounded far below i64::MAX minor units; saturate rather than panic on absurd input.
    let minor = rounded.to_i64().unwrap_or(i64::MAX);
    Money(if exact.is_sign_negative() { -minor } else { minor })
}

fn is_even(whole: Decimal) -> bool {
    (whole % Decimal::TWO).is_zero()
}

/// Rounds an amount to a multiple of `increment` minor units, symmetrically around zero.
pub fn round_to_increment(amount: Money, increment: i64, mode: RoundingMode) -> Money {
    if increment <= 1 {
        return amount;
    }
    let units = Decimal::from(amount.0) / Decimal::from(increment);
    Money(round_minor(units, mode).0 * increment)
}

/// Splits an amount into parts proportional to `weights`, with the largest-remainder method,
/// so the parts always sum to the amount exactly: 100.00 in three is 33.34 + 33.33 + 33.33.
/// Ties in the remainder go to the earlier part, which keeps the result deterministic.
pub fn allocate(amount: Money, weights: &[i64]) -> Vec<Money> {
    let total_weight: i64 = weights.iter().map(|w| w.abs()).sum();
    if weights.is_empty() {
        return Vec::new();
    }
    if total_weight == 0 {
        let equal = vec![1; weights.len()];
        return allocate(amount, &equal);
    }
    let magnitude = i128::from(amount.0.abs());
    let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let share = magnitude * i128::from(weight.abs());
        parts.push(share / i128::from(total_weight));
        remainders.push((share % i128::from(total_weight), index));
    }
    let mut left = magnitude - parts.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders {
        if left == 0 {
            break;
        }
        parts[index] += 1;
        left -= 1;
    }
    let sign = if amount.0 < 0 { -1 } else { 1 };
    parts.into_iter().map(|p| Money(sign * p as i64)).collect()
}

impl fmt::Display for Money {
    /// Minor units with no currency; use [`Money::format`] for what people read.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn cad() -> Currency {
        Currency::new("CAD", 2, 5)
    }

    #[test]
    fn rounding_modes_on_a_half_and_its_negative() {
        let cases = [
            (RoundingMode::HalfUp, dec!(2.5), 3),
            (RoundingMode::HalfEven, dec!(2.5), 2),
            (RoundingMode::HalfEven, dec!(3.5), 4),
            (RoundingMode::HalfDown, dec!(2.5), 2),
            (RoundingMode::Up, dec!(2.01), 3),
            (RoundingMode::Down, dec!(2.99), 2),
        ];
        for (mode, value, expected) in cases {
            assert_eq!(round_minor(value, mode).minor(), expected, "{mode:?} {value}");
            assert_eq!(round_minor(-value, mode).minor(), -expected, "{mode:?} -{value}");
        }
    }

    #[test]
    fn canadian_cash_rounding_follows_the_penny_rule() {
        let cad = cad();
        // .01/.02 down to .00; .03/.04 up to .05; .06/.07 down to .05; .08/.09 up to .10
        let cases = [(1001, 1000), (1002, 1000), (1003, 1005), (1004, 1005), (1006, 1005)];
        for (amount, rounded) in cases {
            assert_eq!(cad.cash_round(Money(amount)).minor(), rounded);
            assert_eq!(cad.cash_round(Money(-amount)).minor(), -rounded);
        }
        assert_eq!(cad.cash_round(Money(1007)).minor(), 1005);
        assert_eq!(cad.cash_round(Money(1008)).minor(), 1010);
        assert_eq!(cad.cash_round(Money(1009)).minor(), 1010);
    }

    #[test]
    fn parse_refuses_extra_decimals_and_text() {
        let cad = cad();
        assert_eq!(cad.parse("12.5"), Ok(Money(1250)));
        assert_eq!(cad.parse(" -3 "), Ok(Money(-300)));
        assert!(matches!(cad.parse("1.005"), Err(MoneyError::TooPrecise { .. })));
        assert!(matches!(cad.parse("douze"), Err(MoneyError::NotANumber(_))));
        for odd in ["1e2", "+2", "1,50", "", ".5", "5.", "--1", "1 000"] {
            assert!(matches!(cad.parse(odd), Err(MoneyError::NotANumber(_))), "{odd:?}");
        }
        assert!(matches!(cad.parse("92233720368547758.07"), Err(MoneyError::TooLarge(_))));
        assert!(matches!(cad.parse("10000000.01"), Err(MoneyError::TooLarge(_))));
        assert_eq!(cad.parse("10000000"), Ok(Money(1_000_000_000)));
        assert_eq!(Money(-5).format(&cad), "-0.05");
    }

    #[test]
    fn allocate_uses_the_largest_remainder() {
        assert_eq!(allocate(Money(10000), &[1, 1, 1]), vec![Money(3334), Money(3333), Money(3333)]);
        assert_eq!(
            allocate(Money(-10000), &[1, 1, 1]),
            vec![Money(-3334), Money(-3333), Money(-3333)]
        );
        assert_eq!(allocate(Money(100), &[0, 0]), vec![Money(50), Money(50)]);
        assert_eq!(allocate(Money(7), &[2, 1]), vec![Money(5), Money(2)]);
    }
}
