//! Integration tests of the domain core, with the right values worked out by hand.

mod cash;
mod money;
mod pricing;
mod promo;
