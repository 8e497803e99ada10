//! Real-time status: the `DLE EOT n` requests and the parser of their one-byte replies.

use crate::commands::DLE;
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
