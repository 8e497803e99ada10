//! Returns and exchanges at the till: find the sale, bring lines back, give the money back.
//!
//! A returned line refunds what was paid for it, from the original sale's stored amounts
//! (`comptoir_core::refund`), never today's prices or rates. Returned lines sit in the cart
//! in progress beside any new lines: with new lines it is an exchange, and the customer pays
//! the difference or is given it back; with none it is a return. One entry records it all, in
//! one transaction (kinds `return` and `exchange`, the `Sale` payload with `returns`).
//!
//! A sale is looked up in this register's ledger, then, for a receipt of another register or
//! store, on the server (`GET /v1/sales/{receipt_no}`), which also gives the returns of it
//! other registers recorded: an enrolled register adds those to its own for a sale of its own
//! too, when the server answers ([`Original`]). Offline, a sale of this register is returned
//! from what it holds (a line returned meanwhile at another register is not seen); a sale of
//! another is refused with `sale_not_here_offline`. FIXME(returns-lookup): the lookup by card
//! reference or customer scans this register's ledger only (no index, no server lookup).

use chrono::Duration;
use comptoir_core::Money;
use comptoir_core::PricedCart;
use comptoir_core::refund::{self, PaidLeg, Refunded, SoldLine, SoldTax};
use comptoir_core::tax::TaxableLine;
use comptoir_core::tender::{Settlement, Tender};
use comptoir_store::Entry;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::entry::{self, kind};
use crate::error::{AppError, AppResult};
use crate::pin::Pin;
use crate::register::{Committed, Register, parse_payload, parse_quantity, required_reason};

/// What happens to a returned item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Back on the shelf: it comes back into stock.
    Restock,
    /// Damaged: it does not.
    WriteOff,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Restock => "restock",
            Disposition::WriteOff => "write_off",
        }
    }
}

/// A store's rule for a return without a receipt (`returns_without_receipt` in store.json).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NoReceiptPolicy {
    /// `store_credit` (the money goes on a credit note) or `any` (cash or credit).
    #[serde(default = "store_credit")]
    pub refund_to: String,
    /// `lowest_recent` (the lowest price of the item over `days`) or `current`.
    #[serde(default = "lowest_recent")]
    pub price: String,
    #[serde(default = "ninety")]
    pub days: i64,
    /// Whether a manager's PIN approves each one.
    #[serde(default = "yes")]
    pub manager_approval: bool,
}

fn store_credit() -> String {
    "store_credit".to_owned()
}
fn lowest_recent() -> String {
    "lowest_recent".to_owned()
}
fn ninety() -> i64 {
    90
}
fn yes() -> bool {
    true
}

impl Default for NoReceiptPolicy {
    fn default() -> NoReceiptPolicy {
        NoReceiptPolicy {
            refund_to: store_credit(),
            price: lowest_recent(),
            days: ninety(),
            manager_approval: true,
        }
    }
}

/// A sale found for a return, with what is left to return of each line.
#[derive(Clone, Debug, Serialize)]
pub struct SaleForReturn {
    pub receipt_no: String,
    pub recorded_at: String,
    pub total: String,
    pub lines: Vec<ReturnableLine>,
    pub tenders: Vec<entry::SaleTender>,
    /// The store it was sold in, when it was found on the server (another register's sale).
    pub sold_in: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReturnableLine {
    pub line: u32,
    pub sku: String,
    pub name: String,
    pub qty: String,
    /// What is left to return: the quantity less earlier returns (and those in the cart).
    pub returnable: String,
    /// What the customer paid for the whole line.
    pub paid: String,
}

/// A sale found for a return, with the returns and exchanges recorded with a line of it.
struct Original {
    entry: Entry,
    sale: entry::Sale,
    /// The store it was sold in, when it is another register's sale found on the server.
    sold_in: Option<String>,
    /// By entry id: this register's, and those of other registers the server holds.
    earlier: Vec<(String, entry::Sale)>,
}

/// Where a refund goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundTo {
    /// Back over the original sale's tenders, leg by leg (cards first, then cash).
    Original,
    /// All in cash, rounded like a sale.
    Cash,
    /// On a credit note.
    StoreCredit,
}

/// What a refund comes to, checked and not recorded yet.
pub(crate) enum PreparedRefund {
    /// An even exchange: nothing moves either way.
    Even,
    Legs(Refund),
}

/// A refund's legs (negative tenders over the original sales' tenders, or cash), with what
/// goes on a credit note and what an integrated terminal must refund first.
#[derive(Clone, Debug)]
pub(crate) struct Refund {
    pub legs: Vec<Tender>,
    pub settlement: Settlement,
    /// What no leg takes back: it goes on a new credit note.
    pub unallocated: Money,
    pub approved_by: Option<String>,
    /// The part of the legs that goes back to cards an integrated terminal took.
    pub on_terminal: Money,
    /// The references of those cards' tenders.
    pub terminal_paid: std::collections::BTreeSet<String>,
}

/// Puts the cart's returned lines into its entry; the entry's kind follows what it holds.
pub(crate) fn with_returns(
    store: &crate::config::Store,
    sale: &mut entry::Sale,
    priced: &PricedCart,
    returns: &[entry::ReturnLine],
    refund: Money,
) -> &'static str {
    if returns.is_empty() {
        return kind::SALE;
    }
    sale.returns = returns.to_vec();
    sale.refund = Some(store.money(refund));
    sale.total = store.money(priced.total - refund);
    if sale.lines.is_empty() { kind::RETURN } else { kind::EXCHANGE }
}

/// Whether a scanned code has a receipt number's shape (`MTL01-000042`, `MTL01-2-000042`):
/// letters and digits, then one or two dash-separated numbers.
pub fn looks_like_receipt(code: &str) -> bool {
    let mut parts = code.split('-');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    head.len() >= 3
        && head.chars().any(|c| c.is_ascii_alphabetic())
        && head.chars().all(|c| c.is_ascii_alphanumeric())
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

impl Register {
    /// What the returned lines in the cart give back.
    pub(crate) fn refund_total(&self) -> Money {
        self.returns.iter().filter_map(|l| self.store.currency.parse(&l.refund).ok()).sum()
    }

    /// Finds a sale by its receipt number (as scanned from the receipt's barcode or typed).
    pub fn find_sale(&mut self, receipt_no: &str) -> AppResult<SaleForReturn> {
        self.cashier()?;
        // Receipt numbers are upper case; a typed one may not be.
        let original = self.original(&receipt_no.trim().to_ascii_uppercase())?;
        let (entry, sale) = (&original.entry, &original.sale);
        let refunded = self.refunded_lines(&original)?;
        let lines = sale
            .lines
            .iter()
            .map(|l| {
                let sold = self.sold_line(sale, l)?;
                let done = refunded.get(&l.line).map_or(Decimal::ZERO, |r| r.quantity);
                Ok(ReturnableLine {
                    line: l.line,
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    qty: l.qty.clone(),
                    returnable: (sold.quantity - done).max(Decimal::ZERO).normalize().to_string(),
                    paid: self.store.money(sold.paid()),
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(SaleForReturn {
            receipt_no: sale.receipt_no.clone(),
            recorded_at: entry.recorded_at.clone(),
            total: sale.total.clone(),
            lines,
            tenders: sale.tenders.clone(),
            sold_in: original.sold_in.clone(),
        })
    }

    /// Finds sales whose card reference or customer is `query` (newest first, at most 20).
    pub fn find_sales_by(&mut self, query: &str) -> AppResult<Vec<String>> {
        self.cashier()?;
        let query = query.trim();
        if query.is_empty() {
            return Err(AppError::new("invalid_query", "type a card reference or a customer"));
        }
        let entries = self.db.entries_of_kinds(&[kind::SALE, kind::EXCHANGE], (0, 0))?;
        let mut found = Vec::new();
        for entry in entries.iter().rev() {
            let sale: entry::Sale = parse_payload(&entry.payload)?;
            let by_card = sale.tenders.iter().any(|t| match t {
                entry::SaleTender::ExternalCard { reference, .. } => reference == query,
                _ => false,
            });
            if by_card || sale.customer.as_deref() == Some(query) {
                found.push(sale.receipt_no);
            }
            if found.len() == 20 {
                break;
            }
        }
        Ok(found)
    }

    /// Brings `qty` of a sold line back into the cart in progress, refunding what was paid
    /// for it.
    pub fn return_line(
        &mut self,
        receipt_no: &str,
        line: u32,
        qty: &str,
        disposition: Disposition,
        reason: &str,
    ) -> AppResult<()> {
        self.require_shift()?;
        self.check_no_tenders()?;
        // A weighed line comes back by weight; any other by the unit (checked below).
        let quantity = crate::register::stored_quantity(qty)?;
        let reason = required_reason(reason)?;
        let original = self.original(receipt_no.trim())?;
        let (entry, sale) = (&original.entry, &original.sale);
        if sale.currency != self.store.currency.code {
            return Err(AppError::new(
                "wrong_currency",
                format!("sale {} was in {}", sale.receipt_no, sale.currency),
            ));
        }
        let sold_line = sale.lines.iter().find(|l| l.line == line).ok_or_else(|| {
            AppError::new("no_such_line", format!("sale {} has no line {line}", sale.receipt_no))
        })?;
        if sold_line.kind != "weighed" {
            parse_quantity(qty)?;
        }
        let sold = self.sold_line(sale, sold_line)?;
        let already = self.refunded_lines(&original)?.remove(&line).unwrap_or_default();
        let refund = refund::refund_line(&sold, &already, quantity).map_err(|e| match e {
            refund::RefundError::MoreThanSold { left, .. } => AppError::new(
                "nothing_left_to_return",
                format!(
                    "line {line} of {}: {} left to return ({} sold)",
                    sale.receipt_no,
                    left.normalize(),
                    sold.quantity.normalize()
                ),
            ),
            refund::RefundError::NotPositive => {
                AppError::new("invalid_quantity", "return more than zero")
            }
        })?;
        let money = |m: Money| self.store.money(m);
        let taxes = sold_line
            .taxes
            .iter()
            .zip(&refund.taxes)
            .map(|(t, amount)| entry::LineTax {
                code: t.code.clone(),
                rate: t.rate.clone(),
                amount: money(*amount),
                exempt: t.exempt,
            })
            .collect();
        let returned = entry::ReturnLine {
            line: self.next_return_line(),
            original: Some(entry::OriginalLine {
                receipt_no: sale.receipt_no.clone(),
                line,
                entry: Some(entry.entry_id.clone()),
            }),
            sku: sold_line.sku.clone(),
            name: sold_line.name.clone(),
            qty: quantity.normalize().to_string(),
            unit_price: sold_line.unit_price.clone(),
            net: money(refund.net),
            taxes,
            refund: money(refund.paid),
            tax_class: sold_line.tax_class.clone(),
            kind: sold_line.kind.clone(),
            disposition: disposition.as_str().to_owned(),
            reason,
            price_policy: None,
            approved_by: None,
        };
        self.returns.push(returned);
        self.after_return_change()
    }

    /// Brings an item back without a receipt, by the store's policy: its price (the lowest
    /// over the policy's days, or today's), its tax at today's rates, a manager's approval if
    /// the policy asks for one.
    pub fn return_without_receipt(
        &mut self,
        code: &str,
        qty: &str,
        disposition: Disposition,
        reason: &str,
        approval: Option<&Pin>,
    ) -> AppResult<()> {
        self.require_shift()?;
        self.check_no_tenders()?;
        let quantity = parse_quantity(qty)?;
        let reason = required_reason(reason)?;
        let policy = self.store.config.returns_without_receipt.clone();
        let approved_by = match policy.manager_approval {
            false => None,
            true => Some(self.manager_or_pin(
                approval,
                "return_without_receipt",
                "a return without a receipt needs a manager's PIN",
            )?),
        };
        self.refresh_catalog()?;
        let item = self
            .catalog
            .lookup(code)
            .cloned()
            .ok_or_else(|| AppError::new("unknown_item", code.trim().to_owned()))?;
        let unit_price = self.no_receipt_price(&item, &policy).ok_or_else(|| {
            AppError::new("needs_price", format!("{} has no price to refund", item.name))
        })?;
        let net = unit_price.mul_round(quantity, comptoir_core::RoundingMode::HalfUp);
        let regime = &self.store.regime;
        let breakdown = regime
            .compute(&[TaxableLine { amount: net, class: &item.tax_class }], self.business_day());
        let money = |m: Money| self.store.money(m);
        let taxes = crate::receipt::line_taxes(&self.store, &breakdown, 0);
        let paid = net + breakdown.added();
        let returned = entry::ReturnLine {
            line: self.next_return_line(),
            original: None,
            sku: item.sku.0.clone(),
            name: item.name_in(&self.lang).to_owned(),
            qty: quantity.normalize().to_string(),
            unit_price: money(unit_price),
            net: money(net),
            taxes,
            refund: money(paid),
            tax_class: item.tax_class.0.clone(),
            kind: crate::register::kind_name(item.kind).to_owned(),
            disposition: disposition.as_str().to_owned(),
            reason,
            price_policy: Some(policy.price.clone()),
            approved_by,
        };
        self.returns.push(returned);
        self.after_return_change()
    }

    /// Takes a returned line back out of the cart.
    pub fn remove_return(&mut self, line: u32) -> AppResult<()> {
        self.cashier()?;
        self.check_no_tenders()?;
        let before = self.returns.len();
        self.returns.retain(|l| l.line != line);
        if self.returns.len() == before {
            return Err(AppError::new("no_such_line", format!("no returned line {line}")));
        }
        self.after_return_change()
    }

    /// Gives the money back when the returned lines are worth more than the new ones, and
    /// records the return or exchange.
    pub fn refund(&mut self, to: RefundTo) -> AppResult<Committed> {
        self.refund_with(to, None)
    }

    /// [`Register::refund`], with a manager's PIN for what needs one: a refund in cash of
    /// what a card paid (a manager signed in needs none). Card legs are recorded as refunded:
    /// without an integrated terminal the cashier runs them on the terminal by hand (a
    /// terminal-paid sale's legs go through `terminal::refund_return` instead).
    pub fn refund_with(&mut self, to: RefundTo, approval: Option<&Pin>) -> AppResult<Committed> {
        self.check_no_tenders()?;
        match self.prepare_refund(to, approval)? {
            PreparedRefund::Even => self.complete(),
            PreparedRefund::Legs(refund) => self.commit_refund(&refund),
        }
    }

    /// Checks a refund and works out its legs, without recording anything (the caller checks
    /// that no tender or card payment is in progress).
    pub(crate) fn prepare_refund(
        &mut self,
        to: RefundTo,
        approval: Option<&Pin>,
    ) -> AppResult<PreparedRefund> {
        self.require_shift()?;
        let priced = self.priced();
        let due = self.due(&priced);
        if due.is_zero() && !self.returns.is_empty() {
            // An even exchange: nothing moves either way.
            return Ok(PreparedRefund::Even);
        }
        if !due.is_negative() {
            return Err(AppError::new(
                "nothing_to_refund",
                "nothing is to give back: the customer pays (tender as for a sale)",
            ));
        }
        let amount = -due;
        let no_receipt = self.returns.iter().any(|l| l.original.is_none());
        let policy = &self.store.config.returns_without_receipt;
        // A store that refunds returns without a receipt on store credit only does so
        // without being asked; an explicit cash refund is refused.
        let to = match (no_receipt && policy.refund_to == "store_credit", to) {
            (true, RefundTo::Original) => RefundTo::StoreCredit,
            (_, to) => to,
        };
        if no_receipt && policy.refund_to == "store_credit" && to != RefundTo::StoreCredit {
            return Err(AppError::new(
                "store_credit_only",
                "a return without a receipt is refunded on store credit in this store",
            ));
        }
        let mut approved_by = None;
        let plan = match to {
            RefundTo::Original => self.original_plan(amount)?,
            RefundTo::Cash => {
                // Cash for what went on a card is how card money leaves by the drawer: a
                // manager approves it.
                let original = self.original_plan(amount)?;
                let to_cards: Money = original
                    .legs
                    .iter()
                    .filter(|t| !matches!(t, Tender::Cash { .. }))
                    .map(|t| -t.non_cash())
                    .sum();
                if to_cards.minor() > 0 {
                    let what = format!(
                        "{} of this refund went on a card: refunding it in cash needs a \
                         manager's PIN",
                        self.store.money(to_cards)
                    );
                    approved_by = Some(self.manager_or_pin(approval, "cash_refund", &what)?);
                }
                refund::plan_refund(amount, &[self.open_cash_leg(amount)], &self.store.currency)
            }
            RefundTo::StoreCredit => refund::RefundPlan {
                legs: Vec::new(),
                cash_rounding: Money::ZERO,
                unallocated: amount,
            },
        };
        self.check_drawer_holds(&plan)?;
        if !plan.unallocated.is_zero()
            && to == RefundTo::Original
            && !no_receipt
            && plan.legs.is_empty()
        {
            return Err(AppError::new(
                "nothing_left_to_refund",
                "the original tenders were already refunded: refund to cash or store credit",
            ));
        }
        let terminal_paid = self.terminal_paid_references()?;
        let on_terminal = plan
            .legs
            .iter()
            .filter_map(|leg| match leg {
                Tender::ExternalCard { amount, reference } if terminal_paid.contains(reference) => {
                    Some(-*amount)
                }
                _ => None,
            })
            .sum();
        Ok(PreparedRefund::Legs(Refund {
            settlement: Settlement::refund(due, plan.cash_rounding),
            legs: plan.legs,
            unallocated: plan.unallocated,
            approved_by,
            on_terminal,
            terminal_paid,
        }))
    }

    /// Records a prepared refund: its legs, and a credit note for what no leg takes.
    pub(crate) fn commit_refund(&mut self, refund: &Refund) -> AppResult<Committed> {
        let priced = self.priced();
        let mut legs = refund.legs.clone();
        if !refund.unallocated.is_zero() {
            legs.push(Tender::StoreCredit {
                amount: -refund.unallocated,
                reference: self.next_credit_note()?,
            });
        }
        self.refund_approved_by = refund.approved_by.clone();
        let committed = self.commit_transaction(&priced, &legs, &refund.settlement);
        self.refund_approved_by = None;
        committed
    }

    /// The card tenders of the returned lines' sales that an integrated terminal took (they
    /// carry its slip), by reference: their refunds go through the terminal.
    fn terminal_paid_references(&mut self) -> AppResult<std::collections::BTreeSet<String>> {
        let receipts: std::collections::BTreeSet<String> = self
            .returns
            .iter()
            .filter_map(|l| l.original.as_ref().map(|o| o.receipt_no.clone()))
            .collect();
        let mut references = std::collections::BTreeSet::new();
        for receipt in receipts {
            for tender in self.original(&receipt)?.sale.tenders {
                if let entry::SaleTender::ExternalCard { reference, terminal: Some(_), .. } = tender
                {
                    references.insert(reference);
                }
            }
        }
        Ok(references)
    }

    /// The drawer cannot hand out cash it does not hold.
    fn check_drawer_holds(&self, plan: &refund::RefundPlan) -> AppResult<()> {
        let out: Money = plan
            .legs
            .iter()
            .map(|t| match t {
                Tender::Cash { tendered } => -*tendered,
                _ => Money::ZERO,
            })
            .sum();
        if out.minor() <= 0 {
            return Ok(());
        }
        let held = self.drawer_expected()?;
        if out > held {
            return Err(AppError::new(
                "drawer_short",
                format!(
                    "the drawer should hold {}: {} cannot be refunded from it in cash; refund \
                     it to the card or on store credit",
                    self.store.money(held),
                    self.store.money(out)
                ),
            ));
        }
        Ok(())
    }

    /// Who approves what needs a manager: the manager signed in, else the manager whose PIN is
    /// given.
    pub(crate) fn manager_or_pin(
        &mut self,
        approval: Option<&Pin>,
        what: &'static str,
        why: &str,
    ) -> AppResult<String> {
        let session = self.cashier()?.clone();
        if session.role == "manager" {
            return Ok(session.cashier_id);
        }
        match approval {
            Some(pin) => Ok(self.approve(pin, what)?.cashier_id),
            None => Err(AppError::new("manager_required", why.to_owned())),
        }
    }

    fn after_return_change(&mut self) -> AppResult<()> {
        self.notice = None;
        self.save_cart()
    }

    fn next_return_line(&self) -> u32 {
        let new = self.cart.lines().iter().map(|l| l.id.0).max().unwrap_or(0);
        let returned = self.returns.iter().map(|l| l.line).max().unwrap_or(0);
        new.max(returned).max(1000) + 1
    }

    fn next_credit_note(&self) -> AppResult<String> {
        let prefix = &self.store.config.register_prefix;
        let count =
            self.db.setting("credit_notes")?.and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
        self.db.set_setting("credit_notes", &(count + 1).to_string())?;
        Ok(format!("CR-{prefix}{:02}-{:06}", self.register.number, count + 1))
    }

    /// A cash leg as large as the refund, for a refund all in cash.
    fn open_cash_leg(&self, amount: Money) -> PaidLeg {
        let rounded = self.store.currency.cash_round(amount);
        PaidLeg {
            tender: Tender::Cash { tendered: rounded },
            rounding: rounded - amount,
            ..PaidLeg::default()
        }
    }

    /// The refund over the original sales' tenders: each sale's lines refunded over that
    /// sale's legs (in the order the sales' lines came into the cart), and what lines
    /// without a receipt give back in cash. In an exchange the new lines take their cost off
    /// the last parts.
    fn original_plan(&mut self, amount: Money) -> AppResult<refund::RefundPlan> {
        let mut parts: Vec<(Option<String>, Money)> = Vec::new();
        for line in &self.returns {
            let receipt = line.original.as_ref().map(|o| o.receipt_no.clone());
            let refund = self.parse_money(&line.refund)?;
            match parts.iter_mut().find(|(r, _)| *r == receipt) {
                Some(part) => part.1 += refund,
                None => parts.push((receipt, refund)),
            }
        }
        // Lines without a receipt come last: they take the new lines' cost first.
        parts.sort_by_key(|(receipt, _)| receipt.is_none());
        let mut left = amount;
        let mut plan = refund::RefundPlan::default();
        for (receipt, part) in parts {
            let take = part.min(left);
            if take.minor() <= 0 {
                continue;
            }
            left -= take;
            let legs = match receipt {
                Some(receipt) => {
                    let original = self.original(&receipt)?;
                    self.paid_legs(&original)?
                }
                None => vec![self.open_cash_leg(take)],
            };
            plan.merge(refund::plan_refund(take, &legs, &self.store.currency));
        }
        plan.unallocated += left;
        Ok(plan)
    }

    /// The sale's tenders, with what earlier refunds of it already gave back to each.
    fn paid_legs(&self, original: &Original) -> AppResult<Vec<PaidLeg>> {
        let sale = &original.sale;
        let mut change = self.parse_money(&sale.change)?;
        let mut legs = Vec::new();
        for tender in &sale.tenders {
            let tender = match self.tender_from_entry(tender)? {
                Tender::Cash { tendered } => {
                    Tender::Cash { tendered: tendered - std::mem::take(&mut change) }
                }
                other => other,
            };
            legs.push(PaidLeg { tender, ..PaidLeg::default() });
        }
        // The sale's cash rounding belongs to its cash: the exact cash part is the cash kept
        // less it.
        if let Some(cash) = legs.iter_mut().find(|l| matches!(l.tender, Tender::Cash { .. })) {
            cash.rounding = self.parse_money(&sale.cash_rounding)?;
        }
        // Earlier refunds whose lines came from this sale: their legs count against its legs.
        for (_, earlier) in &original.earlier {
            let rounding = self.parse_money(&earlier.cash_rounding)?;
            // A refund of several sales' lines handed out cash for all of them: this sale's
            // share is what its lines gave back less what went on its own legs (at most all
            // the cash handed out, so never less than what this sale's cash gave).
            let shared = earlier
                .returns
                .iter()
                .any(|l| l.original.as_ref().is_none_or(|o| o.receipt_no != sale.receipt_no));
            if shared {
                let share = self.cash_share(earlier, &sale.receipt_no, &legs)?;
                if let Some(cash) =
                    legs.iter_mut().find(|l| matches!(l.tender, Tender::Cash { .. }))
                {
                    cash.refunded += share;
                    cash.settled += share;
                }
            }
            for tender in &earlier.tenders {
                let (amount, reference) = match tender {
                    entry::SaleTender::Cash { tendered } => (self.parse_money(tendered)?, None),
                    entry::SaleTender::ExternalCard { amount, reference, .. }
                    | entry::SaleTender::OnAccount { amount, reference }
                    | entry::SaleTender::StoreCredit { amount, reference } => {
                        (self.parse_money(amount)?, Some(reference))
                    }
                };
                if !amount.is_negative() {
                    continue;
                }
                let leg =
                    legs.iter_mut().find(|l| l.tender.reference() == reference.map(String::as_str));
                if let Some(leg) = leg {
                    if reference.is_none() && shared {
                        continue;
                    }
                    leg.refunded -= amount;
                    if reference.is_none() {
                        leg.settled += rounding - amount;
                    }
                }
            }
        }
        Ok(legs)
    }

    /// This sale's part of the cash an earlier refund of several sales' lines handed out.
    fn cash_share(
        &self,
        earlier: &entry::Sale,
        receipt_no: &str,
        legs: &[PaidLeg],
    ) -> AppResult<Money> {
        let mut mine = Money::ZERO;
        for line in &earlier.returns {
            if line.original.as_ref().is_some_and(|o| o.receipt_no == receipt_no) {
                mine += self.parse_money(&line.refund)?;
            }
        }
        let (mut on_my_legs, mut cash_out) = (Money::ZERO, Money::ZERO);
        for tender in &earlier.tenders {
            match self.tender_from_entry(tender)? {
                Tender::Cash { tendered } if tendered.is_negative() => cash_out -= tendered,
                Tender::Cash { .. } => {}
                other => {
                    let paid_here = legs.iter().any(|l| l.tender.reference() == other.reference());
                    if paid_here && other.non_cash().is_negative() {
                        on_my_legs -= other.non_cash();
                    }
                }
            }
        }
        Ok((mine - on_my_legs).max(Money::ZERO).min(cash_out))
    }

    /// The sale a receipt number names, here or (another register's) on the server, with the
    /// returns recorded of it.
    fn original(&mut self, receipt_no: &str) -> AppResult<Original> {
        let here = self.db.entry_by_receipt(receipt_no)?;
        if let Some(entry) = here.as_ref().filter(|e| e.kind == kind::RETURN) {
            let sale: entry::Sale = parse_payload(&entry.payload)?;
            let from: std::collections::BTreeSet<&str> = sale
                .returns
                .iter()
                .filter_map(|l| l.original.as_ref().map(|o| o.receipt_no.as_str()))
                .collect();
            let from: Vec<&str> = from.into_iter().collect();
            return Err(AppError::new(
                "receipt_is_a_return",
                match from.is_empty() {
                    true => format!("{receipt_no} is a return without a receipt, not a sale"),
                    false => format!(
                        "{receipt_no} is a return, not a sale: find the sale it refunded ({})",
                        from.join(", ")
                    ),
                },
            ));
        }
        let here = here.filter(|e| e.kind == kind::SALE || e.kind == kind::EXCHANGE);
        let server = self.db.sync_server()?;
        let asked = server.map(|server| {
            comptoir_sync::HttpTransport::new(&server).and_then(|t| t.find_sale(receipt_no))
        });
        let found = match (here, asked) {
            (Some(entry), asked) => {
                let sale = parse_payload(&entry.payload)?;
                let elsewhere = match asked {
                    Some(Ok(lookup)) if lookup.sale.entry_id == entry.entry_id => lookup.returns,
                    Some(Err(e)) => {
                        tracing::warn!(
                            receipt = receipt_no,
                            code = e.code,
                            "the server's returns of a sale of this register are not known: {e}"
                        );
                        Vec::new()
                    }
                    _ => Vec::new(),
                };
                (entry, sale, None, elsewhere)
            }
            (None, None) => {
                return Err(AppError::new(
                    "no_such_sale",
                    format!("no sale {receipt_no} on this register"),
                ));
            }
            (None, Some(asked)) => {
                let lookup = match asked {
                    Ok(lookup) => {
                        self.keep_server_sale(receipt_no, &lookup);
                        lookup
                    }
                    Err(e) => self.server_sale_failed(receipt_no, e)?,
                };
                let sale: entry::Sale = parse_payload(&lookup.sale.payload)?;
                (lookup.sale, sale, Some(lookup.store), lookup.returns)
            }
        };
        let (entry, sale, sold_in, elsewhere) = found;
        // This register's returns, then the server's of other registers (its own are also
        // the server's, once sent: each entry counts once).
        let mut earlier = self.returns_of(&sale.receipt_no)?;
        for returned in elsewhere {
            if earlier.iter().all(|(id, _)| *id != returned.entry_id) {
                earlier.push((returned.entry_id, parse_payload(&returned.payload)?));
            }
        }
        Ok(Original { entry, sale, sold_in, earlier })
    }

    /// Keeps the server's answer while lines of the sale may be in the cart (and forgets the
    /// answers for sales none of whose lines are).
    fn keep_server_sale(&mut self, receipt_no: &str, lookup: &comptoir_protocol::wire::SaleLookup) {
        let in_cart = |receipt: &str| {
            self.returns
                .iter()
                .any(|l| l.original.as_ref().is_some_and(|o| o.receipt_no == receipt))
        };
        let kept: Vec<String> = self.from_server.keys().filter(|r| in_cart(r)).cloned().collect();
        self.from_server.retain(|r, _| kept.contains(r));
        self.from_server.insert(receipt_no.to_owned(), lookup.clone());
    }

    /// Why the server gave no sale; offline, the answer it gave earlier for a receipt whose
    /// lines are in the cart in progress (found moments ago, refunded now).
    fn server_sale_failed(
        &self,
        receipt_no: &str,
        e: comptoir_sync::SyncError,
    ) -> AppResult<comptoir_protocol::wire::SaleLookup> {
        use comptoir_protocol::wire::codes;
        let in_cart = self
            .returns
            .iter()
            .any(|l| l.original.as_ref().is_some_and(|o| o.receipt_no == receipt_no));
        match e.code {
            _ if e.is_transient() => match self.from_server.get(receipt_no) {
                Some(lookup) if in_cart => Ok(lookup.clone()),
                _ => Err(AppError::new("sale_not_here_offline", format!("{receipt_no}: {e}"))),
            },
            codes::NO_SUCH_SALE => Err(AppError::new(
                "no_such_sale",
                format!("no sale {receipt_no} at any register of the chain"),
            )),
            codes::WRONG_CURRENCY => Err(AppError::new("wrong_currency", e.message)),
            codes::AMBIGUOUS_RECEIPT => Err(AppError::new("ambiguous_receipt", e.message)),
            _ => Err(AppError::new(e.code, e.message)),
        }
    }

    /// A sale line's stored amounts, as the refund arithmetic reads them.
    pub(crate) fn sold_line(
        &self,
        sale: &entry::Sale,
        line: &entry::SaleLine,
    ) -> AppResult<SoldLine> {
        let taxes = line
            .taxes
            .iter()
            .map(|t| {
                Ok(SoldTax {
                    code: t.code.clone(),
                    rate: t.rate.parse().map_err(|_| AppError::new("bad_sale", "bad rate"))?,
                    amount: self.parse_money(&t.amount)?,
                    included: sale.prices_include_tax,
                    exempt: t.exempt,
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(SoldLine {
            line: line.line,
            quantity: crate::register::stored_quantity(&line.qty)?,
            net: self.parse_money(line.net())?,
            taxes,
        })
    }

    /// The return and exchange entries with a line from this sale, by entry id.
    fn returns_of(&self, receipt_no: &str) -> AppResult<Vec<(String, entry::Sale)>> {
        let entries = self.db.returns_of(receipt_no)?;
        let mut found = Vec::new();
        for entry in entries {
            let sale: entry::Sale = parse_payload(&entry.payload)?;
            let from_it = sale
                .returns
                .iter()
                .any(|l| l.original.as_ref().is_some_and(|o| o.receipt_no == receipt_no));
            if from_it {
                found.push((entry.entry_id, sale));
            }
        }
        Ok(found)
    }

    /// What earlier returns (recorded, and in the cart in progress) refunded of each line.
    fn refunded_lines(
        &self,
        original: &Original,
    ) -> AppResult<std::collections::BTreeMap<u32, Refunded>> {
        let receipt_no = original.sale.receipt_no.as_str();
        let mut refunded: std::collections::BTreeMap<u32, Refunded> = Default::default();
        let recorded = original.earlier.iter().map(|(_, s)| s);
        let lines = recorded.flat_map(|s| s.returns.iter()).chain(self.returns.iter());
        for line in lines {
            let Some(original) = line.original.as_ref().filter(|o| o.receipt_no == receipt_no)
            else {
                continue;
            };
            let taxes =
                line.taxes.iter().map(|t| self.parse_money(&t.amount)).collect::<AppResult<_>>()?;
            let refund = refund::LineRefund {
                quantity: crate::register::stored_quantity(&line.qty)?,
                net: self.parse_money(&line.net)?,
                taxes,
                paid: self.parse_money(&line.refund)?,
            };
            refunded.entry(original.line).or_default().add(&refund);
        }
        Ok(refunded)
    }

    /// The price a return without a receipt refunds: the lowest the item had over the
    /// policy's days (a lower price then is what it may have been bought at), or today's.
    fn no_receipt_price(
        &self,
        item: &comptoir_core::Item,
        policy: &NoReceiptPolicy,
    ) -> Option<Money> {
        let now = self.local_minute();
        let today = item.price_at(now);
        if policy.price != "lowest_recent" {
            return today;
        }
        let since = now - Duration::days(policy.days.max(0));
        let mut prices: Vec<Money> = item.price_at(since).into_iter().collect();
        prices.extend(
            item.schedule
                .iter()
                .filter(|p| p.from > since && p.from <= now)
                .filter_map(|p| p.price),
        );
        prices.extend(today);
        prices.into_iter().min()
    }
}
