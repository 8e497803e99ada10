//! Text folding for search: accent- and case-insensitive, so "creme" finds "Crème".

/// Folds a name or a query to lower-case ASCII words separated by single spaces.
pub fn fold(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_lowercase();
    let mut folded = String::with_capacity(ascii.len());
    for word in ascii.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !folded.is_empty() {
            folded.push(' ');
        }
        folded.push_str(word);
    }
    folded
}

/// Whether every word of the folded query starts a word of the folded name, or appears in it
/// (cashiers type fragments: "crem fr" finds "Crème fraîche").
pub fn matches(folded_name: &str, folded_query: &str) -> bool {
    folded_query.split(' ').filter(|w| !w.is_empty()).all(|word| folded_name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_case_and_punctuation() {
        assert_eq!(fold("Crème fraîche (30 % MG)"), "creme fraiche 30 mg");
        assert_eq!(fold("ŒUFS  Bio"), "oeufs bio");
        assert!(matches(&fold("Crème Brûlée"), &fold("creme")));
        assert!(matches(&fold("Crème fraîche"), &fold("CRÈM fr")));
        assert!(!matches(&fold("Crème fraîche"), &fold("beurre")));
    }
}
