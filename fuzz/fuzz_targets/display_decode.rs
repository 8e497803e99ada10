//! The customer display's commands as the display reads them: `decode::decode` and
//! `Screen::feed`.
//! Invariant: bytes that decode whole, fed to a screen in two pieces cut anywhere, leave the
//! same screen, with no error and nothing pending.
#![no_main]

use comptoir_display::decode::{Screen, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&cut, bytes)) = data.split_first() else { return };
    let at = usize::from(cut).min(bytes.len());
    let mut screen = Screen::new();
    let mut errors = screen.feed(&bytes[..at]);
    errors.extend(screen.feed(&bytes[at..]));
    let _ = (screen.lines(), screen.cursor());
    let Ok(whole) = decode(bytes) else { return };
    assert_eq!(errors, vec![], "cut at {at}");
    assert!(!screen.has_pending());
    assert_eq!(screen.lines(), whole.lines());
    assert_eq!(screen.cursor(), whole.cursor());
});
