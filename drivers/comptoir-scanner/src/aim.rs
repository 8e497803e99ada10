//! AIM symbology identifiers (ISO/IEC 15424): the `]Cm` prefix a scanner can put before each
//! scan, saying which kind of barcode it read (`]E0` EAN-13, `]C1` GS1-128, `]Q3` GS1 QR ...).
//!
//! The identifier matters: the same digits mean a GTIN after `]E0`, an element string after
//! `]C1`, and plain text after `]C0`. A scan without one is read by its shape.

use std::fmt;

/// The flag character that opens an identifier.
pub const FLAG: u8 = b']';

/// An AIM identifier as sent: the code character and its modifier (`E` and `0` for `]E0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AimId {
    pub code: char,
    pub modifier: char,
}

/// What kind of barcode a scan came from, as far as the register cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// `]E0`: EAN-13, UPC-A or UPC-E (the scanner sends UPC-E as its 8 digits or expanded).
    Ean13,
    /// `]E4`: EAN-8.
    Ean8,
    /// `]E1`, `]E2`: a 2- or 5-digit add-on read alone.
    EanAddOn,
    /// `]E3`: EAN-13 or UPC-A with its add-on, both in one scan.
    Ean13WithAddOn,
    /// `]C0`, `]C2`, `]C4`: Code 128 that is not GS1.
    Code128,
    /// `]C1`: GS1-128 (FNC1 in the first position: the data is an element string).
    Gs1_128,
    /// `]e0`..`]e3`: GS1 DataBar (always an element string).
    Gs1DataBar,
    /// `]Q0`..`]Q2`, `]Q4`..: QR Code that is not GS1.
    Qr,
    /// `]Q3`: GS1 QR Code.
    Gs1Qr,
    /// `]d0`, `]d1`, `]d3`..: Data Matrix that is not GS1.
    DataMatrix,
    /// `]d2`: GS1 DataMatrix.
    Gs1DataMatrix,
    /// `]A*`: Code 39.
    Code39,
    /// `]I*`: Interleaved 2 of 5 (ITF-14 on cases).
    Itf,
    /// `]F*`: Codabar.
    Codabar,
    /// `]G*`: Code 93.
    Code93,
    /// `]L*`: PDF417.
    Pdf417,
    /// `]z*`: Aztec.
    Aztec,
    /// Any other identifier: the data is read as text.
    Other,
}

impl AimId {
    /// The symbology this identifier names (ISO/IEC 15424 code characters and modifiers).
    pub fn symbology(self) -> Symbology {
        match (self.code, self.modifier) {
            ('E', '0') => Symbology::Ean13,
            ('E', '4') => Symbology::Ean8,
            ('E', '1' | '2') => Symbology::EanAddOn,
            ('E', '3') => Symbology::Ean13WithAddOn,
            ('C', '1') => Symbology::Gs1_128,
            ('C', _) => Symbology::Code128,
            ('e', _) => Symbology::Gs1DataBar,
            ('Q', '3') => Symbology::Gs1Qr,
            ('Q', _) => Symbology::Qr,
            ('d', '2') => Symbology::Gs1DataMatrix,
            ('d', _) => Symbology::DataMatrix,
            ('A', _) => Symbology::Code39,
            ('I', _) => Symbology::Itf,
            ('F', _) => Symbology::Codabar,
            ('G', _) => Symbology::Code93,
            ('L', _) => Symbology::Pdf417,
            ('z', _) => Symbology::Aztec,
            _ => Symbology::Other,
        }
    }
}

impl Symbology {
    /// The name people know the barcode by, as a scanner's guide writes it.
    pub fn name(self) -> &'static str {
        match self {
            Symbology::Ean13 => "EAN-13 / UPC-A / UPC-E",
            Symbology::Ean8 => "EAN-8",
            Symbology::EanAddOn => "EAN/UPC add-on",
            Symbology::Ean13WithAddOn => "EAN-13 / UPC-A with add-on",
            Symbology::Code128 => "Code 128",
            Symbology::Gs1_128 => "GS1-128",
            Symbology::Gs1DataBar => "GS1 DataBar",
            Symbology::Qr => "QR Code",
            Symbology::Gs1Qr => "GS1 QR Code",
            Symbology::DataMatrix => "Data Matrix",
            Symbology::Gs1DataMatrix => "GS1 DataMatrix",
            Symbology::Code39 => "Code 39",
            Symbology::Itf => "Interleaved 2 of 5",
            Symbology::Codabar => "Codabar",
            Symbology::Code93 => "Code 93",
            Symbology::Pdf417 => "PDF417",
            Symbology::Aztec => "Aztec",
            Symbology::Other => "another symbology",
        }
    }

    /// Whether the data is a GS1 element string (application identifiers).
    pub fn is_gs1(self) -> bool {
        matches!(
            self,
            Symbology::Gs1_128
                | Symbology::Gs1DataBar
                | Symbology::Gs1Qr
                | Symbology::Gs1DataMatrix
        )
    }
}

impl fmt::Display for AimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "]{}{}", self.code, self.modifier)
    }
}

/// Why the start of a scan is not an AIM identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AimError {
    #[error("the scan ends inside its symbology identifier")]
    Truncated,
    #[error("the symbology identifier's code character is not a letter")]
    BadCode,
    #[error("the symbology identifier's modifier is not a letter or digit")]
    BadModifier,
}

/// Splits a scan into its AIM identifier, if it starts with `]`, and the data after it.
pub fn split_aim(scan: &[u8]) -> Result<(Option<AimId>, &[u8]), AimError> {
    let Some(rest) = scan.strip_prefix(&[FLAG]) else { return Ok((None, scan)) };
    let [code, modifier, data @ ..] = rest else { return Err(AimError::Truncated) };
    if !code.is_ascii_alphabetic() {
        return Err(AimError::BadCode);
    }
    if !modifier.is_ascii_alphanumeric() {
        return Err(AimError::BadModifier);
    }
    Ok((Some(AimId { code: char::from(*code), modifier: char::from(*modifier) }), data))
}
