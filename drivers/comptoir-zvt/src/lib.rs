//! The card terminal driver: ZVT (the German, Austrian and Swiss register-to-terminal
//! protocol, specification PA00P015) over TCP (port 20007) and serial lines, from the
//! register's side; and a terminal simulator (`comptoir-zvt-sim`, [`sim`]).
//!
//! Card data never passes through Comptoir: the terminal reads the card; the register learns
//! the result, the terminal's reference (trace, receipt and turnover numbers, terminal id), the
//! card's brand and a card number masked to its last four digits ([`MaskedPan`] masks on
//! construction, whatever the terminal sent). Track data, CVV and the like are dropped as they
//! are read.
//!
//! # Layers
//!
//! - [`apdu`], [`bmp`], [`tlv`], [`messages`]: the protocol's bytes; every parser takes a
//!   slice and returns a typed [`ParseError`] for garbage, half messages and oversize input,
//!   never panics (`parse_apdu`, `parse_bmps`, `parse_tlv`, `parse_message`, `parse_frame`
//!   are the entry points a fuzz target calls).
//! - [`frame`]: the serial framing (`DLE STX … DLE ETX` and CRC-16, `ACK`/`NAK`).
//! - [`transport`]: a [`Link`] carries whole APDUs: [`TcpLink`], [`SerialLink`].
//! - [`Client`]: one transaction at a time, and [`Client::recover`].
//! - [`ZvtDriver`]: the `comptoir_device` driver (kind `CardTerminal`).
//!
//! # When the answer to a payment is lost
//!
//! A payment whose answer does not arrive (timeout, dropped connection, a register that
//! crashed) ends with [`Verdict::Unknown`]: the terminal may have charged the card. The
//! register must not send the payment again; it records the payment intent durably *before*
//! sending it (with the receipt number of the terminal's last transaction it saw end, as
//! [`Intent::previous_receipt_no`]), and afterwards calls [`Client::recover`], which decides
//! like this:
//!
//! 1. **Status enquiry** (`05 01`). It reports the terminal's state, not the last transaction.
//!    No answer, a dropped link or a refusal: [`Recovery::Unreachable`] (ask again later).
//! 2. **Repeat receipt** (`06 20`). The terminal sends the status information of its last
//!    receipt-bearing transaction again. No answer: `Unreachable`; refused as busy (9C):
//!    `Unreachable`; refused or aborted otherwise: [`Recovery::Unclear`].
//! 3. The decision on what repeat receipt showed:
//!    - its receipt number equals `previous_receipt_no` (and the intent knows no receipt
//!      number of its own): the payment never happened on the terminal,
//!      [`Recovery::NotCharged`];
//!    - it is *this* payment when its receipt number equals [`Intent::receipt_no`] (when the
//!      status information arrived before the answer was lost), or else is any other receipt
//!      number; and its amount equals the intent's amount. Then: approved (completion, result
//!      00) gives [`Recovery::Approved`] with the terminal's reference; declined or aborted
//!      gives `NotCharged`;
//!    - anything else (another amount, no receipt number): `Unclear`. The cashier checks the
//!      terminal's journal; nothing is charged again automatically.
//!
//! An approved payment the register no longer wants (the sale was voided meanwhile) is undone
//! with a reversal (`06 30`) naming its receipt number, so a recovered payment ends approved
//! or reversed, never twice.

pub mod apdu;
mod bcd;
pub mod bmp;
pub mod cards;
mod client;
pub mod codes;
mod driver;
mod error;
pub mod frame;
pub mod messages;
mod outcome;
mod pan;
pub mod sim;
mod text;
pub mod tlv;
pub mod transport;

pub use apdu::{Apdu, parse_apdu};
pub use bmp::parse_bmps;
pub use client::{AbortHandle, Client, ClientConfig, Command, Intent, Progress, Recovery};
pub use codes::ResultCode;
pub use driver::{Endpoint, Reply, Request, ZvtData, ZvtDriver, ZvtStatus};
pub use error::ZvtError;
pub use frame::parse_frame;
pub use messages::{Password, StatusInformation, TerminalMessage, parse_message};
pub use outcome::{Outcome, Reference, Verdict};
pub use pan::{MaskedPan, scrub_pan};
pub use tlv::parse_tlv;
pub use transport::{Link, LinkError, SerialLink, TcpLink};

/// Why bytes from the other end are no valid ZVT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("the message is cut off")]
    Truncated,
    #[error("bytes follow the end of the message")]
    Trailing,
    #[error("the message is too long")]
    Oversize,
    #[error("a number is not in BCD")]
    BadBcd,
    #[error("a length field is malformed")]
    BadLength,
    #[error("BMP {0:02X} is unknown")]
    UnknownBmp(u8),
    #[error("the TLV container is malformed")]
    BadTlv,
    #[error("the serial frame is malformed")]
    BadFrame,
    #[error("the serial frame's checksum is wrong")]
    BadCrc,
}
