//! The serial scanner driver (a scanner in RS-232 or USB CDC-ACM mode): reads its lines, reads
//! each as a scan and reports it as a data event; junk, half lines and overlong lines become
//! error events, and an unplugged scanner is opened again when it comes back.

use std::convert::Infallible;
use std::io::{self, Read};
use std::time::{Duration, Instant};

use comptoir_device::serial::SerialSettings;
use comptoir_device::{DeviceError, DeviceKind, Driver, ErrorCode, Events, Health};
use serialport::{ClearBuffer, SerialPort};

use crate::frame::{Frame, LineReader, Suffix};
use crate::interpret::{Interpreter, MAX_SCAN, Scan};
use crate::rcn::InStoreRules;

/// How often the port is read while the scanner is claimed.
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How often a lost scanner is looked for again.
pub const REOPEN_INTERVAL: Duration = Duration::from_secs(1);
/// A line with no ending for this long is half a scan, and dropped.
pub const HALF_LINE_TIMEOUT: Duration = Duration::from_millis(500);
/// Read timeout on the port: a poll returns soon after the bytes stop.
const READ_TIMEOUT: Duration = Duration::from_millis(5);
/// At most this much is read per poll, so a babbling port cannot hold the device's thread.
const READ_BUDGET: usize = 4096;

const WHAT: &str = "the scanner";

/// A scanner's setting: `/dev/ttyACM0@9600,8N1,suffix=cr,country=DE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerConfig {
    pub serial: SerialSettings,
    pub suffix: Suffix,
    /// The longest line kept; longer ones are dropped.
    pub max_line: usize,
    /// Whose in-store label layouts apply (ISO 3166 alpha-2), if any.
    pub country: Option<String>,
}

impl ScannerConfig {
    pub fn new(serial: SerialSettings) -> ScannerConfig {
        ScannerConfig { serial, suffix: Suffix::Any, max_line: MAX_SCAN, country: None }
    }

    /// Reads the serial port setting (`SerialSettings::parse`) with the scanner's own options
    /// among its comma-separated parts: `suffix=cr|lf|crlf|any`, `max=N` (bytes, 8 to 4096),
    /// `country=XX`.
    pub fn parse(text: &str) -> Result<ScannerConfig, String> {
        let mut port = Vec::new();
        let (mut suffix, mut max_line, mut country) = (Suffix::Any, MAX_SCAN, None);
        for part in text.trim().split(',') {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match key.trim().to_ascii_lowercase().as_str() {
                "suffix" => suffix = value.parse()?,
                "max" => {
                    max_line =
                        value.trim().parse().ok().filter(|n| (8..=4096).contains(n)).ok_or_else(
                            || format!("{value:?}: max is a line length from 8 to 4096"),
                        )?;
                }
                "country" if value.trim().len() == 2 => {
                    country = Some(value.trim().to_ascii_uppercase())
                }
                "country" => {
                    return Err(format!("{value:?}: country is a two-letter code like DE"));
                }
                _ => port.push(part),
            }
        }
        let serial = SerialSettings::parse(&port.join(","))?;
        Ok(ScannerConfig { serial, suffix, max_line, country })
    }
}

/// What the register can ask a scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScannerRequest {
    /// Drops a partial line and whatever waits in the port.
    ClearInput,
}

/// A scanner on a serial port.
pub struct SerialScanner {
    config: ScannerConfig,
    interpreter: Interpreter,
    port: Option<Box<dyn SerialPort>>,
    reader: LineReader,
    last_byte: Option<Instant>,
    /// The port failed while claimed: it is looked for again every [`REOPEN_INTERVAL`].
    lost: bool,
}

impl std::fmt::Debug for SerialScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SerialScanner")
            .field("config", &self.config)
            .field("lost", &self.lost)
            .finish()
    }
}

impl SerialScanner {
    /// A scanner with the in-store rules of its configured country from `rules`.
    pub fn new(config: ScannerConfig, rules: &InStoreRules) -> SerialScanner {
        let country = config.country.as_deref().and_then(|c| rules.country(c)).cloned();
        if let Some(code) = &config.country
            && country.is_none()
        {
            tracing::warn!(country = %code, "no in-store label rules for this country: labels read as plain GTINs");
        }
        SerialScanner {
            interpreter: Interpreter::new(country),
            reader: LineReader::new(config.suffix, config.max_line),
            config,
            port: None,
            last_byte: None,
            lost: false,
        }
    }

    fn open(&self) -> Result<Box<dyn SerialPort>, DeviceError> {
        self.config.serial.open(WHAT, READ_TIMEOUT)
    }

    /// Reads what the port has, up to the budget, and reports the lines it completes.
    fn read_port(&mut self, events: &Events<Self>) -> Result<(), DeviceError> {
        let Some(port) = self.port.as_mut() else { return Ok(()) };
        let mut buf = [0u8; 512];
        let mut total = 0;
        let mut frames = Vec::new();
        while total < READ_BUDGET {
            match port.read(&mut buf) {
                Ok(0) => return Err(self.lose(&io::Error::from(io::ErrorKind::UnexpectedEof))),
                Ok(n) => {
                    total += n;
                    frames.extend(self.reader.push(&buf[..n]));
                    self.last_byte = Some(Instant::now());
                }
                Err(e)
                    if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) =>
                {
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.lose(&e)),
            }
        }
        for frame in frames {
            self.report(frame, events);
        }
        Ok(())
    }

    fn report(&self, frame: Frame, events: &Events<Self>) {
        let line = match frame {
            Frame::Line(line) => line,
            Frame::TooLong(n) => {
                tracing::warn!(bytes = n, "scanner line too long: dropped");
                events.error(scan_error(
                    "scan_too_long",
                    "the scanner sent unreadable data: scan again; if it repeats, ask IT to check the scanner's settings",
                    format!("a line of {n} bytes, more than {}", self.config.max_line),
                ));
                return;
            }
        };
        match self.interpreter.interpret(&line) {
            Ok(scan) => {
                tracing::debug!(aim = ?scan.aim.map(|a| a.to_string()), "scan read");
                events.data(scan);
            }
            Err(error) => {
                tracing::info!(code = error.code(), %error, "scan refused");
                events.error(scan_error(error.code(), error.message(), &error));
            }
        }
    }

    /// Drops a line that stopped without its ending.
    fn expire_half_line(&mut self, events: &Events<Self>) {
        let stale = self.last_byte.is_some_and(|at| at.elapsed() >= HALF_LINE_TIMEOUT);
        if stale && self.reader.has_partial() {
            let n = self.reader.clear();
            tracing::warn!(bytes = n, "half a scan: dropped");
            events.error(scan_error(
                "scan_incomplete",
                format!(
                    "the scanner sent half a code: scan again; if it repeats, ask IT to set the scanner's suffix to {}",
                    self.config.suffix.to_string().to_uppercase()
                ),
                format!("{n} bytes with no line ending"),
            ));
        }
    }

    /// The port failed: forget it and look for it again later.
    fn lose(&mut self, error: &io::Error) -> DeviceError {
        self.port = None;
        self.lost = true;
        self.reader.clear();
        tracing::warn!(port = %self.config.serial.path, %error, "scanner lost");
        DeviceError::from_io(&format!("{WHAT} at {}", self.config.serial.path), error)
    }
}

fn scan_error(
    code: &'static str,
    message: impl Into<String>,
    detail: impl std::fmt::Display,
) -> DeviceError {
    DeviceError::extended(ErrorCode::Extended, code, message).with_detail(detail)
}

impl Driver for SerialScanner {
    type Request = ScannerRequest;
    type Reply = ();
    type Data = Scan;
    type Status = Infallible;

    fn kind(&self) -> DeviceKind {
        DeviceKind::Scanner
    }

    fn describe(&self) -> String {
        format!("scanner on {}", self.config.serial)
    }

    fn claim(&mut self) -> Result<(), DeviceError> {
        self.port = Some(self.open()?);
        self.lost = false;
        Ok(())
    }

    fn release(&mut self) {
        self.port = None;
        self.lost = false;
        self.reader.clear();
    }

    fn enable(&mut self, _events: &Events<Self>) -> Result<(), DeviceError> {
        // What was scanned before the register listened is not rung now.
        self.reader.clear();
        if let Some(port) = self.port.as_mut() {
            let _ = port.clear(ClearBuffer::Input);
        }
        Ok(())
    }

    fn request(
        &mut self,
        request: ScannerRequest,
        _events: &Events<Self>,
    ) -> Result<(), DeviceError> {
        match request {
            ScannerRequest::ClearInput => {
                self.reader.clear();
                if let Some(port) = self.port.as_mut() {
                    let _ = port.clear(ClearBuffer::Input);
                }
                Ok(())
            }
        }
    }

    fn poll_interval(&self) -> Option<Duration> {
        Some(if self.lost { REOPEN_INTERVAL } else { POLL_INTERVAL })
    }

    fn poll(&mut self, events: &Events<Self>) -> Result<(), DeviceError> {
        if self.lost {
            self.port = Some(self.open()?);
            self.lost = false;
            tracing::info!(port = %self.config.serial.path, "scanner found again");
        }
        self.read_port(events)?;
        self.expire_half_line(events);
        Ok(())
    }

    fn health(&mut self) -> Result<Health, DeviceError> {
        if self.port.is_some() {
            return Ok(Health::ok(format!("{} is connected", self.describe())));
        }
        self.open()?;
        Ok(Health::ok(format!("{} answers", self.describe())))
    }
}
