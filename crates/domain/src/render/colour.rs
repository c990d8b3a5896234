//! Variants are sRGB, what browsers assume of a picture without a profile: the upload's
//! ICC profile (RGB matrix/curve or LUT, or grey) converts its pixels with moxcms. A
//! picture without a profile, or with one moxcms cannot use, is taken as sRGB already.

use std::sync::Arc;

use moxcms::{ColorProfile, DataColorSpace, Layout, Transform8BitExecutor, TransformOptions};

/// A conversion from an upload's colour space to sRGB.
pub struct ToSrgb {
    transform: Arc<Transform8BitExecutor>,
    /// A grey profile: the source is one channel, read from the red of the RGB pixels.
    grey: bool,
    channels: usize,
}

impl ToSrgb {
    /// The conversion for pixels of `channels` bytes (3 or 4, alpha kept as it is) that
    /// `icc` describes; `None` when there is nothing to convert or the profile is unusable.
    pub fn new(icc: Option<&[u8]>, channels: usize) -> Option<Self> {
        let source = ColorProfile::new_from_slice(icc?).ok()?;
        let alpha = channels == 4;
        let (grey, from) = match source.color_space {
            DataColorSpace::Rgb => (false, if alpha { Layout::Rgba } else { Layout::Rgb }),
            DataColorSpace::Gray => (
                true,
                if alpha {
                    Layout::GrayAlpha
                } else {
                    Layout::Gray
                },
            ),
            _ => return None,
        };
        let to = if alpha { Layout::Rgba } else { Layout::Rgb };
        let transform = source
            .create_transform_8bit(
                from,
                &ColorProfile::new_srgb(),
                to,
                TransformOptions::default(),
            )
            .ok()?;
        Some(Self {
            transform,
            grey,
            channels,
        })
    }

    /// Converts `pixels` (packed, `channels` bytes each) in place.
    pub fn apply(&self, pixels: &mut [u8]) -> Result<(), String> {
        let source: Vec<u8> = if self.grey {
            let alpha = self.channels == 4;
            let mut grey =
                Vec::with_capacity(pixels.len() / self.channels * (1 + usize::from(alpha)));
            for px in pixels.chunks_exact(self.channels) {
                grey.push(px[0]);
                if alpha {
                    grey.push(px[3]);
                }
            }
            grey
        } else {
            pixels.to_vec()
        };
        self.transform
            .transform(&source, pixels)
            .map_err(|e| format!("colour conversion failed: {e}"))
    }
}

/// CMYK ink values (0 none, 255 full; 4 bytes a pixel) as packed sRGB: through `icc` when
/// it is a CMYK profile moxcms can use (a printer's LUT), else as browsers draw a CMYK
/// JPEG without one, each channel (1 − ink)(1 − black).
pub fn cmyk_to_srgb(inks: &[u8], icc: Option<&[u8]>) -> Result<Vec<u8>, String> {
    let mut rgb = vec![0u8; inks.len() / 4 * 3];
    let transform = icc
        .and_then(|icc| ColorProfile::new_from_slice(icc).ok())
        .filter(|profile| profile.color_space == DataColorSpace::Cmyk)
        .and_then(|profile| {
            profile
                .create_transform_8bit(
                    // moxcms reads 4-byte CMYK through the RGBA layout.
                    Layout::Rgba,
                    &ColorProfile::new_srgb(),
                    Layout::Rgb,
                    TransformOptions::default(),
                )
                .ok()
        });
    match transform {
        Some(transform) => transform
            .transform(inks, &mut rgb)
            .map_err(|e| format!("colour conversion failed: {e}"))?,
        None => {
            for (out, ink) in rgb.chunks_exact_mut(3).zip(inks.chunks_exact(4)) {
                let paper = 255 - u32::from(ink[3]);
                for (o, &i) in out.iter_mut().zip(&ink[..3]) {
                    *o = (((255 - u32::from(i)) * paper + 127) / 255) as u8;
                }
            }
        }
    }
    Ok(rgb)
}
