//! The ZVT serial framing (`DLE STX ... DLE ETX CRC`): `split_frame` and `parse_frame`.
//! Invariants: a frame that parses re-frames to the same bytes (stuffing is unique); every
//! prefix of a split frame is "not yet" (`Ok(None)`), never an error or another frame; the
//! bytes a split frame consumed split to the same frame.
#![no_main]

use comptoir_zvt::frame::{encode_frame, split_frame};
use comptoir_zvt::parse_frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(apdu) = parse_frame(data) {
        assert_eq!(encode_frame(&apdu), data);
    }
    let Ok(Some(frame)) = split_frame(data) else { return };
    assert!(frame.consumed <= data.len());
    let whole = &data[..frame.consumed];
    assert_eq!(split_frame(whole), Ok(Some(frame.clone())));
    // Cutting every prefix is quadratic; a few cuts are enough for the fuzzer to explore.
    let step = (whole.len() / 16).max(1);
    for cut in (0..whole.len()).step_by(step) {
        assert_eq!(split_frame(&whole[..cut]), Ok(None), "cut at {cut}");
    }
});
