//! ESC/POS command bytes, written from the Epson reference (not taken from the escpos crate,
//! whose cut, drawer and status bytes are wrong: see shared/notes/hardware.md).

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const DLE: u8 = 0x10;
pub const LF: u8 = 0x0A;

/// `ESC @`: initialise. It does not always reset the code table, so [`crate::encode`] sends
/// `ESC t n` and `ESC R 0` right after it.
pub const INIT: [u8; 2] = [ESC, b'@'];
/// `ESC R 0`: the USA international character set, so bytes 0x20..=0x7E print as ASCII.
pub const CHARSET_USA: [u8; 3] = [ESC, b'R', 0];
/// `GS V 66 0`: feed to the cutter, then cut partially (the tab holds the receipt).
pub const PARTIAL_CUT: [u8; 4] = [GS, b'V', 66, 0];
/// `GS V 65 0`: feed to the cutter, then cut fully.
pub const FULL_CUT: [u8; 4] = [GS, b'V', 65, 0];

/// `ESC t n`: select character code table `n` (a number from the printer's profile).
pub fn select_table(n: u8) -> [u8; 3] {
    [ESC, b't', n]
}

/// Which drawer connector pin a pulse drives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pin {
    /// Pin 2, drawer 1: where a single drawer is wired.
    #[default]
    Pin2,
    /// Pin 5, drawer 2.
    Pin5,
}

impl Pin {
    fn m(self) -> u8 {
        match self {
            Pin::Pin2 => 0,
            Pin::Pin5 => 1,
        }
    }
}

/// How the drawer is kicked. Drawers differ: pin and timings are a per-register setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawerConfig {
    pub pin: Pin,
    pub on_ms: u16,
    pub off_ms: u16,
}

impl Default for DrawerConfig {
    /// Pin 2, 50 ms on, 500 ms off: the timing that opened drawers that failed at the
    /// printers' own defaults (shared/notes/hardware.md).
    fn default() -> DrawerConfig {
        DrawerConfig { pin: Pin::Pin2, on_ms: 50, off_ms: 500 }
    }
}

/// `ESC p m t1 t2`: pulse the drawer, t1 × 2 ms on and t2 × 2 ms off. Always five bytes: a
/// printer sent only `ESC p m` takes the next two bytes of the job as the timings.
pub fn drawer_kick(config: &DrawerConfig) -> [u8; 5] {
    [ESC, b'p', config.pin.m(), two_ms_units(config.on_ms), two_ms_units(config.off_ms)]
}

fn two_ms_units(ms: u16) -> u8 {
    u8::try_from((ms / 2).clamp(1, 255)).unwrap_or(u8::MAX)
}

/// `DLE DC4 1 m t`: the real-time drawer pulse, on and off t × 100 ms (t 1..=8). The printer
/// runs it at once, ahead of queued data; send it on its own, outside a job.
pub fn realtime_pulse(pin: Pin, on_ms: u16) -> [u8; 5] {
    let t = u8::try_from(on_ms.div_ceil(100).clamp(1, 8)).unwrap_or(8);
    [DLE, 0x14, 1, pin.m(), t]
}

/// `GS ( k` Model 2 QR code, error correction M: select model, module size, error level,
/// store the data, print. `None` when the data exceeds what one symbol stores.
pub fn qr_code(data: &[u8], module_size: u8) -> Option<Vec<u8>> {
    // Model 2 at level M holds 2331 bytes; larger data would be refused by the printer.
    if data.is_empty() || data.len() > 2331 {
        return None;
    }
    let store_len = u16::try_from(data.len() + 3).ok()?.to_le_bytes();
    let mut out = Vec::with_capacity(data.len() + 40);
    out.extend_from_slice(&[GS, b'(', b'k', 4, 0, 49, 65, 50, 0]); // fn 165: Model 2
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 67, module_size.clamp(1, 16)]); // fn 167
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 69, 49]); // fn 169: level M
    out.extend_from_slice(&[GS, b'(', b'k', store_len[0], store_len[1], 49, 80, 48]); // fn 180
    out.extend_from_slice(data);
    out.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 81, 48]); // fn 181: print
    Some(out)
}

/// How a CODE128 barcode looks on paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarcodeStyle {
    /// Bar height in dots (`GS h`).
    pub height: u8,
    /// Narrowest bar in dots (`GS w`, 2..=6).
    pub module_width: u8,
}

/// `GS k 73 n {C..` or `{B..`: CODE128 with its text below (`GS H 2`). Code set C (two digits
/// per symbol) for an even number of digits, code set B otherwise. `None` when the data is
/// empty, not printable ASCII, or too wide for `dots`.
pub fn code128(data: &str, style: BarcodeStyle, dots: u32) -> Option<Vec<u8>> {
    let symbols = code128_data(data)?;
    let width = code128_module_width(&symbols, style.module_width, dots)?;
    let len = u8::try_from(symbols.len()).ok()?;
    let mut out = Vec::with_capacity(symbols.len() + 16);
    out.extend_from_slice(&[GS, b'H', 2, GS, b'f', 0]); // text below, in font A
    out.extend_from_slice(&[GS, b'h', style.height.max(1), GS, b'w', width]);
    out.extend_from_slice(&[GS, b'k', 73, len]);
    out.extend_from_slice(&symbols);
    Some(out)
}

fn code128_data(data: &str) -> Option<Vec<u8>> {
    let bytes = data.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let out = code_set_c(bytes).or_else(|| code_set_b(bytes))?;
    (out.len() <= 255).then_some(out)
}

/// Two digits per byte. Not used where the values would read as `DLE EOT n` (e.g. "160401"):
/// a printer acts on a real-time request even inside another command's data.
fn code_set_c(digits: &[u8]) -> Option<Vec<u8>> {
    if !digits.len().is_multiple_of(2) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = b"{C".to_vec();
    out.extend(digits.chunks(2).map(|pair| (pair[0] - b'0') * 10 + (pair[1] - b'0')));
    let real_time = out.windows(3).any(|w| matches!(w, [DLE, 0x04 | 0x14, 1..=4]));
    (!real_time).then_some(out)
}

fn code_set_b(text: &[u8]) -> Option<Vec<u8>> {
    if !text.iter().all(|b| (0x20..0x7F).contains(b)) {
        return None;
    }
    let mut out = b"{B".to_vec();
    for &b in text {
        // In the data of GS k, '{' starts a code-set switch; a literal brace is "{{".
        out.extend_from_slice(if b == b'{' { b"{{" } else { std::slice::from_ref(&b) });
    }
    Some(out)
}

/// The widest module width up to `wanted` at which the symbol fits the paper.
fn code128_module_width(symbols: &[u8], wanted: u8, dots: u32) -> Option<u8> {
    // Each symbol is 11 modules (a "{{" pair is one symbol, the "{C" prefix is the start
    // symbol), plus the check symbol, the 13-module stop and ten modules of quiet zone a side.
    let data_symbols =
        symbols.len().saturating_sub(2) - symbols.windows(2).filter(|w| w == b"{{").count();
    let modules = u32::try_from((data_symbols + 2) * 11 + 13 + 20).ok()?;
    (2..=wanted.clamp(2, 6)).rev().find(|&w| modules * u32::from(w) <= dots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawer_kick_is_five_bytes_with_both_timings() {
        assert_eq!(drawer_kick(&DrawerConfig::default()), [0x1B, 0x70, 0x00, 0x19, 0xFA]);
        let pin5 = DrawerConfig { pin: Pin::Pin5, on_ms: 1, off_ms: 9000 };
        assert_eq!(drawer_kick(&pin5), [0x1B, 0x70, 0x01, 0x01, 0xFF]);
    }

    #[test]
    fn realtime_pulse_rounds_up_to_100_ms_steps() {
        assert_eq!(realtime_pulse(Pin::Pin2, 150), [0x10, 0x14, 1, 0, 2]);
        assert_eq!(realtime_pulse(Pin::Pin5, 5000), [0x10, 0x14, 1, 1, 8]);
    }

    #[test]
    fn code128_uses_code_set_c_for_an_even_number_of_digits() {
        assert_eq!(code128_data("0101000042").unwrap(), b"{C\x01\x01\x00\x00\x2A");
        assert_eq!(code128_data("123").unwrap(), b"{B123");
        assert_eq!(code128_data("a{b").unwrap(), b"{Ba{{b");
        assert_eq!(code128_data("é"), None);
        // 16 04 01 would be DLE EOT 1 to the printer.
        assert_eq!(code128_data("160401").unwrap(), b"{B160401");
    }

    #[test]
    fn a_uuid_does_not_fit_80_mm_paper() {
        let style = BarcodeStyle { height: 80, module_width: 2 };
        assert!(code128("0190a5d2-7c3e-7b11-9f1e-3c5d6e7f8a9b", style, 512).is_none());
        assert!(code128("0101000042", style, 512).is_some());
    }
}
