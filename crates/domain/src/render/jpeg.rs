//! A JPEG's pixels shrunk while decoding, by libjpeg-turbo (as in mozjpeg, the `mozjpeg`
//! crate building its C with `cc`): the decoder libvips and so sharp use, whose Huffman
//! decoding is a third faster than `jpeg-decoder`'s and whose DCT scaling produces the
//! 1/2, 1/4 or 1/8 picture straight from the coefficients. docs/design.md, "Square
//! variants", has the measurements behind the choice.
//!
//! libjpeg reports a fatal error by calling back into Rust, which unwinds out of the C
//! (built with `-fexceptions` for that); the unwind is caught here and becomes an error, so
//! a corrupt JPEG is a [`RenderError`], never an abort. Its warnings (corrupt entropy data
//! it can step over, a missing end marker) are ignored, as libjpeg's own tools and
//! browsers do: the picture is drawn as far as it decodes.

use std::panic::{AssertUnwindSafe, catch_unwind};

use mozjpeg::{ColorSpace, Decompress, NO_MARKERS};

use super::RenderError;

/// What libjpeg may need for a `width`×`height` JPEG of `components` components decoded
/// at 1/`shrink`. Coefficients, 64 of 2 bytes for each 8×8 block, each component padded
/// to the largest MCU (32 px for sampling factors of 4): every one of the picture when it
/// `buffers` (see [`buffers_coefficients`]), else one MCU row (4 rows of blocks). Samples:
/// an MCU row of each component, three times over for the upsampler's context rows. Then
/// the RGB output (and, for CMYK, the ink values it is converted from).
pub fn worst_case_bytes(
    width: u32,
    height: u32,
    components: u32,
    shrink: u32,
    buffers: bool,
) -> u64 {
    let blocks = |n: u32| u64::from(n.div_ceil(32) * 4);
    let block_rows = if buffers { blocks(height) } else { 4 };
    let coefficients = u64::from(components) * blocks(width) * block_rows * 64 * 2;
    let samples = u64::from(components) * blocks(width) * 8 * 32 * 3;
    let per_pixel = if components == 4 { 4 + 3 } else { 3 };
    let output = u64::from(width.div_ceil(shrink)) * u64::from(height.div_ceil(shrink)) * per_pixel;
    coefficients + samples + output
}

/// Whether libjpeg holds every coefficient of the picture while decoding it, as it does
/// for a progressive JPEG or one whose first scan leaves out a component (more scans
/// follow): libjpeg's own test (`has_multiple_scans`). A sequential JPEG with one
/// interleaved scan is decoded a row of blocks at a time. Read from the markers up to the
/// first scan; a file that cannot be walked counts as buffering.
pub fn buffers_coefficients(bytes: &[u8]) -> bool {
    let be16 = |at: usize| {
        bytes
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let mut components = None;
    let mut at = 2;
    while let (Some(0xFF), Some(&marker)) = (bytes.get(at), bytes.get(at + 1)) {
        match marker {
            // Fill bytes before a marker.
            0xFF => {
                at += 1;
                continue;
            }
            // SOF2, SOF6, SOF10, SOF14: progressive.
            0xC2 | 0xC6 | 0xCA | 0xCE => return true,
            0xC0 | 0xC1 | 0xC3 | 0xC5 | 0xC7 | 0xC9 | 0xCB | 0xCD | 0xCF => {
                components = bytes.get(at + 9).copied();
            }
            0xDA => {
                return match (bytes.get(at + 4), components) {
                    (Some(&in_scan), Some(all)) => in_scan < all,
                    _ => true,
                };
            }
            _ => {}
        }
        let Some(length) = be16(at + 2) else {
            return true;
        };
        at += 2 + length;
    }
    true
}

/// What [`decode_scaled`] gives: 8-bit RGB, or CMYK ink values (0 none, 255 full) for a
/// CMYK or YCCK JPEG, which only an ICC profile can turn into colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Samples {
    Rgb,
    Cmyk,
}

/// The whole picture shrunk by `shrink` (1, 2, 4 or 8) as packed rows of 8-bit RGB, or
/// of CMYK ink values when `samples` says so, with its width and height. `expected` is
/// the stored size as the header was read before; a picture libjpeg reads as another
/// size, or in a colour space other than `samples` expects (YCbCr, RGB or grey; CMYK or
/// YCCK), is refused.
pub fn decode_scaled(
    bytes: &[u8],
    shrink: u32,
    expected: (u32, u32),
    samples: Samples,
) -> Result<(Vec<u8>, u32, u32), RenderError> {
    let numerator = match shrink {
        1 => 8,
        2 => 4,
        4 => 2,
        8 => 1,
        _ => return Err(RenderError::Undecodable("unsupported JPEG scale".into())),
    };
    // Everything libjpeg does runs inside: its errors unwind to here.
    let decoded = catch_unwind(AssertUnwindSafe(|| -> Result<_, String> {
        let mut decoder = Decompress::with_markers(NO_MARKERS)
            .from_mem(bytes)
            .map_err(|e| e.to_string())?;
        let found = match decoder.color_space() {
            ColorSpace::JCS_YCbCr | ColorSpace::JCS_RGB | ColorSpace::JCS_GRAYSCALE => Samples::Rgb,
            ColorSpace::JCS_CMYK | ColorSpace::JCS_YCCK => Samples::Cmyk,
            _ => return Err("not a YCbCr, RGB, grey, CMYK or YCCK JPEG".into()),
        };
        if found != samples {
            return Err("the JPEG's colour space does not match its header".into());
        }
        let (w, h) = decoder.size();
        if (u32::try_from(w).ok(), u32::try_from(h).ok()) != (Some(expected.0), Some(expected.1)) {
            return Err("the JPEG's frame does not match its header".into());
        }
        decoder.scale(numerator);
        let mut started = match samples {
            Samples::Rgb => decoder.rgb(),
            // libjpeg turns YCCK into CMYK itself.
            Samples::Cmyk => decoder.to_colorspace(ColorSpace::JCS_CMYK),
        }
        .map_err(|e| e.to_string())?;
        let (w, h) = (started.width(), started.height());
        let mut pixels: Vec<u8> = started.read_scanlines().map_err(|e| e.to_string())?;
        started.finish().map_err(|e| e.to_string())?;
        if samples == Samples::Cmyk {
            // Stored inverted, as Photoshop writes CMYK (with Adobe's APP14) and as
            // browsers, libvips and Pillow read every CMYK JPEG.
            pixels.iter_mut().for_each(|v| *v = 255 - *v);
        }
        Ok((pixels, w, h))
    }));
    let (pixels, w, h) = match decoded {
        Ok(result) => result.map_err(RenderError::Undecodable)?,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_else(|| "libjpeg failed".into());
            return Err(RenderError::Undecodable(message));
        }
    };
    let (w, h) = (
        u32::try_from(w).map_err(|_| too_large())?,
        u32::try_from(h).map_err(|_| too_large())?,
    );
    let channels = match samples {
        Samples::Rgb => 3,
        Samples::Cmyk => 4,
    };
    if (w, h) != (expected.0.div_ceil(shrink), expected.1.div_ceil(shrink))
        || pixels.len() as u64 != u64::from(w) * u64::from(h) * channels
    {
        return Err(RenderError::Undecodable("unexpected JPEG scale".into()));
    }
    Ok((pixels, w, h))
}

fn too_large() -> RenderError {
    RenderError::Undecodable("JPEG too large".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::decode::MAX_DECODE_BYTES;
    use crate::render::{RenderError, render_variants};
    use crate::values::ContentType;
    use test_support::bench_images::photo_jpeg;

    /// Where the segment of `marker` starts (its 0xFF), in a JPEG as jpeg-encoder writes it.
    fn segment(jpeg: &[u8], marker: u8) -> usize {
        jpeg.windows(2)
            .position(|w| w == [0xFF, marker])
            .expect("the marker")
    }

    /// The same picture with its first scan naming Huffman tables it never defined.
    fn undefined_huffman_tables(jpeg: &[u8]) -> Vec<u8> {
        let mut bad = jpeg.to_vec();
        let sos = segment(jpeg, 0xDA);
        let components = usize::from(bad[sos + 4]);
        for c in 0..components {
            bad[sos + 6 + 2 * c] = 0x33;
        }
        bad
    }

    /// The same picture with its frame naming a quantisation table it never defined.
    fn undefined_quantisation_table(jpeg: &[u8]) -> Vec<u8> {
        let mut bad = jpeg.to_vec();
        let sof = segment(jpeg, 0xC0);
        bad[sof + 10 + 2] = 3;
        bad
    }

    fn assert_refused(result: Result<(Vec<u8>, u32, u32), RenderError>) {
        match result {
            Err(RenderError::Undecodable(message)) => assert!(!message.is_empty()),
            Ok((_, w, h)) => panic!("a corrupt JPEG decoded as {w}×{h}"),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn libjpeg_errors_are_render_errors_not_aborts() {
        let jpeg = photo_jpeg(64);
        assert!(decode_scaled(&jpeg, 2, (64, 64), Samples::Rgb).is_ok());
        for bad in [
            undefined_huffman_tables(&jpeg),
            undefined_quantisation_table(&jpeg),
        ] {
            for shrink in [1, 2, 4, 8] {
                assert_refused(decode_scaled(&bad, shrink, (64, 64), Samples::Rgb));
            }
            let err = render_variants(&bad, ContentType::Jpeg, None).unwrap_err();
            assert!(matches!(err, RenderError::Undecodable(_)), "{err:?}");
        }
        // Not a JPEG at all, or another size than the header read before.
        assert_refused(decode_scaled(
            b"\xff\xd8\xff\xe0garbage",
            1,
            (64, 64),
            Samples::Rgb,
        ));
        assert_refused(decode_scaled(&jpeg, 1, (64, 65), Samples::Rgb));
        assert_refused(decode_scaled(&jpeg, 1, (64, 64), Samples::Cmyk));
        assert_refused(decode_scaled(&jpeg, 3, (64, 64), Samples::Rgb));
    }

    /// Flipped bytes anywhere in the entropy-coded data, and the data cut short: libjpeg
    /// draws what it can or refuses, and the process goes on either way.
    #[test]
    fn damaged_scans_decode_or_fail_without_a_panic() {
        let jpeg = photo_jpeg(96);
        let start = segment(&jpeg, 0xDA) + 14;
        let end = jpeg.len() - 2;
        let step = ((end - start) / 150).max(1);
        for at in (start..end).step_by(step) {
            let mut bad = jpeg.clone();
            bad[at] ^= 0xA5;
            for shrink in [1, 4] {
                if let Ok((pixels, w, h)) = decode_scaled(&bad, shrink, (96, 96), Samples::Rgb) {
                    assert_eq!(pixels.len(), (w * h * 3) as usize);
                }
            }
            let mut cut = jpeg[..at].to_vec();
            cut.extend_from_slice(&[0xFF, 0xD9]);
            let _ = decode_scaled(&cut, 2, (96, 96), Samples::Rgb);
        }
    }

    /// A 256² JPEG shrunk by `shrink`, decoded here and by jpeg-decoder (the decoder
    /// before libjpeg), both the expected size.
    fn ours_and_jpeg_decoders(jpeg: &[u8], shrink: u32, samples: Samples) -> (Vec<u8>, Vec<u8>) {
        let (ours, w, h) = decode_scaled(jpeg, shrink, (256, 256), samples).unwrap();
        assert_eq!((w, h), (256 / shrink, 256 / shrink));
        let mut reference = jpeg_decoder::Decoder::new(jpeg);
        let side = (256 / shrink) as u16;
        reference.scale(side, side).unwrap();
        let theirs = reference.decode().unwrap();
        assert_eq!(ours.len(), theirs.len());
        (ours, theirs)
    }

    /// libjpeg's scaled pixels are jpeg-decoder's (the decoder before it), give or take
    /// the rounding of their IDCTs: same orientation, same colours.
    #[test]
    fn scaled_pixels_agree_with_jpeg_decoder() {
        let jpeg = photo_jpeg(256);
        for shrink in [1u32, 2, 4, 8] {
            let (ours, theirs) = ours_and_jpeg_decoders(&jpeg, shrink, Samples::Rgb);
            let diffs: Vec<u32> = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| u32::from(a.abs_diff(*b)))
                .collect();
            let mean = diffs.iter().sum::<u32>() as f64 / diffs.len() as f64;
            let max = diffs.iter().max().copied().unwrap_or(0);
            assert!(
                mean < 2.0 && max <= 16,
                "1/{shrink}: mean {mean:.2}, max {max}"
            );
        }
    }

    /// A CMYK or YCCK JPEG gives its ink values at every scale, as jpeg-decoder reads them
    /// (both undo the inversion Adobe's convention stores).
    #[test]
    fn cmyk_and_ycck_give_ink_values_at_every_scale() {
        use test_support::colour::{cmyk_jpeg_with_icc, cmyk_patches};
        let inks = cmyk_patches(256);
        for ycck in [false, true] {
            let jpeg = cmyk_jpeg_with_icc(256, &inks, None, ycck);
            assert_refused(decode_scaled(&jpeg, 1, (256, 256), Samples::Rgb));
            for shrink in [1u32, 2, 4, 8] {
                let (ours, theirs) = ours_and_jpeg_decoders(&jpeg, shrink, Samples::Cmyk);
                let max = ours.iter().zip(&theirs).map(|(a, b)| a.abs_diff(*b)).max();
                assert!(max <= Some(4), "YCCK {ycck}, 1/{shrink}: off by {max:?}");
            }
            // The ink of the first patch (cyan alone) at full scale.
            let (ours, _, _) = decode_scaled(&jpeg, 1, (256, 256), Samples::Cmyk).unwrap();
            let first: Vec<u8> = ours[..4].to_vec();
            assert!(
                first[0] >= 250 && first[1..].iter().all(|&v| v <= 5),
                "{first:?}"
            );
        }
    }

    #[test]
    fn the_worst_case_of_a_large_picture_decides_who_decodes_it() {
        // A buffered 4096² photo shrunk by 2 or more fits (coefficients 96 MiB, output
        // ≤ 12 MiB); decoded whole it would not (48 MiB of output more), so `image`
        // decodes it.
        assert!(worst_case_bytes(4096, 4096, 3, 2, true) <= MAX_DECODE_BYTES);
        assert!(worst_case_bytes(4096, 4096, 3, 1, true) > MAX_DECODE_BYTES);
        assert!(worst_case_bytes(4096, 4096, 1, 1, true) <= MAX_DECODE_BYTES);
        let samples = 8 * 768;
        assert_eq!(
            worst_case_bytes(33, 100, 1, 1, true),
            8 * 16 * 128 + samples + 33 * 100 * 3
        );
        // CMYK holds its inks beside the RGB they become.
        assert_eq!(
            worst_case_bytes(33, 100, 4, 1, true),
            4 * (8 * 16 * 128 + samples) + 33 * 100 * 7
        );
        // One interleaved scan: a few rows of blocks, so even a 4096² CMYK picture at
        // full scale fits (64 MiB of inks, 48 MiB of RGB).
        assert_eq!(
            worst_case_bytes(33, 100, 1, 1, false),
            8 * 4 * 128 + samples + 33 * 100 * 3
        );
        assert!(worst_case_bytes(4096, 4096, 4, 1, false) <= MAX_DECODE_BYTES);
        assert!(worst_case_bytes(4096, 4096, 4, 1, true) > MAX_DECODE_BYTES);
    }

    /// Progressive files and files whose first scan leaves out a component buffer; one
    /// interleaved sequential scan does not; anything that cannot be walked counts as
    /// buffering.
    #[test]
    fn which_jpegs_libjpeg_decodes_a_row_at_a_time() {
        use test_support::colour::{cmyk_jpeg_with_icc, cmyk_patches};
        let baseline = photo_jpeg(64);
        assert!(!buffers_coefficients(&baseline));
        assert!(!buffers_coefficients(&cmyk_jpeg_with_icc(
            64,
            &cmyk_patches(64),
            None,
            false
        )));
        let mut progressive = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut progressive, 80);
        encoder.set_progressive(true);
        let pixels = vec![128u8; 64 * 64 * 3];
        encoder
            .encode(&pixels, 64, 64, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        assert!(buffers_coefficients(&progressive));
        assert!(decode_scaled(&progressive, 2, (64, 64), Samples::Rgb).is_ok());

        // The first scan of the baseline file names one of its three components.
        let mut one_component = baseline.clone();
        let sos = segment(&baseline, 0xDA);
        assert_eq!(one_component[sos + 4], 3);
        one_component[sos + 4] = 1;
        assert!(buffers_coefficients(&one_component));

        // Cut before the first scan, a length running past the end, not a JPEG.
        assert!(buffers_coefficients(&baseline[..sos]));
        assert!(buffers_coefficients(&baseline[..sos + 3]));
        let mut overlong = baseline.clone();
        overlong[4..6].copy_from_slice(&[0xFF, 0xF0]);
        assert!(buffers_coefficients(&overlong));
        assert!(buffers_coefficients(b""));
        assert!(buffers_coefficients(b"\xff\xd8garbage"));
    }
}
