//! The printer's two-dimensional symbol memory: settings and stored data until a print.

use std::collections::HashMap;

use crate::preview::{LineKind, Pdf417Code, Preview, QrCode};
use crate::symbol::{QrErrorLevel, Symbol, SymbolFunction, SymbolKind};

/// Settings as after power-on: QR model 2, 3-dot modules, level L; PDF417 automatic size.
pub(crate) struct SymbolStore {
    qr: QrCode,
    pdf417: Pdf417Code,
    stored: HashMap<SymbolKind, Vec<u8>>,
}

impl Default for SymbolStore {
    fn default() -> Self {
        let qr =
            QrCode { model: 2, module_size: 3, error_correction: QrErrorLevel::L, data: vec![] };
        let pdf417 = Pdf417Code {
            columns: 0,
            rows: 0,
            module_width: 3,
            row_height: 3,
            truncated: false,
            data: Vec::new(),
        };
        Self { qr, pdf417, stored: HashMap::new() }
    }
}

impl SymbolStore {
    /// Takes in a setting or stored data; false for the functions that print.
    pub(crate) fn apply(&mut self, symbol: &Symbol) -> bool {
        match &symbol.function {
            SymbolFunction::Print => return false,
            SymbolFunction::Store(data) => {
                self.stored.insert(symbol.kind, data.clone());
            }
            function if symbol.kind == SymbolKind::Qr => self.set_qr(function),
            function if symbol.kind == SymbolKind::Pdf417 => self.set_pdf417(function),
            _ => {}
        }
        true
    }

    fn set_qr(&mut self, function: &SymbolFunction) {
        match function {
            SymbolFunction::QrModel(model) => self.qr.model = *model,
            SymbolFunction::ModuleSize(size) => self.qr.module_size = *size,
            SymbolFunction::QrErrorCorrection(level) => self.qr.error_correction = *level,
            _ => {}
        }
    }

    fn set_pdf417(&mut self, function: &SymbolFunction) {
        let pdf417 = &mut self.pdf417;
        match function {
            SymbolFunction::Pdf417Columns(n) => pdf417.columns = *n,
            SymbolFunction::Pdf417Rows(n) => pdf417.rows = *n,
            SymbolFunction::ModuleSize(n) => pdf417.module_width = *n,
            SymbolFunction::Pdf417RowHeight(n) => pdf417.row_height = *n,
            SymbolFunction::Pdf417Options(n) => pdf417.truncated = *n == 1,
            _ => {}
        }
    }

    /// Records a printed symbol in `preview` and returns its line; the printer prints nothing
    /// when no data is stored, and neither does the preview.
    pub(crate) fn print(
        &self,
        symbol: &Symbol,
        preview: &mut Preview,
    ) -> Option<(LineKind, String)> {
        let data = self.stored.get(&symbol.kind)?.clone();
        let text = label(&data);
        Some(match symbol.kind {
            SymbolKind::Qr => {
                preview.qr_codes.push(QrCode { data, ..self.qr.clone() });
                (LineKind::QrCode(preview.qr_codes.len() - 1), format!("[QR: {text}]"))
            }
            SymbolKind::Pdf417 => {
                preview.pdf417_codes.push(Pdf417Code { data, ..self.pdf417.clone() });
                (LineKind::Pdf417(preview.pdf417_codes.len() - 1), format!("[PDF417: {text}]"))
            }
            kind => (LineKind::Symbol(kind), format!("[{kind:?}: {text}]")),
        })
    }
}

/// Symbol data as one line of text: invalid UTF-8 replaced, control bytes written as escapes.
fn label(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    let escape =
        |c: char| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() };
    text.chars().map(escape).collect()
}
