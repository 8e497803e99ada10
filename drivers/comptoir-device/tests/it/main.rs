//! Integration tests of comptoir-device: one binary, a module per area.

mod model;
mod serial;
