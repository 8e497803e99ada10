//! A serial receipt printer (RS-232, or a USB-serial adapter): one port held open, jobs and
//! status on it, Automatic Status Back read between jobs.
//!
//! Flow control (RTS/CTS or XON/XOFF) is set on the port from the settings and done by the
//! kernel's driver; it cannot be exercised on the pseudo-terminals the tests use, which have
//! no modem lines (docs/devices/printers.md has the check on a real printer).

use std::collections::VecDeque;
use std::io::Write;
use std::time::Duration;

use comptoir_device::serial::SerialSettings;
use serialport::SerialPort;

use super::{Job, StatusLink, Transport};
use crate::error::PrintError;
use crate::status::{ASB_ALL, PrinterStatus, auto_status_back};

/// The port and how the printer on it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialConfig {
    /// `/dev/ttyUSB0@19200,8N1,rtscts`: most receipt printers want hardware flow control.
    pub settings: SerialSettings,
    /// How long a status reply may take, and a poll waits for status back.
    pub read_timeout: Duration,
    /// Ask `DLE EOT 1, 2, 4` before and after each job.
    pub check_status: bool,
    /// Turn Automatic Status Back on (`GS a`) when the port opens.
    pub auto_status: bool,
}

impl SerialConfig {
    /// Defaults: status checked, status back on, 1 s for a reply.
    pub fn new(settings: SerialSettings) -> SerialConfig {
        SerialConfig {
            settings,
            read_timeout: Duration::from_secs(1),
            check_status: true,
            auto_status: true,
        }
    }
}

/// How many recently printed job ids are remembered to refuse a duplicate.
const REMEMBERED_JOBS: usize = 256;

/// A printer on a serial port, opened at first use and again after a failure (an adapter
/// unplugged and plugged back in), so the register needs no restart.
pub struct SerialTransport {
    config: SerialConfig,
    port: Option<Box<dyn SerialPort>>,
    link: StatusLink,
    printed: VecDeque<String>,
}

impl std::fmt::Debug for SerialTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialTransport")
            .field("port", &self.config.settings.to_string())
            .field("open", &self.port.is_some())
            .finish()
    }
}

impl SerialTransport {
    pub fn new(config: SerialConfig) -> SerialTransport {
        SerialTransport {
            config,
            port: None,
            link: StatusLink::default(),
            printed: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &SerialConfig {
        &self.config
    }

    /// The open port, opening it (and turning status back on) when it is not.
    fn port(&mut self) -> Result<&mut Box<dyn SerialPort>, PrintError> {
        if self.port.is_none() {
            let port = self
                .config
                .settings
                .open("the receipt printer", self.config.read_timeout)
                .map_err(|e| PrintError::offline(e.to_string()))?;
            self.port = Some(port);
            self.link = StatusLink::default();
            if self.config.auto_status {
                let asb = auto_status_back(ASB_ALL);
                self.with_port(
                    |port| port.write_all(&asb).and_then(|()| port.flush()),
                    "turning status back on",
                )?;
            }
        }
        self.port.as_mut().ok_or_else(|| PrintError::offline("the serial port is closed"))
    }

    /// Runs an I/O step on the port; a failure closes it, so the next use opens it again.
    fn with_port<T>(
        &mut self,
        step: impl FnOnce(&mut Box<dyn SerialPort>) -> std::io::Result<T>,
        what: &str,
    ) -> Result<T, PrintError> {
        let Some(port) = self.port.as_mut() else {
            return Err(PrintError::offline("the serial port is closed"));
        };
        step(port).map_err(|e| {
            self.port = None;
            PrintError::from_link(what, e)
        })
    }

    fn query(&mut self) -> Result<PrinterStatus, PrintError> {
        self.port()?;
        let Some(port) = self.port.as_mut() else {
            return Err(PrintError::offline("the serial port is closed"));
        };
        let status = self.link.query(port);
        if matches!(status, Err(PrintError::Offline { .. })) {
            self.port = None;
        }
        status
    }

    fn remember(&mut self, id: &str) {
        if self.printed.len() == REMEMBERED_JOBS {
            self.printed.pop_front();
        }
        self.printed.push_back(id.to_owned());
    }
}

impl Transport for SerialTransport {
    #[tracing::instrument(skip_all, fields(job = %job.id, bytes = job.bytes.len()))]
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        if self.printed.contains(&job.id) {
            return Err(PrintError::DuplicateJob { id: job.id.clone() });
        }
        if self.config.check_status {
            self.query()?.ready()?;
        }
        self.port()?;
        self.with_port(
            |port| port.write_all(&job.bytes).and_then(|()| port.flush()),
            "sending the job",
        )?;
        if self.config.check_status {
            self.query()?.ready()?;
        }
        self.remember(&job.id);
        tracing::info!("job printed");
        Ok(())
    }

    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        self.query()
    }

    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        self.port()?;
        self.with_port(
            |port| port.write_all(bytes).and_then(|()| port.flush()),
            "sending a real-time command",
        )
    }

    fn poll_status(&mut self) -> Result<Option<PrinterStatus>, PrintError> {
        if !self.config.auto_status {
            return Ok(None);
        }
        self.port()?;
        let Some(port) = self.port.as_mut() else {
            return Ok(None);
        };
        // A short wait: this runs between jobs on the printer's thread.
        let _ = port.set_timeout(Duration::from_millis(20));
        let drained = self.link.drain(port);
        let _ = port.set_timeout(self.config.read_timeout);
        if drained.is_err() {
            self.port = None;
        }
        drained
    }

    fn reports_changes(&self) -> bool {
        self.config.auto_status
    }
}
