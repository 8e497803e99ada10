//! Ways to get a job's bytes to a printer, behind one blocking [`Transport`] trait.

mod device;
mod tcp;
mod virtual_printer;

use std::io::{Read, Write};

pub use device::{DeviceConfig, DeviceFileTransport};
pub use tcp::{TcpConfig, TcpTransport};
pub use virtual_printer::{JobRecord, VirtualTransport};
pub(crate) use virtual_printer::{sync_dir, write_synced};

use crate::error::PrintError;
use crate::status::{PrinterStatus, STATUS_QUERY, status_request};

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
/// thread and talks to it over a channel.
pub trait Transport {
    /// Sends one job, refusing it with a typed error when the printer cannot print it now.
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError>;
    /// Asks the printer for its status.
    fn status(&mut self) -> Result<PrinterStatus, PrintError>;
}

/// Sends `DLE EOT 1`, `2` and `4` and reads the three reply bytes, in that order.
pub(crate) fn query_status<L: Read + Write>(link: &mut L) -> Result<PrinterStatus, PrintError> {
    let request: Vec<u8> = STATUS_QUERY.iter().flat_map(|&kind| status_request(kind)).collect();
    link.write_all(&request).map_err(|e| PrintError::from_link("sending a status request", e))?;
    link.flush().map_err(|e| PrintError::from_link("sending a status request", e))?;
    let mut reply = [0u8; 3];
    link.read_exact(&mut reply)
        .map_err(|e| PrintError::from_link("reading the status reply", e))?;
    PrinterStatus::from_replies(reply[0], reply[1], reply[2])
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
