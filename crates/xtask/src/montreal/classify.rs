//! Puts a product in a bucket (see `rules`): categories first, then the head word of its name.

use super::rules::{BUCKETS, Bucket, GENERAL_TAGS};

/// What decided the bucket, for the summary and the README's counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    /// A specific OFF category ("en:cheeses").
    Category,
    /// A word of the name that names the product ("dressing").
    NameWord,
    /// Only a general OFF category ("en:beverages").
    GeneralCategory,
    /// Only a flavour word of the name ("vanilla").
    Flavour,
}

/// The bucket of a product, trying in turn: a specific category (the first bucket in table
/// order that has one, so any taxable category makes the product taxable), a word naming the
/// product, a general category, a flavour word.
pub fn classify(tags: &[String], name: &str, french: bool) -> Option<(&'static Bucket, Evidence)> {
    let specific = |tag: &&String| !GENERAL_TAGS.contains(&tag.as_str());
    if let Some(bucket) = by_tags(tags.iter().filter(specific)) {
        return Some((bucket, Evidence::Category));
    }
    if let Some(bucket) = by_name(name, french, |bucket| bucket.words) {
        return Some((bucket, Evidence::NameWord));
    }
    if let Some(bucket) = by_tags(tags.iter()) {
        return Some((bucket, Evidence::GeneralCategory));
    }
    by_name(name, french, |bucket| bucket.flavours).map(|bucket| (bucket, Evidence::Flavour))
}

fn by_tags<'a>(tags: impl Iterator<Item = &'a String> + Clone) -> Option<&'static Bucket> {
    BUCKETS.iter().find(|bucket| tags.clone().any(|tag| bucket.tags.contains(&tag.as_str())))
}

/// The bucket of the name's head word. Names are split in parts at commas, slashes and
/// brackets (a brand often comes first: "Hills Bros., Cappuccino Drink Mix"); the first part
/// with a keyword decides. In that part an English name's head is its last keyword before any
/// "with", "and", "&" or "in" ("French Onion Dip With Bacon" is a dip), a French name's head
/// its first keyword ("Sauce à salade French Dijon" is a sauce). At one place, the longer
/// phrase wins ("drink mix" over "mix").
fn by_name(
    name: &str,
    french: bool,
    keywords: impl Fn(&Bucket) -> &'static [&'static str],
) -> Option<&'static Bucket> {
    for part in name.split([',', ';', '/', '(', ')']) {
        let head_part = if french { part } else { before_joiner(part) };
        let found = head(&crate::text::words(head_part), french, &keywords)
            .or_else(|| head(&crate::text::words(part), french, &keywords));
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The part of an English name before its first "&", "with", "and" or "in".
fn before_joiner(part: &str) -> &str {
    let cut = part.find('&').unwrap_or(part.len());
    let part = &part[..cut];
    let lower = part.to_ascii_lowercase();
    [" with ", " and ", " in "]
        .iter()
        .filter_map(|joiner| lower.find(joiner))
        .min()
        .map_or(part, |at| &part[..at])
}

fn head(
    words: &[String],
    french: bool,
    keywords: &impl Fn(&Bucket) -> &'static [&'static str],
) -> Option<&'static Bucket> {
    // (start, end, bucket) of every keyword found.
    let mut found: Vec<(usize, usize, &'static Bucket)> = Vec::new();
    for bucket in BUCKETS {
        for keyword in keywords(bucket) {
            let phrase: Vec<&str> = keyword.split(' ').collect();
            for start in 0..words.len() {
                let end = start + phrase.len();
                if end <= words.len() && words[start..end].iter().zip(&phrase).all(|(w, p)| w == p)
                {
                    found.push((start, end, bucket));
                }
            }
        }
    }
    let best = if french {
        found.iter().min_by_key(|(start, end, _)| (*start, usize::MAX - end))
    } else {
        found.iter().max_by_key(|(start, end, _)| (*end, usize::MAX - start))
    };
    best.map(|(_, _, bucket)| *bucket)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket_of(name: &str, french: bool) -> &'static str {
        classify(&[], name, french).map_or("none", |(bucket, _)| bucket.code)
    }

    #[test]
    fn head_words() {
        assert_eq!(bucket_of("French Onion Dip With Bacon", false), "pantry");
        assert_eq!(
            bucket_of("Hills Bros., Cappuccino Drink Mix, French Vanilla", false),
            "hot_drinks_water"
        );
        assert_eq!(
            bucket_of("Handcrafted French Pot Ice Cream, Chocolate Chip", false),
            "frozen_desserts"
        );
        assert_eq!(bucket_of("Maitre Jacques, French Wine Vinegar", false), "pantry");
        assert_eq!(bucket_of("Hot Dog Buns", false), "bakery");
        assert_eq!(bucket_of("French Toast Sticks Apple & Syrup", false), "meals");
        assert_eq!(bucket_of("Sauce à salade French Dijon", true), "pantry");
        assert_eq!(bucket_of("Exquisite French Chocolate", false), "confectionery");
        assert_eq!(bucket_of("French Lightly Sparkling Water", false), "soft_drinks");
        assert_eq!(bucket_of("French Vanilla", false), "pantry");
        assert_eq!(bucket_of("Earl Grey French Blue", false), "none");
    }

    #[test]
    fn any_taxable_category_wins() {
        let tags: Vec<String> =
            ["en:meats", "en:snacks", "en:salty-snacks"].iter().map(|t| t.to_string()).collect();
        let (bucket, evidence) = classify(&tags, "Mini Chorizo", true).unwrap();
        assert_eq!((bucket.code, evidence), ("salty_snacks", Evidence::Category));
    }
}
