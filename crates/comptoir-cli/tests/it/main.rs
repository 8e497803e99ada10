//! Tests of the `comptoir` binary: its JSON contract, and the register killed mid-sale.

mod card_crash;
mod cli;
mod config_file;
mod crash;
mod devices;
mod support;
