//! The variants' bytes-and-quality contract (`test_support::variant_quality`) on generated
//! pictures of each class: the published WebP takes at least 40 % fewer bytes than the
//! format before (JPEG q80, PNG for transparency) at a PSNR no more than 0.5 dB below it,
//! against a Lanczos3 resize of the same square. One quality for every picture fails it:
//! quality 85 saves a screenshot's 512 px only 13 %.

use test_support::bench_images::{logo_png, photo_jpeg, screenshot_png};
use test_support::variant_images::webp_chunks;
use test_support::variant_quality::Row;

use super::*;

/// The rows of the two largest sizes, where the bytes are.
fn rows(picture: &[u8], content_type: ContentType) -> Vec<(Row, Vec<String>)> {
    let render = |format, shrink_on_load| {
        let options = RenderOptions {
            format,
            shrink_on_load,
        };
        render_with(picture, content_type, None, options).expect("renders")
    };
    let reference = render(VariantFormat::Png, false);
    let before = render(VariantFormat::Jpeg, false);
    let after = render_variants(picture, content_type, None).expect("renders");
    assert_eq!(after.format, VariantFormat::Webp);
    reference.images[..2]
        .iter()
        .zip(&before.images)
        .zip(&after.images)
        .map(|((r, b), a)| {
            let row = Row::measure(r.size, &r.bytes, &b.bytes, &a.bytes);
            (row, webp_chunks(&a.bytes))
        })
        .collect()
}

fn assert_meets_the_contract(picture: &[u8], content_type: ContentType, kind: &str) {
    for (row, chunks) in rows(picture, content_type) {
        assert!(
            row.passes(),
            "{kind}: {row:?}, {:.0} % saved",
            100.0 * row.saved()
        );
        assert_eq!(
            chunks.contains(&"VP8L".to_string()),
            kind == "logo",
            "{kind} at {}: {chunks:?}",
            row.size
        );
    }
}

#[test]
fn a_photo_takes_40_percent_fewer_bytes_than_jpeg_at_its_quality() {
    assert_meets_the_contract(&photo_jpeg(2048), ContentType::Jpeg, "photo");
}

#[test]
fn a_screenshot_takes_40_percent_fewer_bytes_than_jpeg_at_its_quality() {
    assert_meets_the_contract(&screenshot_png(1280, 800), ContentType::Png, "screenshot");
}

#[test]
fn a_logo_with_alpha_takes_40_percent_fewer_bytes_than_png_losslessly() {
    assert_meets_the_contract(&logo_png(1024), ContentType::Png, "logo");
}
