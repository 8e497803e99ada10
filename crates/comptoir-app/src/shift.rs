//! Cash in and out of the drawer outside sales, and the shift's X and Z reports.

use std::collections::BTreeMap;

use comptoir_core::Money;
use comptoir_core::shift::ShiftCash;

use crate::entry::{self, kind};
use crate::error::{AppError, AppResult};
use crate::i18n::word;
use crate::receipt;
use crate::register::{Register, parse_payload, required_reason, stamp, to_json};
use crate::view::{ReportCash, ReportTax, ReportTender, ReportView};

/// Whether what was recorded also printed: the outer result of a use case says whether it was
/// recorded; this says whether its slip (and the drawer kick) reached the printer.
pub type Printed = Result<(), AppError>;

/// The three ways cash moves outside a sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawerMovement {
    PaidIn,
    PaidOut,
    NoSale,
}

impl DrawerMovement {
    fn kind(self) -> &'static str {
        match self {
            DrawerMovement::PaidIn => kind::PAID_IN,
            DrawerMovement::PaidOut => kind::PAID_OUT,
            DrawerMovement::NoSale => kind::NO_SALE,
        }
    }

    fn permission(self) -> &'static str {
        match self {
            DrawerMovement::PaidIn => "paid_in",
            DrawerMovement::PaidOut => "paid_out",
            DrawerMovement::NoSale => "no_sale",
        }
    }
}

impl Register {
    /// Records money put in or taken out of the drawer, or a drawer opened without a sale;
    /// each is an audited entry with a reason, committed before the drawer opens. An error
    /// means nothing was recorded; `Ok(Err(..))` means recorded, but the drawer did not open
    /// or the slip did not print.
    pub fn drawer_movement(
        &mut self,
        movement: DrawerMovement,
        amount: Option<&str>,
        reason: &str,
    ) -> AppResult<Printed> {
        let opening = match movement {
            DrawerMovement::NoSale => comptoir_printer::OpeningReason::NoSale,
            _ => comptoir_printer::OpeningReason::CashMovement,
        };
        let session = self.require(movement.permission())?.clone();
        let shift_no = self.require_shift()?.number;
        let reason = required_reason(reason)?;
        let amount = match (movement, amount) {
            (DrawerMovement::NoSale, _) => Money::ZERO,
            (_, Some(text)) => self.parse_amount(text)?,
            (_, None) => return Err(AppError::new("invalid_amount", "an amount is required")),
        };
        if movement != DrawerMovement::NoSale && amount.is_zero() {
            return Err(AppError::new("invalid_amount", "the amount must be more than zero"));
        }
        if movement == DrawerMovement::PaidOut {
            // The drawer cannot hand out cash it does not hold.
            let held = self.drawer_expected()?;
            if amount > held {
                return Err(AppError::new(
                    "drawer_short",
                    format!(
                        "the drawer should hold {}: {} cannot be paid out of it",
                        self.store.money(held),
                        self.store.money(amount)
                    ),
                ));
            }
        }
        let payload = entry::DrawerMovement {
            v: entry::VERSION,
            shift_no,
            cashier_id: session.cashier_id.clone(),
            amount: self.store.money(amount),
            reason: reason.clone(),
        };
        let mut tx = self.db.begin()?;
        let recorded =
            tx.append(stamp(&self.store, &*self.clock, movement.kind(), None, to_json(&payload)?))?;
        let shown = (movement != DrawerMovement::NoSale).then(|| payload.amount.clone());
        let document = receipt::drawer_slip(
            &self.store,
            word(movement.kind(), &self.lang),
            shown.as_deref(),
            &reason,
            &session.name,
            &recorded.recorded_at,
            &self.lang,
        );
        let id =
            format!("{}-{}-{}", movement.kind().replace('_', ""), recorded.epoch, recorded.seq);
        let job =
            self.printer.job_row(&id, movement.kind(), None, &document, &recorded.recorded_at);
        tx.queue_print_job(&job)?;
        tx.commit()?;
        let opened = self.open_drawer(opening, None);
        let printed = self.flush_print_queue();
        if let Err(error) = &opened {
            self.drawer_failed(error);
        }
        tracing::info!(
            kind = movement.kind(),
            seq = recorded.seq,
            opened = opened.is_ok(),
            "drawer movement recorded"
        );
        Ok(opened.and(printed))
    }

    /// The cash the drawer should hold now: the open shift's expected cash.
    pub(crate) fn drawer_expected(&self) -> AppResult<Money> {
        let shift = self.require_shift()?.clone();
        let expected = self.shift_report(&shift, None, None)?.cash.expected;
        self.parse_money(&expected)
    }

    /// The X report: the open shift so far. Prints it and returns it.
    pub fn report_x(&mut self) -> AppResult<ReportView> {
        self.cashier()?;
        let shift = self.require_shift()?.clone();
        let report = self.shift_report(&shift, None, None)?;
        let document = receipt::report_document(&self.store, &report, &self.lang);
        let now = self.local_now();
        let mut tx = self.db.begin()?;
        let n = tx.next_counter("x_report")?;
        let job = self.printer.job_row(&format!("x-{n}"), "x_report", None, &document, &now);
        tx.queue_print_job(&job)?;
        tx.commit()?;
        self.report = Some(report.clone());
        let _ = self.flush_print_queue();
        Ok(report)
    }

    /// Closes the shift on the counted cash: a numbered Z report, expected against counted.
    pub fn close_shift(&mut self, counted: &str) -> AppResult<ReportView> {
        let session = self.cashier()?.clone();
        let shift_no = self.require_shift()?.number;
        if !self.cart.is_empty() || !self.tenders.is_empty() {
            return Err(AppError::new("cart_not_empty", "finish, park or void the cart first"));
        }
        let counted = self.parse_amount(counted)?;
        let shift = self.require_shift()?.clone();
        let mut report = self.shift_report(&shift, None, Some(counted))?;
        let (_, up_to_seq) = self.db.last_position()?;
        let mut tx = self.db.begin()?;
        let z_no = tx.next_counter("z_report")?;
        report.kind = "z";
        report.number = z_no;
        let payload = entry::ShiftClosed {
            v: entry::VERSION,
            shift_no,
            z_no,
            cashier_id: session.cashier_id.clone(),
            expected: report.cash.expected.clone(),
            counted: self.store.money(counted),
            difference: report.cash.difference.clone().unwrap_or_default(),
            up_to_seq,
        };
        let recorded = tx.append(stamp(
            &self.store,
            &*self.clock,
            kind::SHIFT_CLOSED,
            None,
            to_json(&payload)?,
        ))?;
        report.closed_at = Some(recorded.recorded_at.clone());
        let document = receipt::report_document(&self.store, &report, &self.lang);
        let job = self.printer.job_row(
            &format!("z-{z_no}"),
            "z_report",
            None,
            &document,
            &recorded.recorded_at,
        );
        tx.queue_print_job(&job)?;
        tx.commit()?;
        tracing::info!(shift = shift_no, z = z_no, "shift closed");
        self.shift = None;
        self.report = Some(report.clone());
        let _ = self.flush_print_queue();
        Ok(report)
    }

    /// A closed shift's Z report, recomputed from the ledger: the last one, or number `z_no`.
    pub fn z_report(&self, z_no: Option<i64>) -> AppResult<ReportView> {
        let closings = self.db.entries_of_kinds(&[kind::SHIFT_CLOSED], (0, 0))?;
        let closing = closings
            .iter()
            .rev()
            .find_map(|e| {
                let payload: entry::ShiftClosed = parse_payload(&e.payload).ok()?;
                (z_no.is_none() || z_no == Some(payload.z_no)).then_some((e, payload))
            })
            .ok_or_else(|| AppError::new("no_such_report", "no Z report with that number"))?;
        let (closed, payload) = closing;
        let openings = self.db.entries_of_kinds(&[kind::SHIFT_OPENED], (0, 0))?;
        let opened = openings
            .iter()
            .find(|e| {
                parse_payload::<entry::ShiftOpened>(&e.payload)
                    .is_ok_and(|p| p.shift_no == payload.shift_no)
            })
            .ok_or_else(|| {
                AppError::new(
                    "storage_corrupt",
                    format!("shift {} has no opening entry", payload.shift_no),
                )
            })?;
        let opening: entry::ShiftOpened = parse_payload(&opened.payload)?;
        let shift = crate::register::OpenShift {
            number: payload.shift_no,
            opened_at: opened.recorded_at.clone(),
            float: self.parse_money(&opening.float)?,
            from: (opened.epoch, opened.seq),
        };
        let counted = self.parse_money(&payload.counted)?;
        let mut report =
            self.shift_report(&shift, Some((closed.epoch, closed.seq)), Some(counted))?;
        report.kind = "z";
        report.number = payload.z_no;
        report.closed_at = Some(closed.recorded_at.clone());
        Ok(report)
    }

    /// Sums a shift's entries, up to `until` for a closed shift. `counted` adds the cash-up.
    fn shift_report(
        &self,
        shift: &crate::register::OpenShift,
        until: Option<(i64, i64)>,
        counted: Option<Money>,
    ) -> AppResult<ReportView> {
        let kinds = [
            kind::SALE,
            kind::RETURN,
            kind::EXCHANGE,
            kind::PAID_IN,
            kind::PAID_OUT,
            kind::NO_SALE,
            kind::CART_VOIDED,
        ];
        let entries = self.db.entries_of_kinds(&kinds, shift.from)?;
        let mut totals = Totals::default();
        let acked = self.db.sync_acked()?;
        let mut unsynced_sales = 0;
        for recorded in entries.iter().filter(|e| until.is_none_or(|u| (e.epoch, e.seq) < u)) {
            totals.add(self, &recorded.kind, &recorded.payload)?;
            if kind::is_sale_like(&recorded.kind) && (recorded.epoch, recorded.seq) > acked {
                unsynced_sales += 1;
            }
        }
        let unsynced_sales = self.db.sync_server()?.map(|_| unsynced_sales);
        let cash = ShiftCash {
            float: shift.float,
            cash_sales: totals.cash_kept,
            paid_in: totals.paid_in,
            paid_out: totals.paid_out,
            cash_refunds: totals.cash_refunds,
        };
        let money = |m: Money| self.store.money(m);
        Ok(ReportView {
            kind: "x",
            number: shift.number,
            shift: shift.number,
            opened_at: shift.opened_at.clone(),
            closed_at: None,
            sales_count: totals.sales,
            gross: money(totals.gross),
            returns_count: totals.returns,
            refunds: money(totals.refunds),
            refunds_rounding: money(totals.refunds_rounding),
            taxes: totals
                .taxes
                .iter()
                .map(|((code, rate), (base, amount))| ReportTax {
                    code: code.clone(),
                    label: self.store.tax_label(code, &self.lang),
                    rate: receipt::percent(rate),
                    base: money(*base),
                    amount: money(*amount),
                })
                .collect(),
            tenders: totals
                .tenders
                .iter()
                .map(|(kind, (count, amount))| ReportTender {
                    kind: kind.clone(),
                    count: *count,
                    amount: money(*amount),
                })
                .collect(),
            voids: totals.voids,
            no_sales: totals.no_sales,
            cash: ReportCash {
                float: money(cash.float),
                cash_sales: money(cash.cash_sales),
                paid_in: money(cash.paid_in),
                paid_out: money(cash.paid_out),
                cash_refunds: money(cash.cash_refunds),
                expected: money(cash.expected()),
                counted: counted.map(money),
                difference: counted.map(|c| money(cash.difference(c))),
            },
            unsynced_sales,
        })
    }
}

#[derive(Default)]
struct Totals {
    sales: u64,
    gross: Money,
    taxes: BTreeMap<(String, String), (Money, Money)>,
    tenders: BTreeMap<String, (u64, Money)>,
    cash_kept: Money,
    cash_refunds: Money,
    returns: u64,
    refunds: Money,
    refunds_rounding: Money,
    paid_in: Money,
    paid_out: Money,
    voids: u64,
    no_sales: u64,
}

impl Totals {
    fn add(&mut self, register: &Register, kind: &str, payload: &str) -> AppResult<()> {
        let money = |text: &str| register.parse_money(text);
        match kind {
            kind::SALE | kind::RETURN | kind::EXCHANGE => {
                let sale: entry::Sale = parse_payload(payload)?;
                // Replayed invoices belong to no shift: they never touch a drawer.
                if sale.shift_no.is_none() {
                    return Ok(());
                }
                if !sale.lines.is_empty() {
                    self.sales += 1;
                }
                if !sale.returns.is_empty() {
                    self.returns += 1;
                }
                let rounding = money(&sale.cash_rounding)?;
                let refund = sale.refund.as_deref().map(money).transpose()?.unwrap_or_default();
                // Gross is what the new lines brought in (with a sale's cash rounding); refunds
                // and their rounding are shown apart.
                self.gross += money(&sale.total)? + refund;
                if refund.is_zero() {
                    self.gross += rounding;
                } else {
                    self.refunds_rounding += rounding;
                }
                self.refunds += refund;
                for tax in sale.taxes.iter().filter(|t| !t.exempt) {
                    let slot = self.taxes.entry((tax.code.clone(), tax.rate.clone())).or_default();
                    slot.0 += money(&tax.base)?;
                    slot.1 += money(&tax.amount)?;
                }
                // A returned line gives its stored tax back, on its base: the shift owes that
                // much less, on that much less.
                for line in &sale.returns {
                    let net = money(&line.net)?;
                    let mut base = net;
                    if sale.prices_include_tax {
                        for tax in &line.taxes {
                            base -= money(&tax.amount)?;
                        }
                    }
                    for tax in line.taxes.iter().filter(|t| !t.exempt) {
                        let slot =
                            self.taxes.entry((tax.code.clone(), tax.rate.clone())).or_default();
                        slot.0 -= base;
                        slot.1 -= money(&tax.amount)?;
                    }
                }
                // Change comes out of the cash legs once per sale, however many there are.
                let mut change = money(&sale.change)?;
                for tender in &sale.tenders {
                    let (name, amount) = match tender {
                        entry::SaleTender::Cash { tendered } => {
                            ("cash", money(tendered)? - std::mem::take(&mut change))
                        }
                        entry::SaleTender::ExternalCard { amount, .. } => ("card", money(amount)?),
                        entry::SaleTender::OnAccount { amount, .. } => {
                            ("on_account", money(amount)?)
                        }
                        entry::SaleTender::StoreCredit { amount, .. } => {
                            ("store_credit", money(amount)?)
                        }
                    };
                    match name {
                        "cash" if amount.is_negative() => self.cash_refunds -= amount,
                        "cash" => self.cash_kept += amount,
                        _ => {}
                    }
                    let slot = self.tenders.entry(name.to_owned()).or_default();
                    slot.0 += 1;
                    slot.1 += amount;
                }
            }
            kind::PAID_IN => {
                self.paid_in += money(&parse_payload::<entry::DrawerMovement>(payload)?.amount)?
            }
            kind::PAID_OUT => {
                self.paid_out += money(&parse_payload::<entry::DrawerMovement>(payload)?.amount)?
            }
            kind::NO_SALE => self.no_sales += 1,
            kind::CART_VOIDED => self.voids += 1,
            _ => {}
        }
        Ok(())
    }
}
