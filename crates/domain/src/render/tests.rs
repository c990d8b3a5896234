use image::metadata::Orientation;
use image::{DynamicImage, GenericImageView, RgbImage};
use test_support::variant_images::*;

use super::*;

fn render(bytes: &[u8], content_type: ContentType, crop: Option<Crop>) -> Variants {
    render_variants(bytes, content_type, crop).expect("renders")
}

/// Every size, exactly square, in the order rendered, each a bare WebP; each decoded.
fn decoded(variants: &Variants) -> Vec<DynamicImage> {
    let sizes: Vec<u32> = variants.images.iter().map(|v| v.size).collect();
    assert_eq!(sizes, VARIANT_SIZES);
    assert_eq!(variants.format, VariantFormat::Webp);
    for v in &variants.images {
        assert!(is_bare_webp(&v.bytes), "{:?}", webp_chunks(&v.bytes));
    }
    variants
        .images
        .iter()
        .map(|v| {
            let image = decode(&v.bytes);
            assert_eq!((image.width(), image.height()), (v.size, v.size));
            image
        })
        .collect()
}

fn crop(x: u32, y: u32, size: u32) -> Option<Crop> {
    Some(Crop { x, y, size })
}

#[test]
fn a_quadrant_crop_gives_that_colour_only() {
    let picture = quadrants_png(400);
    for (c, colour) in [
        (crop(0, 0, 200), RED),
        (crop(200, 0, 200), GREEN),
        (crop(0, 200, 200), BLUE),
        (crop(200, 200, 200), YELLOW),
    ] {
        let variants = render(&picture, ContentType::Png, c);
        for (v, image) in variants.images.iter().zip(decoded(&variants)) {
            assert_eq!(webp_chunks(&v.bytes), ["VP8 "], "opaque: no alpha plane");
            assert!(!image.color().has_alpha());
            for fy in [0.0, 0.5, 0.999] {
                for fx in [0.0, 0.5, 0.999] {
                    let px = sample(&image, fx, fy);
                    assert!(near(px, colour), "{c:?} at {fx},{fy}: {px:?}");
                }
            }
        }
    }
}

#[test]
fn a_picture_turned_by_its_exif_gives_upright_variants() {
    // Upright 100×200; its top square is white on the left and red on the right. Cleaned
    // first, as on publish: the orientation survives cleaning (a JPEG's APP1, a PNG's
    // eXIf: browsers turn both, so the crop view measures the turned picture) and is
    // applied here.
    for (picture, content_type) in [
        (sideways_jpeg(), ContentType::Jpeg),
        (sideways_png(), ContentType::Png),
    ] {
        let clean = crate::avatar::verify_and_clean(picture.into(), content_type).unwrap();
        assert!(render_variants(&clean.bytes, content_type, crop(0, 100, 100)).is_ok());
        let variants = render(&clean.bytes, content_type, crop(0, 0, 100));
        for image in decoded(&variants) {
            assert!(near(sample(&image, 0.25, 0.25), WHITE), "{content_type}");
            assert!(near(sample(&image, 0.25, 0.75), WHITE), "{content_type}");
            assert!(near(sample(&image, 0.75, 0.25), RED), "{content_type}");
            assert!(near(sample(&image, 0.75, 0.75), RED), "{content_type}");
        }
    }
}

#[test]
fn crops_are_checked_against_the_upright_size() {
    // Stored 200×100, upright 100×200: a square at y = 100 fits only once turned.
    assert!(render_variants(&sideways_jpeg(), ContentType::Jpeg, crop(0, 100, 100)).is_ok());
    let err = render_variants(&sideways_jpeg(), ContentType::Jpeg, crop(100, 0, 100)).unwrap_err();
    assert!(matches!(
        err,
        RenderError::CropOutside {
            width: 100,
            height: 200,
            ..
        }
    ));
}

#[test]
fn transparency_is_kept() {
    // A flat picture (a logo) is lossless, alpha included; a photo keeps a lossy picture
    // beside a (losslessly compressed) alpha plane.
    for (picture, chunks, right_colour) in [
        (half_transparent_png(300), vec!["VP8L"], Some(RED)),
        (
            half_transparent_photo_png(300),
            vec!["VP8X", "ALPH", "VP8 "],
            None,
        ),
    ] {
        let variants = render(&picture, ContentType::Png, None);
        for (v, image) in variants.images.iter().zip(decoded(&variants)) {
            assert_eq!(webp_chunks(&v.bytes), chunks);
            assert_eq!(sample(&image, 0.05, 0.5).0[3], 0, "left stays transparent");
            let right = sample(&image, 0.95, 0.5);
            assert_eq!(right.0[3], 255);
            if let Some(colour) = right_colour {
                assert!(near(right, colour));
            }
        }
    }
}

#[test]
fn an_animation_gives_its_first_frame() {
    let variants = render(&red_then_blue_gif(120), ContentType::Gif, None);
    for (v, image) in variants.images.iter().zip(decoded(&variants)) {
        assert!(
            !webp_chunks(&v.bytes).contains(&"ANIM".to_string()),
            "a still"
        );
        assert!(near(sample(&image, 0.5, 0.5), RED), "the first frame");
    }
}

#[test]
fn a_small_crop_is_upscaled_to_every_size() {
    let variants = render(&quadrants_png(40), ContentType::Png, crop(20, 20, 10));
    for image in decoded(&variants) {
        assert!(near(sample(&image, 0.5, 0.5), YELLOW));
    }
}

#[test]
fn variants_carry_no_metadata() {
    let clean = crate::avatar::verify_and_clean(
        test_support::images::jpeg_with_metadata(300, 200).into(),
        ContentType::Jpeg,
    )
    .unwrap();
    assert!(
        test_support::images::jpeg_icc(&clean.bytes).is_some(),
        "a profile to drop"
    );
    for v in render(&clean.bytes, ContentType::Jpeg, None).images {
        assert!(is_bare_webp(&v.bytes), "no EXIF, ICCP or XMP chunk");
        assert!(test_support::images::leaks(&v.bytes).is_empty());
    }
}

/// Each raw pixel the mapping names is the one image's own orientation puts there.
#[test]
fn raw_pixel_matches_the_decoder_orientation() {
    let (w, h) = (5u32, 3u32);
    let raw = RgbImage::from_fn(w, h, |x, y| image::Rgb([x as u8, y as u8, 0]));
    for o in 1..=8 {
        let orientation = Orientation::from_exif(o).unwrap();
        let mut upright = DynamicImage::ImageRgb8(raw.clone());
        upright.apply_orientation(orientation);
        for (u, v, px) in upright.pixels() {
            let (a, b) = orient::raw_pixel(orientation, (w, h), u, v);
            assert_eq!(
                (px.0[0], px.0[1]),
                (a as u8, b as u8),
                "exif {o} at {u},{v}"
            );
        }
    }
}

#[test]
fn garbage_is_undecodable_not_a_panic() {
    let err = render_variants(b"\xff\xd8\xff\xe0garbage", ContentType::Jpeg, None).unwrap_err();
    assert!(matches!(err, RenderError::Undecodable(_)));
}

#[test]
fn an_animated_webp_renders_as_a_still() {
    let animation = test_support::carriers::animated_webp(&[], &[]);
    let clean = crate::avatar::verify_and_clean(animation.into(), ContentType::Webp).unwrap();
    let variants = render(&clean.bytes, ContentType::Webp, None);
    decoded(&variants);
}
