//! Enrolment codes and credentials: random, shown once, stored only as SHA-256 hashes.
//!
//! Both are long random secrets (60 and 256 bits), so a plain SHA-256 is the right hash: a
//! slow password hash protects guessable secrets, and these are not guessable.

use sha2::{Digest, Sha256};

/// Crockford's base32: no I, L, O or U, so a code read aloud or typed is not mistaken.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes
}

/// A one-time enrolment code, `XXXX-XXXX-XXXX` (60 random bits).
pub fn enrolment_code() -> String {
    let bytes = random_bytes::<12>();
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[(b & 31) as usize] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// A code as typed, to its canonical form: upper case, no dashes or spaces, and the letters
/// Crockford's alphabet reads as digits (`O` as 0, `I` and `L` as 1).
pub fn canonical_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

/// A register's credential: `cpt_` and 64 hex digits (256 random bits).
pub fn credential() -> String {
    format!("cpt_{}", hex::encode(random_bytes::<32>()))
}

/// A new administrator API token.
pub fn admin_token() -> String {
    format!("cpa_{}", hex::encode(random_bytes::<32>()))
}

/// The hash stored in place of a secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_typed_forgivingly() {
        let a = enrolment_code();
        let b = enrolment_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 14);
        assert_eq!(canonical_code(&a.to_lowercase().replace('-', " ")), a.replace('-', ""));
        assert_eq!(canonical_code("o1l-i"), "0111");
        assert!(credential().starts_with("cpt_"));
        assert_eq!(credential().len(), 68);
    }
}
