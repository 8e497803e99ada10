//! A brute-force reference for the unit stage: every way to group distinct units into
//! applications, with no classes, no memo and no tie rule, just the largest saving.

use comptoir_core::promo::{Reward, Rule, Selector};

/// One unit: its SKU and price in minor units.
pub type Unit = (String, i64);

/// The largest saving the unit promotions can give these units.
pub fn best_saving(units: &[Unit], rules: &[Rule]) -> i64 {
    let mut used = vec![false; units.len()];
    let mut tier_used = vec![false; rules.len()];
    search(units, rules, &mut used, &mut tier_used)
}

fn search(units: &[Unit], rules: &[Rule], used: &mut [bool], tier_used: &mut [bool]) -> i64 {
    let Some(first) = used.iter().position(|u| !u) else { return 0 };
    used[first] = true;
    let mut best = search(units, rules, used, tier_used);
    let rest: Vec<usize> = (0..units.len()).filter(|&i| !used[i]).collect();
    for (r, rule) in rules.iter().enumerate() {
        let tier = matches!(rule, Rule::QuantityTier { .. });
        if tier && tier_used[r] {
            continue;
        }
        for mask in 0u32..(1 << rest.len()) {
            let mut set = vec![first];
            set.extend((0..rest.len()).filter(|b| mask & (1 << b) != 0).map(|b| rest[b]));
            let Some(saving) = value(rule, &set.iter().map(|&i| &units[i]).collect::<Vec<_>>())
            else {
                continue;
            };
            set[1..].iter().for_each(|&i| used[i] = true);
            tier_used[r] = tier;
            best = best.max(saving + search(units, rules, used, tier_used));
            tier_used[r] = false;
            set[1..].iter().for_each(|&i| used[i] = false);
        }
    }
    used[first] = false;
    best
}

fn one(reward: &Reward, price: i64) -> i64 {
    match reward {
        Reward::Free => price,
        Reward::AmountOff(m) => m.minor().min(price),
        Reward::FixedPrice(m) => (price - m.minor()).max(0),
        Reward::PercentOff(p) => percent(price, p),
    }
}

/// Half up on whole percents: (amount x p + 50) / 100 for amounts above zero.
fn percent(amount: i64, p: &rust_decimal::Decimal) -> i64 {
    let p: i64 = p.to_string().parse().expect("whole percents in these tests");
    (amount * p + 50) / 100
}

fn on_units(reward: &Reward, prices: &[i64]) -> i64 {
    match reward {
        Reward::PercentOff(p) => percent(prices.iter().sum(), p),
        _ => prices.iter().map(|&price| one(reward, price)).sum(),
    }
}

fn all_match(selector: &Selector, units: &[&Unit]) -> bool {
    units.iter().all(|u| selector.matches(&u.0))
}

/// What one application of `rule` to exactly these units saves, or `None` if it cannot take
/// them.
fn value(rule: &Rule, units: &[&Unit]) -> Option<i64> {
    let total: i64 = units.iter().map(|u| u.1).sum();
    match rule {
        Rule::BuyGet { buy, buy_qty, get, get_qty, reward } if buy == get => {
            if units.len() != (buy_qty + get_qty) as usize || !all_match(buy, units) {
                return None;
            }
            let mut prices: Vec<i64> = units.iter().map(|u| u.1).collect();
            prices.sort();
            Some(on_units(reward, &prices[..*get_qty as usize]))
        }
        Rule::BuyGet { buy, buy_qty, get, get_qty, reward } => {
            if units.len() != (buy_qty + get_qty) as usize {
                return None;
            }
            // Every choice of which units are got.
            let mut best = None;
            for mask in 0u32..(1 << units.len()) {
                if mask.count_ones() != *get_qty {
                    continue;
                }
                let (got, bought): (Vec<_>, Vec<_>) =
                    (0..units.len()).partition(|i| mask & (1 << i) != 0);
                let got: Vec<&Unit> = got.iter().map(|&i| units[i]).collect();
                let bought: Vec<&Unit> = bought.iter().map(|&i| units[i]).collect();
                if all_match(get, &got) && all_match(buy, &bought) {
                    let prices: Vec<i64> = got.iter().map(|u| u.1).collect();
                    best = best.max(Some(on_units(reward, &prices)));
                }
            }
            best
        }
        Rule::QuantityTier { items, tiers } => {
            if !all_match(items, units) {
                return None;
            }
            tiers
                .iter()
                .filter(|(min, _)| units.len() >= *min as usize)
                .map(|(_, reward)| units.iter().map(|u| one(reward, u.1)).sum())
                .max()
        }
        Rule::MixMatch { items, qty, price } => {
            let fits = units.len() == *qty as usize && all_match(items, units);
            fits.then_some(total - price.minor()).filter(|s| *s > 0)
        }
        Rule::Bundle { parts, price } => {
            let sizes: Vec<usize> = parts.iter().map(|(_, q)| *q as usize).collect();
            let fits = units.len() == sizes.iter().sum::<usize>() && fill(parts, &sizes, units);
            fits.then_some(total - price.minor()).filter(|s| *s > 0)
        }
        Rule::MemberPrice { items, unit_price } => {
            let fits = units.len() == 1 && all_match(items, units);
            fits.then_some(units[0].1 - unit_price.minor()).filter(|s| *s > 0)
        }
        Rule::SpendThreshold { .. } => None,
    }
}

/// Whether the units can be dealt to the parts, each part getting its size of matching units.
fn fill(parts: &[(Selector, u32)], left: &[usize], units: &[&Unit]) -> bool {
    let Some((unit, rest)) = units.split_first() else { return true };
    (0..parts.len()).any(|p| {
        if left[p] == 0 || !parts[p].0.matches(&unit.0) {
            return false;
        }
        let mut left = left.to_vec();
        left[p] -= 1;
        fill(parts, &left, rest)
    })
}
