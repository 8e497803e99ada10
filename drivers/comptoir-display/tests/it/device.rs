//! The display driver against the simulated display over a real pseudo-terminal pair.

use std::io::Write;

use comptoir_device::Device;
use comptoir_device::serial::SerialSettings;
use comptoir_display::{
    CodePage, DisplayConfig, DisplayDriver, DisplayRequest, Layout, ThroughPrinter,
};

use crate::support::{WAIT, sim, wait_for_screen};

fn device(path: &str) -> Device<DisplayDriver> {
    let driver = DisplayDriver::new(DisplayConfig::new(SerialSettings::new(path))).unwrap();
    let device = Device::open(driver);
    device.claim(WAIT).unwrap();
    device.enable(WAIT).unwrap();
    device
}

fn layout() -> Layout {
    Layout::new(CodePage::epson(19).unwrap())
}

#[test]
fn a_sale_on_the_display() {
    let dir = tempfile::tempdir().unwrap();
    let frame = dir.path().join("frame");
    let display = device(&sim(&frame));
    let layout = layout();

    display
        .call(DisplayRequest::Show(layout.item("Café crème", "2.50", "Total", "2.50")), WAIT)
        .unwrap();
    wait_for_screen(&frame, ["Café crème      2.50", "Total           2.50"]);

    display
        .call(DisplayRequest::Show(layout.item("Pain au chocolat", "1.35", "Total", "3.85")), WAIT)
        .unwrap();
    wait_for_screen(&frame, ["Pain au chocola 1.35", "Total           3.85"]);

    display.call(DisplayRequest::Show(layout.total("Total", "3.85")), WAIT).unwrap();
    wait_for_screen(&frame, ["Total               ", "                3.85"]);

    display
        .call(DisplayRequest::Show(layout.change("Cash", "5.00", "Change", "1.15")), WAIT)
        .unwrap();
    wait_for_screen(&frame, ["Cash            5.00", "Change          1.15"]);

    display.call(DisplayRequest::Show(layout.idle("Welcome", "Boulangerie Max")), WAIT).unwrap();
    wait_for_screen(&frame, ["      Welcome       ", "  Boulangerie Max   "]);

    display.call(DisplayRequest::Clear, WAIT).unwrap();
    wait_for_screen(&frame, ["                    ", "                    "]);
}

#[test]
fn the_health_check_says_a_display_sends_no_status() {
    let dir = tempfile::tempdir().unwrap();
    let display = device(&sim(&dir.path().join("frame")));
    let health = display.health(WAIT).unwrap();
    assert!(health.ok);
    assert!(health.text.contains("sends no status"), "{}", health.text);
}

#[test]
fn a_code_table_the_driver_cannot_map_is_refused_before_the_port_is_opened() {
    let mut config = DisplayConfig::new(SerialSettings::new("/dev/ttyS0"));
    config.table = 1;
    let Err(error) = DisplayDriver::new(config) else { panic!("accepted table 1") };
    assert_eq!(error.code(), "display_code_table");
}

#[test]
fn a_missing_port_says_so() {
    let driver =
        DisplayDriver::new(DisplayConfig::new(SerialSettings::new("/dev/ttyNODISPLAY"))).unwrap();
    let display = Device::open(driver);
    let error = display.claim(WAIT).unwrap_err();
    assert!(["device_no_hardware", "device_not_found"].contains(&error.code()), "{error}");
}

#[test]
fn frames_for_the_printer_show_on_a_display_behind_it() {
    // The simulator stands for the display in front of the printer: what is framed by ESC = 2
    // and ESC = 1 shows; the receipt text around it goes to the printer.
    let dir = tempfile::tempdir().unwrap();
    let frame = dir.path().join("frame");
    let path = sim(&frame);
    let through = ThroughPrinter::new(CodePage::epson(19).unwrap());
    let mut port = SerialSettings::new(&path).open("test", WAIT).unwrap();
    let mut job = b"\x1b=\x01Receipt 42\n".to_vec();
    job.extend(through.init());
    job.extend(through.show(&layout().change("Carte", "12.40", "Merci", "")));
    job.extend_from_slice(b"more receipt text\n");
    port.write_all(&job).unwrap();
    port.flush().unwrap();
    wait_for_screen(&frame, ["Carte          12.40", "Merci               "]);
}

#[test]
fn a_text_made_for_another_table_is_refused() {
    // "€" is in PC858 (the display's table here) but not in PC437.
    let dir = tempfile::tempdir().unwrap();
    let display = device(&sim(&dir.path().join("frame")));
    let mut config = DisplayConfig::new(SerialSettings::new("/dev/ttyS0"));
    config.table = 0;
    let pc437 = config.layout().unwrap().item("Pain", "1 €", "Total", "1 €");
    let pc858 = layout().item("Pain", "1 €", "Total", "1 €");
    assert_eq!(pc437.line(0), "Pain           1 EUR");
    assert_eq!(display.call(DisplayRequest::Show(pc858), WAIT).map_err(|e| e.code()), Ok(()));
    let mut cp866 = DisplayConfig::new(SerialSettings::new("/dev/ttyS0"));
    cp866.table = 17;
    let cyrillic = cp866.layout().unwrap().text("Итого", "");
    let error = display.call(DisplayRequest::Show(cyrillic), WAIT).unwrap_err();
    assert_eq!(error.code(), "display_text_table");
}
