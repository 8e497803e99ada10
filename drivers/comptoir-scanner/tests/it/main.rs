//! Integration tests of comptoir-scanner: one binary, a module per area.

mod aim;
mod driver;
mod frame;
mod gs1;
mod gtin;
mod interpret;
mod rcn;
mod sim_process;
mod support;
mod upc;
mod wedge;
