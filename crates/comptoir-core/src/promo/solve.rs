//! The unit stage of the promotions: one component's units, the exact search and its fallback.
//!
//! A component is a list of classes (units of one SKU at one price, sorted by SKU then price)
//! with a count each, and the unit promotions that name any of them. The exact search is a
//! memoised recursion over the vector of counts left (plus, per quantity tier, the tier chosen
//! and how many units it holds, capped at the tier's minimum): the first class with a unit left
//! either keeps that unit at full price or puts it in one application of a promotion, built
//! from the units left. Every grouping of the units into applications is reached that way.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use rust_decimal::Decimal;

use super::{FallbackReason, Reward, Rule, Selector};
use crate::Money;
use crate::money::{RoundingMode, allocate, round_minor};

/// The most units a component may have to be searched exactly (the recursion goes one unit
/// deeper at most per level).
pub const MAX_UNITS: u32 = 1000;
/// The most count vectors (states) a component may have to be searched exactly.
pub const MAX_STATES: u64 = 200_000;
/// The most steps (a state expanded, or a candidate application built) the exact search takes
/// in one component before it gives up. Measured at about 0.8 µs a step in a release build on
/// a busy 2-core machine, so a component never holds a scan up for more than about 0.2 s.
pub const MAX_STEPS: u64 = 200_000;
/// The most units one application of a rule may take; larger rules are refused.
pub const MAX_APPLICATION: u32 = 24;

/// A class of a component as the cache knows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClassKey {
    pub sku: String,
    pub price: i64,
    pub count: u32,
}

/// A component's applications, in the order they are handed units.
#[derive(Debug, Default)]
pub struct Solved {
    pub apps: Vec<App>,
    pub fallback: Option<FallbackReason>,
}

/// One application: what it takes of each class and the discount it puts there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    pub rank: u32,
    pub takes: Vec<Take>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Take {
    pub class: u16,
    pub units: u32,
    pub discount: i64,
}

/// The selectors of a unit rule (none for a spend threshold).
pub fn selectors(rule: &Rule) -> Vec<&Selector> {
    match rule {
        Rule::BuyGet { buy, get, .. } => vec![buy, get],
        Rule::QuantityTier { items, .. }
        | Rule::MixMatch { items, .. }
        | Rule::MemberPrice { items, .. } => vec![items],
        Rule::Bundle { parts, .. } => parts.iter().map(|(s, _)| s).collect(),
        Rule::SpendThreshold { .. } => Vec::new(),
    }
}

/// What an application's units are worth to the customer.
enum Value {
    /// One part; its `get` cheapest units get the reward (buy-get on one selector).
    Cheapest { get: u32, reward: Reward },
    /// Two parts, bought then got; the second part's units get the reward.
    GetPart { reward: Reward },
    /// The application's units cost this price (bundle, mix-and-match).
    Price(i64),
    /// One unit at this price.
    Member(i64),
    /// One unit at a time, at the tier chosen with the first.
    Tier { slot: usize, tiers: Vec<(u32, Reward)> },
}

/// An application's units, grouped by (part, class): `(part, class, units)`, sorted.
type Grouped = Vec<(u8, u16, u32)>;

struct Compiled {
    rank: u32,
    /// Units per part.
    parts: Vec<u32>,
    value: Value,
    /// Per class, a bit per part the class's SKU matches.
    matches: Vec<u16>,
}

/// Solves one component: exactly within the bounds, else greedily.
pub fn solve(classes: &[ClassKey], promos: &[(u32, &Rule)]) -> Solved {
    let mut slots = 0;
    let compiled: Vec<Compiled> =
        promos.iter().map(|(rank, rule)| compile(*rank, rule, classes, &mut slots)).collect();
    let units: u64 = classes.iter().map(|c| u64::from(c.count)).sum();
    let states = classes.iter().fold(1u64, |n, c| n.saturating_mul(u64::from(c.count) + 1));
    let states = compiled.iter().fold(states, |n, p| match &p.value {
        Value::Tier { tiers, .. } => {
            let choices: u64 = tiers.iter().map(|(min, _)| u64::from(*min)).sum();
            n.saturating_mul(choices + 1)
        }
        _ => n,
    });
    let reason = if units > u64::from(MAX_UNITS) {
        Some(FallbackReason::TooManyUnits)
    } else if states > MAX_STATES {
        Some(FallbackReason::TooManyStates)
    } else {
        match Search::new(classes, &compiled, slots).run() {
            Some(apps) => return Solved { apps, fallback: None },
            None => Some(FallbackReason::SearchBudget),
        }
    };
    Solved { apps: greedy(classes, &compiled), fallback: reason }
}

fn compile(rank: u32, rule: &Rule, classes: &[ClassKey], slots: &mut usize) -> Compiled {
    let (parts, selectors, value): (Vec<u32>, Vec<&Selector>, Value) = match rule {
        Rule::BuyGet { buy, buy_qty, get, get_qty, reward } if buy == get => (
            vec![buy_qty + get_qty],
            vec![buy],
            Value::Cheapest { get: *get_qty, reward: reward.clone() },
        ),
        Rule::BuyGet { buy, buy_qty, get, get_qty, reward } => {
            (vec![*buy_qty, *get_qty], vec![buy, get], Value::GetPart { reward: reward.clone() })
        }
        Rule::QuantityTier { items, tiers } => {
            let slot = *slots;
            *slots += 1;
            (vec![1], vec![items], Value::Tier { slot, tiers: tiers.clone() })
        }
        Rule::Bundle { parts, price } => (
            parts.iter().map(|(_, q)| *q).collect(),
            parts.iter().map(|(s, _)| s).collect(),
            Value::Price(price.minor()),
        ),
        Rule::MixMatch { items, qty, price } => {
            (vec![*qty], vec![items], Value::Price(price.minor()))
        }
        Rule::MemberPrice { items, unit_price } => {
            (vec![1], vec![items], Value::Member(unit_price.minor()))
        }
        // Spend thresholds never reach the unit stage; an empty rule takes no unit.
        Rule::SpendThreshold { .. } => (Vec::new(), Vec::new(), Value::Price(0)),
    };
    let matches = classes
        .iter()
        .map(|class| {
            let bits = selectors.iter().enumerate().filter(|(_, s)| s.matches(&class.sku));
            bits.fold(0u16, |mask, (part, _)| mask | (1 << part))
        })
        .collect();
    Compiled { rank, parts, value, matches }
}

/// A reward on groups of units `(class, price, units)` taken as one application: the
/// discount of each group. A percentage is rounded half up once over the application and
/// spread over the groups by their amounts.
fn reward_units(reward: &Reward, groups: &[(u16, i64, u32)]) -> Vec<i64> {
    let per_unit = |f: &dyn Fn(i64) -> i64| -> Vec<i64> {
        groups
            .iter()
            .map(|(_, price, units)| f(*price).clamp(0, *price) * i64::from(*units))
            .collect()
    };
    match reward {
        Reward::Free => per_unit(&|price| price),
        Reward::AmountOff(amount) => per_unit(&|_| amount.minor()),
        Reward::FixedPrice(fixed) => per_unit(&|price| price - fixed.minor()),
        Reward::PercentOff(percent) => {
            let weights: Vec<i64> = groups.iter().map(|(_, p, u)| p * i64::from(*u)).collect();
            let amount: i64 = weights.iter().sum();
            let exact = Decimal::from(amount) * *percent / Decimal::ONE_HUNDRED;
            let total = round_minor(exact, RoundingMode::HalfUp);
            allocate(total, &weights).into_iter().map(Money::minor).collect()
        }
    }
}

/// One application found at a state: its entry and what it does to the state.
struct Choice {
    entry: u32,
    saving: i64,
    new_app: bool,
    uses: Vec<(u16, u32)>,
    /// A tier's slot and its new (tier + 1, units capped at the minimum).
    slot: Option<(usize, u16, u16)>,
}

/// An application as the tie rule sees it: its key, and what it takes.
struct Entry {
    key: Vec<u32>,
    rank: u32,
    takes: Vec<Take>,
    tier: bool,
}

#[derive(Clone)]
struct Best {
    saving: i64,
    apps: u32,
    /// Entry ids sorted by key.
    list: Vec<u32>,
}

struct Search<'a> {
    classes: &'a [ClassKey],
    compiled: &'a [Compiled],
    /// Per class, the promotions (indexes into `compiled`) one of whose parts it matches.
    usable: Vec<Vec<usize>>,
    memo: HashMap<Vec<u16>, Option<Rc<Best>>>,
    entries: Vec<Entry>,
    entry_ids: HashMap<Vec<u32>, u32>,
    slots: usize,
    steps: u64,
    aborted: bool,
}

impl<'a> Search<'a> {
    fn new(classes: &'a [ClassKey], compiled: &'a [Compiled], slots: usize) -> Search<'a> {
        let usable = (0..classes.len())
            .map(|c| (0..compiled.len()).filter(|&p| compiled[p].matches[c] != 0).collect())
            .collect();
        Search {
            classes,
            compiled,
            usable,
            memo: HashMap::new(),
            entries: Vec::new(),
            entry_ids: HashMap::new(),
            slots,
            steps: 0,
            aborted: false,
        }
    }

    /// The best applications, merged per tier, or `None` if the step budget ran out.
    fn run(mut self) -> Option<Vec<App>> {
        let mut state: Vec<u16> = self.classes.iter().map(|c| c.count as u16).collect();
        state.extend(std::iter::repeat_n(0, 2 * self.slots));
        let best = self.best(&mut state)?;
        let mut apps: Vec<App> = Vec::new();
        let mut tier_app: HashMap<u32, usize> = HashMap::new();
        for &id in &best.list {
            let entry = &self.entries[id as usize];
            if entry.tier {
                // A tier is one application: its units join the first one's.
                if let Some(&at) = tier_app.get(&entry.rank) {
                    merge_takes(&mut apps[at].takes, &entry.takes);
                    continue;
                }
                tier_app.insert(entry.rank, apps.len());
            }
            apps.push(App { rank: entry.rank, takes: entry.takes.clone() });
        }
        Some(apps)
    }

    fn best(&mut self, state: &mut Vec<u16>) -> Option<Rc<Best>> {
        if self.aborted {
            return None;
        }
        if let Some(found) = self.memo.get(state.as_slice()) {
            return found.clone();
        }
        self.steps += 1;
        if self.steps > MAX_STEPS {
            self.aborted = true;
            return None;
        }
        let result = self.expand(state);
        if self.aborted {
            return None;
        }
        self.memo.insert(state.clone(), result.clone());
        result
    }

    fn expand(&mut self, state: &mut Vec<u16>) -> Option<Rc<Best>> {
        let k = self.classes.len();
        let Some(first) = (0..k).find(|&c| state[c] > 0) else {
            return self.terminal(state);
        };
        let mut best: Option<Best> = None;

        state[first] -= 1;
        if let Some(sub) = self.best(state) {
            best = Some((*sub).clone());
        }
        state[first] += 1;

        for option in self.options(state, first) {
            for &(class, units) in &option.uses {
                state[class as usize] -= units as u16;
            }
            let before = option.slot.map(|(s, _, _)| (state[k + 2 * s], state[k + 2 * s + 1]));
            if let Some((s, tier, held)) = option.slot {
                state[k + 2 * s] = tier;
                state[k + 2 * s + 1] = held;
            }
            let sub = self.best(state);
            for &(class, units) in &option.uses {
                state[class as usize] += units as u16;
            }
            if let (Some((s, _, _)), Some((tier, held))) = (option.slot, before) {
                state[k + 2 * s] = tier;
                state[k + 2 * s + 1] = held;
            }
            if self.aborted {
                return None;
            }
            if let Some(sub) = sub {
                self.consider(&mut best, &sub, &option);
            }
        }
        best.map(Rc::new)
    }

    /// No unit left: feasible unless a tier was chosen and holds fewer units than its minimum.
    fn terminal(&self, state: &[u16]) -> Option<Rc<Best>> {
        let k = self.classes.len();
        for promo in self.compiled {
            let Value::Tier { slot, tiers } = &promo.value else { continue };
            let (tier, held) = (state[k + 2 * slot], state[k + 2 * slot + 1]);
            if tier > 0 && u32::from(held) < tiers[usize::from(tier) - 1].0 {
                return None;
            }
        }
        Some(Rc::new(Best { saving: 0, apps: 0, list: Vec::new() }))
    }

    fn consider(&self, best: &mut Option<Best>, sub: &Best, option: &Choice) {
        let saving = sub.saving + option.saving;
        let apps = sub.apps + u32::from(option.new_app);
        let len = sub.list.len() + 1;
        if let Some(current) = best.as_ref() {
            let numbers = (
                current.saving,
                std::cmp::Reverse(current.apps),
                std::cmp::Reverse(current.list.len()),
            )
                .cmp(&(saving, std::cmp::Reverse(apps), std::cmp::Reverse(len)));
            if numbers == Ordering::Greater {
                return;
            }
            let list = self.inserted(&sub.list, option.entry);
            if numbers == Ordering::Equal && self.cmp_lists(&list, &current.list) != Ordering::Less
            {
                return;
            }
            *best = Some(Best { saving, apps, list });
            return;
        }
        *best = Some(Best { saving, apps, list: self.inserted(&sub.list, option.entry) });
    }

    fn inserted(&self, list: &[u32], entry: u32) -> Vec<u32> {
        let key = &self.entries[entry as usize].key;
        let at = list.partition_point(|&e| self.entries[e as usize].key <= *key);
        let mut merged = Vec::with_capacity(list.len() + 1);
        merged.extend_from_slice(&list[..at]);
        merged.push(entry);
        merged.extend_from_slice(&list[at..]);
        merged
    }

    fn cmp_lists(&self, a: &[u32], b: &[u32]) -> Ordering {
        let keys = |list: &'_ [u32]| {
            list.iter().map(|&e| &self.entries[e as usize].key).collect::<Vec<_>>()
        };
        keys(a).cmp(&keys(b))
    }

    /// Every application that takes a unit of `first` from the units left.
    fn options(&mut self, state: &[u16], first: usize) -> Vec<Choice> {
        let mut options = Vec::new();
        let compiled = self.compiled;
        let usable = self.usable[first].clone();
        for p in usable {
            let promo = &compiled[p];
            if let Value::Tier { slot, tiers } = &promo.value {
                self.tier_options(state, first, promo.rank, *slot, tiers, &mut options);
                continue;
            }
            let mut avail: Vec<u32> =
                state[..self.classes.len()].iter().map(|&n| n.into()).collect();
            let mut picks = Vec::new();
            let mut found = Vec::new();
            pick(
                promo,
                0,
                0,
                promo.parts.first().copied().unwrap_or(0),
                &mut avail,
                &mut picks,
                &mut found,
            );
            // Every candidate is work, kept or not: the budget counts them with the states.
            self.steps += found.len() as u64;
            for picks in found {
                if !picks.iter().any(|&(_, c)| usize::from(c) == first) {
                    continue;
                }
                if let Some(option) = self.application(promo, &picks) {
                    options.push(option);
                }
            }
        }
        options
    }

    fn tier_options(
        &mut self,
        state: &[u16],
        first: usize,
        rank: u32,
        slot: usize,
        tiers: &[(u32, Reward)],
        options: &mut Vec<Choice>,
    ) {
        let k = self.classes.len();
        let (chosen, held) = (state[k + 2 * slot], state[k + 2 * slot + 1]);
        let choices: Vec<usize> =
            if chosen == 0 { (0..tiers.len()).collect() } else { vec![usize::from(chosen) - 1] };
        let price = self.classes[first].price;
        for tier in choices {
            let (min, reward) = &tiers[tier];
            let discount = reward_units(reward, &[(first as u16, price, 1)])[0];
            let key = vec![rank, tier as u32, first as u32];
            let takes = vec![Take { class: first as u16, units: 1, discount }];
            let entry = self.intern(key, rank, takes, true);
            let held = (u32::from(held) + 1).min(*min) as u16;
            options.push(Choice {
                entry,
                saving: discount,
                new_app: chosen == 0,
                uses: vec![(first as u16, 1)],
                slot: Some((slot, tier as u16 + 1, held)),
            });
        }
    }

    /// The application of `picks` (part, class per unit), if it saves anything.
    fn application(&mut self, promo: &Compiled, picks: &[(u8, u16)]) -> Option<Choice> {
        let mut grouped: Grouped = Vec::new();
        for &(part, class) in picks {
            match grouped.last_mut() {
                Some(last) if last.0 == part && last.1 == class => last.2 += 1,
                _ => grouped.push((part, class, 1)),
            }
        }
        grouped.sort_unstable();
        let discounts = value(promo, &grouped, self.classes);
        let saving: i64 = discounts.iter().map(|(_, d)| d).sum();
        if saving <= 0 {
            return None;
        }
        let mut uses: Vec<(u16, u32)> = Vec::new();
        for &(_, class, units) in &grouped {
            add_use(&mut uses, class, units);
        }
        let takes: Vec<Take> = uses
            .iter()
            .map(|&(class, units)| {
                let discount = discounts.iter().filter(|(c, _)| *c == class).map(|(_, d)| d).sum();
                Take { class, units, discount }
            })
            .collect();
        let mut key = vec![promo.rank];
        key.extend(grouped.iter().flat_map(|&(p, c, u)| [u32::from(p), u32::from(c), u]));
        let entry = self.intern(key, promo.rank, takes, false);
        Some(Choice { entry, saving, new_app: true, uses, slot: None })
    }

    fn intern(&mut self, key: Vec<u32>, rank: u32, takes: Vec<Take>, tier: bool) -> u32 {
        if let Some(&id) = self.entry_ids.get(&key) {
            return id;
        }
        let id = self.entries.len() as u32;
        self.entry_ids.insert(key.clone(), id);
        self.entries.push(Entry { key, rank, takes, tier });
        id
    }
}

fn add_use(uses: &mut Vec<(u16, u32)>, class: u16, units: u32) {
    match uses.iter_mut().find(|(c, _)| *c == class) {
        Some(found) => found.1 += units,
        None => {
            uses.push((class, units));
            uses.sort_unstable();
        }
    }
}

fn merge_takes(into: &mut Vec<Take>, from: &[Take]) {
    for take in from {
        match into.iter_mut().find(|t| t.class == take.class) {
            Some(found) => {
                found.units += take.units;
                found.discount += take.discount;
            }
            None => into.push(*take),
        }
    }
    into.sort_by_key(|t| t.class);
}

/// Every way to fill the parts from the units left: units of a part in class order (a
/// multiset), parts one after the other.
fn pick(
    promo: &Compiled,
    part: usize,
    from: usize,
    left: u32,
    avail: &mut [u32],
    picks: &mut Vec<(u8, u16)>,
    found: &mut Vec<Vec<(u8, u16)>>,
) {
    if left == 0 {
        let next = part + 1;
        if next == promo.parts.len() {
            found.push(picks.clone());
        } else {
            pick(promo, next, 0, promo.parts[next], avail, picks, found);
        }
        return;
    }
    for class in from..avail.len() {
        if avail[class] == 0 || promo.matches[class] & (1 << part) == 0 {
            continue;
        }
        avail[class] -= 1;
        picks.push((part as u8, class as u16));
        pick(promo, part, class, left - 1, avail, picks, found);
        picks.pop();
        avail[class] += 1;
    }
}

/// The discount an application puts on each class it takes, from its grouped picks
/// `(part, class, units)`.
fn value(promo: &Compiled, grouped: &[(u8, u16, u32)], classes: &[ClassKey]) -> Vec<(u16, i64)> {
    let price = |class: u16| classes[usize::from(class)].price;
    let groups = |only_part: Option<u8>| -> Vec<(u16, i64, u32)> {
        grouped
            .iter()
            .filter(|(p, _, _)| only_part.is_none_or(|only| *p == only))
            .map(|&(_, c, u)| (c, price(c), u))
            .collect()
    };
    let rewarded = |reward: &Reward, groups: Vec<(u16, i64, u32)>| {
        let discounts = reward_units(reward, &groups);
        groups.iter().zip(discounts).map(|((c, _, _), d)| (*c, d)).collect()
    };
    match &promo.value {
        Value::Cheapest { get, reward } => rewarded(reward, cheapest(groups(None), *get)),
        Value::GetPart { reward } => rewarded(reward, groups(Some(1))),
        Value::Price(bundle) => {
            let groups = groups(None);
            let weights: Vec<i64> = groups.iter().map(|(_, p, u)| p * i64::from(*u)).collect();
            let saving = weights.iter().sum::<i64>() - bundle;
            if saving <= 0 {
                return Vec::new();
            }
            let shares = allocate(Money::from_minor(saving), &weights);
            groups.iter().zip(shares).map(|((c, _, _), s)| (*c, s.minor())).collect()
        }
        Value::Member(member) => {
            groups(None).iter().map(|&(c, p, u)| (c, (p - member).max(0) * i64::from(u))).collect()
        }
        Value::Tier { .. } => Vec::new(),
    }
}

/// The `get` cheapest units of groups `(class, price, units)`: by price, then class.
fn cheapest(mut groups: Vec<(u16, i64, u32)>, get: u32) -> Vec<(u16, i64, u32)> {
    groups.sort_by_key(|&(c, p, _)| (p, c));
    let mut left = get;
    let mut out = Vec::new();
    for (class, price, units) in groups {
        if left == 0 {
            break;
        }
        let take = units.min(left);
        out.push((class, price, take));
        left -= take;
    }
    out
}

/// The fallback: repeatedly the promotion whose next application saves the most (ties to the
/// smaller rank), each application built from the dearest units left (a buy-get's bought units
/// from the cheapest); a tier takes every unit left it matches, once.
fn greedy(classes: &[ClassKey], compiled: &[Compiled]) -> Vec<App> {
    let mut avail: Vec<u32> = classes.iter().map(|c| c.count).collect();
    let mut dearest: Vec<usize> = (0..classes.len()).collect();
    dearest.sort_by(|&a, &b| classes[b].price.cmp(&classes[a].price).then(a.cmp(&b)));
    let mut tier_done = vec![false; compiled.len()];
    let mut apps = Vec::new();
    loop {
        let mut best: Option<(i64, usize, Grouped)> = None;
        for (p, promo) in compiled.iter().enumerate() {
            if tier_done[p] {
                continue;
            }
            let Some(grouped) = build(promo, &dearest, &avail) else { continue };
            let saving: i64 = greedy_value(promo, &grouped, classes).iter().map(|(_, d)| d).sum();
            if saving > 0 && best.as_ref().is_none_or(|(s, _, _)| saving > *s) {
                best = Some((saving, p, grouped));
            }
        }
        let Some((_, p, grouped)) = best else { break };
        let promo = &compiled[p];
        let discounts = greedy_value(promo, &grouped, classes);
        let mut takes: Vec<Take> = Vec::new();
        for &(_, class, units) in &grouped {
            avail[usize::from(class)] -= units;
            let discount = 0;
            merge_takes(&mut takes, &[Take { class, units, discount }]);
        }
        for (class, discount) in discounts {
            merge_takes(&mut takes, &[Take { class, units: 0, discount }]);
        }
        if matches!(promo.value, Value::Tier { .. }) {
            tier_done[p] = true;
        }
        apps.push(App { rank: promo.rank, takes });
    }
    apps
}

/// The fallback's application of one promotion on the units left, grouped by (part, class).
fn build(promo: &Compiled, dearest: &[usize], avail: &[u32]) -> Option<Grouped> {
    let mut left = avail.to_vec();
    let mut grouped = Vec::new();
    let mut take = |part: usize, wanted: Option<u32>, order: &mut dyn Iterator<Item = usize>| {
        let mut need = wanted.unwrap_or(u32::MAX);
        for class in order {
            if need == 0 {
                break;
            }
            if promo.matches[class] & (1 << part) == 0 || left[class] == 0 {
                continue;
            }
            let n = left[class].min(need);
            left[class] -= n;
            need -= n;
            grouped.push((part as u8, class as u16, n));
        }
        wanted.is_none() || need == 0
    };
    let complete = match &promo.value {
        // Got units from the dearest, then the bought ones from the cheapest.
        Value::GetPart { .. } => {
            take(1, Some(promo.parts[1]), &mut dearest.iter().copied())
                && take(0, Some(promo.parts[0]), &mut dearest.iter().rev().copied())
        }
        Value::Tier { .. } => take(0, None, &mut dearest.iter().copied()),
        _ => (0..promo.parts.len())
            .all(|part| take(part, Some(promo.parts[part]), &mut dearest.iter().copied())),
    };
    (complete && !grouped.is_empty()).then(|| {
        grouped.sort_unstable();
        grouped
    })
}

fn greedy_value(
    promo: &Compiled,
    grouped: &[(u8, u16, u32)],
    classes: &[ClassKey],
) -> Vec<(u16, i64)> {
    let Value::Tier { tiers, .. } = &promo.value else {
        return value(promo, grouped, classes);
    };
    let held: u32 = grouped.iter().map(|g| g.2).sum();
    let mut best: Vec<(u16, i64)> = Vec::new();
    let mut best_saving = 0;
    for (_, reward) in tiers.iter().filter(|(min, _)| *min <= held) {
        let per: Vec<(u16, i64)> = grouped
            .iter()
            .map(|&(_, c, u)| {
                let one = reward_units(reward, &[(c, classes[usize::from(c)].price, 1)])[0];
                (c, one * i64::from(u))
            })
            .collect();
        let saving: i64 = per.iter().map(|(_, d)| d).sum();
        if saving > best_saving {
            best_saving = saving;
            best = per;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_rounds_once_over_the_application_and_is_spread_by_amount() {
        // 10 % of 2.75 + 2.75 + 1.05 = 6.55 is 0.655: 0.66 (not 0.28 + 0.28 + 0.11 = 0.67).
        // Spread over 275/275/105: 27.71, 27.71, 10.58 cents; 27 + 27 + 10 = 64, and the two
        // cents left go to the largest remainders, the first two: 28, 28, 10.
        let groups = [(0, 275, 1), (1, 275, 1), (2, 105, 1)];
        let discounts = reward_units(&Reward::PercentOff(Decimal::TEN), &groups);
        assert_eq!(discounts, [28, 28, 10]);
    }

    #[test]
    fn unit_rewards_stop_at_the_unit_price() {
        let groups = [(0, 150, 2), (1, 400, 1)];
        assert_eq!(reward_units(&Reward::AmountOff(Money::from_minor(200)), &groups), [300, 200]);
        assert_eq!(reward_units(&Reward::FixedPrice(Money::from_minor(200)), &groups), [0, 200]);
        assert_eq!(reward_units(&Reward::Free, &groups), [300, 400]);
    }

    #[test]
    fn the_cheapest_units_are_taken_by_price_then_class() {
        let groups = vec![(0, 300, 2), (1, 200, 1), (2, 200, 2)];
        assert_eq!(cheapest(groups, 2), [(1, 200, 1), (2, 200, 1)]);
    }
}
