//! The card terminal as a `comptoir_device` driver (kind `CardTerminal`): each request runs one
//! ZVT command on the device's thread; intermediate statuses come as status events, the
//! terminal's receipt lines as data events; the health check is a status enquiry.

use std::fmt;
use std::time::Duration;

use comptoir_device::serial::SerialSettings;
use comptoir_device::{DeviceError, DeviceKind, Driver, Events, Health};

use crate::client::{AbortHandle, Client, ClientConfig, Command, Intent, Progress, Recovery};
use crate::error::ZvtError;
use crate::outcome::{Outcome, Verdict};
use crate::transport::{Link, SerialLink, TcpLink};

/// The ZVT port over TCP.
pub const DEFAULT_PORT: u16 = 20007;

/// Where the terminal is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `host:port`.
    Tcp(String),
    Serial(SerialSettings),
}

impl Endpoint {
    /// Reads `tcp://10.0.0.7:20007`, `10.0.0.7` (port 20007), or a serial port setting
    /// (`/dev/ttyUSB0@9600,8N2`).
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let text = text.trim();
        if text.starts_with("/dev/") {
            let mut settings = SerialSettings::parse(text)?;
            // ZVT serial lines run 8N2 (ecrterm and Portalum.Zvt open them so) unless the
            // setting names its framing.
            let framed = text
                .split(',')
                .skip(1)
                .any(|part| part.trim().len() == 3 && part.trim().starts_with(['7', '8']));
            if !framed {
                settings.stop_bits = 2;
            }
            return Ok(Endpoint::Serial(settings));
        }
        let address = text.strip_prefix("tcp://").unwrap_or(text);
        if address.is_empty() || address.contains('/') {
            return Err(format!(
                "{text:?}: a card terminal is tcp://HOST[:PORT] or a serial port like /dev/ttyUSB0"
            ));
        }
        if address.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_ok()) {
            Ok(Endpoint::Tcp(address.to_owned()))
        } else {
            Ok(Endpoint::Tcp(format!("{address}:{DEFAULT_PORT}")))
        }
    }

    /// Opens a link to the terminal.
    pub fn open(&self, timeout: Duration) -> Result<Box<dyn Link>, ZvtError> {
        match self {
            Endpoint::Tcp(address) => TcpLink::connect(address, timeout)
                .map(|link| Box::new(link) as Box<dyn Link>)
                .map_err(|source| ZvtError::Connect { target: self.to_string(), source }),
            Endpoint::Serial(settings) => settings
                .open("the card terminal", Duration::from_millis(20))
                .map(|port| Box::new(SerialLink::new(port)) as Box<dyn Link>)
                .map_err(|error| ZvtError::Connect {
                    target: self.to_string(),
                    source: std::io::Error::other(error.to_string()),
                }),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Tcp(address) => write!(f, "tcp://{address}"),
            Endpoint::Serial(settings) => write!(f, "{settings}"),
        }
    }
}

/// What the register asks the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Register,
    /// Pay `amount` cents. `intent_id` names the payment intent the register stored before
    /// asking, for the log and for [`Request::Recover`].
    Pay {
        amount: u64,
        currency: Option<u16>,
        intent_id: String,
    },
    Refund {
        amount: u64,
        currency: Option<u16>,
    },
    Reverse {
        receipt_no: u16,
    },
    /// Aborts what the terminal does when it is idle between requests. A payment in progress
    /// is aborted through [`ZvtDriver::abort_handle`], since requests run one at a time.
    Abort,
    EndOfDay,
    Diagnosis,
    Status,
    RepeatReceipt,
    /// Finds out what became of a payment whose answer was lost.
    Recover(Intent),
    LogOff,
}

/// What a request returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Outcome(Outcome),
    Recovery(Recovery),
}

/// Input the terminal produces: its receipt, line by line, card numbers masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZvtData {
    ReceiptLine(String),
}

/// What the terminal is doing, for the cashier's screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZvtStatus {
    Display(String),
}

/// The ZVT card terminal driver.
pub struct ZvtDriver {
    endpoint: Endpoint,
    config: ClientConfig,
    link: Option<Box<dyn Link>>,
    abort: AbortHandle,
    connect_timeout: Duration,
}

impl ZvtDriver {
    pub fn new(endpoint: Endpoint, config: ClientConfig) -> ZvtDriver {
        ZvtDriver {
            endpoint,
            config,
            link: None,
            abort: AbortHandle::default(),
            connect_timeout: Duration::from_secs(3),
        }
    }

    /// Aborts the payment in progress from outside the device's thread. Take it before the
    /// driver moves into `Device::open`.
    pub fn abort_handle(&self) -> AbortHandle {
        self.abort.clone()
    }

    /// Whether a link stays open between requests: a serial line does, TCP connects anew.
    fn keeps_link(&self) -> bool {
        matches!(self.endpoint, Endpoint::Serial(_))
    }

    fn client(&mut self) -> Result<Client<Box<dyn Link>>, ZvtError> {
        let link = match self.link.take() {
            Some(link) => link,
            None => self.endpoint.open(self.connect_timeout)?,
        };
        Ok(Client::new(link, self.config.clone()).with_abort(self.abort.clone()))
    }

    fn run(&mut self, command: &Command, events: &Events<ZvtDriver>) -> Result<Outcome, ZvtError> {
        let mut client = self.client()?;
        let result = client.run(command, &mut |p| report(events, p));
        let healthy = match &result {
            Ok(outcome) => !matches!(outcome.verdict, Verdict::Unknown(_)),
            Err(ZvtError::Lost { .. }) => false,
            Err(_) => true,
        };
        // A link that lost an answer may hold its late bytes: the next request opens anew.
        // Over TCP every request connects anew: terminals close idle connections, and a
        // payment written into a connection the terminal already closed would end unknown.
        if healthy && self.keeps_link() {
            self.link = Some(client.into_link());
        }
        result
    }
}

fn report(events: &Events<ZvtDriver>, progress: Progress<'_>) {
    match progress {
        Progress::Display(text) => events.status(ZvtStatus::Display(text.to_owned())),
        Progress::PrintLine(text) => events.data(ZvtData::ReceiptLine(text.to_owned())),
    }
}

impl Driver for ZvtDriver {
    type Request = Request;
    type Reply = Reply;
    type Data = ZvtData;
    type Status = ZvtStatus;

    fn kind(&self) -> DeviceKind {
        DeviceKind::CardTerminal
    }

    fn describe(&self) -> String {
        format!("ZVT card terminal on {}", self.endpoint)
    }

    /// Opens the link, so a wrong setting shows at claim; over TCP each request then
    /// connects anew.
    fn claim(&mut self) -> Result<(), DeviceError> {
        if self.link.is_none() {
            let link = self.endpoint.open(self.connect_timeout).map_err(|e| e.to_device_error())?;
            if self.keeps_link() {
                self.link = Some(link);
            }
        }
        Ok(())
    }

    fn release(&mut self) {
        self.link = None;
    }

    fn request(
        &mut self,
        request: Request,
        events: &Events<ZvtDriver>,
    ) -> Result<Reply, DeviceError> {
        let command = match request {
            Request::Recover(intent) => {
                let mut client = self.client().map_err(|e| e.to_device_error())?;
                let recovery = client.recover(&intent, &mut |p| report(events, p));
                // The recovery's link may have timed out: it is opened anew next time.
                return Ok(Reply::Recovery(recovery));
            }
            Request::Register => Command::Register,
            Request::Pay { amount, currency, intent_id } => {
                tracing::info!(intent = %intent_id, amount, "card payment sent to the terminal");
                Command::Pay { amount, currency }
            }
            Request::Refund { amount, currency } => Command::Refund { amount, currency },
            Request::Reverse { receipt_no } => Command::Reverse { receipt_no },
            Request::Abort => Command::Abort,
            Request::EndOfDay => Command::EndOfDay,
            Request::Diagnosis => Command::Diagnosis,
            Request::Status => Command::StatusEnquiry,
            Request::RepeatReceipt => Command::RepeatReceipt,
            Request::LogOff => Command::LogOff,
        };
        self.run(&command, events).map(Reply::Outcome).map_err(|e| e.to_device_error())
    }

    fn health(&mut self) -> Result<Health, DeviceError> {
        let mut client = self.client().map_err(|e| e.to_device_error())?;
        let result = client.run(&Command::StatusEnquiry, &mut |_| {});
        match result {
            Ok(outcome) => {
                if self.keeps_link() {
                    self.link = Some(client.into_link());
                }
                let software = outcome.software.unwrap_or_else(|| "unknown".to_owned());
                Ok(Health::ok(format!("card terminal ready (software {software})")))
            }
            Err(error) => Err(error.to_device_error()),
        }
    }
}
