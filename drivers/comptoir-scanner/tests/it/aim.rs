//! AIM symbology identifiers. Identifiers and their meaning from ISO/IEC 15424 as the GS1
//! General Specifications (section 5.4.2 / 5.1.2) list them, and the cases of biip's
//! tests/test_symbology.py (`]E0abc`, `]C0abc`, `]C1abc`, `]I1abc`, `E0` without its flag).

use comptoir_scanner::Symbology;
use comptoir_scanner::aim::{AimError, split_aim};

#[test]
fn identifiers_name_their_symbology_and_are_stripped() {
    let cases: &[(&[u8], Symbology, &[u8])] = &[
        (b"]E0abc", Symbology::Ean13, b"abc"),
        (b"]C0abc", Symbology::Code128, b"abc"),
        (b"]C1abc", Symbology::Gs1_128, b"abc"),
        (b"]I1abc", Symbology::Itf, b"abc"),
        (b"]E4abc", Symbology::Ean8, b"abc"),
        (b"]E1abc", Symbology::EanAddOn, b"abc"),
        (b"]E2abc", Symbology::EanAddOn, b"abc"),
        (b"]E3abc", Symbology::Ean13WithAddOn, b"abc"),
        (b"]e0abc", Symbology::Gs1DataBar, b"abc"),
        (b"]Q1abc", Symbology::Qr, b"abc"),
        (b"]Q3abc", Symbology::Gs1Qr, b"abc"),
        (b"]d1abc", Symbology::DataMatrix, b"abc"),
        (b"]d2abc", Symbology::Gs1DataMatrix, b"abc"),
        (b"]A0abc", Symbology::Code39, b"abc"),
        (b"]I0abc", Symbology::Itf, b"abc"),
        (b"]X0abc", Symbology::Other, b"abc"),
    ];
    for (scan, symbology, data) in cases {
        let (aim, rest) = split_aim(scan).unwrap();
        let aim = aim.unwrap();
        assert_eq!(aim.symbology(), *symbology, "{}", String::from_utf8_lossy(scan));
        assert_eq!(rest, *data);
        assert_eq!(aim.to_string().as_bytes(), &scan[..3]);
    }
}

#[test]
fn gs1_symbologies_are_the_ones_carrying_element_strings() {
    let gs1: Vec<bool> = [b"]C1", b"]e0", b"]d2", b"]Q3", b"]E0", b"]C0", b"]Q1", b"]d1"]
        .iter()
        .map(|id| split_aim(&id[..]).unwrap().0.unwrap().symbology().is_gs1())
        .collect();
    assert_eq!(gs1, [true, true, true, true, false, false, false, false]);
}

#[test]
fn a_scan_without_the_flag_has_no_identifier() {
    assert_eq!(split_aim(b"E0").unwrap(), (None, &b"E0"[..]));
    assert_eq!(split_aim(b"").unwrap(), (None, &b""[..]));
}

#[test]
fn half_or_bad_identifiers_are_typed_errors() {
    assert_eq!(split_aim(b"]"), Err(AimError::Truncated));
    assert_eq!(split_aim(b"]E"), Err(AimError::Truncated));
    assert_eq!(split_aim(b"]1E"), Err(AimError::BadCode));
    assert_eq!(split_aim(b"]E\x00"), Err(AimError::BadModifier));
    assert_eq!(split_aim(b"]\xff0"), Err(AimError::BadCode));
}
