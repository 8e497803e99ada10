//! Text clean-up shared by both stores: HTML entities, white space, accent folding for matching.

/// Decodes the HTML entities that Open Food Facts names carry (`&amp;`, `&quot;`, `&#034;`,
/// `&#x27;`). A numeric entity at the very end may lack its `;` (seen in the data); anything
/// that is not a known entity is left as it is.
pub fn decode_html_entities(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match decode_one(rest) {
            Some((decoded, used)) => {
                out.push(decoded);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes one entity at the start of `s` (which starts with `&`): the character and the
/// number of bytes it used.
fn decode_one(s: &str) -> Option<(char, usize)> {
    const NAMED: [(&str, char); 7] = [
        ("&amp;", '&'),
        ("&quot;", '"'),
        ("&apos;", '\''),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&nbsp;", ' '),
        ("&rsquo;", '\u{2019}'),
    ];
    if let Some((name, ch)) = NAMED.iter().find(|(name, _)| s.starts_with(name)) {
        return Some((*ch, name.len()));
    }
    let body = s.strip_prefix("&#")?;
    let (radix, digits_start) = match body.as_bytes().first() {
        Some(b'x' | b'X') => (16, 3),
        _ => (10, 2),
    };
    let digits: String =
        s[digits_start..].chars().take_while(|c| c.is_digit(radix)).take(6).collect();
    if digits.is_empty() {
        return None;
    }
    let mut used = digits_start + digits.len();
    match s[used..].chars().next() {
        Some(';') => used += 1,
        None => {}
        Some(_) => return None,
    }
    let ch = u32::from_str_radix(&digits, radix).ok().and_then(char::from_u32)?;
    Some((ch, used))
}

/// A display name: entities decoded, every run of white space made one space, trimmed.
pub fn clean_name(raw: &str) -> String {
    let decoded = decode_html_entities(raw);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower-case ASCII words of `s` with accents folded (`Crème brûlée` gives `creme`, `brulee`),
/// for matching keywords; `à` is kept as the word `à` since it tells French from English.
pub fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in s.split(|c: char| !c.is_alphanumeric()) {
        if raw == "à" || raw == "À" {
            out.push("à".to_owned());
            continue;
        }
        let folded = deunicode::deunicode(raw).to_lowercase();
        for word in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
            if !word.is_empty() {
                out.push(word.to_owned());
            }
        }
    }
    out
}

/// Whether `s` has a letter outside ASCII (an accented Latin letter, or another script).
pub fn has_accented_letter(s: &str) -> bool {
    s.chars().any(|c| !c.is_ascii() && c.is_alphabetic())
}

/// The key under which two names count as the same product name: its words, folded.
pub fn name_key(s: &str) -> String {
    words(s).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_and_spaces() {
        assert_eq!(
            clean_name("  Moutarde &quot;Classic&quot;   yellow "),
            "Moutarde \"Classic\" yellow"
        );
        assert_eq!(clean_name("Mini Brotchips &#034;pizza &#034"), "Mini Brotchips \"pizza \"");
        assert_eq!(clean_name("Fish &amp; Chips &x"), "Fish & Chips &x");
        assert_eq!(clean_name("A&#x27;B"), "A'B");
    }

    #[test]
    fn words_fold_accents() {
        assert_eq!(words("Crème brûlée à l'œuf"), ["creme", "brulee", "à", "l", "oeuf"]);
    }
}
