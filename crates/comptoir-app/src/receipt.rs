//! What goes on paper: the sale entry a priced cart becomes, and the printer documents of
//! receipts, slips and reports. Receipts are drawn from the ledger entry, never from the cart,
//! so a reprint shows exactly what was recorded.

use comptoir_core::cart::PricedLine;
use comptoir_core::discount::{DiscountRule, DiscountSource, ManualDiscount};
use comptoir_core::tax::Exemption;
use comptoir_core::tender::{Settlement, Tender};
use comptoir_core::{Money, PricedCart};
use comptoir_printer::{Align, Block, Document, Size};
use comptoir_store::{Entry, RegisterRow};
use rust_decimal::Decimal;

use crate::config::{self, label};
use crate::entry;
use crate::i18n::word;
use crate::register::kind_name;
use crate::view::ReportView;

/// Who and what a sale entry is for.
pub struct SaleMeta {
    pub receipt_no: String,
    pub shift_no: Option<i64>,
    pub cashier_id: String,
    pub source: &'static str,
    pub invoice: Option<String>,
    pub customer: Option<String>,
    pub order_discount: Option<ManualDiscount>,
    pub exemption: Option<Exemption>,
    pub coupons: Vec<String>,
}

/// The ledger payload of a paid cart.
/// A receipt's number: `MTL01-000042`; after a restore (epoch 2 on) `MTL01-2-000042`, so a
/// number printed by a sale lost with the old disk is never given to another sale.
/// A register's receipt number for a receipt counter.
pub fn number_for(store: &config::Store, register: &RegisterRow, counter: i64) -> String {
    receipt_number(&store.config.register_prefix, register.number, register.epoch, counter)
}

pub fn receipt_number(prefix: &str, register: i64, epoch: i64, counter: i64) -> String {
    if epoch > 1 {
        format!("{prefix}{register:02}-{epoch}-{counter:06}")
    } else {
        format!("{prefix}{register:02}-{counter:06}")
    }
}

pub fn sale_entry(
    store: &config::Store,
    priced: &PricedCart,
    tenders: &[Tender],
    settlement: &Settlement,
    meta: SaleMeta,
) -> entry::Sale {
    let money = |m: Money| store.money(m);
    let lines = priced.lines.iter().enumerate().map(|(i, l)| sale_line(store, priced, i, l));
    entry::Sale {
        v: entry::VERSION,
        receipt_no: meta.receipt_no,
        shift_no: meta.shift_no,
        cashier_id: meta.cashier_id,
        currency: store.currency.code.clone(),
        prices_include_tax: store.regime.prices_include_tax,
        lines: lines.collect(),
        subtotal: money(priced.subtotal),
        taxes: priced
            .taxes
            .lines
            .iter()
            .map(|t| entry::SaleTax {
                code: t.code.clone(),
                rate: t.rate.normalize().to_string(),
                base: money(t.base),
                amount: money(t.amount),
                included: t.included,
                exempt: t.exempt,
            })
            .collect(),
        total: money(priced.total),
        cash_rounding: money(settlement.cash_rounding),
        tenders: tenders.iter().map(|t| tender_entry(t, store)).collect(),
        change: money(settlement.change),
        source: meta.source.to_owned(),
        invoice: meta.invoice,
        customer: meta.customer,
        returns: Vec::new(),
        refund: None,
        order_discount: order_discount_entry(store, priced, meta.order_discount.as_ref()),
        exemption: meta
            .exemption
            .map(|e| entry::SaleExemption { certificate: e.certificate, taxes: e.taxes }),
        coupons: meta.coupons,
        approved_by: None,
    }
}

fn sale_line(
    store: &config::Store,
    priced: &PricedCart,
    index: usize,
    l: &PricedLine,
) -> entry::SaleLine {
    let money = |m: Money| store.money(m);
    entry::SaleLine {
        line: l.line.id.0,
        sku: l.line.sku.0.clone(),
        barcode: l.line.barcode.clone(),
        name: l.line.name.clone(),
        qty: l.line.quantity.normalize().to_string(),
        unit_price: money(l.line.unit_price),
        amount: money(l.amount),
        tax_class: l.line.tax_class.0.clone(),
        kind: kind_name(l.line.kind).to_owned(),
        open_price: l.line.open_price,
        taxes: line_taxes(store, &priced.taxes, index),
        discounts: l
            .discounts
            .iter()
            .map(|d| entry::LineDiscount {
                kind: d.source.kind().to_owned(),
                id: match &d.source {
                    DiscountSource::Promotion(id) => Some(id.clone()),
                    _ => None,
                },
                label: d.label.clone(),
                amount: money(d.amount),
            })
            .collect(),
        net: (!l.discounts.is_empty()).then(|| money(l.net)),
        price_override: l.line.price_override.as_ref().map(|o| entry::PriceOverride {
            shelf_price: o.shelf_price.map(money),
            approved_by: o.approved_by.clone(),
            reason: o.reason.clone(),
        }),
    }
}

/// A line's share of each tax it carries, as its entry stores it for a later return.
pub fn line_taxes(
    store: &config::Store,
    taxes: &comptoir_core::tax::TaxBreakdown,
    index: usize,
) -> Vec<entry::LineTax> {
    taxes
        .lines
        .iter()
        .zip(&taxes.per_line[index])
        .filter(|(_, share)| !share.is_zero())
        .map(|(t, share)| entry::LineTax {
            code: t.code.clone(),
            rate: t.rate.normalize().to_string(),
            amount: store.money(*share),
            exempt: t.exempt,
        })
        .collect()
}

fn order_discount_entry(
    store: &config::Store,
    priced: &PricedCart,
    discount: Option<&ManualDiscount>,
) -> Option<entry::OrderDiscount> {
    let discount = discount?;
    let amount = priced.discounted_by(&DiscountSource::Order);
    let (rule, value) = rule_parts(store, &discount.rule);
    Some(entry::OrderDiscount {
        rule: rule.to_owned(),
        value,
        amount: store.money(amount),
        reason: discount.reason.clone(),
        by: discount.by.clone(),
    })
}

/// A discount rule as the ledger and the screen write it: `("percent", "10")` or
/// `("amount", "2.50")`.
pub fn rule_parts(store: &config::Store, rule: &DiscountRule) -> (&'static str, String) {
    match rule {
        DiscountRule::Percent(p) => ("percent", p.normalize().to_string()),
        DiscountRule::Amount(a) => ("amount", store.money(*a)),
    }
}

pub fn tender_entry(tender: &Tender, store: &config::Store) -> entry::SaleTender {
    match tender {
        Tender::Cash { tendered } => entry::SaleTender::Cash { tendered: store.money(*tendered) },
        Tender::ExternalCard { amount, reference } => entry::SaleTender::ExternalCard {
            amount: store.money(*amount),
            reference: reference.clone(),
            terminal: None,
        },
        Tender::OnAccount { amount, reference } => entry::SaleTender::OnAccount {
            amount: store.money(*amount),
            reference: reference.clone(),
        },
        Tender::StoreCredit { amount, reference } => entry::SaleTender::StoreCredit {
            amount: store.money(*amount),
            reference: reference.clone(),
        },
    }
}

/// A rate as people read it: `0.09975` is `9.975`.
pub fn percent(rate: &str) -> String {
    rate.parse::<Decimal>()
        .map_or_else(|_| rate.to_owned(), |r| (r * Decimal::from(100)).normalize().to_string())
}

fn header(doc: Document, store: &config::Store, lang: &str) -> Document {
    let mut doc = doc.push(Block::Text {
        text: store.config.name.clone(),
        align: Align::Center,
        bold: true,
        size: Size::DoubleHeight,
    });
    for line in &store.config.address {
        doc = doc.centered(line.clone());
    }
    for registration in &store.config.tax_registrations {
        doc = doc.centered(format!("{} {}", label(&registration.label, lang), registration.number));
    }
    doc.rule()
}

fn when(recorded_at: &str) -> String {
    // RFC 3339 in the store's zone: "2026-12-03T14:05:09-05:00" prints as "2026-12-03 14:05".
    recorded_at.get(..16).map_or_else(|| recorded_at.to_owned(), |s| s.replace('T', " "))
}

/// The customer's receipt for a sale entry; `copy` marks a reprint.
pub fn sale_receipt(
    store: &config::Store,
    register: &RegisterRow,
    entry: &Entry,
    sale: &entry::Sale,
    cashier: &str,
    lang: &str,
    copy: bool,
) -> Document {
    // No drawer kick here: the register opens the drawer itself as the sale commits
    // (`Register::open_drawer`), in the printer's real-time mode when it is in error, so a
    // receipt printed later never opens the drawer again.
    let mut doc = Document::new();
    if copy {
        doc = doc.title(word("copy", lang));
    }
    doc = header(doc, store, lang);
    match (sale.lines.is_empty(), sale.returns.is_empty()) {
        (true, false) => doc = doc.title(word("return_title", lang)),
        (false, false) => doc = doc.title(word("exchange_title", lang)),
        _ => {}
    }
    doc = doc
        .push(Block::Columns {
            left: format!("{} {}", word("receipt", lang), sale.receipt_no),
            right: String::new(),
            bold: true,
        })
        .line(format!(
            "{}  {} {}",
            when(&entry.recorded_at),
            word("register", lang),
            register.number
        ))
        .line(format!("{}: {cashier}", word("cashier", lang)))
        .rule();
    for line in &sale.lines {
        doc = receipt_line(doc, line, lang);
    }
    if !sale.lines.is_empty() {
        doc = doc.rule().columns(word("subtotal", lang), sale.subtotal.clone());
    }
    if let Some(saved) = savings(store, sale) {
        doc = doc.columns(word("you_saved", lang), saved);
    }
    for tax in sale.taxes.iter().filter(|t| !is_zero_rate(&t.rate)) {
        doc = doc.columns(tax_caption(store, tax, lang), tax_amount(tax));
    }
    if let Some(exemption) = &sale.exemption {
        doc = doc.line(format!("{} {}", word("exemption", lang), exemption.certificate));
    }
    if let Some(zero) = zero_rated_caption(store, sale, lang) {
        doc = doc.columns(zero, zero_amount(store));
    }
    if !sale.returns.is_empty() {
        // A return alone already has the header's rule above it.
        let doc_above = if sale.lines.is_empty() { doc } else { doc.rule() };
        doc = returned_lines(doc_above, store, sale, lang);
    }
    doc = doc.push(Block::Columns {
        left: word("total", lang).to_owned(),
        right: sale.total.clone(),
        bold: true,
    });
    if sale.cash_rounding != zero_amount(store) {
        doc = doc.columns(word("cash_rounding", lang), sale.cash_rounding.clone());
        if !sale.returns.is_empty() && more_than_half_a_coin(store, &sale.cash_rounding) {
            // A refund's cash is rounded on the running total of the sale's cash refunds, so
            // refunds in several goes hand back exactly the cash the sale took.
            doc = doc.line(format!("  ({})", word("rounding_with_earlier", lang)));
        }
    }
    for tender in &sale.tenders {
        doc = match tender {
            entry::SaleTender::Cash { tendered } => {
                doc.columns(word("cash", lang), tendered.clone())
            }
            entry::SaleTender::ExternalCard { amount, reference, terminal: None } => doc
                .columns(word("card", lang), amount.clone())
                .line(format!("  {} {reference}", word("ref", lang))),
            entry::SaleTender::ExternalCard { amount, reference, terminal: Some(slip) } => {
                let card = [
                    slip.brand.clone(),
                    slip.masked_pan.as_deref().map(comptoir_protocol::card::last_four),
                ];
                let card = card.into_iter().flatten().collect::<Vec<_>>().join(" ");
                let label = match card.is_empty() {
                    true => word("card", lang).to_owned(),
                    false => format!("{} {card}", word("card", lang)),
                };
                doc.columns(label, amount.clone())
                    .line(format!("  {} {reference}", word("ref", lang)))
            }
            entry::SaleTender::OnAccount { amount, reference } => doc
                .columns(word("on_account", lang), amount.clone())
                .line(format!("  {} {reference}", word("ref", lang))),
            entry::SaleTender::StoreCredit { amount, reference } if amount.starts_with('-') => {
                // A note issued: its barcode pays with it at the next visit.
                doc.columns(word("store_credit", lang), amount.clone())
                    .line(format!("  {} {reference}", word("ref", lang)))
                    .push(Block::Code128(reference.clone()))
            }
            entry::SaleTender::StoreCredit { amount, reference } => doc
                .columns(word("store_credit", lang), amount.clone())
                .line(format!("  {} {reference}", word("ref", lang))),
        };
    }
    // A refund hands cash out: there is no change to give.
    let refunded = sale.total.starts_with('-');
    let has_cash = sale.tenders.iter().any(|t| matches!(t, entry::SaleTender::Cash { .. }));
    if has_cash && !refunded {
        doc = doc.push(Block::Columns {
            left: word("change", lang).to_owned(),
            right: sale.change.clone(),
            bold: true,
        });
    }
    // The terminal's own receipt (the cardholder's copy), as it sent it, under ours.
    for slip in sale.tenders.iter().filter_map(|t| match t {
        entry::SaleTender::ExternalCard { terminal: Some(slip), .. } => Some(slip),
        _ => None,
    }) {
        if !slip.receipt.is_empty() {
            doc = doc.rule();
            for line in &slip.receipt {
                doc = doc.line(line.clone());
            }
        }
    }
    doc = doc.rule().push(Block::Code128(sale.receipt_no.clone()));
    if let Some(footer) =
        (!store.config.receipt_footer.is_empty()).then(|| label(&store.config.receipt_footer, lang))
    {
        doc = doc.centered(footer.to_owned());
    }
    if copy {
        doc = doc.title(word("copy", lang));
    }
    doc.feed(2).cut()
}

/// Whether a cash rounding is more than half the smallest coin (only a refund's can be).
fn more_than_half_a_coin(store: &config::Store, rounding: &str) -> bool {
    let increment = store.currency.cash_increment;
    store.currency.parse(rounding).is_ok_and(|r| r.minor().abs() * 2 > increment)
}

fn zero_amount(store: &config::Store) -> String {
    store.money(Money::ZERO)
}

fn is_zero_rate(rate: &str) -> bool {
    rate.parse::<Decimal>().is_ok_and(|r| r.is_zero())
}

/// Zero-rated lines are taxable at 0%: one line says so for every tax, with their base.
fn zero_rated_caption(store: &config::Store, sale: &entry::Sale, lang: &str) -> Option<String> {
    let zero: Vec<&entry::SaleTax> = sale.taxes.iter().filter(|t| is_zero_rate(&t.rate)).collect();
    let base = &zero.first()?.base;
    let names: Vec<String> = zero.iter().map(|t| store.tax_label(&t.code, lang)).collect();
    Some(format!("{} {} 0% / {base}", word("zero_rated", lang), names.join("+")))
}

fn tax_flag(class: &str) -> &'static str {
    match class {
        "zero_rated" => "Z",
        "exempt" => "E",
        _ => "T",
    }
}

/// A line: its name, quantity and amount, then each discount and what it took off.
fn receipt_line(doc: Document, line: &entry::SaleLine, lang: &str) -> Document {
    let flag = tax_flag(&line.tax_class);
    let mut doc = if line.kind == "weighed" {
        doc.line(line.name.clone()).columns(
            format!("  {} kg x {}/kg", line.qty, line.unit_price),
            format!("{} {flag}", line.amount),
        )
    } else if line.qty == "1" {
        doc.columns(line.name.clone(), format!("{} {flag}", line.amount))
    } else {
        doc.line(line.name.clone()).columns(
            format!("  {} x {}", line.qty, line.unit_price),
            format!("{} {flag}", line.amount),
        )
    };
    if let Some(over) = &line.price_override
        && let Some(shelf) = &over.shelf_price
    {
        doc = doc.line(format!("  {} {shelf}", word("price_override", lang)));
    }
    for discount in &line.discounts {
        let label = match discount.kind.as_str() {
            "order" => word("order_discount", lang).to_owned(),
            _ => discount.label.clone(),
        };
        doc = doc.columns(format!("  {label}"), format!("-{}  ", discount.amount));
    }
    doc
}

/// The returned lines, each with the receipt it came from and what it gives back, then the
/// tax refunded at each rate and the refund.
fn returned_lines(
    mut doc: Document,
    store: &config::Store,
    sale: &entry::Sale,
    lang: &str,
) -> Document {
    doc = doc.line(word("returned", lang).to_uppercase());
    // Per tax and rate: (included, exempt, base, amount) refunded.
    let mut taxes: Vec<(String, String, bool, Money, Money)> = Vec::new();
    let parse = |text: &str| store.currency.parse(text).unwrap_or(Money::ZERO);
    for line in &sale.returns {
        let flag = tax_flag(&line.tax_class);
        // With prices that include tax the line gives back its net; else the net before tax,
        // and the taxes follow by rate.
        let shown = if sale.prices_include_tax { &line.refund } else { &line.net };
        doc = doc
            .line(line.name.clone())
            .columns(format!("  {} x {}", line.qty, line.unit_price), format!("-{shown} {flag}"));
        let from = match &line.original {
            Some(original) => format!("  {} {}", word("from_receipt", lang), original.receipt_no),
            None => format!("  ({})", word("no_receipt", lang)),
        };
        doc = doc.line(from);
        if line.disposition == "write_off" {
            doc = doc.line(format!("  ({})", word("write_off", lang)));
        }
        // With prices that include tax, a rate's base is the line less its taxes, as on a
        // sale's receipt.
        let mut line_base = parse(&line.net);
        if sale.prices_include_tax {
            line_base -= line.taxes.iter().map(|t| parse(&t.amount)).sum::<Money>();
        }
        for tax in line.taxes.iter().filter(|t| !is_zero_rate(&t.rate)) {
            let (base, amount) = (line_base, parse(&tax.amount));
            match taxes.iter_mut().find(|t| t.0 == tax.code && t.1 == tax.rate && t.2 == tax.exempt)
            {
                Some(found) => {
                    found.3 += base;
                    found.4 += amount;
                }
                None => taxes.push((tax.code.clone(), tax.rate.clone(), tax.exempt, base, amount)),
            }
        }
    }
    for (code, rate, exempt, base, amount) in taxes {
        let name = store.tax_label(&code, lang);
        let rate = percent(&rate);
        let (base, amount) = (store.money(base), store.money(amount));
        let (caption, right) = match (exempt, sale.prices_include_tax) {
            (true, _) => (
                format!("{name} {rate}% {} / -{base}", word("exempt", lang)),
                format!("(-{amount})"),
            ),
            (false, true) => (
                format!("{name} {rate}% {} -{base}", word("vat_included", lang)),
                format!("-{amount}"),
            ),
            (false, false) => (format!("{name} {rate}% / -{base}"), format!("-{amount}")),
        };
        doc = doc.columns(caption, right);
    }
    let refund = sale.refund.clone().unwrap_or_default();
    doc.push(Block::Columns {
        left: word("refund", lang).to_owned(),
        right: format!("-{refund}"),
        bold: true,
    })
}

/// What the discounts saved, when they saved anything.
fn savings(store: &config::Store, sale: &entry::Sale) -> Option<String> {
    let mut saved = Money::ZERO;
    for discount in sale.lines.iter().flat_map(|l| &l.discounts) {
        saved += store.currency.parse(&discount.amount).ok()?;
    }
    (!saved.is_zero()).then(|| store.money(saved))
}

fn tax_amount(tax: &entry::SaleTax) -> String {
    if tax.exempt { format!("({})", tax.amount) } else { tax.amount.clone() }
}

fn tax_caption(store: &config::Store, tax: &entry::SaleTax, lang: &str) -> String {
    let name = store.tax_label(&tax.code, lang);
    let rate = percent(&tax.rate);
    if tax.exempt {
        format!("{name} {rate}% {} / {}", word("exempt", lang), tax.base)
    } else if tax.included {
        format!("{name} {rate}% {} {}", word("vat_included", lang), tax.base)
    } else {
        format!("{name} {rate}% / {}", tax.base)
    }
}

/// A paid-in, paid-out or no-sale slip (the register opens the drawer as it is recorded).
pub fn drawer_slip(
    store: &config::Store,
    title: &str,
    amount: Option<&str>,
    reason: &str,
    cashier: &str,
    recorded_at: &str,
    lang: &str,
) -> Document {
    let mut doc = header(Document::new(), store, lang).title(title.to_owned());
    if let Some(amount) = amount {
        doc =
            doc.push(Block::Columns { left: String::new(), right: amount.to_owned(), bold: true });
    }
    doc.line(format!("{}: {reason}", word("reason", lang)))
        .line(format!("{}: {cashier}", word("cashier", lang)))
        .line(when(recorded_at))
        .feed(2)
        .cut()
}

/// An X or Z report on paper.
pub fn report_document(store: &config::Store, report: &ReportView, lang: &str) -> Document {
    let title = if report.kind == "z" {
        format!("{} #{}", word("z_report", lang), report.number)
    } else {
        word("x_report", lang).to_owned()
    };
    let mut doc = header(Document::new(), store, lang)
        .title(title)
        .line(format!("{} {}", word("shift", lang), report.shift))
        .line(format!("{}: {}", word("opened", lang), when(&report.opened_at)));
    if let Some(closed) = &report.closed_at {
        doc = doc.line(format!("{}: {}", word("closed", lang), when(closed)));
    }
    doc = doc
        .rule()
        .columns(format!("{} ({})", word("sales", lang), report.sales_count), report.gross.clone())
        .columns(
            format!("{} ({})", word("returns", lang), report.returns_count),
            format!("-{}", report.refunds),
        );
    if report.refunds_rounding != zero_amount(store) {
        doc = doc.columns(word("refunds_rounding", lang), report.refunds_rounding.clone());
    }
    for tax in &report.taxes {
        doc =
            doc.columns(format!("{} {}% / {}", tax.label, tax.rate, tax.base), tax.amount.clone());
    }
    doc = doc.rule().line(word("tenders", lang).to_owned());
    for tender in &report.tenders {
        doc = doc.columns(
            format!("  {} ({})", word(&tender.kind, lang), tender.count),
            tender.amount.clone(),
        );
    }
    let cash = &report.cash;
    doc = doc
        .rule()
        .columns(word("float", lang), cash.float.clone())
        .columns(word("cash_sales", lang), cash.cash_sales.clone())
        .columns(word("paid_in", lang), cash.paid_in.clone())
        .columns(word("paid_out", lang), cash.paid_out.clone())
        .columns(word("cash_refunds", lang), cash.cash_refunds.clone())
        .push(Block::Columns {
            left: word("expected", lang).to_owned(),
            right: cash.expected.clone(),
            bold: true,
        });
    if let (Some(counted), Some(difference)) = (&cash.counted, &cash.difference) {
        doc = doc.columns(word("counted", lang), counted.clone()).push(Block::Columns {
            left: word("difference", lang).to_owned(),
            right: difference.clone(),
            bold: true,
        });
    }
    doc.columns(word("voids", lang), report.voids.to_string())
        .columns(word("no_sales", lang), report.no_sales.to_string())
        .feed(2)
        .cut()
}
