//! The customer display: a 2x20 pole display on its own serial port, or behind the receipt
//! printer. It shows each line as it is rung with the total, what was paid and the change, and
//! a welcome between sales. What it shows is computed from the register's state after every
//! change; sending it never blocks a sale and a display that fails never stops one.

use comptoir_device::{Device, DeviceError};
use comptoir_display::{
    CodePage, DisplayConfig, DisplayDriver, DisplayRequest, DisplayText, Layout, ThroughPrinter,
};

use crate::error::AppResult;
use crate::printing::PrinterPort;
use crate::register::Register;
use crate::setup::{DisplaySetting, display_setting};

/// How long the register waits to open the display's port before it gives up for this update.
const CLAIM: std::time::Duration = std::time::Duration::from_millis(300);
/// How long an unplugged display is left alone before it is tried again.
const RETRY: std::time::Duration = std::time::Duration::from_secs(10);

enum Sink {
    Serial(Device<DisplayDriver>),
    /// Framed bytes the receipt printer passes to the display on its port.
    Printer(Box<ThroughPrinter>),
}

/// The display and what it shows now.
pub struct CustomerDisplay {
    sink: Sink,
    layout: Layout,
    idle: String,
    shown: Option<DisplayText>,
    /// A display that could not be opened is tried again only after this, so an unplugged
    /// display never slows each scan by the wait to open it.
    retry_after: Option<std::time::Instant>,
}

impl std::fmt::Debug for CustomerDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerDisplay").field("shown", &self.shown).finish()
    }
}

impl CustomerDisplay {
    /// The display the register's `display` setting names, if any.
    pub fn from_settings(
        setting: &str,
        idle: Option<String>,
    ) -> AppResult<Option<CustomerDisplay>> {
        let Some(setting) = display_setting(setting)? else { return Ok(None) };
        let (sink, page) = match setting {
            DisplaySetting::Serial(port) => {
                let config = DisplayConfig::new(port);
                let page = config.page()?;
                (Sink::Serial(Device::open(DisplayDriver::new(config)?)), page)
            }
            DisplaySetting::ThroughPrinter => {
                let page = default_page()?;
                (Sink::Printer(Box::new(ThroughPrinter::new(page.clone()))), page)
            }
        };
        Ok(Some(CustomerDisplay {
            sink,
            layout: Layout::new(page),
            idle: idle.unwrap_or_else(|| "Welcome".to_owned()),
            shown: None,
            retry_after: None,
        }))
    }

    /// The two lines shown now.
    pub fn shown(&self) -> Option<[String; 2]> {
        self.shown.as_ref().map(DisplayText::lines)
    }

    fn show(&mut self, text: DisplayText, printer: &mut PrinterPort) {
        let waiting = self.retry_after.is_some_and(|at| std::time::Instant::now() < at);
        if self.shown.as_ref() == Some(&text) || waiting {
            return;
        }
        let sent = match &self.sink {
            Sink::Serial(device) => ready(device)
                .and_then(|()| device.submit(DisplayRequest::Show(text.clone())).map(|_| ())),
            Sink::Printer(framing) => {
                printer.send_raw(&framing.show(&text));
                Ok(())
            }
        };
        match sent {
            Ok(()) => {
                self.shown = Some(text);
                self.retry_after = None;
            }
            Err(error) => {
                tracing::warn!(%error, "customer display: tried again in {RETRY:?}");
                self.retry_after = Some(std::time::Instant::now() + RETRY);
            }
        }
    }
}

fn ready(device: &Device<DisplayDriver>) -> Result<(), DeviceError> {
    if !device.claimed() {
        device.claim(CLAIM)?;
    }
    if !device.enabled() {
        device.enable(CLAIM)?;
    }
    Ok(())
}

fn default_page() -> AppResult<CodePage> {
    CodePage::epson(19).ok_or_else(|| crate::error::AppError::new("internal", "code table 19"))
}

impl Register {
    /// Updates the customer display from the register's state: the last line rung and the
    /// total, what is paid and left, the change of the sale just recorded, or the welcome.
    pub(crate) fn refresh_display(&mut self) {
        self.update_display(None);
    }

    /// Shows the total and the change of the sale just recorded.
    pub(crate) fn display_sale_done(&mut self, done: &crate::entry::Sale) {
        self.update_display(Some(done));
    }

    fn update_display(&mut self, done: Option<&crate::entry::Sale>) {
        let Some(mut display) = self.display.take() else { return };
        let text = self.display_text(&display.layout, &display.idle, done);
        display.show(text, &mut self.printer);
        self.display = Some(display);
    }

    /// What the customer display shows now, if there is one.
    pub fn customer_display(&self) -> Option<[String; 2]> {
        self.display.as_ref().and_then(CustomerDisplay::shown)
    }

    fn display_text(
        &self,
        layout: &Layout,
        idle: &str,
        done: Option<&crate::entry::Sale>,
    ) -> DisplayText {
        let word = |key: &str| crate::i18n::word(key, self.lang());
        if self.cart.is_empty() && self.returns.is_empty() {
            return match done {
                Some(sale) => {
                    let cash = sale
                        .tenders
                        .iter()
                        .any(|t| matches!(t, crate::entry::SaleTender::Cash { .. }));
                    match cash {
                        true => layout.change(
                            word("display_total"),
                            &sale.total,
                            word("display_change"),
                            &sale.change,
                        ),
                        false => layout.change(
                            word("display_total"),
                            &sale.total,
                            word("display_thanks"),
                            "",
                        ),
                    }
                }
                None => {
                    // The store's name without its tagline: "Comptoir Montréal — boutique".
                    let name = &self.store_config().config.name;
                    let short = name.split(" — ").next().unwrap_or(name);
                    let short = short.split(" - ").next().unwrap_or(short);
                    layout.idle(idle, short)
                }
            };
        }
        let priced = self.priced();
        let total = self.store_config().money(self.due(&priced));
        if !self.tenders.is_empty() {
            let left = self.store_config().money(self.settle(&priced).remaining);
            return layout.change(word("display_total"), &total, word("display_to_pay"), &left);
        }
        let last = self.last_line.and_then(|id| priced.lines.iter().find(|l| l.line.id == id));
        match last {
            Some(line) => layout.item(
                line.line.name.as_str(),
                &self.store_config().money(line.net),
                word("display_total"),
                &total,
            ),
            None => layout.total(word("display_total"), &total),
        }
    }
}
