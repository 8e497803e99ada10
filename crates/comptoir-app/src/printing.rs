//! The register's receipt printer: which one (virtual, TCP, `/dev/usb/lp*`), its profile and
//! drawer settings, and the print queue's jobs as the bytes that were sent.

use std::path::{Path, PathBuf};

use comptoir_device::serial::SerialSettings;
use comptoir_printer::{
    DeviceConfig, DeviceFileTransport, Document, DrawerConfig, EncodeOptions, Job, Pin, PrintError,
    Profile, SerialConfig, SerialTransport, TcpConfig, TcpTransport, Transport, UsbConfig,
    UsbTransport, VirtualTransport,
};
use comptoir_store::{PrintJobRow, PrintJobState, Store};

use crate::error::{AppError, AppResult};

/// The profile used when none is set: an Epson TM-T88V, 80 mm, the common store printer.
pub const DEFAULT_PROFILE: &str = "TM-T88V";

/// Every setting a register takes, with what it is when unset.
pub const SETTINGS: &[(&str, &str)] = &[
    ("printer", "virtual"),
    ("printer.profile", DEFAULT_PROFILE),
    ("drawer.pin", "2"),
    ("drawer.on_ms", "50"),
    ("drawer.off_ms", "500"),
    ("scanner.burst_max_gap_ms", "35"),
    ("scanner.burst_min_len", "6"),
    ("scanner", "none"),
    ("scale", "none"),
    ("display", "none"),
    ("display.idle", "Welcome"),
    ("terminal", "none"),
    ("terminal.password", "000000"),
];

/// Settings whose value is never shown (the terminal's password).
pub fn is_secret(key: &str) -> bool {
    key == "terminal.password"
}

/// Checks a setting's value before it is saved, so a typo can never keep the register from
/// opening or send receipts somewhere odd.
pub fn check_setting(key: &str, value: &str) -> AppResult<()> {
    let number = |min: u32, max: u32| {
        let n: Option<u32> = value.trim().parse().ok();
        n.filter(|n| (min..=max).contains(n)).map(|_| ()).ok_or_else(|| {
            AppError::new("invalid_setting", format!("{key} is a whole number from {min} to {max}"))
        })
    };
    match key {
        "printer" => PrinterSetting::parse(value).map(|_| ()),
        "printer.profile" => Profile::load(value.trim()).map(|_| ()).map_err(|e| {
            let known = Profile::names().join(", ");
            AppError::new(
                "invalid_setting",
                format!("printer profile {value:?}: {e}; known: {known}"),
            )
        }),
        "drawer.pin" if matches!(value.trim(), "2" | "5") => Ok(()),
        "drawer.pin" => Err(AppError::new(
            "invalid_setting",
            "drawer.pin is 2 or 5 (the drawer's connector pin)",
        )),
        "drawer.on_ms" | "drawer.off_ms" => number(2, 510),
        "printer.auto_status"
        | "drawer.realtime_in_error"
        | "drawer.open_when_high"
        | "ui.kiosk" => match value.trim() {
            "true" | "false" => Ok(()),
            _ => Err(AppError::new("invalid_setting", format!("{key} is true or false"))),
        },
        "printer.logo" => check_logo(value.trim()),
        "drawer.realtime_ms" => number(100, 800),
        "drawer.warn_open_secs" => number(0, 3600),
        "terminal" => crate::terminal::TerminalSetting::parse(value).map(|_| ()),
        "scanner" => crate::setup::scanner_setting(value).map(|_| ()),
        "scale" => crate::setup::scale_setting(value).map(|_| ()),
        "display" => crate::setup::display_setting(value).map(|_| ()),
        "display.idle"
            if value.trim().chars().count() <= 40 && !value.chars().any(char::is_control) =>
        {
            Ok(())
        }
        "display.idle" => Err(AppError::new(
            "invalid_setting",
            "display.idle is one line of at most 40 characters (2 x 20)",
        )),
        "terminal.password"
            if value.trim().len() == 6 && value.trim().bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(())
        }
        "terminal.password" => Err(AppError::new(
            "invalid_setting",
            "terminal.password is the terminal's password: 6 digits",
        )),
        "scanner.burst_max_gap_ms" => number(5, 500),
        "scanner.burst_min_len" => number(3, 64),
        _ => Err(AppError::new("unknown_setting", format!("{key} is not a setting"))),
    }
}

/// Where receipts go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrinterSetting {
    /// Jobs are stored as files under the data folder and previewed in the app.
    Virtual,
    /// An Ethernet printer, raw TCP (port 9100).
    Tcp(String),
    /// A USB printer through the kernel's printer class device.
    Device(PathBuf),
    /// A serial printer (`serial:/dev/ttyUSB0@19200,8N1,rtscts`).
    Serial(SerialSettings),
    /// A USB printer through libusb, by vendor and product id and maybe serial number
    /// (`usb:04b8:0e15[:SERIAL]`), found again after it is unplugged and plugged back.
    Usb(UsbConfig),
}

impl PrinterSetting {
    /// Reads `virtual`, `tcp://HOST:PORT` (or `HOST:PORT`) or a `/dev/usb/lpN` path.
    pub fn parse(text: &str) -> AppResult<PrinterSetting> {
        let text = text.trim();
        if text.is_empty() || text == "virtual" {
            return Ok(PrinterSetting::Virtual);
        }
        let refused = || {
            AppError::new(
                "invalid_printer",
                format!(
                    "{text:?}: use virtual, tcp://HOST:PORT, /dev/usb/lpN (a printer device), \
                     serial:/dev/ttyUSB0@19200,8N1,rtscts or usb:VID:PID[:SERIAL]"
                ),
            )
        };
        if let Some(port) = text.strip_prefix("serial:") {
            return SerialSettings::parse(port)
                .map(PrinterSetting::Serial)
                .map_err(|why| AppError::new("invalid_printer", format!("serial printer: {why}")));
        }
        if let Some(ids) = text.strip_prefix("usb:") {
            return UsbConfig::parse(ids)
                .map(PrinterSetting::Usb)
                .map_err(|why| AppError::new("invalid_printer", format!("USB printer: {why}")));
        }
        if let Some(addr) = text.strip_prefix("tcp://") {
            return network_address(addr, 9100).map(PrinterSetting::Tcp).ok_or_else(refused);
        }
        // Only a printer device: the register must never append receipts to an ordinary file.
        if text.starts_with("/dev/") && !text.contains("..") {
            return Ok(PrinterSetting::Device(PathBuf::from(text)));
        }
        network_address(text, 9100).map(PrinterSetting::Tcp).ok_or_else(refused)
    }

    pub fn describe(&self) -> String {
        match self {
            PrinterSetting::Virtual => "virtual".to_owned(),
            PrinterSetting::Tcp(addr) => format!("tcp://{addr}"),
            PrinterSetting::Device(path) => path.display().to_string(),
            PrinterSetting::Serial(settings) => format!("serial:{settings}"),
            PrinterSetting::Usb(usb) => match &usb.serial_number {
                Some(serial) => {
                    format!("usb:{:04x}:{:04x}:{serial}", usb.vendor_id, usb.product_id)
                }
                None => format!("usb:{:04x}:{:04x}", usb.vendor_id, usb.product_id),
            },
        }
    }

    pub fn load(db: &Store) -> AppResult<PrinterSetting> {
        match db.setting("printer")? {
            Some(text) => PrinterSetting::parse(&text),
            None => Ok(PrinterSetting::Virtual),
        }
    }
}

/// A receipt logo: the full path of a PBM or PGM image that exists.
fn check_logo(value: &str) -> AppResult<()> {
    let path = Path::new(value);
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let why = if !path.is_absolute() || !matches!(extension.as_deref(), Some("pbm" | "pgm")) {
        "the full path of a .pbm or .pgm image"
    } else if !path.is_file() {
        "no such file (copy the logo there, readable by the cashier)"
    } else {
        return Ok(());
    };
    Err(AppError::new("invalid_setting", format!("printer.logo {value:?}: {why}")))
}

/// `HOST` or `HOST:PORT` with a host name or IPv4 address and a port from 1 to 65535; the
/// port defaults to `default_port` (9100, the raw printing port, for a printer).
pub(crate) fn network_address(addr: &str, default_port: u16) -> Option<String> {
    let (host, port) = match addr.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().ok().filter(|p| *p > 0)?),
        None => (addr, default_port),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    host_ok.then(|| format!("{host}:{port}"))
}

/// The printer and how jobs are encoded for it.
pub struct PrinterPort {
    setting: PrinterSetting,
    /// The virtual printer, when that is the printer: kept as itself so its folder can be read.
    virtual_printer: Option<VirtualTransport>,
    /// Any other printer.
    transport: Option<Box<dyn Transport + Send>>,
    profile: Profile,
    options: EncodeOptions,
    state: &'static str,
    /// Frames sent for a display behind the printer, for their job ids.
    raw_sent: u64,
}

impl PrinterPort {
    pub fn new(setting: PrinterSetting, data_dir: &Path, db: &Store) -> AppResult<PrinterPort> {
        let profile_name =
            db.setting("printer.profile")?.unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
        // A profile that no longer loads must not keep the register from opening: it prints
        // on the default profile and says so in the log.
        let profile = Profile::load(&profile_name).or_else(|error| {
            tracing::warn!(profile = %profile_name, %error, "unknown printer profile: using {DEFAULT_PROFILE}");
            Profile::load(DEFAULT_PROFILE)
        });
        let profile = profile
            .map_err(|e| AppError::new("invalid_printer", format!("printer profile: {e}")))?;
        let options = EncodeOptions { drawer: drawer_config(db)?, ..EncodeOptions::default() };
        let virtual_dir = data_dir.join("printer");
        let (transport, virtual_printer): (Option<Box<dyn Transport + Send>>, _) = match &setting {
            PrinterSetting::Virtual => (None, Some(VirtualTransport::new(&virtual_dir))),
            PrinterSetting::Tcp(addr) => {
                (Some(Box::new(TcpTransport::new(TcpConfig::new(addr.clone())))), None)
            }
            PrinterSetting::Device(path) => {
                (Some(Box::new(DeviceFileTransport::new(DeviceConfig::new(path.clone())))), None)
            }
            PrinterSetting::Serial(settings) => {
                (Some(Box::new(SerialTransport::new(SerialConfig::new(settings.clone())))), None)
            }
            PrinterSetting::Usb(usb) => (Some(Box::new(UsbTransport::new(usb.clone()))), None),
        };
        Ok(PrinterPort {
            setting,
            transport,
            virtual_printer,
            profile,
            options,
            state: "ok",
            raw_sent: 0,
        })
    }

    pub fn setting(&self) -> &PrinterSetting {
        &self.setting
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn state(&self) -> &'static str {
        self.state
    }

    /// Encodes a document into a pending job row, to be queued in the caller's transaction.
    pub fn job_row(
        &self,
        id: &str,
        kind: &str,
        receipt_no: Option<&str>,
        document: &Document,
        created_at: &str,
    ) -> PrintJobRow {
        let bytes = comptoir_printer::encode(document, &self.profile, &self.options);
        PrintJobRow {
            id: id.to_owned(),
            created_at: created_at.to_owned(),
            kind: kind.to_owned(),
            receipt_no: receipt_no.map(str::to_owned),
            bytes,
            state: PrintJobState::Pending,
            error: None,
            attempts: 0,
        }
    }

    /// Sends one stored job. A job the printer already has (a retry after a lost answer)
    /// counts as printed, never as a second receipt.
    pub fn send(&mut self, job: &PrintJobRow) -> Result<(), PrintError> {
        let job = Job::new(job.id.clone(), job.bytes.clone());
        let written = match (&mut self.virtual_printer, &mut self.transport) {
            (Some(printer), _) => printer.write_job(&job),
            (None, Some(transport)) => transport.write_job(&job),
            (None, None) => Err(PrintError::Offline { reason: "no printer configured".to_owned() }),
        };
        let result = match written {
            Ok(()) | Err(PrintError::DuplicateJob { .. }) => Ok(()),
            Err(error) => Err(error),
        };
        self.state = match &result {
            Ok(()) => "ok",
            Err(PrintError::OutOfPaper) => "out_of_paper",
            Err(PrintError::CoverOpen) => "cover_open",
            Err(PrintError::Offline { .. }) => "offline",
            Err(_) => "error",
        };
        result
    }

    /// The bytes the printer received for a job: read back from the virtual printer's folder,
    /// so the preview shows exactly what was "printed".
    pub fn printed_bytes(&self, job: &PrintJobRow) -> AppResult<Vec<u8>> {
        if let Some(printer) = &self.virtual_printer
            && let Some(bytes) =
                printer.read_job(&job.id).map_err(|e| AppError::new(e.code(), e.to_string()))?
        {
            return Ok(bytes);
        }
        Ok(job.bytes.clone())
    }

    /// Sends bytes that are no print job (a frame for the customer display behind the
    /// printer), best effort: a printer that cannot take them loses the frame, the next one
    /// replaces it. The virtual printer keeps only print jobs.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let Some(transport) = &mut self.transport else { return };
        self.raw_sent += 1;
        let job = Job::new(format!("display-{}", self.raw_sent), bytes.to_vec());
        if let Err(error) = transport.write_job(&job) {
            tracing::debug!(%error, "customer display frame through the printer not sent");
        }
    }

    /// Sends the drawer kick on its own (a no-sale opening outside a receipt).
    pub fn drawer_kick_document() -> Document {
        Document::new().drawer_kick()
    }

    /// Makes the virtual printer report a status (paper out, cover open), for tests and demos.
    pub fn set_virtual_status(&mut self, status: comptoir_printer::PrinterStatus) {
        if let Some(printer) = &mut self.virtual_printer {
            printer.set_status(status);
        }
    }
}

fn drawer_config(db: &Store) -> AppResult<DrawerConfig> {
    let mut config = DrawerConfig::default();
    if let Some(pin) = db.setting("drawer.pin")? {
        config.pin = if pin.trim() == "5" { Pin::Pin5 } else { Pin::Pin2 };
    }
    if let Some(on) = db.setting("drawer.on_ms")?.and_then(|v| v.trim().parse().ok()) {
        config.on_ms = on;
    }
    if let Some(off) = db.setting("drawer.off_ms")?.and_then(|v| v.trim().parse().ok()) {
        config.off_ms = off;
    }
    Ok(config)
}
