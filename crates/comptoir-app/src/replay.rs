//! Replays the UK retailer's invoice CSV into the London store, at the invoice dates and the
//! recorded unit prices: one sale per invoice with a positive total, a stock adjustment for an
//! invoice made only of zero-price lines, cancellations (`C` invoices) counted and left for the
//! money engine (returns).
//!
//! Each invoice is booked under an external reference (`invoice:536365`) that the ledger keeps
//! unique, so a second run of the same file books nothing.

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeZone};
use comptoir_core::catalog::{ItemKind, Sku};
use comptoir_core::tax::TaxClass;
use comptoir_core::tender::{Settlement, Tender};
use comptoir_core::{Cart, Line, LineId, Money};
use comptoir_store::NewEntry;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::entry::{self, kind};
use crate::error::{AppError, AppResult};
use crate::import::RowError;
use crate::receipt::{self, SaleMeta};
use crate::register::{Register, to_json};

/// What a replay did.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ReplaySummary {
    pub invoices: u64,
    pub sales: u64,
    pub stock_adjustments: u64,
    pub cancelled_invoices: u64,
    pub cancelled_lines: u64,
    pub already_booked: u64,
    pub non_merchandise_lines: u64,
    pub total: String,
    pub tax_included: String,
    pub net: String,
    pub errors: Vec<RowError>,
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
        for (number, lines) in invoices {
            summary.invoices += 1;
            if number.starts_with('C') {
                summary.cancelled_invoices += 1;
                summary.cancelled_lines += lines.len() as u64;
                continue;
            }
            let reference = format!("invoice:{number}");
            if self.db.has_external_ref(&reference)? {
                summary.already_booked += 1;
                continue;
            }
            if lines.iter().all(|l| l.unit_price.is_zero()) {
                self.book_adjustment(&number, &reference, &lines)?;
                summary.stock_adjustments += 1;
                continue;
            }
            let Some((sale_total, sale_tax, non_merchandise)) =
                self.book_invoice(&number, &reference, &lines)?
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
        summary.total = self.store.money(total);
        summary.tax_included = self.store.money(tax);
        summary.net = self.store.money(total - tax);
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
        let receipt_no = crate::receipt::receipt_number(
            &self.store.config.register_prefix,
            self.register.number,
            self.register.epoch,
            counter,
        );
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
        tx.append(new)?;
        tx.commit()?;
        Ok(Some((priced.total, priced.taxes.included() + priced.taxes.added(), non_merchandise)))
    }
}
