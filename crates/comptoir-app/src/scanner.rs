//! A serial scanner (CDC-ACM or RS-232, with AIM identifiers) feeding the register: each scan
//! is rung as the sale screen rings a keyboard-wedge scan, on its own device thread, and the
//! new screen is pushed to the UI. A scan never lands in a quantity or price field, since it
//! never passes through the keyboard.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use comptoir_device::{Device, DeviceError, DeviceEvent};
use comptoir_scanner::{Scanned, SerialScanner};

use crate::error::AppError;
use crate::labels::builtin_rules;
use crate::register::Register;
use crate::view::View;

/// A code the scanner read wrong (a check digit, a label's price check digit, digits that are
/// no GTIN, a bad GS1 field), as the cashier's error; `None` for junk on the line and the
/// scanner's own faults, which the driver logs.
pub(crate) fn misread(error: &DeviceError) -> Option<AppError> {
    let code = error.code();
    match code {
        // The driver's detail is `CODE: what is wrong`; the message names the code itself.
        "scan_check_digit" | "scan_label_check_digit" => {
            let scanned = error.detail.split_once(": ").map_or("", |(c, _)| c);
            Some(AppError::new(code, scanned.to_owned()))
        }
        "scan_not_a_gtin" | "scan_gs1_invalid" => Some(AppError::new(code, error.message.clone())),
        _ => None,
    }
}

/// What the register rings for a scan: the code it looks up. An in-store label is rung by its
/// whole code, which `Register::scan` reads with the same layouts (`labels.rs`).
pub fn code_to_ring(scanned: &Scanned, data: &str) -> String {
    match scanned {
        Scanned::Item { gtin, .. } => gtin.as_str().to_owned(),
        Scanned::Gs1(element) => match element.gtin() {
            Some(gtin) => gtin.as_str().to_owned(),
            None => data.to_owned(),
        },
        Scanned::Embedded(label) => label.gtin.as_str().to_owned(),
        Scanned::Receipt(code) | Scanned::Credit(code) | Scanned::Text(code) => code.clone(),
    }
}

/// Starts the serial scanner the `scanner` setting names, if any: every scan is rung on the
/// register and `push` gets the screen after it. Returns whether a scanner was started.
pub fn watch_scanner(register: Arc<Mutex<Register>>, push: impl Fn(View) + Send + 'static) -> bool {
    let (setting, country) = {
        let guard = register.lock().unwrap_or_else(PoisonError::into_inner);
        let setting = guard.database().setting("scanner").ok().flatten().unwrap_or_default();
        (setting, guard.label_country())
    };
    let mut config = match crate::setup::scanner_setting(&setting) {
        Ok(Some(config)) => config,
        Ok(None) => return false,
        Err(error) => {
            tracing::warn!(%error, "scanner setting not used");
            return false;
        }
    };
    // The scanner reads labels with the register's layouts: its own country, or the store's.
    config.country = country;
    let device = Device::open(SerialScanner::new(config, builtin_rules()));
    let started = std::thread::Builder::new()
        .name("comptoir-scanner".into())
        .spawn(move || run(&device, &register, &push));
    started.is_ok()
}

fn run(device: &Device<SerialScanner>, register: &Mutex<Register>, push: &dyn Fn(View)) {
    loop {
        // An unplugged scanner is looked for again, every few seconds, until it is back.
        if !device.enabled() {
            let wait = Duration::from_secs(2);
            let opened = device.claim(wait).and_then(|()| device.enable(wait));
            if let Err(error) = opened {
                tracing::warn!(%error, "serial scanner not ready");
                std::thread::sleep(Duration::from_secs(3));
                continue;
            }
        }
        let Ok(event) = device.events().recv_timeout(Duration::from_secs(1)) else { continue };
        let rung = match event {
            DeviceEvent::Data(scan) => Ok(code_to_ring(&scan.scanned, &scan.data)),
            // A code read wrong (a check digit, a label's price check digit) is said on the
            // screen; junk on the line is only logged by the driver.
            DeviceEvent::Error(error) => match misread(&error) {
                Some(error) => Err(error),
                None => continue,
            },
            _ => continue,
        };
        let mut guard = register.lock().unwrap_or_else(PoisonError::into_inner);
        let rung = rung.and_then(|code| guard.scan(&code));
        if let Err(error) = rung {
            // The sale screen shows the notice (unknown barcode, receipt to return).
            tracing::info!(code = error.code, "serial scan not rung");
            guard.note_error(&error);
        }
        match guard.view() {
            Ok(view) => {
                drop(guard);
                push(view);
            }
            Err(error) => tracing::warn!(%error, "could not build the view"),
        }
    }
}
