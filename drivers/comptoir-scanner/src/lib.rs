//! Barcode scanners for Comptoir: what a scan means (AIM symbology identifiers, GTIN-14
//! normalisation, UPC-E expansion, GS1 element strings, in-store price and weight labels,
//! receipt and credit-note codes), the keyboard-wedge burst rules, a serial scanner driver on
//! the `comptoir-device` model, and the simulator's wire format.
//!
//! Every parser takes bytes or text from the device and returns a typed error for anything it
//! cannot read: none panics on input ([`interpret::Interpreter::interpret`],
//! [`frame::LineReader::push`], [`gs1::parse_element_string`], [`gs1::parse_hri`],
//! [`aim::split_aim`], [`upc::expand_upc_e`]).

pub mod aim;
pub mod driver;
pub mod frame;
pub mod gs1;
pub mod interpret;
pub mod rcn;
pub mod sim;
pub mod upc;
pub mod wedge;

pub use aim::{AimId, Symbology};
pub use driver::{ScannerConfig, ScannerRequest, SerialScanner};
pub use frame::Suffix;
pub use interpret::{Interpreter, Scan, ScanError, Scanned, interpret};
pub use rcn::{Embedded, EmbeddedValue, InStoreRules};
