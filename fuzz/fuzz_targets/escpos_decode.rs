//! The ESC/POS decoder (what the virtual printer and the receipt preview read): `decode`,
//! `decode_with` each power-on state, `render_commands`.
//! Invariant: a job that decodes also renders; a Kanji power-on state never panics either.
#![no_main]

use comptoir_escpos_decoder::{DecodeOptions, KanjiEncoding, decode, decode_with, render_commands};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, job)) = data.split_first() else { return };
    if let Ok(commands) = decode(job) {
        let _ = render_commands(&commands);
    }
    let kanji_encoding = [KanjiEncoding::Gb18030, KanjiEncoding::Jis, KanjiEncoding::ShiftJis]
        [usize::from(pick % 3)];
    let options = DecodeOptions { kanji_mode_at_init: pick & 4 != 0, kanji_encoding };
    if let Ok(commands) = decode_with(job, options) {
        let _ = render_commands(&commands);
    }
});
