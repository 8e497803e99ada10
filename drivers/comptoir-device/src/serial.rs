//! Serial ports: the settings a device needs (`/dev/ttyUSB0@9600,8N1,rtscts`), opening one
//! with errors the cashier can act on, and the list of ports with their USB names for the
//! setup screen.

use std::fmt;
use std::io;
use std::time::Duration;

use serialport::{DataBits, FlowControl, Parity, SerialPort, SerialPortType, StopBits};

use crate::error::{DeviceError, ErrorCode};

/// How a serial device is wired: its port, speed, framing and flow control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialSettings {
    pub path: String,
    pub baud: u32,
    pub data_bits: u8,
    pub parity: SerialParity,
    pub stop_bits: u8,
    pub flow: Flow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SerialParity {
    None,
    Odd,
    Even,
}

/// Flow control: `rtscts` (hardware, what most receipt printers want), `xonxoff` (software).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    None,
    Software,
    Hardware,
}

impl SerialSettings {
    /// A port at 9600 8N1 with no flow control, the common default of scanners and scales.
    pub fn new(path: impl Into<String>) -> SerialSettings {
        SerialSettings {
            path: path.into(),
            baud: 9600,
            data_bits: 8,
            parity: SerialParity::None,
            stop_bits: 1,
            flow: Flow::None,
        }
    }

    /// Reads `PATH[@BAUD][,FRAMING][,FLOW]`: `/dev/ttyUSB0`, `/dev/ttyS0@19200,7E1,xonxoff`.
    /// Framing is data bits (7 or 8), parity (N, E, O) and stop bits (1 or 2); flow is
    /// `none`, `rtscts` or `xonxoff`.
    pub fn parse(text: &str) -> Result<SerialSettings, String> {
        let text = text.trim();
        let mut parts = text.split(',');
        let head = parts.next().unwrap_or_default();
        let (path, baud) = match head.split_once('@') {
            Some((path, baud)) => (path, Some(baud)),
            None => (head, None),
        };
        if !path.starts_with("/dev/") || path.contains("..") || path.len() < 6 {
            return Err(format!("{text:?}: a serial port is a /dev path, like /dev/ttyUSB0@9600"));
        }
        let mut settings = SerialSettings::new(path);
        if let Some(baud) = baud {
            settings.baud = baud
                .parse()
                .ok()
                .filter(|b| (50..=4_000_000).contains(b))
                .ok_or_else(|| format!("{baud:?} is no baud rate (1200, 9600, 115200 ...)"))?;
        }
        for part in parts {
            match part.trim().to_ascii_lowercase().as_str() {
                "none" => settings.flow = Flow::None,
                "rtscts" | "hardware" => settings.flow = Flow::Hardware,
                "xonxoff" | "software" => settings.flow = Flow::Software,
                framing => settings.set_framing(framing)?,
            }
        }
        Ok(settings)
    }

    fn set_framing(&mut self, framing: &str) -> Result<(), String> {
        let refused = || {
            format!(
                "{framing:?}: framing is data bits, parity and stop bits, like 8N1 or 7E1; flow is none, rtscts or xonxoff"
            )
        };
        let bytes = framing.as_bytes();
        let [data, parity, stop] = bytes else { return Err(refused()) };
        self.data_bits = match data {
            b'7' => 7,
            b'8' => 8,
            _ => return Err(refused()),
        };
        self.parity = match parity {
            b'n' => SerialParity::None,
            b'e' => SerialParity::Even,
            b'o' => SerialParity::Odd,
            _ => return Err(refused()),
        };
        self.stop_bits = match stop {
            b'1' => 1,
            b'2' => 2,
            _ => return Err(refused()),
        };
        Ok(())
    }

    /// Opens the port for exclusive use, with `timeout` on every read.
    pub fn open(&self, what: &str, timeout: Duration) -> Result<Box<dyn SerialPort>, DeviceError> {
        serialport::new(&self.path, self.baud)
            .data_bits(if self.data_bits == 7 { DataBits::Seven } else { DataBits::Eight })
            .parity(match self.parity {
                SerialParity::None => Parity::None,
                SerialParity::Odd => Parity::Odd,
                SerialParity::Even => Parity::Even,
            })
            .stop_bits(if self.stop_bits == 2 { StopBits::Two } else { StopBits::One })
            .flow_control(match self.flow {
                Flow::None => FlowControl::None,
                Flow::Software => FlowControl::Software,
                Flow::Hardware => FlowControl::Hardware,
            })
            .timeout(timeout)
            .open()
            .map_err(|e| serial_error(what, &self.path, e))
    }
}

impl fmt::Display for SerialSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parity = match self.parity {
            SerialParity::None => 'N',
            SerialParity::Odd => 'O',
            SerialParity::Even => 'E',
        };
        write!(f, "{}@{},{}{}{}", self.path, self.baud, self.data_bits, parity, self.stop_bits)?;
        match self.flow {
            Flow::None => Ok(()),
            Flow::Software => write!(f, ",xonxoff"),
            Flow::Hardware => write!(f, ",rtscts"),
        }
    }
}

/// Maps a serialport error to what it means at the till.
pub fn serial_error(what: &str, path: &str, error: serialport::Error) -> DeviceError {
    use serialport::ErrorKind as K;
    match error.kind {
        K::NoDevice => DeviceError::new(
            ErrorCode::NoHardware,
            format!("{what} is not connected at {path}: check its cable and its setting"),
        )
        .with_detail(&error),
        K::InvalidInput => DeviceError::new(
            ErrorCode::Illegal,
            format!("{what}: the port {path} refuses these settings (speed, framing)"),
        )
        .with_detail(&error),
        K::Io(kind) => {
            let io_error = io::Error::new(kind, error.description.clone());
            DeviceError::from_io(&format!("{what} at {path}"), &io_error)
        }
        K::Unknown => DeviceError::new(ErrorCode::Failure, format!("{what} at {path} failed"))
            .with_detail(&error),
    }
}

/// A serial port as the setup screen lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PortInfo {
    pub path: String,
    /// `usb`, `pci`, `bluetooth` or `unknown`.
    pub bus: &'static str,
    /// USB vendor and product ids, as four hex digits each.
    pub vendor_id: Option<String>,
    pub product_id: Option<String>,
    pub serial_number: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
}

/// Lists the serial ports of this machine, USB adapters with their names.
pub fn list_ports() -> Result<Vec<PortInfo>, DeviceError> {
    let ports = serialport::available_ports()
        .map_err(|e| serial_error("listing serial ports", "/dev", e))?;
    Ok(ports
        .into_iter()
        .map(|port| {
            let mut info = PortInfo {
                path: port.port_name,
                bus: "unknown",
                vendor_id: None,
                product_id: None,
                serial_number: None,
                manufacturer: None,
                product: None,
            };
            match port.port_type {
                SerialPortType::UsbPort(usb) => {
                    info.bus = "usb";
                    info.vendor_id = Some(format!("{:04x}", usb.vid));
                    info.product_id = Some(format!("{:04x}", usb.pid));
                    info.serial_number = usb.serial_number;
                    info.manufacturer = usb.manufacturer;
                    info.product = usb.product;
                }
                SerialPortType::PciPort => info.bus = "pci",
                SerialPortType::BluetoothPort => info.bus = "bluetooth",
                SerialPortType::Unknown => {}
            }
            info
        })
        .collect())
}

/// A connected pair of pseudo-terminals, for simulators and tests: what one end writes, the
/// other reads, as over a null-modem cable. The second end's path is what a device setting
/// names.
#[cfg(unix)]
pub fn pty_pair() -> Result<(serialport::TTYPort, serialport::TTYPort), DeviceError> {
    serialport::TTYPort::pair().map_err(|e| serial_error("a pseudo-terminal pair", "/dev/ptmx", e))
}
