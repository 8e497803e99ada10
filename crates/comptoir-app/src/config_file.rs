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

use serde::Deserialize;
use toml::Spanned;

use crate::error::AppResult;
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

/// Checks one setting of the file, as `comptoir config` does.
pub fn check_setting(key: &str, value: &str) -> AppResult<()> {
    crate::printing::check_setting(key, value)
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
