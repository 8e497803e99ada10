//! Promotions at the till: the store's promotions (pulled from the server in the catalog log,
//! or a demo store's file), priced on the cart by `comptoir_core::promo`, coupons entered, and
//! the customer attached to the sale (a member, with their segment).
//!
//! The engine is built for one context (store, coupons, member, segments) and kept between
//! scans, so repricing after a scan re-solves only what the scan changed; it is built again
//! when the context changes, when the store-local minute reaches
//! [`comptoir_core::promo::PromoEngine::changes_at`] (a promotion starts or ends), or when the
//! promotions held change.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDateTime;
use comptoir_core::discount::PromoDiscount;
use comptoir_core::promo::{PromoContext, PromoEngine, PromoLine, PromoOutcome, Promotion};
use comptoir_protocol::catalog::Labels;
use comptoir_protocol::promotion::parse_promotions;
use serde::{Deserialize, Serialize};

use crate::config::DemoStore;
use crate::error::{AppError, AppResult};
use crate::register::Register;

/// The customer attached to the sale in progress: an identified member, in a segment or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedCustomer {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
}

/// The register's promotions and the engine priced with them.
#[derive(Debug, Default)]
pub struct Promotions {
    /// Those held that this register can use, in the store's currency.
    list: Vec<Promotion>,
    /// Each promotion's label per language, by id.
    labels: HashMap<String, Labels>,
    /// The customer attached to the sale in progress.
    pub(crate) customer: Option<AttachedCustomer>,
    /// Behind a lock so that pricing stays a `&self` method (the register is shared by the
    /// app's commands behind a lock of its own, so this one is never contended).
    engine: Mutex<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    engine: PromoEngine,
    context: Context,
    built_at: NaiveDateTime,
    until: Option<NaiveDateTime>,
    /// The last lines priced and their outcome: the screen, the settlement and the sale price
    /// the same cart several times per command.
    last: Option<(Vec<PromoLine>, PromoOutcome)>,
}

/// The parts of the context that are the register's choice (the moment is checked apart).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Context {
    segments: Vec<String>,
    member: bool,
    coupons: Vec<String>,
}

/// A coupon entered, and whether a promotion it unlocks applies to the cart now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CouponState {
    pub code: String,
    pub applied: bool,
    /// The promotion it unlocks, in the cashier's language: what the cart must reach.
    pub label: Option<String>,
}

impl Promotions {
    /// Reads the promotions held in the store's currency; one the register cannot use is left
    /// out with a warning (the server checks them before it publishes them).
    pub(crate) fn load(
        db: &comptoir_store::Store,
        store: &crate::config::Store,
    ) -> AppResult<(Vec<Promotion>, HashMap<String, Labels>)> {
        let mut list = Vec::new();
        let mut labels = HashMap::new();
        for record in db.promotions()? {
            match record.to_promotion(&store.currency, &store.config.default_language) {
                Ok(promotion) => {
                    labels.insert(record.id.clone(), record.label.clone());
                    list.push(promotion);
                }
                Err(fault) => tracing::warn!(%fault, "a promotion is left out"),
            }
        }
        Ok((list, labels))
    }

    fn is_in_force(promotion: &Promotion, store: &str, at: NaiveDateTime) -> bool {
        promotion.from <= at
            && promotion.to.is_none_or(|to| at < to)
            && (promotion.stores.is_empty() || promotion.stores.iter().any(|s| s == store))
    }
}

/// Stores a demo store's promotions in a new register's database.
pub(crate) fn init_demo(
    db: &mut comptoir_store::Store,
    demo: &DemoStore,
    store: &crate::config::Store,
) -> AppResult<()> {
    let records = parse_promotions(demo.promotions_json, &store.currency)
        .map_err(|faults| AppError::config(format!("demo promotions: {}", faults.join("; "))))?;
    db.replace_promotions(&records)?;
    Ok(())
}

impl Register {
    /// Reads the promotions held again (at open, after a catalog pull, after an import).
    pub(crate) fn reload_promotions(&mut self) -> AppResult<()> {
        let (list, labels) = Promotions::load(&self.db, &self.store)?;
        tracing::debug!(promotions = list.len(), "promotions loaded");
        self.promotions.list = list;
        self.promotions.labels = labels;
        *self.engine_lock() = None;
        Ok(())
    }

    fn engine_lock(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        self.promotions.engine.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces the register's promotions with a promotions file's (the format the server
    /// imports), on a register the server does not manage.
    pub fn import_promotions(&mut self, text: &str) -> AppResult<usize> {
        // Like the catalog: once the server publishes this store's catalog, its promotions
        // come from there too.
        if self.db.catalog_version()? > 0 {
            return Err(AppError::new(
                "catalog_managed",
                "this register's promotions come from the central server: import the file \
                 there (comptoir-server promotions import, then promotions publish)",
            ));
        }
        let records = parse_promotions(text, &self.store.currency)
            .map_err(|faults| AppError::new("invalid_promotions", faults.join("; ")))?;
        self.db.replace_promotions(&records)?;
        self.reload_promotions()?;
        tracing::info!(promotions = records.len(), "promotions imported");
        Ok(records.len())
    }

    /// The promotions this register can use, by id.
    pub fn promotions(&self) -> &[Promotion] {
        &self.promotions.list
    }

    /// The promotions the cart gets now.
    pub fn promotion_outcome(&self) -> PromoOutcome {
        if self.promotions.list.is_empty() || self.cart.is_empty() {
            return PromoOutcome::default();
        }
        let lines: Vec<PromoLine> = self
            .cart
            .lines()
            .iter()
            .map(|l| PromoLine {
                id: l.id,
                sku: l.sku.0.clone(),
                unit_price: l.unit_price,
                quantity: l.quantity,
                eligible: l.promotable(),
            })
            .collect();
        let at = self.local_minute();
        let context = self.promo_context();
        let mut cached = self.engine_lock();
        let fresh = cached.as_ref().is_some_and(|c| {
            c.context == context && c.built_at <= at && c.until.is_none_or(|until| at < until)
        });
        if !fresh {
            let ctx = PromoContext {
                store: &self.store.config.code,
                at,
                segments: &context.segments,
                member: context.member,
                coupons: &context.coupons,
            };
            let engine = PromoEngine::new(&self.promotions.list, &ctx);
            tracing::debug!(at = %at, until = ?engine.changes_at(), in_force = engine.promotions().len(), "promotions engine built");
            let until = engine.changes_at();
            *cached = Some(Cached { engine, context, built_at: at, until, last: None });
        }
        let Some(cached) = cached.as_mut() else { return PromoOutcome::default() };
        if let Some((priced, outcome)) = &cached.last
            && *priced == lines
        {
            return outcome.clone();
        }
        let outcome = cached.engine.price(&lines);
        if !outcome.is_exact() {
            tracing::debug!(fallbacks = ?outcome.fallbacks, "part of the cart priced greedily");
        }
        cached.last = Some((lines, outcome.clone()));
        outcome
    }

    /// The promotions' discounts on the cart's lines, labelled in the cashier's language.
    pub(crate) fn promotion_discounts(&self) -> Vec<PromoDiscount> {
        let outcome = self.promotion_outcome();
        let mut discounts = Vec::new();
        for applied in &outcome.applied {
            let label = self.promotion_label(&applied.promotion, &applied.label);
            for (line, amount) in &applied.lines {
                discounts.push(PromoDiscount {
                    promotion: applied.promotion.clone(),
                    label: label.clone(),
                    line: *line,
                    amount: *amount,
                });
            }
        }
        discounts
    }

    /// A promotion's label in the cashier's language, else the one it was loaded with.
    pub(crate) fn promotion_label(&self, id: &str, loaded: &str) -> String {
        let labels = self.promotions.labels.get(id);
        labels.and_then(|l| l.get(&self.lang)).map_or_else(|| loaded.to_owned(), Clone::clone)
    }

    fn promo_context(&self) -> Context {
        let customer = self.promotions.customer.as_ref();
        Context {
            segments: customer.and_then(|c| c.segment.clone()).into_iter().collect(),
            member: customer.is_some(),
            coupons: self.coupons.clone(),
        }
    }

    // ----- coupons -----

    /// Enters a coupon for the sale in progress. Refused (`unknown_coupon`) when no promotion
    /// in force in this store has it; one whose promotion's conditions the cart does not meet
    /// yet is kept, and shown as entered, not applied.
    pub fn enter_coupon(&mut self, code: &str) -> AppResult<()> {
        self.cashier()?;
        self.check_no_tenders()?;
        self.refresh_catalog()?;
        let code = code.trim().to_uppercase();
        if code.is_empty() {
            return Err(AppError::new("unknown_coupon", "(empty)"));
        }
        let at = self.local_minute();
        let store = &self.store.config.code;
        let known = self.promotions.list.iter().any(|p| {
            p.coupon.as_deref() == Some(code.as_str()) && Promotions::is_in_force(p, store, at)
        });
        if !known {
            tracing::info!(coupon = %code, "unknown coupon");
            return Err(AppError::new("unknown_coupon", code));
        }
        if !self.coupons.contains(&code) {
            self.coupons.push(code);
        }
        self.notice = None;
        self.save_cart()
    }

    /// Takes a coupon off the sale in progress.
    pub fn remove_coupon(&mut self, code: &str) -> AppResult<()> {
        self.cashier()?;
        self.check_no_tenders()?;
        let code = code.trim().to_uppercase();
        let Some(index) = self.coupons.iter().position(|c| *c == code) else {
            return Err(AppError::new("coupon_not_entered", code));
        };
        self.coupons.remove(index);
        self.save_cart()
    }

    /// The coupons entered, each applied (a promotion it unlocks is on the cart) or not yet.
    pub fn coupon_states(&self, outcome: &PromoOutcome) -> Vec<CouponState> {
        let applied_coupon = |code: &str| {
            outcome.applied.iter().any(|a| {
                self.promotions
                    .list
                    .iter()
                    .any(|p| p.id == a.promotion && p.coupon.as_deref() == Some(code))
            })
        };
        self.coupons
            .iter()
            .map(|code| CouponState {
                code: code.clone(),
                applied: applied_coupon(code),
                label: self
                    .promotions
                    .list
                    .iter()
                    .find(|p| p.coupon.as_deref() == Some(code))
                    .map(|p| self.promotion_label(&p.id, &p.label)),
            })
            .collect()
    }

    // ----- the customer of the sale -----

    /// Attaches a customer to the sale in progress: they are an identified member, and their
    /// segment takes part in promotions. Recorded on the sale.
    pub fn attach_customer(&mut self, id: &str) -> AppResult<()> {
        self.cashier()?;
        self.check_no_tenders()?;
        let parsed: comptoir_customers::CustomerId =
            id.trim().parse().map_err(|_| AppError::new("customer_unknown", format!("{id:?}")))?;
        let customer = self
            .customers()?
            .customer(parsed)
            .filter(|c| matches!(c.status, comptoir_customers::Status::Active))
            .ok_or_else(|| AppError::new("customer_unknown", id.trim().to_owned()))?;
        self.promotions.customer =
            Some(AttachedCustomer { id: parsed.to_string(), segment: customer.segment });
        tracing::info!(customer = %parsed, "customer attached to the sale");
        self.save_cart()
    }

    /// Takes the customer off the sale in progress.
    pub fn detach_customer(&mut self) -> AppResult<()> {
        self.cashier()?;
        self.check_no_tenders()?;
        self.promotions.customer = None;
        self.save_cart()
    }

    /// The customer attached to the sale in progress.
    pub fn attached_customer(&self) -> Option<&AttachedCustomer> {
        self.promotions.customer.as_ref()
    }

    /// The sale is over (committed, voided, parked, discarded): its coupons and customer go
    /// with it.
    pub(crate) fn end_sale_promotions(&mut self) {
        self.coupons.clear();
        self.promotions.customer = None;
    }
}
