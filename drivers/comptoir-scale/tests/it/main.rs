//! Integration tests of comptoir-scale: one binary, a module per area.

mod driver;
mod garbage;
mod price;
mod sics;
mod sim;
mod sim_process;
mod support;
mod weight;
