//! The USB transport's settings, and what it says when no such printer is on the bus. The
//! transfers themselves need a real printer: docs/devices/printers.md has the manual checks.

use comptoir_printer::{Job, Transport, UsbConfig, UsbTransport, list_usb_devices};

#[test]
fn usb_settings_read_like_lsusb_prints_them() {
    let config = UsbConfig::parse("04b8:0e15").unwrap();
    assert_eq!((config.vendor_id, config.product_id, config.serial_number), (0x04B8, 0x0E15, None));
    let two = UsbConfig::parse("04b8:0e15:J6KF012345").unwrap();
    assert_eq!(two.serial_number.as_deref(), Some("J6KF012345"));
    for bad in ["", "04b8", "4b8:e15", "04b8:0e15:", "zzzz:0e15", "04b8:0e15:a b"] {
        assert!(UsbConfig::parse(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn a_printer_not_on_the_bus_is_offline_and_says_which() {
    // Vendor ffff is reserved: no device carries it. Without USB access at all (a container
    // with no /dev/bus/usb), libusb fails to start, which is offline or an error too.
    let mut printer = UsbTransport::new(UsbConfig::parse("ffff:fffe:NOPE").unwrap());
    let error = printer.write_job(&Job::new("sale-1", b"x\n".to_vec())).unwrap_err();
    assert!(matches!(error.code(), "printer_offline" | "printer_io" | "printer_error"), "{error}");
    if error.code() == "printer_offline" {
        assert!(error.to_string().contains("ffff:fffe serial NOPE"), "{error}");
    }
    // Listing never panics, whatever the machine has.
    let _ = list_usb_devices();
}
