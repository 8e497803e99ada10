//! Images: raster (`GS v 0`), column bit images (`ESC *`) and graphics (`GS ( L`, `GS 8 L`).

use crate::command::Command;
use crate::error::DecodeError;
use crate::ext::ParamError;
use crate::reader::Reader;

/// `GS v 0 m xL xH yL yH d...`: `width_bytes` × 8 dots wide, `height` dots tall, one bit a dot,
/// rows top to bottom, most significant bit leftmost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RasterImage {
    /// 0 normal, 1 double width, 2 double height, 3 quadruple.
    pub mode: u8,
    pub width_bytes: u16,
    pub height: u16,
    pub data: Vec<u8>,
}

/// `ESC * m nL nH d...`: `width` columns of 8 (m = 0, 1) or 24 (m = 32, 33) dots, each column
/// top to bottom, most significant bit on top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitImage {
    /// 0 and 32 are single density (dots twice as wide), 1 and 33 double density.
    pub mode: u8,
    pub width: u16,
    pub data: Vec<u8>,
}

impl BitImage {
    /// Dots per column: 8 or 24.
    pub fn height(&self) -> u16 {
        if self.mode >= 32 { 24 } else { 8 }
    }
}

/// A graphics function of `GS ( L` / `GS 8 L` (the two differ only in the size of the length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Graphics {
    /// `fn 112` (raster) or `fn 113` (column): store an image in the print buffer.
    Store(GraphicsImage),
    /// `fn 50`: print the image stored in the print buffer.
    PrintBuffer,
    /// `fn 67`/`68` (NV memory) or `83`/`84` (download memory): define an image under a key;
    /// `data` is everything after the key.
    Define { nv: bool, key: [u8; 2], data: Vec<u8> },
    /// `fn 69` (NV) or `85` (download): print the image defined under `key`, scaled.
    PrintStored { nv: bool, key: [u8; 2], scale_x: u8, scale_y: u8 },
    /// Queries, deletions and density settings (`fn` 48, 49, 51, 52, 64..66, 80..82).
    Other { function: u8, params: Vec<u8> },
}

/// The image of `fn 112`/`113`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphicsImage {
    /// 48 monochrome, 52 multiple tone.
    pub tone: u8,
    pub scale_x: u8,
    pub scale_y: u8,
    /// 49..=52: colour 1..=4.
    pub color: u8,
    pub width: u16,
    pub height: u16,
    /// Raster (`fn 112`, rows) or column (`fn 113`, columns of eight-dot bytes) layout.
    pub column_format: bool,
    pub data: Vec<u8>,
}

/// Parses `GS v 0` after `GS v`.
pub(crate) fn raster(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    if r.u8()? != b'0' {
        return Err(r.unknown());
    }
    let mode = crate::command::digit(r.u8()?);
    if mode > 3 {
        return Err(r.invalid("GS v 0 mode is 0..=3"));
    }
    let width_bytes = r.u16()?;
    let height = r.u16()?;
    let data = r.take(usize::from(width_bytes) * usize::from(height))?.to_vec();
    Ok(Command::RasterImage(RasterImage { mode, width_bytes, height, data }))
}

/// Parses `ESC *` after `ESC *`.
pub(crate) fn bit_image(r: &mut Reader<'_>) -> Result<Command, DecodeError> {
    let mode = r.u8()?;
    let bytes_per_column = match mode {
        0 | 1 => 1,
        32 | 33 => 3,
        _ => return Err(r.invalid("ESC * mode is 0, 1, 32 or 33")),
    };
    let width = r.u16()?;
    let data = r.take(usize::from(width) * bytes_per_column)?.to_vec();
    Ok(Command::BitImage(BitImage { mode, width, data }))
}

/// Parses the parameters of `GS ( L` / `GS 8 L` (everything after the length).
pub(crate) fn graphics(params: &[u8]) -> Result<Graphics, ParamError> {
    let [m, function, rest @ ..] = params else {
        return Err(ParamError::Invalid("graphics function needs m and fn"));
    };
    if *m != 48 {
        return Err(ParamError::Invalid("graphics functions take m = 48"));
    }
    Ok(match function {
        50 if rest.is_empty() => Graphics::PrintBuffer,
        112 | 113 => Graphics::Store(stored_image(*function == 113, rest)?),
        67 | 68 | 83 | 84 => define(*function, rest)?,
        69 | 85 => print_stored(*function == 69, rest)?,
        48 | 49 | 51 | 52 | 64..=66 | 80..=82 => {
            Graphics::Other { function: *function, params: rest.to_vec() }
        }
        _ => return Err(ParamError::Unknown),
    })
}

fn stored_image(column_format: bool, rest: &[u8]) -> Result<GraphicsImage, ParamError> {
    let [tone, scale_x, scale_y, color, xl, xh, yl, yh, data @ ..] = rest else {
        return Err(ParamError::Invalid("graphics image header is short"));
    };
    let width = u16::from_le_bytes([*xl, *xh]);
    let height = u16::from_le_bytes([*yl, *yh]);
    let (across, down) = if column_format { (height, width) } else { (width, height) };
    let expected = usize::from(across).div_ceil(8) * usize::from(down);
    if *tone == 48 && data.len() != expected {
        return Err(ParamError::Invalid("graphics data length does not match its size"));
    }
    Ok(GraphicsImage {
        tone: *tone,
        scale_x: *scale_x,
        scale_y: *scale_y,
        color: *color,
        width,
        height,
        column_format,
        data: data.to_vec(),
    })
}

fn define(function: u8, rest: &[u8]) -> Result<Graphics, ParamError> {
    let [_tone, kc1, kc2, data @ ..] = rest else {
        return Err(ParamError::Invalid("graphics definition needs a key"));
    };
    Ok(Graphics::Define { nv: function < 80, key: [*kc1, *kc2], data: data.to_vec() })
}

fn print_stored(nv: bool, rest: &[u8]) -> Result<Graphics, ParamError> {
    let [kc1, kc2, scale_x, scale_y] = rest else {
        return Err(ParamError::Invalid("print stored graphics takes kc1 kc2 x y"));
    };
    Ok(Graphics::PrintStored { nv, key: [*kc1, *kc2], scale_x: *scale_x, scale_y: *scale_y })
}

/// Turns column data (`rows_of_bytes` bytes a column, top byte first) into raster rows.
pub(crate) fn columns_to_raster(data: &[u8], width: usize, rows_of_bytes: usize) -> Vec<u8> {
    let stride = width.div_ceil(8);
    let height = rows_of_bytes * 8;
    let mut raster = vec![0; stride * height];
    for (x, column) in data.chunks(rows_of_bytes).take(width).enumerate() {
        for (k, byte) in column.iter().enumerate() {
            for bit in 0..8 {
                if byte & (0x80 >> bit) != 0 {
                    raster[(k * 8 + bit) * stride + x / 8] |= 0x80 >> (x % 8);
                }
            }
        }
    }
    raster
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_becomes_a_vertical_line() {
        // One column, top bit and bottom bit set: dots (0, 0) and (0, 7).
        let raster = columns_to_raster(&[0b1000_0001], 1, 1);
        assert_eq!(raster, [0x80, 0, 0, 0, 0, 0, 0, 0x80]);
    }
}
