//! A guess at whether a product name is French, from its words and where the product is sold.
//! Good enough for a demo catalog: it decides `name_fr` and which word of a name is its head.

/// Words that only a French name uses (accents folded; `à` kept as is).
const FRENCH: &[&str] = &[
    "à",
    "au",
    "aux",
    "de",
    "des",
    "du",
    "d",
    "l",
    "la",
    "le",
    "les",
    "et",
    "sans",
    "avec",
    "sur",
    "pour",
    "lait",
    "fromage",
    "fromages",
    "yaourt",
    "yaourts",
    "saucisse",
    "saucisses",
    "jambon",
    "creme",
    "vin",
    "biere",
    "blanc",
    "blanche",
    "rouge",
    "noir",
    "noire",
    "nature",
    "fraise",
    "vanille",
    "chocolat",
    "miel",
    "sel",
    "poivre",
    "pain",
    "epices",
    "moutarde",
    "chevre",
    "brebis",
    "vache",
    "entier",
    "ecreme",
    "bio",
    "fermier",
    "cuit",
    "cuite",
    "fume",
    "fumes",
    "legumes",
    "pommes",
    "terre",
    "poulet",
    "boeuf",
    "porc",
    "oeufs",
    "oeuf",
    "frais",
    "fraiche",
    "sucre",
    "doux",
    "douce",
    "farine",
    "haricots",
    "tranches",
    "herbes",
    "fines",
    "salade",
    "gratin",
    "tomme",
    "saucisson",
    "noix",
    "noisettes",
    "coeur",
    "lardons",
    "petits",
    "pois",
    "jaune",
    "allege",
    "recette",
    "maison",
    "fondant",
    "aop",
    "mg",
];

/// Words that only an English name uses.
const ENGLISH: &[&str] = &[
    "the",
    "and",
    "with",
    "of",
    "style",
    "cheese",
    "cream",
    "milk",
    "dressing",
    "bread",
    "vanilla",
    "chocolate",
    "sweet",
    "classic",
    "original",
    "organic",
    "mix",
    "light",
    "creamy",
    "fat",
    "free",
    "low",
    "natural",
    "toast",
    "fried",
    "beans",
    "onion",
    "dip",
    "ice",
    "cookies",
    "butter",
    "soft",
    "whole",
    "wheat",
    "green",
    "yellow",
    "mustard",
    "sticks",
    "sliced",
    "premium",
    "flavored",
    "rolls",
    "red",
    "white",
    "wine",
    "beer",
    "strawberry",
    "honey",
    "garlic",
    "crispy",
    "made",
    "fresh",
    "salted",
];

/// Where the product is sold, as far as the name's language goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoldIn {
    /// Only French-speaking markets (France, Switzerland, Belgium, ...), or an OFF image in French.
    FrenchSpeaking,
    Elsewhere,
}

/// `countries` is OFF's comma-separated list ("France, Suisse", "en:france", "United States").
pub fn sold_in(countries: &str) -> SoldIn {
    const FRANCOPHONE: &[&str] = &[
        "france",
        "suisse",
        "switzerland",
        "schweiz",
        "belgique",
        "belgium",
        "luxembourg",
        "monaco",
        "martinique",
        "guadeloupe",
        "reunion",
        "la reunion",
        "nouvelle caledonie",
        "polynesie francaise",
    ];
    let names: Vec<String> = countries
        .split(',')
        .map(|name| {
            let name = name.trim();
            let name = name.split_once(':').map_or(name, |(_, rest)| rest);
            crate::text::words(name).join(" ")
        })
        .filter(|name| !name.is_empty())
        .collect();
    if !names.is_empty() && names.iter().all(|name| FRANCOPHONE.contains(&name.as_str())) {
        SoldIn::FrenchSpeaking
    } else {
        SoldIn::Elsewhere
    }
}

/// French when more of its words are French than English ("French" counts twice for English,
/// as in "French crème fraîche"); a tie goes to where the product is sold.
pub fn is_french(name: &str, sold_in: SoldIn) -> bool {
    let words = crate::text::words(name);
    let french = words.iter().filter(|w| FRENCH.contains(&w.as_str())).count();
    let english = words
        .iter()
        .map(|w| match w.as_str() {
            "french" => 2,
            w if ENGLISH.contains(&w) => 1,
            _ => 0,
        })
        .sum::<usize>();
    french > english || (french == english && sold_in == SoldIn::FrenchSpeaking)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses() {
        let fr = SoldIn::FrenchSpeaking;
        let us = SoldIn::Elsewhere;
        assert!(is_french("Crème entière fluide", us));
        assert!(is_french("Roquefort", fr));
        assert!(!is_french("Roquefort", us));
        assert!(!is_french("French crème fraîche", us));
        assert!(!is_french("French Vanilla Ice Cream", fr));
        assert!(is_french("Sauce à salade French Dijon", fr));
        assert_eq!(sold_in("France, Suisse"), fr);
        assert_eq!(sold_in("en:france"), fr);
        assert_eq!(sold_in("France, United States"), us);
        assert_eq!(sold_in(""), us);
    }
}
