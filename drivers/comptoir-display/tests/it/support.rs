//! A simulated display on a real pseudo-terminal pair, and waiting for what it shows.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use comptoir_display::sim::Simulator;

pub const WAIT: Duration = Duration::from_secs(10);

/// Starts a simulator thread that keeps its last screen in `frame`; returns the path to open.
pub fn sim(frame: &Path) -> String {
    let simulator = Simulator::open(Some(frame.to_owned())).unwrap();
    let path = simulator.path().to_owned();
    // The thread ends with the test binary.
    thread::spawn(move || simulator.run(|_| {}));
    path
}

/// Waits until the frame file shows `lines`; panics with what it shows after a while.
pub fn wait_for_screen(frame: &Path, lines: [&str; 2]) {
    let expected = format!("{}\n{}\n", lines[0], lines[1]);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let shown = std::fs::read_to_string(frame).unwrap_or_default();
        if shown == expected {
            return;
        }
        if Instant::now() > deadline {
            panic!("the display shows\n{shown}instead of\n{expected}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}
