//! Printing to a device file such as `/dev/usb/lp0`, reading status back through the same file
//! when the printer's USB link is two-way, and Automatic Status Back between jobs when asked.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use super::{Job, StatusLink, Transport};
use crate::error::PrintError;
use crate::status::{ASB_ALL, PrinterStatus, auto_status_back};

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
    /// Hold the device open between jobs with Automatic Status Back on (`GS a`), so a
    /// change is reported as it happens. The kernel's usblp lets one program open the
    /// device at a time, so the jobs then go through the same open file.
    pub auto_status: bool,
}

impl DeviceConfig {
    /// Defaults: status tried with a 1 s wait, 10 s write stall allowed.
    pub fn new(path: impl Into<PathBuf>) -> DeviceConfig {
        DeviceConfig {
            path: path.into(),
            check_status: true,
            status_timeout: Duration::from_secs(1),
            write_timeout: Duration::from_secs(10),
            auto_status: false,
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
    /// The device held open for status back, when [`DeviceConfig::auto_status`] is on.
    held: Option<File>,
    link: StatusLink,
}

/// How often a non-blocking device is polled while waiting.
const POLL: Duration = Duration::from_millis(5);

impl DeviceFileTransport {
    pub fn new(config: DeviceConfig) -> DeviceFileTransport {
        DeviceFileTransport {
            config,
            answers_status: None,
            held: None,
            link: StatusLink::default(),
        }
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

    /// The device: the one held open for status back, or a fresh open.
    fn take_file(&mut self) -> Result<File, PrintError> {
        if let Some(file) = self.held.take() {
            return Ok(file);
        }
        let mut file = self.open()?;
        if self.config.auto_status {
            self.link = StatusLink::default();
            write_patiently(&mut file, &auto_status_back(ASB_ALL), self.config.write_timeout)
                .map_err(|e| PrintError::from_link("turning status back on", e))?;
        }
        Ok(file)
    }

    /// Keeps the device open after a success when status back is on; closes it otherwise
    /// (a failure, or per-job opening), so a replugged printer is opened again.
    fn put_back<T>(&mut self, file: File, result: Result<T, PrintError>) -> Result<T, PrintError> {
        let link_failed = matches!(result, Err(PrintError::Offline { .. } | PrintError::Io { .. }));
        if self.config.auto_status && !link_failed {
            self.held = Some(file);
        }
        result
    }

    /// Status through the device, or `None` when it does not answer (a one-way link).
    fn try_status(&mut self, file: &mut File) -> Result<Option<PrinterStatus>, PrintError> {
        if self.answers_status == Some(false) {
            return Ok(None);
        }
        let mut patient = Patient::new(file, self.config.status_timeout, self.config.write_timeout);
        let result = self.link.query(&mut patient);
        match result {
            Ok(status) => {
                self.answers_status = Some(true);
                Ok(Some(status))
            }
            Err(_) if patient.silent => {
                tracing::debug!(path = %self.config.path.display(), "device does not answer status");
                self.answers_status = Some(false);
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }
}

/// A non-blocking device file read and written with patience: a read waits up to `read` for
/// a first byte, a write up to `write` without progress.
struct Patient<'f> {
    file: &'f mut File,
    read: Duration,
    write: Duration,
    /// A read found nothing within its wait.
    silent: bool,
}

impl<'f> Patient<'f> {
    fn new(file: &'f mut File, read: Duration, write: Duration) -> Patient<'f> {
        Patient { file, read, write, silent: false }
    }

    fn wait(&mut self, deadline: Instant) -> io::Result<()> {
        wait_until(deadline).inspect_err(|_| self.silent = true)
    }
}

impl Read for Patient<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let deadline = Instant::now() + self.read;
        loop {
            match self.file.read(buf) {
                Ok(n) if n > 0 => return Ok(n),
                // No data yet reads as 0 bytes on some drivers and as WouldBlock on others.
                Ok(_) => self.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.wait(deadline)?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Write for Patient<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        write_patiently(self.file, buf, self.write).map(|()| buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Transport for DeviceFileTransport {
    #[tracing::instrument(skip_all, fields(job = %job.id, bytes = job.bytes.len()))]
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        let mut file = self.take_file()?;
        let result = self.send(&mut file, job);
        self.put_back(file, result)?;
        tracing::info!("job printed");
        Ok(())
    }

    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        let mut file = self.take_file()?;
        let result = write_patiently(&mut file, bytes, self.config.write_timeout)
            .map_err(|e| PrintError::from_link("sending a real-time command", e));
        self.put_back(file, result)
    }

    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        let mut file = self.take_file()?;
        self.answers_status = None;
        let result = match self.try_status(&mut file) {
            Ok(Some(status)) => Ok(status),
            Ok(None) => Err(PrintError::io(
                format!("reading status from {}", self.config.path.display()),
                io::Error::new(io::ErrorKind::Unsupported, "the device does not answer DLE EOT"),
            )),
            Err(error) => Err(error),
        };
        self.put_back(file, result)
    }

    fn poll_status(&mut self) -> Result<Option<PrinterStatus>, PrintError> {
        if !self.config.auto_status {
            return Ok(None);
        }
        let mut file = self.take_file()?;
        let mut patient = Patient::new(&mut file, POLL, self.config.write_timeout);
        let result = self.link.drain(&mut patient);
        self.put_back(file, result)
    }

    fn reports_changes(&self) -> bool {
        self.config.auto_status
    }
}

impl DeviceFileTransport {
    fn send(&mut self, file: &mut File, job: &Job) -> Result<(), PrintError> {
        if self.config.check_status
            && let Some(status) = self.try_status(file)?
        {
            status.ready()?;
        }
        write_patiently(file, &job.bytes, self.config.write_timeout)
            .map_err(|e| PrintError::from_link("sending the job", e))
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

fn wait_until(deadline: Instant) -> io::Result<()> {
    if Instant::now() >= deadline {
        return Err(io::ErrorKind::TimedOut.into());
    }
    thread::sleep(POLL);
    Ok(())
}
