//! The customer display driver: a 2x20 pole display speaking the Epson ESC/POS display
//! commands (DM-D "standard mode"), on its own serial port or behind the receipt printer.
//!
//! [`Layout`] makes a [`DisplayText`] (two lines of exactly 20 cells, each a character the
//! display's code table holds) for a line as it is rung, the total, the payment and change,
//! and the idle message; [`encode`] turns it into bytes; [`decode`] is the display's side,
//! written from the specification, used by the simulator and the tests. The decoder is
//! public ([`decode::decode`], [`decode::Screen::feed`]) so a fuzz target can call it; it
//! never panics on any input.

pub mod decode;
mod driver;
pub mod encode;
pub mod sim;
mod text;

pub use driver::{DisplayConfig, DisplayDriver, DisplayRequest, ThroughPrinter};
pub use text::{COLUMNS, CodePage, DisplayText, Layout, PAGES, ROWS};
