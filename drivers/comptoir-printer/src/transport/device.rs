//! Printing to a device file such as `/dev/usb/lp0`, reading status back through the same file
//! when the printer's USB link is two-way.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use super::{Job, Transport};
use crate::error::PrintError;
use crate::status::{PrinterStatus, STATUS_QUERY, status_request};

/// Which device and how long to wait for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceConfig {
    pub path: PathBuf,
    /// Try `DLE EOT` through the device before each job. A printer that never answers is
    /// then printed to without status, after one wait of `status_timeout`.
    pub check_status: bool,
    pub status_timeout: Duration,
    /// How long a write may make no progress (a full printer buffer) before giving up.
    pub write_timeout: Duration,
}

impl DeviceConfig {
    /// Defaults: status tried with a 1 s wait, 10 s write stall allowed.
    pub fn new(path: impl Into<PathBuf>) -> DeviceConfig {
        DeviceConfig {
            path: path.into(),
            check_status: true,
            status_timeout: Duration::from_secs(1),
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// A printer behind a device file, opened for each job so that unplugging and plugging the
/// printer back in needs no restart.
#[derive(Debug)]
pub struct DeviceFileTransport {
    config: DeviceConfig,
    /// `Some(false)` once the device failed to answer a status request: it is one-way.
    answers_status: Option<bool>,
}

/// How often a non-blocking device is polled while waiting.
const POLL: Duration = Duration::from_millis(5);

impl DeviceFileTransport {
    pub fn new(config: DeviceConfig) -> DeviceFileTransport {
        DeviceFileTransport { config, answers_status: None }
    }

    fn open(&self) -> Result<File, PrintError> {
        let mut options = OpenOptions::new();
        options.read(true).append(true);
        nonblocking(&mut options);
        options.open(&self.config.path).map_err(|e| self.open_error(e))
    }

    fn open_error(&self, error: io::Error) -> PrintError {
        let path = self.config.path.display();
        match error.kind() {
            io::ErrorKind::NotFound => {
                PrintError::offline(format!("{path} is not there (printer unplugged or off)"))
            }
            io::ErrorKind::ResourceBusy => {
                PrintError::offline(format!("{path} is in use by another program"))
            }
            _ => PrintError::io(format!("opening {path}"), error),
        }
    }

    /// Status through the device, or `None` when it does not answer (a one-way link).
    fn try_status(&mut self, file: &mut File) -> Result<Option<PrinterStatus>, PrintError> {
        if self.answers_status == Some(false) {
            return Ok(None);
        }
        let request: Vec<u8> = STATUS_QUERY.iter().flat_map(|&kind| status_request(kind)).collect();
        write_patiently(file, &request, self.config.write_timeout)
            .map_err(|e| PrintError::from_link("sending a status request", e))?;
        let mut reply = [0u8; 3];
        if !read_patiently(file, &mut reply, self.config.status_timeout)
            .map_err(|e| PrintError::from_link("reading the status reply", e))?
        {
            tracing::debug!(path = %self.config.path.display(), "device does not answer status");
            self.answers_status = Some(false);
            return Ok(None);
        }
        self.answers_status = Some(true);
        PrinterStatus::from_replies(reply[0], reply[1], reply[2]).map(Some)
    }
}

impl Transport for DeviceFileTransport {
    #[tracing::instrument(skip_all, fields(job = %job.id, bytes = job.bytes.len()))]
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        let mut file = self.open()?;
        if self.config.check_status
            && let Some(status) = self.try_status(&mut file)?
        {
            status.ready()?;
        }
        write_patiently(&mut file, &job.bytes, self.config.write_timeout)
            .map_err(|e| PrintError::from_link("sending the job", e))?;
        tracing::info!("job printed");
        Ok(())
    }

    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        let mut file = self.open()?;
        write_patiently(&mut file, bytes, self.config.write_timeout)
            .map_err(|e| PrintError::from_link("sending a real-time command", e))
    }

    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        let mut file = self.open()?;
        self.answers_status = None;
        match self.try_status(&mut file)? {
            Some(status) => Ok(status),
            None => Err(PrintError::io(
                format!("reading status from {}", self.config.path.display()),
                io::Error::new(io::ErrorKind::Unsupported, "the device does not answer DLE EOT"),
            )),
        }
    }
}

#[cfg(unix)]
fn nonblocking(options: &mut OpenOptions) {
    use std::os::unix::fs::OpenOptionsExt;
    // A read on usblp blocks until the printer sends something; non-blocking lets a one-way
    // printer be detected by a timeout instead of hanging the printer thread.
    options.custom_flags(libc::O_NONBLOCK);
}

#[cfg(not(unix))]
fn nonblocking(_options: &mut OpenOptions) {}

/// Writes everything, waiting while the device's buffer is full; fails after `stall` with no
/// progress.
fn write_patiently(file: &mut File, bytes: &[u8], stall: Duration) -> io::Result<()> {
    let mut rest = bytes;
    let mut deadline = Instant::now() + stall;
    while !rest.is_empty() {
        match file.write(rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                rest = &rest[n..];
                deadline = Instant::now() + stall;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_until(deadline)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Fills `buf` within `timeout`; `Ok(false)` when the device stays silent.
fn read_patiently(file: &mut File, buf: &mut [u8], timeout: Duration) -> io::Result<bool> {
    let deadline = Instant::now() + timeout;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(n) if n > 0 => filled += n,
            // No data yet reads as 0 bytes on some drivers and as WouldBlock on others.
            Ok(_) => {
                if wait_until(deadline).is_err() {
                    return Ok(false);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if wait_until(deadline).is_err() {
                    return Ok(false);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

fn wait_until(deadline: Instant) -> io::Result<()> {
    if Instant::now() >= deadline {
        return Err(io::ErrorKind::TimedOut.into());
    }
    thread::sleep(POLL);
    Ok(())
}
