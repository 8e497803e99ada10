//! ZVT APDUs from the terminal: `parse_apdu`, then the message it carries
//! (`parse_terminal_message`, `parse_message`) and its BMP fields (`parse_bmps`).
//! Invariant: a parsed APDU re-encodes to bytes that parse to the same APDU, byte for byte
//! when it came with the short length.
#![no_main]

use comptoir_zvt::messages::parse_terminal_message;
use comptoir_zvt::{parse_apdu, parse_bmps, parse_message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_bmps(data);
    let _ = parse_message(data);
    let Ok(apdu) = parse_apdu(data) else { return };
    let encoded = apdu.encode().expect("a parsed APDU fits the extended length");
    assert_eq!(parse_apdu(&encoded).as_ref(), Ok(&apdu));
    if data[2] != 0xFF {
        assert_eq!(encoded, data);
    }
    let _ = parse_terminal_message(&apdu);
    let _ = parse_bmps(&apdu.data);
});
