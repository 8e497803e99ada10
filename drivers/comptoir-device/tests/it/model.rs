//! The device model's lifecycle, states and events, with a driver whose hardware is a counter
//! the test can make fail.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use comptoir_device::{
    Device, DeviceError, DeviceEvent, DeviceKind, DeviceState, Driver, ErrorCode, Events, Health,
};

const T: Duration = Duration::from_secs(5);

/// What the test controls of the fake hardware.
#[derive(Default)]
struct Wire {
    claims: AtomicU32,
    releases: AtomicU32,
    unplugged: AtomicBool,
    busy_elsewhere: AtomicBool,
    /// Input the "device" produces; each poll turns one into a data event.
    input: Mutex<Vec<String>>,
    /// Holds a request until the test lets it go.
    gate: Mutex<()>,
}

struct Counter {
    wire: Arc<Wire>,
    total: u32,
}

impl Driver for Counter {
    type Request = u32;
    type Reply = u32;
    type Data = String;
    type Status = &'static str;

    fn kind(&self) -> DeviceKind {
        DeviceKind::Scale
    }

    fn describe(&self) -> String {
        "counter on /dev/null".to_owned()
    }

    fn claim(&mut self) -> Result<(), DeviceError> {
        if self.wire.busy_elsewhere.load(Ordering::SeqCst) {
            return Err(DeviceError::new(ErrorCode::Claimed, "in use by another program"));
        }
        self.wire.claims.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn release(&mut self) {
        self.wire.releases.fetch_add(1, Ordering::SeqCst);
    }

    fn request(&mut self, add: u32, events: &Events<Self>) -> Result<u32, DeviceError> {
        let _held = self.wire.gate.lock().unwrap();
        if self.wire.unplugged.load(Ordering::SeqCst) {
            return Err(DeviceError::extended(
                ErrorCode::Offline,
                "counter_unplugged",
                "unplugged",
            ));
        }
        if add == 0 {
            return Err(DeviceError::new(ErrorCode::Illegal, "adding nothing"));
        }
        self.total += add;
        if self.total > 100 {
            events.status("over a hundred");
        }
        Ok(self.total)
    }

    fn poll_interval(&self) -> Option<Duration> {
        Some(Duration::from_millis(5))
    }

    fn poll(&mut self, events: &Events<Self>) -> Result<(), DeviceError> {
        if self.wire.unplugged.load(Ordering::SeqCst) {
            return Err(DeviceError::new(ErrorCode::NoHardware, "unplugged"));
        }
        if let Some(scan) = self.wire.input.lock().unwrap().pop() {
            events.data(scan);
        }
        Ok(())
    }

    fn health(&mut self) -> Result<Health, DeviceError> {
        if self.wire.unplugged.load(Ordering::SeqCst) {
            return Err(DeviceError::new(ErrorCode::NoHardware, "unplugged"));
        }
        Ok(Health::ok(format!("total {}", self.total)))
    }
}

fn open() -> (Device<Counter>, Arc<Wire>) {
    let wire = Arc::new(Wire::default());
    (Device::open(Counter { wire: Arc::clone(&wire), total: 0 }), wire)
}

fn ready() -> (Device<Counter>, Arc<Wire>) {
    let (device, wire) = open();
    device.claim(T).unwrap();
    device.enable(T).unwrap();
    (device, wire)
}

/// Waits for the first event that `want` picks, skipping others.
fn wait_for<T>(
    device: &Device<Counter>,
    mut want: impl FnMut(DeviceEvent<Counter>) -> Option<T>,
) -> T {
    loop {
        let event = device.events().recv_timeout(T).expect("the event never came");
        if let Some(found) = want(event) {
            return found;
        }
    }
}

#[test]
fn a_device_must_be_claimed_then_enabled_before_use() {
    let (device, wire) = open();
    assert_eq!(device.state(), DeviceState::Idle);
    assert_eq!(device.call(1, T).unwrap_err().kind, ErrorCode::NotClaimed);
    assert_eq!(device.enable(T).unwrap_err().code(), "device_not_claimed");

    device.claim(T).unwrap();
    device.claim(T).unwrap();
    assert_eq!(wire.claims.load(Ordering::SeqCst), 1, "a second claim touches nothing");
    assert_eq!(device.call(1, T).unwrap_err().code(), "device_disabled");

    device.enable(T).unwrap();
    assert!(device.claimed() && device.enabled());
    assert_eq!(device.call(2, T).unwrap(), 2);
    assert_eq!(device.call(3, T).unwrap(), 5);

    device.disable(T).unwrap();
    assert_eq!(device.call(1, T).unwrap_err().kind, ErrorCode::Disabled);
    device.release(T).unwrap();
    assert_eq!(wire.releases.load(Ordering::SeqCst), 1);
    assert_eq!(device.call(1, T).unwrap_err().kind, ErrorCode::NotClaimed);
}

#[test]
fn a_claim_refused_by_the_hardware_says_so() {
    let (device, wire) = open();
    wire.busy_elsewhere.store(true, Ordering::SeqCst);
    let error = device.claim(T).unwrap_err();
    assert_eq!(
        (error.kind, error.code(), error.kind.number()),
        (ErrorCode::Claimed, "device_claimed", 102)
    );
    assert!(!device.claimed());
    wire.busy_elsewhere.store(false, Ordering::SeqCst);
    device.claim(T).unwrap();
}

#[test]
fn a_hardware_failure_puts_the_device_in_error_until_it_works_again() {
    let (device, wire) = ready();
    wire.unplugged.store(true, Ordering::SeqCst);
    let error = device.call(1, T).unwrap_err();
    assert_eq!(error.code(), "counter_unplugged", "the driver's own code wins");
    assert_eq!(error.kind, ErrorCode::Offline);
    assert_eq!(device.state(), DeviceState::Error);
    wait_for(&device, |e| matches!(e, DeviceEvent::State(DeviceState::Error)).then_some(()));
    assert!(!device.health(T).unwrap_err().message.is_empty());

    wire.unplugged.store(false, Ordering::SeqCst);
    assert_eq!(device.call(1, T).unwrap(), 1);
    assert_eq!(device.state(), DeviceState::Idle);
    assert_eq!(device.health(T).unwrap(), Health::ok("total 1"));
}

#[test]
fn a_refused_request_is_no_hardware_error() {
    let (device, _wire) = ready();
    assert_eq!(device.call(0, T).unwrap_err().kind, ErrorCode::Illegal);
    assert_eq!(device.state(), DeviceState::Idle);
}

#[test]
fn the_device_is_busy_while_a_request_runs() {
    let (device, wire) = ready();
    let held = wire.gate.lock().unwrap();
    let id = device.submit(5).unwrap();
    wait_for(&device, |e| matches!(e, DeviceEvent::State(DeviceState::Busy)).then_some(()));
    assert_eq!(device.state(), DeviceState::Busy);
    let error = device.call(1, Duration::from_millis(50)).unwrap_err();
    assert_eq!(error.kind, ErrorCode::Timeout, "a caller does not wait forever");
    drop(held);
    let (done, reply) = wait_for(&device, |e| match e {
        DeviceEvent::OutputComplete { id, reply } => Some((id, reply)),
        _ => None,
    });
    assert_eq!((done, reply), (id, 5));
    // The request that timed out still ran, in order, after the first: the health check
    // queued behind it sees both.
    assert_eq!(device_total(&device), 6);
}

fn device_total(device: &Device<Counter>) -> u32 {
    device.health(T).unwrap().text.trim_start_matches("total ").parse().unwrap()
}

#[test]
fn a_submitted_request_that_fails_reports_its_id() {
    let (device, wire) = ready();
    wire.unplugged.store(true, Ordering::SeqCst);
    let id = device.submit(1).unwrap();
    let (failed, code) = wait_for(&device, |e| match e {
        DeviceEvent::OutputError { id, error } => Some((id, error.code())),
        _ => None,
    });
    assert_eq!((failed, code), (id, "counter_unplugged"));
}

#[test]
fn input_is_reported_only_while_enabled() {
    let (device, wire) = open();
    device.claim(T).unwrap();
    wire.input.lock().unwrap().push("before".to_owned());
    thread::sleep(Duration::from_millis(50));
    assert!(wire.input.lock().unwrap().is_empty(), "polled while claimed");
    device.enable(T).unwrap();
    wire.input.lock().unwrap().push("0019061093791".to_owned());
    let scan = wait_for(&device, |e| match e {
        DeviceEvent::Data(scan) => Some(scan),
        _ => None,
    });
    assert_eq!(scan, "0019061093791", "input from before enable is not reported");
}

#[test]
fn a_poll_that_fails_is_an_error_event() {
    let (device, wire) = ready();
    wire.unplugged.store(true, Ordering::SeqCst);
    let error = wait_for(&device, |e| match e {
        DeviceEvent::Error(error) => Some(error),
        _ => None,
    });
    assert_eq!(error.kind, ErrorCode::NoHardware);
    assert_eq!(device.state(), DeviceState::Error);
}

#[test]
fn status_changes_come_as_events() {
    let (device, _wire) = ready();
    device.call(101, T).unwrap();
    let status = wait_for(&device, |e| match e {
        DeviceEvent::Status(status) => Some(status),
        _ => None,
    });
    assert_eq!(status, "over a hundred");
}

#[test]
fn closing_releases_the_hardware() {
    let (device, wire) = ready();
    device.close();
    assert_eq!(wire.releases.load(Ordering::SeqCst), 1);
    let (device, wire) = ready();
    drop(device);
    assert_eq!(wire.releases.load(Ordering::SeqCst), 1, "dropping the handle closes too");
}

#[test]
fn errors_read_as_what_to_do() {
    let error = DeviceError::from_io(
        "the scale",
        &std::io::Error::from(std::io::ErrorKind::PermissionDenied),
    );
    assert_eq!(error.code(), "device_no_service");
    assert!(error.message.contains("dialout"), "{}", error.message);
    let shown = error.to_string();
    assert!(shown.starts_with("device_no_service (104): the scale"), "{shown}");
}
