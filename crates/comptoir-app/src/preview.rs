//! Converts the decoder's preview of a print job into the UI's preview lines.

use comptoir_escpos_decoder::{Justification, LineKind, Preview};

use crate::view::PreviewLineView;

pub fn lines(preview: &Preview) -> Vec<PreviewLineView> {
    preview
        .lines
        .iter()
        .map(|line| PreviewLineView {
            text: line.text.clone(),
            align: match line.justify {
                Justification::Left => "left",
                Justification::Center => "center",
                Justification::Right => "right",
            },
            bold: line.bold,
            big: line.width > 1 || line.height > 1,
            wide: line.width > 1,
            tall: line.height > 1,
            kind: match line.kind {
                LineKind::Text => "text",
                LineKind::Barcode(_) => "barcode",
                LineKind::QrCode(_) => "qr",
                LineKind::Cut(_) => "cut",
                LineKind::Image(_) => "image",
                LineKind::Pdf417(_) | LineKind::Symbol(_) => "symbol",
            },
        })
        .collect()
}
