//! Logos: a grey image (read from a PBM or PGM file, or given as pixels) scaled to fit the
//! paper, dithered to one bit (Floyd–Steinberg) and sent as `GS v 0` raster bands, so that a
//! printer with a small receive buffer takes it a band at a time.

use crate::commands::{DLE, GS};

/// The largest image accepted, in pixels a side: far more than any receipt logo, small
/// enough that a hostile file cannot make the register allocate gigabytes.
pub const MAX_SIDE: u32 = 4096;

/// A grey image, rows top to bottom, one byte a pixel: 0 is black, 255 white.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GreyImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

/// Why an image cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("an image is 1 to {MAX_SIDE} pixels a side; this one is {width}x{height}")]
    Size { width: u64, height: u64 },
    #[error("the image holds {got} pixels where {width}x{height} needs {expected}")]
    PixelCount { width: u32, height: u32, got: usize, expected: usize },
    #[error("not a PBM or PGM image (it must start with P1, P2, P4 or P5)")]
    NotNetpbm,
    #[error("the image header is cut short or malformed: {0}")]
    Header(&'static str),
    #[error("the image data is cut short: {got} of {expected} bytes")]
    Truncated { got: usize, expected: usize },
    #[error("the image holds a value out of its range at pixel {index}")]
    Value { index: usize },
}

impl ImageError {
    /// The stable code the UI branches on.
    pub fn code(&self) -> &'static str {
        "printer_logo_invalid"
    }
}

impl GreyImage {
    /// An image from its pixels, `width × height` of them, row by row, 0 black to 255 white.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<GreyImage, ImageError> {
        check_size(u64::from(width), u64::from(height))?;
        let expected = (width * height) as usize;
        if pixels.len() != expected {
            return Err(ImageError::PixelCount { width, height, got: pixels.len(), expected });
        }
        Ok(GreyImage { width, height, pixels })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn pixels(&self) -> &[u8] {
        &self.pixels
    }

    fn at(&self, x: u32, y: u32) -> u8 {
        self.pixels[(y * self.width + x) as usize]
    }

    /// The image shrunk (area average) to at most `max_width` pixels across, keeping its
    /// proportions; an image that fits is returned as it is, never enlarged, so a small logo
    /// stays sharp.
    pub fn fit_width(&self, max_width: u32) -> GreyImage {
        if self.width <= max_width || max_width == 0 {
            return self.clone();
        }
        let width = max_width;
        let height = (u64::from(self.height) * u64::from(width) / u64::from(self.width)).max(1);
        let height = u32::try_from(height).unwrap_or(1);
        let mut pixels = Vec::with_capacity((width * height) as usize);
        for y in 0..height {
            let (y0, y1) = span(y, height, self.height);
            for x in 0..width {
                let (x0, x1) = span(x, width, self.width);
                pixels.push(self.average(x0..x1, y0..y1));
            }
        }
        GreyImage { width, height, pixels }
    }

    fn average(&self, xs: std::ops::Range<u32>, ys: std::ops::Range<u32>) -> u8 {
        let (mut sum, mut count) = (0u64, 0u64);
        for y in ys {
            for x in xs.clone() {
                sum += u64::from(self.at(x, y));
                count += 1;
            }
        }
        u8::try_from(sum / count.max(1)).unwrap_or(u8::MAX)
    }
}

/// The source pixels `[start, end)` that target pixel `i` of `target` covers out of `source`.
fn span(i: u32, target: u32, source: u32) -> (u32, u32) {
    let start = u64::from(i) * u64::from(source) / u64::from(target);
    let end = (u64::from(i + 1) * u64::from(source)).div_ceil(u64::from(target));
    let start = u32::try_from(start).unwrap_or(source);
    let end = u32::try_from(end).unwrap_or(source).clamp(start + 1, source.max(start + 1));
    (start, end)
}

fn check_size(width: u64, height: u64) -> Result<(), ImageError> {
    let side = 1..=u64::from(MAX_SIDE);
    if side.contains(&width) && side.contains(&height) {
        Ok(())
    } else {
        Err(ImageError::Size { width, height })
    }
}

/// A one-bit image as `GS v 0` wants it: rows top to bottom, `(width + 7) / 8` bytes a row,
/// the most significant bit leftmost, a set bit a black dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: u32,
    pub height: u32,
    pub rows: Vec<u8>,
}

impl Bitmap {
    pub fn stride(&self) -> usize {
        self.width.div_ceil(8) as usize
    }

    /// Whether the dot at (x, y) is black.
    pub fn black(&self, x: u32, y: u32) -> bool {
        let byte = self.rows[y as usize * self.stride() + (x / 8) as usize];
        byte & (0x80 >> (x % 8)) != 0
    }
}

/// Floyd–Steinberg error diffusion to one bit: grey areas become a fine pattern of dots with
/// the same darkness, which a thermal head prints far better than a threshold would.
pub fn dither(image: &GreyImage) -> Bitmap {
    let (width, height) = (image.width as usize, image.height as usize);
    let stride = width.div_ceil(8);
    let mut rows = vec![0u8; stride * height];
    // Errors carried to this row and the next, with a cell of margin each side.
    let mut current = vec![0i32; width + 2];
    let mut next = vec![0i32; width + 2];
    for y in 0..height {
        for x in 0..width {
            let value = i32::from(image.pixels[y * width + x]) + current[x + 1] / 16;
            let black = value < 128;
            if black {
                rows[y * stride + x / 8] |= 0x80 >> (x % 8);
            }
            let error = value - if black { 0 } else { 255 };
            current[x + 2] += error * 7;
            next[x] += error * 3;
            next[x + 1] += error * 5;
            next[x + 2] += error;
        }
        std::mem::swap(&mut current, &mut next);
        next.iter_mut().for_each(|e| *e = 0);
    }
    Bitmap { width: image.width, height: image.height, rows }
}

/// The `GS v 0` commands that print `bitmap` in bands of at most `band_rows` rows.
///
/// A printer acts on `DLE EOT n` and `DLE DC4 n` even inside image data, so where the dots of
/// a band would spell one, one dot is added to its `DLE` byte: invisible on paper, and no
/// status reply or drawer pulse is triggered by a logo.
pub fn raster_bands(bitmap: &Bitmap, band_rows: u16) -> Vec<u8> {
    let stride = bitmap.stride();
    let band_rows = usize::from(band_rows.max(1));
    let mut out = Vec::with_capacity(bitmap.rows.len() + 8 * bitmap.height as usize / band_rows);
    let (Ok(x), true) = (u16::try_from(stride), stride > 0) else {
        return out;
    };
    for band in bitmap.rows.chunks(stride * band_rows) {
        let rows = u16::try_from(band.len() / stride).unwrap_or(u16::MAX);
        out.extend_from_slice(&[GS, b'v', b'0', 0]);
        out.extend_from_slice(&x.to_le_bytes());
        out.extend_from_slice(&rows.to_le_bytes());
        let start = out.len();
        out.extend_from_slice(band);
        defuse_real_time(&mut out[start..]);
    }
    out
}

fn defuse_real_time(data: &mut [u8]) {
    for at in 0..data.len().saturating_sub(2) {
        if let [DLE, 0x04 | 0x14, 1..=8] = data[at..at + 3] {
            data[at] |= 0x01;
        }
    }
}

/// Reads a PBM (`P1` text, `P4` binary) or PGM (`P2` text, `P5` binary, 8-bit) image.
/// Comments (`#` to the end of a line) may stand between header fields.
pub fn parse_pnm(bytes: &[u8]) -> Result<GreyImage, ImageError> {
    let mut header = Header { bytes, at: 0 };
    let magic = header.bytes.get(..2).ok_or(ImageError::NotNetpbm)?;
    let kind = match magic {
        b"P1" => Kind::TextBits,
        b"P2" => Kind::TextGrey,
        b"P4" => Kind::RawBits,
        b"P5" => Kind::RawGrey,
        _ => return Err(ImageError::NotNetpbm),
    };
    header.at = 2;
    let width = header.number("width")?;
    let height = header.number("height")?;
    check_size(width, height)?;
    let max = match kind {
        Kind::TextGrey | Kind::RawGrey => header.number("maximum value")?,
        _ => 1,
    };
    if !(1..=255).contains(&max) {
        return Err(ImageError::Header("the maximum grey value must be 1..=255"));
    }
    let (width, height) = (width as u32, height as u32);
    let count = (width * height) as usize;
    let pixels = match kind {
        Kind::TextBits | Kind::TextGrey => header.text_pixels(count, max)?,
        Kind::RawBits => raw_bits(header.raster()?, width, height)?,
        Kind::RawGrey => raw_grey(header.raster()?, count, max)?,
    };
    GreyImage::new(width, height, pixels)
}

enum Kind {
    TextBits,
    TextGrey,
    RawBits,
    RawGrey,
}

struct Header<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Header<'a> {
    fn skip_blanks(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            if b == b'#' {
                while self.bytes.get(self.at).is_some_and(|&b| b != b'\n') {
                    self.at += 1;
                }
            } else if b.is_ascii_whitespace() {
                self.at += 1;
            } else {
                break;
            }
        }
    }

    fn number(&mut self, what: &'static str) -> Result<u64, ImageError> {
        self.skip_blanks();
        let start = self.at;
        while self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) && self.at - start < 9 {
            self.at += 1;
        }
        let digits = &self.bytes[start..self.at];
        if digits.is_empty() || self.bytes.get(self.at).is_some_and(u8::is_ascii_digit) {
            return Err(ImageError::Header(what));
        }
        digits
            .iter()
            .try_fold(0u64, |n, d| Some(n * 10 + u64::from(d - b'0')))
            .ok_or(ImageError::Header(what))
    }

    /// The binary data: after exactly one whitespace byte that ends the header.
    fn raster(&mut self) -> Result<&'a [u8], ImageError> {
        match self.bytes.get(self.at) {
            Some(b) if b.is_ascii_whitespace() => Ok(&self.bytes[self.at + 1..]),
            _ => Err(ImageError::Header("one blank must end the header")),
        }
    }

    fn text_pixels(&mut self, count: usize, max: u64) -> Result<Vec<u8>, ImageError> {
        let mut pixels = Vec::with_capacity(count);
        let bits = self.bytes[1] == b'1';
        while pixels.len() < count {
            self.skip_blanks();
            if self.at >= self.bytes.len() {
                return Err(ImageError::Truncated { got: pixels.len(), expected: count });
            }
            let value = if bits {
                // In P1 the digits need no blanks between them.
                let b = self.bytes[self.at];
                self.at += 1;
                match b {
                    b'0' => 255,
                    b'1' => 0,
                    _ => return Err(ImageError::Value { index: pixels.len() }),
                }
            } else {
                let n =
                    self.number("pixel").map_err(|_| ImageError::Value { index: pixels.len() })?;
                if n > max {
                    return Err(ImageError::Value { index: pixels.len() });
                }
                grey(n, max)
            };
            pixels.push(value);
        }
        Ok(pixels)
    }
}

fn grey(value: u64, max: u64) -> u8 {
    u8::try_from(value * 255 / max).unwrap_or(u8::MAX)
}

/// P4: rows of `(width + 7) / 8` bytes, a set bit black.
fn raw_bits(data: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ImageError> {
    let stride = width.div_ceil(8) as usize;
    let expected = stride * height as usize;
    if data.len() < expected {
        return Err(ImageError::Truncated { got: data.len(), expected });
    }
    let mut pixels = Vec::with_capacity((width * height) as usize);
    for row in data[..expected].chunks(stride) {
        for x in 0..width as usize {
            let black = row[x / 8] & (0x80 >> (x % 8)) != 0;
            pixels.push(if black { 0 } else { 255 });
        }
    }
    Ok(pixels)
}

fn raw_grey(data: &[u8], count: usize, max: u64) -> Result<Vec<u8>, ImageError> {
    if data.len() < count {
        return Err(ImageError::Truncated { got: data.len(), expected: count });
    }
    data[..count]
        .iter()
        .enumerate()
        .map(|(index, &v)| {
            if u64::from(v) > max {
                Err(ImageError::Value { index })
            } else {
                Ok(grey(v.into(), max))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_time_sequence_in_the_dots_is_broken() {
        let mut data = [0x00, 0x10, 0x04, 0x01, 0x10, 0x14, 0x01, 0x10, 0x04, 0x09];
        defuse_real_time(&mut data);
        assert_eq!(data, [0x00, 0x11, 0x04, 0x01, 0x11, 0x14, 0x01, 0x10, 0x04, 0x09]);
    }

    #[test]
    fn spans_cover_the_source() {
        assert_eq!(span(0, 2, 5), (0, 3));
        assert_eq!(span(1, 2, 5), (2, 5));
    }
}
