//! Test cards for the simulator: the card numbers the card schemes and payment providers
//! publish for testing (they pass the Luhn check and belong to no one). The simulator knows
//! them whole and sends them masked, as a real terminal does; one fault script sends a whole
//! number on purpose, to prove the register masks it.

use crate::bcd;

/// One test card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    /// What a fault script names it by (`card=visa`).
    pub name: &'static str,
    pub pan: &'static str,
    /// The brand the terminal reports (BMP 8B).
    pub brand: &'static str,
    /// The ZVT card type (BMP 8A).
    pub card_type: u8,
    /// Expiry, YYMM.
    pub expiry: u16,
}

pub const TEST_CARDS: &[TestCard] = &[
    TestCard {
        name: "visa",
        pan: "4111111111111111",
        brand: "VISA",
        card_type: 0x0A,
        expiry: 3012,
    },
    TestCard {
        name: "visa-debit",
        pan: "4000056655665556",
        brand: "VISA Debit",
        card_type: 0x0A,
        expiry: 2911,
    },
    TestCard {
        name: "mastercard",
        pan: "5555555555554444",
        brand: "Mastercard",
        card_type: 0x06,
        expiry: 2808,
    },
    TestCard {
        name: "amex",
        pan: "378282246310005",
        brand: "American Express",
        card_type: 0x08,
        expiry: 2705,
    },
    TestCard {
        name: "maestro",
        pan: "6759649826438453",
        brand: "Maestro",
        card_type: 0x2E,
        expiry: 3103,
    },
];

/// The card a script names.
pub fn find(name: &str) -> Option<&'static TestCard> {
    TEST_CARDS.iter().find(|card| card.name.eq_ignore_ascii_case(name))
}

impl TestCard {
    /// The number as a terminal masks it: the first six and last four digits, `E` for the
    /// others, in BCD, padded with `F` to whole bytes.
    pub fn masked_bcd(&self) -> Vec<u8> {
        let digits: String = self
            .pan
            .chars()
            .enumerate()
            .map(|(i, c)| if i < 6 || i + 4 >= self.pan.len() { c } else { 'E' })
            .collect();
        nibbles_to_bcd(&digits)
    }

    /// The whole number in BCD (a terminal must never send this).
    pub fn full_bcd(&self) -> Vec<u8> {
        nibbles_to_bcd(self.pan)
    }

    /// The number as a receipt prints it, masked.
    pub fn masked(&self) -> String {
        let visible = self.pan.len().saturating_sub(4);
        format!("{}{}", "*".repeat(visible), &self.pan[visible..])
    }
}

fn nibbles_to_bcd(digits: &str) -> Vec<u8> {
    let mut nibbles: Vec<u8> =
        digits.chars().map(|c| c.to_digit(16).map_or(0x0F, |d| d as u8)).collect();
    if nibbles.len() % 2 == 1 {
        nibbles.push(0x0F);
    }
    let bytes: Vec<u8> = nibbles.chunks(2).map(|pair| (pair[0] << 4) | pair[1]).collect();
    debug_assert_eq!(bcd::nibbles(&bytes).len(), nibbles.len());
    bytes
}
