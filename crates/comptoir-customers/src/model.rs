//! The customer as the register and the server read it, and the edits they make to it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hlc::{ReplicaId, Timestamp};

/// A customer's id: a UUIDv7, also the id of the customer's document.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct CustomerId(pub Uuid);

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.as_hyphenated().fmt(f)
    }
}

impl FromStr for CustomerId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(CustomerId(Uuid::parse_str(s)?))
    }
}

/// A value that identifies a person. `Debug` masks it, so a customer never reaches a log by
/// accident; read it with [`Personal::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Personal<T>(pub T);

impl<T> Personal<T> {
    /// The value itself, for display to staff or an export.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Personal(..)")
    }
}

/// A postal address. Serialized as JSON inside its ciphertext (the document's format, so its
/// field names are a stored format: add fields with `#[serde(default)]`, never rename).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PostalAddress {
    /// Street lines, first to last.
    pub lines: Vec<String>,
    /// City or locality.
    pub city: String,
    /// Province, state or region (may be empty).
    pub region: String,
    /// Postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
}

/// A field that holds one value, the latest edit winning.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Field {
    /// The customer's name (encrypted).
    Name,
    /// Email address (encrypted).
    Email,
    /// Phone number (encrypted).
    Phone,
    /// Postal address (encrypted).
    Address,
    /// Preferred language, a BCP 47 tag such as `fr-CA`.
    Language,
    /// The store's segment for promotions, a label such as `wholesale`.
    Segment,
    /// Active or deactivated.
    Status,
    /// When and where the customer was created.
    Created,
}

impl Field {
    /// Every field, in a fixed order.
    pub const ALL: [Field; 8] = [
        Field::Name,
        Field::Email,
        Field::Phone,
        Field::Address,
        Field::Language,
        Field::Segment,
        Field::Status,
        Field::Created,
    ];

    /// The fields that identify a person: stored only as ciphertext.
    pub const PERSONAL: [Field; 4] = [Field::Name, Field::Email, Field::Phone, Field::Address];

    /// The field's key in the document (also its associated data when sealed).
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::Language => "language",
            Field::Segment => "segment",
            Field::Status => "status",
            Field::Created => "created",
        }
    }

    /// Whether the field is sealed with the customer's key.
    pub fn is_personal(self) -> bool {
        Field::PERSONAL.contains(&self)
    }
}

/// Whether the customer can be used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    /// In use.
    Active,
    /// Deactivated by staff; kept, and can be reactivated.
    Inactive,
    /// Erased on the customer's request: nothing personal can be read any more.
    Erased(Erasure),
}

/// An erasure's tombstone: who erased the customer and when. No personal data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Erasure {
    /// Wall time of the erasure, in Unix milliseconds.
    pub at_ms: u64,
    /// The replica that erased the customer.
    pub by: ReplicaId,
}

/// A marketing consent given or withdrawn.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Consent {
    /// Whether the customer agreed to marketing messages.
    pub granted: bool,
    /// When, in Unix milliseconds.
    pub at_ms: u64,
    /// Where it was given, such as `register` or `web` (a label, not free text).
    pub source: String,
    /// The replica that recorded it.
    pub by: ReplicaId,
}

/// A note about the customer, written by staff. Notes are only ever added.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Note {
    /// The note's id (UUIDv7).
    pub id: Uuid,
    /// The text, or `None` if it cannot be read (no key, or erased). A withdrawn note keeps
    /// its text here (for the export); the register does not show it.
    pub text: Option<Personal<String>>,
    /// Wall time of writing, in Unix milliseconds.
    pub at_ms: u64,
    /// The register (or server) that wrote it.
    pub by: ReplicaId,
    /// Set when a compensation or an erasure withdrew the note (its code).
    pub withdrawn: Option<String>,
}

/// A correction written after a merge, recorded in the document. No personal data.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Incident {
    /// When it was written.
    pub at: Timestamp,
    /// The problem's code (see [`crate::Problem::code`]).
    pub code: String,
    /// What was corrected: a field's key or `note:{id}`.
    pub target: String,
    /// What was done: `restored`, `cleared` or `withdrawn`.
    pub action: String,
}

/// A customer, read from the document.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Customer {
    /// The id.
    pub id: CustomerId,
    /// Active, inactive or erased.
    pub status: Status,
    /// Whether this replica holds the customer's key (without it, personal fields are `None`).
    pub readable: bool,
    /// Name.
    pub name: Option<Personal<String>>,
    /// Email.
    pub email: Option<Personal<String>>,
    /// Phone.
    pub phone: Option<Personal<String>>,
    /// Postal address.
    pub address: Option<Personal<PostalAddress>>,
    /// Preferred language.
    pub language: Option<String>,
    /// Segment.
    pub segment: Option<String>,
    /// Tags.
    pub tags: BTreeSet<String>,
    /// The current marketing consent (the latest).
    pub consent: Option<Consent>,
    /// Every consent given or withdrawn, oldest first.
    pub consent_history: Vec<Consent>,
    /// Notes, in document order.
    pub notes: Vec<Note>,
    /// Visits recorded.
    pub visits: i64,
    /// When (Unix ms) and where the customer was created.
    pub created: Option<(u64, ReplicaId)>,
    /// The winning edit of each field that has one.
    pub edited: BTreeMap<Field, Timestamp>,
    /// Corrections written after merges.
    pub incidents: Vec<Incident>,
}

/// One change to a customer. `Debug` shows only the kind of change.
#[derive(Clone, PartialEq)]
pub enum Edit {
    /// Set or clear the name.
    Name(Option<String>),
    /// Set or clear the email.
    Email(Option<String>),
    /// Set or clear the phone number.
    Phone(Option<String>),
    /// Set or clear the postal address.
    Address(Option<PostalAddress>),
    /// Set or clear the preferred language.
    Language(Option<String>),
    /// Set or clear the segment.
    Segment(Option<String>),
    /// Add a tag.
    Tag(String),
    /// Remove a tag.
    Untag(String),
    /// Record a marketing consent given (`true`) or withdrawn, and where.
    Consent {
        /// Given or withdrawn.
        granted: bool,
        /// Where: a label such as `register`.
        source: String,
    },
    /// Add a note.
    Note(String),
    /// Count one visit.
    Visit,
    /// Set the visit count after a recount; written as the difference, never as a value.
    RecountVisits(i64),
    /// Deactivate the customer.
    Deactivate,
    /// Reactivate the customer.
    Reactivate,
}

impl fmt::Debug for Edit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Edit::Name(_) => "Name",
            Edit::Email(_) => "Email",
            Edit::Phone(_) => "Phone",
            Edit::Address(_) => "Address",
            Edit::Language(_) => "Language",
            Edit::Segment(_) => "Segment",
            Edit::Tag(_) => "Tag",
            Edit::Untag(_) => "Untag",
            Edit::Consent { .. } => "Consent",
            Edit::Note(_) => "Note",
            Edit::Visit => "Visit",
            Edit::RecountVisits(_) => "RecountVisits",
            Edit::Deactivate => "Deactivate",
            Edit::Reactivate => "Reactivate",
        };
        write!(f, "Edit::{kind}(..)")
    }
}

/// A UUIDv7 for the given wall time (its random bits from the system generator).
pub(crate) fn v7_at(now_ms: u64) -> Uuid {
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        now_ms / 1000,
        (now_ms % 1000) as u32 * 1_000_000,
    );
    Uuid::new_v7(ts)
}
