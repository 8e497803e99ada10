//! MT-SICS from the scale: the line framer (`Lines`), `parse_reply`, `parse_weight`, and the
//! simulator's script (`sim::parse_script`).
//! Invariants: the stream cut at any point gives the same lines as in one piece; a weight
//! that parses, formatted as a scale sends it, parses to the same weight.
#![no_main]

use comptoir_scale::sics::{Lines, format_weight, parse_reply, parse_weight};
use comptoir_scale::sim::parse_script;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, stream)) = data.split_first() else { return };
    let mut whole = Lines::new();
    let lines = whole.push(stream);
    let at = usize::from(cut).min(stream.len());
    let mut pieces = Lines::new();
    let mut cut_lines = pieces.push(&stream[..at]);
    cut_lines.extend(pieces.push(&stream[at..]));
    assert_eq!(lines, cut_lines, "cut at {at}");
    for line in lines.iter().flatten() {
        let _ = parse_reply(line);
    }
    let _ = parse_reply(stream);
    let Ok(text) = std::str::from_utf8(stream) else { return };
    if let Ok(weight) = parse_weight(text) {
        let formatted = format_weight(&weight);
        assert_eq!(parse_weight(&formatted), Ok(weight), "{formatted:?}");
    }
    let _ = parse_script(text);
});
