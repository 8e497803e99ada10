//! What crosses the wire between a register and the central server.
//!
//! - [`entry`]: a ledger entry, its SHA-256 hash chain and the chain's rules, shared by the
//!   register's store (which writes the chain) and the server (which checks it on upload).
//! - [`payload`]: what each kind of entry says (a sale, a shift, a drawer movement), version 1.
//! - [`check`]: the server's checks of an entry's content (known kind, sums that add up).
//! - [`catalog`]: items, effective-dated prices and taxes as the server publishes them, and
//!   the catalog file formats.
//! - [`promotion`]: promotions as the server publishes them in the catalog log, their checks,
//!   and the promotions file.
//! - [`wire`]: requests and answers of the sync API, and its stable error codes.
//! - [`jurisdiction`]: a store's taxes from its jurisdiction (`CA-QC`, `EU-FR`, `GB`, `US-NY`),
//!   read from the tax tables of `fixtures/tax/`.
//! - [`currency`]: a currency's decimals and cash rounding, from CLDR and the rules file.

pub mod card;
pub mod catalog;
pub mod check;
pub mod currency;
pub mod entry;
pub mod jurisdiction;
pub mod payload;
pub mod promotion;
pub mod wire;

pub use entry::{ChainFault, GENESIS, LedgerEntry};

/// A certificate's fingerprint as administrators read it out and registers check it:
/// `sha256:` and the lower-case hex SHA-256 of its DER bytes.
pub fn certificate_fingerprint(der: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(der)))
}
