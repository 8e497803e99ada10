//! The ledger entries' payloads: defined in `comptoir-protocol`, because the server reads them.

pub use comptoir_protocol::payload::*;
