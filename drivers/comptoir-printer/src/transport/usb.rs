//! A USB receipt printer reached through libusb (rusb) by vendor and product id, and serial
//! number to tell two identical printers apart: the job goes out on the printer
//! interface's bulk OUT endpoint, status comes back on its bulk IN endpoint.
//!
//! Kept thin on purpose: it cannot be tested without hardware here. Every other layer
//! (status, status back, jobs once, the drawer) is the same code the simulator tests run;
//! docs/devices/printers.md has the manual checks on a real printer, replug included.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use rusb::{Context, DeviceHandle, Direction, TransferType, UsbContext};

use super::{Job, StatusLink, Transport};
use crate::error::PrintError;
use crate::status::{ASB_ALL, PrinterStatus, auto_status_back};

/// Which USB printer, and how patiently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbConfig {
    pub vendor_id: u16,
    pub product_id: u16,
    /// The iSerialNumber string, when two printers of one model hang on the same register.
    pub serial_number: Option<String>,
    /// Per transfer; a bulk write that stalls longer is a printer gone or jammed.
    pub timeout: Duration,
    /// Ask `DLE EOT 1, 2, 4` before and after each job.
    pub check_status: bool,
    /// Turn Automatic Status Back on when the printer is opened.
    pub auto_status: bool,
}

impl UsbConfig {
    pub fn new(vendor_id: u16, product_id: u16) -> UsbConfig {
        UsbConfig {
            vendor_id,
            product_id,
            serial_number: None,
            timeout: Duration::from_secs(5),
            check_status: true,
            auto_status: true,
        }
    }

    /// Reads `VID:PID` or `VID:PID:SERIAL`, ids as four hex digits (`04b8:0e15`, the way
    /// `lsusb` prints them).
    pub fn parse(text: &str) -> Result<UsbConfig, String> {
        let refused = || format!("{text:?}: a USB printer is VID:PID[:SERIAL], like 04b8:0e15");
        let mut parts = text.trim().splitn(3, ':');
        let mut id = || {
            parts
                .next()
                .filter(|p| p.len() == 4)
                .and_then(|p| u16::from_str_radix(p, 16).ok())
                .ok_or_else(refused)
        };
        let (vendor_id, product_id) = (id()?, id()?);
        let mut config = UsbConfig::new(vendor_id, product_id);
        if let Some(serial) = parts.next() {
            if serial.is_empty() || !serial.chars().all(|c| c.is_ascii_graphic()) {
                return Err(refused());
            }
            config.serial_number = Some(serial.to_owned());
        }
        Ok(config)
    }

    fn describe(&self) -> String {
        let serial =
            self.serial_number.as_deref().map(|s| format!(" serial {s}")).unwrap_or_default();
        format!("USB printer {:04x}:{:04x}{serial}", self.vendor_id, self.product_id)
    }
}

/// A USB device as the setup screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbPrinterInfo {
    pub vendor_id: u16,
    pub product_id: u16,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial_number: Option<String>,
    /// Has a printer-class (7) interface.
    pub printer_class: bool,
}

/// Lists the USB devices of this machine with their names (names need permission to open
/// the device; without it they are `None`).
pub fn list_usb_devices() -> Result<Vec<UsbPrinterInfo>, PrintError> {
    let context = Context::new().map_err(|e| usb_error("starting libusb", e))?;
    let devices = context.devices().map_err(|e| usb_error("listing USB devices", e))?;
    let mut found = Vec::new();
    for device in devices.iter() {
        let Ok(descriptor) = device.device_descriptor() else { continue };
        let printer_class = device.active_config_descriptor().is_ok_and(|config| {
            config
                .interfaces()
                .flat_map(|i| i.descriptors().collect::<Vec<_>>())
                .any(|alt| alt.class_code() == 7)
        });
        let handle = device.open().ok();
        let text =
            |read: fn(&DeviceHandle<Context>, &rusb::DeviceDescriptor) -> rusb::Result<String>| {
                handle.as_ref().and_then(|h| read(h, &descriptor).ok())
            };
        found.push(UsbPrinterInfo {
            vendor_id: descriptor.vendor_id(),
            product_id: descriptor.product_id(),
            manufacturer: text(DeviceHandle::read_manufacturer_string_ascii),
            product: text(DeviceHandle::read_product_string_ascii),
            serial_number: text(DeviceHandle::read_serial_number_string_ascii),
            printer_class,
        });
    }
    Ok(found)
}

/// The printer claimed: its handle and the endpoints of its printer interface.
struct UsbLink {
    handle: DeviceHandle<Context>,
    interface: u8,
    out: u8,
    input: Option<u8>,
    timeout: Duration,
    /// Bytes of the last IN packet not yet read: a packet may hold more than asked for.
    pending: VecDeque<u8>,
}

impl Drop for UsbLink {
    fn drop(&mut self) {
        let _ = self.handle.release_interface(self.interface);
    }
}

impl io::Write for UsbLink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handle.write_bulk(self.out, buf, self.timeout).map_err(io_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl io::Read for UsbLink {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(input) = self.input else {
            return Err(io::Error::new(io::ErrorKind::Unsupported, "no bulk IN endpoint"));
        };
        if self.pending.is_empty() {
            // A high-speed bulk packet is up to 512 bytes; a smaller buffer would overflow.
            let mut packet = [0u8; 512];
            let n = self.handle.read_bulk(input, &mut packet, self.timeout).map_err(io_error)?;
            self.pending.extend(&packet[..n]);
        }
        let n = buf.len().min(self.pending.len());
        for (slot, byte) in buf.iter_mut().zip(self.pending.drain(..n)) {
            *slot = byte;
        }
        Ok(n)
    }
}

fn io_error(error: rusb::Error) -> io::Error {
    let kind = match error {
        rusb::Error::Timeout => io::ErrorKind::TimedOut,
        rusb::Error::NoDevice | rusb::Error::NotFound => io::ErrorKind::NotConnected,
        rusb::Error::Pipe | rusb::Error::Io => io::ErrorKind::BrokenPipe,
        rusb::Error::Access => io::ErrorKind::PermissionDenied,
        rusb::Error::Busy => io::ErrorKind::ResourceBusy,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, error)
}

fn usb_error(context: &str, error: rusb::Error) -> PrintError {
    match error {
        rusb::Error::Access => PrintError::Fault {
            reason: format!("{context}: no permission to the USB printer (install the udev rule)"),
        },
        rusb::Error::Busy => {
            PrintError::offline(format!("{context}: the USB printer is used by another program"))
        }
        other => PrintError::from_link(context, io_error(other)),
    }
}

/// How many recently printed job ids are remembered to refuse a duplicate.
const REMEMBERED_JOBS: usize = 256;

/// A USB printer found by its ids at first use, and found again (the bus re-enumerated)
/// after any failed transfer, so unplugging and plugging it back in needs no restart.
pub struct UsbTransport {
    config: UsbConfig,
    link: Option<UsbLink>,
    status: StatusLink,
    printed: VecDeque<String>,
}

impl std::fmt::Debug for UsbTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsbTransport").field("printer", &self.config.describe()).finish()
    }
}

impl UsbTransport {
    pub fn new(config: UsbConfig) -> UsbTransport {
        UsbTransport { config, link: None, status: StatusLink::default(), printed: VecDeque::new() }
    }

    fn link(&mut self) -> Result<&mut UsbLink, PrintError> {
        if self.link.is_none() {
            let mut link = self.find()?;
            self.status = StatusLink::default();
            if self.config.auto_status && link.input.is_some() {
                io::Write::write_all(&mut link, &auto_status_back(ASB_ALL))
                    .map_err(|e| PrintError::from_link("turning status back on", e))?;
            }
            self.link = Some(link);
        }
        self.link.as_mut().ok_or_else(|| PrintError::offline("the USB printer is not open"))
    }

    /// Enumerates the bus for the printer and claims its printer interface.
    fn find(&self) -> Result<UsbLink, PrintError> {
        let what = self.config.describe();
        let context = Context::new().map_err(|e| usb_error("starting libusb", e))?;
        let devices = context.devices().map_err(|e| usb_error("listing USB devices", e))?;
        // A printer of the model that cannot be opened is reported only if no other one is
        // the printer sought (two of a model, the other one in use).
        let mut refused = None;
        for device in devices.iter() {
            let Ok(descriptor) = device.device_descriptor() else { continue };
            if (descriptor.vendor_id(), descriptor.product_id())
                != (self.config.vendor_id, self.config.product_id)
            {
                continue;
            }
            let handle = match device.open() {
                Ok(handle) => handle,
                Err(error) => {
                    refused = Some(usb_error(&what, error));
                    continue;
                }
            };
            if let Some(wanted) = &self.config.serial_number
                && handle.read_serial_number_string_ascii(&descriptor).ok().as_ref() != Some(wanted)
            {
                continue;
            }
            let config = device.active_config_descriptor().map_err(|e| usb_error(&what, e))?;
            for interface in config.interfaces() {
                for alt in interface.descriptors() {
                    let bulk = |direction| {
                        alt.endpoint_descriptors()
                            .find(|ep| {
                                ep.transfer_type() == TransferType::Bulk
                                    && ep.direction() == direction
                            })
                            .map(|ep| ep.address())
                    };
                    let Some(out) = bulk(Direction::Out) else { continue };
                    // The kernel's usblp holds the interface: libusb takes it over for as
                    // long as the register runs (not supported everywhere: best effort).
                    let _ = handle.set_auto_detach_kernel_driver(true);
                    let number = alt.interface_number();
                    handle.claim_interface(number).map_err(|e| usb_error(&what, e))?;
                    tracing::info!(printer = %what, interface = number, "USB printer claimed");
                    return Ok(UsbLink {
                        handle,
                        interface: number,
                        out,
                        input: bulk(Direction::In),
                        timeout: self.config.timeout,
                        pending: VecDeque::new(),
                    });
                }
            }
        }
        Err(refused.unwrap_or_else(|| {
            PrintError::offline(format!("{what} is not connected (or not switched on)"))
        }))
    }

    /// Runs a step on the link; a failure drops it, so the next use enumerates again.
    fn with_link<T>(
        &mut self,
        step: impl FnOnce(&mut UsbLink, &mut StatusLink) -> Result<T, PrintError>,
    ) -> Result<T, PrintError> {
        self.link()?;
        let (Some(link), status) = (self.link.as_mut(), &mut self.status) else {
            return Err(PrintError::offline("the USB printer is not open"));
        };
        let result = step(link, status);
        if matches!(result, Err(PrintError::Offline { .. } | PrintError::Io { .. })) {
            self.link = None;
        }
        result
    }
}

impl Transport for UsbTransport {
    #[tracing::instrument(skip_all, fields(job = %job.id, bytes = job.bytes.len()))]
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        if self.printed.contains(&job.id) {
            return Err(PrintError::DuplicateJob { id: job.id.clone() });
        }
        let check = self.config.check_status;
        self.with_link(|link, status| {
            let answers = link.input.is_some() && check;
            if answers {
                status.query(link)?.ready()?;
            }
            io::Write::write_all(link, &job.bytes)
                .map_err(|e| PrintError::from_link("sending the job", e))?;
            if answers {
                status.query(link)?.ready()?;
            }
            Ok(())
        })?;
        if self.printed.len() == REMEMBERED_JOBS {
            self.printed.pop_front();
        }
        self.printed.push_back(job.id.clone());
        tracing::info!("job printed");
        Ok(())
    }

    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        self.with_link(|link, status| status.query(link))
    }

    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        self.with_link(|link, _| {
            io::Write::write_all(link, bytes)
                .map_err(|e| PrintError::from_link("sending a real-time command", e))
        })
    }

    fn poll_status(&mut self) -> Result<Option<PrinterStatus>, PrintError> {
        if !self.config.auto_status {
            return Ok(None);
        }
        self.with_link(|link, status| {
            if link.input.is_none() {
                return Ok(None);
            }
            let patient = link.timeout;
            link.timeout = Duration::from_millis(20);
            let drained = status.drain(link);
            link.timeout = patient;
            drained
        })
    }

    fn reports_changes(&self) -> bool {
        self.config.auto_status
    }
}
