//! The customer display as a device: on its own serial port through the common device model,
//! or behind the receipt printer, where this crate only makes the bytes and the printer's
//! driver sends them.

use std::io::{self, Write};
use std::time::Duration;

use comptoir_device::serial::SerialSettings;
use comptoir_device::{DeviceError, DeviceKind, Driver, ErrorCode, Events, Health};
use serialport::SerialPort;

use crate::encode;
use crate::text::{CodePage, DisplayText, Layout};

/// What the register asks the display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisplayRequest {
    /// Shows two lines (made by a [`crate::Layout`]).
    Show(DisplayText),
    /// Blanks the screen.
    Clear,
}

/// A display on a serial port, with the code table it is to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayConfig {
    pub port: SerialSettings,
    /// `ESC t n`: 19 (PC858, Western European with the euro) unless the display lacks it.
    pub table: u8,
}

impl DisplayConfig {
    pub fn new(port: SerialSettings) -> DisplayConfig {
        DisplayConfig { port, table: 19 }
    }

    /// The code page the setting names, or an error IT can act on.
    pub fn page(&self) -> Result<CodePage, DeviceError> {
        CodePage::epson(self.table).ok_or_else(|| {
            DeviceError::extended(
                ErrorCode::Illegal,
                "display_code_table",
                format!(
                    "the display's code table {} is not one Comptoir knows: set 0, 2..5 or 16..19",
                    self.table
                ),
            )
        })
    }
}

impl DisplayConfig {
    /// The layout for this display: build screens with it, so every character is one the
    /// display's table holds.
    pub fn layout(&self) -> Result<Layout, DeviceError> {
        Ok(Layout::new(self.page()?))
    }
}

/// A 2x20 display speaking the Epson ESC/POS display commands on a serial port.
pub struct DisplayDriver {
    config: DisplayConfig,
    page: CodePage,
    port: Option<Box<dyn SerialPort>>,
}

impl DisplayDriver {
    /// Refuses a code table it has no map for, before any port is touched.
    pub fn new(config: DisplayConfig) -> Result<DisplayDriver, DeviceError> {
        let page = config.page()?;
        Ok(DisplayDriver { config, page, port: None })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), DeviceError> {
        let Some(port) = self.port.as_mut() else {
            return Err(DeviceError::new(ErrorCode::NotClaimed, "the display is not claimed"));
        };
        let io_error = |e: io::Error| DeviceError::from_io("the customer display", &e);
        port.write_all(bytes).map_err(io_error)?;
        port.flush().map_err(io_error)
    }
}

impl Driver for DisplayDriver {
    type Request = DisplayRequest;
    type Reply = ();
    type Data = ();
    type Status = ();

    fn kind(&self) -> DeviceKind {
        DeviceKind::Display
    }

    fn describe(&self) -> String {
        format!("customer display on {}", self.config.port)
    }

    fn claim(&mut self) -> Result<(), DeviceError> {
        let port = self.config.port.open("the customer display", Duration::from_millis(500))?;
        self.port = Some(port);
        if let Err(error) = self.send(&encode::init(&self.page)) {
            self.port = None;
            return Err(error);
        }
        tracing::info!(port = %self.config.port, table = self.page.number(), "display claimed");
        Ok(())
    }

    fn release(&mut self) {
        self.port = None;
    }

    fn request(
        &mut self,
        request: DisplayRequest,
        _events: &Events<Self>,
    ) -> Result<(), DeviceError> {
        match request {
            DisplayRequest::Show(text) => {
                if !text.fits(&self.page) {
                    // The preview would show characters the display cannot: refuse, so the
                    // customer never sees other letters than the screen promises.
                    return Err(DeviceError::extended(
                        ErrorCode::Illegal,
                        "display_text_table",
                        "the display text was made for another code table: use the display's layout",
                    )
                    .with_detail(format!("table {}", self.page.number())));
                }
                tracing::debug!(top = %text.line(0), bottom = %text.line(1), "display shows");
                self.send(&encode::frame(&text, &self.page))
            }
            DisplayRequest::Clear => self.send(&encode::CLEAR),
        }
    }

    /// A pole display sends nothing back: the check is that the port takes a harmless command
    /// (cursor off), and IT looks at the display itself.
    fn health(&mut self) -> Result<Health, DeviceError> {
        self.send(&encode::CURSOR_OFF)?;
        Ok(Health::ok(format!(
            "the port {} takes data; a display sends no status: check it shows the last screen",
            self.config.port.path
        )))
    }
}

/// A display behind the receipt printer (plugged into the printer, or in front of it on the
/// same cable). This makes only the bytes; the printer's driver sends them as a job of their
/// own. Each frame carries the display's settings, since the display may have been switched
/// off and on while the register did not look.
#[derive(Debug, Clone)]
pub struct ThroughPrinter {
    page: CodePage,
}

impl ThroughPrinter {
    pub fn new(page: CodePage) -> ThroughPrinter {
        ThroughPrinter { page }
    }

    /// `ESC = 2`, initialise, `ESC = 1`: for when the register starts.
    pub fn init(&self) -> Vec<u8> {
        encode::through_printer(&encode::init(&self.page))
    }

    /// `ESC = 2`, the frame, `ESC = 1`.
    pub fn show(&self, text: &DisplayText) -> Vec<u8> {
        encode::through_printer(&encode::frame(text, &self.page))
    }

    /// `ESC = 2`, clear, `ESC = 1`.
    pub fn clear(&self) -> Vec<u8> {
        encode::through_printer(&encode::CLEAR)
    }
}
