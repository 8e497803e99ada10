//! The register's one config file, `/etc/comptoir/register.toml` (or `COMPTOIR_CONFIG`): what IT
//! writes once per store PC. At every start each setting it holds is checked and saved as the
//! register's setting; a bad value is refused with the file, line and key, and the register
//! keeps the value it had, so a typo never keeps the till from opening.
//!
//! Sections map 1:1 to the settings: `[printer] connection = "..."` is `printer`,
//! `[printer] profile = "..."` is `printer.profile`, and so on (see `docs/install.md`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use comptoir_device::serial::SerialSettings;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{AppError, AppResult};
use crate::register::Register;

/// Where the file is looked for when `COMPTOIR_CONFIG` is not set.
pub const DEFAULT_PATH: &str = "/etc/comptoir/register.toml";

/// The settings of each section, by their name in the file. `connection` is the section's own
/// setting (`printer`, `scanner` ...); `[ui] autostart` and `[log]` are read by the app and
/// the CLI themselves and are not register settings.
const SECTIONS: [(&str, &[&str]); 8] = [
    ("printer", &["connection", "profile", "auto_status", "logo"]),
    (
        "drawer",
        &[
            "pin",
            "on_ms",
            "off_ms",
            "realtime_ms",
            "realtime_in_error",
            "open_when_high",
            "warn_open_secs",
        ],
    ),
    ("scanner", &["connection", "burst_max_gap_ms", "burst_min_len"]),
    ("scale", &["connection"]),
    ("display", &["connection", "idle"]),
    ("terminal", &["connection", "password"]),
    ("ui", &["kiosk", "autostart"]),
    ("log", &["dir", "keep_days", "level"]),
];

/// The file's shape: unknown sections are refused with their line by the parser.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Shape {
    data_dir: Option<Spanned<String>>,
    printer: Option<Section>,
    drawer: Option<Section>,
    scanner: Option<Section>,
    scale: Option<Section>,
    display: Option<Section>,
    terminal: Option<Section>,
    ui: Option<Section>,
    log: Option<Section>,
}

type Section = BTreeMap<String, Spanned<toml::Value>>;

/// One setting as the file gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The register's setting: `printer`, `drawer.pin`, `ui.kiosk` ...
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// Something in the file that was not taken, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ", {key}")?;
        }
        write!(
            f,
            ": {}; the register keeps its previous value: fix the file and restart",
            self.message
        )
    }
}

/// The `[log]` section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogSection {
    pub dir: Option<PathBuf>,
    pub keep_days: Option<usize>,
    /// A tracing filter: `info`, `debug`, `comptoir_printer=debug,info`.
    pub level: Option<String>,
}

/// The config file as read: the settings to save, and what was refused on the way.
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// Whether there was a file at all: a register without one runs on its saved settings.
    pub found: bool,
    pub data_dir: Option<PathBuf>,
    pub log: LogSection,
    /// `[ui] autostart`: start the app when the cashier logs in.
    pub autostart: bool,
    pub entries: Vec<Entry>,
    pub problems: Vec<Problem>,
}

/// What applying the file did to the register's settings.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// The settings whose value changed.
    pub changed: Vec<String>,
    pub refused: Vec<Problem>,
}

/// The file's path: `COMPTOIR_CONFIG`, else `/etc/comptoir/register.toml`.
pub fn path() -> PathBuf {
    std::env::var_os("COMPTOIR_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH))
}

impl ConfigFile {
    /// Reads the file at [`path`].
    pub fn load() -> ConfigFile {
        ConfigFile::load_from(&path())
    }

    /// Reads a file; a missing file is an empty config, an unreadable one a problem.
    pub fn load_from(path: &Path) -> ConfigFile {
        match std::fs::read_to_string(path) {
            Ok(text) => ConfigFile::parse(path, &text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                ConfigFile { path: path.to_owned(), ..ConfigFile::default() }
            }
            Err(error) => {
                let mut file = ConfigFile { path: path.to_owned(), ..ConfigFile::default() };
                file.problem(None, None, format!("cannot be read ({error})"));
                file
            }
        }
    }

    /// Reads a config file's text; never fails: what cannot be taken is in `problems`.
    pub fn parse(path: &Path, text: &str) -> ConfigFile {
        let mut file = ConfigFile { path: path.to_owned(), found: true, ..ConfigFile::default() };
        let shape: Shape = match toml::from_str(text) {
            Ok(shape) => shape,
            Err(error) => {
                let line = error.span().map(|s| line_of(text, s.start));
                let message = error.message().to_owned();
                file.problem(line, None, format!("not read, {message}"));
                return file;
            }
        };
        if let Some(dir) = shape.data_dir {
            file.data_dir = Some(PathBuf::from(dir.get_ref()));
        }
        let sections = [
            ("printer", shape.printer),
            ("drawer", shape.drawer),
            ("scanner", shape.scanner),
            ("scale", shape.scale),
            ("display", shape.display),
            ("terminal", shape.terminal),
            ("ui", shape.ui),
            ("log", shape.log),
        ];
        for (name, section) in sections {
            for (key, value) in section.unwrap_or_default() {
                file.take(text, name, &key, value);
            }
        }
        // In the file's order, so what is applied and refused reads like the file.
        file.entries.sort_by_key(|e| e.line);
        file.problems.sort_by_key(|p| p.line);
        file
    }

    fn take(&mut self, text: &str, section: &str, name: &str, value: Spanned<toml::Value>) {
        let line = line_of(text, value.span().start);
        let key = match name {
            "connection" => section.to_owned(),
            _ => format!("{section}.{name}"),
        };
        let known = SECTIONS.iter().any(|(s, keys)| *s == section && keys.contains(&name));
        if !known {
            let keys = SECTIONS.iter().find(|(s, _)| *s == section).map(|(_, k)| k.join(", "));
            let message = format!(
                "[{section}] has no {name:?}; its settings are {}",
                keys.unwrap_or_default()
            );
            return self.problem(Some(line), Some(key), message);
        }
        let Some(value) = scalar(value.get_ref()) else {
            let message = "is a text, a whole number or true/false".to_owned();
            return self.problem(Some(line), Some(key), message);
        };
        match (section, name) {
            ("ui", "autostart") => match value.as_str() {
                "true" => self.autostart = true,
                "false" => self.autostart = false,
                _ => self.problem(Some(line), Some(key), "is true or false".to_owned()),
            },
            ("log", "dir") => self.log.dir = Some(PathBuf::from(value)),
            ("log", "keep_days") => match value.parse().ok().filter(|n| (1..=3650).contains(n)) {
                Some(days) => self.log.keep_days = Some(days),
                None => {
                    self.problem(Some(line), Some(key), "is a number of days, 1 to 3650".into())
                }
            },
            ("log", "level") => self.log.level = Some(value),
            _ => self.entries.push(Entry { key, value, line }),
        }
    }

    fn problem(&mut self, line: Option<usize>, key: Option<String>, message: String) {
        self.problems.push(Problem { path: self.path.clone(), line, key, message });
    }

    /// The value the file gives a setting, if it gives one.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.entries.iter().rev().find(|e| e.key == key).map(|e| e.value.as_str())
    }

    /// Checks each setting and saves those that pass as the register's settings; a refused
    /// one leaves the saved value as it was. Settings the file does not name are untouched.
    pub fn apply(&self, register: &Register) -> AppResult<Applied> {
        let db = register.database();
        let mut applied = Applied { refused: self.problems.clone(), ..Applied::default() };
        for entry in &self.entries {
            if let Err(error) = check_setting(&entry.key, &entry.value) {
                applied.refused.push(Problem {
                    path: self.path.clone(),
                    line: Some(entry.line),
                    key: Some(entry.key.clone()),
                    message: error.detail,
                });
                continue;
            }
            let value = entry.value.trim();
            if db.setting(&entry.key)?.as_deref() == Some(value) {
                continue;
            }
            db.set_setting(&entry.key, value)?;
            applied.changed.push(entry.key.clone());
        }
        for problem in &applied.refused {
            tracing::warn!(%problem, "config file: setting refused");
        }
        if !applied.changed.is_empty() {
            tracing::info!(file = %self.path.display(), changed = ?applied.changed, "config file applied");
        }
        Ok(applied)
    }
}

/// A TOML value as the register's setting text; tables, arrays, dates and fractions are none.
fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// Checks one setting of the file. The settings `printing::check_setting` knows are checked
/// there; the other device settings here, after the spec of issue 5, until the device
/// settings land in comptoir-app and this can call theirs.
// FIXME(devices): replace the device checks below by the device settings' own checks when they
// land; until then `printer` accepts only what printing::check_setting accepts today.
pub fn check_setting(key: &str, value: &str) -> AppResult<()> {
    match crate::printing::check_setting(key, value) {
        Err(error) if error.code == "unknown_setting" => check_device_setting(key, value.trim()),
        other => other,
    }
}

/// The device settings `printing::check_setting` does not know yet.
pub fn check_device_setting(key: &str, value: &str) -> AppResult<()> {
    let refused = |what: &str| AppError::new("invalid_setting", format!("{key} {what}"));
    let number = |min: u32, max: u32| {
        let n: Option<u32> = value.parse().ok();
        n.filter(|n| (min..=max).contains(n))
            .map(|_| ())
            .ok_or_else(|| refused(&format!("is a whole number from {min} to {max}")))
    };
    let boolean = || match value {
        "true" | "false" => Ok(()),
        _ => Err(refused("is true or false")),
    };
    match key {
        "printer.auto_status" | "drawer.realtime_in_error" | "drawer.open_when_high" => boolean(),
        "ui.kiosk" => boolean(),
        "printer.logo" => check_logo(value).map_err(|why| refused(&why)),
        "drawer.pin" if matches!(value, "2" | "5") => Ok(()),
        "drawer.pin" => Err(refused("is 2 or 5 (the drawer's connector pin)")),
        "drawer.on_ms" | "drawer.off_ms" => number(2, 510),
        "drawer.realtime_ms" => number(100, 800),
        "drawer.warn_open_secs" => number(0, 3600),
        "scanner.burst_max_gap_ms" => number(5, 500),
        "scanner.burst_min_len" => number(3, 64),
        "scanner" => check_scanner(value).map_err(|why| refused(&why)),
        "scale" => {
            check_serial_or_none(value, "serial:/dev/ttyUSB1@9600,7E1").map_err(|w| refused(&w))
        }
        "display" if value == "printer" => Ok(()),
        "display" => check_serial_or_none(value, "printer or serial:/dev/ttyUSB2@9600")
            .map_err(|w| refused(&w)),
        "display.idle" => check_idle(value).map_err(|why| refused(&why)),
        "terminal" => check_terminal(value).map_err(|why| refused(&why)),
        "terminal.password" if value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(())
        }
        "terminal.password" => Err(refused("is the terminal's 6-digit password")),
        _ => Err(AppError::new("unknown_setting", format!("{key} is not a setting"))),
    }
}

fn check_logo(value: &str) -> Result<(), String> {
    let path = Path::new(value);
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if !path.is_absolute() || !matches!(extension.as_deref(), Some("pbm" | "pgm")) {
        return Err(format!("{value:?}: the full path of a .pbm or .pgm image"));
    }
    if !path.is_file() {
        return Err(format!(
            "{value:?}: no such file (copy the logo there, readable by the cashier)"
        ));
    }
    Ok(())
}

/// `none`, or `serial:` and a port as [`SerialSettings::parse`] reads it.
fn check_serial_or_none(value: &str, example: &str) -> Result<(), String> {
    if value == "none" {
        return Ok(());
    }
    let Some(port) = value.strip_prefix("serial:") else {
        return Err(format!("{value:?}: use none or {example}"));
    };
    SerialSettings::parse(port).map(|_| ())
}

/// `none` or `serial:/dev/ttyACM0[@BAUD][,suffix=cr|lf|crlf][,country=XX]`.
fn check_scanner(value: &str) -> Result<(), String> {
    let example = "serial:/dev/ttyACM0@9600,suffix=cr (a keyboard scanner needs none)";
    if value == "none" {
        return Ok(());
    }
    let Some(port) = value.strip_prefix("serial:") else {
        return Err(format!("{value:?}: use none or {example}"));
    };
    let mut serial = Vec::new();
    for part in port.split(',') {
        match part.trim().split_once('=') {
            Some(("suffix", "cr" | "lf" | "crlf")) => {}
            Some(("suffix", other)) => return Err(format!("suffix {other:?}: cr, lf or crlf")),
            Some(("country", code))
                if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) => {}
            Some(("country", code)) => {
                return Err(format!("country {code:?}: a two-letter country code, like FR or CA"));
            }
            Some((name, _)) => return Err(format!("{name:?}: the options are suffix and country")),
            None => serial.push(part),
        }
    }
    SerialSettings::parse(&serial.join(",")).map(|_| ())
}

/// The idle message of a 2x20 pole display: printable, at most two lines of 20.
fn check_idle(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_control) {
        return Err("is one line of text, no control characters".to_owned());
    }
    if value.chars().count() > 40 {
        return Err("is at most 40 characters (two lines of 20)".to_owned());
    }
    Ok(())
}

/// `none`, `zvt+tcp://HOST[:PORT]` (port 20007 by default) or `zvt+serial:PORT`.
pub(crate) fn check_terminal(value: &str) -> Result<(), String> {
    if value == "none" {
        return Ok(());
    }
    if let Some(port) = value.strip_prefix("zvt+serial:") {
        return SerialSettings::parse(port).map(|_| ());
    }
    let Some(addr) = value.strip_prefix("zvt+tcp://") else {
        return Err(format!(
            "{value:?}: use none, zvt+tcp://HOST[:20007] or zvt+serial:/dev/ttyS0@9600"
        ));
    };
    let (host, port) = match addr.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().ok().filter(|p| *p > 0)),
        None => (addr, Some(20007)),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    match (host_ok, port) {
        (true, Some(_)) => Ok(()),
        _ => Err(format!("{addr:?}: a host name or IPv4 address, and a port from 1 to 65535")),
    }
}

impl ConfigFile {
    /// Applies the file to a register just opened; when a setting changed, opens it again so
    /// the printer and the devices start on the new values (they are read at open).
    pub fn apply_and_reopen(
        &self,
        register: Register,
        options: impl FnOnce() -> AppResult<crate::register::OpenOptions>,
    ) -> AppResult<(Register, Applied)> {
        let applied = self.apply(&register)?;
        if applied.changed.is_empty() {
            return Ok((register, applied));
        }
        let data_dir = register.data_dir().to_owned();
        // The data folder's lock is the register's: it goes with it, then is taken again.
        drop(register);
        Ok((Register::open(&data_dir, options()?)?, applied))
    }
}
