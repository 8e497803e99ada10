//! Logos: PBM and PGM files read, shrunk to the paper, dithered and sent in `GS v 0` bands,
//! each checked by the independent decoder (not by the encoder's own bytes).

use comptoir_escpos_decoder::{Command, ImageSource, Justification, RasterImage, decode, render};
use comptoir_printer::{
    Document, EncodeOptions, GreyImage, ImageError, Profile, dither, encode, parse_pnm,
};

/// A 16×5 logo drawn by hand in plain PBM (P1): 1 is black. Comments and line breaks sit
/// where the Netpbm format allows them.
const HAND_LOGO: &str = "P1
# comptoir test logo
16 5
1111111111111111
1000000110000001
1011110110111101
1000000110000001
1111111111111111
";

fn rasters(bytes: &[u8]) -> Vec<RasterImage> {
    decode(bytes)
        .expect("the job decodes")
        .into_iter()
        .filter_map(|c| match c {
            Command::RasterImage(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn logo_job(image: GreyImage, profile: &str) -> Vec<u8> {
    let doc = Document::new().image(image).line("after the logo").cut();
    encode(&doc, &Profile::load(profile).unwrap(), &EncodeOptions::default())
}

#[test]
fn a_black_and_white_logo_prints_dot_for_dot() {
    let logo = parse_pnm(HAND_LOGO.as_bytes()).unwrap();
    assert_eq!((logo.width(), logo.height()), (16, 5));
    let bytes = logo_job(logo, "TM-T88V");

    let bands = rasters(&bytes);
    assert_eq!(bands.len(), 1);
    let band = &bands[0];
    assert_eq!((band.mode, band.width_bytes, band.height), (0, 2, 5));
    // The rows of the drawing above, eight dots a byte, leftmost dot the high bit.
    assert_eq!(band.data, [0xFF, 0xFF, 0x81, 0x81, 0xBD, 0xBD, 0x81, 0x81, 0xFF, 0xFF]);

    let preview = render(&bytes).unwrap();
    assert_eq!(preview.text(), "[image 16x5]\nafter the logo\n[partial cut]");
    assert_eq!(preview.images[0].source, ImageSource::Raster);
    assert_eq!(preview.lines[0].justify, Justification::Center);
    assert_eq!(preview.lines[1].justify, Justification::Left);
}

#[test]
fn a_tall_logo_goes_in_bands_of_24_rows() {
    // 40 × 60, black left half, white right half, as binary PBM (P4): 5 bytes a row.
    let mut file = b"P4\n40 60\n".to_vec();
    for _ in 0..60 {
        file.extend_from_slice(&[0xFF, 0xFF, 0xF0, 0x00, 0x00]);
    }
    let bytes = logo_job(parse_pnm(&file).unwrap(), "TM-T88V");
    let bands = rasters(&bytes);
    let heights: Vec<u16> = bands.iter().map(|b| b.height).collect();
    assert_eq!(heights, [24, 24, 12]);
    assert!(bands.iter().all(|b| b.width_bytes == 5));
    let joined: Vec<u8> = bands.iter().flat_map(|b| b.data.clone()).collect();
    assert_eq!(joined, file[b"P4\n40 60\n".len()..]);
    // The preview shows the paper: one picture, not three strips.
    let preview = render(&bytes).unwrap();
    assert_eq!(preview.images.len(), 1);
    assert_eq!((preview.images[0].width, preview.images[0].height), (40, 60));
    assert_eq!(preview.images[0].bitmap, joined);
}

#[test]
fn a_logo_wider_than_the_paper_is_shrunk_to_its_dots() {
    // 1024 × 200 mid grey on a TM-T88V (512 dots): half as wide and half as tall.
    let grey = GreyImage::new(1024, 200, vec![128; 1024 * 200]).unwrap();
    let bands = rasters(&logo_job(grey, "TM-T88V"));
    assert!(bands.iter().all(|b| b.width_bytes == 64), "512 dots are 64 bytes");
    assert_eq!(bands.iter().map(|b| u32::from(b.height)).sum::<u32>(), 100);
    // Dithered, not thresholded: about half the dots are black.
    let black: u32 = bands.iter().flat_map(|b| &b.data).map(|b| b.count_ones()).sum();
    let share = f64::from(black) / f64::from(512 * 100);
    assert!((0.47..0.53).contains(&share), "{share}");
}

#[test]
fn dithering_keeps_each_grey_level_dark_as_it_was() {
    // A PGM (P5) ramp from black to white across 256 columns, 64 rows.
    let mut file = b"P5 256 64 255\n".to_vec();
    for _ in 0..64 {
        file.extend(0..=255u8);
    }
    let bitmap = dither(&parse_pnm(&file).unwrap());
    let column_share = |x0: u32| {
        let black = (x0..x0 + 32)
            .flat_map(|x| (0..64).map(move |y| (x, y)))
            .filter(|&(x, y)| bitmap.black(x, y))
            .count();
        black as f64 / (32.0 * 64.0)
    };
    // Each 32-column stripe is as dark as its mean grey says, within a few per cent.
    for stripe in 0..8u32 {
        let expected = 1.0 - (f64::from(stripe * 32) + 15.5) / 255.0;
        let share = column_share(stripe * 32);
        assert!((share - expected).abs() < 0.04, "stripe {stripe}: {share} vs {expected}");
    }
}

#[test]
fn text_pgm_with_a_small_maximum_scales_to_grey() {
    let image = parse_pnm(b"P2\n3 1\n4\n0 2 4\n").unwrap();
    assert_eq!(image.pixels(), [0, 127, 255]);
}

#[test]
fn a_printer_without_raster_images_gets_no_image_bytes() {
    let logo = parse_pnm(HAND_LOGO.as_bytes()).unwrap();
    let bytes = logo_job(logo, "TM-U220");
    assert!(rasters(&bytes).is_empty());
    let preview = render(&bytes).unwrap();
    assert!(preview.images.is_empty());
    assert!(preview.text().starts_with("after the logo"), "{}", preview.text());
}

#[test]
fn bad_image_files_are_refused_with_a_reason() {
    let cases: [(&[u8], ImageError); 8] = [
        (b"", ImageError::NotNetpbm),
        (b"GIF89a", ImageError::NotNetpbm),
        (b"P1\n", ImageError::Header("width")),
        (b"P1 2", ImageError::Header("height")),
        (b"P1 0 5\n", ImageError::Size { width: 0, height: 5 }),
        (b"P4 99999 1\n\xff", ImageError::Size { width: 99999, height: 1 }),
        (b"P1 2 2\n1 0 1", ImageError::Truncated { got: 3, expected: 4 }),
        (b"P5 2 1 255\n\x00", ImageError::Truncated { got: 1, expected: 2 }),
    ];
    for (file, expected) in cases {
        assert_eq!(parse_pnm(file).unwrap_err(), expected, "{:?}", String::from_utf8_lossy(file));
    }
    assert_eq!(parse_pnm(b"P2 1 1 9\n12\n").unwrap_err(), ImageError::Value { index: 0 });
    assert_eq!(parse_pnm(b"P1 1 1\n2").unwrap_err(), ImageError::Value { index: 0 });
    assert_eq!(parse_pnm(b"P5 1 1 300\n\x00").unwrap_err().code(), "printer_logo_invalid");
    assert!(matches!(
        GreyImage::new(2, 2, vec![0; 3]),
        Err(ImageError::PixelCount { got: 3, expected: 4, .. })
    ));
}

#[test]
fn garbage_never_panics_the_image_reader() {
    // Every prefix of valid files, and bytes flipped in them, end in a value or an error.
    let mut files: Vec<Vec<u8>> = vec![
        HAND_LOGO.as_bytes().to_vec(),
        b"P5 4 2 255\n\x00\x10\x20\x30\x40\x50\x60\x70".to_vec(),
    ];
    let mut seed = 0x2545_F491_u32;
    for _ in 0..200 {
        let mut file = files[0].clone();
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let at = seed as usize % file.len();
        file[at] = (seed >> 8) as u8;
        files.push(file);
    }
    for file in &files {
        for end in 0..=file.len() {
            let _ = parse_pnm(&file[..end]);
        }
    }
}
