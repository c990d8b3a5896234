use bytes::Bytes;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageEncoder};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use super::{RenderError, webp};
use crate::values::VariantFormat;

/// Quality 80 with 4:2:0 chroma: indistinguishable at avatar sizes, and a 256 px photo
/// stays well under 40 KB (BENCHMARKS.md has the sizes).
const JPEG_QUALITY: u8 = 80;

/// libwebp's quality and effort for the variants: a photo's within 0.5 dB of the JPEG q80
/// variants' PSNR (or above it) at 43–45 % fewer bytes (BENCHMARKS.md, "Variant bytes and
/// quality").
const WEBP: webp::Settings = webp::Settings {
    quality: 85.0,
    method: 4,
};

/// Encodes one upright square; `transparent` keeps a WebP's alpha (an opaque picture's
/// WebP has none, which saves its alpha chunk).
pub fn encode(
    image: DynamicImage,
    format: VariantFormat,
    transparent: bool,
) -> Result<Bytes, RenderError> {
    let (width, height) = (image.width(), image.height());
    let mut out = Vec::new();
    match format {
        VariantFormat::Jpeg => {
            let rgb = image.into_rgb8();
            let side = |n: u32| u16::try_from(n).map_err(|_| failed("side too long for JPEG"));
            let mut encoder = Encoder::new(&mut out, JPEG_QUALITY);
            encoder.set_sampling_factor(SamplingFactor::F_2_2);
            encoder.set_optimized_huffman_tables(true);
            encoder.set_progressive(true);
            encoder
                .encode(rgb.as_raw(), side(width)?, side(height)?, ColorType::Rgb)
                .map_err(|e| failed(&e.to_string()))?;
        }
        VariantFormat::Webp => {
            let (pixels, channels) = if transparent {
                (image.into_rgba8().into_raw(), 4)
            } else {
                (image.into_rgb8().into_raw(), 3)
            };
            out = webp::encode(&pixels, width, channels, WEBP).map_err(|e| failed(&e))?;
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

fn failed(why: &str) -> RenderError {
    RenderError::Undecodable(format!("encoding a variant failed: {why}"))
}
