//! GS1 element strings: the application identifiers (AIs) of GS1-128, GS1 DataBar, GS1
//! DataMatrix and GS1 QR data, read with GS1's own Barcode Syntax Dictionary
//! (`fixtures/barcodes/gs1-syntax-dictionary.txt`), not a hand-made table.
//!
//! In the barcode, an AI of predefined length simply runs into the next AI; any other AI ends
//! with FNC1, which a scanner sends as GS (0x1D), or at the end of the data. A person types the
//! human-readable form instead: `(01)09506000134352(17)261231(10)AB12`.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use comptoir_core::gtin::{Gtin14, check_digit};
use rust_decimal::Decimal;

/// FNC1 as a scanner transmits it inside the data.
pub const GS: u8 = 0x1D;

/// GS1's syntax dictionary as shipped in the fixtures, compiled in.
const DICTIONARY: &str = include_str!("../../../fixtures/barcodes/gs1-syntax-dictionary.txt");

/// The character sets of the dictionary's components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `N`: digits.
    Numeric,
    /// `X`: GS1 AI encodable character set 82.
    Cset82,
    /// `Y`: character set 39.
    Cset39,
    /// `Z`: base64url.
    Base64Url,
}

/// One component of an AI's data field (`N6,yymmd0`, `[X..17]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub charset: Charset,
    pub min: usize,
    pub max: usize,
    pub optional: bool,
    /// The dictionary's content checks (`csum`, `yymmd0` ...); those this module knows are run.
    pub linters: Vec<String>,
}

/// One dictionary entry: an AI or a range of AIs with the same data field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub first: String,
    pub last: String,
    /// The `*` flag: a predefined length, so no FNC1 follows it.
    pub predefined_length: bool,
    pub components: Vec<Component>,
    pub title: String,
}

impl Entry {
    /// The data's length when every component has a fixed length and none is optional.
    pub fn fixed_length(&self) -> Option<usize> {
        self.components
            .iter()
            .try_fold(0, |sum, c| (c.min == c.max && !c.optional).then_some(sum + c.max))
    }

    fn max_length(&self) -> usize {
        self.components.iter().map(|c| c.max).sum()
    }
}

/// The syntax dictionary: which AIs exist and what their data looks like.
#[derive(Debug, Clone)]
pub struct Dictionary {
    entries: Vec<Entry>,
    by_ai: HashMap<String, usize>,
}

/// A line of the dictionary that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax dictionary line {line}: {reason}")]
pub struct DictionaryError {
    pub line: usize,
    pub reason: String,
}

impl Dictionary {
    /// The dictionary compiled in from the fixtures.
    pub fn builtin() -> &'static Dictionary {
        static BUILTIN: OnceLock<Dictionary> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The file is ours and checked by the tests: a failure here is a build defect.
            Dictionary::parse(DICTIONARY).unwrap_or_else(|e| panic!("builtin GS1 dictionary: {e}"))
        })
    }

    /// Reads the dictionary's text format (see the comment block at the top of the file).
    pub fn parse(text: &str) -> Result<Dictionary, DictionaryError> {
        let mut dictionary = Dictionary { entries: Vec::new(), by_ai: HashMap::new() };
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let (spec, title) = line.split_once('#').unwrap_or((line, ""));
            if spec.trim().is_empty() {
                continue;
            }
            let entry = parse_entry(spec, title.trim())
                .map_err(|reason| DictionaryError { line: line_no, reason })?;
            dictionary.add(entry).map_err(|reason| DictionaryError { line: line_no, reason })?;
        }
        Ok(dictionary)
    }

    fn add(&mut self, entry: Entry) -> Result<(), String> {
        let index = self.entries.len();
        let width = entry.first.len();
        let (first, last): (u32, u32) = (
            entry.first.parse().map_err(|_| format!("{:?} is no AI", entry.first))?,
            entry.last.parse().map_err(|_| format!("{:?} is no AI", entry.last))?,
        );
        if last < first || last - first > 99 {
            return Err(format!("bad AI range {}-{}", entry.first, entry.last));
        }
        for ai in first..=last {
            self.by_ai.insert(format!("{ai:0width$}"), index);
        }
        self.entries.push(entry);
        Ok(())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry of exactly this AI.
    pub fn get(&self, ai: &str) -> Option<&Entry> {
        self.by_ai.get(ai).map(|&i| &self.entries[i])
    }

    /// The AI at the start of `data` (AIs are 2 to 4 digits and none is a prefix of another).
    fn ai_at<'a>(&self, data: &'a [u8]) -> Option<(&'a str, &Entry)> {
        (2..=4).filter(|&n| n <= data.len()).find_map(|n| {
            let ai = std::str::from_utf8(&data[..n]).ok()?;
            Some((ai, self.get(ai)?))
        })
    }
}

fn parse_entry(spec: &str, title: &str) -> Result<Entry, String> {
    let mut tokens = spec.split_whitespace();
    let ais = tokens.next().ok_or("no AI")?;
    let (first, last) = ais.split_once('-').unwrap_or((ais, ais));
    if first.len() != last.len() || !(2..=4).contains(&first.len()) {
        return Err(format!("bad AI {ais:?}"));
    }
    let mut entry = Entry {
        first: first.to_owned(),
        last: last.to_owned(),
        predefined_length: false,
        components: Vec::new(),
        title: title.to_owned(),
    };
    for token in tokens {
        if is_component(token) {
            entry.components.push(parse_component(token)?);
        } else if entry.components.is_empty() && token.bytes().all(|b| b.is_ascii_punctuation()) {
            entry.predefined_length = token.contains('*');
        }
        // FIXME(gs1-pairings): anything else is an attribute (req=, ex=, dlpkey); the pairing
        // rules (an expiry needs a GTIN, two weights exclude each other) are not checked.
    }
    if entry.components.is_empty() {
        return Err(format!("AI {ais} has no data specification"));
    }
    Ok(entry)
}

fn is_component(token: &str) -> bool {
    let t = token.trim_start_matches('[').as_bytes();
    matches!(t, [b'N' | b'X' | b'Y' | b'Z', b'0'..=b'9' | b'.', ..])
}

fn parse_component(token: &str) -> Result<Component, String> {
    let (format, linters) = token.split_once(',').unwrap_or((token, ""));
    let optional = format.starts_with('[');
    let format = format.trim_start_matches('[').trim_end_matches(']');
    let charset = match format.as_bytes().first() {
        Some(b'N') => Charset::Numeric,
        Some(b'X') => Charset::Cset82,
        Some(b'Y') => Charset::Cset39,
        Some(b'Z') => Charset::Base64Url,
        _ => return Err(format!("bad component {token:?}")),
    };
    let length = &format[1..];
    let bad = || format!("bad length in {token:?}");
    let (min, max) = match length.strip_prefix("..") {
        Some(max) => (1, max.parse().map_err(|_| bad())?),
        None => {
            let n = length.parse().map_err(|_| bad())?;
            (n, n)
        }
    };
    if max == 0 || max > 99 {
        return Err(bad());
    }
    let linters = linters.split(',').filter(|l| !l.is_empty()).map(str::to_owned).collect();
    Ok(Component { charset, min, max, optional, linters })
}

/// One AI and its data, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub ai: String,
    pub value: String,
    /// The dictionary's short title (`USE BY or EXPIRY`).
    pub title: String,
}

/// A date field (YYMMDD); `day` is `None` when the label says 00: the end of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gs1Date {
    pub year: u8,
    pub month: u8,
    pub day: Option<u8>,
}

impl Gs1Date {
    /// The calendar date, with the century picked the GS1 way (General Specifications, "century
    /// in dates"): a year more than 50 years ahead of `today` is in the previous century, one
    /// 50 or more years behind is in the next, any other is in this century. A day of 00 means
    /// the last day of the month.
    pub fn resolve(self, today: NaiveDate) -> Option<NaiveDate> {
        let this_century = today.year() - today.year().rem_euclid(100);
        let difference = i32::from(self.year) - today.year().rem_euclid(100);
        let year = match difference {
            51.. => this_century - 100,
            ..=-50 => this_century + 100,
            _ => this_century,
        } + i32::from(self.year);
        let month = u32::from(self.month);
        match self.day {
            Some(day) => NaiveDate::from_ymd_opt(year, month, u32::from(day)),
            None => last_day_of_month(year, month),
        }
    }
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (next_year, next_month) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(next_year, next_month, 1)?.pred_opt()
}

/// A weight from a GS1 AI: (310n) kilograms or (320n) pounds, with n decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weight {
    pub value: Decimal,
    pub unit: WeightUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightUnit {
    Kilogram,
    Pound,
}

/// An amount payable from (392n), or (393n) with its ISO 4217 numeric currency code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1Price {
    pub amount: Decimal,
    pub currency: Option<String>,
}

/// The elements of one scan, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ElementString {
    pub elements: Vec<Element>,
}

impl ElementString {
    /// The data of the first element with this AI.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements.iter().find(|e| e.ai == ai).map(|e| e.value.as_str())
    }

    /// (01): the item's GTIN.
    pub fn gtin(&self) -> Option<Gtin14> {
        Gtin14::parse(self.get("01")?).ok()
    }

    /// (17): use by or expiry date.
    pub fn expiry(&self) -> Option<Gs1Date> {
        date(self.get("17")?)
    }

    /// (15): best before date.
    pub fn best_before(&self) -> Option<Gs1Date> {
        date(self.get("15")?)
    }

    /// (10): batch or lot.
    pub fn batch(&self) -> Option<&str> {
        self.get("10")
    }

    /// (21): serial number.
    pub fn serial(&self) -> Option<&str> {
        self.get("21")
    }

    /// (310n) net weight in kg, or (320n) in lb.
    pub fn net_weight(&self) -> Option<Weight> {
        self.elements.iter().find_map(|e| {
            let unit = match e.ai.get(..3)? {
                "310" => WeightUnit::Kilogram,
                "320" => WeightUnit::Pound,
                _ => return None,
            };
            Some(Weight { value: decimal(&e.value, e.ai.as_bytes().get(3)?)?, unit })
        })
    }

    /// (392n) price, or (393n) price with its currency.
    pub fn price(&self) -> Option<Gs1Price> {
        self.elements.iter().find_map(|e| {
            let decimals = e.ai.as_bytes().get(3)?;
            match e.ai.get(..3)? {
                "392" => Some(Gs1Price { amount: decimal(&e.value, decimals)?, currency: None }),
                "393" => {
                    let (currency, amount) = e.value.split_at_checked(3)?;
                    Some(Gs1Price {
                        amount: decimal(amount, decimals)?,
                        currency: Some(currency.to_owned()),
                    })
                }
                _ => None,
            }
        })
    }

    /// The human-readable form: `(01)07032069804988(10)0329`.
    pub fn to_hri(&self) -> String {
        self.elements.iter().map(|e| format!("({}){}", e.ai, e.value)).collect()
    }
}

fn date(value: &str) -> Option<Gs1Date> {
    let digits: Vec<u8> = value.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    let [y1, y2, m1, m2, d1, d2] = digits[..] else { return None };
    let day = d1 * 10 + d2;
    Some(Gs1Date { year: y1 * 10 + y2, month: m1 * 10 + m2, day: (day != 0).then_some(day) })
}

fn decimal(digits: &str, decimals: &u8) -> Option<Decimal> {
    let scale = u32::from(decimals.checked_sub(b'0')?);
    let units: i64 = digits.parse().ok()?;
    Decimal::try_from_i128_with_scale(i128::from(units), scale).ok()
}

/// Why data is not a valid GS1 element string. Each names the AI at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("the GS1 code holds no data")]
    Empty,
    #[error("the scanner's symbology identifier is not a GS1 one")]
    NotGs1,
    #[error("the GS1 code holds a character no GS1 barcode carries, at {at}")]
    BadCharacter { at: usize },
    #[error("no GS1 application identifier starts at {at} ({text:?})")]
    UnknownAi { at: usize, text: String },
    #[error("({ai}) is cut short")]
    Truncated { ai: String },
    #[error("({ai}) has no data")]
    NoData { ai: String },
    #[error("({ai}) is longer than its {max} characters")]
    TooLong { ai: String, max: usize },
    #[error("({ai}) must hold only digits")]
    NotNumeric { ai: String },
    #[error("({ai}) holds a character its field does not allow")]
    BadCharset { ai: String },
    #[error("({ai}) has a wrong check digit")]
    CheckDigit { ai: String },
    #[error("({ai}) is not a valid date")]
    BadDate { ai: String },
    #[error("the typed GS1 code is not in the (AI)data form, at {at}")]
    BadHri { at: usize },
}

impl Gs1Error {
    /// The AI at fault, when there is one.
    pub fn ai(&self) -> Option<&str> {
        match self {
            Gs1Error::Truncated { ai }
            | Gs1Error::NoData { ai }
            | Gs1Error::TooLong { ai, .. }
            | Gs1Error::NotNumeric { ai }
            | Gs1Error::BadCharset { ai }
            | Gs1Error::CheckDigit { ai }
            | Gs1Error::BadDate { ai } => Some(ai),
            _ => None,
        }
    }
}

/// Reads a GS1 element string as a scanner sends it, with or without its `]C1`, `]e0`, `]d2`
/// or `]Q3` identifier, with GS as the only separator. A leading GS (FNC1 in first position)
/// and repeated or trailing separators are ignored.
pub fn parse_element_string(data: &[u8]) -> Result<ElementString, Gs1Error> {
    let data = match crate::aim::split_aim(data) {
        Ok((None, data)) => data,
        Ok((Some(aim), data)) if aim.symbology().is_gs1() => data,
        _ => return Err(Gs1Error::NotGs1),
    };
    parse_element_string_with(data, &[GS])
}

/// Like [`parse_element_string`], with other separator characters as well (some scanners are
/// set to send FNC1 as `|` or another printable character).
pub fn parse_element_string_with(
    data: &[u8],
    separators: &[u8],
) -> Result<ElementString, Gs1Error> {
    let dictionary = Dictionary::builtin();
    if let Some(at) = data.iter().position(|b| !separators.contains(b) && !is_cset82(*b)) {
        return Err(Gs1Error::BadCharacter { at });
    }
    let mut elements = Vec::new();
    let mut pos = 0;
    loop {
        while data.get(pos).is_some_and(|b| separators.contains(b)) {
            pos += 1;
        }
        if pos == data.len() {
            break;
        }
        let Some((ai, entry)) = dictionary.ai_at(&data[pos..]) else {
            let text = String::from_utf8_lossy(&data[pos..data.len().min(pos + 4)]).into_owned();
            return Err(Gs1Error::UnknownAi { at: pos, text });
        };
        let start = pos + ai.len();
        let end = match entry.fixed_length() {
            Some(n) if start + n > data.len() => return Err(Gs1Error::Truncated { ai: ai.into() }),
            Some(n) => start + n,
            None => data[start..]
                .iter()
                .position(|b| separators.contains(b))
                .map_or(data.len(), |i| start + i),
        };
        let value = &data[start..end];
        if value.iter().any(|b| separators.contains(b)) {
            return Err(Gs1Error::Truncated { ai: ai.into() });
        }
        elements.push(element(ai, entry, value)?);
        pos = end;
    }
    if elements.is_empty() {
        return Err(Gs1Error::Empty);
    }
    Ok(ElementString { elements })
}

/// Reads the human-readable form a person types: `(01)07032069804988(17)261231(10)AB12`.
/// A value runs up to the next `(` that opens a known AI.
pub fn parse_hri(text: &str) -> Result<ElementString, Gs1Error> {
    let dictionary = Dictionary::builtin();
    let data = text.trim().as_bytes();
    if let Some(at) = data.iter().position(|b| !is_cset82(*b)) {
        return Err(Gs1Error::BadCharacter { at });
    }
    let mut elements = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let Some((ai, entry, after)) = hri_ai_at(dictionary, data, pos) else {
            return Err(Gs1Error::BadHri { at: pos });
        };
        let end = (after..data.len())
            .find(|&i| hri_ai_at(dictionary, data, i).is_some())
            .unwrap_or(data.len());
        let value = &data[after..end];
        if entry.fixed_length().is_some_and(|n| value.len() < n) {
            return Err(Gs1Error::Truncated { ai: ai.into() });
        }
        elements.push(element(ai, entry, value)?);
        pos = end;
    }
    if elements.is_empty() {
        return Err(Gs1Error::Empty);
    }
    Ok(ElementString { elements })
}

/// A `(AI)` at `pos`: the AI, its entry and where its data starts.
fn hri_ai_at<'a>(
    dictionary: &'a Dictionary,
    data: &'a [u8],
    pos: usize,
) -> Option<(&'a str, &'a Entry, usize)> {
    let rest = data.get(pos..)?.strip_prefix(b"(")?;
    let close = rest.iter().take(5).position(|&b| b == b')')?;
    let ai = std::str::from_utf8(&rest[..close]).ok()?;
    Some((ai, dictionary.get(ai)?, pos + close + 2))
}

/// Checks one AI's data against its components and builds the element.
fn element(ai: &str, entry: &Entry, value: &[u8]) -> Result<Element, Gs1Error> {
    let ai_owned = || ai.to_owned();
    if value.is_empty() {
        return Err(Gs1Error::NoData { ai: ai_owned() });
    }
    let max = entry.max_length();
    if value.len() > max {
        return Err(Gs1Error::TooLong { ai: ai_owned(), max });
    }
    let mut rest = value;
    for component in &entry.components {
        if rest.is_empty() && component.optional {
            break;
        }
        let take = component.max.min(rest.len());
        if take < component.min {
            return Err(Gs1Error::Truncated { ai: ai_owned() });
        }
        let (part, tail) = rest.split_at(take);
        check_component(component, part).map_err(|fault| fault.error(ai_owned()))?;
        rest = tail;
    }
    Ok(Element {
        ai: ai.to_owned(),
        // Every byte is CSET 82 (checked before), so plain ASCII.
        value: String::from_utf8_lossy(value).into_owned(),
        title: entry.title.clone(),
    })
}

/// What is wrong with one component.
enum Fault {
    NotNumeric,
    Charset,
    CheckDigit,
    Date,
}

impl Fault {
    fn error(self, ai: String) -> Gs1Error {
        match self {
            Fault::NotNumeric => Gs1Error::NotNumeric { ai },
            Fault::Charset => Gs1Error::BadCharset { ai },
            Fault::CheckDigit => Gs1Error::CheckDigit { ai },
            Fault::Date => Gs1Error::BadDate { ai },
        }
    }
}

fn check_component(component: &Component, part: &[u8]) -> Result<(), Fault> {
    let charset_ok = match component.charset {
        Charset::Numeric => part.iter().all(u8::is_ascii_digit),
        Charset::Cset82 => part.iter().all(|&b| is_cset82(b)),
        Charset::Cset39 => part.iter().all(|&b| is_cset39(b)),
        Charset::Base64Url => {
            part.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
    };
    match (charset_ok, component.charset) {
        (true, _) => {}
        (false, Charset::Numeric) => return Err(Fault::NotNumeric),
        (false, _) => return Err(Fault::Charset),
    }
    for linter in &component.linters {
        match linter.as_str() {
            "csum" => {
                let (body, last) = part.split_at(part.len().saturating_sub(1));
                let body = std::str::from_utf8(body).unwrap_or_default();
                let last = last.first().map(|b| b.wrapping_sub(b'0'));
                if body.is_empty() || check_digit(body) != last {
                    return Err(Fault::CheckDigit);
                }
            }
            "yymmd0" | "yymmdd" if !valid_yymmdd(part, linter == "yymmd0") => {
                return Err(Fault::Date);
            }
            // FIXME(gs1-linters): the other linters (GCP position, ISO 3166/4217 code lists,
            // IBAN, percent-encoding ...) are not run; none of them changes what a till does.
            _ => {}
        }
    }
    Ok(())
}

fn valid_yymmdd(part: &[u8], day_zero_allowed: bool) -> bool {
    let Some(d) = date(std::str::from_utf8(part).unwrap_or_default()) else { return false };
    if !(1..=12).contains(&d.month) {
        return false;
    }
    let Some(day) = d.day else { return day_zero_allowed };
    // The century is not known here: 2000 + YY gives the leap years of this century.
    last_day_of_month(2000 + i32::from(d.year), u32::from(d.month))
        .is_some_and(|last| u32::from(day) <= last.day())
}

/// GS1 AI encodable character set 82 (General Specifications, figure 7.11-1).
pub fn is_cset82(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!\"%&'()*+,-./:;<=>?_".contains(&b)
}

/// GS1 AI encodable character set 39: upper case, digits, `#`, `-` and `/`.
fn is_cset39(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b"#-/".contains(&b)
}
