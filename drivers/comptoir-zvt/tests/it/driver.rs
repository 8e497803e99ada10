//! The card terminal as a `comptoir_device` device: requests on its thread, intermediate
//! statuses and receipt lines as events, the health check as a status enquiry.

use std::time::Duration;

use comptoir_device::{Device, DeviceEvent, DeviceKind};
use comptoir_zvt::{Endpoint, Reply, Request, Verdict, ZvtData, ZvtDriver, ZvtStatus};

use crate::support::{BOTH, Sim, test_config};

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn a_payment_through_the_device_reports_statuses_and_receipt_lines() {
    let sim = Sim::start();
    for via in BOTH {
        let device = Device::open(ZvtDriver::new(sim.endpoint(via), test_config()));
        assert_eq!(device.kind(), DeviceKind::CardTerminal);
        device.claim(WAIT).unwrap();
        device.enable(WAIT).unwrap();
        let health = device.health(WAIT).unwrap();
        assert!(health.ok && health.text.contains("comptoir-zvt-sim"), "{health:?}");
        let request =
            Request::Pay { amount: 2500, currency: None, intent_id: "sale-9/card-1".to_owned() };
        let Reply::Outcome(outcome) = device.call(request, WAIT).unwrap() else { panic!() };
        assert_eq!(outcome.verdict, Verdict::Approved, "{via:?}");
        let events: Vec<_> = device.events().try_iter().collect();
        assert!(
            events.iter().any(
                |e| matches!(e, DeviceEvent::Status(ZvtStatus::Display(t)) if t.contains("PIN"))
            )
        );
        assert!(events.iter().any(
            |e| matches!(e, DeviceEvent::Data(ZvtData::ReceiptLine(l)) if l.contains("EUR 25,00"))
        ));
        device.close();
    }
}

#[test]
fn a_lost_payment_through_the_device_is_unknown_then_recovered() {
    let sim = Sim::start();
    for via in BOTH {
        let device = Device::open(ZvtDriver::new(sim.endpoint(via), test_config()));
        device.claim(WAIT).unwrap();
        device.enable(WAIT).unwrap();
        sim.script("drop-after-status");
        let pay =
            Request::Pay { amount: 3100, currency: None, intent_id: "sale-10/card-1".to_owned() };
        let Reply::Outcome(lost) = device.call(pay, WAIT).unwrap() else { panic!() };
        assert!(matches!(lost.verdict, Verdict::Unknown(_)), "{via:?}");
        sim.script("approve");
        let intent = comptoir_zvt::Intent {
            id: "sale-10/card-1".to_owned(),
            amount: 3100,
            receipt_no: lost.reference.receipt_no,
            previous_receipt_no: None,
        };
        let Reply::Recovery(recovery) = device.call(Request::Recover(intent), WAIT).unwrap() else {
            panic!()
        };
        assert_eq!(recovery.code(), "card_approved", "{via:?}: {recovery:?}");
        device.close();
    }
    assert_eq!(sim.charges(), 2);
}

#[test]
fn an_unreachable_terminal_is_offline_with_a_message() {
    let device =
        Device::open(ZvtDriver::new(Endpoint::Tcp("127.0.0.1:1".to_owned()), test_config()));
    let error = device.claim(WAIT).unwrap_err();
    assert_eq!(error.code(), "terminal_offline");
    assert!(error.message.contains("not reachable"), "{error}");
}

#[test]
fn endpoints_parse() {
    assert_eq!(Endpoint::parse("10.0.0.7").unwrap(), Endpoint::Tcp("10.0.0.7:20007".to_owned()));
    assert_eq!(Endpoint::parse("tcp://pt:4000").unwrap(), Endpoint::Tcp("pt:4000".to_owned()));
    let Endpoint::Serial(plain) = Endpoint::parse("/dev/ttyUSB0@9600").unwrap() else { panic!() };
    assert_eq!(plain.to_string(), "/dev/ttyUSB0@9600,8N2");
    let Endpoint::Serial(framed) = Endpoint::parse("/dev/ttyS0@19200,8N1").unwrap() else {
        panic!()
    };
    assert_eq!(framed.to_string(), "/dev/ttyS0@19200,8N1");
    assert!(Endpoint::parse("tcp://").is_err());
}
