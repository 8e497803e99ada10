//! What a valid customer looks like. The same rules refuse a cashier's bad input up front and,
//! after a merge, find what a replica wrote anyway (an older version, a bug, concurrent notes
//! that together pass the limit), for [`crate::compensate`] to correct.

use std::fmt;

use uuid::Uuid;

use crate::model::{Field, PostalAddress};

/// Longest name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest email address (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest phone number, in characters.
pub const MAX_PHONE: usize = 32;
/// Longest address line, city, region or postal code, in characters.
pub const MAX_ADDRESS_PART: usize = 200;
/// Most address lines.
pub const MAX_ADDRESS_LINES: usize = 4;
/// Longest label (language, segment, tag, consent source).
pub const MAX_LABEL: usize = 35;
/// Longest note, in characters.
pub const MAX_NOTE: usize = 2000;
/// Most notes kept readable on one customer.
pub const MAX_NOTES: usize = 50;

/// Something wrong with a customer's document.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Problem {
    /// The email is not an address.
    InvalidEmail,
    /// The phone number has characters a phone number does not.
    InvalidPhone,
    /// A field's value is longer than allowed.
    TooLong {
        /// Which field.
        field: Field,
        /// Its length in characters.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A language, segment, tag or consent source is not a label.
    InvalidLabel {
        /// Which field (`Segment` for tags and consent sources too).
        field: Field,
    },
    /// A sealed field does not open with this customer's key: written for another field or
    /// customer, or damaged.
    Unreadable {
        /// Which field.
        field: Field,
    },
    /// More readable notes than allowed (concurrent notes can pass the limit together).
    TooManyNotes {
        /// How many.
        count: usize,
    },
    /// A note typed longer than [`MAX_NOTE`] characters (refused before it is written).
    NoteTooLong {
        /// Its length in characters.
        len: usize,
    },
    /// A note that is too long or does not open.
    BadNote {
        /// The note.
        note: Uuid,
    },
    /// A personal field holds a value after the customer was erased (an offline replica edited).
    FieldAfterErasure {
        /// Which field.
        field: Field,
    },
    /// A note is readable after the customer was erased.
    NoteAfterErasure {
        /// The note.
        note: Uuid,
    },
}

impl Problem {
    /// A stable code, for incidents and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::InvalidEmail => "invalid_email",
            Problem::InvalidPhone => "invalid_phone",
            Problem::TooLong { .. } => "too_long",
            Problem::InvalidLabel { .. } => "invalid_label",
            Problem::Unreadable { .. } => "unreadable",
            Problem::TooManyNotes { .. } => "too_many_notes",
            Problem::NoteTooLong { .. } => "note_too_long",
            Problem::BadNote { .. } => "bad_note",
            Problem::FieldAfterErasure { .. } => "edited_after_erasure",
            Problem::NoteAfterErasure { .. } => "note_after_erasure",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::InvalidEmail => f.write_str("the email is not an email address"),
            Problem::InvalidPhone => f.write_str("the phone number has letters or symbols"),
            Problem::TooLong { field, len, max } => {
                write!(f, "the {} has {len} characters; at most {max}", field.key())
            }
            Problem::InvalidLabel { field } => {
                write!(f, "the {} is not a short label", field.key())
            }
            Problem::Unreadable { field } => write!(f, "the {} cannot be read", field.key()),
            Problem::TooManyNotes { count } => {
                write!(f, "{count} notes; at most {MAX_NOTES}")
            }
            Problem::NoteTooLong { len } => {
                write!(f, "the note has {len} characters; at most {MAX_NOTE}")
            }
            Problem::BadNote { note } => write!(f, "note {note} is too long or unreadable"),
            Problem::FieldAfterErasure { field } => {
                write!(f, "the {} was edited after the customer was erased", field.key())
            }
            Problem::NoteAfterErasure { note } => {
                write!(f, "note {note} is readable after the customer was erased")
            }
        }
    }
}

/// The problem with a text field's value, if any.
pub fn check_text(field: Field, value: &str) -> Option<Problem> {
    let len = value.chars().count();
    match field {
        Field::Name => too_long(field, len, MAX_NAME),
        Field::Email => too_long(field, len, MAX_EMAIL).or_else(|| check_email(value)),
        Field::Phone => too_long(field, len, MAX_PHONE).or_else(|| check_phone(value)),
        Field::Language | Field::Segment => check_label(field, value),
        Field::Address | Field::Status | Field::Created => None,
    }
}

/// The problem with an address, if any.
pub fn check_address(address: &PostalAddress) -> Option<Problem> {
    if address.lines.len() > MAX_ADDRESS_LINES {
        let len = address.lines.len();
        return Some(Problem::TooLong { field: Field::Address, len, max: MAX_ADDRESS_LINES });
    }
    let parts = address.lines.iter().chain([&address.city, &address.region, &address.postal_code]);
    for part in parts {
        if let Some(problem) = too_long(Field::Address, part.chars().count(), MAX_ADDRESS_PART) {
            return Some(problem);
        }
    }
    let country_ok = address.country.is_empty()
        || (address.country.len() == 2 && address.country.bytes().all(|b| b.is_ascii_uppercase()));
    (!country_ok).then_some(Problem::InvalidLabel { field: Field::Address })
}

/// The problem with a note's text, if any.
pub fn note_too_long(text: &str) -> bool {
    text.chars().count() > MAX_NOTE
}

/// Whether `value` is a label: 1 to 35 ASCII letters, digits, `-` or `_`.
pub fn is_label(value: &str) -> bool {
    (1..=MAX_LABEL).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_label(field: Field, value: &str) -> Option<Problem> {
    (!is_label(value)).then_some(Problem::InvalidLabel { field })
}

fn too_long(field: Field, len: usize, max: usize) -> Option<Problem> {
    (len > max).then_some(Problem::TooLong { field, len, max })
}

/// One `@`, something before it, a dotted domain after it, no spaces: enough to catch a phone
/// number or a name typed into the email box, without pretending to parse RFC 5322.
fn check_email(value: &str) -> Option<Problem> {
    let Some((local, domain)) = value.split_once('@') else {
        return Some(Problem::InvalidEmail);
    };
    let domain_ok =
        domain.split('.').count() >= 2 && domain.split('.').all(|part| !part.is_empty());
    let ok = !local.is_empty()
        && domain_ok
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    (!ok).then_some(Problem::InvalidEmail)
}

fn check_phone(value: &str) -> Option<Problem> {
    let ok = value.chars().any(|c| c.is_ascii_digit())
        && value.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c));
    (!ok).then_some(Problem::InvalidPhone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for good in ["a@b.ca", "marie.tremblay+cafe@exemple.qc.ca"] {
            assert_eq!(check_text(Field::Email, good), None, "{good}");
        }
        for bad in ["514-555-0199", "a@b", "@b.ca", "a b@c.ca", "a@@b.ca", "a@b..ca"] {
            assert_eq!(check_text(Field::Email, bad), Some(Problem::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn lengths_labels_and_phones() {
        let long = "x".repeat(MAX_NAME + 1);
        let problem = Problem::TooLong { field: Field::Name, len: MAX_NAME + 1, max: MAX_NAME };
        assert_eq!(check_text(Field::Name, &long), Some(problem));
        assert_eq!(check_text(Field::Language, "fr-CA"), None);
        let bad_label = Some(Problem::InvalidLabel { field: Field::Segment });
        assert_eq!(check_text(Field::Segment, "VIP customers!"), bad_label);
        assert_eq!(check_text(Field::Phone, "+1 (514) 555-0199"), None);
        assert_eq!(check_text(Field::Phone, "call me"), Some(Problem::InvalidPhone));
    }
}
