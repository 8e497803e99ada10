//! The device model every Comptoir driver follows, after UnifiedPOS: a device is opened,
//! claimed, enabled, used, disabled, released and closed; it is closed, idle, busy or in
//! error; it reports data, status changes, errors and finished output as events; errors carry
//! the UnifiedPOS result code and a stable code the UI branches on. Each device is owned by
//! one thread and reached over a channel ([`Device`]). Also: serial ports, shared by the
//! scanner, scale, display, printer and card terminal drivers.

mod error;
mod model;
pub mod serial;

pub use error::{DeviceError, ErrorCode};
pub use model::{Device, DeviceEvent, DeviceKind, DeviceState, Driver, Events, Health};
