//! Previews: what reference jobs and hand-written ones put on paper.

use comptoir_escpos_decoder::{
    DrawerPulse, ImageSource, Justification, LineKind, Preview, PreviewLine, render,
};
use expect_test::expect;

use crate::fixture;

#[test]
fn receipt_with_logo_preview() {
    let preview = render(&fixture("receipt-with-logo.bin")).expect("renders");
    expect![[r#"
        [image 300x236]
        ExampleMart Ltd.
        Shop No. 42.

        SALES INVOICE
                                                       $
        Example item #1                             4.00
        Another thing                               3.50
        Something else                              1.00
        A final item                                4.45
        Subtotal                                   12.95

        A local tax                                 1.30
        Total            $ 14.25


        Thank you for shopping at ExampleMart
        For trading hours, please visit example.com


        Monday 6th of April 2015 02:56:25 PM
        [cut]"#]]
    .assert_eq(&preview.text());
}

#[test]
fn receipt_with_logo_lines_keep_justification_bold_and_size() {
    let preview = render(&fixture("receipt-with-logo.bin")).expect("renders");
    let line = |text: &str| {
        let found = preview.lines.iter().find(|line| line.text.trim_start() == text);
        found.unwrap_or_else(|| panic!("no line {text:?}"))
    };
    let shop = line("ExampleMart Ltd.");
    assert_eq!(
        (shop.justify, shop.width, shop.height, shop.bold),
        (Justification::Center, 2, 1, false)
    );
    assert!(line("SALES INVOICE").bold);
    assert_eq!(
        line("Subtotal                                   12.95").justify,
        Justification::Left
    );
    assert_eq!(line("Total            $ 14.25").width, 2);
    assert_eq!(preview.lines[0].kind, LineKind::Image(0));
    let logo = &preview.images[0];
    assert_eq!((logo.source, logo.width, logo.height), (ImageSource::Graphics, 300, 236));
    assert_eq!(logo.bitmap.len(), 300usize.div_ceil(8) * 236);
    assert_eq!(preview.kicks, [DrawerPulse { pin: 2, on_ms: 120, off_ms: 240, real_time: false }]);
}

/// One line a row: justification, bold, size, then the text.
fn styled(preview: &Preview) -> String {
    let row = |line: &PreviewLine| {
        let justify = format!("{:?}", line.justify);
        let bold = if line.bold { "bold" } else { "    " };
        format!("{justify:<6} {bold} {}x{} |{}\n", line.width, line.height, line.text)
    };
    preview.lines.iter().map(row).collect()
}

#[test]
fn receipt_with_logo_styles() {
    let preview = render(&fixture("receipt-with-logo.bin")).expect("renders");
    expect![[r#"
        Center      1x1 |[image 300x236]
        Center      2x1 |ExampleMart Ltd.
        Center      1x1 |Shop No. 42.
        Center      1x1 |
        Center bold 1x1 |SALES INVOICE
        Left   bold 1x1 |                                               $
        Left        1x1 |Example item #1                             4.00
        Left        1x1 |Another thing                               3.50
        Left        1x1 |Something else                              1.00
        Left        1x1 |A final item                                4.45
        Left   bold 1x1 |Subtotal                                   12.95
        Left        1x1 |
        Left        1x1 |A local tax                                 1.30
        Left        2x1 |Total            $ 14.25
        Left        1x1 |
        Left        1x1 |
        Center      1x1 |Thank you for shopping at ExampleMart
        Center      1x1 |For trading hours, please visit example.com
        Center      1x1 |
        Center      1x1 |
        Center      1x1 |Monday 6th of April 2015 02:56:25 PM
        Center      1x1 |[cut]
    "#]]
    .assert_eq(&styled(&preview));
}

#[test]
fn demo_preview() {
    let preview = render(&fixture("demo.bin")).expect("renders");
    expect![[r#"
        Hello world
        [cut]
        ABC






        DEF
        GHI
        [cut]
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        ABCDEFGHIJabcdefghijk
        [cut]
        The quick brown fox jumps over the lazy dog
        The quick brown fox jumps over the lazy dog
        The quick brown fox jumps over the lazy dog
        [cut]
        Partial cut
        (not available on all printers)
        [partial cut]
        Full cut
        [cut]
        The quick brown fox jumps over the lazy dog
        The quick brown fox jumps over the lazy dog
        [cut]
        The quick brown fox jumps over the lazy dog
        The quick brown fox jumps over the lazy dog
        [cut]
        The quick brown fox jumps over the lazy dog
        The quick brown fox jumps over the lazy dog
        The quick brown fox jumps over the lazy dog
        [cut]
        A man a plan a canal panama
        A man a plan a canal panama
        A man a plan a canal panama
        [cut]
        [barcode CODE39: 9876]

        [cut]
        [image 300x236]
        [image 300x236]
        [image 300x236]
        [image 300x236]
        [cut]
        [image 304x236]
        [image 304x236]
        [image 304x236]
        [image 304x236]
        [cut]
        [QR: Testing 123]
        QR Model 1

        [QR: Testing 123]
        QR Model 2 (default)

        [QR: Testing 123]
        Micro QR code
        (not supported on all printers)

        [cut]"#]]
    .assert_eq(&preview.text());
}

#[test]
fn tabs_and_positions_become_spaces() {
    // ESC $ 144 is cell 12 of font A; past the last tab stop an HT does nothing.
    let preview = render(b"a\tb\x1b$\x90\x00c\n\x1bD\x03\x00\tx\ty\n").expect("renders");
    assert_eq!(preview.text(), "a       b   c\n   xy");
}

#[test]
fn init_discards_the_unprinted_line_and_resets_styles() {
    let preview = render(b"\x1bE\x01\x1ba\x01lost\x1b@kept\n").expect("renders");
    assert_eq!(preview.text(), "kept");
    assert_eq!((preview.lines[0].bold, preview.lines[0].justify), (false, Justification::Left));
}

#[test]
fn justification_belongs_to_the_line_it_starts() {
    let preview = render(b"\x1ba\x01one\x1ba\x02\ntwo\n").expect("renders");
    let justify: Vec<Justification> = preview.lines.iter().map(|line| line.justify).collect();
    assert_eq!(justify, [Justification::Center, Justification::Right]);
}

#[test]
fn a_line_is_bold_only_if_all_its_text_is() {
    let preview = render(b"\x1bE\x01Total\x1bE\x00  9.99\n\x1bE\x01All\n").expect("renders");
    let bold: Vec<bool> = preview.lines.iter().map(|line| line.bold).collect();
    assert_eq!(bold, [false, true]);
    assert_eq!(preview.lines[0].spans.len(), 2);
}

#[test]
fn cr_lf_is_one_line_and_feeds_add_blank_lines() {
    let preview = render(b"a\r\nb\x1bd\x02c\x1bJ\x3c").expect("renders");
    assert_eq!(preview.text(), "a\nb\n\nc\n");
}

#[test]
fn barcodes_take_their_own_line_with_settings() {
    let preview = render(b"Ref \x1dh\x40\x1dH\x02\x1dkI\x06{C\x0c\x22\x38\x01\n").expect("renders");
    assert_eq!(preview.text(), "Ref\n[barcode CODE128: 12345601]\n");
    let printed = &preview.barcodes[0];
    assert_eq!((printed.text.as_str(), printed.height), ("12345601", 64));
}

#[test]
fn bit_image_bands_print_with_their_line_feed() {
    let band = b"\x1b*\x21\x02\x00\xff\x00\x00\x00\x00\x01\n";
    let preview = render(&[&band[..], &band[..], b"end\n"].concat()).expect("renders");
    assert_eq!(preview.text(), "[image 2x24]\n[image 2x24]\nend");
    let image = &preview.images[0];
    assert_eq!(image.bitmap.len(), 24);
    assert_eq!(image.bitmap[0], 0x80);
    assert_eq!(image.bitmap[23], 0x40);
}

#[test]
fn drawer_pulses_are_listed_not_printed() {
    let preview = render(b"\x1bp\x00\x19\xfa\x10\x14\x01\x01\x02").expect("renders");
    assert_eq!(preview.text(), "");
    assert_eq!(
        preview.kicks,
        [
            DrawerPulse { pin: 2, on_ms: 50, off_ms: 500, real_time: false },
            DrawerPulse { pin: 5, on_ms: 200, off_ms: 200, real_time: true },
        ]
    );
}

/// `GS v 0 m xL xH yL yH d1..dk` (Epson reference, "Print raster bit image").
fn raster(width_bytes: u8, rows: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1D, b'v', b'0', 0, width_bytes, 0, rows, 0];
    out.extend_from_slice(data);
    out
}

#[test]
fn raster_bands_one_after_another_preview_as_one_image() {
    let mut job = raster(2, 2, &[0xFF, 0x00, 0x0F, 0xF0]);
    job.extend(raster(2, 1, &[0x81, 0x18]));
    job.extend(b"logo\n");
    let preview = render(&job).unwrap();
    assert_eq!(preview.text(), "[image 16x3]\nlogo");
    let image = &preview.images[0];
    assert_eq!((image.width, image.height), (16, 3));
    assert_eq!(image.bitmap, [0xFF, 0x00, 0x0F, 0xF0, 0x81, 0x18]);
    assert_eq!(preview.lines[0].kind, LineKind::Image(0));
}

#[test]
fn raster_images_apart_or_of_another_size_stay_apart() {
    // Another width; then a text line between two bands of the same width; then mode 1
    // (double width) right after a normal one.
    let mut job = raster(2, 1, &[0xFF, 0xFF]);
    job.extend(raster(1, 1, &[0xFF]));
    job.extend(b"-\n");
    job.extend(raster(1, 1, &[0x0F]));
    let mut double = raster(1, 1, &[0xF0]);
    double[3] = 1;
    job.extend(double);
    let preview = render(&job).unwrap();
    assert_eq!(preview.text(), "[image 16x1]\n[image 8x1]\n-\n[image 8x1]\n[image 8x1]");
    assert_eq!(preview.images.len(), 4);
    assert_eq!(preview.images[3].scale_x, 2);
}
