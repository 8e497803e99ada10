//! A serial scanner (CDC-ACM or RS-232, with AIM identifiers) feeding the register: each scan
//! is rung as the sale screen rings a keyboard-wedge scan, on its own device thread, and the
//! new screen is pushed to the UI. A scan never lands in a quantity or price field, since it
//! never passes through the keyboard.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use comptoir_device::{Device, DeviceEvent};
use comptoir_scanner::{InStoreRules, Scanned, SerialScanner};

use crate::error::AppError;
use crate::register::Register;
use crate::view::View;

/// What the register rings for a scan: the code the catalog knows, or why it cannot.
pub fn code_to_ring(scanned: &Scanned, data: &str) -> Result<String, AppError> {
    match scanned {
        Scanned::Item { gtin, .. } => Ok(gtin.as_str().to_owned()),
        Scanned::Gs1(element) => match element.gtin() {
            Some(gtin) => Ok(gtin.as_str().to_owned()),
            None => Ok(data.to_owned()),
        },
        // FIXME(weighed-items): the register sells by the unit only; a price- or
        // weight-embedded label is refused rather than rung at the shelf price.
        Scanned::Embedded(label) => Err(AppError::new("label_not_supported", label.item.clone())),
        Scanned::Receipt(code) | Scanned::Credit(code) | Scanned::Text(code) => Ok(code.clone()),
    }
}

/// Starts the serial scanner the `scanner` setting names, if any: every scan is rung on the
/// register and `push` gets the screen after it. Returns whether a scanner was started.
pub fn watch_scanner(register: Arc<Mutex<Register>>, push: impl Fn(View) + Send + 'static) -> bool {
    let setting = {
        let guard = register.lock().unwrap_or_else(PoisonError::into_inner);
        guard.database().setting("scanner").ok().flatten().unwrap_or_default()
    };
    let config = match crate::setup::scanner_setting(&setting) {
        Ok(Some(config)) => config,
        Ok(None) => return false,
        Err(error) => {
            tracing::warn!(%error, "scanner setting not used");
            return false;
        }
    };
    let device = Device::open(SerialScanner::new(config, &InStoreRules::builtin()));
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
        let DeviceEvent::Data(scan) = event else { continue };
        let mut guard = register.lock().unwrap_or_else(PoisonError::into_inner);
        let rung = code_to_ring(&scan.scanned, &scan.data).and_then(|code| guard.scan(&code));
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
