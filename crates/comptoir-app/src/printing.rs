//! The register's receipt printer: which one (virtual, TCP, `/dev/usb/lp*`), its profile and
//! drawer settings, and the print queue's jobs as the bytes that were sent.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use comptoir_device::serial::SerialSettings;
use comptoir_device::{Device, DeviceEvent};
use comptoir_printer::{
    Block, DeviceConfig, DeviceFileTransport, Document, DrawerOpening, DrawerSettings,
    EncodeOptions, GreyImage, Job, OpeningReason, Pin, PrintError, PrinterDriver, PrinterNotice,
    PrinterReply, PrinterRequest, PrinterStatus, Profile, SerialConfig, SerialTransport, TcpConfig,
    TcpTransport, Transport, UsbConfig, UsbTransport, VirtualTransport,
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
    ("drawer.realtime_ms", "200"),
    ("drawer.realtime_in_error", "true"),
    ("drawer.open_when_high", "true"),
    ("drawer.warn_open_secs", "30"),
    ("printer.auto_status", "false"),
    ("printer.logo", ""),
    ("ui.kiosk", "false"),
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
        "printer.logo" if value.trim().is_empty() => Ok(()),
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

/// How long the register waits for the printer's thread to take a job: a network printer's
/// connect, write and end-of-job status (3 + 10 + 30 s), with room to spare.
const PRINT_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a drawer opening may take: a status query and the pulse.
const KICK_TIMEOUT: Duration = Duration::from_secs(15);
/// An opening the sensor reports this soon after the register's own kick is that kick.
const KICK_SEEN_FOR: Duration = Duration::from_secs(10);

/// `ESC = 1`: the printer, not the customer display behind it, takes what follows.
const SELECT_PRINTER: [u8; 3] = [0x1b, 0x3d, 0x01];

/// The printer and how jobs are encoded for it. The printer itself is a
/// [`Device<PrinterDriver>`] on its own thread: jobs and drawer kicks are calls to it, its
/// status changes (paper near end or out, cover open, offline, the drawer's sensor) come back
/// as events the register reads with [`PrinterPort::changes`].
pub struct PrinterPort {
    setting: PrinterSetting,
    device: Device<PrinterDriver>,
    /// The virtual printer's folder, when that is the printer, to read its jobs back.
    virtual_dir: Option<PathBuf>,
    /// The virtual printer's scripted status, shared with the transport on the printer's
    /// thread.
    virtual_status: Option<Arc<Mutex<VirtualTransport>>>,
    profile: Profile,
    options: EncodeOptions,
    /// `printer.logo`, printed at the top of every receipt.
    logo: Option<GreyImage>,
    drawer: DrawerSettings,
    state: &'static str,
    /// `open`, `closed`, or `unknown` until the sensor was read.
    drawer_state: &'static str,
    last_kick: Option<Instant>,
    /// Frames sent for a display behind the printer, for their job ids; once any was sent,
    /// every job starts by selecting the printer again.
    raw_sent: u64,
}

/// What changed at the printer since the register last looked.
#[derive(Debug, Default)]
pub struct PrinterChanges {
    pub notices: Vec<PrinterNotice>,
    /// The printer's or the drawer's state changed (the first reading, say) with no notice.
    pub state_changed: bool,
    /// The sensor saw the drawer open with no kick from the register just before: its key.
    pub unexplained_opening: bool,
    pub drawer_closed: bool,
}

impl PrinterChanges {
    pub fn is_empty(&self) -> bool {
        self.notices.is_empty() && !self.state_changed
    }
}

/// The virtual printer, shared between the printer's thread and the register's tests.
struct SharedVirtual(Arc<Mutex<VirtualTransport>>);

impl SharedVirtual {
    fn with<T>(&self, f: impl FnOnce(&mut VirtualTransport) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

impl Transport for SharedVirtual {
    fn write_job(&mut self, job: &Job) -> Result<(), PrintError> {
        self.with(|v| v.write_job(job))
    }
    fn status(&mut self) -> Result<PrinterStatus, PrintError> {
        self.with(|v| v.status())
    }
    fn send_realtime(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        self.with(|v| v.send_realtime(bytes))
    }
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
        let drawer = drawer_settings(db)?;
        let logo = match db.setting("printer.logo")? {
            Some(path) if !path.trim().is_empty() => load_logo(path.trim()),
            _ => None,
        };
        let options = EncodeOptions { drawer: drawer.pulse, ..EncodeOptions::default() };
        // A network printer reports its status on its own only when asked to (it then holds
        // a connection open between jobs); a serial one always does, on its own wire.
        let auto_status = flag(db, "printer.auto_status", false)?;
        let mut virtual_dir = None;
        let mut virtual_status = None;
        let transport: Box<dyn Transport + Send> = match &setting {
            PrinterSetting::Virtual => {
                let dir = data_dir.join("printer");
                let shared = Arc::new(Mutex::new(VirtualTransport::new(&dir)));
                virtual_dir = Some(dir);
                virtual_status = Some(Arc::clone(&shared));
                Box::new(SharedVirtual(shared))
            }
            PrinterSetting::Tcp(addr) => {
                let mut config = TcpConfig::new(addr.clone());
                config.auto_status = auto_status;
                Box::new(TcpTransport::new(config))
            }
            PrinterSetting::Device(path) => {
                Box::new(DeviceFileTransport::new(DeviceConfig::new(path.clone())))
            }
            PrinterSetting::Serial(settings) => {
                Box::new(SerialTransport::new(SerialConfig::new(settings.clone())))
            }
            PrinterSetting::Usb(usb) => Box::new(UsbTransport::new(usb.clone())),
        };
        // The printer's status is watched only where someone sees it (the app, see
        // [`PrinterPort::watch`]): the CLI prints and exits.
        let driver =
            PrinterDriver::new(setting.describe(), transport, drawer).with_status_watch(false);
        let device = Device::open(driver);
        device.claim(KICK_TIMEOUT)?;
        device.enable(KICK_TIMEOUT)?;
        Ok(PrinterPort {
            setting,
            device,
            virtual_dir,
            virtual_status,
            profile,
            options,
            logo,
            drawer,
            state: "ok",
            drawer_state: "unknown",
            last_kick: None,
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

    /// `open`, `closed`, or `unknown` (the sensor not read yet, or no status watch).
    pub fn drawer_state(&self) -> &'static str {
        self.drawer_state
    }

    pub fn drawer_settings(&self) -> &DrawerSettings {
        &self.drawer
    }

    /// Starts watching the printer's status (every 2 s, or as the printer reports it with
    /// `printer.auto_status`), and with it the drawer's sensor: what a cashier at the screen
    /// needs, and the CLI does not.
    pub fn watch(&self) -> AppResult<()> {
        self.device.call(PrinterRequest::Watch(true), KICK_TIMEOUT)?;
        // The first reading, in the background (a printer switched off takes seconds to
        // say so): it tells the drawer's state before anything changes.
        self.device.submit(PrinterRequest::Status)?;
        Ok(())
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
        let bytes = match &self.logo {
            Some(logo) if matches!(kind, "receipt" | "copy") => {
                let mut with_logo = document.clone();
                with_logo.blocks.insert(0, Block::Image(logo.clone()));
                comptoir_printer::encode(&with_logo, &self.profile, &self.options)
            }
            _ => comptoir_printer::encode(document, &self.profile, &self.options),
        };
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
    pub fn send(&mut self, job: &PrintJobRow) -> AppResult<()> {
        let mut bytes = Vec::with_capacity(job.bytes.len() + SELECT_PRINTER.len());
        if self.raw_sent > 0 {
            // A display frame cut short could have left the display selected.
            bytes.extend_from_slice(&SELECT_PRINTER);
        }
        bytes.extend_from_slice(&job.bytes);
        let result =
            self.device.call(PrinterRequest::Print(Job::new(job.id.clone(), bytes)), PRINT_TIMEOUT);
        self.state = match &result {
            Ok(_) => "ok",
            Err(error) => state_of(error.code()),
        };
        result.map(|_| ()).map_err(AppError::from)
    }

    /// Opens the drawer: the queued pulse when the printer can print, the real-time pulse when
    /// it is out of paper or its cover is open (if `drawer.realtime_in_error`), so change can
    /// be given whatever the paper. Returns the opening for the audit.
    pub fn open_drawer(
        &mut self,
        reason: OpeningReason,
        receipt_no: Option<&str>,
    ) -> AppResult<DrawerOpening> {
        let request = PrinterRequest::Kick { reason, job_id: receipt_no.map(str::to_owned) };
        match self.device.call(request, KICK_TIMEOUT)? {
            PrinterReply::DrawerOpened(opening) => {
                self.last_kick = Some(Instant::now());
                Ok(opening)
            }
            other => Err(AppError::new("printer_error", format!("unexpected answer {other:?}"))),
        }
    }

    /// Reads what the printer reported since the last call, and keeps the printer's and
    /// drawer's state for the status bar.
    pub fn changes(&mut self) -> PrinterChanges {
        let mut changes = PrinterChanges::default();
        while let Ok(event) = self.device.events().try_recv() {
            let notice = match event {
                DeviceEvent::Status(notice) => notice,
                DeviceEvent::OutputComplete { reply: PrinterReply::Status(status), .. } => {
                    self.first_reading(&status);
                    changes.state_changed = true;
                    continue;
                }
                DeviceEvent::Error(error) => {
                    tracing::warn!(code = error.code(), %error, "printer error");
                    continue;
                }
                _ => continue,
            };
            match notice {
                PrinterNotice::PaperOut => self.state = "out_of_paper",
                PrinterNotice::CoverOpen => self.state = "cover_open",
                PrinterNotice::Offline => self.state = "offline",
                PrinterNotice::Error => self.state = "error",
                PrinterNotice::PaperLoaded
                | PrinterNotice::CoverClosed
                | PrinterNotice::Online
                | PrinterNotice::ErrorCleared => self.state = "ok",
                PrinterNotice::DrawerOpened => {
                    self.drawer_state = "open";
                    changes.unexplained_opening =
                        self.last_kick.is_none_or(|at| at.elapsed() > KICK_SEEN_FOR);
                }
                PrinterNotice::DrawerClosed => {
                    self.drawer_state = "closed";
                    changes.drawer_closed = true;
                }
                PrinterNotice::PaperNearEnd | PrinterNotice::DrawerStillOpen { .. } => {}
            }
            if self.drawer_state == "unknown"
                && self.virtual_dir.is_none()
                && !matches!(notice, PrinterNotice::Offline)
            {
                self.drawer_state = "closed";
            }
            changes.notices.push(notice);
        }
        changes
    }

    /// Takes the state of a status read outside the driver's watch (its first reading).
    fn first_reading(&mut self, status: &PrinterStatus) {
        // The virtual printer has no drawer, so no sensor: its drawer stays unknown.
        if self.drawer_state == "unknown" && self.virtual_dir.is_none() {
            let open = status.drawer_sensor_high == self.drawer.open_when_high;
            self.drawer_state = if open { "open" } else { "closed" };
        }
        if let Err(error) = status.ready() {
            self.state = state_of(error.code());
        }
    }

    /// The bytes the printer received for a job: read back from the virtual printer's folder,
    /// so the preview shows exactly what was "printed".
    pub fn printed_bytes(&self, job: &PrintJobRow) -> AppResult<Vec<u8>> {
        if let Some(dir) = &self.virtual_dir
            && let Some(bytes) = VirtualTransport::new(dir)
                .read_job(&job.id)
                .map_err(|e| AppError::new(e.code(), e.to_string()))?
        {
            return Ok(bytes);
        }
        Ok(job.bytes.clone())
    }

    /// Sends bytes that are no print job (a frame for the customer display behind the
    /// printer), best effort: a printer that cannot take them loses the frame, the next one
    /// replaces it. The virtual printer keeps only print jobs.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        if self.virtual_dir.is_some() {
            return;
        }
        self.raw_sent += 1;
        let job = Job::new(format!("display-{}", self.raw_sent), bytes.to_vec());
        if let Err(error) = self.device.call(PrinterRequest::Print(job), KICK_TIMEOUT) {
            tracing::debug!(%error, "customer display frame through the printer not sent");
        }
    }

    /// Makes the virtual printer report a status (paper out, cover open), for tests and demos.
    pub fn set_virtual_status(&mut self, status: comptoir_printer::PrinterStatus) {
        if let Some(shared) = &self.virtual_status {
            SharedVirtual(Arc::clone(shared)).with(|v| v.set_status(status));
        }
    }
}

/// The status bar's printer state for a printer error's code.
fn state_of(code: &str) -> &'static str {
    match code {
        "printer_out_of_paper" => "out_of_paper",
        "printer_cover_open" => "cover_open",
        "printer_offline" | "device_offline" | "device_timeout" => "offline",
        _ => "error",
    }
}

fn flag(db: &Store, key: &str, default: bool) -> AppResult<bool> {
    Ok(db.setting(key)?.map_or(default, |v| v.trim() == "true"))
}

fn drawer_settings(db: &Store) -> AppResult<DrawerSettings> {
    let mut settings = DrawerSettings::default();
    let number = |key: &str| -> AppResult<Option<u64>> {
        Ok(db.setting(key)?.and_then(|v| v.trim().parse().ok()))
    };
    if let Some(pin) = db.setting("drawer.pin")? {
        settings.pulse.pin = if pin.trim() == "5" { Pin::Pin5 } else { Pin::Pin2 };
    }
    if let Some(on) = number("drawer.on_ms")?.and_then(|v| u16::try_from(v).ok()) {
        settings.pulse.on_ms = on;
    }
    if let Some(off) = number("drawer.off_ms")?.and_then(|v| u16::try_from(v).ok()) {
        settings.pulse.off_ms = off;
    }
    if let Some(ms) = number("drawer.realtime_ms")?.and_then(|v| u16::try_from(v).ok()) {
        settings.realtime_ms = ms;
    }
    if let Some(secs) = number("drawer.warn_open_secs")? {
        settings.warn_open_after = Duration::from_secs(secs);
    }
    settings.realtime_in_error = flag(db, "drawer.realtime_in_error", settings.realtime_in_error)?;
    settings.open_when_high = flag(db, "drawer.open_when_high", settings.open_when_high)?;
    Ok(settings)
}

/// The receipt's logo, dithered for the printer; a logo that cannot be read prints no logo
/// and says why in the log (it was checked when it was set).
fn load_logo(path: &str) -> Option<GreyImage> {
    let read = std::fs::read(path).map_err(|e| e.to_string());
    match read.and_then(|bytes| comptoir_printer::parse_pnm(&bytes).map_err(|e| e.to_string())) {
        Ok(image) => Some(image),
        Err(error) => {
            tracing::warn!(path, %error, "printer.logo cannot be read: receipts print without it");
            None
        }
    }
}
