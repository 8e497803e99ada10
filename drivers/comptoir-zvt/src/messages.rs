//! ZVT messages: the commands the register (ECR) sends, and the messages the terminal (PT)
//! sends back, read into typed values.

use crate::apdu::{Apdu, parse_apdu};
use crate::bmp::{Field, encode_bcd, parse_bmps};
use crate::pan::{MaskedPan, scrub_pan};
use crate::tlv::{Tlv, encode_tlv_container, parse_tlv_container};
use crate::{ParseError, bcd, codes, text};

/// The positive acknowledgement, `80 00 00`.
pub const ACK: [u8; 3] = [0x80, 0x00, 0x00];

/// A negative acknowledgement, `84 xx 00`.
pub fn negative_ack(code: u8) -> [u8; 3] {
    [0x84, code, 0x00]
}

/// The terminal's password (six digits, `000000` on most terminals as shipped).
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Password(u32);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Six digits; `None` otherwise.
    pub fn new(digits: u32) -> Option<Password> {
        (digits <= 999_999).then_some(Password(digits))
    }

    pub fn parse(text: &str) -> Option<Password> {
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.parse().ok().and_then(Password::new)
    }

    fn bytes(self) -> Vec<u8> {
        bcd::encode(u64::from(self.0), 3).unwrap_or_default()
    }
}

/// The commands of the register.
pub mod command {
    use super::*;

    /// Registration `06 00`: password, config byte, currency (BCD, no BMP tag), and the
    /// service byte as BMP 03.
    pub fn registration(
        password: Password,
        config: u8,
        currency: Option<u16>,
        service_byte: Option<u8>,
    ) -> Apdu {
        let mut data = password.bytes();
        data.push(config);
        if let Some(currency) = currency {
            data.extend(bcd::encode(u64::from(currency), 2).unwrap_or_default());
        }
        if let Some(service) = service_byte {
            data.extend([0x03, service]);
        }
        Apdu::new(0x06, 0x00, data)
    }

    /// Authorization `06 01`: BMP 04 amount in cents, BMP 49 currency if given.
    pub fn authorization(amount: u64, currency: Option<u16>) -> Result<Apdu, ParseError> {
        let mut data = encode_bcd(0x04, amount, 6)?;
        if let Some(currency) = currency {
            data.extend(encode_bcd(0x49, u64::from(currency), 2)?);
        }
        Ok(Apdu::new(0x06, 0x01, data))
    }

    /// Reversal `06 30`: password and BMP 87, the receipt number of the payment to undo.
    pub fn reversal(password: Password, receipt_no: u16) -> Result<Apdu, ParseError> {
        let mut data = password.bytes();
        data.extend(encode_bcd(0x87, u64::from(receipt_no), 2)?);
        Ok(Apdu::new(0x06, 0x30, data))
    }

    /// Refund `06 31`: password, BMP 04 amount, BMP 49 currency if given.
    pub fn refund(
        password: Password,
        amount: u64,
        currency: Option<u16>,
    ) -> Result<Apdu, ParseError> {
        let mut data = password.bytes();
        data.extend(encode_bcd(0x04, amount, 6)?);
        if let Some(currency) = currency {
            data.extend(encode_bcd(0x49, u64::from(currency), 2)?);
        }
        Ok(Apdu::new(0x06, 0x31, data))
    }

    /// Repeat receipt `06 20`: the terminal sends its last transaction again.
    pub fn repeat_receipt(password: Password) -> Apdu {
        Apdu::new(0x06, 0x20, password.bytes())
    }

    /// End of day `06 50`.
    pub fn end_of_day(password: Password) -> Apdu {
        Apdu::new(0x06, 0x50, password.bytes())
    }

    /// Diagnosis `06 70`.
    pub fn diagnosis() -> Apdu {
        Apdu::new(0x06, 0x70, Vec::new())
    }

    /// Status enquiry `05 01`.
    pub fn status_enquiry(password: Password) -> Apdu {
        Apdu::new(0x05, 0x01, password.bytes())
    }

    /// Abort `06 B0`.
    pub fn abort() -> Apdu {
        Apdu::new(0x06, 0xB0, Vec::new())
    }

    /// Log off `06 02`.
    pub fn log_off() -> Apdu {
        Apdu::new(0x06, 0x02, Vec::new())
    }
}

/// What a status information (`04 0F`) or a completion carries that Comptoir uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusInformation {
    pub result: Option<u8>,
    pub amount: Option<u64>,
    pub currency: Option<u16>,
    pub trace: Option<u32>,
    pub original_trace: Option<u32>,
    pub receipt_no: Option<u16>,
    pub turnover_no: Option<u32>,
    pub terminal_id: Option<String>,
    pub card_number: Option<MaskedPan>,
    pub card_type: Option<u8>,
    pub card_name: Option<String>,
    pub aid: Option<String>,
    pub date: Option<u16>,
    pub time: Option<u32>,
    pub additional_text: Option<String>,
    /// Text lines found in the TLV container (tag 07), card numbers masked.
    pub texts: Vec<String>,
}

impl StatusInformation {
    pub fn from_fields(fields: &[Field]) -> StatusInformation {
        let mut info = StatusInformation::default();
        for field in fields {
            info.take(field);
        }
        info
    }

    fn take(&mut self, field: &Field) {
        match field {
            Field::ResultCode(code) => self.result = Some(*code),
            Field::Amount(amount) => self.amount = Some(*amount),
            Field::Currency(currency) => self.currency = Some(*currency),
            Field::Trace(trace) => self.trace = Some(*trace),
            Field::OriginalTrace(trace) => self.original_trace = Some(*trace),
            Field::ReceiptNo(receipt) => self.receipt_no = Some(*receipt),
            Field::TurnoverNo(turnover) => self.turnover_no = Some(*turnover),
            Field::TerminalId(id) => self.terminal_id = Some(id.clone()),
            Field::CardNumber(pan) => self.card_number = Some(pan.clone()),
            Field::CardType(card_type) => self.card_type = Some(*card_type),
            Field::CardName(name) => self.card_name = Some(name.clone()),
            Field::Aid(aid) => self.aid = Some(aid.clone()),
            Field::Date(date) => self.date = Some(*date),
            Field::Time(time) => self.time = Some(*time),
            Field::AdditionalText(text) => self.additional_text = Some(text.clone()),
            Field::Tlv(items) => self.take_tlv(items),
            _ => {}
        }
    }

    fn take_tlv(&mut self, items: &[Tlv]) {
        self.texts.extend(text_lines(items));
        if self.card_name.is_none() {
            // Tag 60 (application) holds 44, the application's preferred name.
            let mut names = Vec::new();
            Tlv::find_all(items, 0x44, &mut names);
            self.card_name = names.first().map(|t| scrub_pan(text::decode(&t.value).trim()));
        }
    }

    /// The card's brand: its name, or the name of its ZVT card type.
    pub fn brand(&self) -> Option<String> {
        let named = self.card_name.clone().filter(|n| !n.is_empty());
        named.or_else(|| self.card_type.and_then(codes::card_type_name).map(str::to_owned))
    }
}

/// Every text line (tag 07) in a TLV container, decoded, card numbers masked.
pub fn text_lines(items: &[Tlv]) -> Vec<String> {
    let mut lines = Vec::new();
    Tlv::find_all(items, 0x07, &mut lines);
    lines.iter().map(|t| scrub_pan(&text::decode(&t.value))).collect()
}

/// What a completion (`06 0F`) carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    pub info: StatusInformation,
    /// The software version, in a status enquiry's completion.
    pub software: Option<String>,
    /// The terminal status byte, in a status enquiry's completion (00: ready).
    pub terminal_status: Option<u8>,
}

/// A message from the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminalMessage {
    /// `80 00 00`.
    Ack,
    /// `84 xx 00`: the terminal refused with result code `xx`.
    Nack(u8),
    /// `04 0F`.
    StatusInformation(StatusInformation),
    /// `04 FF`: what the terminal is doing, for the cashier's screen, and how many seconds it
    /// will itself wait for it (the customer's card, PIN), when it says (a timeout byte of 0
    /// says nothing).
    IntermediateStatus { code: u8, timeout: Option<u8>, text: String },
    /// `06 D1`: one line of the terminal's receipt.
    PrintLine { attribute: u8, text: String },
    /// `06 D3`: a block of receipt lines.
    PrintTextBlock { lines: Vec<String> },
    /// `06 0F`: the command is done.
    Completion(Completion),
    /// `06 1E`: the command failed, with a result code.
    Abort { code: Option<u8>, info: StatusInformation },
    /// A message Comptoir does not use; it is acknowledged and ignored.
    Other { class: u8, instr: u8 },
}

/// Reads one whole APDU from the terminal.
pub fn parse_message(bytes: &[u8]) -> Result<TerminalMessage, ParseError> {
    parse_terminal_message(&parse_apdu(bytes)?)
}

/// Reads what an APDU from the terminal says.
pub fn parse_terminal_message(apdu: &Apdu) -> Result<TerminalMessage, ParseError> {
    let data = apdu.data.as_slice();
    Ok(match apdu.control() {
        [0x80, 0x00] if data.is_empty() => TerminalMessage::Ack,
        [0x84, code] => TerminalMessage::Nack(code),
        [0x04, 0x0F] => {
            TerminalMessage::StatusInformation(StatusInformation::from_fields(&parse_bmps(data)?))
        }
        [0x04, 0xFF] => intermediate(data)?,
        [0x06, 0xD1] => print_line(data)?,
        [0x06, 0xD3] => {
            let info = StatusInformation::from_fields(&parse_bmps(data)?);
            TerminalMessage::PrintTextBlock { lines: info.texts }
        }
        [0x06, 0x0F] => TerminalMessage::Completion(completion(data)?),
        [0x06, 0x1E] => {
            let (code, rest) = match data.split_first() {
                Some((code, rest)) => (Some(*code), rest),
                None => (None, data),
            };
            let info = StatusInformation::from_fields(&parse_bmps(rest)?);
            TerminalMessage::Abort { code, info }
        }
        [class, instr] => TerminalMessage::Other { class, instr },
    })
}

fn intermediate(data: &[u8]) -> Result<TerminalMessage, ParseError> {
    let Some((&code, rest)) = data.split_first() else { return Err(ParseError::Truncated) };
    // A second byte, when present, is the timeout; then BMPs (a TLV with display texts).
    let (timeout, fields) = match rest.split_first() {
        Some((&timeout, bmps)) => ((timeout > 0).then_some(timeout), parse_bmps(bmps)?),
        None => (None, Vec::new()),
    };
    let info = StatusInformation::from_fields(&fields);
    let text = if info.texts.is_empty() {
        codes::intermediate_text(code).to_owned()
    } else {
        info.texts.join("\n")
    };
    Ok(TerminalMessage::IntermediateStatus { code, timeout, text })
}

fn print_line(data: &[u8]) -> Result<TerminalMessage, ParseError> {
    let Some((&attribute, rest)) = data.split_first() else { return Err(ParseError::Truncated) };
    // Some terminals append a TLV container (`06 04 1F 07 01 01`, the receipt type): it
    // starts at the first 06 whose container fills the rest exactly.
    let text_end = (0..rest.len())
        .find(|&i| {
            rest[i] == 0x06
                && parse_tlv_container(&rest[i + 1..])
                    .is_ok_and(|(_, used)| i + 1 + used == rest.len())
        })
        .unwrap_or(rest.len());
    let text = scrub_pan(text::decode(&rest[..text_end]).trim_end());
    Ok(TerminalMessage::PrintLine { attribute, text })
}

fn completion(data: &[u8]) -> Result<Completion, ParseError> {
    let mut done = Completion::default();
    if data.is_empty() {
        return Ok(done);
    }
    if data[0] >> 4 == 0x0F {
        // A status enquiry's completion: the software version as LLLVAR, the terminal
        // status byte, then perhaps a TLV container.
        let len = bcd::var_len(data, 3)?;
        let version = data.get(3..3 + len).ok_or(ParseError::Truncated)?;
        done.software = Some(text::decode(version).trim().to_owned());
        let rest = &data[3 + len..];
        if let Some((&status, bmps)) = rest.split_first() {
            done.terminal_status = Some(status);
            done.info = StatusInformation::from_fields(&parse_bmps(bmps)?);
        }
        return Ok(done);
    }
    match parse_bmps(data) {
        Ok(fields) => done.info = StatusInformation::from_fields(&fields),
        Err(first_error) => {
            // Without a software version, some terminals send the status byte alone.
            let (&status, bmps) = data.split_first().ok_or(first_error.clone())?;
            done.terminal_status = Some(status);
            done.info = StatusInformation::from_fields(&parse_bmps(bmps).map_err(|_| first_error)?);
        }
    }
    Ok(done)
}

/// Messages the terminal sends, for the simulator (and for tests of the reader).
pub mod terminal {
    use super::*;

    /// An intermediate status with a code and no text.
    pub fn intermediate_status(code: u8) -> Apdu {
        Apdu::new(0x04, 0xFF, vec![code])
    }

    /// An intermediate status with a code and the seconds the terminal waits at this step.
    pub fn intermediate_status_waiting(code: u8, timeout: u8) -> Apdu {
        Apdu::new(0x04, 0xFF, vec![code, timeout])
    }

    /// A print line with attribute 00.
    pub fn print_line(line: &str) -> Apdu {
        let mut data = vec![0x00];
        data.extend(text::encode(line));
        Apdu::new(0x06, 0xD1, data)
    }

    /// A completion carrying BMPs.
    pub fn completion(bmps: Vec<u8>) -> Apdu {
        Apdu::new(0x06, 0x0F, bmps)
    }

    /// A status enquiry's completion: software version and status byte.
    pub fn status_completion(software: &str, status: u8) -> Apdu {
        let version = text::encode(software);
        let mut data = bcd::encode_var_len(version.len(), 3);
        data.extend(version);
        data.push(status);
        Apdu::new(0x06, 0x0F, data)
    }

    /// An abort with a result code.
    pub fn abort(code: u8) -> Apdu {
        Apdu::new(0x06, 0x1E, vec![code])
    }

    /// A print text block of lines, in a TLV container (tag 25 holding 07 lines).
    pub fn print_text_block(lines: &[String]) -> Apdu {
        let texts = lines.iter().map(|l| Tlv::new(0x07, text::encode(l))).collect();
        let mut data = vec![0x06];
        data.extend(encode_tlv_container(&[Tlv::constructed(0x25, texts)]));
        Apdu::new(0x06, 0xD3, data)
    }
}
