//! The scale driver against the simulated scale over a real pseudo-terminal pair.

use std::time::{Duration, Instant};

use comptoir_device::{DeviceEvent, DeviceState};
use comptoir_scale::{Reading, ScaleReply, ScaleRequest, ScaleStatus, Stability, Unit, Weight};
use rust_decimal_macros::dec;

use crate::support::{WAIT, ask, device, sim, sim_with_script, slow_sim};

fn kg(value: rust_decimal::Decimal) -> Weight {
    Weight::new(value, Unit::Kilogram)
}

fn read_stable(timeout_ms: u64) -> ScaleRequest {
    ScaleRequest::ReadStable { timeout: Duration::from_millis(timeout_ms) }
}

#[test]
fn a_stable_weight_is_sellable() {
    let scale = device(&sim(&["stable 0.256 kg"]));
    let Ok(ScaleReply::Sellable(weight)) = ask(&scale, read_stable(2000)) else {
        panic!("no sellable weight");
    };
    assert_eq!(weight.weight(), kg(dec!(0.256)));
}

#[test]
fn a_weight_that_settles_is_read_once_stable() {
    let scale = device(&sim(&["dynamic 0.251 kg", "dynamic 0.255 kg", "stable 0.256 kg"]));
    let Ok(ScaleReply::Sellable(weight)) = ask(&scale, read_stable(3000)) else {
        panic!("no sellable weight");
    };
    assert_eq!(weight.weight(), kg(dec!(0.256)));
}

#[test]
fn a_weight_that_never_settles_is_refused_after_the_timeout() {
    let scale = device(&sim(&["dynamic 0.254 kg"]));
    let started = Instant::now();
    let error = scale.call(read_stable(400), WAIT).unwrap_err();
    assert_eq!(error.code(), "scale_unstable");
    assert_eq!(error.message, "weight not steady: wait for the scale to settle, then weigh again");
    assert!(started.elapsed() >= Duration::from_millis(350), "gave up early");
    assert_eq!(scale.state(), DeviceState::Idle, "a moving weight is no broken scale");
}

#[test]
fn a_busy_scale_that_never_settles_is_unstable_too() {
    let scale = device(&sim(&["busy"]));
    assert_eq!(ask(&scale, read_stable(300)), Err("scale_unstable".to_owned()));
}

#[test]
fn read_now_shows_a_moving_weight_but_sells_nothing() {
    let scale = device(&sim(&["dynamic 0.254 kg"]));
    assert_eq!(
        ask(&scale, ScaleRequest::ReadNow),
        Ok(ScaleReply::Reading(Reading { weight: kg(dec!(0.254)), stability: Stability::Dynamic }))
    );
}

#[test]
fn overload_and_underload_are_errors_and_status_events() {
    let scale = device(&sim(&["overload"]));
    assert_eq!(ask(&scale, read_stable(500)), Err("scale_overload".to_owned()));
    assert_eq!(scale.state(), DeviceState::Error);
    let statuses: Vec<_> = scale
        .events()
        .try_iter()
        .filter_map(|e| match e {
            DeviceEvent::Status(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, [ScaleStatus::Overload]);
    let scale = device(&sim(&["underload"]));
    assert_eq!(ask(&scale, ScaleRequest::ReadNow), Err("scale_underload".to_owned()));
}

#[test]
fn an_empty_pan_or_a_negative_weight_is_not_sold() {
    let scale = device(&sim(&["stable 0.000 kg"]));
    assert_eq!(ask(&scale, read_stable(500)), Err("scale_no_weight".to_owned()));
    let scale = device(&sim(&["stable -0.012 kg"]));
    assert_eq!(ask(&scale, read_stable(500)), Err("scale_negative".to_owned()));
}

#[test]
fn a_silent_scale_times_out_and_the_device_shows_the_error() {
    let scale = device(&sim(&["silent"]));
    let error = scale.call(ScaleRequest::ReadNow, WAIT).unwrap_err();
    assert_eq!(error.code(), "device_timeout");
    assert_eq!(scale.state(), DeviceState::Error);
}

#[test]
fn garbage_from_the_scale_is_a_typed_error() {
    let scale = device(&sim(&["garbage"]));
    let error = scale.call(read_stable(500), WAIT).unwrap_err();
    assert_eq!(error.code(), "scale_garbled");
}

#[test]
fn tare_then_weigh_gives_the_net_weight() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script");
    std::fs::write(&script, "stable 0.050 kg # the customer's box\n").unwrap();
    let scale = device(&sim_with_script(script.clone()));
    assert_eq!(ask(&scale, ScaleRequest::Tare), Ok(ScaleReply::Tared(kg(dec!(0.050)))));
    assert_eq!(ask(&scale, ScaleRequest::TareValue), Ok(ScaleReply::Tare(kg(dec!(0.050)))));
    std::fs::write(&script, "dynamic 0.301 kg\nstable 0.306 kg\n").unwrap();
    let Ok(ScaleReply::Sellable(weight)) = ask(&scale, read_stable(2000)) else {
        panic!("no sellable weight");
    };
    assert_eq!(weight.weight(), kg(dec!(0.256)));
    assert_eq!(ask(&scale, ScaleRequest::ClearTare), Ok(ScaleReply::TareCleared));
    assert_eq!(ask(&scale, ScaleRequest::TareValue), Ok(ScaleReply::Tare(kg(dec!(0.000)))));
}

#[test]
fn tare_and_zero_wait_for_a_stable_weight() {
    let scale = device(&sim(&["dynamic 0.254 kg"]));
    assert_eq!(ask(&scale, ScaleRequest::Tare), Err("scale_busy".to_owned()));
    assert_eq!(ask(&scale, ScaleRequest::Zero), Err("scale_busy".to_owned()));
}

#[test]
fn zero_sets_the_empty_pan_as_zero() {
    let scale = device(&sim(&["stable 0.004 kg"]));
    assert_eq!(ask(&scale, ScaleRequest::Zero), Ok(ScaleReply::Zeroed));
    assert_eq!(
        ask(&scale, ScaleRequest::ReadNow),
        Ok(ScaleReply::Reading(Reading { weight: kg(dec!(0.000)), stability: Stability::Stable }))
    );
}

#[test]
fn tare_and_zero_out_of_range() {
    let scale = device(&sim(&["overload"]));
    assert_eq!(ask(&scale, ScaleRequest::Tare), Err("scale_tare_out_of_range".to_owned()));
    assert_eq!(ask(&scale, ScaleRequest::Zero), Err("scale_zero_out_of_range".to_owned()));
}

#[test]
fn serial_number_reset_and_health() {
    let scale = device(&sim(&["stable 0.256 kg"]));
    let serial = ScaleReply::SerialNumber("B021002593".to_owned());
    assert_eq!(ask(&scale, ScaleRequest::SerialNumber), Ok(serial.clone()));
    assert_eq!(ask(&scale, ScaleRequest::Reset), Ok(serial));
    let health = scale.health(WAIT).unwrap();
    assert!(health.ok);
    assert!(health.text.contains("B021002593"), "{}", health.text);
}

#[test]
fn a_reading_is_a_data_event_while_enabled() {
    let scale = device(&sim(&["stable 0.256 kg"]));
    ask(&scale, ScaleRequest::ReadNow).unwrap();
    let data: Vec<_> = scale
        .events()
        .try_iter()
        .filter_map(|e| match e {
            DeviceEvent::Data(reading) => Some(reading),
            _ => None,
        })
        .collect();
    assert_eq!(data, [Reading { weight: kg(dec!(0.256)), stability: Stability::Stable }]);
}

#[test]
fn the_scale_can_be_released_and_claimed_again() {
    let path = sim(&["stable 0.256 kg"]);
    let scale = device(&path);
    scale.release(WAIT).unwrap();
    assert_eq!(scale.call(ScaleRequest::ReadNow, WAIT).unwrap_err().code(), "device_not_claimed");
    scale.claim(WAIT).unwrap();
    scale.enable(WAIT).unwrap();
    assert!(matches!(ask(&scale, ScaleRequest::ReadNow), Ok(ScaleReply::Reading(_))));
}

#[test]
fn a_missing_port_says_so() {
    let scale = comptoir_device::Device::open(comptoir_scale::ScaleDriver::new(
        crate::support::config("/dev/ttyNOSUCHSCALE"),
    ));
    let error = scale.claim(WAIT).unwrap_err();
    assert!(["device_no_hardware", "device_not_found"].contains(&error.code()), "{error}");
}

#[test]
fn a_late_answer_is_never_read_as_the_next_weight() {
    // The first weight comes after the driver stopped waiting (500 ms); the item is then
    // changed. MT-SICS answers carry no sequence number: read as the answer to the next
    // command, the late 1.000 kg would price the new item.
    let scale = device(&slow_sim(&["slow 1.000 kg", "stable 0.256 kg"], 700));
    assert_eq!(ask(&scale, ScaleRequest::ReadNow), Err("device_timeout".to_owned()));
    assert_eq!(
        ask(&scale, ScaleRequest::ReadNow),
        Ok(ScaleReply::Reading(Reading { weight: kg(dec!(0.256)), stability: Stability::Stable }))
    );
}

#[test]
fn a_line_the_scale_sends_on_its_own_is_not_taken_for_the_answer() {
    // After power-on an MT-SICS scale sends `I4 A "<serial number>"` unasked (the answer a
    // reset gives). A peer on a raw pseudo-terminal sends it just before the answer to SI.
    use std::io::{Read, Write};

    use serialport::SerialPort;
    let (mut peer, slave) = comptoir_device::serial::pty_pair().unwrap();
    let path = slave.name().unwrap();
    drop(slave);
    let scale = device(&path);
    let request = std::thread::spawn(move || ask(&scale, ScaleRequest::ReadNow));
    let mut command = Vec::new();
    let mut byte = [0u8; 1];
    while !command.ends_with(b"\r\n") {
        if let Ok(1) = peer.read(&mut byte) {
            command.push(byte[0]);
        }
    }
    assert_eq!(command, b"SI\r\n");
    peer.write_all(b"I4 A \"B021002593\"\r\n\r\nS S      0.256 kg\r\n").unwrap();
    assert_eq!(
        request.join().unwrap(),
        Ok(ScaleReply::Reading(Reading { weight: kg(dec!(0.256)), stability: Stability::Stable }))
    );
}
