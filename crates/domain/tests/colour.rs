//! Variants are sRGB: every variant of a picture with an ICC profile matches littleCMS's
//! conversion of the same pixels to sRGB within 3 per channel, at the centre of each flat
//! patch; a picture without a profile, or with one that cannot be used, keeps its numbers.
//! The reference runs `scripts/colour-reference` (Pillow's ImageCms, relative colorimetric:
//! see `scripts/lib/lcms_to_srgb.py`), installed on first use. Profiles: matrix/curves
//! (Adobe RGB, Display P3), 16- and 8-bit v2 LUTs (`mft2`, `mft1`), a v4 `mAB ` LUT, one
//! past 64 KiB (two APP2 segments in a JPEG), and grey; carried by PNG, JPEG, WebP and GIF;
//! and printers' CMYK profiles (v2 `mft2`, v4 `mAB `) in CMYK and YCCK JPEGs.
//!
//! Each picture is checked twice: rendered losslessly (PNG), where only the colour
//! conversion can move a pixel, within 3; and as published (lossy WebP), within 3 plus
//! what lossy WebP moves a flat saturated patch by on its own (measured on the picture
//! without a profile: up to 10 at 64 px, at the quality a flat picture is given).

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::render::{RenderOptions, Variants, render_with};
use avatar_domain::values::{ContentType, VariantFormat};
use test_support::colour::*;
use test_support::variant_images::{decode, sample};

const SIDE: u32 = 600;
/// littleCMS against moxcms, 8-bit in and out.
const TOLERANCE: u8 = 3;
/// Lossy WebP's own error on a flat, saturated 16 px patch of the 64 px variant, at the
/// quality a flat picture gets (its PSNR matched to JPEG q80's, not quality 85); the
/// conversion itself is held to [`TOLERANCE`] by the lossless leg.
const WEBP_ERROR: u8 = 10;

/// The colour at the centre of each patch of a `SIDE`-long packed RGB picture.
fn patch_colours(rgb: &[u8]) -> Vec<[u8; 3]> {
    (0..PATCHES.len())
        .map(|i| {
            let (fx, fy) = patch_centre(i);
            let (x, y) = ((fx * SIDE as f32) as usize, (fy * SIDE as f32) as usize);
            let at = (y * SIDE as usize + x) * 3;
            [rgb[at], rgb[at + 1], rgb[at + 2]]
        })
        .collect()
}

/// Every variant of `upload`, lossless and as published, shows `expected` at each patch
/// centre, within the tolerance.
fn assert_variants_show(
    name: &str,
    upload: Vec<u8>,
    content_type: ContentType,
    expected: &[[u8; 3]],
) {
    let clean = verify_and_clean(upload.into(), content_type).expect("a valid picture");
    for (format, tolerance) in [
        (VariantFormat::Png, TOLERANCE),
        (VariantFormat::Webp, TOLERANCE + WEBP_ERROR),
    ] {
        let options = RenderOptions {
            format,
            ..RenderOptions::default()
        };
        let variants = render_with(&clean.bytes, content_type, None, options).expect("renders");
        assert_eq!(variants.format, format);
        assert_show(
            &format!("{name} as {format:?}"),
            &variants,
            expected,
            tolerance,
        );
    }
}

fn assert_show(name: &str, variants: &Variants, expected: &[[u8; 3]], tolerance: u8) {
    for v in &variants.images {
        let image = decode(&v.bytes);
        for (i, want) in expected.iter().enumerate() {
            let (fx, fy) = patch_centre(i);
            let got = sample(&image, fx, fy).0;
            let off = (0..3).map(|c| got[c].abs_diff(want[c])).max().unwrap_or(0);
            assert!(
                off <= tolerance,
                "{name}, {} px, patch {i}: got {:?}, littleCMS {want:?}",
                v.size,
                &got[..3]
            );
        }
    }
}

/// Every kind of RGB profile (matrix/curves, v2 and v4 LUTs, one over 64 KiB), in every
/// format that carries one, with and without an alpha channel.
#[test]
fn every_rgb_profile_kind_in_every_format_is_converted_to_srgb_as_littlecms_does() {
    let pixels = patches(SIDE, false);
    for (name, icc) in [
        ("Adobe RGB (1998)", adobe_rgb_icc()),
        ("Display P3", display_p3_icc()),
        ("a 16-bit LUT (mft2) profile", lut_icc()),
        ("an 8-bit LUT (mft1) profile", lut8_icc()),
        ("a v4 lutAtoB (mAB) profile", lut_atob_icc()),
        ("Display P3 padded past 64 KiB", large_display_p3_icc()),
    ] {
        let expected = patch_colours(&lcms_to_srgb(SIDE, &pixels, Mode::Rgb, &icc));
        assert_ne!(
            expected, PATCHES,
            "{name}: the conversion changes the numbers"
        );
        for (format, upload) in [
            (ContentType::Png, png_with_icc(SIDE, &pixels, false, &icc)),
            (ContentType::Jpeg, jpeg_with_icc(SIDE as u16, &pixels, &icc)),
            (ContentType::Webp, webp_with_icc(SIDE, &pixels, &icc)),
            (ContentType::Gif, gif_with_icc(SIDE as u16, &pixels, &icc)),
            (
                ContentType::Png,
                png_with_icc_and_alpha(SIDE, &pixels, false, &icc),
            ),
            (
                ContentType::Webp,
                webp_with_icc_and_alpha(SIDE, &pixels, &icc),
            ),
        ] {
            assert_variants_show(&format!("{name} {format:?}"), upload, format, &expected);
        }
    }
}

/// A grey profile, in the formats that store grey pixels.
#[test]
fn a_grey_profile_is_converted_to_srgb_as_littlecms_does() {
    let pixels = patches(SIDE, true);
    let icc = grey_icc();
    let expected = patch_colours(&lcms_to_srgb(SIDE, &pixels, Mode::Grey, &icc));
    let unchanged: Vec<[u8; 3]> = PATCHES.iter().map(|p| [p[0]; 3]).collect();
    assert_ne!(expected, unchanged, "the conversion changes the numbers");
    assert_variants_show(
        "grey PNG",
        png_with_icc(SIDE, &pixels, true, &icc),
        ContentType::Png,
        &expected,
    );
    assert_variants_show(
        "grey PNG with alpha",
        png_with_icc_and_alpha(SIDE, &pixels, true, &icc),
        ContentType::Png,
        &expected,
    );
    assert_variants_show(
        "grey JPEG",
        grey_jpeg_with_icc(SIDE as u16, &pixels, &icc),
        ContentType::Jpeg,
        &expected,
    );
}

/// A CMYK JPEG, its components stored as CMYK or YCCK, with a printer's profile (v2
/// `mft2` or v4 `mAB `, into Lab): converted through the profile as littleCMS does. Without
/// a profile, or with one for another colour space, its inks are drawn as browsers draw
/// them, each channel (1 − ink)(1 − black).
#[test]
fn a_cmyk_jpeg_is_converted_to_srgb_through_its_profile_as_littlecms_does() {
    let inks = cmyk_patches(SIDE);
    let naive: Vec<[u8; 3]> = CMYK_PATCHES
        .iter()
        .map(|ink| {
            let paper = 255 - u32::from(ink[3]);
            [0, 1, 2].map(|c| (((255 - u32::from(ink[c])) * paper + 127) / 255) as u8)
        })
        .collect();
    for (name, icc) in [
        ("a v2 printer profile (mft2)", cmyk_icc()),
        ("a v4 printer profile (mAB)", cmyk_atob_icc()),
    ] {
        let expected = patch_colours(&lcms_to_srgb(SIDE, &inks, Mode::Cmyk, &icc));
        let off = expected
            .iter()
            .zip(&naive)
            .flat_map(|(e, n)| (0..3).map(|c| e[c].abs_diff(n[c])))
            .max();
        assert!(off > Some(20), "{name}: the profile changes the colours");
        for (stored, ycck) in [("CMYK", false), ("YCCK", true)] {
            let jpeg = cmyk_jpeg_with_icc(SIDE as u16, &inks, Some(&icc), ycck);
            let name = format!("{name} in a {stored} JPEG");
            assert_variants_show(&name, jpeg, ContentType::Jpeg, &expected);
        }
    }
    for (name, icc) in [
        ("no profile", None),
        ("an RGB profile", Some(adobe_rgb_icc())),
    ] {
        for ycck in [false, true] {
            let jpeg = cmyk_jpeg_with_icc(SIDE as u16, &inks, icc.as_deref(), ycck);
            let name = format!("a CMYK JPEG with {name}, YCCK: {ycck}");
            assert_variants_show(&name, jpeg, ContentType::Jpeg, &naive);
        }
    }
}

#[test]
fn without_a_usable_profile_the_numbers_are_kept() {
    let pixels = patches(SIDE, false);
    let plain = image_png(&pixels);
    assert_variants_show("no profile", plain, ContentType::Png, &PATCHES);
    // Well-formed enough for cleaning to keep it (size and signature), but no transform.
    let mut hollow = vec![0u8; 132];
    hollow[..4].copy_from_slice(&132u32.to_be_bytes());
    hollow[36..40].copy_from_slice(b"acsp");
    assert_variants_show(
        "a profile without tags",
        png_with_icc(SIDE, &pixels, false, &hollow),
        ContentType::Png,
        &PATCHES,
    );
}

fn image_png(pixels: &[u8]) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(pixels, SIDE, SIDE, image::ExtendedColorType::Rgb8)
        .expect("png");
    out
}
