//! Card payments on an integrated terminal, so that no customer is charged twice and no
//! approved payment is lost, whatever the terminal, the cable or the register does.
//!
//! 1. [`Register::begin_card_payment`] checks the amount and records the payment, pending,
//!    before anything is sent; while it is pending the cart cannot change, take another
//!    tender or be voided.
//! 2. The caller (the app's device thread, the CLI) asks the terminal, outside the register.
//! 3. [`Register::finish_card_payment`] records the answer. An approval adds the card tender
//!    to the cart in the same transaction (and records the sale when it is paid); a second
//!    answer for the same payment changes nothing.
//! 4. If the answer never came (a timeout, a crash, a pulled cable), the payment is still
//!    pending at the next start: [`Register::unsettled_card_payments`] lists it and the caller
//!    asks the terminal what became of it (never charges again), then finishes it.
//!
//! A refund of a return to a card the terminal took goes the same way
//! ([`Register::begin_card_refund`], [`Register::finish_card_refund`]): recorded with the
//! return it pays back before it is sent, and its approval recorded with the return in one
//! transaction, so a return is refunded on the card once or not at all.
//!
//! Only the terminal's reference, the card's brand and its masked number are kept; every
//! text from the terminal is scrubbed of anything that passes for a card number.

use comptoir_core::money::Money;
use comptoir_core::tender::{Tender, check_new_tender};
use comptoir_protocol::card::{check_slip, last_four, mask_pans};
use comptoir_store::{CardPaymentRow, CardPaymentState, CardPaymentUpdate, StoreError, Tx};

use crate::entry::{CardSlip, SaleTender};
use crate::error::{AppError, AppResult};
use crate::register::{Committed, Register};
use crate::returns::{PreparedRefund, RefundTo};

/// A card payment the terminal is (or was) asked for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CardRequest {
    /// The register's id for it; a terminal that takes a reference gets this one.
    pub id: String,
    /// `payment` or `refund`.
    pub kind: String,
    /// In the store's currency, as a decimal string.
    pub amount: String,
    pub amount_minor: i64,
    /// ISO 4217 code (`EUR`), for the terminal.
    pub currency: String,
    /// `pending` (ask the terminal what became of it) or `reversing`.
    pub state: &'static str,
    /// The terminal's reference, once it gave one.
    pub reference: Option<String>,
    /// The terminal's receipt number of this payment, once known (a reversal names it).
    pub receipt_no: Option<i64>,
    /// The terminal's receipt number of the last transaction seen to end before this one.
    pub previous_receipt_no: Option<i64>,
}

/// What the terminal answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalAnswer {
    /// Approved, with the terminal's reference and what may be kept of the card.
    Approved { reference: String, receipt_no: Option<i64>, slip: CardSlip },
    /// Declined by the card's issuer, or aborted on the terminal: nothing was charged.
    Declined { code: String, message: String },
    /// Asked after a lost answer: the terminal holds no such payment, so nothing was charged.
    NotCharged,
}

/// A card refund the terminal approved, recorded in the transaction of the return it pays.
#[derive(Clone, Debug)]
pub(crate) struct ApprovedRefund {
    id: String,
    at: String,
    reference: String,
    receipt_no: Option<i64>,
    slip: CardSlip,
    slip_json: String,
    /// The card tenders of the original sales it refunds.
    references: std::collections::BTreeSet<String>,
}

impl ApprovedRefund {
    /// The terminal's slip for a refund leg back to the card tender `reference`.
    pub(crate) fn slip_for(&self, reference: &str) -> Option<CardSlip> {
        self.references.contains(reference).then(|| self.slip.clone())
    }

    pub(crate) fn record(&self, tx: &mut Tx<'_>) -> Result<(), StoreError> {
        let update = CardPaymentUpdate {
            state: CardPaymentState::Approved,
            at: &self.at,
            reference: Some(&self.reference),
            slip: Some(&self.slip_json),
            outcome: Some("refunded"),
            receipt_no: self.receipt_no,
        };
        tx.settle_card_payment(&self.id, &update)
    }
}

impl Register {
    /// Checks the refund of the return in progress and, when part of it goes back to cards an
    /// integrated terminal took, records that card refund (with the return) before the
    /// terminal is asked. `None`: no card of the return was paid on the terminal, so the
    /// refund is recorded as it is ([`Register::refund_with`]).
    pub fn begin_card_refund(&mut self) -> AppResult<Option<CardRequest>> {
        self.check_no_tenders()?;
        self.cashier()?;
        let PreparedRefund::Legs(refund) = self.prepare_refund(RefundTo::Original, None)? else {
            return Ok(None);
        };
        if refund.on_terminal.minor() <= 0 {
            return Ok(None);
        }
        let now = self.now().to_rfc3339();
        let row = CardPaymentRow {
            id: uuid::Uuid::now_v7().to_string(),
            created_at: now.clone(),
            updated_at: now,
            kind: "refund".to_owned(),
            amount: self.store.money(refund.on_terminal),
            currency: self.store.currency.code.clone(),
            state: CardPaymentState::Pending,
            reference: None,
            slip: None,
            outcome: None,
            previous_receipt_no: self.last_terminal_receipt()?,
            receipt_no: None,
            cart: Some(self.cart_json()?),
        };
        self.record_card(&row)?;
        tracing::info!(refund = %row.id, amount = %row.amount, "card refund recorded, asking the terminal");
        Ok(Some(request_of(&row, refund.on_terminal)))
    }

    /// Records the terminal's answer to a card refund. Approved, the return is recorded with
    /// the approval in one transaction (brought back from the refund's record if the register
    /// that rang it stopped meanwhile); declined, nothing is recorded and the return stays in
    /// the cart, to be refunded in cash or on store credit. A refund already answered is left
    /// as it is (`None`).
    pub fn finish_card_refund(
        &mut self,
        id: &str,
        answer: TerminalAnswer,
    ) -> AppResult<Option<Committed>> {
        let Some(row) = self.pending_card(id)? else { return Ok(None) };
        let at = self.now().to_rfc3339();
        let (outcome, error) = match answer {
            TerminalAnswer::Approved { reference, receipt_no, slip } => {
                return self.record_card_refund(
                    &row,
                    reference.trim(),
                    receipt_no,
                    scrub(slip),
                    at,
                );
            }
            TerminalAnswer::Declined { code, message } => {
                let said = match code.as_str() {
                    "card_wrong_currency" => "card_wrong_currency",
                    _ => "card_refund_declined",
                };
                (mask_pans(&format!("{code} {message}")), AppError::new(said, mask_pans(&message)))
            }
            TerminalAnswer::NotCharged => (
                "not refunded: the terminal holds no such refund".to_owned(),
                AppError::new("card_not_refunded", row.amount.clone()),
            ),
        };
        let update = CardPaymentUpdate {
            state: CardPaymentState::Declined,
            at: &at,
            reference: None,
            slip: None,
            outcome: Some(&outcome),
            receipt_no: None,
        };
        self.settle_card(id, &update, None)?;
        tracing::info!(refund = %id, code = error.code, "card refund not made");
        Err(error)
    }

    fn record_card_refund(
        &mut self,
        row: &CardPaymentRow,
        reference: &str,
        receipt_no: Option<i64>,
        slip: CardSlip,
        at: String,
    ) -> AppResult<Option<Committed>> {
        if let Some(receipt_no) = receipt_no {
            self.note_terminal_receipt(receipt_no)?;
        }
        if self.cart.is_empty() && self.returns.is_empty() {
            // The register that rang the return stopped before recording it (a CLI basket
            // is never saved): the return comes back from the refund's record.
            let Some(cart) = &row.cart else {
                return Err(AppError::new(
                    "internal",
                    format!("card refund {} has no return", row.id),
                ));
            };
            self.restore_cart_json(cart)?;
        }
        let PreparedRefund::Legs(refund) = self.prepare_refund(RefundTo::Original, None)? else {
            return Err(AppError::new("internal", "a card refund for an even exchange"));
        };
        let amount = self.parse_money(&row.amount)?;
        if refund.on_terminal != amount {
            return Err(AppError::new(
                "internal",
                format!(
                    "the return now refunds {} to cards, its card refund was {}",
                    self.store.money(refund.on_terminal),
                    row.amount
                ),
            ));
        }
        let reference = if reference.is_empty() { row.id.as_str() } else { reference };
        let slip_json = serde_json::to_string(&slip)
            .map_err(|e| AppError::new("internal", format!("card slip: {e}")))?;
        self.card_refund = Some(ApprovedRefund {
            id: row.id.clone(),
            at,
            reference: reference.to_owned(),
            receipt_no,
            slip,
            slip_json,
            references: refund.terminal_paid.clone(),
        });
        let committed = self.commit_refund(&refund);
        self.card_refund = None;
        self.reload_card_pending()?;
        let committed = committed?;
        tracing::info!(refund = %row.id, %reference, receipt = %committed.sale.receipt_no, "card refund approved, return recorded");
        Ok(Some(committed))
    }

    /// Checks a card payment of `amount` and records it before the terminal is asked.
    pub fn begin_card_payment(&mut self, amount: &str) -> AppResult<CardRequest> {
        self.check_no_card_payment()?;
        let amount = self.parse_amount(amount)?;
        self.cashier()?;
        self.require_shift()?;
        if self.cart.is_empty() && self.returns.is_empty() {
            return Err(AppError::new("cart_empty", "scan an item first"));
        }
        let due = self.due(&self.priced());
        let probe = Tender::ExternalCard { amount, reference: "terminal".to_owned() };
        check_new_tender(due, &self.tenders, &probe, &self.store.currency)?;

        let now = self.now().to_rfc3339();
        let row = CardPaymentRow {
            id: uuid::Uuid::now_v7().to_string(),
            created_at: now.clone(),
            updated_at: now,
            kind: "payment".to_owned(),
            amount: self.store.money(amount),
            currency: self.store.currency.code.clone(),
            state: CardPaymentState::Pending,
            reference: None,
            slip: None,
            outcome: None,
            previous_receipt_no: self.last_terminal_receipt()?,
            receipt_no: None,
            cart: None,
        };
        self.record_card(&row)?;
        tracing::info!(payment = %row.id, amount = %row.amount, "card payment recorded, asking the terminal");
        Ok(request_of(&row, amount))
    }

    /// Records the terminal's answer to a payment begun here. An approval adds its tender and
    /// records the sale when that pays it; a payment already answered is left as it is, so
    /// an answer that arrives twice (a retry, a recovery) never adds a second tender.
    /// A manager's word for a payment or refund the terminal cannot say anything about (it was
    /// replaced, reset, or its journal is gone): checked on the terminal's own journal or the
    /// bank's, it was not charged (or not refunded). Recorded as such, with who said so, and
    /// the sale is free for another payment. What was charged after all is found at the
    /// terminal's end of day and given back there.
    pub fn settle_card_not_charged(&mut self, id: &str) -> AppResult<&'static str> {
        let manager = match self.require("device_setup") {
            Ok(session) => session.name.clone(),
            Err(error) if error.code == "permission_denied" => {
                return Err(AppError::new(
                    "permission_denied",
                    "settle a card payment the terminal cannot answer for",
                ));
            }
            Err(error) => return Err(error),
        };
        let row = self.card_row(id)?;
        if row.state != CardPaymentState::Pending {
            return Err(AppError::new(
                "card_already_settled",
                format!("{id} ({})", row.state.as_str()),
            ));
        }
        tracing::warn!(payment = %id, kind = %row.kind, %manager, "card payment settled by hand: not charged");
        let (result, outcome) = match row.kind.as_str() {
            "refund" => (self.finish_card_refund(id, TerminalAnswer::NotCharged), "not_refunded"),
            _ => (self.finish_card_payment(id, TerminalAnswer::NotCharged), "not_charged"),
        };
        match result {
            Ok(_) => Ok(outcome),
            Err(error) if matches!(error.code, "card_not_charged" | "card_not_refunded") => {
                Ok(outcome)
            }
            Err(error) => Err(error),
        }
    }

    fn card_row(&self, id: &str) -> AppResult<CardPaymentRow> {
        self.db
            .card_payment(id)?
            .ok_or_else(|| AppError::new("card_payment_unknown", format!("no card payment {id}")))
    }

    /// The payment or refund `id` while it waits for the terminal's answer; `None` once it
    /// was answered (an answer that arrives twice changes nothing).
    fn pending_card(&self, id: &str) -> AppResult<Option<CardPaymentRow>> {
        let row = self.card_row(id)?;
        if row.state != CardPaymentState::Pending {
            tracing::info!(payment = %id, kind = %row.kind, state = row.state.as_str(), "card transaction already settled");
            return Ok(None);
        }
        Ok(Some(row))
    }

    pub fn finish_card_payment(
        &mut self,
        id: &str,
        answer: TerminalAnswer,
    ) -> AppResult<Option<Committed>> {
        let Some(row) = self.pending_card(id)? else { return Ok(None) };
        let at = self.now().to_rfc3339();
        match answer {
            TerminalAnswer::Approved { reference, receipt_no, slip } => {
                self.approve_card(&row, reference.trim(), receipt_no, scrub(slip), &at)
            }
            TerminalAnswer::Declined { code, message } => {
                let outcome = mask_pans(&format!("{code} {message}"));
                let update = CardPaymentUpdate {
                    state: CardPaymentState::Declined,
                    at: &at,
                    reference: None,
                    slip: None,
                    outcome: Some(&outcome),
                    receipt_no: None,
                };
                self.settle_card(id, &update, None)?;
                tracing::info!(payment = %id, %code, "card payment declined");
                // Aborted on the terminal (the customer, or the cashier's abort) is not the
                // bank's refusal: the customer may well pay by card again.
                let said = match code.as_str() {
                    "card_aborted" => "card_aborted",
                    "card_wrong_currency" => "card_wrong_currency",
                    _ => "card_declined",
                };
                Err(AppError::new(said, mask_pans(&message)))
            }
            TerminalAnswer::NotCharged => {
                let update = CardPaymentUpdate {
                    state: CardPaymentState::Declined,
                    at: &at,
                    reference: None,
                    slip: None,
                    outcome: Some("not charged: the terminal holds no such payment"),
                    receipt_no: None,
                };
                self.settle_card(id, &update, None)?;
                tracing::info!(payment = %id, "card payment not charged");
                Err(AppError::new(
                    "card_not_charged",
                    "the terminal did not charge the card: take the payment again",
                ))
            }
        }
    }

    fn approve_card(
        &mut self,
        row: &CardPaymentRow,
        reference: &str,
        receipt_no: Option<i64>,
        slip: CardSlip,
        at: &str,
    ) -> AppResult<Option<Committed>> {
        let amount = self.parse_money(&row.amount)?;
        // A terminal without a reference of its own is known by the register's id.
        let reference = if reference.is_empty() { row.id.as_str() } else { reference };
        if let Some(receipt_no) = receipt_no {
            self.note_terminal_receipt(receipt_no)?;
        }
        let remaining = self.settle(&self.priced()).remaining;
        if self.cart.is_empty() && self.returns.is_empty() || amount > remaining {
            // The sale it was for is gone (a register that stopped mid-payment, whose basket
            // was never saved): the customer must get the money back.
            let update = CardPaymentUpdate {
                state: CardPaymentState::Reversing,
                at,
                reference: Some(reference),
                slip: None,
                outcome: Some("approved for a sale that is gone: to reverse"),
                receipt_no,
            };
            self.settle_card(&row.id, &update, None)?;
            tracing::warn!(payment = %row.id, %reference, "approved card payment without its sale: reversing");
            return Err(AppError::new("card_to_reverse_now", reference.to_owned()));
        }
        self.tenders.push(Tender::ExternalCard { amount, reference: reference.to_owned() });
        self.card_slips.insert(reference.to_owned(), slip.clone());
        let cart = self.cart_json()?;
        let slip_json = serde_json::to_string(&slip)
            .map_err(|e| AppError::new("internal", format!("card slip: {e}")))?;
        let update = CardPaymentUpdate {
            state: CardPaymentState::Approved,
            at,
            reference: Some(reference),
            slip: Some(&slip_json),
            outcome: Some("approved"),
            receipt_no,
        };
        if let Err(error) = self.settle_card(&row.id, &update, Some(&cart)) {
            // Nothing was written: the payment stays pending and is asked about again.
            self.tenders.pop();
            self.card_slips.remove(reference);
            return Err(error);
        }
        tracing::info!(payment = %row.id, %reference, "card payment approved");
        let priced = self.priced();
        // The tender is saved with the cart: if recording the sale fails now, the sale is
        // recorded when the register next opens, and the charge is never lost.
        match self.settle(&priced).paid {
            true => self.commit_sale(&priced).map(Some),
            false => Ok(None),
        }
    }

    /// Records that an approved card tender of the cart in progress is to be reversed on the
    /// terminal (the customer changed their mind, the sale is to be voided), before the
    /// terminal is asked.
    pub fn begin_card_reversal(&mut self, reference: &str) -> AppResult<CardRequest> {
        self.check_no_card_payment()?;
        self.cashier()?;
        let reference = reference.trim();
        let in_cart = self.card_slips.contains_key(reference);
        let row = match in_cart {
            true => self.db.approved_card_payment(reference)?,
            false => None,
        };
        let Some(row) = row else {
            return Err(AppError::new("card_payment_unknown", reference.to_owned()));
        };
        let at = self.now().to_rfc3339();
        let update = CardPaymentUpdate {
            state: CardPaymentState::Reversing,
            at: &at,
            reference: None,
            slip: None,
            outcome: None,
            receipt_no: None,
        };
        self.settle_card(&row.id, &update, None)?;
        tracing::info!(payment = %row.id, %reference, "card reversal recorded, asking the terminal");
        let amount = self.parse_money(&row.amount)?;
        Ok(CardRequest { state: "reversing", ..request_of(&row, amount) })
    }

    /// Records the terminal's answer to a reversal: reversed, the card tender leaves the cart
    /// in the same transaction; refused, the payment stays approved and in the cart.
    pub fn finish_card_reversal(&mut self, id: &str, reversed: bool) -> AppResult<()> {
        let Some(row) = self.db.card_payment(id)? else {
            return Err(AppError::new("card_payment_unknown", id.to_owned()));
        };
        if row.state != CardPaymentState::Reversing {
            return Ok(());
        }
        let at = self.now().to_rfc3339();
        let reference = row.reference.clone().unwrap_or_default();
        if !reversed {
            let update = CardPaymentUpdate {
                state: CardPaymentState::Approved,
                at: &at,
                reference: None,
                slip: None,
                outcome: Some("reversal refused by the terminal"),
                receipt_no: None,
            };
            self.settle_card(id, &update, None)?;
            return Err(AppError::new("card_reversal_refused", reference));
        }
        let kept: Vec<Tender> = self
            .tenders
            .iter()
            .filter(|t| !matches!(t, Tender::ExternalCard { reference: r, .. } if *r == reference))
            .cloned()
            .collect();
        let before = std::mem::replace(&mut self.tenders, kept);
        let slip = self.card_slips.remove(&reference);
        let update = CardPaymentUpdate {
            state: CardPaymentState::Reversed,
            at: &at,
            reference: None,
            slip: None,
            outcome: Some("reversed"),
            receipt_no: None,
        };
        let cart = self.cart_json()?;
        if let Err(error) = self.settle_card(id, &update, Some(&cart)) {
            self.tenders = before;
            if let Some(slip) = slip {
                self.card_slips.insert(reference, slip);
            }
            return Err(error);
        }
        tracing::info!(payment = %id, %reference, "card payment reversed");
        Ok(())
    }

    /// Records that a payment the terminal approved is refused by the register (it named
    /// another currency than the store's) and is to be reversed, with no tender added.
    pub(crate) fn reverse_refused_payment(
        &mut self,
        id: &str,
        receipt_no: Option<i64>,
        why: &str,
    ) -> AppResult<()> {
        if let Some(receipt_no) = receipt_no {
            self.note_terminal_receipt(receipt_no)?;
        }
        let at = self.now().to_rfc3339();
        let outcome = format!("approved but refused: {why}; to reverse");
        let update = CardPaymentUpdate {
            state: CardPaymentState::Reversing,
            at: &at,
            reference: None,
            slip: None,
            outcome: Some(&outcome),
            receipt_no,
        };
        self.settle_card(id, &update, None)
    }

    /// The terminal's receipt number of the last transaction the register saw end.
    fn last_terminal_receipt(&self) -> AppResult<Option<i64>> {
        Ok(self.db.setting("terminal.last_receipt_no")?.and_then(|n| n.trim().parse().ok()))
    }

    /// Remembers the receipt number of a terminal transaction seen to end, so the next lost
    /// answer can be told apart from it.
    pub fn note_terminal_receipt(&mut self, receipt_no: i64) -> AppResult<()> {
        self.db.set_setting("terminal.last_receipt_no", &receipt_no.to_string())?;
        Ok(())
    }

    /// Records the restored cart when its tenders pay it: only a card approval saved with
    /// its cart, then a crash before the sale was recorded, leaves one.
    pub(crate) fn commit_paid_cart(&mut self) -> AppResult<()> {
        if self.card_slips.is_empty() || self.shift.is_none() {
            return Ok(());
        }
        let priced = self.priced();
        if self.settle(&priced).paid {
            tracing::warn!(
                "a card-paid sale was not recorded before the register stopped: recording it"
            );
            self.commit_sale(&priced)?;
        }
        Ok(())
    }

    /// The card payments whose outcome the terminal has not given: each must be asked about
    /// (never charged again) before the register takes another payment.
    pub fn unsettled_card_payments(&self) -> AppResult<Vec<CardRequest>> {
        let rows = self.db.unsettled_card_payments()?;
        rows.iter().map(|row| Ok(request_of(row, self.parse_money(&row.amount)?))).collect()
    }

    /// Refuses what must wait while a card payment's outcome is unknown: another tender, a
    /// change to the cart, a void. Otherwise a customer the terminal charged could pay again.
    /// Read from memory, since every scan asks: the data folder is this process's alone, and
    /// every change of a payment's state goes through [`Register::settle_card`].
    pub(crate) fn check_no_card_payment(&self) -> AppResult<()> {
        match &self.card_pending {
            None => Ok(()),
            Some(amount) => Err(AppError::new("card_payment_pending", amount.clone())),
        }
    }

    /// Reads which payment, if any, waits for the terminal's answer (at open, after a change).
    pub(crate) fn reload_card_pending(&mut self) -> AppResult<()> {
        self.card_pending = self.db.unsettled_card_payments()?.first().map(|r| r.amount.clone());
        Ok(())
    }

    fn record_card(&mut self, row: &CardPaymentRow) -> AppResult<()> {
        let recorded = self.db.record_card_payment(row);
        self.reload_card_pending()?;
        Ok(recorded?)
    }

    fn settle_card(
        &mut self,
        id: &str,
        update: &CardPaymentUpdate<'_>,
        cart: Option<&str>,
    ) -> AppResult<()> {
        let settled = self.db.settle_card_payment(id, update, cart);
        self.reload_card_pending()?;
        settled?;
        self.display_to_pay();
        Ok(())
    }

    /// A card tender as the ledger records it: with the terminal's slip when a terminal took it.
    pub(crate) fn tender_record(&self, tender: &Tender) -> SaleTender {
        let mut record = crate::receipt::tender_entry(tender, &self.store);
        if let SaleTender::ExternalCard { reference, terminal, .. } = &mut record {
            *terminal = self.card_slips.get(reference.as_str()).cloned();
        }
        record
    }
}

fn request_of(row: &CardPaymentRow, amount: Money) -> CardRequest {
    CardRequest {
        receipt_no: row.receipt_no,
        previous_receipt_no: row.previous_receipt_no,
        id: row.id.clone(),
        kind: row.kind.clone(),
        amount: row.amount.clone(),
        amount_minor: amount.minor(),
        currency: row.currency.clone(),
        state: row.state.as_str(),
        reference: row.reference.clone(),
    }
}

/// Keeps of the terminal's slip only what may be kept: the masked number reduced to its last
/// four digits, and no text that passes for a card number.
fn scrub(slip: CardSlip) -> CardSlip {
    let masked_pan = slip.masked_pan.as_deref().map(last_four);
    let scrubbed = CardSlip {
        brand: slip.brand.map(|b| mask_pans(b.trim())),
        masked_pan,
        terminal_id: slip.terminal_id.map(|t| mask_pans(t.trim())),
        receipt: slip.receipt.iter().map(|l| mask_pans(l.trim_end())).collect(),
    };
    debug_assert_eq!(check_slip(&scrubbed), Ok(()));
    scrubbed
}
