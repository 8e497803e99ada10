//! Promotions as data: the record the server publishes in a store's catalog log (and a
//! promotions file holds, a JSON list of them), its checks, and its conversion into the core's
//! [`Promotion`] in a store's currency.
//!
//! Money is a decimal string in the store's currency (`"5.00"`), a percentage a decimal string
//! in percent (`"10"` is 10 %), moments are the store's local time (`YYYY-MM-DDTHH:MM`, like
//! prices), so an offline register starts and stops a promotion on time. A rule names SKUs the
//! catalog may not have yet: a promotion can be published before its items.

use comptoir_core::Currency;
use comptoir_core::money::Money;
use comptoir_core::promo::{PromoContext, PromoEngine, Promotion, Reward, Rule, Selector};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{Labels, parse_local_time};

/// One promotion as the server publishes it and a promotions file gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionRecord {
    /// Stable and unique in the chain (`MTL-2026-0042`); a later record of the same id
    /// replaces it. Also the tie rule's rank between promotions.
    pub id: String,
    /// What the screen and the receipt print, per language: `{"fr": "2 pour 5,00 $"}`.
    pub label: Labels,
    pub rule: RuleRecord,
    /// The store's local time from which it applies (`YYYY-MM-DDTHH:MM`).
    pub from: String,
    /// The local time at which it stops (exclusive); none: until retired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Store codes it applies in; empty: every store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stores: Vec<String>,
    /// Customer segments it is for; empty: every customer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
    /// Needs an identified member (a customer attached to the sale).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub members_only: bool,
    /// Applies only once this coupon code is entered at the till (compared ignoring case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coupon: Option<String>,
    /// Withdrawn: registers drop it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
}

/// What a promotion gives, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleRecord {
    /// Buy `buy_qty` of `buy`, get `get_qty` of `get` with `reward`; the same selector for
    /// both is "cheapest of N" ("3rd free").
    BuyGet {
        buy: SelectorRecord,
        buy_qty: u32,
        get: SelectorRecord,
        get_qty: u32,
        reward: RewardRecord,
    },
    /// A unit reward from a quantity on, at the best tier reached.
    QuantityTier { items: SelectorRecord, tiers: Vec<TierRecord> },
    /// Spend `min_spend` (after unit promotions) on `items`, get `reward` on that spend.
    SpendThreshold { items: SelectorRecord, min_spend: String, reward: RewardRecord },
    /// Each part's quantity of its items together for `price`.
    Bundle { parts: Vec<PartRecord>, price: String },
    /// Any `qty` units of `items` for `price` ("2 for 5.00").
    MixMatch { items: SelectorRecord, qty: u32, price: String },
    /// A unit price for identified members.
    MemberPrice { items: SelectorRecord, unit_price: String },
}

/// Which items: `{"skus": ["A", "B"]}` or `"all"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectorRecord {
    Skus(Vec<String>),
    All,
}

/// `"free"`, `{"percent_off": "10"}`, `{"amount_off": "1.00"}` or `{"fixed_price": "2.00"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardRecord {
    Free,
    PercentOff(String),
    AmountOff(String),
    FixedPrice(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierRecord {
    pub min_qty: u32,
    pub reward: RewardRecord,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartRecord {
    pub items: SelectorRecord,
    pub qty: u32,
}

impl PromotionRecord {
    /// The core's promotion in this currency, its label in `lang` (else any language the
    /// record has), or why the record cannot be used. The coupon is upper-cased, as the till
    /// upper-cases what is entered.
    pub fn to_promotion(&self, currency: &Currency, lang: &str) -> Result<Promotion, String> {
        self.convert(currency, lang).map_err(|fault| format!("promotion {:?}: {fault}", self.id))
    }

    fn convert(&self, currency: &Currency, lang: &str) -> Result<Promotion, String> {
        if self.id.trim().is_empty() || self.id.trim() != self.id {
            return Err("the id is empty or has spaces around it".to_owned());
        }
        let label = self
            .label
            .get(lang)
            .or_else(|| self.label.values().next())
            .filter(|l| !l.trim().is_empty())
            .ok_or("it has no label (give one per language: {\"fr\": \"…\", \"en\": \"…\"})")?;
        let from = parse_local_time(&self.from).ok_or_else(|| {
            format!("from {:?} is not a local time (YYYY-MM-DDTHH:MM)", self.from)
        })?;
        let to = match &self.to {
            None => None,
            Some(text) => match parse_local_time(text) {
                Some(to) if to > from => Some(to),
                Some(_) => return Err(format!("to {text:?} is not after from {:?}", self.from)),
                None => return Err(format!("to {text:?} is not a local time (YYYY-MM-DDTHH:MM)")),
            },
        };
        if self.stores.iter().chain(&self.segments).any(|s| s.trim().is_empty()) {
            return Err("a store or segment is empty".to_owned());
        }
        let coupon = match &self.coupon {
            None => None,
            Some(code) if code.is_empty() || code.chars().any(char::is_whitespace) => {
                return Err(format!("coupon {code:?} is empty or has spaces"));
            }
            Some(code) => Some(code.to_uppercase()),
        };
        let rule = self.rule.to_rule(currency)?;
        let promotion = Promotion {
            id: self.id.clone(),
            label: label.clone(),
            rule,
            from,
            to,
            stores: self.stores.clone(),
            segments: self.segments.clone(),
            members_only: self.members_only,
            coupon,
        };
        core_fault(&promotion).map_or(Ok(promotion), Err)
    }
}

/// Why the core would leave a promotion out, asked of the core itself: an engine built for a
/// context the promotion is for either keeps it or says why not.
fn core_fault(promotion: &Promotion) -> Option<String> {
    let coupons: Vec<String> = promotion.coupon.iter().cloned().collect();
    let ctx = PromoContext {
        store: promotion.stores.first().map_or("", String::as_str),
        at: promotion.from,
        segments: &promotion.segments,
        member: true,
        coupons: &coupons,
    };
    let engine = PromoEngine::new(std::slice::from_ref(promotion), &ctx);
    let (_, why) = engine.rejected().first()?;
    Some(match why {
        comptoir_core::promo::Invalid::EmptyRule => {
            "a quantity is zero, or the rule has no tiers or parts".to_owned()
        }
        comptoir_core::promo::Invalid::TooLarge => format!(
            "one application would take more than {} units (or a bundle more than 8 parts)",
            comptoir_core::promo::MAX_APPLICATION
        ),
        comptoir_core::promo::Invalid::BadReward => {
            "a percentage is outside 0 to 100, or an amount is negative".to_owned()
        }
    })
}

/// Why a promotion record cannot be used in this currency, or `None`.
pub fn promotion_fault(record: &PromotionRecord, currency: &Currency) -> Option<String> {
    record.to_promotion(currency, "").err()
}

/// Reads a promotions file: a JSON list of records, every one checked, ids unique. The
/// errors name each bad record.
pub fn parse_promotions(
    text: &str,
    currency: &Currency,
) -> Result<Vec<PromotionRecord>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let records: Vec<PromotionRecord> = serde_json::from_str(text)
        .map_err(|e| vec![format!("not a JSON list of promotions (see docs/server.md): {e}")])?;
    let mut seen = std::collections::BTreeSet::new();
    let mut faults = Vec::new();
    for record in &records {
        if !seen.insert(record.id.as_str()) {
            faults.push(format!("promotion {:?} is given twice", record.id));
        } else if let Some(fault) = promotion_fault(record, currency) {
            faults.push(fault);
        }
    }
    if faults.is_empty() { Ok(records) } else { Err(faults) }
}

impl RuleRecord {
    fn to_rule(&self, currency: &Currency) -> Result<Rule, String> {
        let money = |what: &str, text: &str| amount(currency, what, text);
        Ok(match self {
            RuleRecord::BuyGet { buy, buy_qty, get, get_qty, reward } => Rule::BuyGet {
                buy: buy.to_selector("buy")?,
                buy_qty: *buy_qty,
                get: get.to_selector("get")?,
                get_qty: positive("get_qty", *get_qty)?,
                reward: reward.to_reward(currency)?,
            },
            RuleRecord::QuantityTier { items, tiers } => {
                if tiers.is_empty() {
                    return Err("a quantity tier needs at least one tier".to_owned());
                }
                let tiers = tiers
                    .iter()
                    .map(|t| Ok((positive("min_qty", t.min_qty)?, t.reward.to_reward(currency)?)))
                    .collect::<Result<_, String>>()?;
                Rule::QuantityTier { items: items.to_selector("items")?, tiers }
            }
            RuleRecord::SpendThreshold { items, min_spend, reward } => Rule::SpendThreshold {
                items: items.to_selector("items")?,
                min_spend: money("min_spend", min_spend)?,
                reward: reward.to_reward(currency)?,
            },
            RuleRecord::Bundle { parts, price } => {
                if parts.is_empty() {
                    return Err("a bundle needs at least one part".to_owned());
                }
                let parts = parts
                    .iter()
                    .map(|p| Ok((p.items.to_selector("a part's items")?, positive("qty", p.qty)?)))
                    .collect::<Result<_, String>>()?;
                Rule::Bundle { parts, price: money("price", price)? }
            }
            RuleRecord::MixMatch { items, qty, price } => Rule::MixMatch {
                items: items.to_selector("items")?,
                qty: positive("qty", *qty)?,
                price: money("price", price)?,
            },
            RuleRecord::MemberPrice { items, unit_price } => Rule::MemberPrice {
                items: items.to_selector("items")?,
                unit_price: money("unit_price", unit_price)?,
            },
        })
    }
}

impl SelectorRecord {
    fn to_selector(&self, what: &str) -> Result<Selector, String> {
        match self {
            SelectorRecord::All => Ok(Selector::All),
            SelectorRecord::Skus(skus) if skus.is_empty() => {
                Err(format!("{what} names no SKU (list some, or say \"all\")"))
            }
            SelectorRecord::Skus(skus) if skus.iter().any(|s| s.trim().is_empty()) => {
                Err(format!("{what} has an empty SKU"))
            }
            SelectorRecord::Skus(skus) => Ok(Selector::Skus(skus.clone())),
        }
    }
}

impl RewardRecord {
    fn to_reward(&self, currency: &Currency) -> Result<Reward, String> {
        Ok(match self {
            RewardRecord::Free => Reward::Free,
            RewardRecord::PercentOff(text) => {
                let percent = text
                    .trim()
                    .parse::<Decimal>()
                    .ok()
                    .filter(|p| comptoir_core::money::is_plain_decimal(text.trim()) && *p >= Decimal::ZERO)
                    .filter(|p| *p <= Decimal::ONE_HUNDRED)
                    .ok_or_else(|| {
                        format!("percent_off {text:?} is not a percentage from 0 to 100 (\"10\" is 10 %)")
                    })?;
                Reward::PercentOff(percent)
            }
            RewardRecord::AmountOff(text) => {
                Reward::AmountOff(amount(currency, "amount_off", text)?)
            }
            RewardRecord::FixedPrice(text) => {
                Reward::FixedPrice(amount(currency, "fixed_price", text)?)
            }
        })
    }
}

/// An amount of money from zero up, in the currency's decimals.
fn amount(currency: &Currency, what: &str, text: &str) -> Result<Money, String> {
    match currency.parse(text) {
        Ok(money) if !money.is_negative() => Ok(money),
        Ok(_) => Err(format!("{what} {text:?} is negative")),
        Err(e) => Err(format!("{what}: {e}")),
    }
}

fn positive(what: &str, n: u32) -> Result<u32, String> {
    if n == 0 { Err(format!("{what} is 0: it is at least 1")) } else { Ok(n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cad() -> Currency {
        Currency::new("CAD", 2, 5)
    }

    fn record(json: serde_json::Value) -> PromotionRecord {
        serde_json::from_value(json).unwrap()
    }

    fn two_for_five() -> serde_json::Value {
        serde_json::json!({
            "id": "P1",
            "label": {"fr": "2 pour 5,00 $", "en": "2 for $5.00"},
            "rule": {"type": "mix_match", "items": {"skus": ["M1"]}, "qty": 2, "price": "5.00"},
            "from": "2026-01-01T00:00"
        })
    }

    #[test]
    fn a_record_converts_in_the_stores_currency_and_language() {
        let promotion = record(two_for_five()).to_promotion(&cad(), "fr").unwrap();
        assert_eq!(promotion.label, "2 pour 5,00 $");
        assert_eq!(
            promotion.rule,
            Rule::MixMatch {
                items: Selector::Skus(vec!["M1".into()]),
                qty: 2,
                price: Money::from_minor(500)
            }
        );
        assert_eq!(promotion.to, None);
        let english = record(two_for_five()).to_promotion(&cad(), "de").unwrap();
        assert_eq!(english.label, "2 for $5.00", "another language falls back to one it has");
    }

    #[test]
    fn every_rule_reads_back_as_written() {
        let rules = serde_json::json!([
            {"type": "buy_get", "buy": {"skus": ["A"]}, "buy_qty": 2, "get": {"skus": ["A"]}, "get_qty": 1, "reward": "free"},
            {"type": "quantity_tier", "items": "all", "tiers": [{"min_qty": 3, "reward": {"percent_off": "10"}}]},
            {"type": "spend_threshold", "items": "all", "min_spend": "30.00", "reward": {"amount_off": "5.00"}},
            {"type": "bundle", "parts": [{"items": {"skus": ["A"]}, "qty": 1}, {"items": {"skus": ["B"]}, "qty": 1}], "price": "4.00"},
            {"type": "member_price", "items": {"skus": ["A"]}, "unit_price": "1.99"},
        ]);
        for rule in rules.as_array().unwrap() {
            let mut json = two_for_five();
            json["rule"] = rule.clone();
            let parsed = record(json.clone());
            assert_eq!(serde_json::to_value(&parsed).unwrap()["rule"], *rule);
            assert_eq!(promotion_fault(&parsed, &cad()), None, "{rule}");
        }
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        let fault = |edit: &dyn Fn(&mut serde_json::Value)| {
            let mut json = two_for_five();
            edit(&mut json);
            promotion_fault(&record(json), &cad()).expect("a fault")
        };
        assert!(fault(&|j| j["rule"]["price"] = "5.001".into()).contains("price"));
        assert!(fault(&|j| j["rule"]["price"] = "-5".into()).contains("negative"));
        assert!(fault(&|j| j["rule"]["price"] = "five".into()).contains("price"));
        assert!(
            fault(&|j| j["rule"]["items"] = serde_json::json!({"skus": []})).contains("no SKU")
        );
        assert!(fault(&|j| j["rule"]["qty"] = 0.into()).contains("qty is 0"));
        assert!(fault(&|j| j["rule"]["qty"] = 40.into()).contains("more than 24 units"));
        assert!(fault(&|j| j["to"] = "2025-12-31T23:00".into()).contains("not after from"));
        assert!(fault(&|j| j["to"] = "2026-01-01T00:00".into()).contains("not after from"));
        assert!(fault(&|j| j["from"] = "2026-01-01".into()).contains("not a local time"));
        assert!(fault(&|j| j["label"] = serde_json::json!({})).contains("no label"));
        assert!(fault(&|j| j["coupon"] = "BIEN VENUE".into()).contains("coupon"));
        for bad in ["101", "-1", "ten", "1e1"] {
            let percent = fault(&|j| {
                j["rule"] = serde_json::json!({"type": "quantity_tier", "items": "all",
                    "tiers": [{"min_qty": 1, "reward": {"percent_off": bad}}]})
            });
            assert!(percent.contains("0 to 100"), "{bad}: {percent}");
        }
    }

    #[test]
    fn a_file_is_a_list_with_unique_ids() {
        let one = two_for_five();
        let text = serde_json::json!([one.clone(), one]).to_string();
        let faults = parse_promotions(&text, &cad()).unwrap_err();
        assert!(faults[0].contains("twice"), "{faults:?}");
        assert!(parse_promotions("{}", &cad()).unwrap_err()[0].contains("JSON list"));
        let unknown = serde_json::json!([{"id": "P", "label": {"en": "x"}, "from": "2026-01-01T00:00",
            "rule": {"type": "mix_match", "items": "all", "qty": 2, "price": "1"}, "colour": "red"}]);
        assert!(parse_promotions(&unknown.to_string(), &cad()).unwrap_err()[0].contains("colour"));
    }
}
