//! The scale as a device: an MT-SICS scale on a serial port, driven through the common device
//! model. Only [`ScaleRequest::ReadStable`] gives a weight an item may be sold by.

use std::io::{self, Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use comptoir_device::serial::SerialSettings;
use comptoir_device::{DeviceError, DeviceKind, Driver, ErrorCode, Events, Health};
use serialport::{ClearBuffer, SerialPort};

use crate::error::ScaleError;
use crate::sics::{Command, Lines, Reply, SicsError, Status, parse_reply};
use crate::weight::{Reading, SellableWeight, Stability, Weight};

/// What the register asks the scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleRequest {
    /// A weight to sell by: asks (`SI`) until the scale says stable, or fails with
    /// `scale_unstable` once `timeout` has passed.
    ReadStable {
        timeout: Duration,
    },
    /// The weight now, stable or not: for the screen, never for a price.
    ReadNow,
    /// Tares with the stable weight on the pan (the customer's container).
    Tare,
    /// Sets the empty pan as zero.
    Zero,
    ClearTare,
    /// The tare the scale holds.
    TareValue,
    /// The scale's serial number, for the setup screen.
    SerialNumber,
    /// Back to the power-on state: tare cleared, not zeroed.
    Reset,
}

/// What the scale answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScaleReply {
    Sellable(SellableWeight),
    Reading(Reading),
    Tared(Weight),
    Zeroed,
    TareCleared,
    Tare(Weight),
    SerialNumber(String),
}

/// Changes the scale reports outside a request's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleStatus {
    Overload,
    Underload,
}

/// How a scale is reached and how long it is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleConfig {
    pub port: SerialSettings,
    /// How long one answer may take: MT-SICS scales answer `SI` within a few hundred
    /// milliseconds.
    pub answer_timeout: Duration,
    /// The pause between two asks while the weight settles.
    pub settle_pause: Duration,
}

impl ScaleConfig {
    pub fn new(port: SerialSettings) -> ScaleConfig {
        ScaleConfig {
            port,
            answer_timeout: Duration::from_secs(2),
            settle_pause: Duration::from_millis(100),
        }
    }
}

/// How long one read of the port blocks, so deadlines are checked often.
const READ_SLICE: Duration = Duration::from_millis(50);

/// An MT-SICS scale on a serial port.
pub struct ScaleDriver {
    config: ScaleConfig,
    port: Option<Box<dyn SerialPort>>,
    lines: Lines,
    /// After an answer did not come in time, it may still come: until this moment, whatever
    /// arrives is that late answer and is thrown away before the next command.
    late_until: Option<Instant>,
}

impl ScaleDriver {
    pub fn new(config: ScaleConfig) -> ScaleDriver {
        ScaleDriver { config, port: None, lines: Lines::new(), late_until: None }
    }

    /// Asks with `SI` until the scale says stable. `S` would have the scale wait for
    /// stability itself, for as long as its own timeout (seconds on some models), so a
    /// settling weight would look like a scale that does not answer; `SI` answers at once,
    /// stable or not, and the register keeps the deadline.
    fn read_stable(&mut self, timeout: Duration) -> Result<Reading, DeviceError> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.ask(Command::Immediate, self.config.answer_timeout)? {
                Status::Weight { stability: Stability::Stable, weight } => {
                    return Ok(Reading { weight, stability: Stability::Stable });
                }
                Status::Weight { stability: Stability::Dynamic, .. } | Status::NotExecutable => {
                    if Instant::now() + self.config.settle_pause >= deadline {
                        return Err(ScaleError::Unstable.into());
                    }
                    thread::sleep(self.config.settle_pause);
                }
                other => return Err(weight_error(other).into()),
            }
        }
    }

    fn read_now(&mut self) -> Result<Reading, DeviceError> {
        match self.ask(Command::Immediate, self.config.answer_timeout)? {
            Status::Weight { stability, weight } => Ok(Reading { weight, stability }),
            other => Err(weight_error(other).into()),
        }
    }

    fn tare(&mut self) -> Result<Weight, DeviceError> {
        match self.ask(Command::Tare, self.config.answer_timeout)? {
            Status::Weight { stability: Stability::Stable, weight } => Ok(weight),
            Status::NotExecutable => Err(ScaleError::Busy.into()),
            Status::Overload | Status::Underload => Err(ScaleError::TareOutOfRange.into()),
            other => Err(unexpected(Command::Tare, &other).into()),
        }
    }

    fn zero(&mut self) -> Result<(), DeviceError> {
        match self.ask(Command::Zero, self.config.answer_timeout)? {
            Status::Done => Ok(()),
            Status::NotExecutable => Err(ScaleError::Busy.into()),
            Status::Overload | Status::Underload => Err(ScaleError::ZeroOutOfRange.into()),
            other => Err(unexpected(Command::Zero, &other).into()),
        }
    }

    fn done(&mut self, command: Command) -> Result<(), DeviceError> {
        match self.ask(command, self.config.answer_timeout)? {
            Status::Done => Ok(()),
            Status::NotExecutable => Err(ScaleError::Busy.into()),
            other => Err(unexpected(command, &other).into()),
        }
    }

    fn tare_value(&mut self) -> Result<Weight, DeviceError> {
        match self.ask(Command::TareValue, self.config.answer_timeout)? {
            Status::Value(weight) => Ok(weight),
            Status::NotExecutable => Err(ScaleError::Busy.into()),
            other => Err(unexpected(Command::TareValue, &other).into()),
        }
    }

    fn text(&mut self, command: Command) -> Result<String, DeviceError> {
        match self.ask(command, self.config.answer_timeout)? {
            Status::Text(text) => Ok(text),
            Status::NotExecutable => Err(ScaleError::Busy.into()),
            other => Err(unexpected(command, &other).into()),
        }
    }

    /// Sends one command and reads its answer; the scale's general errors become typed
    /// errors here, so callers only see the command's own statuses.
    fn ask(&mut self, command: Command, wait: Duration) -> Result<Status, DeviceError> {
        match self.exchange(command, wait)? {
            Reply::Answer { status: Status::Parameter, .. } => Err(ScaleError::Refused("L").into()),
            Reply::Answer { status, .. } => {
                tracing::trace!(command = command.name(), ?status, "scale answered");
                Ok(status)
            }
            Reply::SyntaxError => Err(ScaleError::Refused("ES").into()),
            Reply::LogicalError => Err(ScaleError::Refused("EL").into()),
            Reply::TransmissionError => Err(ScaleError::Transmission.into()),
        }
    }

    /// Sends a command and returns its answer (or a general error). Lines that answer
    /// another command are skipped: a scale sends `I4 A "..."` on its own after power-on.
    fn exchange(&mut self, command: Command, wait: Duration) -> Result<Reply, DeviceError> {
        let Some(port) = self.port.as_mut() else {
            return Err(DeviceError::new(ErrorCode::NotClaimed, "the scale is not claimed"));
        };
        let io_error = |e: io::Error| DeviceError::from_io("the scale", &e);
        // An answer that came too late for the last command must not answer this one: MT-SICS
        // answers carry no sequence number, so a late `S S` would read as the new weight.
        if let Some(until) = self.late_until.take() {
            discard_until(port.as_mut(), until).map_err(io_error)?;
        }
        let _ = port.clear(ClearBuffer::Input);
        self.lines.clear();
        port.write_all(&command.bytes()).map_err(io_error)?;
        port.flush().map_err(io_error)?;
        let deadline = Instant::now() + wait;
        let mut buffer = [0u8; 64];
        loop {
            match port.read(&mut buffer) {
                Ok(n) => {
                    for line in self.lines.push(&buffer[..n]) {
                        if let Some(reply) = answer_to(command, line)? {
                            return Ok(reply);
                        }
                    }
                }
                Err(e)
                    if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_error(e)),
            }
            if Instant::now() >= deadline {
                self.late_until = Some(Instant::now() + self.config.answer_timeout);
                return Err(DeviceError::timeout("the scale"));
            }
        }
    }

    fn report(&self, reading: &Reading, events: &Events<Self>) {
        events.data(*reading);
    }
}

/// Reads one line as the answer to `command`: `None` for an empty line or one that answers
/// another command.
fn answer_to(
    command: Command,
    line: Result<Vec<u8>, SicsError>,
) -> Result<Option<Reply>, ScaleError> {
    let line = line.map_err(ScaleError::Garbled)?;
    if line.is_empty() {
        return Ok(None);
    }
    match parse_reply(&line).map_err(ScaleError::Garbled)? {
        Reply::Answer { id, .. } if id != command.reply_id() => {
            tracing::debug!(%id, command = command.name(), "a line for another command skipped");
            Ok(None)
        }
        reply => Ok(Some(reply)),
    }
}

/// Reads and drops what the port delivers until `until`.
fn discard_until(port: &mut dyn SerialPort, until: Instant) -> io::Result<()> {
    let mut buffer = [0u8; 64];
    while Instant::now() < until {
        match port.read(&mut buffer) {
            Ok(n) => tracing::debug!(bytes = n, "late scale answer dropped"),
            Err(e) if matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn weight_error(status: Status) -> ScaleError {
    match status {
        Status::Overload => ScaleError::Overload,
        Status::Underload => ScaleError::Underload,
        Status::NotExecutable => ScaleError::Busy,
        other => unexpected(Command::Immediate, &other),
    }
}

fn unexpected(command: Command, status: &Status) -> ScaleError {
    ScaleError::Garbled(SicsError::Unknown(format!("{status:?} answering {}", command.name())))
}

impl Driver for ScaleDriver {
    type Request = ScaleRequest;
    type Reply = ScaleReply;
    type Data = Reading;
    type Status = ScaleStatus;

    fn kind(&self) -> DeviceKind {
        DeviceKind::Scale
    }

    fn describe(&self) -> String {
        format!("MT-SICS scale on {}", self.config.port)
    }

    fn claim(&mut self) -> Result<(), DeviceError> {
        let port = self.config.port.open("the scale", READ_SLICE)?;
        self.port = Some(port);
        self.lines.clear();
        tracing::info!(port = %self.config.port, "scale claimed");
        Ok(())
    }

    fn release(&mut self) {
        self.port = None;
        self.late_until = None;
    }

    fn request(
        &mut self,
        request: ScaleRequest,
        events: &Events<Self>,
    ) -> Result<ScaleReply, DeviceError> {
        let result = self.run(request, events);
        if let Err(error) = &result {
            match error.code() {
                "scale_overload" => events.status(ScaleStatus::Overload),
                "scale_underload" => events.status(ScaleStatus::Underload),
                _ => {}
            }
        }
        result
    }

    fn health(&mut self) -> Result<Health, DeviceError> {
        let serial = self.text(Command::SerialNumber)?;
        Ok(Health::ok(format!("the scale answers; serial number {serial}")))
    }
}

impl ScaleDriver {
    fn run(
        &mut self,
        request: ScaleRequest,
        events: &Events<Self>,
    ) -> Result<ScaleReply, DeviceError> {
        Ok(match request {
            ScaleRequest::ReadStable { timeout } => {
                let reading = self.read_stable(timeout)?;
                self.report(&reading, events);
                ScaleReply::Sellable(SellableWeight::from_reading(&reading)?)
            }
            ScaleRequest::ReadNow => {
                let reading = self.read_now()?;
                self.report(&reading, events);
                ScaleReply::Reading(reading)
            }
            ScaleRequest::Tare => ScaleReply::Tared(self.tare()?),
            ScaleRequest::Zero => {
                self.zero()?;
                ScaleReply::Zeroed
            }
            ScaleRequest::ClearTare => {
                self.done(Command::ClearTare)?;
                ScaleReply::TareCleared
            }
            ScaleRequest::TareValue => ScaleReply::Tare(self.tare_value()?),
            ScaleRequest::SerialNumber => {
                ScaleReply::SerialNumber(self.text(Command::SerialNumber)?)
            }
            ScaleRequest::Reset => ScaleReply::SerialNumber(self.text(Command::Reset)?),
        })
    }
}
