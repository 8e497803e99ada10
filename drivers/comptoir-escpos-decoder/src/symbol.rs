//! Two-dimensional symbols (`GS ( k pL pH cn fn ...`): QR code, PDF417 and their kin.

use crate::ext::ParamError;

/// One `GS ( k` function: the symbol kind it addresses (`cn`) and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub kind: SymbolKind,
    pub function: SymbolFunction,
}

/// The symbol a `GS ( k` function addresses, from its `cn` byte (48..=54).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Pdf417,
    Qr,
    MaxiCode,
    DataBar,
    Composite,
    Aztec,
    DataMatrix,
}

/// What a `GS ( k` function does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolFunction {
    /// QR `fn 65`: model 1, 2, or 3 for Micro QR.
    QrModel(u8),
    /// QR or PDF417 `fn 67`: module size (QR) or module width (PDF417) in dots.
    ModuleSize(u8),
    /// QR `fn 69`: error correction level.
    QrErrorCorrection(QrErrorLevel),
    /// PDF417 `fn 65`: data columns (0 = automatic).
    Pdf417Columns(u8),
    /// PDF417 `fn 66`: rows (0 = automatic).
    Pdf417Rows(u8),
    /// PDF417 `fn 68`: row height as a multiple of the module width.
    Pdf417RowHeight(u8),
    /// PDF417 `fn 69`: error correction as a level (0..=8) or a ratio in tenths.
    Pdf417ErrorCorrection { by_ratio: bool, value: u8 },
    /// PDF417 `fn 70`: 0 standard, 1 truncated.
    Pdf417Options(u8),
    /// `fn 80`: store the symbol's data.
    Store(Vec<u8>),
    /// `fn 81`: print the stored symbol.
    Print,
    /// `fn 82`: transmit the size of the stored symbol.
    RequestSize,
    /// A setting of a symbol kind whose settings this decoder does not spell out.
    Setting { function: u8, params: Vec<u8> },
}

/// QR error correction: recovers about 7, 15, 25 or 30 % of the symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrErrorLevel {
    L,
    M,
    Q,
    H,
}

/// Parses the parameters of `GS ( k` (everything after `pL pH`).
pub(crate) fn parse(params: &[u8]) -> Result<Symbol, ParamError> {
    let [cn, function, rest @ ..] = params else {
        return Err(ParamError::Invalid("GS ( k needs cn and fn"));
    };
    let kind = kind(*cn)?;
    let function = match function {
        80..=82 => common(*function, rest)?,
        _ => match kind {
            SymbolKind::Qr => qr(*function, rest)?,
            SymbolKind::Pdf417 => pdf417(*function, rest)?,
            _ => SymbolFunction::Setting { function: *function, params: rest.to_vec() },
        },
    };
    Ok(Symbol { kind, function })
}

fn kind(cn: u8) -> Result<SymbolKind, ParamError> {
    Ok(match cn {
        48 => SymbolKind::Pdf417,
        49 => SymbolKind::Qr,
        50 => SymbolKind::MaxiCode,
        51 => SymbolKind::DataBar,
        52 => SymbolKind::Composite,
        53 => SymbolKind::Aztec,
        54 => SymbolKind::DataMatrix,
        _ => return Err(ParamError::Unknown),
    })
}

/// Store, print and size request share one shape for every kind: `m` (48) then the data.
fn common(function: u8, rest: &[u8]) -> Result<SymbolFunction, ParamError> {
    let [m, data @ ..] = rest else {
        return Err(ParamError::Invalid("symbol function needs m"));
    };
    if *m != 48 {
        return Err(ParamError::Invalid("symbol function takes m = 48"));
    }
    Ok(match function {
        80 => SymbolFunction::Store(data.to_vec()),
        81 if data.is_empty() => SymbolFunction::Print,
        82 if data.is_empty() => SymbolFunction::RequestSize,
        _ => return Err(ParamError::Invalid("print and size request take no data")),
    })
}

fn qr(function: u8, rest: &[u8]) -> Result<SymbolFunction, ParamError> {
    Ok(match (function, rest) {
        (65, [model @ 49..=51, 0]) => SymbolFunction::QrModel(model - 48),
        (65, _) => return Err(ParamError::Invalid("QR model is 49, 50 or 51, then 0")),
        (67, [size @ 1..=16]) => SymbolFunction::ModuleSize(*size),
        (67, _) => return Err(ParamError::Invalid("QR module size is 1..=16")),
        (69, [level @ 48..=51]) => SymbolFunction::QrErrorCorrection(qr_level(*level)),
        (69, _) => return Err(ParamError::Invalid("QR error correction is 48..=51")),
        _ => return Err(ParamError::Unknown),
    })
}

fn qr_level(n: u8) -> QrErrorLevel {
    match n {
        48 => QrErrorLevel::L,
        49 => QrErrorLevel::M,
        50 => QrErrorLevel::Q,
        _ => QrErrorLevel::H,
    }
}

fn pdf417(function: u8, rest: &[u8]) -> Result<SymbolFunction, ParamError> {
    Ok(match (function, rest) {
        (65, [n @ 0..=30]) => SymbolFunction::Pdf417Columns(*n),
        (66, [n]) if *n == 0 || (3..=90).contains(n) => SymbolFunction::Pdf417Rows(*n),
        (67, [n @ 2..=8]) => SymbolFunction::ModuleSize(*n),
        (68, [n @ 2..=8]) => SymbolFunction::Pdf417RowHeight(*n),
        (69, [48, n @ 48..=56]) => {
            SymbolFunction::Pdf417ErrorCorrection { by_ratio: false, value: n - 48 }
        }
        (69, [49, n @ 1..=40]) => {
            SymbolFunction::Pdf417ErrorCorrection { by_ratio: true, value: *n }
        }
        (70, [n @ (0 | 1)]) => SymbolFunction::Pdf417Options(*n),
        (65..=70, _) => return Err(ParamError::Invalid("PDF417 setting out of range")),
        _ => return Err(ParamError::Unknown),
    })
}
