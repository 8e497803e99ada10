//! What the register should do with a scan: ring an item by its GTIN, ring an in-store label's
//! price or weight, ring a GS1 item with its expiry, batch or weight, open a receipt for a
//! return, take a credit note, or look up a stock code.

use comptoir_core::gtin::{Gtin14, GtinError};

use crate::aim::{AimError, AimId, Symbology, split_aim};
use crate::gs1::{self, ElementString, GS, Gs1Error};
use crate::rcn::{CountryRules, Embedded, RcnError};
use crate::upc::{UpcError, expand_upc_e};

/// The longest scan accepted (a GS1 DataMatrix or QR can be long; a line of junk is longer).
pub const MAX_SCAN: usize = 256;

/// A scan, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    /// The AIM identifier the scanner sent, if any.
    pub aim: Option<AimId>,
    /// The data after the identifier, GS shown as `\u{1d}`.
    pub data: String,
    pub scanned: Scanned,
}

/// What a scan means to the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scanned {
    /// A trade item, by its GTIN (UPC-A, UPC-E, EAN-8 and EAN-13 normalised to 14 digits),
    /// with the add-on digits of a magazine or book when the scanner read them.
    Item { gtin: Gtin14, add_on: Option<String> },
    /// An in-store label with its item and price, weight or count.
    Embedded(Embedded),
    /// A GS1 code: its GTIN (when it has one), expiry, batch, weight and every element.
    Gs1(ElementString),
    /// A receipt of this register's chain (`MTL01-000042`): start a return.
    Receipt(String),
    /// A store-credit note (`CR-MTL01-000001`): offer it as a tender.
    Credit(String),
    /// Anything else: a stock code or SKU to look up as it is.
    Text(String),
}

impl Scanned {
    /// What the register does with it, as a stable name the UI and the CLI branch on.
    pub fn action(&self) -> &'static str {
        match self {
            Scanned::Item { .. } => "ring_item",
            Scanned::Embedded(_) => "ring_label",
            Scanned::Gs1(e) if e.gtin().is_some() => "ring_item",
            Scanned::Gs1(_) => "lookup_code",
            Scanned::Receipt(_) => "start_return",
            Scanned::Credit(_) => "tender_credit",
            Scanned::Text(_) => "lookup_code",
        }
    }
}

/// Why a scan cannot be used. `code()` is stable for the UI; `message()` is for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("empty scan")]
    Empty,
    #[error("scan of {0} bytes, more than {MAX_SCAN}")]
    TooLong(usize),
    #[error("unreadable bytes in the scan")]
    Garbage,
    #[error("bad symbology identifier: {0}")]
    Aim(#[from] AimError),
    #[error("{code}: {error}")]
    Gtin { code: String, error: GtinError },
    #[error("{code}: {error}")]
    UpcE { code: String, error: UpcError },
    #[error("{code}: {error}")]
    InStore { code: String, error: RcnError },
    #[error("GS1 code: {0}")]
    Gs1(#[from] Gs1Error),
}

impl ScanError {
    /// The stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        match self {
            ScanError::Empty => "scan_empty",
            ScanError::TooLong(_) => "scan_too_long",
            ScanError::Garbage | ScanError::Aim(_) => "scan_garbage",
            ScanError::Gtin { error: GtinError::CheckDigit, .. }
            | ScanError::UpcE { error: UpcError::CheckDigit, .. } => "scan_check_digit",
            ScanError::Gtin { .. } | ScanError::UpcE { .. } => "scan_not_a_gtin",
            ScanError::InStore { .. } => "scan_label_check_digit",
            ScanError::Gs1(_) => "scan_gs1_invalid",
        }
    }

    /// What happened and what to do next, for the cashier.
    pub fn message(&self) -> String {
        match self {
            ScanError::Empty => "the scanner sent an empty code: scan the item again".into(),
            ScanError::TooLong(_) | ScanError::Garbage | ScanError::Aim(_) => {
                "the scanner sent unreadable data: scan again; if it repeats, ask IT to check the scanner's settings".into()
            }
            ScanError::Gtin { code, error: GtinError::CheckDigit }
            | ScanError::UpcE { code, error: UpcError::CheckDigit } => format!(
                "barcode {code} did not read right (wrong check digit): scan it again or type the number under the bars"
            ),
            ScanError::Gtin { code, .. } | ScanError::UpcE { code, .. } => format!(
                "{code} is not a product barcode: scan it again or type the number under the bars"
            ),
            ScanError::InStore { code, .. } => format!(
                "the price or weight on label {code} did not read right: scan it again, or weigh the item again for a new label"
            ),
            ScanError::Gs1(error) => match error.ai() {
                Some(ai) => format!(
                    "this GS1 code's field ({ai}) is not valid: scan the item's other barcode or type its number"
                ),
                None => "this GS1 code is not valid: scan the item's other barcode or type its number".into(),
            },
        }
    }
}

/// Reads scans with a store's in-store label rules.
#[derive(Debug, Clone, Default)]
pub struct Interpreter {
    rules: Option<CountryRules>,
}

impl Interpreter {
    /// An interpreter with the in-store layouts of the store's country (`None`: in-store
    /// labels are read as plain GTINs, the store's own item numbers).
    pub fn new(rules: Option<CountryRules>) -> Interpreter {
        Interpreter { rules }
    }

    /// Reads one scan as the scanner sent it, without its line ending.
    pub fn interpret(&self, raw: &[u8]) -> Result<Scan, ScanError> {
        if raw.len() > MAX_SCAN {
            return Err(ScanError::TooLong(raw.len()));
        }
        let (aim, data) = split_aim(raw)?;
        if data.iter().any(|&b| b != GS && (b.is_ascii_control() || !b.is_ascii())) {
            // Scanners send ASCII; anything else is line noise or a wrong baud rate.
            return Err(ScanError::Garbage);
        }
        // Only ASCII is left, so this never replaces anything.
        let text = String::from_utf8_lossy(data).into_owned();
        let scanned = self.scanned(aim.map(AimId::symbology), data, &text)?;
        Ok(Scan { aim, data: text, scanned })
    }

    fn scanned(
        &self,
        symbology: Option<Symbology>,
        data: &[u8],
        text: &str,
    ) -> Result<Scanned, ScanError> {
        let trimmed = text.trim_matches(' ');
        if trimmed.is_empty() {
            return Err(ScanError::Empty);
        }
        match symbology {
            Some(s) if s.is_gs1() => return Ok(Scanned::Gs1(gs1::parse_element_string(data)?)),
            Some(Symbology::Ean13 | Symbology::Ean8) => return self.ean(trimmed, symbology),
            Some(Symbology::Ean13WithAddOn) => return self.with_add_on(trimmed),
            // ITF-14 on a case of items carries the case's GTIN-14.
            Some(Symbology::Itf) if trimmed.len() == 14 && is_gtin_shaped(trimmed) => {
                return self.ean(trimmed, None);
            }
            _ => {}
        }
        if data.first() == Some(&GS) {
            // FNC1 first, with no identifier: a scanner set to send GS1 data without AIM ids.
            return Ok(Scanned::Gs1(gs1::parse_element_string(data)?));
        }
        if trimmed.starts_with('(') && trimmed.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
            return Ok(Scanned::Gs1(gs1::parse_hri(trimmed)?));
        }
        if symbology.is_none() && is_gtin_shaped(trimmed) {
            return self.ean(trimmed, None);
        }
        Ok(receipt_or_credit(trimmed).unwrap_or_else(|| Scanned::Text(trimmed.to_owned())))
    }

    /// EAN/UPC digits: a GTIN, an expanded UPC-E, or an in-store label.
    fn ean(&self, code: &str, symbology: Option<Symbology>) -> Result<Scanned, ScanError> {
        let gtin_error = |error| ScanError::Gtin { code: code.to_owned(), error };
        // Under ]E0 eight digits (or six or seven) are a UPC-E: EAN-8 has its own ]E4.
        let upc_e = match (symbology, code.len()) {
            (Some(Symbology::Ean13), 6..=8) => true,
            // Without an identifier, eight digits are an EAN-8 unless only UPC-E fits.
            (None, 8) => !comptoir_core::gtin::has_valid_check_digit(code),
            _ => false,
        };
        let gtin = if upc_e {
            let expanded = expand_upc_e(code)
                .map_err(|error| ScanError::UpcE { code: code.to_owned(), error })?;
            Gtin14::parse(&expanded.upc_a).map_err(gtin_error)?
        } else {
            Gtin14::parse(code).map_err(gtin_error)?
        };
        if let Some(read) = self.rules.as_ref().and_then(|rules| rules.read(&gtin)) {
            let embedded =
                read.map_err(|error| ScanError::InStore { code: code.to_owned(), error })?;
            return Ok(Scanned::Embedded(embedded));
        }
        Ok(Scanned::Item { gtin, add_on: None })
    }

    /// `]E3`: 12 or 13 digits and a 2- or 5-digit add-on.
    fn with_add_on(&self, code: &str) -> Result<Scanned, ScanError> {
        let split = match code.len() {
            14 | 17 => 12,
            15 | 18 => 13,
            _ => return self.ean(code, Some(Symbology::Ean13)),
        };
        let (main, add_on) = code.split_at(split);
        match self.ean(main, Some(Symbology::Ean13))? {
            Scanned::Item { gtin, .. } => {
                Ok(Scanned::Item { gtin, add_on: Some(add_on.to_owned()) })
            }
            other => Ok(other),
        }
    }
}

/// Reads one scan with no in-store rules: the entry point for callers without a store.
pub fn interpret(raw: &[u8]) -> Result<Scan, ScanError> {
    Interpreter::default().interpret(raw)
}

/// 8, 12, 13 or 14 digits: what a GTIN looks like when no identifier says what it is.
fn is_gtin_shaped(code: &str) -> bool {
    [8, 12, 13, 14].contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

fn receipt_or_credit(code: &str) -> Option<Scanned> {
    if looks_like_credit(code) {
        return Some(Scanned::Credit(code.to_ascii_uppercase()));
    }
    looks_like_receipt(code).then(|| Scanned::Receipt(code.to_ascii_uppercase()))
}

/// Whether a code has a receipt number's shape (`MTL01-000042`, `MTL01-2-000042`): letters and
/// digits with at least one letter, then one or two dash-separated numbers. The same rule as
/// `comptoir_app::returns::looks_like_receipt`.
pub fn looks_like_receipt(code: &str) -> bool {
    let mut parts = code.split('-');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    head.len() >= 3
        && head.chars().any(|c| c.is_ascii_alphabetic())
        && head.chars().all(|c| c.is_ascii_alphanumeric())
        && (1..=2).contains(&rest.len())
        && rest.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a code has a store-credit note's shape (`CR-…`). The same rule as
/// `comptoir_app::credit::looks_like_credit`.
pub fn looks_like_credit(code: &str) -> bool {
    code.trim().get(..3).is_some_and(|p| p.eq_ignore_ascii_case("CR-"))
}
