//! Promotions: which of the store's promotions a cart gets, chosen for the customer's lowest total.
//!
//! The cart hands over its lines ([`PromoLine`]) and gets back a [`PromoOutcome`]: every
//! promotion applied, the discount it puts on each line, and whether any part of the cart was
//! too large to search exactly. The engine is pure, like the rest of the core: the moment, the
//! store, the customer and the coupons come in as a [`PromoContext`].
//!
//! # What takes part
//!
//! - Only lines marked `eligible` (not open-price, not price-overridden, merchandise) with a
//!   price above zero take part in any promotion, spend thresholds included.
//! - **Unit rules** (buy-get, quantity tiers, bundles, mix-and-match, member prices) see whole
//!   units only: a line of quantity 3 is three units; a line whose quantity is not a whole number
//!   (0.350 kg) takes no part in them, except a member price, which it gets on its amount.
//! - **Spend thresholds** come after the unit rules and count the spend *after* their
//!   discounts: a threshold is never reached with money the customer does not pay.
//!
//! # The rules, exactly
//!
//! - `BuyGet` with the same selector for `buy` and `get` is "cheapest of N": an application takes
//!   `buy_qty + get_qty` units and its `get_qty` cheapest get the reward. With different
//!   selectors, an application takes `buy_qty` units matching `buy` and `get_qty` other units
//!   matching `get`, and the latter get the reward. Bought units are used up: a unit is in at
//!   most one application of any promotion. A promotion applies as many times as the units allow.
//! - `QuantityTier` applies at most once to a cart: to the units it takes, at the best tier whose
//!   minimum their number reaches (with tiers that improve with quantity, the usual reading).
//! - `MixMatch` and `Bundle` sell the units of an application for their price; an application
//!   that would cost more than the units' prices is never made. `MemberPrice` sets a unit price
//!   for an identified member (whatever `members_only` says: a member price needs a member).
//! - Rewards: `Free`; `PercentOff(p)` with `p` in percent (`10` is 10 %), rounded half up once
//!   per application (a tier's or member price's unit is its own application, so a tier prints
//!   as a unit price: 10 % off 2.75 is 0.28 off each); `AmountOff(a)` per rewarded unit, at most
//!   its price; `FixedPrice(f)` per rewarded unit, never above the unit's price. On a spend
//!   threshold the reward applies to the net spend of its lines as one amount. An application's
//!   discount is spread over its units by their amounts, and a threshold's over its lines by
//!   their net amounts, with [`allocate`], so the parts add up to the cent.
//! - Spend thresholds apply at most once each, and two whose lines overlap do not both apply.
//!
//! # The search and its limits
//!
//! Unit promotions that share no SKU do not interact, so the cart's units are split into
//! **components** (SKUs joined by the promotions that name them; a unit rule over
//! [`Selector::All`] joins every SKU in the cart). Units of one SKU at one price are
//! interchangeable, so a component is a vector of counts per (SKU, price). Each component is
//! solved **exactly** by a memoised search over those counts: the first unit left is either
//! paid in full or part of one application, of any promotion, that takes it. That enumerates
//! every way to group the units, so the best found is the best there is.
//!
//! Among outcomes with the same saving, the engine keeps, in order: the fewest applications;
//! the fewest units taken by tiers; then the smallest list of applications, each keyed by its
//! promotion's id (ranked as text: `P-10` before `P-9`) and the units it takes (SKU, then
//! price), the lists sorted and compared in order. None of this looks at the order of the
//! lines: within a (SKU, price), units are handed to applications from the line with the
//! smallest id.
//!
//! A component is searched exactly when it has at most [`MAX_UNITS`] units, its count vector at
//! most [`MAX_STATES`] states and the search stays within [`MAX_STEPS`] steps (all counted, never
//! timed, so the same cart always takes the same path). Beyond, the component is priced
//! **greedily**, still deterministically: repeatedly, the promotion whose next application saves
//! the most (ties to the smaller id) is applied, the application built from the dearest units
//! (a buy-get's bought units from the cheapest); the outcome lists such a component in
//! [`PromoOutcome::fallbacks`]. Spend thresholds are searched exactly when at most
//! [`MAX_THRESHOLDS`] are reached, else greedily by saving, also listed there.
//!
//! The two stages are what the rule says, not a joint search: a unit promotion is never dropped
//! so that the lower spend still reaches a threshold, and ties between unit outcomes are broken
//! by the rule above, not by what the thresholds would make of them.
//!
//! # Incremental pricing
//!
//! [`PromoEngine::new`] keeps the promotions in force for one context, indexed by SKU. Each
//! [`PromoEngine::price`] splits the cart into components and re-solves only those whose
//! content (SKUs, prices, unit counts) differs from every component of the previous pricing
//! (the engine keeps only those, so its memory never outgrows one cart); the outcome is the
//! same as a fresh engine's. A new engine is needed when the context changes: a member or a coupon
//! entered, or the clock reaching [`PromoEngine::changes_at`].

mod solve;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

use crate::cart::LineId;
use crate::money::{Money, RoundingMode, allocate};

pub use solve::{MAX_APPLICATION, MAX_STATES, MAX_STEPS, MAX_UNITS};

/// The most spend thresholds reached at once that are searched exactly.
pub const MAX_THRESHOLDS: usize = 16;

/// A promotion as the server distributes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Promotion {
    /// Stable id from the server (`P-2026-0042`); it also ranks promotions in the tie rule.
    pub id: String,
    /// What the receipt prints ("2 for 5.00", "3rd free").
    pub label: String,
    pub rule: Rule,
    /// Store-local time from which it applies.
    pub from: NaiveDateTime,
    /// Store-local time at which it stops (exclusive); `None`: until withdrawn.
    pub to: Option<NaiveDateTime>,
    /// Stores it applies in; empty: every store.
    pub stores: Vec<String>,
    /// Customer segments it is for; empty: every customer, else the customer is in one of them.
    pub segments: Vec<String>,
    /// Needs an identified loyalty member.
    pub members_only: bool,
    /// Applies only when this coupon code was entered.
    pub coupon: Option<String>,
}

/// What a promotion gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Buy `buy_qty` of `buy`, get `get_qty` of `get` with `reward` ("buy 2 get 1 free",
    /// "3rd at half price"); the same selector for both is "cheapest of N".
    BuyGet { buy: Selector, buy_qty: u32, get: Selector, get_qty: u32, reward: Reward },
    /// A unit reward from a quantity on: `(1, ..)` price, `(3, 10 %)`, `(6, 20 %)`.
    QuantityTier { items: Selector, tiers: Vec<(u32, Reward)> },
    /// Spend `min_spend` (after unit promotions) on `items`, get `reward` on that spend.
    SpendThreshold { items: Selector, min_spend: Money, reward: Reward },
    /// One unit of each part's selector (times its quantity) for `price`.
    Bundle { parts: Vec<(Selector, u32)>, price: Money },
    /// Any `qty` units of `items` for `price`.
    MixMatch { items: Selector, qty: u32, price: Money },
    /// A unit price for identified members.
    MemberPrice { items: Selector, unit_price: Money },
}

/// A reward on units (or, for a spend threshold, on the spend).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reward {
    Free,
    /// In percent: `10` is 10 % off.
    PercentOff(Decimal),
    AmountOff(Money),
    FixedPrice(Money),
}

/// Which items a rule is about. Items have no categories yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Skus(Vec<String>),
    All,
}

impl Selector {
    pub fn matches(&self, sku: &str) -> bool {
        match self {
            Selector::All => true,
            Selector::Skus(skus) => skus.iter().any(|s| s == sku),
        }
    }

    /// The same selector with its SKUs sorted and unique, so two spellings compare equal.
    fn normalised(&self) -> Selector {
        match self {
            Selector::All => Selector::All,
            Selector::Skus(skus) => {
                let mut skus = skus.clone();
                skus.sort();
                skus.dedup();
                Selector::Skus(skus)
            }
        }
    }
}

/// A cart line as the promotions see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromoLine {
    pub id: LineId,
    pub sku: String,
    pub unit_price: Money,
    pub quantity: Decimal,
    /// False for open-price, price-overridden or non-merchandise lines.
    pub eligible: bool,
}

impl PromoLine {
    /// The line's amount before promotions, as the cart computes it.
    pub fn amount(&self) -> Money {
        self.unit_price.mul_round(self.quantity, RoundingMode::HalfUp)
    }

    /// Its quantity in whole units, if it is a whole number the unit rules can count.
    fn whole_units(&self) -> Option<u32> {
        if self.quantity.fract().is_zero() && self.quantity > Decimal::ZERO {
            u32::try_from(self.quantity.mantissa() / 10_i128.pow(self.quantity.scale())).ok()
        } else {
            None
        }
    }

    fn takes_part(&self) -> bool {
        self.eligible && self.unit_price > Money::ZERO && self.quantity > Decimal::ZERO
    }
}

/// Who is buying, where and when, with which coupons.
#[derive(Clone, Copy, Debug)]
pub struct PromoContext<'a> {
    pub store: &'a str,
    /// Store-local time of the sale.
    pub at: NaiveDateTime,
    pub segments: &'a [String],
    /// An identified loyalty member.
    pub member: bool,
    pub coupons: &'a [String],
}

/// One promotion as applied to the cart (all its applications together).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub promotion: String,
    pub label: String,
    /// How many times it applied: a tier or a threshold once, a member price once a unit (or
    /// once a weighed line).
    pub times: u32,
    /// The discount it puts on each line, every one above zero, by line id.
    pub lines: Vec<(LineId, Money)>,
    /// The sum of `lines`.
    pub saving: Money,
}

/// Why part of a cart was priced greedily instead of searched exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FallbackReason {
    /// More than [`MAX_UNITS`] units in one component.
    TooManyUnits,
    /// More than [`MAX_STATES`] count vectors in one component.
    TooManyStates,
    /// The search took more than [`MAX_STEPS`] steps.
    SearchBudget,
    /// More than [`MAX_THRESHOLDS`] spend thresholds reached.
    TooManyThresholds,
}

/// A part of the cart priced greedily: its SKUs (sorted), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub skus: Vec<String>,
    pub reason: FallbackReason,
}

/// The promotions a cart gets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromoOutcome {
    /// By promotion id.
    pub applied: Vec<Applied>,
    /// The parts of the cart not searched exactly; empty when the whole outcome is exact.
    pub fallbacks: Vec<Fallback>,
}

impl PromoOutcome {
    /// The total discount of each line that has one.
    pub fn line_discounts(&self) -> BTreeMap<LineId, Money> {
        let mut per_line = BTreeMap::new();
        for (line, amount) in self.applied.iter().flat_map(|a| &a.lines) {
            *per_line.entry(*line).or_insert(Money::ZERO) += *amount;
        }
        per_line
    }

    /// The total discount of one line.
    pub fn discount(&self, line: LineId) -> Money {
        self.applied
            .iter()
            .flat_map(|a| &a.lines)
            .filter(|(l, _)| *l == line)
            .map(|(_, m)| *m)
            .sum()
    }

    /// What the customer saves in all.
    pub fn saving(&self) -> Money {
        self.applied.iter().map(|a| a.saving).sum()
    }

    pub fn is_exact(&self) -> bool {
        self.fallbacks.is_empty()
    }
}

/// Why a promotion was left out when the engine was built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Invalid {
    /// A quantity of zero, or none of the parts or tiers a rule needs.
    EmptyRule,
    /// An application would take more than [`solve::MAX_APPLICATION`] units.
    TooLarge,
    /// A percentage outside 0 to 100, or a negative amount.
    BadReward,
}

/// The promotions in force for one context, indexed by SKU, with the components already solved.
#[derive(Debug)]
pub struct PromoEngine {
    /// In force and valid, sorted by id: the index is the promotion's rank.
    promos: Vec<Promotion>,
    unit_by_sku: HashMap<String, Vec<u32>>,
    /// Unit promotions with a selector over all items.
    unit_all: Vec<u32>,
    spend: Vec<u32>,
    rejected: Vec<(String, Invalid)>,
    changes_at: Option<NaiveDateTime>,
    cache: HashMap<Vec<solve::ClassKey>, Arc<solve::Solved>>,
}

impl PromoEngine {
    /// Keeps the promotions that apply in this context and are well formed, and indexes them.
    pub fn new(promotions: &[Promotion], ctx: &PromoContext<'_>) -> PromoEngine {
        let mut rejected = Vec::new();
        let mut promos: Vec<Promotion> = Vec::new();
        for promotion in promotions.iter().filter(|p| in_scope(p, ctx)) {
            match check(&promotion.rule) {
                Ok(()) => promos.push(normalise(promotion)),
                Err(why) => rejected.push((promotion.id.clone(), why)),
            }
        }
        // Ids are unique on the server; should two arrive equal, the label keeps the order total.
        promos.sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.label.cmp(&b.label)));
        rejected.sort();

        let mut engine = PromoEngine {
            promos: Vec::new(),
            unit_by_sku: HashMap::new(),
            unit_all: Vec::new(),
            spend: Vec::new(),
            rejected,
            changes_at: next_change(promotions, ctx),
            cache: HashMap::new(),
        };
        for (rank, promotion) in promos.iter().enumerate() {
            engine.index(rank as u32, &promotion.rule);
        }
        engine.promos = promos;
        engine
    }

    fn index(&mut self, rank: u32, rule: &Rule) {
        if let Rule::SpendThreshold { .. } = rule {
            self.spend.push(rank);
            return;
        }
        let selectors = solve::selectors(rule);
        if selectors.iter().any(|s| matches!(s, Selector::All)) {
            self.unit_all.push(rank);
            return;
        }
        let mut skus: Vec<&String> = selectors
            .iter()
            .flat_map(|s| match s {
                Selector::Skus(skus) => skus.iter(),
                Selector::All => [].iter(),
            })
            .collect();
        skus.sort();
        skus.dedup();
        for sku in skus {
            self.unit_by_sku.entry(sku.clone()).or_default().push(rank);
        }
    }

    /// The promotions left out as malformed, with why, by id.
    pub fn rejected(&self) -> &[(String, Invalid)] {
        &self.rejected
    }

    /// The next moment after the context's at which a promotion of its scope starts or ends:
    /// from then on this engine is out of date.
    pub fn changes_at(&self) -> Option<NaiveDateTime> {
        self.changes_at
    }

    /// The promotions in force, by id.
    pub fn promotions(&self) -> &[Promotion] {
        &self.promos
    }

    /// Prices the cart's promotions, re-solving only the components not solved before.
    pub fn price(&mut self, lines: &[PromoLine]) -> PromoOutcome {
        let mut lines: Vec<&PromoLine> = lines.iter().filter(|l| l.takes_part()).collect();
        lines.sort_by_key(|l| l.id);
        let mut book = Book::default();

        let classes = self.classes(&lines);
        let components = self.components(&classes);
        let mut used = HashMap::with_capacity(components.len());
        for component in components {
            let key: Vec<solve::ClassKey> = component.iter().map(|&c| classes[c].key()).collect();
            let solved = match self.cache.get(&key) {
                Some(solved) => Arc::clone(solved),
                None => Arc::new(self.solve(&key)),
            };
            book.take_units(&solved, &component, &classes);
            if let Some(reason) = solved.fallback {
                book.fallbacks.push(Fallback { skus: skus_of(&key), reason });
            }
            used.insert(key, solved);
        }
        // Only what this cart uses is kept, so the cache never outgrows one cart.
        self.cache = used;

        self.member_prices_by_amount(&lines, &mut book);
        self.spend_thresholds(&lines, &mut book);
        book.outcome(&self.promos)
    }

    /// Whole units of eligible lines whose SKU a unit promotion names, by (SKU, price).
    fn classes<'l>(&self, lines: &[&'l PromoLine]) -> Vec<Class<'l>> {
        let mut by_key: BTreeMap<(&str, Money), Class<'l>> = BTreeMap::new();
        for line in lines {
            let Some(units) = line.whole_units() else { continue };
            if self.unit_all.is_empty() && !self.unit_by_sku.contains_key(&line.sku) {
                continue;
            }
            let class = by_key.entry((&line.sku, line.unit_price)).or_insert_with(|| Class {
                sku: &line.sku,
                price: line.unit_price,
                count: 0,
                lines: Vec::new(),
            });
            class.count += units;
            class.lines.push((line.id, units));
        }
        by_key.into_values().collect()
    }

    /// Groups classes that a unit promotion joins; each group sorted, groups by first class.
    fn components(&self, classes: &[Class<'_>]) -> Vec<Vec<usize>> {
        let mut parent: Vec<usize> = (0..classes.len()).collect();
        let mut first_of_promo: HashMap<u32, usize> = HashMap::new();
        for (index, class) in classes.iter().enumerate() {
            let named = self.unit_by_sku.get(class.sku).map(Vec::as_slice).unwrap_or(&[]);
            for &rank in named.iter().chain(&self.unit_all) {
                let first = *first_of_promo.entry(rank).or_insert(index);
                union(&mut parent, first, index);
            }
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for index in 0..classes.len() {
            let root = find(&mut parent, index);
            groups.entry(root).or_default().push(index);
        }
        let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
        groups.sort_by_key(|g| g[0]);
        groups
    }

    fn solve(&self, key: &[solve::ClassKey]) -> solve::Solved {
        let mut ranks: Vec<u32> = key
            .iter()
            .flat_map(|k| self.unit_by_sku.get(&k.sku).map(Vec::as_slice).unwrap_or(&[]))
            .chain(&self.unit_all)
            .copied()
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let promos: Vec<(u32, &Rule)> =
            ranks.iter().map(|&r| (r, &self.promos[r as usize].rule)).collect();
        solve::solve(key, &promos)
    }

    /// Member prices on lines of a quantity that is not a whole number, on their amount.
    fn member_prices_by_amount(&self, lines: &[&PromoLine], book: &mut Book) {
        for line in lines.iter().filter(|l| l.whole_units().is_none()) {
            let named = self.unit_by_sku.get(&line.sku).map(Vec::as_slice).unwrap_or(&[]);
            let mut best: Option<(Money, u32)> = None;
            for &rank in named.iter().chain(&self.unit_all) {
                let Rule::MemberPrice { items, unit_price } = &self.promos[rank as usize].rule
                else {
                    continue;
                };
                if !items.matches(&line.sku) || *unit_price >= line.unit_price {
                    continue;
                }
                let member_amount = unit_price.mul_round(line.quantity, RoundingMode::HalfUp);
                let saving = line.amount() - member_amount;
                // Larger saving first; on a tie the smaller rank, which comes first here.
                if saving > Money::ZERO && best.is_none_or(|(s, _)| saving > s) {
                    best = Some((saving, rank));
                }
            }
            if let Some((saving, rank)) = best {
                book.add(rank, 1, &[(line.id, saving)]);
            }
        }
    }

    /// Spend thresholds on the spend left after the unit promotions.
    fn spend_thresholds(&self, lines: &[&PromoLine], book: &mut Book) {
        let net: Vec<Money> = lines.iter().map(|l| l.amount() - book.discount_of(l.id)).collect();
        let mut reached = Vec::new();
        for &rank in &self.spend {
            let Rule::SpendThreshold { items, min_spend, reward } =
                &self.promos[rank as usize].rule
            else {
                continue;
            };
            let members: Vec<usize> = (0..lines.len())
                .filter(|&i| items.matches(&lines[i].sku) && net[i] > Money::ZERO)
                .collect();
            let spend: Money = members.iter().map(|&i| net[i]).sum();
            if members.is_empty() || spend < *min_spend {
                continue;
            }
            let saving = spend_reward(reward, spend);
            if saving > Money::ZERO {
                reached.push(Threshold { rank, members, saving });
            }
        }
        let (chosen, exact) = choose_thresholds(&reached, lines.len());
        if !exact {
            let mut skus: Vec<String> = reached
                .iter()
                .flat_map(|t| t.members.iter().map(|&i| lines[i].sku.clone()))
                .collect();
            skus.sort();
            skus.dedup();
            book.fallbacks.push(Fallback { skus, reason: FallbackReason::TooManyThresholds });
        }
        for threshold in chosen.iter().map(|&i| &reached[i]) {
            let weights: Vec<i64> = threshold.members.iter().map(|&i| net[i].minor()).collect();
            let shares = allocate(threshold.saving, &weights);
            let per_line: Vec<(LineId, Money)> =
                threshold.members.iter().zip(shares).map(|(&i, s)| (lines[i].id, s)).collect();
            book.add(threshold.rank, 1, &per_line);
        }
    }
}

/// Prices a cart's promotions from scratch: what [`PromoEngine::price`] returns, without reuse.
pub fn price_promotions(
    promotions: &[Promotion],
    ctx: &PromoContext<'_>,
    lines: &[PromoLine],
) -> PromoOutcome {
    PromoEngine::new(promotions, ctx).price(lines)
}

fn in_scope(promotion: &Promotion, ctx: &PromoContext<'_>) -> bool {
    let dated = promotion.from <= ctx.at && promotion.to.is_none_or(|to| ctx.at < to);
    dated && for_this_sale(promotion, ctx)
}

/// Everything but the dates: the store, the customer, the coupons.
fn for_this_sale(promotion: &Promotion, ctx: &PromoContext<'_>) -> bool {
    let store = promotion.stores.is_empty() || promotion.stores.iter().any(|s| s == ctx.store);
    let segment = promotion.segments.is_empty()
        || promotion.segments.iter().any(|s| ctx.segments.contains(s));
    let member = ctx.member
        || !(promotion.members_only || matches!(promotion.rule, Rule::MemberPrice { .. }));
    let coupon = promotion.coupon.as_ref().is_none_or(|code| ctx.coupons.contains(code));
    store && segment && member && coupon
}

/// The next start or end, after `at`, of a promotion the sale would otherwise take.
fn next_change(promotions: &[Promotion], ctx: &PromoContext<'_>) -> Option<NaiveDateTime> {
    promotions
        .iter()
        .filter(|p| for_this_sale(p, ctx))
        .flat_map(|p| [Some(p.from), p.to])
        .flatten()
        .filter(|moment| *moment > ctx.at)
        .min()
}

fn check(rule: &Rule) -> Result<(), Invalid> {
    let big = |n: u32| n > solve::MAX_APPLICATION;
    match rule {
        Rule::BuyGet { buy_qty, get_qty, reward, .. } => {
            if *get_qty == 0 {
                return Err(Invalid::EmptyRule);
            }
            if big(buy_qty + get_qty) {
                return Err(Invalid::TooLarge);
            }
            check_reward(reward)
        }
        Rule::QuantityTier { tiers, .. } => {
            if tiers.is_empty() || tiers.iter().any(|(min, _)| *min == 0) {
                return Err(Invalid::EmptyRule);
            }
            if tiers.iter().any(|(min, _)| big(*min)) {
                return Err(Invalid::TooLarge);
            }
            tiers.iter().try_for_each(|(_, reward)| check_reward(reward))
        }
        Rule::SpendThreshold { min_spend, reward, .. } => {
            if min_spend.is_negative() {
                return Err(Invalid::BadReward);
            }
            check_reward(reward)
        }
        Rule::Bundle { parts, price } => {
            if parts.is_empty() || parts.iter().any(|(_, q)| *q == 0) {
                return Err(Invalid::EmptyRule);
            }
            if parts.len() > 8 || big(parts.iter().map(|(_, q)| q).sum()) {
                return Err(Invalid::TooLarge);
            }
            if price.is_negative() { Err(Invalid::BadReward) } else { Ok(()) }
        }
        Rule::MixMatch { qty, price, .. } => {
            if *qty == 0 {
                return Err(Invalid::EmptyRule);
            }
            if big(*qty) {
                return Err(Invalid::TooLarge);
            }
            if price.is_negative() { Err(Invalid::BadReward) } else { Ok(()) }
        }
        Rule::MemberPrice { unit_price, .. } => {
            if unit_price.is_negative() {
                Err(Invalid::BadReward)
            } else {
                Ok(())
            }
        }
    }
}

fn check_reward(reward: &Reward) -> Result<(), Invalid> {
    let ok = match reward {
        Reward::Free => true,
        Reward::PercentOff(p) => *p >= Decimal::ZERO && *p <= Decimal::ONE_HUNDRED,
        Reward::AmountOff(m) | Reward::FixedPrice(m) => !m.is_negative(),
    };
    if ok { Ok(()) } else { Err(Invalid::BadReward) }
}

fn normalise(promotion: &Promotion) -> Promotion {
    let rule = match &promotion.rule {
        Rule::BuyGet { buy, buy_qty, get, get_qty, reward } => Rule::BuyGet {
            buy: buy.normalised(),
            buy_qty: *buy_qty,
            get: get.normalised(),
            get_qty: *get_qty,
            reward: reward.clone(),
        },
        Rule::QuantityTier { items, tiers } => {
            Rule::QuantityTier { items: items.normalised(), tiers: tiers.clone() }
        }
        Rule::SpendThreshold { items, min_spend, reward } => Rule::SpendThreshold {
            items: items.normalised(),
            min_spend: *min_spend,
            reward: reward.clone(),
        },
        Rule::Bundle { parts, price } => Rule::Bundle {
            parts: parts.iter().map(|(s, q)| (s.normalised(), *q)).collect(),
            price: *price,
        },
        Rule::MixMatch { items, qty, price } => {
            Rule::MixMatch { items: items.normalised(), qty: *qty, price: *price }
        }
        Rule::MemberPrice { items, unit_price } => {
            Rule::MemberPrice { items: items.normalised(), unit_price: *unit_price }
        }
    };
    Promotion { rule, ..promotion.clone() }
}

/// A spend threshold's reward on a net spend, never more than the spend.
fn spend_reward(reward: &Reward, spend: Money) -> Money {
    let saving = match reward {
        Reward::Free => spend,
        Reward::PercentOff(p) => spend.mul_round(*p / Decimal::ONE_HUNDRED, RoundingMode::HalfUp),
        Reward::AmountOff(amount) => *amount,
        Reward::FixedPrice(price) => spend - *price,
    };
    saving.clamp(Money::ZERO, spend)
}

struct Threshold {
    rank: u32,
    /// Indexes into the cart's sorted lines.
    members: Vec<usize>,
    saving: Money,
}

/// The reached thresholds to apply (indexes into `reached`, which is in rank order), and
/// whether the choice was searched exactly: the largest saving over sets of thresholds with no
/// line in common; then the fewest; then the smallest ranks.
fn choose_thresholds(reached: &[Threshold], lines: usize) -> (Vec<usize>, bool) {
    if reached.len() > MAX_THRESHOLDS {
        let mut order: Vec<usize> = (0..reached.len()).collect();
        order.sort_by(|&a, &b| reached[b].saving.cmp(&reached[a].saving).then(a.cmp(&b)));
        let mut taken = vec![false; lines];
        let mut chosen = Vec::new();
        for index in order {
            if reached[index].members.iter().all(|&i| !taken[i]) {
                reached[index].members.iter().for_each(|&i| taken[i] = true);
                chosen.push(index);
            }
        }
        chosen.sort_unstable();
        return (chosen, false);
    }
    // Which thresholds share a line with which, once; then every set without such a pair.
    let mut owner: Vec<u32> = vec![0; lines];
    for (t, threshold) in reached.iter().enumerate() {
        threshold.members.iter().for_each(|&line| owner[line] |= 1 << t);
    }
    let conflicts: Vec<u32> = reached
        .iter()
        .enumerate()
        .map(|(t, threshold)| {
            threshold.members.iter().fold(0, |mask, &line| mask | owner[line]) & !(1 << t)
        })
        .collect();
    let mut best: (Money, u32) = (Money::ZERO, 0);
    for set in 1u32..(1 << reached.len()) {
        let members = (0..reached.len()).filter(|t| set & (1 << t) != 0);
        if members.clone().any(|t| conflicts[t] & set != 0) {
            continue;
        }
        let saving: Money = members.map(|t| reached[t].saving).sum();
        // Fewer thresholds, then the smaller ranks: the set whose sorted ranks come first.
        let better = saving > best.0
            || (saving == best.0
                && (set.count_ones() < best.1.count_ones()
                    || (set.count_ones() == best.1.count_ones() && ranks_first(set, best.1))));
        if better {
            best = (saving, set);
        }
    }
    let chosen = (0..reached.len()).filter(|t| best.1 & (1 << t) != 0).collect();
    (chosen, true)
}

/// Whether the set `a`'s members, in rank order, come before `b`'s (sets of the same size).
fn ranks_first(a: u32, b: u32) -> bool {
    // The lowest member where the sets differ decides: it is in the set that comes first.
    let differ = a ^ b;
    differ != 0 && a & (differ & differ.wrapping_neg()) != 0
}

/// Units of one SKU at one price in the cart, with the lines they come from (by line id).
struct Class<'l> {
    sku: &'l str,
    price: Money,
    count: u32,
    lines: Vec<(LineId, u32)>,
}

impl Class<'_> {
    fn key(&self) -> solve::ClassKey {
        solve::ClassKey { sku: self.sku.to_owned(), price: self.price.minor(), count: self.count }
    }
}

fn skus_of(key: &[solve::ClassKey]) -> Vec<String> {
    let mut skus: Vec<String> = key.iter().map(|k| k.sku.clone()).collect();
    skus.dedup();
    skus
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb)] = ra.min(rb);
    }
}

/// The discounts gathered while pricing, per promotion rank.
#[derive(Default)]
struct Book {
    by_rank: BTreeMap<u32, (u32, BTreeMap<LineId, Money>)>,
    per_line: HashMap<LineId, Money>,
    fallbacks: Vec<Fallback>,
}

impl Book {
    fn add(&mut self, rank: u32, times: u32, lines: &[(LineId, Money)]) {
        let (count, per_line) = self.by_rank.entry(rank).or_default();
        *count += times;
        for (line, amount) in lines.iter().filter(|(_, m)| *m > Money::ZERO) {
            *per_line.entry(*line).or_insert(Money::ZERO) += *amount;
            *self.per_line.entry(*line).or_insert(Money::ZERO) += *amount;
        }
    }

    fn discount_of(&self, line: LineId) -> Money {
        self.per_line.get(&line).copied().unwrap_or(Money::ZERO)
    }

    /// Hands a solved component's units to its lines: within a class, in application order, from
    /// the line with the smallest id; each take's discount split over its lines by units.
    fn take_units(&mut self, solved: &solve::Solved, component: &[usize], classes: &[Class<'_>]) {
        let mut cursor: Vec<(usize, u32)> = vec![(0, 0); component.len()];
        for app in &solved.apps {
            let mut per_line = Vec::new();
            for take in &app.takes {
                let class = &classes[component[take.class as usize]];
                let spans = next_units(&class.lines, &mut cursor[take.class as usize], take.units);
                let weights: Vec<i64> = spans.iter().map(|(_, n)| i64::from(*n)).collect();
                let shares = allocate(Money::from_minor(take.discount), &weights);
                per_line.extend(spans.iter().map(|(line, _)| *line).zip(shares));
            }
            self.add(app.rank, 1, &per_line);
        }
    }

    fn outcome(self, promos: &[Promotion]) -> PromoOutcome {
        let mut applied = Vec::new();
        for (rank, (times, per_line)) in self.by_rank {
            let lines: Vec<(LineId, Money)> = per_line.into_iter().collect();
            if lines.is_empty() {
                continue;
            }
            let promotion = &promos[rank as usize];
            applied.push(Applied {
                promotion: promotion.id.clone(),
                label: promotion.label.clone(),
                times,
                saving: lines.iter().map(|(_, m)| *m).sum(),
                lines,
            });
        }
        let mut fallbacks = self.fallbacks;
        fallbacks.sort_by(|a, b| a.skus.cmp(&b.skus));
        PromoOutcome { applied, fallbacks }
    }
}

/// The next `units` units of a class's lines after `cursor` (line index, units used in it).
fn next_units(
    lines: &[(LineId, u32)],
    cursor: &mut (usize, u32),
    units: u32,
) -> Vec<(LineId, u32)> {
    let mut spans = Vec::new();
    let mut left = units;
    while left > 0 && cursor.0 < lines.len() {
        let (line, count) = lines[cursor.0];
        let take = left.min(count - cursor.1);
        spans.push((line, take));
        left -= take;
        cursor.1 += take;
        if cursor.1 == count {
            *cursor = (cursor.0 + 1, 0);
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_handed_out_from_the_first_line_on() {
        let lines = [(LineId(2), 2), (LineId(5), 3)];
        let mut cursor = (0, 0);
        assert_eq!(next_units(&lines, &mut cursor, 1), [(LineId(2), 1)]);
        assert_eq!(next_units(&lines, &mut cursor, 3), [(LineId(2), 1), (LineId(5), 2)]);
        assert_eq!(next_units(&lines, &mut cursor, 5), [(LineId(5), 1)]);
    }

    #[test]
    fn the_set_with_the_smaller_first_difference_comes_first() {
        // {0, 3} before {1, 2}; {1, 2} before {1, 3}; a set does not come before itself.
        assert!(ranks_first(0b1001, 0b0110));
        assert!(!ranks_first(0b0110, 0b1001));
        assert!(ranks_first(0b0110, 0b1010));
        assert!(!ranks_first(0b0110, 0b0110));
    }

    #[test]
    fn a_spend_reward_never_exceeds_the_spend() {
        let spend = Money::from_minor(1999);
        assert_eq!(spend_reward(&Reward::AmountOff(Money::from_minor(5000)), spend), spend);
        assert_eq!(spend_reward(&Reward::FixedPrice(Money::from_minor(5000)), spend), Money::ZERO);
        // 12.5 % of 19.99 is 2.49875: 2.50.
        let eighth = Reward::PercentOff(Decimal::new(125, 1));
        assert_eq!(spend_reward(&eighth, spend), Money::from_minor(250));
    }
}
