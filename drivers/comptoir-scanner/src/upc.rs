//! UPC-E, the zero-suppressed 8-digit UPC on small packs, expanded to the UPC-A it stands for
//! (GS1 General Specifications, the four suppression cases), so that it finds the same catalog
//! item as the 12-digit code.

use comptoir_core::gtin::check_digit;

/// Why a code is not a UPC-E.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpcError {
    #[error("a UPC-E has only digits")]
    NotDigits,
    #[error("a UPC-E has 6, 7 or 8 digits, not {0}")]
    Length(usize),
    #[error("a UPC-E starts with number system 0 or 1, not {0}")]
    NumberSystem(char),
    #[error("the UPC-E check digit is wrong")]
    CheckDigit,
}

/// A UPC-E as its 8 digits (number system, six digits, check digit) and the 12-digit UPC-A it
/// expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpcE {
    pub upc_e: String,
    pub upc_a: String,
}

/// Expands a UPC-E. Six digits have the implicit number system 0 and no check digit; seven
/// have their number system and no check digit; eight have both, and the check digit (that of
/// the UPC-A) is verified.
pub fn expand_upc_e(code: &str) -> Result<UpcE, UpcError> {
    let code = code.trim();
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UpcError::NotDigits);
    }
    let (system, six, given_check) = match code.len() {
        6 => ('0', code, None),
        7 => (char::from(code.as_bytes()[0]), &code[1..], None),
        8 => (char::from(code.as_bytes()[0]), &code[1..7], Some(code.as_bytes()[7] - b'0')),
        n => return Err(UpcError::Length(n)),
    };
    if system != '0' && system != '1' {
        return Err(UpcError::NumberSystem(system));
    }
    let body = format!("{system}{}", expand_six(six.as_bytes()));
    let check = check_digit(&body).ok_or(UpcError::NotDigits)?;
    if given_check.is_some_and(|given| given != check) {
        return Err(UpcError::CheckDigit);
    }
    Ok(UpcE { upc_e: format!("{system}{six}{check}"), upc_a: format!("{body}{check}") })
}

/// The manufacturer and item digits (10 of them) that six UPC-E digits stand for. The last of
/// the six says where the zeros were suppressed.
fn expand_six(d: &[u8]) -> String {
    let s = |range: std::ops::Range<usize>| String::from_utf8_lossy(&d[range]).into_owned();
    let last = char::from(d[5]);
    match d[5] {
        // Manufacturer ends in 000, 100 or 200: three item digits.
        b'0'..=b'2' => format!("{}{last}0000{}", s(0..2), s(2..5)),
        // Manufacturer ends in 00 (x00 with x 3..9): two item digits.
        b'3' => format!("{}00000{}", s(0..3), s(3..5)),
        // Manufacturer ends in 0: one item digit.
        b'4' => format!("{}00000{}", s(0..4), s(4..5)),
        // No zeros in the manufacturer: the item is 0000 5..9.
        _ => format!("{}0000{last}", s(0..5)),
    }
}
