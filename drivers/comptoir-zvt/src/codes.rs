//! The ZVT result codes (BMP 27, the byte of `06 1E` and of `84 xx 00`) with a stable code the
//! UI branches on and a message for the cashier; the intermediate status texts of `04 FF`; and
//! the ZVT card types of BMP 8A. Texts after the specification's tables as the Portalum.Zvt
//! library lists them.

/// A ZVT result code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResultCode(pub u8);

impl ResultCode {
    pub const SUCCESS: ResultCode = ResultCode(0x00);
    pub const ABORTED: ResultCode = ResultCode(0x6C);

    pub fn is_success(self) -> bool {
        self.0 == 0
    }

    /// Whether the customer or the cashier aborted (timeout or abort key), rather than the
    /// card or the bank refusing.
    pub fn is_abort(self) -> bool {
        self.0 == 0x6C
    }

    /// The stable code the UI branches on.
    pub fn code(self) -> &'static str {
        match self.0 {
            0x00 => "card_approved",
            0x05 => "card_declined",
            0x6C => "card_aborted",
            0x64 | 0x65 | 0x72 | 0x73 | 0xDC | 0xE2 => "card_not_readable",
            0x78 | 0x79 => "card_expired",
            0x7A | 0x6E | 0x67 | 0x68 | 0xD2 | 0xEA | 0xC5 => "card_not_accepted",
            0x71 | 0xC3 | 0xC8 | 0xC9 | 0xB7 => "card_amount_refused",
            0x6F | 0xC6 | 0xCB => "card_wrong_currency",
            0x6B | 0xE4 | 0xFE => "terminal_not_registered",
            0x7D | 0x9B | 0xA0 | 0xA1 | 0xA3 => "terminal_offline",
            0x9C => "terminal_busy",
            0xB4 => "card_already_reversed",
            0xB5 => "card_reversal_refused",
            0x77 | 0xF0 => "terminal_end_of_day_needed",
            0xCC => "terminal_printer_not_ready",
            0xC2 => "terminal_diagnosis_needed",
            0x83 | 0x9A => "terminal_refused",
            _ => "terminal_error",
        }
    }

    /// What the specification says the code means (for the log and IT).
    pub fn description(self) -> &'static str {
        match self.0 {
            0x00 => "no error",
            0x05 => "declined",
            0x64 => "card not readable (LRC/parity error)",
            0x65 => "card data not present",
            0x66 => "processing error",
            0x67 => "function not permitted for ec and Maestro cards",
            0x68 => "function not permitted for credit and tank cards",
            0x6A => "turnover file full",
            0x6B => "function deactivated (PT not registered)",
            0x6C => "abort via timeout or abort key",
            0x6E => "card in blocked list",
            0x6F => "wrong currency",
            0x71 => "credit not sufficient",
            0x72 => "chip error",
            0x73 => "card data incorrect",
            0x77 => "end-of-day batch not possible",
            0x78 => "card expired",
            0x79 => "card not yet valid",
            0x7A => "card unknown",
            0x7D => "communication error",
            0x83 => "function not possible",
            0x85 => "key missing",
            0x89 | 0xED => "PIN pad defective",
            0x9A => "ZVT protocol error",
            0x9B => "error from dial-up / communication fault",
            0x9C => "please wait",
            0xA0 => "receiver not ready",
            0xA1 => "remote station does not respond",
            0xA3 => "no connection",
            0xB4 => "already reversed",
            0xB5 => "reversal not possible",
            0xB7 => "pre-authorisation incorrect or amount wrong",
            0xC2 => "diagnosis required",
            0xC3 => "maximum amount exceeded",
            0xC5 => "payment method not supported",
            0xC6 => "currency not applicable",
            0xC8 => "amount too small",
            0xCC => "printer not ready",
            0xDC => "card inserted",
            0xE2 => "card reader does not answer",
            0xE4 => "terminal activation required",
            0xF0 => "open end-of-day batch present",
            0xFE => "register unknown",
            0xFF => "system error",
            _ => "other error",
        }
    }

    /// What the cashier reads: what happened and what to do next, in English; the app
    /// translates by [`ResultCode::code`].
    pub fn message(self) -> &'static str {
        match self.code() {
            "card_approved" => "payment approved",
            "card_declined" => "card declined: ask for another card or another way to pay",
            "card_aborted" => {
                "payment aborted on the terminal: start the payment again if the customer still wants to pay by card"
            }
            "card_not_readable" => {
                "the terminal could not read the card: ask the customer to insert it again or tap it"
            }
            "card_expired" => "the card has expired or is not valid yet: ask for another card",
            "card_not_accepted" => {
                "this card is not accepted here: ask for another card or another way to pay"
            }
            "card_amount_refused" => {
                "the card refused this amount: ask for another card or another way to pay"
            }
            "card_wrong_currency" => {
                "the terminal refused the currency: check the register's currency setting with IT"
            }
            "terminal_not_registered" => {
                "the terminal is not registered with the register: run the terminal registration in the device setup"
            }
            "terminal_offline" => {
                "the terminal cannot reach the bank: check its network cable, then try again"
            }
            "terminal_busy" => "the terminal is busy: wait a moment, then try again",
            "card_already_reversed" => "this payment was already reversed: nothing more to do",
            "card_reversal_refused" => {
                "the terminal cannot reverse this payment: refund it instead"
            }
            "terminal_end_of_day_needed" => {
                "the terminal needs an end of day: run the end of day, then try again"
            }
            "terminal_printer_not_ready" => {
                "the terminal's printer is not ready: load paper in the terminal, then try again"
            }
            "terminal_diagnosis_needed" => {
                "the terminal needs a diagnosis: run the terminal diagnosis in the device setup"
            }
            "terminal_refused" => {
                "the terminal refused the request: try again; if it keeps failing, call IT"
            }
            _ => "the terminal reported an error: try again; if it keeps failing, call IT",
        }
    }
}

/// The text of an intermediate status code (`04 FF`), for the cashier's screen.
pub fn intermediate_text(code: u8) -> &'static str {
    match code {
        0x00 => "waiting for the amount to be confirmed",
        0x01 | 0x02 => "customer: please watch the PIN pad",
        0x03 => "not accepted",
        0x04 => "waiting for the bank",
        0x05 => "sending an automatic reversal",
        0x06 => "sending post-bookings",
        0x07 => "card not admitted",
        0x08 => "card unknown",
        0x09 => "card expired",
        0x0A => "customer: insert, tap or swipe the card",
        0x0B => "customer: please remove the card",
        0x0C => "card not readable",
        0x0D => "processing error",
        0x0E | 0x17 => "please wait",
        0x0F => "the terminal is running an automatic end of day",
        0x10 => "invalid card",
        0x12 => "system malfunction",
        0x13 => "payment not possible",
        0x14 => "credit not sufficient",
        0x15 => "incorrect PIN",
        0x16 => "limit not sufficient",
        0x18 => "PIN try limit exceeded",
        0x1C => "approved",
        0x1D => "declined",
        0x4B => "customer: please remove the card",
        0xC8 => "the terminal is waiting for the cashier",
        0xC9 => "the terminal is running an automatic diagnosis",
        0xCA => "the terminal is running an automatic initialisation",
        0xD2 => "connecting to the bank",
        0xD3 => "connected to the bank",
        0xE0 => "customer: choose the card application",
        0xE1 => "customer: choose the language",
        0xF1 => "offline",
        0xF2 => "online",
        _ => "the terminal is working",
    }
}

/// The brand of a ZVT card type (BMP 8A), when the terminal names no card.
pub fn card_type_name(card_type: u8) -> Option<&'static str> {
    Some(match card_type {
        0x02 => "ec-card",
        0x05 => "girocard",
        0x06 => "Mastercard",
        0x08 => "American Express",
        0x0A => "VISA",
        0x0D => "V PAY",
        0x2E => "Maestro",
        _ => return None,
    })
}
