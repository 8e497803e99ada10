//! Integration tests of the protocol crate: the tax and currency tables read from the real
//! data in `fixtures/tax/`, with the expected values worked out by hand from those files.

mod card;
mod currency;
mod jurisdiction;
