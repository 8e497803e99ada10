//! Status: the `DLE EOT n` requests and the parser of their one-byte replies, Automatic
//! Status Back (`GS a n` and its four-byte messages), and a reader that splits what a printer
//! sends back into both kinds, since on one link they arrive interleaved.

use crate::commands::{DLE, GS};
use crate::error::PrintError;

const EOT: u8 = 0x04;

/// Which status `DLE EOT n` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    /// n=1: drawer sensor (connector pin 3) and online/offline.
    Printer = 1,
    /// n=2: why the printer is offline: cover open, paper fed by the button, paper end, error.
    OfflineCause = 2,
    /// n=3: cutter, unrecoverable and auto-recoverable errors.
    ErrorCause = 3,
    /// n=4: roll paper near-end and end sensors.
    PaperSensor = 4,
}

/// The three bytes of `DLE EOT n`. The printer answers at once, even offline.
pub fn status_request(kind: StatusKind) -> [u8; 3] {
    [DLE, EOT, kind as u8]
}

/// The requests a transport sends before (and after) a job, answered in this order.
pub const STATUS_QUERY: [StatusKind; 3] =
    [StatusKind::Printer, StatusKind::OfflineCause, StatusKind::PaperSensor];

/// How much paper is left.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Paper {
    #[default]
    Ok,
    /// The near-end sensor sees the roll's end coming: print, but ask for a new roll soon.
    NearEnd,
    Out,
}

/// What the printer reported, combined from the replies to `DLE EOT 1`, `2` and `4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterStatus {
    pub online: bool,
    pub cover_open: bool,
    pub paper: Paper,
    /// The drawer sensor level; whether high means open depends on the drawer (a setting).
    pub drawer_sensor_high: bool,
    pub error: bool,
}

impl PrinterStatus {
    /// The four bytes an Epson printer in this state sends as Automatic Status Back (the
    /// simulator sends them): a cover open or paper out also sets "offline", as on a printer.
    pub fn asb(&self) -> [u8; 4] {
        let stopped = self.cover_open || self.paper == Paper::Out || self.error;
        let near_end = self.paper == Paper::NearEnd || self.paper == Paper::Out;
        [
            ASB_FIRST_BITS
                | flag(self.drawer_sensor_high, 0x04)
                | flag(!self.online || stopped, 0x08)
                | flag(self.cover_open, 0x20),
            flag(self.error, 0x20),
            flag(near_end, 0x03) | flag(self.paper == Paper::Out, 0x0C),
            0,
        ]
    }
}

impl Default for PrinterStatus {
    fn default() -> PrinterStatus {
        PrinterStatus::OK
    }
}

/// Every reply byte has the fixed bits `0xx1xx10`: bit 7 clear, bit 4 set, bit 1 set, bit 0 clear.
const FIXED_MASK: u8 = 0b1001_0011;
const FIXED_BITS: u8 = 0b0001_0010;

impl PrinterStatus {
    /// Online, cover closed, paper loaded, no error.
    pub const OK: PrinterStatus = PrinterStatus {
        online: true,
        cover_open: false,
        paper: Paper::Ok,
        drawer_sensor_high: false,
        error: false,
    };

    /// Combines the replies to `DLE EOT 1`, `DLE EOT 2` and `DLE EOT 4`.
    pub fn from_replies(
        printer: u8,
        offline_cause: u8,
        paper: u8,
    ) -> Result<PrinterStatus, PrintError> {
        let printer = checked(StatusKind::Printer, printer)?;
        let cause = checked(StatusKind::OfflineCause, offline_cause)?;
        let paper = checked(StatusKind::PaperSensor, paper)?;
        let paper_end = bits(paper, 0b0110_0000) || bit(cause, 5);
        Ok(PrinterStatus {
            online: !bit(printer, 3),
            cover_open: bit(cause, 2),
            paper: if paper_end {
                Paper::Out
            } else if bits(paper, 0b0000_1100) {
                Paper::NearEnd
            } else {
                Paper::Ok
            },
            drawer_sensor_high: bit(printer, 2),
            error: bit(cause, 6),
        })
    }

    /// Whether a job may be sent now; the error says what the cashier has to fix first.
    /// Paper near its end still prints.
    pub fn ready(&self) -> Result<(), PrintError> {
        if self.cover_open {
            Err(PrintError::CoverOpen)
        } else if self.paper == Paper::Out {
            Err(PrintError::OutOfPaper)
        } else if self.error {
            Err(PrintError::Fault { reason: "the printer reports an error".to_owned() })
        } else if !self.online {
            Err(PrintError::offline("the printer reports itself offline"))
        } else {
            Ok(())
        }
    }

    /// The byte a printer in this state answers to `DLE EOT n`, per the Epson reference.
    /// The simulator answers with it; a cover open or paper out also sets "offline", as on
    /// a real printer.
    pub fn reply(&self, kind: StatusKind) -> u8 {
        let stopped = self.cover_open || self.paper == Paper::Out || self.error;
        let paper_out = self.paper == Paper::Out;
        let near_end = self.paper == Paper::NearEnd;
        FIXED_BITS
            | match kind {
                StatusKind::Printer => {
                    flag(self.drawer_sensor_high, 0x04) | flag(!self.online || stopped, 0x08)
                }
                StatusKind::OfflineCause => {
                    flag(self.cover_open, 0x04) | flag(paper_out, 0x20) | flag(self.error, 0x40)
                }
                StatusKind::ErrorCause => 0,
                StatusKind::PaperSensor => {
                    flag(near_end || paper_out, 0x0C) | flag(paper_out, 0x60)
                }
            }
    }
}

fn checked(kind: StatusKind, byte: u8) -> Result<u8, PrintError> {
    if byte & FIXED_MASK == FIXED_BITS {
        Ok(byte)
    } else {
        Err(PrintError::BadStatusReply { request: kind as u8, byte })
    }
}

fn bit(byte: u8, n: u8) -> bool {
    byte & (1 << n) != 0
}

/// Either of two sensor bits: Epson sets both, some clones only one.
fn bits(byte: u8, mask: u8) -> bool {
    byte & mask != 0
}

fn flag(on: bool, mask: u8) -> u8 {
    if on { mask } else { 0 }
}

/// `GS a n`: Automatic Status Back for the events in `mask` ([`ASB_ALL`] for every one); the
/// printer then sends four bytes on every change, and once at once. `GS a 0` turns it off.
pub fn auto_status_back(mask: u8) -> [u8; 3] {
    [GS, b'a', mask]
}

/// Drawer sensor (bit 0), online/offline (1), errors (2) and the roll paper sensor (3).
pub const ASB_ALL: u8 = 0x0F;

/// The first byte of an ASB message has the fixed bits `0xx1xx00`; the three others `0xx0xxxx`.
const ASB_FIRST_MASK: u8 = 0b1001_0011;
const ASB_FIRST_BITS: u8 = 0b0001_0000;
const ASB_REST_MASK: u8 = 0b1001_0000;

/// One Automatic Status Back message, bit by bit as the Epson reference lists them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsbStatus {
    /// First byte, bit 2: drawer kick-out connector pin 3 is high.
    pub drawer_sensor_high: bool,
    /// First byte, bit 3.
    pub offline: bool,
    /// First byte, bit 5.
    pub cover_open: bool,
    /// First byte, bit 6: paper is being fed by the feed button.
    pub feeding: bool,
    /// Second byte, bit 0: waiting for online recovery.
    pub waiting_recovery: bool,
    /// Second byte, bit 1: the feed button is pushed.
    pub feed_button: bool,
    /// Second byte, bit 3.
    pub cutter_error: bool,
    /// Second byte, bit 5: the printer must be switched off.
    pub unrecoverable_error: bool,
    /// Second byte, bit 6: a head or motor too hot; it clears by itself.
    pub auto_recoverable_error: bool,
    /// Third byte, bits 0 and 1.
    pub paper_near_end: bool,
    /// Third byte, bits 2 and 3.
    pub paper_end: bool,
}

impl AsbStatus {
    /// The status as the driver tracks it.
    pub fn printer_status(&self) -> PrinterStatus {
        PrinterStatus {
            online: !self.offline,
            cover_open: self.cover_open,
            paper: if self.paper_end {
                Paper::Out
            } else if self.paper_near_end {
                Paper::NearEnd
            } else {
                Paper::Ok
            },
            drawer_sensor_high: self.drawer_sensor_high,
            error: self.cutter_error || self.unrecoverable_error || self.auto_recoverable_error,
        }
    }
}

/// Why bytes from the printer are no status message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusParseError {
    #[error("status message cut short: {got} of {expected} bytes")]
    Incomplete { got: usize, expected: usize },
    #[error("status message too long: {got} bytes where {expected} were expected")]
    Oversize { got: usize, expected: usize },
    #[error("status byte {index} is {byte:#04x}, without the fixed bits of its message")]
    FixedBits { index: usize, byte: u8 },
}

/// Parses one four-byte Automatic Status Back message.
pub fn parse_asb(bytes: &[u8]) -> Result<AsbStatus, StatusParseError> {
    let [first, second, third, fourth] = *bytes else {
        return Err(if bytes.len() < 4 {
            StatusParseError::Incomplete { got: bytes.len(), expected: 4 }
        } else {
            StatusParseError::Oversize { got: bytes.len(), expected: 4 }
        });
    };
    if first & ASB_FIRST_MASK != ASB_FIRST_BITS {
        return Err(StatusParseError::FixedBits { index: 0, byte: first });
    }
    for (index, byte) in [(1, second), (2, third), (3, fourth)] {
        if byte & ASB_REST_MASK != 0 {
            return Err(StatusParseError::FixedBits { index, byte });
        }
    }
    Ok(AsbStatus {
        drawer_sensor_high: bit(first, 2),
        offline: bit(first, 3),
        cover_open: bit(first, 5),
        feeding: bit(first, 6),
        waiting_recovery: bit(second, 0),
        feed_button: bit(second, 1),
        cutter_error: bit(second, 3),
        unrecoverable_error: bit(second, 5),
        auto_recoverable_error: bit(second, 6),
        paper_near_end: bits(third, 0b0000_0011),
        paper_end: bits(third, 0b0000_1100),
    })
}

/// Checks one reply byte to `DLE EOT n` (fixed bits `0xx1xx10`).
pub fn parse_status_reply(byte: u8) -> Result<u8, StatusParseError> {
    if byte & FIXED_MASK == FIXED_BITS {
        Ok(byte)
    } else {
        Err(StatusParseError::FixedBits { index: 0, byte })
    }
}

/// What a printer sent back on its own or in answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusMessage {
    /// A reply byte to a `DLE EOT n`.
    Reply(u8),
    /// An Automatic Status Back message.
    Asb(AsbStatus),
}

/// Splits the bytes a printer sends into `DLE EOT` replies and ASB messages, which share one
/// link: a reply byte has bit 1 set and an ASB message's first byte has it clear (both have
/// bit 4 set); the three other ASB bytes have bit 4 clear. A byte that starts neither is
/// reported and skipped, so one line glitch costs one message, not the link.
#[derive(Debug, Default)]
pub struct StatusReader {
    pending: Vec<u8>,
}

impl StatusReader {
    pub fn new() -> StatusReader {
        StatusReader::default()
    }

    /// Bytes of an ASB message received so far and not yet complete.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Takes received bytes and returns the messages they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<StatusMessage, StatusParseError>> {
        let mut out = Vec::new();
        for &byte in bytes {
            self.take(byte, &mut out);
        }
        out
    }

    fn take(&mut self, byte: u8, out: &mut Vec<Result<StatusMessage, StatusParseError>>) {
        if !self.pending.is_empty() {
            if byte & ASB_REST_MASK == 0 {
                self.pending.push(byte);
                if self.pending.len() == 4 {
                    let message = std::mem::take(&mut self.pending);
                    out.push(parse_asb(&message).map(StatusMessage::Asb));
                }
                return;
            }
            // Not a continuation: the message was cut; this byte may start the next one.
            let got = std::mem::take(&mut self.pending).len();
            out.push(Err(StatusParseError::Incomplete { got, expected: 4 }));
        }
        if byte & FIXED_MASK == FIXED_BITS {
            out.push(Ok(StatusMessage::Reply(byte)));
        } else if byte & ASB_FIRST_MASK == ASB_FIRST_BITS {
            self.pending.push(byte);
        } else {
            out.push(Err(StatusParseError::FixedBits { index: 0, byte }));
        }
    }
}
