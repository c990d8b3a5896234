use bytes::Bytes;
use test_support::images;

use super::*;

fn clean(bytes: Vec<u8>, ct: ContentType) -> CleanImage {
    verify_and_clean(Bytes::from(bytes), ct).expect("accepted")
}

#[test]
fn strips_every_kind_of_metadata_and_still_decodes() {
    let cases: [(ContentType, Vec<u8>); 4] = [
        (ContentType::Jpeg, images::jpeg_with_metadata(48, 32)),
        (ContentType::Png, images::png_with_metadata(48, 32)),
        (ContentType::Webp, images::webp_with_metadata(48, 32)),
        (ContentType::Gif, images::gif_with_metadata(48, 32)),
    ];
    for (ct, original) in cases {
        assert!(
            !images::leaks(&original).is_empty(),
            "{ct}: fixture carries metadata"
        );
        images::decode(&original, ct.mime());
        let cleaned = clean(original.clone(), ct);
        assert_eq!(images::leaks(&cleaned.bytes), Vec::<&str>::new(), "{ct}");
        assert_eq!(images::decode(&cleaned.bytes, ct.mime()), (48, 32), "{ct}");
        assert_eq!((cleaned.width, cleaned.height), (48, 32));
        assert!(cleaned.bytes.len() < original.len(), "{ct}");
    }
}

#[test]
fn jpeg_keeps_its_icc_profile_and_loses_trailing_bytes() {
    let cleaned = clean(images::jpeg_with_metadata(16, 16), ContentType::Jpeg);
    assert_eq!(
        images::jpeg_icc(&cleaned.bytes).as_deref(),
        Some(images::ICC_MARKER)
    );
    assert_eq!(&cleaned.bytes[cleaned.bytes.len() - 2..], &[0xFF, 0xD9]);
}

#[test]
fn jpeg_keeps_only_the_orientation_of_its_exif() {
    let cleaned = clean(images::jpeg_with_metadata(16, 16), ContentType::Jpeg);
    let exif = images::jpeg_exif(&cleaned.bytes).expect("orientation kept");
    assert_eq!(orientation::read(&exif), Some(images::EXIF_ORIENTATION));
    assert_eq!(
        exif,
        orientation::only(images::EXIF_ORIENTATION),
        "nothing but the orientation"
    );
    // Orientation 1 (the default) needs no EXIF at all.
    let upright = clean(images::png(4, 4), ContentType::Png);
    assert!(!images::contains(&upright.bytes, b"Exif"));
}

#[test]
fn webp_xmp_flag_is_cleared() {
    let cleaned = clean(images::webp_with_metadata(8, 8), ContentType::Webp);
    assert_eq!(&cleaned.bytes[12..16], b"VP8X");
    assert_eq!(
        cleaned.bytes[20] & 0b0000_1100,
        0,
        "EXIF and XMP flags cleared"
    );
    assert_ne!(cleaned.bytes[20] & 0b0010_0000, 0, "ICC flag kept");
    assert!(images::contains(&cleaned.bytes, images::ICC_MARKER));
}

#[test]
fn clean_images_pass_through_unchanged_in_content() {
    let png = images::png(20, 10);
    let cleaned = clean(png.clone(), ContentType::Png);
    assert_eq!(cleaned.bytes.as_ref(), png.as_slice());
}

type IsExpected = fn(&Rejection) -> bool;

#[test]
fn refuses_what_is_not_the_promised_image() {
    let svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let cases: Vec<(&str, Vec<u8>, ContentType, IsExpected)> = vec![
        ("empty", vec![], ContentType::Png, |r| {
            matches!(r, Rejection::Empty)
        }),
        ("svg as png", svg, ContentType::Png, |r| {
            matches!(r, Rejection::WrongType { .. })
        }),
        ("html as png", html, ContentType::Png, |r| {
            matches!(r, Rejection::WrongType { .. })
        }),
        (
            "text as gif",
            b"just some text".to_vec(),
            ContentType::Gif,
            |r| matches!(r, Rejection::WrongType { .. }),
        ),
        (
            "jpeg as png",
            images::jpeg_with_metadata(8, 8),
            ContentType::Png,
            |r| matches!(r, Rejection::WrongType { .. }),
        ),
        ("png as webp", images::png(8, 8), ContentType::Webp, |r| {
            matches!(r, Rejection::WrongType { .. })
        }),
        (
            "huge png",
            images::png_header(100_000, 100_000),
            ContentType::Png,
            |r| {
                matches!(
                    r,
                    Rejection::BadDimensions {
                        width: 100_000,
                        height: 100_000
                    }
                )
            },
        ),
        (
            "4097 wide",
            images::png_header(4097, 1),
            ContentType::Png,
            |r| matches!(r, Rejection::BadDimensions { .. }),
        ),
        (
            "zero wide",
            images::png_header(0, 10),
            ContentType::Png,
            |r| matches!(r, Rejection::BadDimensions { .. }),
        ),
        (
            "png signature only",
            b"\x89PNG\r\n\x1a\n".to_vec(),
            ContentType::Png,
            |r| matches!(r, Rejection::Unreadable),
        ),
    ];
    for (name, bytes, ct, expected) in cases {
        let rejection = verify_and_clean(Bytes::from(bytes), ct).expect_err(name);
        assert!(expected(&rejection), "{name}: {rejection:?}");
    }
}

#[test]
fn a_gif_frame_larger_than_its_screen_is_refused() {
    let mut gif = images::gif_with_metadata(4, 4);
    // The first image descriptor (0x2C) follows the extensions; declare a 65535 px frame.
    let at = gif
        .iter()
        .rposition(|&b| b == 0x2C)
        .expect("image descriptor");
    gif[at + 5..at + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let rejection = verify_and_clean(Bytes::from(gif), ContentType::Gif).expect_err("refused");
    assert_eq!(rejection, Rejection::Unreadable);
}

#[test]
fn jpeg_metadata_after_the_first_scan_is_dropped_too() {
    let mut jpeg = images::jpeg_with_metadata(8, 8);
    let eoi = jpeg
        .windows(2)
        .rposition(|w| w == [0xFF, 0xD9])
        .expect("EOI");
    // A comment and an APP1 between the scan data and EOI, as progressive encoders allow.
    let mut late = vec![0xFF, 0xFE, 0, 17];
    late.extend_from_slice(b"my home address");
    late.extend_from_slice(&[0xFF, 0xE1, 0, 12]);
    late.extend_from_slice(b"GPS-SECRET");
    jpeg.splice(eoi..eoi, late);
    images::decode(&jpeg, "image/jpeg");
    let cleaned = clean(jpeg, ContentType::Jpeg);
    assert_eq!(images::leaks(&cleaned.bytes), Vec::<&str>::new());
    assert_eq!(images::decode(&cleaned.bytes, "image/jpeg"), (8, 8));
}

#[test]
fn a_jpeg_without_its_end_marker_is_refused() {
    let jpeg = images::jpeg_with_metadata(8, 8);
    let eoi = jpeg
        .windows(2)
        .rposition(|w| w == [0xFF, 0xD9])
        .expect("EOI");
    let truncated = jpeg[..eoi].to_vec();
    let rejection =
        verify_and_clean(Bytes::from(truncated), ContentType::Jpeg).expect_err("refused");
    assert_eq!(rejection, Rejection::Unreadable);
}

#[test]
fn a_4096_square_header_is_within_limits() {
    // Only the header is checked for size; stripping then fails on the missing data.
    let result = verify_and_clean(
        Bytes::from(images::png_header(4096, 4096)),
        ContentType::Png,
    );
    assert!(!matches!(result, Err(Rejection::BadDimensions { .. })));
}
