//! Comptoir's automation, run as `cargo run -p xtask -- <task>`.
//!
//! The one task so far, `fixtures`, rebuilds the demo stores under `fixtures/stores/` (and the
//! replay week under `fixtures/replay/`) from the shared data folder. The outputs are committed,
//! so the product and its tests never need the shared folder at run time; the integration test
//! regenerates them and compares byte for byte whenever the shared folder is there.

pub mod bench;
pub mod catalog;
pub mod fixtures;
pub mod gtin;
pub mod london;
pub mod montreal;
pub mod sources;
pub mod store;
pub mod template;
pub mod text;
