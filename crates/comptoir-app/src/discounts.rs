//! The cashier's discounts, price overrides, tax exemptions and coupons on the cart in
//! progress.
//!
//! A discount within the cashier's role limit (`discount_limits` in the store's config, a
//! percentage of what the line or the order still costs) is given on the cashier's own
//! authority; above it, a manager's PIN approves it. A price override always needs a
//! manager's PIN, even a signed-in manager's own, and is audited by a ledger entry at once,
//! so it stays on record if the cart is later voided.

use comptoir_core::LineId;
use comptoir_core::discount::{DiscountRule, ManualDiscount, PriceOverride};
use comptoir_core::tax::Exemption;
use rust_decimal::Decimal;

use crate::entry::{self, kind};
use crate::error::{AppError, AppResult};
use crate::pin::{self, Pin};
use crate::register::{Register, Session, required_reason, stamp, to_json};

/// A discount as the cashier keys it: `percent` with `"10"`, or `amount` with `"2.50"`.
#[derive(Clone, Copy, Debug)]
pub enum DiscountInput<'a> {
    Percent(&'a str),
    Amount(&'a str),
}

impl<'a> DiscountInput<'a> {
    /// A discount named as the IPC and the CLI name it: `kind` is `percent` or `amount`.
    pub fn from_kind(kind: &str, value: &'a str) -> AppResult<DiscountInput<'a>> {
        match kind {
            "percent" => Ok(DiscountInput::Percent(value)),
            "amount" => Ok(DiscountInput::Amount(value)),
            other => Err(AppError::new(
                "invalid_amount",
                format!("{other:?}: a discount is a percent or an amount"),
            )),
        }
    }
}

impl Register {
    /// Puts a discount on a line, replacing any the line had.
    pub fn discount_line(
        &mut self,
        line: u32,
        input: DiscountInput<'_>,
        reason: &str,
        approval: Option<&Pin>,
    ) -> AppResult<()> {
        self.before_discount()?;
        let rule = self.discount_rule(input)?;
        let reason = required_reason(reason)?;
        let id = LineId(line);
        let priced = self.priced();
        let target = priced
            .lines
            .iter()
            .find(|l| l.line.id == id)
            .ok_or_else(|| AppError::new("no_such_line", format!("no line {line}")))?;
        // The limit is on what the line costs before this discount (after promotions).
        let own = target.discounts.iter().filter(|d| !is_manual(&d.source)).map(|d| d.amount);
        let base = target.amount - own.sum();
        let by = self.discount_authority(&rule, base, approval)?;
        let previous =
            self.cart.line_mut(id)?.discount.replace(ManualDiscount { rule, reason, by });
        match self.cumulative_authority(approval) {
            Ok(Some(manager)) => {
                if let Some(given) = &mut self.cart.line_mut(id)?.discount {
                    given.by = manager;
                }
            }
            Ok(None) => {}
            Err(e) => {
                self.cart.line_mut(id)?.discount = previous;
                return Err(e);
            }
        }
        self.after_money_change()
    }

    /// Takes a line's discount off.
    pub fn remove_line_discount(&mut self, line: u32) -> AppResult<()> {
        self.before_discount()?;
        self.cart.line_mut(LineId(line))?.discount = None;
        self.after_money_change()
    }

    /// Puts a discount on the whole order, shared over the lines.
    pub fn discount_order(
        &mut self,
        input: DiscountInput<'_>,
        reason: &str,
        approval: Option<&Pin>,
    ) -> AppResult<()> {
        self.before_discount()?;
        if self.cart.is_empty() {
            return Err(AppError::new("cart_empty", "scan an item first"));
        }
        let rule = self.discount_rule(input)?;
        let reason = required_reason(reason)?;
        let previous = self.cart.order_discount.take();
        let base = self.priced().subtotal;
        self.cart.order_discount = previous;
        let by = self.discount_authority(&rule, base, approval)?;
        let previous = self.cart.order_discount.replace(ManualDiscount { rule, reason, by });
        match self.cumulative_authority(approval) {
            Ok(Some(manager)) => {
                if let Some(given) = &mut self.cart.order_discount {
                    given.by = manager;
                }
            }
            Ok(None) => {}
            Err(e) => {
                self.cart.order_discount = previous;
                return Err(e);
            }
        }
        self.after_money_change()
    }

    /// The cashier's limit holds for the discounts they gave on the sale together, not only
    /// for each: two 10 % discounts on top of each other are 19 %. With the new discount in
    /// the cart: `None` when it stays within the limit, else the approving manager (the
    /// discounts a manager approved do not count).
    fn cumulative_authority(&mut self, approval: Option<&Pin>) -> AppResult<Option<String>> {
        let session = self.cashier()?.clone();
        let limit = self.store.discount_limit(&session.role);
        let priced = self.priced();
        let mine = |source: &comptoir_core::discount::DiscountSource, line: LineId| match source {
            comptoir_core::discount::DiscountSource::Line => self
                .cart
                .line(line)
                .ok()
                .and_then(|l| l.discount.as_ref())
                .is_some_and(|d| d.by == session.cashier_id),
            comptoir_core::discount::DiscountSource::Order => {
                self.cart.order_discount.as_ref().is_some_and(|d| d.by == session.cashier_id)
            }
            comptoir_core::discount::DiscountSource::Promotion(_) => false,
        };
        let (mut given, mut base) = (comptoir_core::Money::ZERO, comptoir_core::Money::ZERO);
        let mut shares = 0i64;
        for line in &priced.lines {
            base += line.amount;
            for d in &line.discounts {
                match &d.source {
                    comptoir_core::discount::DiscountSource::Promotion(_) => base -= d.amount,
                    source if mine(source, line.line.id) => {
                        given += d.amount;
                        shares += 1;
                    }
                    _ => {}
                }
            }
        }
        if base.minor() <= 0 || given.is_zero() {
            return Ok(None);
        }
        let percent =
            Decimal::from(given.minor()) * Decimal::ONE_HUNDRED / Decimal::from(base.minor());
        // Each discount's share of a line is rounded to the cent: half a cent each is the
        // rounding's, not the cashier's (10 % of 3.89 is 0.39).
        let allowed = limit * Decimal::from(base.minor()) / Decimal::ONE_HUNDRED
            + Decimal::from(shares) / Decimal::TWO;
        if Decimal::from(given.minor()) <= allowed {
            return Ok(None);
        }
        let together = "together, the discounts on this sale come to";
        self.over_limit(percent, approval, together).map(Some)
    }

    pub fn remove_order_discount(&mut self) -> AppResult<()> {
        self.before_discount()?;
        self.cart.order_discount = None;
        self.after_money_change()
    }

    /// Sells a line at another price than the shelf's: a manager's PIN approves it, and the
    /// approval is recorded in the ledger at once.
    pub fn override_price(
        &mut self,
        line: u32,
        price: &str,
        reason: &str,
        manager_pin: &Pin,
    ) -> AppResult<()> {
        self.before_discount()?;
        let price = self.parse_amount(price)?;
        let reason = required_reason(reason)?;
        let id = LineId(line);
        let current = self.cart.line(id)?.clone();
        let manager = self.approve(manager_pin, "override_price")?;
        let shelf = match &current.price_override {
            Some(earlier) => earlier.shelf_price,
            None if current.open_price => None,
            None => Some(current.unit_price),
        };
        let payload = entry::PriceOverridden {
            v: entry::VERSION,
            shift_no: self.shift.as_ref().map(|s| s.number),
            cashier_id: self.cashier()?.cashier_id.clone(),
            approved_by: manager.cashier_id.clone(),
            sku: current.sku.0.clone(),
            shelf_price: shelf.map(|p| self.store.money(p)),
            price: self.store.money(price),
            reason: reason.clone(),
        };
        let audit =
            stamp(&self.store, &*self.clock, kind::PRICE_OVERRIDDEN, None, to_json(&payload)?);
        self.db.append(audit)?;
        tracing::info!(sku = %current.sku.0, approved_by = %manager.cashier_id, "price overridden");
        let line = self.cart.line_mut(id)?;
        line.unit_price = price;
        line.price_override =
            Some(PriceOverride { shelf_price: shelf, approved_by: manager.cashier_id, reason });
        self.after_money_change()
    }

    /// Records the customer's tax exemption for this sale, with their certificate number.
    /// `taxes` names the taxes it covers (empty: every tax).
    pub fn set_exemption(&mut self, certificate: &str, taxes: &[String]) -> AppResult<()> {
        self.before_discount()?;
        let certificate = certificate.trim();
        if certificate.is_empty() {
            return Err(AppError::new(
                "certificate_required",
                "a tax exemption needs the customer's certificate number",
            ));
        }
        let known: Vec<&str> = self.store.taxes.iter().map(|t| t.code.as_str()).collect();
        if let Some(unknown) = taxes.iter().find(|t| !known.contains(&t.as_str())) {
            return Err(AppError::new(
                "unknown_tax",
                format!("{unknown}: this store's taxes are {known:?}"),
            ));
        }
        self.cart.exemption =
            Some(Exemption { certificate: certificate.to_owned(), taxes: taxes.to_vec() });
        self.after_money_change()
    }

    pub fn clear_exemption(&mut self) -> AppResult<()> {
        self.before_discount()?;
        self.cart.exemption = None;
        self.after_money_change()
    }

    fn before_discount(&self) -> AppResult<&Session> {
        self.require_shift()?;
        self.check_no_tenders()?;
        self.cashier()
    }

    fn after_money_change(&mut self) -> AppResult<()> {
        self.notice = None;
        self.save_cart()
    }

    fn discount_rule(&self, input: DiscountInput<'_>) -> AppResult<DiscountRule> {
        match input {
            DiscountInput::Percent(text) => {
                let percent: Decimal = text.trim().parse().map_err(|_| {
                    AppError::new("invalid_amount", format!("{text:?} is not a percentage"))
                })?;
                if percent <= Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
                    return Err(AppError::new(
                        "invalid_amount",
                        "a discount is more than 0 % and at most 100 %",
                    ));
                }
                Ok(DiscountRule::Percent(percent.normalize()))
            }
            DiscountInput::Amount(text) => {
                let amount = self.parse_amount(text)?;
                if amount.minor() <= 0 {
                    return Err(AppError::new("invalid_amount", "a discount is more than zero"));
                }
                Ok(DiscountRule::Amount(amount))
            }
        }
    }

    /// Who gives a discount: the cashier within their role's limit, else the approving
    /// manager.
    fn discount_authority(
        &mut self,
        rule: &DiscountRule,
        base: comptoir_core::Money,
        approval: Option<&Pin>,
    ) -> AppResult<String> {
        let session = self.cashier()?.clone();
        if let DiscountRule::Amount(amount) = rule
            && *amount > base
        {
            return Err(AppError::new(
                "discount_over_amount",
                format!(
                    "a discount of {} is more than the {} it comes off",
                    self.store.money(*amount),
                    self.store.money(base)
                ),
            ));
        }
        let limit = self.store.discount_limit(&session.role);
        let percent = rule.percent_of(base);
        if percent <= limit {
            return Ok(session.cashier_id);
        }
        self.over_limit(percent, approval, "the discount is")
    }

    /// A discount of `percent`, over the cashier's limit: the manager whose PIN approves it
    /// (within their own limit), or why not. `what` leads the message.
    fn over_limit(
        &mut self,
        percent: Decimal,
        approval: Option<&Pin>,
        what: &str,
    ) -> AppResult<String> {
        let session = self.cashier()?.clone();
        let shown = percent.round_dp(2).normalize();
        let Some(pin) = approval else {
            return Err(AppError::new(
                "discount_over_limit",
                format!(
                    "{what} {shown} %, over the {} % a {} may give: a manager approves it with \
                     their PIN",
                    self.store.discount_limit(&session.role).normalize(),
                    session.role
                ),
            ));
        };
        let manager = self.approve(pin, "discount")?;
        let limit = self.store.discount_limit(&manager.role);
        if percent > limit {
            return Err(AppError::new(
                "discount_over_limit",
                format!(
                    "{what} {shown} %, over the {} % a {} may approve",
                    limit.normalize(),
                    manager.role
                ),
            ));
        }
        Ok(manager.cashier_id)
    }

    /// A manager's PIN, entered to approve one action. A wrong PIN counts towards the PIN
    /// pad's lock like a wrong sign-in, and a locked pad approves nothing.
    pub(crate) fn approve(&mut self, pin: &Pin, what: &'static str) -> AppResult<Session> {
        self.check_pin_pad()?;
        let cashiers = self.db.cashiers()?;
        let Some(found) = cashiers.into_iter().find(|c| pin::verify(pin, &c.pin_hash)) else {
            let left = self.wrong_pin()?;
            tracing::warn!(what, left, "wrong approval PIN");
            return Err(AppError::new("wrong_pin", left.to_string()));
        };
        if found.role != "manager" {
            return Err(AppError::new(
                "manager_required",
                format!("{} is not a manager: a manager enters their PIN", found.name),
            ));
        }
        Ok(Session { cashier_id: found.id, name: found.name, role: found.role })
    }
}

fn is_manual(source: &comptoir_core::discount::DiscountSource) -> bool {
    !matches!(source, comptoir_core::discount::DiscountSource::Promotion(_))
}
