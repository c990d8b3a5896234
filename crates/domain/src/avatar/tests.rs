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
        images::jpeg_icc(&cleaned.bytes),
        Some(test_support::carriers::icc_profile(200))
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
}

#[test]
fn jpeg_orientation_1_needs_no_exif_at_all() {
    let jpeg = test_support::carriers::plain_jpeg(16, 8, false, None);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&orientation::only(1));
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&exif);
    let mut upright = jpeg.clone();
    upright.splice(2..2, segment);
    assert!(
        images::jpeg_exif(&upright).is_some(),
        "the fixture has EXIF"
    );
    let cleaned = clean(upright, ContentType::Jpeg);
    assert_eq!(images::jpeg_exif(&cleaned.bytes), None);
    assert!(!images::contains(&cleaned.bytes, b"Exif"));
    assert_eq!(images::decode(&cleaned.bytes, "image/jpeg"), (16, 8));
}

/// The data of a PNG's eXIf chunks, in order.
fn png_exif_chunks(png: &[u8]) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        if &png[at + 4..at + 8] == b"eXIf" {
            found.push(png[at + 8..at + 8 + len].to_vec());
        }
        at += 12 + len;
    }
    found
}

#[test]
fn png_keeps_only_the_orientation_of_its_exif() {
    use test_support::carriers::{png_chunk, png_with_chunks};
    let png = png_with_chunks(b"IDAT", &[png_chunk(b"eXIf", &images::exif_with_gps())]);
    let cleaned = clean(png, ContentType::Png);
    assert_eq!(
        png_exif_chunks(&cleaned.bytes),
        vec![orientation::only(images::EXIF_ORIENTATION)],
        "nothing but the orientation"
    );
    assert_eq!(images::leaks(&cleaned.bytes), Vec::<&str>::new());
    assert_eq!(images::decode(&cleaned.bytes, "image/png"), (16, 12));
}

#[test]
fn png_exif_that_does_not_turn_the_picture_or_that_decoders_skip_is_dropped() {
    use test_support::carriers::{png_chunk, png_with_chunks};
    let turn = |o| png_chunk(b"eXIf", &orientation::only(o));
    let mut bad_crc = turn(6);
    let last = bad_crc.len() - 1;
    bad_crc[last] ^= 0xFF;
    let cases: [(&str, Vec<u8>, Option<u16>); 5] = [
        ("orientation 1", png_with_chunks(b"IDAT", &[turn(1)]), None),
        (
            "no orientation at all",
            png_with_chunks(b"IDAT", &[png_chunk(b"eXIf", b"MM\0\x2a\0\0\0\x08\0\0")]),
            None,
        ),
        (
            "after the image data",
            png_with_chunks(b"IEND", &[turn(6)]),
            None,
        ),
        ("a wrong CRC", png_with_chunks(b"IDAT", &[bad_crc]), None),
        (
            "a second eXIf",
            png_with_chunks(b"IDAT", &[turn(6), turn(3)]),
            Some(6),
        ),
    ];
    for (name, png, kept) in cases {
        let cleaned = clean(png, ContentType::Png);
        let expected: Vec<Vec<u8>> = kept.map(orientation::only).into_iter().collect();
        assert_eq!(png_exif_chunks(&cleaned.bytes), expected, "{name}");
        assert_eq!(
            images::decode(&cleaned.bytes, "image/png"),
            (16, 12),
            "{name}"
        );
    }
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
fn a_gif_frame_larger_than_the_side_limit_is_refused() {
    let mut gif = images::gif_with_metadata(4, 4);
    // The first image descriptor (0x2C) follows the extensions; declare a 65535 px frame.
    let at = gif
        .iter()
        .rposition(|&b| b == 0x2C)
        .expect("image descriptor");
    gif[at + 5..at + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let rejection = verify_and_clean(Bytes::from(gif), ContentType::Gif).expect_err("refused");
    assert_eq!(
        rejection,
        Rejection::FrameTooLarge {
            width: 65535,
            height: 65535
        }
    );
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
    assert!(
        matches!(rejection, Rejection::Damaged { format: "JPEG", .. }),
        "{rejection:?}"
    );
    assert!(
        rejection.to_string().contains("end-of-image"),
        "{rejection}"
    );
}

#[test]
fn a_4096_square_picture_is_accepted() {
    for (w, h, png) in [
        (4096, 4096, test_support::carriers::png_square(4096)),
        (1, 1, test_support::carriers::png_square(1)),
    ] {
        let cleaned = clean(png.clone(), ContentType::Png);
        assert_eq!((cleaned.width, cleaned.height), (w, h));
        assert_eq!(cleaned.bytes.as_ref(), png.as_slice());
    }
}

#[test]
fn a_header_without_image_data_is_refused_as_damaged() {
    let rejection = verify_and_clean(
        Bytes::from(images::png_header(4096, 4096)),
        ContentType::Png,
    )
    .expect_err("refused");
    assert!(
        matches!(rejection, Rejection::Damaged { format: "PNG", .. }),
        "{rejection:?}"
    );
}

mod animations {
    use super::*;
    use test_support::carriers::{gif_frames, png_chunk, webp_animation};

    fn refused(bytes: Vec<u8>, ct: ContentType) -> Rejection {
        verify_and_clean(Bytes::from(bytes), ct).expect_err("refused")
    }

    fn assert_too_many_pixels(rejection: Rejection, frames: u64) {
        assert!(
            matches!(rejection, Rejection::TooManyPixels { frames: f, .. } if f == frames),
            "{rejection:?}"
        );
        let message = rejection.to_string();
        assert!(message.contains("too large once decoded"), "{message}");
        assert!(
            message.contains(&MAX_DECODED_PIXELS.to_string()),
            "{message}"
        );
    }

    #[test]
    fn gif_frames_count_as_the_whole_screen() {
        let tiny_frames = vec![(0, 0, 1, 1, 0); 257];
        // 256 frames of a 512×512 screen fit; the 257th goes over.
        assert!(
            verify_and_clean(
                Bytes::from(gif_frames(512, 512, &tiny_frames[..256])),
                ContentType::Gif
            )
            .is_ok()
        );
        let rejection = refused(gif_frames(512, 512, &tiny_frames), ContentType::Gif);
        assert_too_many_pixels(rejection, 257);
    }

    #[test]
    fn webp_frames_count_as_the_whole_canvas() {
        assert!(
            verify_and_clean(
                Bytes::from(webp_animation(4096, 4096, 4)),
                ContentType::Webp
            )
            .is_ok()
        );
        let rejection = refused(webp_animation(4096, 4096, 5), ContentType::Webp);
        assert_too_many_pixels(rejection, 5);
    }

    #[test]
    fn apng_frame_count_announced_in_actl_is_bounded() {
        let mut png = images::png(64, 64);
        let mut actl = 1_000_000u32.to_be_bytes().to_vec();
        actl.extend_from_slice(&0u32.to_be_bytes());
        // Right after IHDR: signature (8) + IHDR chunk (25).
        png.splice(33..33, png_chunk(b"acTL", &actl));
        let rejection = refused(png, ContentType::Png);
        assert_too_many_pixels(rejection, 1_000_000);
    }

    #[test]
    fn apng_frames_are_counted_as_they_come() {
        let mut png = test_support::carriers::png_square(1024);
        let mut chunks = png_chunk(b"acTL", &[0, 0, 0, 1, 0, 0, 0, 0]);
        let mut fctl = vec![0u8; 26];
        fctl[4..8].copy_from_slice(&1024u32.to_be_bytes());
        fctl[8..12].copy_from_slice(&1024u32.to_be_bytes());
        for sequence in 0..65u32 {
            fctl[..4].copy_from_slice(&sequence.to_be_bytes());
            chunks.extend_from_slice(&png_chunk(b"fcTL", &fctl));
        }
        png.splice(33..33, chunks);
        let rejection = refused(png, ContentType::Png);
        assert_too_many_pixels(rejection, 65);
    }

    #[test]
    fn a_frame_off_the_canvas_is_refused() {
        let mut png = images::png(16, 16);
        let mut chunks = png_chunk(b"acTL", &[0, 0, 0, 1, 0, 0, 0, 0]);
        let mut fctl = vec![0u8; 26];
        fctl[4..8].copy_from_slice(&16u32.to_be_bytes());
        fctl[8..12].copy_from_slice(&16u32.to_be_bytes());
        fctl[12..16].copy_from_slice(&1u32.to_be_bytes());
        chunks.extend_from_slice(&png_chunk(b"fcTL", &fctl));
        png.splice(33..33, chunks);
        let rejection = refused(png, ContentType::Png);
        assert!(
            matches!(rejection, Rejection::Damaged { format: "PNG", .. }),
            "{rejection:?}"
        );
    }
}

#[test]
fn a_gif_graphic_control_with_extra_blocks_is_refused() {
    // Browsers read the first block, the gif crate the last: timing and transparency
    // would depend on who renders it.
    let mut gif = test_support::carriers::gif_frames(4, 4, &[(0, 0, 4, 4, 0)]);
    let at = 13 + 12;
    gif.splice(
        at..at,
        [0x21, 0xF9, 4, 0b1001, 10, 0, 3, 4, 0b1001, 0, 0, 2, 0],
    );
    let rejection = verify_and_clean(Bytes::from(gif), ContentType::Gif).expect_err("refused");
    assert!(
        rejection.to_string().contains("graphic control extension"),
        "{rejection}"
    );
}

#[test]
fn jpeg_stray_bytes_between_segments_are_skipped_and_dropped() {
    // Some cameras leave bytes between segments; decoders skip them.
    let mut jpeg = test_support::carriers::plain_jpeg(16, 8, false, None);
    // After the frame header (imagesize, which reads up to it, refuses them earlier on).
    let scan = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .expect("SOS");
    jpeg.splice(scan..scan, b"STRAY-BYTES".iter().copied());
    images::decode(&jpeg, "image/jpeg");
    let cleaned = clean(jpeg, ContentType::Jpeg);
    assert!(!images::contains(&cleaned.bytes, b"STRAY-BYTES"));
    assert_eq!(images::decode(&cleaned.bytes, "image/jpeg"), (16, 8));
}

#[test]
fn a_still_webp_with_two_images_is_refused() {
    // libwebp reads chunks in order, image-webp takes the first of each kind: with two
    // images the picture would depend on the viewer.
    let mut webp = images::webp_with_metadata(8, 8);
    let at = webp
        .windows(4)
        .position(|w| w == b"VP8L")
        .expect("VP8L chunk");
    let len = u32::from_le_bytes(webp[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
    let chunk = webp[at..at + 8 + len + (len & 1)].to_vec();
    webp.extend_from_slice(&chunk);
    let riff_len = (webp.len() - 8) as u32;
    webp[4..8].copy_from_slice(&riff_len.to_le_bytes());
    let rejection = verify_and_clean(Bytes::from(webp), ContentType::Webp).expect_err("refused");
    assert!(
        rejection.to_string().contains("more than one image"),
        "{rejection}"
    );
}

#[test]
fn a_webp_bitstream_shorter_than_its_header_is_refused() {
    // Found by fuzzing: the size was read from bytes past the chunk's end, which the clean
    // file no longer has, so it was refused when cleaned again.
    let mut webp = b"RIFF\x14\0\0\0WEBPVP8L\x02\0\0\0\x2f\x09".to_vec();
    webp.extend_from_slice(&[0x40, 0x01, 0x10, 0xCD, 0x55, 0x20]);
    let rejection = verify_and_clean(Bytes::from(webp), ContentType::Webp).expect_err("refused");
    assert!(
        matches!(rejection, Rejection::Damaged { format: "WebP", .. }),
        "{rejection:?}"
    );
}
