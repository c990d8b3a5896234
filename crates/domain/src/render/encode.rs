use bytes::Bytes;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageEncoder};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use super::RenderError;
use super::choice::{self, Plan};
use crate::values::VariantFormat;

/// Quality 80 with 4:2:0 chroma: indistinguishable at avatar sizes, and a 256 px photo
/// stays well under 40 KB (BENCHMARKS.md has the sizes).
const JPEG_QUALITY: u8 = 80;

/// Encodes one upright square; `transparent` keeps a WebP's alpha (an opaque picture's
/// WebP has none, which saves its alpha chunk), `plan` says how a WebP is encoded.
pub fn encode(
    image: DynamicImage,
    format: VariantFormat,
    transparent: bool,
    plan: Plan,
) -> Result<Bytes, RenderError> {
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::new();
    match format {
        VariantFormat::Jpeg => {
            out = jpeg(image.into_rgb8().as_raw(), width, height)?;
        }
        VariantFormat::Webp => {
            let (pixels, channels) = if transparent {
                (image.into_rgba8().into_raw(), 4)
            } else {
                (image.into_rgb8().into_raw(), 3)
            };
            out = choice::encode(&pixels, width, channels, plan).map_err(|e| failed(&e))?;
        }
        VariantFormat::Png => {
            let rgba = image.into_rgba8();
            PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
                .write_image(
                    rgba.as_raw(),
                    width,
                    height,
                    image::ExtendedColorType::Rgba8,
                )
                .map_err(|e| failed(&e.to_string()))?;
        }
    }
    Ok(Bytes::from(out))
}

/// The JPEG variant of `rgb` (`width`×`height`), as published before WebP.
pub fn jpeg(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, RenderError> {
    let side = |n: u32| u16::try_from(n).map_err(|_| failed("side too long for JPEG"));
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, JPEG_QUALITY);
    encoder.set_sampling_factor(SamplingFactor::F_2_2);
    encoder.set_optimized_huffman_tables(true);
    encoder.set_progressive(true);
    encoder
        .encode(rgb, side(width)?, side(height)?, ColorType::Rgb)
        .map_err(|e| failed(&e.to_string()))?;
    Ok(out)
}

fn failed(why: &str) -> RenderError {
    RenderError::Undecodable(format!("encoding a variant failed: {why}"))
}
