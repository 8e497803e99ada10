//! A simulated scale on a real pseudo-terminal pair, and a claimed, enabled device on it.

use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use comptoir_device::Device;
use comptoir_device::serial::SerialSettings;
use comptoir_scale::sim::{Scale, Simulator, parse_step};
use comptoir_scale::{ScaleConfig, ScaleDriver, ScaleReply, ScaleRequest};

pub const WAIT: Duration = Duration::from_secs(10);

/// Starts a simulator thread playing `steps`; returns the pseudo-terminal's path.
pub fn sim(steps: &[&str]) -> String {
    let steps = steps.iter().map(|s| parse_step(s).unwrap()).collect();
    start(Scale::new(steps, None, "B021002593".to_owned()))
}

/// Starts a simulator thread whose `slow` steps answer after `slow_ms`.
pub fn slow_sim(steps: &[&str], slow_ms: u64) -> String {
    let steps = steps.iter().map(|s| parse_step(s).unwrap()).collect();
    start(
        Scale::new(steps, None, "B021002593".to_owned())
            .with_slow_delay(Duration::from_millis(slow_ms)),
    )
}

/// Starts a simulator thread reading its steps from `script` at every command.
pub fn sim_with_script(script: PathBuf) -> String {
    start(Scale::new(Vec::new(), Some(script), "B021002593".to_owned()))
}

fn start(scale: Scale) -> String {
    let simulator = Simulator::open(scale).unwrap();
    let path = simulator.path().to_owned();
    // The thread ends with the test binary.
    thread::spawn(move || simulator.run());
    path
}

pub fn config(path: &str) -> ScaleConfig {
    let mut config = ScaleConfig::new(SerialSettings::new(path));
    config.answer_timeout = Duration::from_millis(500);
    config.settle_pause = Duration::from_millis(20);
    config
}

pub fn device(path: &str) -> Device<ScaleDriver> {
    let device = Device::open(ScaleDriver::new(config(path)));
    device.claim(WAIT).unwrap();
    device.enable(WAIT).unwrap();
    device
}

pub fn ask(device: &Device<ScaleDriver>, request: ScaleRequest) -> Result<ScaleReply, String> {
    device.call(request, WAIT).map_err(|e| e.code().to_owned())
}
