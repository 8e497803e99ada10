//! Ways to get a job's bytes to a printer, behind one blocking [`Transport`] trait.

mod device;
mod serial;
mod tcp;
mod usb;
mod virtual_printer;

use std::io::{Read, Write};

pub use device::{DeviceConfig, DeviceFileTransport};
pub use serial::{SerialConfig, SerialTransport};
pub use tcp::{TcpConfig, TcpTransport};
pub use usb::{UsbConfig, UsbPrinterInfo, UsbTransport, list_usb_devices};
pub use virtual_printer::{JobRecord, VirtualTransport};
pub(crate) use virtual_printer::{sync_dir, write_synced};

use crate::error::PrintError;
use crate::status::{PrinterStatus, STATUS_QUERY, StatusMessage, StatusReader, status_request};

/// One print job. The id is unique per receipt print, so that a retry of the same job is
/// recognised and not printed twice; a deliberate reprint gets a new id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub bytes: Vec<u8>,
}

impl Job {
    pub fn new(id: impl Into<String>, bytes: Vec<u8>) -> Job {
        Job { id: id.into(), bytes }
    }
}

/// A printer the register can send jobs to. Blocking: the app gives each printer its own
/// thread and talks to it over a channel (see [`crate::PrinterDriver`]).
pub trait Transport {
    /// Sends one job, refusing it with a typed error when the printer cannot print it now.
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError>;
    /// Asks the printer for its status.
    fn status(&mut self) -> Result<PrinterStatus, PrintError>;
    /// Sends a real-time command (`DLE DC4 1 m t`) at once, whatever the printer's state:
    /// the printer runs it even in error and ahead of queued data.
    fn send_realtime(&mut self, _bytes: &[u8]) -> Result<(), PrintError> {
        Err(PrintError::Fault { reason: "this printer link sends no real-time commands".into() })
    }
    /// The latest status the printer sent on its own (Automatic Status Back) since the last
    /// call, without waiting; `None` when it sent nothing or the link has no status back.
    fn poll_status(&mut self) -> Result<Option<PrinterStatus>, PrintError> {
        Ok(None)
    }
    /// Whether the printer reports changes on its own ([`Transport::poll_status`]), so that
    /// polling with `DLE EOT` can be rare.
    fn reports_changes(&self) -> bool {
        false
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        (**self).write_job(job)
    }
    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        (**self).status()
    }
    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        (**self).send_realtime(bytes)
    }
    fn poll_status(&mut self) -> Result<Option<PrinterStatus>, PrintError> {
        (**self).poll_status()
    }
    fn reports_changes(&self) -> bool {
        (**self).reports_changes()
    }
}

/// Sends `DLE EOT 1`, `2` and `4` and reads the three reply bytes, in that order.
pub(crate) fn query_status<L: Read + Write>(link: &mut L) -> Result<PrinterStatus, PrintError> {
    StatusLink::default().query(link)
}

/// Status over a link where Automatic Status Back messages may arrive between the replies to
/// `DLE EOT`: the reader tells them apart, replies answer the query, and the latest ASB
/// message is kept for [`Transport::poll_status`].
#[derive(Debug, Default)]
pub(crate) struct StatusLink {
    reader: StatusReader,
    /// The latest ASB status not yet handed out.
    pub(crate) latest: Option<PrinterStatus>,
}

/// More bytes than this without the three replies is a printer talking nonsense.
const MAX_STATUS_BYTES: usize = 256;

impl StatusLink {
    pub(crate) fn query<L: Read + Write>(
        &mut self,
        link: &mut L,
    ) -> Result<PrinterStatus, PrintError> {
        let request: Vec<u8> = STATUS_QUERY.iter().flat_map(|&kind| status_request(kind)).collect();
        link.write_all(&request)
            .map_err(|e| PrintError::from_link("sending a status request", e))?;
        link.flush().map_err(|e| PrintError::from_link("sending a status request", e))?;
        let mut replies = Vec::with_capacity(3);
        let mut seen = 0;
        let mut buf = [0u8; 16];
        while replies.len() < 3 {
            // One byte at a time past the first read would be slow; at most what is missing
            // plus an ASB message, so that no reply of a later query is swallowed.
            let want = (3 - replies.len()).min(buf.len());
            let n = match link.read(&mut buf[..want]) {
                Ok(0) => {
                    let eof = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
                    return Err(PrintError::from_link("reading the status reply", eof));
                }
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(PrintError::from_link("reading the status reply", e)),
            };
            seen += n;
            for message in self.reader.push(&buf[..n]) {
                match message {
                    Ok(StatusMessage::Reply(byte)) => replies.push(byte),
                    Ok(StatusMessage::Asb(asb)) => self.latest = Some(asb.printer_status()),
                    Err(error) => {
                        let request = STATUS_QUERY[replies.len().min(2)] as u8;
                        tracing::debug!(%error, "unreadable status bytes");
                        let byte = match error {
                            crate::status::StatusParseError::FixedBits { byte, .. } => byte,
                            _ => buf[0],
                        };
                        return Err(PrintError::BadStatusReply { request, byte });
                    }
                }
            }
            if seen > MAX_STATUS_BYTES {
                return Err(PrintError::BadStatusReply { request: 1, byte: buf[0] });
            }
        }
        PrinterStatus::from_replies(replies[0], replies[1], replies[2])
    }

    /// Reads whatever the printer sent on its own; a read that times out means it sent
    /// nothing. Returns the latest ASB status, once.
    pub(crate) fn drain<L: Read>(
        &mut self,
        link: &mut L,
    ) -> Result<Option<PrinterStatus>, PrintError> {
        let mut buf = [0u8; 64];
        for _ in 0..16 {
            match link.read(&mut buf) {
                Ok(0) => {
                    let eof = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
                    return Err(PrintError::from_link("reading status back", eof));
                }
                Ok(n) => {
                    for message in self.reader.push(&buf[..n]) {
                        match message {
                            Ok(StatusMessage::Asb(asb)) => self.latest = Some(asb.printer_status()),
                            Ok(StatusMessage::Reply(byte)) => {
                                tracing::debug!(byte, "a status reply nobody asked for")
                            }
                            Err(error) => tracing::debug!(%error, "unreadable status back"),
                        }
                    }
                    if n < buf.len() {
                        break;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    ) =>
                {
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(PrintError::from_link("reading status back", e)),
            }
        }
        Ok(self.latest.take())
    }
}

/// Job ids become file names: only letters, digits, '-', '_' and '.' (not leading) are
/// accepted, so an id can never name a path outside the job folder.
pub(crate) fn check_job_id(id: &str) -> Result<(), PrintError> {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !id.is_empty() && id.len() <= 128 && !id.starts_with('.') && id.chars().all(safe) {
        Ok(())
    } else {
        Err(PrintError::Fault { reason: format!("invalid print job id {id:?}") })
    }
}
