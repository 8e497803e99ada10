//! GTIN checks used to choose the Montréal products: length, the mod-10 check digit, and the
//! restricted-circulation prefixes that a register reads as in-store or weight/price codes.

/// The lengths a retail GTIN can have: EAN-8, UPC-A, EAN-13, GTIN-14.
const LENGTHS: [usize; 4] = [8, 12, 13, 14];

/// Whether `code` is all ASCII digits, 8, 12, 13 or 14 long, with a correct check digit.
pub fn is_valid(code: &str) -> bool {
    LENGTHS.contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) && check_ok(code)
}

/// The GS1 mod-10 check: weights 3 and 1 alternate from the digit left of the check digit.
fn check_ok(code: &str) -> bool {
    let digits: Vec<u32> = code.bytes().map(|b| u32::from(b - b'0')).collect();
    let Some((check, body)) = digits.split_last() else {
        return false;
    };
    let sum: u32 =
        body.iter().rev().enumerate().map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d }).sum();
    (10 - sum % 10) % 10 == *check
}

/// The code left-padded with zeros to 14 digits, the form the register keys products by.
pub fn to_gtin14(code: &str) -> String {
    format!("{code:0>14}")
}

/// Whether a valid code is one a shop may not sell as a manufacturer's product: a GTIN-14 for a
/// case (indicator digit other than 0), a restricted-circulation number (RCN-8 with prefix 0
/// or 2; GS1 prefixes 020–029, 040–049 and 200–299, which registers decode as in-store,
/// variable-weight or price-embedded codes), or a coupon or refund prefix (980–999).
pub fn is_restricted(code: &str) -> bool {
    let gtin14 = to_gtin14(code);
    let bytes = gtin14.as_bytes();
    if bytes[0] != b'0' {
        return true;
    }
    if gtin14.starts_with("000000") {
        return matches!(bytes[6], b'0' | b'2');
    }
    let gtin13 = &gtin14[1..];
    gtin13.starts_with('2')
        || gtin13.starts_with("02")
        || gtin13.starts_with("04")
        || gtin13.starts_with("98")
        || gtin13.starts_with("99")
}

/// The code read as a number, for the price step (`n mod 20`).
pub fn numeric_value(code: &str) -> u64 {
    code.bytes().fold(0, |n, b| n * 10 + u64::from(b - b'0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits() {
        for good in ["3017620422003", "10061282", "0204341706595", "886054000001", "00024463061163"]
        {
            assert!(is_valid(good), "{good}");
        }
        for bad in ["5741000224161", "10061283", "123", "30176204220a3", "0176204220033"] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn restricted_prefixes() {
        assert!(is_restricted("2000000011068"));
        assert!(is_restricted("0211502023026"));
        assert!(is_restricted("00407779"));
        assert!(is_restricted("32638580065219"));
        assert!(!is_restricted("0041500007229"));
        assert!(!is_restricted("3017620422003"));
        assert!(!is_restricted("40084077"));
    }
}
