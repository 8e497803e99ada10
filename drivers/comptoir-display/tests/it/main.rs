//! Integration tests of comptoir-display: one binary, a module per area.

mod decode;
mod device;
mod encode;
mod layout;
mod sim_process;
mod support;
