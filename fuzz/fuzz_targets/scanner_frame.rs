//! The serial scanner's framer (`LineReader`), the AIM identifier (`split_aim`) and UPC-E
//! expansion (`expand_upc_e`).
//! Invariants: the stream cut at any point gives the same scans as in one piece; no scan is
//! longer than the limit or holds its line ending.
#![no_main]

use comptoir_scanner::Suffix;
use comptoir_scanner::aim::split_aim;
use comptoir_scanner::frame::{Frame, LineReader};
use comptoir_scanner::upc::expand_upc_e;
use libfuzzer_sys::fuzz_target;

const MAX: usize = 64;

fuzz_target!(|data: &[u8]| {
    let [pick, cut, stream @ ..] = data else { return };
    let suffix = [Suffix::Any, Suffix::Cr, Suffix::Lf, Suffix::CrLf][usize::from(*pick % 4)];
    let mut whole = LineReader::new(suffix, MAX);
    let frames = whole.push(stream);
    let at = usize::from(*cut).min(stream.len());
    let mut pieces = LineReader::new(suffix, MAX);
    let mut cut_frames = pieces.push(&stream[..at]);
    cut_frames.extend(pieces.push(&stream[at..]));
    assert_eq!(frames, cut_frames, "cut at {at}");
    assert_eq!(whole.has_partial(), pieces.has_partial());
    for frame in &frames {
        if let Frame::Line(line) = frame {
            assert!(line.len() <= MAX);
            assert!(!line.ends_with(suffix.bytes()), "{line:?}");
            let _ = split_aim(line);
        }
    }
    let _ = split_aim(stream);
    if let Ok(text) = std::str::from_utf8(stream) {
        let _ = expand_upc_e(text);
    }
});
