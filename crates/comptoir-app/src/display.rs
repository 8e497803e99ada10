//! The customer display: a 2x20 pole display on its own serial port, or behind the receipt
//! printer. It shows each line as it is rung with the total, what was paid and the change, and
//! a welcome between sales. What it shows is computed from the register's state after every
//! change; sending it never blocks a sale and a display that fails never stops one.

use comptoir_core::cart::{PricedCart, PricedLine};
use comptoir_core::catalog::ItemKind;
use comptoir_device::{Device, DeviceError};
use comptoir_display::{
    CodePage, DisplayConfig, DisplayDriver, DisplayRequest, DisplayText, Layout, ThroughPrinter,
};
use rust_decimal::Decimal;

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
    /// The `display.idle` setting; unset, the welcome is in the register's language.
    idle: Option<String>,
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
            idle,
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
        let text = self.display_text(&display.layout, display.idle.as_deref(), done);
        display.show(text, &mut self.printer);
        self.display = Some(display);
    }

    /// After a card payment's state changed (declined, not charged, approved for part of the
    /// sale, reversed): the total and what is left to pay, so the customer sees what to pay
    /// now rather than the last line rung. A sale the card paid shows its change next.
    pub(crate) fn display_to_pay(&mut self) {
        if self.card_pending.is_some() || self.cart.is_empty() && self.returns.is_empty() {
            return;
        }
        let Some(mut display) = self.display.take() else { return };
        let priced = self.priced();
        if self.settle(&priced).paid {
            self.display = Some(display);
            return;
        }
        let text = self.display_left(&display.layout, &priced);
        display.show(text, &mut self.printer);
        self.display = Some(display);
    }

    fn display_left(&self, layout: &Layout, priced: &PricedCart) -> DisplayText {
        let word = |key: &str| crate::i18n::word(key, self.lang());
        let total = self.store_config().money(self.due(priced));
        let left = self.store_config().money(self.settle(priced).remaining);
        layout.change(word("display_total"), &total, word("display_to_pay"), &left)
    }

    /// What the customer display shows now, if there is one.
    pub fn customer_display(&self) -> Option<[String; 2]> {
        self.display.as_ref().and_then(CustomerDisplay::shown)
    }

    fn display_text(
        &self,
        layout: &Layout,
        idle: Option<&str>,
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
                    // The store's name without its tagline: "Comptoir Montréal — boutique",
                    // "Comptoir London (demo)".
                    let name = &self.store_config().config.name;
                    let short = name.split(" — ").next().unwrap_or(name);
                    let short = short.split(" - ").next().unwrap_or(short);
                    let short = short.split(" (").next().unwrap_or(short);
                    layout.idle(idle.unwrap_or(word("display_welcome")), short)
                }
            };
        }
        let priced = self.priced();
        if !self.tenders.is_empty() {
            return self.display_left(layout, &priced);
        }
        let total = self.store_config().money(self.due(&priced));
        let last = self.last_line.and_then(|id| priced.lines.iter().find(|l| l.line.id == id));
        match last {
            Some(line) => layout.item(
                line.line.name.as_str(),
                &self.line_price(line),
                word("display_total"),
                &total,
            ),
            None => layout.total(word("display_total"), &total),
        }
    }

    /// A line's price as the display shows it beside its name: the amount of one unit,
    /// `3 x 1.25` for several, and `0.456 kg 1.82` for a weighed line (its weight and what it
    /// costs, since its price per kilogram is on the scale's label).
    fn line_price(&self, line: &PricedLine) -> String {
        let money = |m| self.store_config().money(m);
        let quantity = line.line.quantity;
        match line.line.kind {
            ItemKind::Weighed => format!("{:.3} kg {}", quantity.round_dp(3), money(line.net)),
            _ if quantity > Decimal::ONE => {
                format!("{} x {}", quantity.normalize(), money(line.line.unit_price))
            }
            _ => money(line.net),
        }
    }
}
