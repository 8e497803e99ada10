//! The receipt printer driver: a document model, an ESC/POS encoder that respects each
//! printer's code tables, logos, status parsing (`DLE EOT` and Automatic Status Back),
//! transports (TCP, device file, serial, USB through libusb, a folder), the `comptoir_device` driver with its
//! cash drawer, and a printer simulator.
//!
//! Every byte is written here from the Epson reference; the escpos crate is not used, since
//! its cut, drawer, reset and status bytes are wrong (shared/notes/hardware.md).

mod codepage;
pub mod commands;
mod document;
mod driver;
mod encode;
mod error;
pub mod image;
mod profile;
pub mod sim;
mod status;
mod text;
mod transport;

pub use codepage::CodeTable;
pub use commands::{BarcodeStyle, DrawerConfig, Pin, drawer_kick, realtime_pulse};
pub use document::{Align, Block, Document, Size};
pub use driver::{
    DrawerOpening, DrawerSettings, OpeningReason, PrinterDriver, PrinterNotice, PrinterReply,
    PrinterRequest, device_error, status_changes,
};
pub use encode::{EncodeOptions, encode};
pub use error::PrintError;
pub use image::{Bitmap, GreyImage, ImageError, dither, parse_pnm, raster_bands};
pub use profile::{Features, Profile, ProfileError};
pub use status::{
    ASB_ALL, AsbStatus, Paper, PrinterStatus, STATUS_QUERY, StatusKind, StatusMessage,
    StatusParseError, StatusReader, auto_status_back, parse_asb, parse_status_reply,
    status_request,
};
pub use transport::{
    DeviceConfig, DeviceFileTransport, Job, JobRecord, SerialConfig, SerialTransport, TcpConfig,
    TcpTransport, Transport, UsbConfig, UsbPrinterInfo, UsbTransport, VirtualTransport,
    list_usb_devices,
};
