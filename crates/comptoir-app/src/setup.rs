//! Device setup for IT: what is plugged in (serial ports, USB devices), the printer profiles,
//! and the checks of each device from the register: a test page with the code page's
//! accented characters, the drawer, a scan, the scale, the card terminal's diagnosis.

use comptoir_printer::{Document, Profile};

use crate::error::{AppError, AppResult};
use crate::labels::builtin_rules;
use crate::register::Register;

/// The accented characters a test page prints, in the languages a store's receipts use: each
/// must print as itself (from the profile's code tables) or as its nearest plain letters.
pub const ACCENTED: [&str; 5] = [
    "Français : àâæçéèêëîïôœùûüÿ ÀÂÇÉÈÊËÎÏÔŒÙÛÜ",
    "Deutsch : äöüß ÄÖÜ",
    "Español : áéíóúñ¿¡ ÁÉÍÓÚÑ",
    "Nordisk : åæø ÅÆØ",
    "Money : € £ ¥ ¢ $",
];

/// What a setup screen lists.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Plugged {
    pub serial_ports: Vec<comptoir_device::serial::PortInfo>,
    pub usb: Vec<UsbDevice>,
    /// Why a list is empty when it could not be read (no permission, no libusb).
    pub problems: Vec<String>,
    pub profiles: Vec<String>,
}

/// A USB device as the setup screen shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UsbDevice {
    pub vendor_id: String,
    pub product_id: String,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial_number: Option<String>,
    /// A printer-class device: the `printer` setting to use it.
    pub printer_setting: Option<String>,
}

/// Lists serial ports and USB devices with their vendor, product and name, and the printer
/// profiles a `printer.profile` setting may name.
pub fn plugged() -> Plugged {
    let mut problems = Vec::new();
    let serial_ports = comptoir_device::serial::list_ports().unwrap_or_else(|e| {
        problems.push(e.message);
        Vec::new()
    });
    let usb = comptoir_printer::list_usb_devices()
        .unwrap_or_else(|e| {
            problems.push(e.cashier_message().to_owned());
            Vec::new()
        })
        .into_iter()
        .map(|d| {
            let ids = format!("{:04x}:{:04x}", d.vendor_id, d.product_id);
            let setting = match &d.serial_number {
                Some(serial) => format!("usb:{ids}:{serial}"),
                None => format!("usb:{ids}"),
            };
            UsbDevice {
                vendor_id: format!("{:04x}", d.vendor_id),
                product_id: format!("{:04x}", d.product_id),
                manufacturer: d.manufacturer,
                product: d.product,
                serial_number: d.serial_number,
                printer_setting: d.printer_class.then_some(setting),
            }
        })
        .collect();
    Plugged { serial_ports, usb, problems, profiles: Profile::names() }
}

/// A printed test page: its job, and whether the printer took it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TestPage {
    pub job: String,
    pub printer: String,
    pub profile: String,
    pub printed: bool,
    pub error: Option<String>,
}

/// The test page for a profile: what the printer is set to, then every accented line, a
/// barcode and a QR code, so IT sees at once whether the code page and the codes print.
pub fn test_page(profile: &Profile, printer: &str, register: &str, at: &str) -> Document {
    let tables: Vec<String> =
        profile.tables().iter().map(|t| format!("{} {}", t.number(), t.name())).collect();
    let mut doc = Document::new()
        .title("Comptoir test page")
        .centered(register.to_owned())
        .centered(at.to_owned())
        .rule()
        .columns("Printer", printer.to_owned())
        .columns("Profile", profile.name().to_owned())
        .columns("Columns", profile.columns().to_string())
        .line(format!("Code tables ({}): {}", tables.len(), tables.join(", ")))
        .rule();
    for line in ACCENTED {
        doc = doc.line(line);
    }
    doc.rule()
        .columns("Left", "Right")
        .line((0..profile.columns()).map(|i| char::from(b'0' + (i % 10) as u8)).collect::<String>())
        .code128("COMPTOIR-TEST")
        .qr("https://comptoir.invalid/test-page")
        .feed(2)
        .cut()
}

impl Register {
    /// Prints the test page on the register's printer (a manager or IT).
    pub fn print_test_page(&mut self) -> AppResult<TestPage> {
        self.require("device_setup")?;
        let printer = self.printer_port().setting().describe();
        let profile = self.printer_port().profile().clone();
        let at = self.now().to_rfc3339();
        let register =
            format!("{} register {}", self.store_config().config.code, self.register_number());
        let document = test_page(&profile, &printer, &register, &at);
        let id = self.queue_document("test_page", &document)?;
        let job = self.database().print_job(&id)?;
        let error = job.and_then(|j| j.error);
        Ok(TestPage {
            job: id,
            printer,
            profile: profile.name().to_owned(),
            printed: error.is_none(),
            error,
        })
    }

    /// Refuses a cashier without the `device_setup` permission (the setup screen's settings).
    pub fn require_device_setup(&self) -> AppResult<()> {
        self.require("device_setup").map(|_| ())
    }

    /// Opens the drawer to check its wiring. It moves no money, so it is no no-sale in the
    /// ledger or the X report: it is in the drawer's audit, as a test, by whom and when, with
    /// or without a shift open. An error says why the drawer did not open.
    pub fn test_drawer(&mut self) -> AppResult<bool> {
        self.require("device_setup")?;
        self.open_drawer(comptoir_printer::OpeningReason::Test, None)?;
        Ok(true)
    }
}

/// One scan read on a serial scanner, as the setup screen and `comptoir devices scan` show it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ScanRead {
    /// The AIM symbology identifier, if the scanner sent one (`]E0`).
    pub aim: Option<String>,
    /// The barcode's kind by its name (`EAN-13 / UPC-A / UPC-E`, `GS1-128`), when the scanner
    /// sent an identifier.
    pub symbology: Option<&'static str>,
    pub data: String,
    /// What the register would do with it (`ring_item`, `ring_label`, `start_return` ...).
    pub action: &'static str,
    /// The same in words: `item 0019061093791`, `in-store label of item 0201234: price 3.49 CAD`.
    pub meaning: String,
    /// What the code holds, field by field: each GS1 element by its title, or a label's item,
    /// lookup barcode and value.
    pub fields: Vec<ScanField>,
}

/// One field of a scan.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ScanField {
    /// The GS1 application identifier, for an element of a GS1 code.
    pub ai: Option<String>,
    pub name: String,
    pub value: String,
}

impl ScanRead {
    /// A scan as a person reads it.
    pub fn of(scan: &comptoir_scanner::Scan) -> ScanRead {
        let (meaning, fields) = describe(&scan.scanned);
        ScanRead {
            aim: scan.aim.map(|a| a.to_string()),
            symbology: scan.aim.map(|a| a.symbology().name()),
            data: scan.data.replace('\u{1d}', "<GS>"),
            action: scan.scanned.action(),
            meaning,
            fields,
        }
    }
}

fn field(ai: Option<&str>, name: &str, value: impl Into<String>) -> ScanField {
    ScanField { ai: ai.map(str::to_owned), name: name.to_owned(), value: value.into() }
}

/// What a scan means in words, and its fields.
fn describe(scanned: &comptoir_scanner::Scanned) -> (String, Vec<ScanField>) {
    use comptoir_scanner::{EmbeddedValue, Scanned};
    match scanned {
        Scanned::Item { gtin, add_on: None } => (format!("item {}", gtin.display()), Vec::new()),
        Scanned::Item { gtin, add_on: Some(add_on) } => {
            let fields = vec![field(None, "add-on", add_on.clone())];
            (format!("item {} with add-on {add_on}", gtin.display()), fields)
        }
        Scanned::Embedded(label) => {
            let (name, value) = match &label.value {
                EmbeddedValue::Price { amount, currency: Some(c) } => {
                    ("price", format!("{amount} {c}"))
                }
                EmbeddedValue::Price { amount, currency: None } => ("price", amount.to_string()),
                EmbeddedValue::Weight { kg } => ("weight", format!("{kg} kg")),
                EmbeddedValue::Count(count) => ("count", count.to_string()),
            };
            let meaning = format!("in-store label of item {}: {name} {value}", label.item);
            let fields = vec![
                field(None, "item number", label.item.clone()),
                field(None, "lookup barcode", label.lookup.display()),
                field(None, name, value),
            ];
            (meaning, fields)
        }
        Scanned::Gs1(elements) => {
            let fields: Vec<ScanField> = elements
                .elements
                .iter()
                .map(|e| field(Some(&e.ai), &e.title, e.value.clone()))
                .collect();
            let words: Vec<String> =
                fields.iter().map(|f| format!("{} {}", f.name, f.value)).collect();
            (format!("GS1 code: {}", words.join(", ")), fields)
        }
        Scanned::Receipt(code) => (format!("receipt {code}: opens its return"), Vec::new()),
        Scanned::Credit(code) => {
            (format!("store-credit note {code}: offered as a payment"), Vec::new())
        }
        Scanned::Text(code) => {
            (format!("code {code}: looked up as a stock code or SKU"), Vec::new())
        }
    }
}

/// Waits up to `timeout` for one scan on the serial scanner a `scanner` setting names, reading
/// in-store labels with the setting's `country` only.
pub fn read_scan(setting: &str, timeout: std::time::Duration) -> AppResult<ScanRead> {
    read_scan_for(setting, None, timeout)
}

/// [`read_scan`], reading in-store labels with the layouts of `country` when it is given (the
/// register's, [`Register::label_country`]).
pub fn read_scan_for(
    setting: &str,
    country: Option<String>,
    timeout: std::time::Duration,
) -> AppResult<ScanRead> {
    use comptoir_device::{Device, DeviceEvent};
    let Some(mut config) = scanner_setting(setting)? else {
        return Err(AppError::new(
            "no_device",
            "no serial scanner is set (a keyboard-wedge scanner types into the sale screen): name its port, like comptoir config scanner serial:/dev/ttyACM0,suffix=cr",
        ));
    };
    config.country = country.or(config.country);
    let device = Device::open(comptoir_scanner::SerialScanner::new(config, builtin_rules()));
    device.claim(timeout)?;
    device.enable(timeout)?;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(AppError::new(
                "device_timeout",
                format!(
                    "no scan came: scan a barcode within {} seconds of asking for one",
                    timeout.as_secs()
                ),
            ));
        }
        match device.events().recv_timeout(left) {
            Ok(DeviceEvent::Data(scan)) => return Ok(ScanRead::of(&scan)),
            Ok(DeviceEvent::Error(error)) => {
                return Err(crate::scanner::misread(&error).unwrap_or_else(|| error.into()));
            }
            Ok(_) | Err(_) => {}
        }
    }
}

/// Reads a stable, positive weight to sell by from the scale a `scale` setting names.
pub fn weigh(
    setting: &str,
    timeout: std::time::Duration,
) -> AppResult<comptoir_scale::SellableWeight> {
    use comptoir_scale::{ScaleReply, ScaleRequest};
    let Some(config) = scale_setting(setting)? else {
        return Err(AppError::new(
            "no_device",
            "no scale is set: name its serial port, speed and framing, like comptoir config scale serial:/dev/ttyUSB0@9600,8N1",
        ));
    };
    let device = comptoir_device::Device::open(comptoir_scale::ScaleDriver::new(config));
    device.claim(timeout)?;
    device.enable(timeout)?;
    let reply = device
        .call(ScaleRequest::ReadStable { timeout }, timeout + std::time::Duration::from_secs(2))?;
    match reply {
        ScaleReply::Sellable(weight) => Ok(weight),
        other => Err(AppError::new("device_failure", format!("the scale answered {other:?}"))),
    }
}

/// Reads a stable weight from the scale a `scale` setting names.
pub fn read_scale(setting: &str, timeout: std::time::Duration) -> AppResult<String> {
    weigh(setting, timeout).map(|weight| weight.weight().to_string())
}

/// Reads a `scanner` setting: `none`, or `serial:PORT[@BAUD][,…][,suffix=…][,country=XX]`.
/// A `country` must be one whose in-store label layouts the register has.
pub fn scanner_setting(text: &str) -> AppResult<Option<comptoir_scanner::ScannerConfig>> {
    let config = device_port(text, "scanner", comptoir_scanner::ScannerConfig::parse)?;
    if let Some(country) = config.as_ref().and_then(|c| c.country.as_deref())
        && builtin_rules().country(country).is_none()
    {
        let known: Vec<&str> = builtin_rules().countries().collect();
        return Err(AppError::new(
            "invalid_setting",
            format!(
                "scanner: no in-store label layouts for country={country}; known: {}",
                known.join(", ")
            ),
        ));
    }
    Ok(config)
}

/// Reads a `scale` setting: `none`, or `serial:PORT[@BAUD][,FRAMING]`.
pub fn scale_setting(text: &str) -> AppResult<Option<comptoir_scale::ScaleConfig>> {
    device_port(text, "scale", |port| {
        comptoir_device::serial::SerialSettings::parse(port).map(comptoir_scale::ScaleConfig::new)
    })
}

/// Reads a `display` setting: `none`, `printer` (a display behind the receipt printer), or
/// `serial:PORT[@BAUD]`.
pub fn display_setting(text: &str) -> AppResult<Option<DisplaySetting>> {
    if text.trim() == "printer" {
        return Ok(Some(DisplaySetting::ThroughPrinter));
    }
    device_port(text, "display", |port| {
        comptoir_device::serial::SerialSettings::parse(port).map(DisplaySetting::Serial)
    })
}

/// Where the customer display hangs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisplaySetting {
    ThroughPrinter,
    Serial(comptoir_device::serial::SerialSettings),
}

fn device_port<T>(
    text: &str,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> AppResult<Option<T>> {
    let text = text.trim();
    if text.is_empty() || text == "none" {
        return Ok(None);
    }
    let port = text.strip_prefix("serial:").ok_or_else(|| {
        AppError::new("invalid_setting", format!("{what} {text:?}: use none or serial:/dev/PORT"))
    })?;
    parse(port).map(Some).map_err(|why| AppError::new("invalid_setting", format!("{what}: {why}")))
}

/// One setting as the setup screen shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SettingView {
    pub key: &'static str,
    /// The saved value, or the default; a secret shows as `(set)` or empty.
    pub value: String,
    pub default: &'static str,
    pub secret: bool,
    pub saved: bool,
}

impl Register {
    /// Every device setting, saved or default, secrets hidden.
    pub fn device_settings(&self) -> AppResult<Vec<SettingView>> {
        crate::printing::SETTINGS
            .iter()
            .map(|&(key, default)| {
                let saved = self.database().setting(key)?;
                // The display's welcome is in the register's language until one is set.
                let default = match key {
                    "display.idle" => crate::i18n::word("display_welcome", self.lang()),
                    _ => default,
                };
                let secret = crate::printing::is_secret(key);
                let value = match (&saved, secret) {
                    (Some(_), true) => "(set)".to_owned(),
                    (None, true) => String::new(),
                    (Some(value), false) => value.clone(),
                    (None, false) => default.to_owned(),
                };
                Ok(SettingView { key, value, default, secret, saved: saved.is_some() })
            })
            .collect()
    }
}
