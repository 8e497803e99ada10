//! The simulator binary as a separate process, the way IT runs it for a demo.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use comptoir_device::Device;
use comptoir_device::serial::SerialSettings;
use comptoir_display::{CodePage, DisplayConfig, DisplayDriver, DisplayRequest, Layout};

use crate::support::{WAIT, wait_for_screen};

/// Kills the simulator when the test ends, pass or fail.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_binary_shows_what_it_receives_and_keeps_the_last_frame() {
    let dir = tempfile::tempdir().unwrap();
    let frame = dir.path().join("frame");
    let link = dir.path().join("display");
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-display-sim"))
        .args(["--frame", frame.to_str().unwrap(), "--link", link.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let _sim = Sim(child);
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let path = line.trim().strip_prefix("display on ").unwrap_or_else(|| panic!("{line:?}"));
    assert!(path.starts_with("/dev/pts/"), "{path}");

    let mut config = DisplayConfig::new(SerialSettings::new(link.to_str().unwrap()));
    config.table = 2;
    let display = Device::open(DisplayDriver::new(config).unwrap());
    display.claim(WAIT).unwrap();
    display.enable(WAIT).unwrap();
    let layout = Layout::new(CodePage::epson(2).unwrap());
    display
        .call(DisplayRequest::Show(layout.change("Espèces", "20.00", "Rendu", "1.70")), WAIT)
        .unwrap();
    wait_for_screen(&frame, ["Espèces        20.00", "Rendu           1.70"]);

    let mut shown = Vec::new();
    while !shown.contains(&"|Rendu           1.70|".to_owned()) {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the simulator stopped: {shown:?}");
        shown.push(line.trim_end().to_owned());
    }
    assert!(shown.contains(&"|Espèces        20.00|".to_owned()), "{shown:?}");
}

#[test]
fn a_display_unplugged_mid_sale_is_a_typed_error_and_the_register_goes_on() {
    let child = Command::new(env!("CARGO_BIN_EXE_comptoir-display-sim"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut sim = Sim(child);
    let mut line = String::new();
    BufReader::new(sim.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let path = line.trim().strip_prefix("display on ").unwrap().to_owned();
    let config = DisplayConfig::new(SerialSettings::new(&path));
    let display = Device::open(DisplayDriver::new(config).unwrap());
    display.claim(WAIT).unwrap();
    display.enable(WAIT).unwrap();
    drop(sim);
    let text = Layout::new(CodePage::epson(19).unwrap()).item("Pain", "1.20", "Total", "1.20");
    let error = display.call(DisplayRequest::Show(text.clone()), WAIT).unwrap_err();
    // The pseudo-terminal reports a broken pipe (offline) or an I/O error (failure).
    assert!(["device_offline", "device_failure"].contains(&error.code()), "{error}");
    assert_eq!(display.state(), comptoir_device::DeviceState::Error);
    assert!(display.call(DisplayRequest::Show(text), WAIT).is_err());
}
