//! Logo files (PBM, PGM) a shop loads: `parse_pnm`, then the steps a logo goes through to
//! print (shrink to the paper, dither, `GS v 0` bands).
//! Invariant: an image has exactly width x height pixels, and its bands decode with the
//! ESC/POS decoder.
#![no_main]

use comptoir_printer::{dither, parse_pnm, raster_bands};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(image) = parse_pnm(data) else { return };
    assert_eq!(image.pixels().len(), (image.width() * image.height()) as usize);
    let fitted = image.fit_width(64);
    assert!(fitted.width() <= 64);
    let bands = raster_bands(&dither(&fitted), 24);
    comptoir_escpos_decoder::decode(&bands).expect("the logo's bands are ESC/POS");
});
