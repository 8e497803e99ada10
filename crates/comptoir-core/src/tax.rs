//! Sales taxes: effective-dated rates per tax class, tax-exclusive or tax-inclusive prices, and
//! rounding per line or per rate over the whole sale.
//!
//! A line's tax class (`standard`, `zero_rated`, `exempt`, …) picks, for each tax of the store,
//! the rate in force on the sale's business day. A class with no rate for a tax is outside that
//! tax (exempt); a class with a 0 rate is zero-rated, which is taxable at 0% and prints as such.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::money::{Money, RoundingMode, allocate};

/// The tax class of an item, as the catalog names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaxClass(pub String);

impl TaxClass {
    pub fn new(name: &str) -> TaxClass {
        TaxClass(name.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One rate of one tax for one class, in force from `from` to `to` inclusive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxRate {
    pub class: TaxClass,
    /// A fraction: 0.05 for 5%.
    pub rate: Decimal,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// One tax of a store (GST, QST, VAT) with its dated rates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxDefinition {
    pub code: String,
    pub rates: Vec<TaxRate>,
}

/// When tax amounts are rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxRounding {
    /// Each line's tax is rounded and the rounded amounts are added.
    PerLine,
    /// The taxable base of each rate is added over the sale and its tax rounded once.
    PerRateOverSale,
}

/// A store's tax rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxRegime {
    pub prices_include_tax: bool,
    pub rounding: TaxRounding,
    pub taxes: Vec<TaxDefinition>,
}

/// The tax of one rate over a sale: what the receipt prints on a tax line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxLine {
    pub code: String,
    pub rate: Decimal,
    /// The amount the tax is computed on, before tax.
    pub base: Money,
    pub amount: Money,
    /// Whether the amount is included in the prices (VAT) rather than added to them.
    pub included: bool,
    /// The customer is exempt from this tax: an added tax is not charged, an included one is
    /// taken off what they pay.
    pub exempt: bool,
}

/// A customer's exemption from some or all of the store's taxes, on a recorded certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exemption {
    /// The certificate or registration number the customer gave (status card, resale
    /// certificate, diplomatic card).
    pub certificate: String,
    /// The taxes it covers, by code; empty means every tax.
    pub taxes: Vec<String>,
}

impl Exemption {
    pub fn covers(&self, code: &str) -> bool {
        self.taxes.is_empty() || self.taxes.iter().any(|t| t == code)
    }
}

/// The taxes of a sale: per rate, and each line's share, which a later return refunds.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct TaxBreakdown {
    pub lines: Vec<TaxLine>,
    /// For each input line, its tax per entry of `lines` (same order), summing to them exactly.
    pub per_line: Vec<Vec<Money>>,
}

impl TaxBreakdown {
    /// The tax added on top of the prices and charged (zero when prices include tax).
    pub fn added(&self) -> Money {
        self.lines.iter().filter(|l| !l.included && !l.exempt).map(|l| l.amount).sum()
    }

    /// The tax included in the prices and charged.
    pub fn included(&self) -> Money {
        self.lines.iter().filter(|l| l.included && !l.exempt).map(|l| l.amount).sum()
    }

    /// The tax included in the prices that an exempt customer does not pay.
    pub fn exempted_included(&self) -> Money {
        self.lines.iter().filter(|l| l.included && l.exempt).map(|l| l.amount).sum()
    }

    /// What a line's customer pays on top of its net amount: its added taxes, less the
    /// included taxes it is exempt from.
    pub fn line_adjustment(&self, index: usize) -> Money {
        self.lines
            .iter()
            .zip(&self.per_line[index])
            .map(|(tax, share)| match (tax.included, tax.exempt) {
                (false, false) => *share,
                (true, true) => -*share,
                _ => Money::ZERO,
            })
            .sum()
    }

    /// Marks the taxes an exemption covers.
    pub fn exempt(&mut self, exemption: &Exemption) {
        for line in &mut self.lines {
            line.exempt = exemption.covers(&line.code);
        }
    }
}

/// A line as the tax computation sees it: its amount after discounts, and its class.
#[derive(Clone, Copy, Debug)]
pub struct TaxableLine<'a> {
    pub amount: Money,
    pub class: &'a TaxClass,
}

impl TaxRegime {
    /// The rates that apply to a class on a day, one per tax that covers the class.
    pub fn rates_for(&self, class: &TaxClass, day: NaiveDate) -> Vec<(&str, Decimal)> {
        let mut rates = Vec::new();
        for tax in &self.taxes {
            let in_force = tax
                .rates
                .iter()
                .find(|r| &r.class == class && r.from <= day && r.to.is_none_or(|to| day <= to));
            if let Some(rate) = in_force {
                rates.push((tax.code.as_str(), rate.rate));
            }
        }
        rates
    }

    /// Computes the taxes of a sale's lines on its business day.
    pub fn compute(&self, lines: &[TaxableLine<'_>], day: NaiveDate) -> TaxBreakdown {
        let groups = self.group(lines, day);
        let mut breakdown = TaxBreakdown {
            lines: Vec::with_capacity(groups.len()),
            per_line: vec![Vec::with_capacity(groups.len()); lines.len()],
        };
        for group in &groups {
            let shares = self.group_shares(group);
            let amount: Money = shares.iter().map(|(_, tax)| *tax).sum();
            let gross: Money = group.members.iter().map(|(_, a)| *a).sum();
            let base = if self.prices_include_tax {
                gross - group_tax_total(group, &shares)
            } else {
                gross
            };
            breakdown.lines.push(TaxLine {
                code: group.code.to_owned(),
                rate: group.rate,
                base,
                amount,
                included: self.prices_include_tax,
                exempt: false,
            });
            for (index, per_line) in breakdown.per_line.iter_mut().enumerate() {
                let share = shares.iter().find(|(i, _)| *i == index).map_or(Money::ZERO, |s| s.1);
                per_line.push(share);
            }
        }
        breakdown
    }

    /// Groups lines by (tax, rate, combined rate of the line), in the store's tax order.
    fn group<'a>(&'a self, lines: &[TaxableLine<'_>], day: NaiveDate) -> Vec<RateGroup<'a>> {
        let mut groups: Vec<RateGroup<'a>> = Vec::new();
        for (index, line) in lines.iter().enumerate() {
            let rates = self.rates_for(line.class, day);
            let combined: Decimal = rates.iter().map(|(_, r)| *r).sum();
            for (code, rate) in rates {
                let position = groups
                    .iter()
                    .position(|g| g.code == code && g.rate == rate && g.combined == combined);
                let group = match position {
                    Some(p) => &mut groups[p],
                    None => {
                        groups.push(RateGroup { code, rate, combined, members: Vec::new() });
                        groups.last_mut().expect("just pushed")
                    }
                };
                group.members.push((index, line.amount));
            }
        }
        let order = |code: &str| self.taxes.iter().position(|t| t.code == code);
        groups.sort_by(|a, b| order(a.code).cmp(&order(b.code)).then(a.rate.cmp(&b.rate)));
        groups
    }

    /// Each member line's tax in a group, rounded per line or per group and allocated back.
    fn group_shares(&self, group: &RateGroup<'_>) -> Vec<(usize, Money)> {
        let factor = if self.prices_include_tax {
            group.rate / (Decimal::ONE + group.combined)
        } else {
            group.rate
        };
        match self.rounding {
            TaxRounding::PerLine => group
                .members
                .iter()
                .map(|(i, amount)| (*i, amount.mul_round(factor, RoundingMode::HalfUp)))
                .collect(),
            TaxRounding::PerRateOverSale => {
                let base: Money = group.members.iter().map(|(_, a)| *a).sum();
                let total = base.mul_round(factor, RoundingMode::HalfUp);
                let weights: Vec<i64> = group.members.iter().map(|(_, a)| a.minor()).collect();
                let parts = allocate(total, &weights);
                group.members.iter().map(|(i, _)| *i).zip(parts).collect()
            }
        }
    }
}

/// The tax of all rates on the group's lines, so an inclusive base nets out every tax a line
/// carries, not just this one.
fn group_tax_total(group: &RateGroup<'_>, shares: &[(usize, Money)]) -> Money {
    let own: Money = shares.iter().map(|(_, t)| *t).sum();
    if group.combined == group.rate || group.rate.is_zero() {
        return own;
    }
    // Several inclusive taxes on one line: the base is the gross over (1 + combined rate).
    let gross: Money = group.members.iter().map(|(_, a)| *a).sum();
    let net = gross.mul_round(Decimal::ONE / (Decimal::ONE + group.combined), RoundingMode::HalfUp);
    gross - net
}

struct RateGroup<'a> {
    code: &'a str,
    rate: Decimal,
    combined: Decimal,
    members: Vec<(usize, Money)>,
}
