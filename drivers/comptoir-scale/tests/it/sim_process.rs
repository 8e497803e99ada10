//! The simulator binary as a separate process, the way IT runs it for a demo.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use comptoir_scale::{ScaleReply, ScaleRequest, Unit, Weight};
use rust_decimal_macros::dec;

use crate::support::{ask, device};

/// Kills the simulator when the test ends, pass or fail.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Sim, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_comptoir-scale-sim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let sim = Sim(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let path = line.trim().strip_prefix("scale on ").unwrap_or_else(|| panic!("{line:?}"));
    (sim, path.to_owned())
}

#[test]
fn the_binary_announces_its_port_and_plays_its_steps() {
    let (_sim, path) = start(&["--step", "dynamic 0.20 lb", "--step", "stable 0.25 lb"]);
    assert!(path.starts_with("/dev/pts/"), "{path}");
    let scale = device(&path);
    let request = ScaleRequest::ReadStable { timeout: std::time::Duration::from_secs(2) };
    let Ok(ScaleReply::Sellable(weight)) = ask(&scale, request) else {
        panic!("no sellable weight");
    };
    assert_eq!(weight.weight(), Weight::new(dec!(0.25), Unit::Pound));
}

#[test]
fn a_script_file_changes_the_weight_of_a_running_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script");
    std::fs::write(&script, "overload\n").unwrap();
    let link = dir.path().join("scale");
    let (_sim, _path) =
        start(&["--script", script.to_str().unwrap(), "--link", link.to_str().unwrap()]);
    let scale = device(link.to_str().unwrap());
    assert_eq!(ask(&scale, ScaleRequest::ReadNow), Err("scale_overload".to_owned()));
    std::fs::write(&script, "stable 1.234 kg\n").unwrap();
    assert!(
        matches!(ask(&scale, ScaleRequest::ReadNow), Ok(ScaleReply::Reading(r)) if r.weight == Weight::new(dec!(1.234), Unit::Kilogram))
    );
}

#[test]
fn a_scale_unplugged_mid_sale_is_a_typed_error_and_the_register_goes_on() {
    let (sim, path) = start(&["--step", "stable 0.256 kg"]);
    let scale = device(&path);
    assert!(matches!(ask(&scale, ScaleRequest::ReadNow), Ok(ScaleReply::Reading(_))));
    drop(sim);
    let error = scale.call(ScaleRequest::ReadNow, crate::support::WAIT).unwrap_err();
    // The pseudo-terminal reports a broken pipe (offline) or an I/O error (failure).
    assert!(["device_offline", "device_failure"].contains(&error.code()), "{error}");
    assert_eq!(scale.state(), comptoir_device::DeviceState::Error);
    // The device's thread is alive and answers the next request with an error, not a hang.
    assert!(scale.call(ScaleRequest::ReadNow, crate::support::WAIT).is_err());
}
