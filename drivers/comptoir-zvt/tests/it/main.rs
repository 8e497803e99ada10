//! The ZVT driver's tests: protocol bytes from published sources, and every flow of the
//! client against the simulator program over TCP and over a pseudo-terminal.

mod codes;
mod driver;
mod flows;
mod garbage;
mod pan;
mod protocol;
mod recovery;
mod serial;
mod support;
