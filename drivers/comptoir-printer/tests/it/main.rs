//! Integration tests of comptoir-printer: one binary, a module per area.

mod decoder;
mod device;
mod driver;
mod encode;
mod logo;
mod profile;
mod serial;
mod sim_process;
mod status;
mod support;
mod tcp;
mod usb;
mod virtual_printer;
