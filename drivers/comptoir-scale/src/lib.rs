//! The scale driver: Mettler Toledo MT-SICS (levels 0 and 1) over a serial port, weights with
//! exact unit conversion, the rule that only a stable positive weight is sold
//! ([`SellableWeight`]), the price of a weighed item, and a simulated scale on a
//! pseudo-terminal.
//!
//! The parsers are public ([`sics::parse_reply`], [`sics::Lines`], [`sim::parse_script`]) so a
//! fuzz target can call them; none of them panics on any input.

mod driver;
mod error;
mod price;
pub mod sics;
pub mod sim;
mod weight;

pub use driver::{ScaleConfig, ScaleDriver, ScaleReply, ScaleRequest, ScaleStatus};
pub use error::ScaleError;
pub use price::{UnitPrice, WeighedPrice, price_weighed};
pub use weight::{Reading, SellableWeight, Stability, Unit, Weight};
