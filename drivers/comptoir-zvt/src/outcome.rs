//! What a card terminal transaction ended with: only what Comptoir may store. The terminal's
//! reference, the card's brand, a masked card number and the terminal's receipt lines; never
//! a full card number, track data or anything else the terminal sent.

use crate::codes::ResultCode;
use crate::pan::MaskedPan;

/// How a transaction ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The terminal completed the command (`06 0F`) and reported success.
    Approved,
    /// The card or the bank refused (`06 1E` or a status information with a result code).
    Declined(ResultCode),
    /// The customer or the cashier aborted (result code 6C, or an abort from the register).
    Aborted(ResultCode),
    /// The answer was lost: the terminal may or may not have done it. A payment in this state
    /// must be recovered ([`crate::Client::recover`]), never sent again.
    Unknown(String),
}

/// The terminal's reference for a transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    /// The trace number (BMP 0B).
    pub trace: Option<u32>,
    /// The receipt number (BMP 87), which a reversal names.
    pub receipt_no: Option<u16>,
    /// The turnover record number (BMP 88).
    pub turnover_no: Option<u32>,
    /// The terminal id (BMP 29).
    pub terminal_id: Option<String>,
}

/// The end of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The amount in cents the terminal reports (or the one asked, if it reported none).
    pub amount: Option<u64>,
    /// The ISO 4217 currency number.
    pub currency: Option<u16>,
    pub reference: Reference,
    /// The card's brand (`VISA`, `Debit Mastercard`).
    pub card_brand: Option<String>,
    /// The card number, all but the last four digits masked.
    pub card_number: Option<MaskedPan>,
    /// The terminal's receipt, line by line, card numbers masked; for Comptoir's receipt.
    pub receipt: Vec<String>,
    /// The software version and status byte of a status enquiry.
    pub software: Option<String>,
}

impl Outcome {
    pub fn new(verdict: Verdict) -> Outcome {
        Outcome {
            verdict,
            amount: None,
            currency: None,
            reference: Reference::default(),
            card_brand: None,
            card_number: None,
            receipt: Vec::new(),
            software: None,
        }
    }

    pub fn approved(&self) -> bool {
        self.verdict == Verdict::Approved
    }

    /// The stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match &self.verdict {
            Verdict::Approved => "card_approved",
            Verdict::Declined(code) | Verdict::Aborted(code) => code.code(),
            Verdict::Unknown(_) => "card_result_unknown",
        }
    }

    /// What the cashier reads.
    pub fn message(&self) -> &'static str {
        match &self.verdict {
            Verdict::Approved => "payment approved",
            Verdict::Declined(code) | Verdict::Aborted(code) => code.message(),
            Verdict::Unknown(_) => {
                "the terminal's answer was lost: do not charge again; the register asks the terminal what happened"
            }
        }
    }
}
