//! Printer profiles from escpos-printer-db: columns, paper, features and code tables per model.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::codepage::CodeTable;

/// The database embedded at build time, so that a profile name works with no file at run time:
/// escpos-printer-db (MIT), as copied to `fixtures/escpos/` (see its SOURCE.md).
const EMBEDDED_DB: &str = include_str!("../../../fixtures/escpos/capabilities.json");

/// Why a profile could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no printer profile named {name:?} in the printer database")]
    Unknown { name: String },
    #[error("printer profile {name:?} has no usable code table")]
    NoCodeTable { name: String },
    #[error("cannot read the printer database {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the printer database is not valid")]
    Parse(#[from] serde_json::Error),
}

/// What a printer model can do, as the encoder needs it.
#[derive(Debug, Clone)]
pub struct Profile {
    name: String,
    columns: usize,
    dots: Option<u32>,
    tables: Vec<CodeTable>,
    features: Features,
}

/// Commands the model understands; the encoder falls back to plain text or feeds without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Features {
    pub barcode_b: bool,
    pub qr_code: bool,
    pub partial_cut: bool,
    pub full_cut: bool,
    pub pulse: bool,
    /// `GS v 0` raster images.
    pub raster_image: bool,
}

#[derive(Deserialize)]
struct Db {
    encodings: BTreeMap<String, DbEncoding>,
    profiles: BTreeMap<String, DbProfile>,
}

#[derive(Deserialize)]
struct DbEncoding {
    data: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DbProfile {
    code_pages: BTreeMap<String, String>,
    #[serde(default)]
    features: BTreeMap<String, bool>,
    #[serde(default)]
    fonts: BTreeMap<String, DbFont>,
    media: Option<DbMedia>,
}

#[derive(Deserialize)]
struct DbFont {
    columns: usize,
}

#[derive(Deserialize)]
struct DbMedia {
    width: Option<DbWidth>,
}

#[derive(Deserialize)]
struct DbWidth {
    // "Unknown" or a number in the db: kept as a JSON value and read only when it is a number.
    pixels: Option<serde_json::Value>,
}

/// Font A columns when a profile gives none: the width of an 80 mm roll at 12-dot characters.
const FALLBACK_COLUMNS: usize = 42;

impl Profile {
    /// Loads a profile by name ("TM-T88V", "TM-T88II", "default", ...) from the embedded database.
    pub fn load(name: &str) -> Result<Profile, ProfileError> {
        Profile::from_json(EMBEDDED_DB, name)
    }

    /// Loads a profile by name from a copy of the database at `path` (e.g. a newer release).
    pub fn load_from(path: &Path, name: &str) -> Result<Profile, ProfileError> {
        let json = std::fs::read_to_string(path)
            .map_err(|source| ProfileError::Read { path: path.display().to_string(), source })?;
        Profile::from_json(&json, name)
    }

    /// Loads a profile by name from the text of a database.
    pub fn from_json(json: &str, name: &str) -> Result<Profile, ProfileError> {
        let db: Db = serde_json::from_str(json)?;
        let Some((key, entry)) = find_profile(&db, name) else {
            return Err(ProfileError::Unknown { name: name.to_owned() });
        };
        let tables = build_tables(&db, entry);
        if tables.is_empty() {
            return Err(ProfileError::NoCodeTable { name: key.clone() });
        }
        Ok(Profile {
            name: key.clone(),
            columns: entry.fonts.get("0").map_or(FALLBACK_COLUMNS, |font| font.columns),
            dots: paper_dots(entry),
            tables,
            features: features(entry),
        })
    }

    /// The names of all profiles in the embedded database.
    pub fn names() -> Vec<String> {
        serde_json::from_str::<Db>(EMBEDDED_DB)
            .map(|db| db.profiles.into_keys().collect())
            .unwrap_or_default()
    }

    /// The same printer set to another number of font A columns (e.g. 48 on an 80 mm
    /// printer switched to 576 dots): the database only knows the factory setting.
    pub fn with_columns(mut self, columns: usize) -> Profile {
        self.columns = columns.max(1);
        self
    }

    /// The profile's key in the database.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Characters per line in font A at normal size.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Printable width in dots, where the database knows it.
    pub fn dots(&self) -> Option<u32> {
        self.dots
    }

    /// The code tables we can use, in the order of their `ESC t` numbers.
    pub fn tables(&self) -> &[CodeTable] {
        &self.tables
    }

    /// The table `ESC t number` selects, if the profile has it and we can use it.
    pub fn table(&self, number: u8) -> Option<&CodeTable> {
        self.tables.iter().find(|t| t.number() == number)
    }

    pub fn features(&self) -> Features {
        self.features
    }
}

fn find_profile<'a>(db: &'a Db, name: &str) -> Option<(&'a String, &'a DbProfile)> {
    db.profiles
        .get_key_value(name)
        .or_else(|| db.profiles.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)))
}

fn build_tables(db: &Db, entry: &DbProfile) -> Vec<CodeTable> {
    let mut tables: Vec<CodeTable> = entry
        .code_pages
        .iter()
        .filter_map(|(number, page)| {
            let number = number.parse::<u8>().ok()?;
            let data = db.encodings.get(page).and_then(|e| e.data.as_deref());
            CodeTable::build(number, page, data)
        })
        .collect();
    tables.sort_by_key(CodeTable::number);
    tables
}

fn paper_dots(entry: &DbProfile) -> Option<u32> {
    let pixels = entry.media.as_ref()?.width.as_ref()?.pixels.as_ref()?;
    pixels.as_u64().and_then(|p| u32::try_from(p).ok())
}

fn features(entry: &DbProfile) -> Features {
    let has = |key: &str| entry.features.get(key).copied().unwrap_or(false);
    Features {
        barcode_b: has("barcodeB"),
        qr_code: has("qrCode"),
        partial_cut: has("paperPartCut"),
        full_cut: has("paperFullCut"),
        pulse: has("pulseStandard"),
        raster_image: has("bitImageRaster"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tm_t88ii_has_only_its_own_tables() {
        let p = Profile::load("TM-T88II").unwrap();
        let numbers: Vec<u8> = p.tables().iter().map(CodeTable::number).collect();
        // 1 (CP932, multi-byte) and 255 (unknown) are listed by the db but cannot be used.
        assert_eq!(numbers, [0, 2, 3, 4, 5, 19]);
        assert_eq!(p.columns(), 42);
    }

    #[test]
    fn names_are_matched_case_insensitively() {
        assert_eq!(Profile::load("tm-t88v").unwrap().name(), "TM-T88V");
        assert!(matches!(Profile::load("TM-NOPE"), Err(ProfileError::Unknown { .. })));
    }
}
