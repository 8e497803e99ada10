//! GTIN barcodes: the mod-10 check digit and normalisation to 14 digits.
//!
//! A product's EAN-13 that starts with 0 often arrives from a scanner as a 12-digit UPC-A, and
//! an EAN-8 as 8 digits: both are the same GTIN once padded to 14 digits, which is the only
//! form the catalog stores and looks up.

/// A GTIN padded to 14 digits, with a valid check digit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gtin14(String);

impl Gtin14 {
    /// Normalises a scanned or imported barcode of 8, 12, 13 or 14 digits.
    pub fn parse(code: &str) -> Result<Gtin14, GtinError> {
        let code = code.trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(GtinError::NotDigits);
        }
        if ![8, 12, 13, 14].contains(&code.len()) {
            return Err(GtinError::Length(code.len()));
        }
        if !has_valid_check_digit(code) {
            return Err(GtinError::CheckDigit);
        }
        Ok(Gtin14(format!("{code:0>14}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shortest usual form: EAN-13 for a `0`-prefixed GTIN-14, EAN-8 when it fits.
    pub fn display(&self) -> &str {
        let s = self.0.as_str();
        if let Some(ean8) = s.strip_prefix("000000") {
            ean8
        } else if let Some(rest) = s.strip_prefix('0') {
            rest
        } else {
            s
        }
    }
}

/// Why a code is not a GTIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    #[error("a barcode has only digits")]
    NotDigits,
    #[error("a GTIN has 8, 12, 13 or 14 digits, not {0}")]
    Length(usize),
    #[error("the check digit is wrong")]
    CheckDigit,
}

/// The GS1 mod-10 check digit for the digits before it.
pub fn check_digit(body: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (position, byte) in body.bytes().rev().enumerate() {
        let digit = u32::from(byte.checked_sub(b'0').filter(|d| *d <= 9)?);
        sum += if position % 2 == 0 { digit * 3 } else { digit };
    }
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether the last digit of `code` is the check digit of the rest.
pub fn has_valid_check_digit(code: &str) -> bool {
    let Some((body, last)) = code.len().checked_sub(1).map(|n| code.split_at(n)) else {
        return false;
    };
    let Some(last) = last.bytes().next().and_then(|b| b.checked_sub(b'0')) else {
        return false;
    };
    !body.is_empty() && check_digit(body) == Some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upc_a_finds_the_zero_prefixed_ean_13() {
        let upc = Gtin14::parse("036000291452").unwrap();
        let ean = Gtin14::parse("0036000291452").unwrap();
        assert_eq!(upc, ean);
        assert_eq!(upc.as_str(), "00036000291452");
        assert_eq!(upc.display(), "0036000291452");
    }

    #[test]
    fn ean_8_pads_and_wrong_check_digits_fail() {
        assert_eq!(Gtin14::parse("96385074").unwrap().as_str(), "00000096385074");
        assert_eq!(Gtin14::parse("3175460030084"), Err(GtinError::CheckDigit));
        assert_eq!(Gtin14::parse("31754600300"), Err(GtinError::Length(11)));
        assert_eq!(Gtin14::parse("85123A"), Err(GtinError::NotDigits));
    }
}
