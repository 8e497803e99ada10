//! Replays the UK retailer's invoice CSV into the London store, at the invoice dates and the
//! recorded unit prices: one sale per invoice with a positive total, a stock adjustment for an
//! invoice made only of zero-price lines, and one return per cancellation (`C` invoice).
//!
//! Each cancelled line is booked as a returned line against the latest earlier sale of that
//! stock code to that customer, at the same unit price, that still has that quantity left to
//! return (latest by invoice time, then by file order); its refund is then what that sale's
//! line was paid, from the sale's stored amounts. A line with no such sale (no customer, no
//! earlier sale, another price, or already returned) is a return without a receipt at the
//! cancellation's recorded price, its VAT at the rate of the day. The refund goes back on
//! account, like the invoices were paid.
//!
//! Each invoice is booked under an external reference (`invoice:536365`) that the ledger keeps
//! unique, so a second run of the same file books nothing.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeZone};
use comptoir_core::catalog::{ItemKind, Sku};
use comptoir_core::refund::{self, LineRefund, Refunded, SoldLine};
use comptoir_core::tax::{TaxClass, TaxableLine};
use comptoir_core::tender::{Settlement, Tender};
use comptoir_core::{Cart, Line, LineId, Money};
use comptoir_store::NewEntry;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::entry::{self, kind};
use crate::error::{AppError, AppResult};
use crate::import::RowError;
use crate::receipt::{self, SaleMeta};
use crate::register::{Register, kind_name, parse_payload, to_json};

/// What a replay did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ReplaySummary {
    pub invoices: u64,
    pub sales: u64,
    pub stock_adjustments: u64,
    /// Cancellations booked as returns.
    pub returns: u64,
    /// Cancelled lines booked against an earlier sale, and without one.
    pub returned_lines_matched: u64,
    pub returned_lines_unmatched: u64,
    pub already_booked: u64,
    pub non_merchandise_lines: u64,
    /// What the sales took, VAT included.
    pub sales_total: String,
    /// What the returns gave back: against a sale, without one, and both.
    pub returns_matched: String,
    pub returns_unmatched: String,
    pub returns_total: String,
    /// Sales less returns.
    pub net: String,
    /// The VAT in `net`: the sales' less the returns'.
    pub tax_included: String,
    pub errors: Vec<RowError>,
}

/// A replayed sale's line, for the cancellations that may return it.
struct Sold {
    at: NaiveDateTime,
    order: usize,
    receipt_no: String,
    entry_id: String,
    line: entry::SaleLine,
    unit_price: Money,
    sold: SoldLine,
    refunded: Refunded,
}

/// The replayed sales' lines by customer and stock code, booked order kept.
#[derive(Default)]
struct SoldIndex {
    by_key: HashMap<(String, String), Vec<Sold>>,
    count: usize,
}

/// Invoices in file order with their lines, and the rows that did not parse.
type Invoices = (Vec<(String, Vec<InvoiceLine>)>, Vec<RowError>);

struct InvoiceLine {
    line: u64,
    stock_code: String,
    description: String,
    quantity: Decimal,
    unit_price: Money,
    date: NaiveDateTime,
    customer: String,
}

impl Register {
    /// Books an invoice file. Rows that do not parse are reported and their invoice skipped.
    pub fn replay(&mut self, csv_text: &str) -> AppResult<ReplaySummary> {
        // The invoices are a UK retailer's, in pounds with VAT included: booking them into a
        // store with another currency or tax regime would make every figure wrong.
        if self.store.currency.code != "GBP" || !self.store.regime.prices_include_tax {
            return Err(AppError::new(
                "wrong_store",
                format!(
                    "these invoices are in GBP with VAT included; this register is {} ({}): replay into a London register",
                    self.store.config.code, self.store.currency.code
                ),
            ));
        }
        let (invoices, errors) = self.read_invoices(csv_text)?;
        let mut summary = ReplaySummary { errors, ..ReplaySummary::default() };
        let (mut total, mut tax) = (Money::ZERO, Money::ZERO);
        let mut returned = Returned::default();
        let mut index = self.replayed_sales()?;
        for (number, lines) in invoices {
            summary.invoices += 1;
            let reference = format!("invoice:{number}");
            if self.db.has_external_ref(&reference)? {
                summary.already_booked += 1;
                continue;
            }
            if number.starts_with('C') {
                match self.book_cancellation(&number, &reference, &lines, &mut index)? {
                    Ok(booked) => {
                        summary.returns += 1;
                        returned.add(&booked);
                    }
                    Err(reason) => summary.errors.push(RowError { line: lines[0].line, reason }),
                }
                continue;
            }
            if lines.iter().all(|l| l.unit_price.is_zero()) {
                self.book_adjustment(&number, &reference, &lines)?;
                summary.stock_adjustments += 1;
                continue;
            }
            let Some((sale_total, sale_tax, non_merchandise)) =
                self.book_invoice(&number, &reference, &lines, &mut index)?
            else {
                let reason = format!("{number}: the invoice's total is not positive: not booked");
                summary.errors.push(RowError { line: lines[0].line, reason });
                continue;
            };
            summary.sales += 1;
            summary.non_merchandise_lines += non_merchandise;
            total += sale_total;
            tax += sale_tax;
        }
        let money = |m: Money| self.store.money(m);
        summary.sales_total = money(total);
        summary.returned_lines_matched = returned.matched_lines;
        summary.returned_lines_unmatched = returned.unmatched_lines;
        summary.returns_matched = money(returned.matched);
        summary.returns_unmatched = money(returned.unmatched);
        summary.returns_total = money(returned.matched + returned.unmatched);
        summary.net = money(total - returned.matched - returned.unmatched);
        summary.tax_included = money(tax - returned.tax);
        tracing::info!(
            sales = summary.sales,
            adjustments = summary.stock_adjustments,
            "replay done"
        );
        Ok(summary)
    }

    fn read_invoices(&self, csv_text: &str) -> AppResult<Invoices> {
        let mut reader = csv::Reader::from_reader(
            csv_text.strip_prefix('\u{feff}').unwrap_or(csv_text).as_bytes(),
        );
        let headers = reader
            .headers()
            .map_err(|e| AppError::new("invalid_replay", format!("line 1: {e}")))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| AppError::new("invalid_replay", format!("line 1: no column {name}")))
        };
        let columns = [
            column("InvoiceNo")?,
            column("StockCode")?,
            column("Description")?,
            column("Quantity")?,
            column("InvoiceDate")?,
            column("UnitPrice")?,
            column("CustomerID")?,
        ];
        let mut order: Vec<String> = Vec::new();
        let mut by_invoice: HashMap<String, Vec<InvoiceLine>> = HashMap::new();
        let mut errors = Vec::new();
        let mut broken = std::collections::HashSet::new();
        for (n, record) in reader.records().enumerate() {
            let line = n as u64 + 2;
            let record =
                record.map_err(|e| AppError::new("invalid_replay", format!("line {line}: {e}")))?;
            let get = |i: usize| record.get(columns[i]).unwrap_or("").trim();
            let invoice = get(0).to_owned();
            match self.invoice_line(line, &get) {
                Ok(parsed) => {
                    if !by_invoice.contains_key(&invoice) {
                        order.push(invoice.clone());
                    }
                    by_invoice.entry(invoice).or_default().push(parsed);
                }
                Err(reason) => {
                    errors.push(RowError {
                        line,
                        reason: format!("{invoice}: {reason}: invoice not booked"),
                    });
                    broken.insert(invoice);
                }
            }
        }
        // An invoice with a bad row is not booked at all: half an invoice is a wrong sale.
        let invoices = order.into_iter().filter(|n| !broken.contains(n)).map(|n| {
            let lines = by_invoice.remove(&n).unwrap_or_default();
            (n, lines)
        });
        Ok((invoices.collect(), errors))
    }

    fn invoice_line<'a>(
        &self,
        line: u64,
        get: &dyn Fn(usize) -> &'a str,
    ) -> Result<InvoiceLine, String> {
        let quantity: Decimal =
            get(3).parse().map_err(|_| format!("quantity {:?} is not a number", get(3)))?;
        let price: Decimal =
            get(5).parse().map_err(|_| format!("unit price {:?} is not a number", get(5)))?;
        let unit_price = self.store.currency.round(price, comptoir_core::RoundingMode::HalfUp);
        let date = NaiveDateTime::parse_from_str(get(4), "%Y-%m-%d %H:%M")
            .map_err(|_| format!("date {:?} is not YYYY-MM-DD HH:MM", get(4)))?;
        Ok(InvoiceLine {
            line,
            stock_code: get(1).to_owned(),
            description: get(2).to_owned(),
            quantity,
            unit_price,
            date,
            customer: get(6).to_owned(),
        })
    }
}

fn replay_entry(
    store: &crate::config::Store,
    kind: &str,
    date: NaiveDateTime,
    receipt: Option<(i64, String)>,
    reference: &str,
    payload: String,
) -> AppResult<NewEntry> {
    let local = store.tz.from_local_datetime(&date).earliest().ok_or_else(|| {
        AppError::new("invalid_replay", format!("{date} does not exist in {}", store.tz))
    })?;
    Ok(NewEntry {
        kind: kind.to_owned(),
        recorded_at: local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        business_day: local.date_naive().to_string(),
        receipt_seq: receipt.as_ref().map(|r| r.0),
        receipt_no: receipt.map(|r| r.1),
        external_ref: Some(reference.to_owned()),
        payload,
    })
}

impl Register {
    fn book_adjustment(
        &mut self,
        number: &str,
        reference: &str,
        lines: &[InvoiceLine],
    ) -> AppResult<()> {
        let payload = entry::StockAdjustment {
            v: entry::VERSION,
            reference: reference.to_owned(),
            reason: "zero-price invoice (damaged, found or recounted goods)".to_owned(),
            lines: lines
                .iter()
                .map(|l| entry::StockLine {
                    sku: l.stock_code.clone(),
                    name: l.description.clone(),
                    delta: (-l.quantity).to_string(),
                })
                .collect(),
        };
        let new = replay_entry(
            &self.store,
            kind::STOCK_ADJUSTMENT,
            lines[0].date,
            None,
            reference,
            to_json(&payload)?,
        )?;
        self.db.append(new)?;
        tracing::debug!(invoice = number, "stock adjustment booked");
        Ok(())
    }

    /// Books one invoice as a sale; `None` when its total is not positive.
    fn book_invoice(
        &mut self,
        number: &str,
        reference: &str,
        lines: &[InvoiceLine],
        index: &mut SoldIndex,
    ) -> AppResult<Option<(Money, Money, u64)>> {
        let mut cart = Cart::new();
        let mut non_merchandise = 0;
        for (index, invoice_line) in lines.iter().enumerate() {
            let item = self.catalog.by_sku(&invoice_line.stock_code);
            let kind = item.map_or(ItemKind::Item, |i| i.kind);
            if kind == ItemKind::NonMerchandise {
                non_merchandise += 1;
            }
            cart.add_line(Line {
                id: LineId(index as u32 + 1),
                sku: Sku(invoice_line.stock_code.clone()),
                barcode: None,
                name: invoice_line.description.clone(),
                unit_price: invoice_line.unit_price,
                quantity: invoice_line.quantity,
                tax_class: item.map_or_else(|| TaxClass::new("standard"), |i| i.tax_class.clone()),
                kind,
                open_price: false,
                discount: None,
                price_override: None,
            })
            .map_err(|e| {
                AppError::new("invalid_replay", format!("line {}: {e}", invoice_line.line))
            })?;
        }
        let day = lines[0].date.date();
        let priced = cart.price(&self.store.regime, day);
        if priced.total.minor() <= 0 {
            return Ok(None);
        }
        let tenders =
            [Tender::OnAccount { amount: priced.total, reference: format!("invoice {number}") }];
        let settlement = Settlement::of(priced.total, &tenders, &self.store.currency);
        let mut tx = self.db.begin()?;
        let counter = tx.next_receipt_seq()?;
        let receipt_no = receipt::number_for(&self.store, &self.register, counter);
        let customer = Some(lines[0].customer.clone()).filter(|c| !c.is_empty());
        let sale = receipt::sale_entry(
            &self.store,
            &priced,
            &tenders,
            &settlement,
            SaleMeta {
                receipt_no: receipt_no.clone(),
                shift_no: None,
                cashier_id: "replay".to_owned(),
                source: "replay",
                invoice: Some(number.to_owned()),
                customer,
                order_discount: None,
                exemption: None,
                coupons: Vec::new(),
            },
        );
        let new = replay_entry(
            &self.store,
            kind::SALE,
            lines[0].date,
            Some((counter, receipt_no)),
            reference,
            to_json(&sale)?,
        )?;
        let entry = tx.append(new)?;
        tx.commit()?;
        index.add_sale(self, &entry.entry_id, lines[0].date, &sale)?;
        Ok(Some((priced.total, priced.taxes.included() + priced.taxes.added(), non_merchandise)))
    }

    /// The sales and returns earlier replays booked, so a file replayed again (or a later
    /// week) returns against them and never returns a line twice.
    fn replayed_sales(&self) -> AppResult<SoldIndex> {
        let mut index = SoldIndex::default();
        let kinds = [kind::SALE, kind::RETURN];
        for entry in self.db.entries_of_kinds(&kinds, (0, 0))? {
            let sale: entry::Sale = parse_payload(&entry.payload)?;
            if sale.source != "replay" {
                continue;
            }
            let at = chrono::DateTime::parse_from_rfc3339(&entry.recorded_at)
                .map_err(|_| AppError::new("invalid_replay", "a replayed entry's time"))?
                .naive_local();
            index.add_sale(self, &entry.entry_id, at, &sale)?;
            for line in &sale.returns {
                index.add_return(self, sale.customer.as_deref(), line)?;
            }
        }
        Ok(index)
    }

    /// Books a cancellation as one return; `Err` with the reason when it cannot be.
    fn book_cancellation(
        &mut self,
        number: &str,
        reference: &str,
        lines: &[InvoiceLine],
        index: &mut SoldIndex,
    ) -> AppResult<Result<Booked, String>> {
        let customer = Some(lines[0].customer.clone()).filter(|c| !c.is_empty());
        let mut returns = Vec::with_capacity(lines.len());
        let mut booked = Booked::default();
        for (n, line) in lines.iter().enumerate() {
            if !line.quantity.is_sign_negative() || line.quantity.is_zero() {
                return Ok(Err(format!(
                    "{number}: line {}: a cancellation's quantity is negative: not booked",
                    line.line
                )));
            }
            let quantity = -line.quantity;
            let number_in_entry = n as u32 + 1;
            let returned = match index.take(customer.as_deref(), line, quantity) {
                Some((sold, refund)) => {
                    booked.matched_lines += 1;
                    self.matched_return(number_in_entry, sold, &refund, quantity)
                }
                None => {
                    booked.unmatched_lines += 1;
                    self.unmatched_return(number, number_in_entry, line, quantity)
                }
            };
            let refund = self.parse_money(&returned.refund)?;
            match returned.original {
                Some(_) => booked.matched += refund,
                None => booked.unmatched += refund,
            }
            for tax in &returned.taxes {
                booked.tax += self.parse_money(&tax.amount)?;
            }
            returns.push(returned);
        }
        let refund = booked.matched + booked.unmatched;
        let money = |m: Money| self.store.money(m);
        let mut tx = self.db.begin()?;
        let counter = tx.next_receipt_seq()?;
        let receipt_no = receipt::number_for(&self.store, &self.register, counter);
        let payload = entry::Sale {
            v: entry::VERSION,
            receipt_no: receipt_no.clone(),
            shift_no: None,
            cashier_id: "replay".to_owned(),
            currency: self.store.currency.code.clone(),
            prices_include_tax: self.store.regime.prices_include_tax,
            subtotal: money(Money::ZERO),
            total: money(-refund),
            cash_rounding: money(Money::ZERO),
            tenders: vec![entry::SaleTender::OnAccount {
                amount: money(-refund),
                reference: format!("credit note {number}"),
            }],
            change: money(Money::ZERO),
            source: "replay".to_owned(),
            invoice: Some(number.to_owned()),
            customer,
            returns,
            refund: Some(money(refund)),
            ..entry::Sale::default()
        };
        let new = replay_entry(
            &self.store,
            kind::RETURN,
            lines[0].date,
            Some((counter, receipt_no)),
            reference,
            to_json(&payload)?,
        )?;
        tx.append(new)?;
        tx.commit()?;
        tracing::debug!(invoice = number, "cancellation booked as a return");
        Ok(Ok(booked))
    }

    fn matched_return(
        &self,
        number: u32,
        sold: &Sold,
        refund: &LineRefund,
        quantity: Decimal,
    ) -> entry::ReturnLine {
        let money = |m: Money| self.store.money(m);
        entry::ReturnLine {
            line: number,
            original: Some(entry::OriginalLine {
                receipt_no: sold.receipt_no.clone(),
                line: sold.line.line,
                entry: Some(sold.entry_id.clone()),
            }),
            sku: sold.line.sku.clone(),
            name: sold.line.name.clone(),
            qty: quantity.normalize().to_string(),
            unit_price: sold.line.unit_price.clone(),
            net: money(refund.net),
            taxes: sold
                .line
                .taxes
                .iter()
                .zip(&refund.taxes)
                .map(|(t, amount)| entry::LineTax { amount: money(*amount), ..t.clone() })
                .collect(),
            refund: money(refund.paid),
            tax_class: sold.line.tax_class.clone(),
            kind: sold.line.kind.clone(),
            disposition: "restock".to_owned(),
            reason: "cancellation".to_owned(),
            price_policy: None,
            approved_by: None,
        }
    }

    /// A cancelled line with no sale to return against: refunded at its recorded price, its
    /// VAT at the rate of the day.
    fn unmatched_return(
        &self,
        invoice: &str,
        number: u32,
        line: &InvoiceLine,
        quantity: Decimal,
    ) -> entry::ReturnLine {
        let money = |m: Money| self.store.money(m);
        let item = self.catalog.by_sku(&line.stock_code);
        let class = item.map_or_else(|| TaxClass::new("standard"), |i| i.tax_class.clone());
        let kind = item.map_or(ItemKind::Item, |i| i.kind);
        let net = line.unit_price.mul_round(quantity, comptoir_core::RoundingMode::HalfUp);
        let taxes = self
            .store
            .regime
            .compute(&[TaxableLine { amount: net, class: &class }], line.date.date());
        let paid = net + taxes.added();
        entry::ReturnLine {
            line: number,
            original: None,
            sku: line.stock_code.clone(),
            name: line.description.clone(),
            qty: quantity.normalize().to_string(),
            unit_price: money(line.unit_price),
            net: money(net),
            taxes: crate::receipt::line_taxes(&self.store, &taxes, 0),
            refund: money(paid),
            tax_class: class.0,
            kind: kind_name(kind).to_owned(),
            disposition: if kind == ItemKind::Item { "restock" } else { "write_off" }.to_owned(),
            reason: format!("cancellation {invoice} without an earlier sale to return against"),
            price_policy: Some("invoice".to_owned()),
            approved_by: None,
        }
    }
}

/// What one cancellation gave back.
#[derive(Default)]
struct Booked {
    matched: Money,
    unmatched: Money,
    tax: Money,
    matched_lines: u64,
    unmatched_lines: u64,
}

/// What the replay's cancellations gave back, summed.
#[derive(Default)]
struct Returned {
    matched: Money,
    unmatched: Money,
    tax: Money,
    matched_lines: u64,
    unmatched_lines: u64,
}

impl Returned {
    fn add(&mut self, booked: &Booked) {
        self.matched += booked.matched;
        self.unmatched += booked.unmatched;
        self.tax += booked.tax;
        self.matched_lines += booked.matched_lines;
        self.unmatched_lines += booked.unmatched_lines;
    }
}

impl SoldIndex {
    fn add_sale(
        &mut self,
        register: &Register,
        entry_id: &str,
        at: NaiveDateTime,
        sale: &entry::Sale,
    ) -> AppResult<()> {
        let Some(customer) = sale.customer.clone() else {
            return Ok(());
        };
        for line in &sale.lines {
            let sold = register.sold_line(sale, line)?;
            let unit_price = register.parse_money(&line.unit_price)?;
            let key = (customer.clone(), line.sku.clone());
            self.count += 1;
            self.by_key.entry(key).or_default().push(Sold {
                at,
                order: self.count,
                receipt_no: sale.receipt_no.clone(),
                entry_id: entry_id.to_owned(),
                line: line.clone(),
                unit_price,
                sold,
                refunded: Refunded::default(),
            });
        }
        Ok(())
    }

    /// Counts a return an earlier replay booked against the line it names.
    fn add_return(
        &mut self,
        register: &Register,
        customer: Option<&str>,
        line: &entry::ReturnLine,
    ) -> AppResult<()> {
        let (Some(customer), Some(original)) = (customer, &line.original) else {
            return Ok(());
        };
        let key = (customer.to_owned(), line.sku.clone());
        let Some(sold) = self.by_key.get_mut(&key).and_then(|all| {
            all.iter_mut()
                .find(|s| s.receipt_no == original.receipt_no && s.line.line == original.line)
        }) else {
            return Ok(());
        };
        let taxes =
            line.taxes.iter().map(|t| register.parse_money(&t.amount)).collect::<AppResult<_>>()?;
        sold.refunded.add(&LineRefund {
            quantity: crate::register::stored_quantity(&line.qty)?,
            net: register.parse_money(&line.net)?,
            taxes,
            paid: register.parse_money(&line.refund)?,
        });
        Ok(())
    }

    /// The latest earlier sale of the line's stock code to the customer, at its price, with
    /// the quantity left; its refund is taken from what is left to return.
    fn take(
        &mut self,
        customer: Option<&str>,
        line: &InvoiceLine,
        quantity: Decimal,
    ) -> Option<(&Sold, LineRefund)> {
        let key = (customer?.to_owned(), line.stock_code.clone());
        let all = self.by_key.get_mut(&key)?;
        let best = all
            .iter_mut()
            .filter(|s| s.at <= line.date && s.sold.quantity - s.refunded.quantity >= quantity)
            .filter(|s| s.unit_price == line.unit_price)
            .max_by_key(|s| (s.at, s.order))?;
        let refund = refund::refund_line(&best.sold, &best.refunded, quantity).ok()?;
        best.refunded.add(&refund);
        Some((&*best, refund))
    }
}
