//! The server's checks of an entry's content, once its place in the chain is known to be right.
//!
//! An entry that fails is quarantined with the fault's code and reason, never dropped: the
//! register recorded it, so it happened, and an administrator decides what it means.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::LedgerEntry;
use crate::payload::{self, kind};

/// Why an entry's content is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContentFault {
    pub code: &'static str,
    pub reason: String,
}

impl ContentFault {
    fn new(code: &'static str, reason: impl Into<String>) -> ContentFault {
        ContentFault { code, reason: reason.into() }
    }
}

/// What the server knows of the store the entry's register belongs to.
#[derive(Clone, Copy, Debug)]
pub struct StoreFacts<'a> {
    pub currency: &'a str,
}

/// Checks an entry's content: a known kind and version, dates in shape, and for a sale, sums
/// that add up (lines to the subtotal, taxes per rate to the lines' shares, the total, the
/// tenders less the change to the total and its cash rounding).
pub fn check_entry(entry: &LedgerEntry, store: StoreFacts<'_>) -> Result<(), ContentFault> {
    check_content(entry, store).map(|_| ())
}

/// What a checked entry's payload says that the server goes on to use, parsed once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    Sale(Box<payload::Sale>),
    StockAdjustment(payload::StockAdjustment),
    /// Any other kind: nothing beyond the check.
    Other,
}

/// [`check_entry`], keeping the payload it parsed when the server uses it further (a sale's
/// or a stock adjustment's lines move stock), so it is not parsed again.
pub fn check_content(entry: &LedgerEntry, store: StoreFacts<'_>) -> Result<Content, ContentFault> {
    if !is_date(&entry.business_day) {
        return Err(ContentFault::new(
            "bad_business_day",
            format!("business day {:?} is not a date (YYYY-MM-DD)", entry.business_day),
        ));
    }
    if !is_timestamp(&entry.recorded_at) {
        return Err(ContentFault::new(
            "bad_timestamp",
            format!("recorded_at {:?} is not an RFC 3339 time with an offset", entry.recorded_at),
        ));
    }
    // The kind's own type is parsed once; its `v` is checked with it.
    let version = |v: u32| {
        if v == 0 || v > payload::VERSION {
            return Err(ContentFault::new(
                "unsupported_version",
                format!("payload version {v}; this server reads up to {}", payload::VERSION),
            ));
        }
        Ok(())
    };
    match entry.kind.as_str() {
        kind::SALE | kind::RETURN | kind::EXCHANGE => {
            let sale: payload::Sale = parse(entry)?;
            version(sale.v)?;
            check_sale(entry, &sale, store)?;
            Ok(Content::Sale(Box::new(sale)))
        }
        kind::SHIFT_OPENED => {
            let opened: payload::ShiftOpened = parse(entry)?;
            version(opened.v)?;
            amounts(&[&opened.float])?;
            Ok(Content::Other)
        }
        kind::SHIFT_CLOSED => {
            let closed: payload::ShiftClosed = parse(entry)?;
            version(closed.v)?;
            let [expected, counted, difference] =
                amounts3(&closed.expected, &closed.counted, &closed.difference)?;
            if counted - expected != difference {
                return Err(ContentFault::new(
                    "sums_mismatch",
                    format!(
                        "shift close: counted {counted} - expected {expected} is not the \
                         difference {difference}"
                    ),
                ));
            }
            Ok(Content::Other)
        }
        kind::PAID_IN | kind::PAID_OUT | kind::NO_SALE => {
            let movement: payload::DrawerMovement = parse(entry)?;
            version(movement.v)?;
            amounts(&[&movement.amount])?;
            Ok(Content::Other)
        }
        kind::CART_VOIDED => {
            let voided: payload::CartVoided = parse(entry)?;
            version(voided.v)?;
            amounts(&[&voided.total])?;
            Ok(Content::Other)
        }
        kind::STOCK_ADJUSTMENT => {
            let adjustment: payload::StockAdjustment = parse(entry)?;
            version(adjustment.v)?;
            let deltas: Vec<&str> = adjustment.lines.iter().map(|l| l.delta.as_str()).collect();
            amounts(&deltas)?;
            Ok(Content::StockAdjustment(adjustment))
        }
        kind::PRICE_OVERRIDDEN => {
            let overridden: payload::PriceOverridden = parse(entry)?;
            version(overridden.v)?;
            amounts(&[&overridden.price])?;
            Ok(Content::Other)
        }
        kind::RECEIPT_REPRINTED => {
            version(parse::<payload::ReceiptReprinted>(entry)?.v)?;
            Ok(Content::Other)
        }
        other => Err(ContentFault::new("unknown_kind", format!("unknown entry kind {other:?}"))),
    }
}

fn parse<T: serde::de::DeserializeOwned>(entry: &LedgerEntry) -> Result<T, ContentFault> {
    serde_json::from_str(&entry.payload).map_err(|e| {
        ContentFault::new("bad_payload", format!("{} payload does not parse: {e}", entry.kind))
    })
}

fn amount(text: &str) -> Result<Decimal, ContentFault> {
    // Plain decimals only, as the register writes them: no exponent, no spaces, no `+`.
    let plain = !text.is_empty()
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'));
    match Decimal::from_str(text) {
        Ok(value) if plain => Ok(value),
        _ => Err(ContentFault::new("bad_amount", format!("{text:?} is not a decimal amount"))),
    }
}

/// A tax rate as written (`0.05`, `0.09975`), compared by value (`0.050` is `0.05`).
fn rate(text: &str) -> Result<Decimal, ContentFault> {
    rate_of(text).ok_or_else(|| ContentFault::new("bad_amount", format!("{text:?} is not a rate")))
}

fn rate_of(text: &str) -> Option<Decimal> {
    amount(text).ok().map(|d| d.normalize())
}

fn amounts(texts: &[&str]) -> Result<(), ContentFault> {
    texts.iter().try_for_each(|t| amount(t).map(|_| ()))
}

fn amounts3(a: &str, b: &str, c: &str) -> Result<[Decimal; 3], ContentFault> {
    Ok([amount(a)?, amount(b)?, amount(c)?])
}

fn check_sale(
    entry: &LedgerEntry,
    sale: &payload::Sale,
    store: StoreFacts<'_>,
) -> Result<(), ContentFault> {
    if entry.receipt_no.as_deref() != Some(sale.receipt_no.as_str()) {
        return Err(ContentFault::new(
            "receipt_mismatch",
            format!(
                "the entry's receipt number {:?} is not the sale's {:?}",
                entry.receipt_no, sale.receipt_no
            ),
        ));
    }
    if sale.currency != store.currency {
        return Err(ContentFault::new(
            "wrong_currency",
            format!("sale in {}, the store sells in {}", sale.currency, store.currency),
        ));
    }
    let mismatch = |what: String| Err(ContentFault::new("sums_mismatch", what));
    check_shape(&entry.kind, sale)?;
    let (subtotal, shares) = check_lines(sale)?;
    let (added_tax, exempted_included) = check_taxes(sale, &shares)?;
    let refund = check_returns(sale)?;
    let total = amount(&sale.total)?;
    if subtotal + added_tax - exempted_included - refund != total {
        return mismatch(format!(
            "subtotal {subtotal} + added tax {added_tax} - exempted tax {exempted_included} - \
             refund {refund} is not the total {total}"
        ));
    }
    let rounding = amount(&sale.cash_rounding)?;
    let change = amount(&sale.change)?;
    if change.is_sign_negative() && !change.is_zero() {
        return mismatch(format!("negative change {change}"));
    }
    let mut tendered = Decimal::ZERO;
    for tender in &sale.tenders {
        if let payload::SaleTender::ExternalCard { terminal: Some(slip), .. } = tender {
            crate::card::check_slip(slip).map_err(|why| ContentFault::new("card_number", why))?;
        }
        tendered += match tender {
            payload::SaleTender::Cash { tendered } => amount(tendered)?,
            payload::SaleTender::ExternalCard { amount: a, .. }
            | payload::SaleTender::OnAccount { amount: a, .. }
            | payload::SaleTender::StoreCredit { amount: a, .. } => amount(a)?,
        };
    }
    if tendered - change != total + rounding {
        return mismatch(format!(
            "tenders {tendered} less change {change} is not the total {total} with cash \
             rounding {rounding}"
        ));
    }
    Ok(())
}

/// A sale has lines, a return has returned lines, an exchange both.
fn check_shape(kind: &str, sale: &payload::Sale) -> Result<(), ContentFault> {
    let shape = match (sale.lines.is_empty(), sale.returns.is_empty()) {
        (false, true) => kind::SALE,
        (true, false) => kind::RETURN,
        (false, false) => kind::EXCHANGE,
        (true, true) => return Err(ContentFault::new("empty_sale", "a sale without lines")),
    };
    if shape != kind {
        return Err(ContentFault::new(
            "wrong_kind",
            format!(
                "a {kind} entry with {} lines and {} returned lines is a {shape}",
                sale.lines.len(),
                sale.returns.len()
            ),
        ));
    }
    Ok(())
}

type Shares = Vec<((String, Decimal), Decimal)>;

/// Each line's amount, discounts and net; returns the subtotal and the lines' tax shares.
fn check_lines(sale: &payload::Sale) -> Result<(Decimal, Shares), ContentFault> {
    let mismatch = |what: String| Err(ContentFault::new("sums_mismatch", what));
    let mut line_sum = Decimal::ZERO;
    // A tax's rows are per (code, rate): a basket with zero-rated and taxable items has a GST
    // row at 0 % and another at 5 %.
    let mut shares: Shares = Vec::new();
    for line in &sale.lines {
        let qty = amount(&line.qty)?;
        let unit = amount(&line.unit_price)?;
        let value = amount(&line.amount)?;
        if qty * unit != value {
            return mismatch(format!(
                "line {}: {qty} x {unit} is not the amount {value}",
                line.line
            ));
        }
        let net = amount(line.net())?;
        let mut discounted = Decimal::ZERO;
        for discount in &line.discounts {
            let off = amount(&discount.amount)?;
            if off <= Decimal::ZERO {
                return mismatch(format!("line {}: a discount of {off}", line.line));
            }
            discounted += off;
        }
        if value - discounted != net || (net.is_sign_negative() && !net.is_zero()) {
            return mismatch(format!(
                "line {}: amount {value} less discounts {discounted} is not the net {net}",
                line.line
            ));
        }
        if let Some(over) = &line.price_override {
            over.shelf_price.as_deref().map(amount).transpose()?;
        }
        line_sum += net;
        for tax in &line.taxes {
            let share = amount(&tax.amount)?;
            let key = (tax.code.clone(), rate(&tax.rate)?);
            match shares.iter_mut().find(|(k, _)| *k == key) {
                Some((_, sum)) => *sum += share,
                None => shares.push((key, share)),
            }
        }
    }
    let subtotal = amount(&sale.subtotal)?;
    if line_sum != subtotal {
        return mismatch(format!("the lines add up to {line_sum}, the subtotal says {subtotal}"));
    }
    Ok((subtotal, shares))
}

/// The tax rows against the lines' shares; returns the added tax charged and the included
/// tax an exempt customer did not pay.
fn check_taxes(sale: &payload::Sale, shares: &Shares) -> Result<(Decimal, Decimal), ContentFault> {
    let mismatch = |what: String| Err(ContentFault::new("sums_mismatch", what));
    let (mut added_tax, mut exempted_included) = (Decimal::ZERO, Decimal::ZERO);
    for tax in &sale.taxes {
        let total = amount(&tax.amount)?;
        amount(&tax.base)?;
        let key = (tax.code.clone(), rate(&tax.rate)?);
        let share = shares.iter().find(|(k, _)| *k == key).map_or(Decimal::ZERO, |s| s.1);
        if share != total {
            return mismatch(format!(
                "tax {} at {}: the lines' shares add up to {share}, the sale says {total}",
                tax.code, tax.rate
            ));
        }
        if tax.included != sale.prices_include_tax {
            return mismatch(format!(
                "tax {} is {} a store whose prices {} tax",
                tax.code,
                if tax.included { "included in" } else { "added to" },
                if sale.prices_include_tax { "include" } else { "exclude" }
            ));
        }
        if tax.exempt && sale.exemption.is_none() {
            return mismatch(format!("tax {} is exempt on a sale with no exemption", tax.code));
        }
        match (tax.included, tax.exempt) {
            (false, false) => added_tax += total,
            (true, true) => exempted_included += total,
            _ => {}
        }
    }
    let listed = |(code, r): &(String, Decimal)| {
        sale.taxes.iter().any(|t| &t.code == code && rate_of(&t.rate) == Some(*r))
    };
    if let Some(((code, r), _)) = shares.iter().find(|(key, sum)| !sum.is_zero() && !listed(key)) {
        return mismatch(format!("lines carry tax {code} at {r}, which the sale does not list"));
    }
    Ok((added_tax, exempted_included))
}

/// Each returned line's refund against its net and taxes; returns what they give back.
fn check_returns(sale: &payload::Sale) -> Result<Decimal, ContentFault> {
    let mismatch = |what: String| Err(ContentFault::new("sums_mismatch", what));
    let mut sum = Decimal::ZERO;
    for line in &sale.returns {
        let qty = amount(&line.qty)?;
        let net = amount(&line.net)?;
        amount(&line.unit_price)?;
        if qty <= Decimal::ZERO || net.is_sign_negative() && !net.is_zero() {
            return mismatch(format!("returned line {}: quantity {qty}, net {net}", line.line));
        }
        let mut paid = net;
        for tax in &line.taxes {
            let share = amount(&tax.amount)?;
            rate(&tax.rate)?;
            match (sale.prices_include_tax, tax.exempt) {
                (false, false) => paid += share,
                (true, true) => paid -= share,
                _ => {}
            }
        }
        let refund = amount(&line.refund)?;
        if refund != paid {
            return mismatch(format!(
                "returned line {}: net {net} with its taxes is {paid}, the refund says {refund}",
                line.line
            ));
        }
        if !matches!(line.disposition.as_str(), "restock" | "write_off") {
            return Err(ContentFault::new(
                "bad_disposition",
                format!("returned line {}: disposition {:?}", line.line, line.disposition),
            ));
        }
        sum += refund;
    }
    let stated = sale.refund.as_deref().map(amount).transpose()?.unwrap_or(Decimal::ZERO);
    if stated != sum {
        return mismatch(format!("the returned lines give back {sum}, the sale says {stated}"));
    }
    Ok(sum)
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// `2026-12-03T09:15:02-05:00` or `…Z`, with optional fractional seconds.
fn is_timestamp(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_dates() {
        assert!(is_timestamp("2026-12-03T09:15:02-05:00"));
        assert!(is_timestamp("2010-12-01T08:26:00+00:00"));
        assert!(is_timestamp("2026-12-03T09:15:02.123Z"));
        assert!(!is_timestamp("2026-12-03 09:15:02"));
        assert!(!is_timestamp("2026-12-03T09:15:02"));
        assert!(is_date("2026-02-28"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("26-1-1"));
        assert!(!is_date("2026-02-30"), "a day the calendar does not have");
    }

    #[test]
    fn amounts_are_plain_decimals() {
        assert!(amount("3.89").is_ok());
        assert!(amount("-0.02").is_ok());
        assert!(amount("1e3").is_err());
        assert!(amount(" 1").is_err());
        assert!(amount("").is_err());
    }
}
