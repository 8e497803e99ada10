//! Builds the [`View`] the UI renders, and the receipt preview from stored job bytes.

use comptoir_core::cart::{Cart, PricedLine};
use comptoir_core::discount::{DiscountSource, ManualDiscount};
use comptoir_core::tender::Tender;
use comptoir_core::{Item, PricedCart};

use crate::error::{AppError, AppResult};
use crate::receipt::percent;
use crate::register::{Register, parse_payload, permissions};
use crate::view::*;

/// Keyboard-wedge scanner defaults: gaps under 35 ms, at least 6 characters.
pub const DEFAULT_BURST_GAP_MS: u32 = 35;
pub const DEFAULT_BURST_MIN_LEN: u32 = 6;

impl Register {
    /// The whole screen state.
    pub fn view(&mut self) -> AppResult<View> {
        self.poll_devices();
        let screen = self.screen();
        let store = &self.store;
        let money = |m| store.money(m);
        let priced = self.priced();
        let settlement = self.settle(&priced);
        let outcome = self.promotion_outcome();
        let cart = CartView {
            lines: priced
                .lines
                .iter()
                .map(|l| LineView {
                    line: l.line.id.0,
                    sku: l.line.sku.0.clone(),
                    barcode: l.line.barcode.clone(),
                    name: self.line_name(&l.line.sku.0, &l.line.name),
                    qty: l.line.quantity.normalize().to_string(),
                    unit_price: money(l.line.unit_price),
                    amount: money(l.amount),
                    tax_class: l.line.tax_class.0.clone(),
                    open_price: l.line.open_price,
                    discounts: l.discounts.iter().map(discount_view(store)).collect(),
                    net: money(l.net),
                    adjustments: line_adjustments(store, l),
                })
                .collect(),
            multiplier: self.multiplier.map(|m| m.normalize().to_string()),
            subtotal: money(priced.subtotal),
            taxes: priced
                .taxes
                .lines
                .iter()
                .filter(|t| !t.rate.is_zero())
                .map(|t| TaxView {
                    code: t.code.clone(),
                    label: store.tax_label(&t.code, &self.lang),
                    rate: percent(&t.rate.to_string()),
                    base: money(t.base),
                    amount: money(t.amount),
                    included: t.included,
                    exempt: t.exempt,
                })
                .collect(),
            total: money(priced.total),
            cash_total: money(store.currency.cash_round(settlement.total - settlement.card)),
            paid: money(settlement.card + settlement.cash_tendered),
            remaining: money(settlement.remaining),
            cash_remaining: money(settlement.cash_remaining),
            tenders: self.tenders.iter().map(tender_view(store)).collect(),
            last_line: self.last_line.map(|l| l.0),
            returns: self.returns.clone(),
            refund: money(self.refund_total()),
            due: money(settlement.total),
            savings: money(priced.savings()),
            promotions: outcome
                .applied
                .iter()
                .map(|a| PromotionView {
                    id: a.promotion.clone(),
                    label: self.promotion_label(&a.promotion, &a.label),
                    times: a.times,
                    saving: money(a.saving),
                })
                .collect(),
            coupons: self.coupon_states(&outcome),
            customer: self.attached_customer().map(|c| c.id.clone()),
            promotions_exact: outcome.is_exact(),
            adjustments: cart_adjustments(store, &self.cart, &priced, &self.lang),
        };
        let parked = self
            .db
            .parked()?
            .into_iter()
            .map(|row| parked_view(self, &row))
            .collect::<AppResult<Vec<_>>>()?;
        let pending = self.db.print_job_count(comptoir_store::PrintJobState::Pending)?;
        let printer_state = self.printer.state();
        let printer_message = (printer_state != "ok")
            .then(|| AppError::new(printer_code(printer_state), "").message(&self.lang));
        Ok(View {
            store: StoreView {
                code: store.config.code.clone(),
                name: store.config.name.clone(),
                currency: store.currency.code.clone(),
                lang: self.lang.clone(),
            },
            register: RegisterView {
                id: self.register.register_id.clone(),
                number: self.register.number,
            },
            screen,
            cashier: self.session.as_ref().map(|s| CashierView {
                id: s.cashier_id.clone(),
                name: s.name.clone(),
                role: s.role.clone(),
            }),
            locked_by: self.locked_by().map(str::to_owned),
            shift: self.shift.as_ref().map(|s| ShiftView {
                number: s.number,
                opened_at: s.opened_at.clone(),
                float: money(s.float),
            }),
            cart,
            last_sale: self.last_sale.as_ref().map(|c| LastSaleView {
                receipt_no: c.sale.receipt_no.clone(),
                total: c.sale.total.clone(),
                cash_rounding: c.sale.cash_rounding.clone(),
                change: c.sale.change.clone(),
                print_job: Some(c.print_job.clone()),
                kind: c.entry.kind.clone(),
                refund: c.sale.refund.clone(),
                tenders: c.sale.tenders.iter().map(recorded_tender_view).collect(),
            }),
            parked,
            printer: PrinterView {
                state: printer_state,
                kind: self.printer.setting().describe(),
                pending_jobs: pending,
                message: printer_message,
            },
            drawer: DrawerView { state: self.printer.drawer_state() },
            notice: self.notice.clone(),
            price_check: self.price_check.as_ref().map(|i| item_view(self, i)),
            search_results: self.search_results.iter().map(|i| item_view(self, i)).collect(),
            report: self.report.clone(),
            permissions: self.session.as_ref().map(|s| permissions(&s.role)).unwrap_or_default(),
            scanner: self.scanner_settings(),
            tax_classes: store.tax_classes(),
            languages: store.config.languages.clone(),
            sync: self.sync_view()?,
            stock: self.scanned_stock()?,
        })
    }

    /// The stock of the last line's item, when there is a line and a pulled stock.
    fn scanned_stock(&self) -> AppResult<Option<crate::view::StockView>> {
        let line = self.last_line.and_then(|id| self.cart.lines().iter().find(|l| l.id == id));
        match line {
            Some(line) if line.kind == comptoir_core::catalog::ItemKind::Item => {
                self.stock_view(&line.sku.0)
            }
            _ => Ok(None),
        }
    }

    fn screen(&self) -> &'static str {
        match (&self.session, self.locked, &self.shift) {
            (None, true, _) => "locked",
            (None, false, _) => "sign_in",
            (Some(_), _, None) => "open_shift",
            (Some(_), _, Some(_)) if !self.tenders.is_empty() => "tender",
            (Some(_), _, Some(_)) => "sale",
        }
    }

    fn line_name(&self, sku: &str, name: &str) -> String {
        self.catalog
            .by_sku(sku)
            .map_or_else(|| name.to_owned(), |i| i.name_in(&self.lang).to_owned())
    }

    pub fn scanner_settings(&self) -> ScannerView {
        let read = |key: &str, default: u32| {
            self.db
                .setting(key)
                .ok()
                .flatten()
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(default)
        };
        ScannerView {
            burst_max_gap_ms: read("scanner.burst_max_gap_ms", DEFAULT_BURST_GAP_MS),
            burst_min_len: read("scanner.burst_min_len", DEFAULT_BURST_MIN_LEN),
        }
    }

    /// Clears the transient parts of the screen (notice, dialogs' results, report).
    pub fn dismiss(&mut self) {
        self.notice = None;
        self.price_check = None;
        self.search_results.clear();
        self.report = None;
    }

    /// The lines of a printed job as the paper shows them, decoded from the stored bytes.
    /// No job id means the last receipt.
    pub fn receipt_preview(&self, job: Option<&str>) -> AppResult<PreviewView> {
        let row = match job {
            Some(id) => self
                .db
                .print_job(id)?
                .ok_or_else(|| AppError::new("no_such_job", format!("no print job {id}")))?,
            None => self
                .db
                .last_print_job("receipt")?
                .ok_or_else(|| AppError::new("nothing_to_reprint", "no receipt printed yet"))?,
        };
        let bytes = self.printer.printed_bytes(&row)?;
        let preview = comptoir_escpos_decoder::render(&bytes)
            .map_err(|e| AppError::new("internal", format!("preview of {}: {e}", row.id)))?;
        Ok(PreviewView { job: row.id, lines: crate::preview::lines(&preview) })
    }
}

fn printer_code(state: &str) -> &'static str {
    match state {
        "out_of_paper" => "printer_out_of_paper",
        "cover_open" => "printer_cover_open",
        _ => "printer_offline",
    }
}

fn tender_view(store: &crate::config::Store) -> impl Fn(&Tender) -> TenderView + '_ {
    move |tender| match tender {
        Tender::Cash { tendered } => TenderView {
            kind: "cash",
            amount: store.money(*tendered),
            reference: None,
            on_terminal: false,
        },
        Tender::ExternalCard { amount, reference } => TenderView {
            kind: "card",
            amount: store.money(*amount),
            reference: Some(reference.clone()),
            on_terminal: false,
        },
        Tender::OnAccount { amount, reference } => TenderView {
            kind: "on_account",
            amount: store.money(*amount),
            reference: Some(reference.clone()),
            on_terminal: false,
        },
        Tender::StoreCredit { amount, reference } => TenderView {
            kind: "store_credit",
            amount: store.money(*amount),
            reference: Some(reference.clone()),
            on_terminal: false,
        },
    }
}

/// A leg as the ledger recorded it.
fn recorded_tender_view(tender: &crate::entry::SaleTender) -> TenderView {
    use crate::entry::SaleTender;
    let on_terminal = matches!(tender, SaleTender::ExternalCard { terminal: Some(_), .. });
    let (kind, amount, reference) = match tender {
        SaleTender::Cash { tendered } => ("cash", tendered, None),
        SaleTender::ExternalCard { amount, reference, .. } => ("card", amount, Some(reference)),
        SaleTender::OnAccount { amount, reference } => ("on_account", amount, Some(reference)),
        SaleTender::StoreCredit { amount, reference } => ("store_credit", amount, Some(reference)),
    };
    TenderView { kind, amount: amount.clone(), reference: reference.cloned(), on_terminal }
}

fn discount_view(
    store: &crate::config::Store,
) -> impl Fn(&comptoir_core::discount::LineDiscount) -> LineDiscountView + '_ {
    use comptoir_core::discount::DiscountSource;
    move |discount| LineDiscountView {
        kind: discount.source.kind(),
        promotion: match &discount.source {
            DiscountSource::Promotion(id) => Some(id.clone()),
            _ => None,
        },
        label: discount.label.clone(),
        amount: store.money(discount.amount),
    }
}

fn item_view(register: &Register, item: &Item) -> ItemView {
    ItemView {
        sku: item.sku.0.clone(),
        barcode: item.gtin.as_ref().map(|g| g.display().to_owned()),
        name: item.name_in(&register.lang).to_owned(),
        price: item.price.map(|p| register.store.money(p)),
        tax_class: item.tax_class.0.clone(),
    }
}

fn parked_view(register: &Register, row: &comptoir_store::ParkedRow) -> AppResult<ParkedView> {
    #[derive(serde::Deserialize)]
    struct Lines {
        lines: Vec<Line>,
    }
    #[derive(serde::Deserialize)]
    struct Line {
        qty: String,
        unit_price: i64,
    }
    let parsed: Lines = parse_payload(&row.payload)?;
    let total: comptoir_core::Money = parsed
        .lines
        .iter()
        .map(|l| {
            let qty = l.qty.parse().unwrap_or_default();
            comptoir_core::Money::from_minor(l.unit_price)
                .mul_round(qty, comptoir_core::RoundingMode::HalfUp)
        })
        .sum();
    Ok(ParkedView {
        id: row.id,
        lines: parsed.lines.len(),
        total: register.store.money(total),
        parked_at: row.parked_at.clone(),
    })
}

// Discounts, price overrides and the tax exemption, kept apart from the promotions' fields.

fn line_adjustments(store: &crate::config::Store, l: &PricedLine) -> LineAdjustments {
    LineAdjustments {
        gross: store.money(l.amount),
        discounts: l
            .discounts
            .iter()
            .map(|d| DiscountView {
                kind: d.source.kind(),
                promotion: match &d.source {
                    DiscountSource::Promotion(id) => Some(id.clone()),
                    _ => None,
                },
                label: d.label.clone(),
                amount: store.money(d.amount),
            })
            .collect(),
        net: store.money(l.net),
        saved: store.money(l.saving()),
        line_discount: l.line.discount.as_ref().map(|d| {
            let (rule, value) = crate::receipt::rule_parts(store, &d.rule);
            ManualDiscountView { rule, value, reason: d.reason.clone() }
        }),
        price_override: l.line.price_override.as_ref().map(|o| PriceOverrideView {
            shelf_price: o.shelf_price.map(|p| store.money(p)),
            reason: o.reason.clone(),
        }),
    }
}

fn cart_adjustments(
    store: &crate::config::Store,
    cart: &Cart,
    priced: &PricedCart,
    lang: &str,
) -> CartAdjustments {
    let taxes = &store.taxes;
    CartAdjustments {
        gross: store.money(priced.gross),
        savings: store.money(priced.savings()),
        order_discount: cart.order_discount.as_ref().map(|d| order_discount_view(store, d, priced)),
        exemption: cart.exemption.as_ref().map(|e| ExemptionView {
            certificate: e.certificate.clone(),
            taxes: taxes.iter().filter(|t| e.covers(&t.code)).map(|t| t.code.clone()).collect(),
        }),
        exemptible: taxes
            .iter()
            .map(|t| TaxNameView { code: t.code.clone(), label: store.tax_label(&t.code, lang) })
            .collect(),
    }
}

fn order_discount_view(
    store: &crate::config::Store,
    discount: &ManualDiscount,
    priced: &PricedCart,
) -> OrderDiscountView {
    let taken = priced.discounted_by(&DiscountSource::Order);
    let (rule, value) = crate::receipt::rule_parts(store, &discount.rule);
    OrderDiscountView { rule, value, reason: discount.reason.clone(), amount: store.money(taken) }
}
