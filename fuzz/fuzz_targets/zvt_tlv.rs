//! The BER-TLV container of ZVT's BMP 06: `parse_tlv` and `parse_tlv_container`.
//! Invariant: parsed objects re-encode to bytes that parse to the same objects.
#![no_main]

use comptoir_zvt::parse_tlv;
use comptoir_zvt::tlv::{Tlv, encode_tlv_container, parse_tlv_container};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((items, used)) = parse_tlv_container(data) {
        assert!(used <= data.len());
        let encoded = encode_tlv_container(&items);
        let (again, again_used) = parse_tlv_container(&encoded).expect("re-encoded container");
        assert_eq!(again, items);
        assert_eq!(again_used, encoded.len());
    }
    let Ok(items) = parse_tlv(data) else { return };
    let encoded: Vec<u8> = items.iter().flat_map(Tlv::encode).collect();
    assert_eq!(parse_tlv(&encoded).as_ref(), Ok(&items));
});
