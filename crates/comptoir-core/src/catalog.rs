//! The catalog the register sells from: items found by barcode, by SKU or by name.

use std::collections::HashMap;

use crate::gtin::Gtin14;
use crate::money::Money;
use crate::tax::TaxClass;
use crate::text;

/// The store's own identifier of an item (London: the retailer's stock code).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sku(pub String);

impl Sku {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether an item is merchandise sold by the unit, merchandise sold by weight (its price is
/// per kilogram and its quantity a weight in kilograms, from the scale), or a charge such as
/// postage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Item,
    Weighed,
    NonMerchandise,
}

/// A price from a moment on, in the store's local time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledPrice {
    pub from: chrono::NaiveDateTime,
    /// `None`: from then on the cashier keys the price.
    pub price: Option<Money>,
}

/// One thing the store sells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub sku: Sku,
    pub gtin: Option<Gtin14>,
    pub name: String,
    /// The French name where the store has one.
    pub name_fr: Option<String>,
    /// The shelf price; `None` means the cashier keys the price (open price).
    pub price: Option<Money>,
    pub tax_class: TaxClass,
    pub kind: ItemKind,
    /// Prices from a moment on, oldest first (the server's effective-dated prices). The one
    /// in force is the latest that has begun; before the first, `price`.
    pub schedule: Vec<ScheduledPrice>,
}

impl Item {
    /// The price in force at a moment (the store's local time).
    pub fn price_at(&self, at: chrono::NaiveDateTime) -> Option<Money> {
        match self.schedule.iter().rev().find(|p| p.from <= at) {
            Some(scheduled) => scheduled.price,
            None => self.price,
        }
    }

    /// The item as sold at a moment: `price` is the price then.
    pub fn at(&self, at: chrono::NaiveDateTime) -> Item {
        Item { price: self.price_at(at), ..self.clone() }
    }

    /// The name in a language, falling back to the default name.
    pub fn name_in(&self, lang: &str) -> &str {
        match (&self.name_fr, lang) {
            (Some(fr), "fr") if !fr.is_empty() => fr,
            _ => &self.name,
        }
    }
}

/// An in-memory index over the catalog: barcode and SKU lookups are hash lookups, so a scan
/// costs the same over 50 items or 50,000.
#[derive(Debug, Default)]
pub struct Catalog {
    items: Vec<Item>,
    folded: Vec<String>,
    by_gtin: HashMap<Gtin14, usize>,
    by_sku: HashMap<String, usize>,
}

impl Catalog {
    pub fn new(items: Vec<Item>) -> Catalog {
        let mut catalog = Catalog::default();
        for item in items {
            catalog.insert(item);
        }
        catalog
    }

    /// Adds an item, or replaces the one with the same SKU.
    pub fn insert(&mut self, item: Item) {
        let key = item.sku.0.to_uppercase();
        let folded = fold_names(&item);
        if let Some(&index) = self.by_sku.get(&key) {
            if let Some(old) = &self.items[index].gtin {
                self.by_gtin.remove(old);
            }
            if let Some(gtin) = &item.gtin {
                self.by_gtin.insert(gtin.clone(), index);
            }
            self.items[index] = item;
            self.folded[index] = folded;
            return;
        }
        let index = self.items.len();
        if let Some(gtin) = &item.gtin {
            self.by_gtin.insert(gtin.clone(), index);
        }
        self.by_sku.insert(key, index);
        self.items.push(item);
        self.folded.push(folded);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// Finds what a scanner or a cashier entered: a GTIN in any of its lengths, or a SKU.
    pub fn lookup(&self, code: &str) -> Option<&Item> {
        let code = code.trim();
        if let Ok(gtin) = Gtin14::parse(code)
            && let Some(&index) = self.by_gtin.get(&gtin)
        {
            return Some(&self.items[index]);
        }
        self.by_sku.get(&code.to_uppercase()).map(|&index| &self.items[index])
    }

    pub fn by_sku(&self, sku: &str) -> Option<&Item> {
        self.by_sku.get(&sku.to_uppercase()).map(|&index| &self.items[index])
    }

    /// Items whose name (in any language) contains every word of the query, ignoring accents
    /// and case, in catalog order.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Item> {
        let query = text::fold(query);
        if query.is_empty() {
            return Vec::new();
        }
        self.folded
            .iter()
            .enumerate()
            .filter(|(_, name)| text::matches(name, &query))
            .map(|(index, _)| &self.items[index])
            .take(limit)
            .collect()
    }
}

fn fold_names(item: &Item) -> String {
    let mut names = text::fold(&item.name);
    if let Some(fr) = &item.name_fr {
        names.push(' ');
        names.push_str(&text::fold(fr));
    }
    names.push(' ');
    names.push_str(&text::fold(&item.sku.0));
    names
}
