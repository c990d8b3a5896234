//! How a picture's variants are encoded, chosen per picture: one quality for every picture
//! either wastes bytes on screenshots or loses quality on photos (docs/design.md, "Square
//! variants", and BENCHMARKS.md, "Variant bytes and quality", have the measurements).
//!
//! - A **photo** (many distinct colours) is lossy at quality 85, one encode per size: at
//!   that quality libwebp matches JPEG q80's PSNR in about 45 % fewer bytes.
//! - A **synthetic picture with transparency** (a logo, an icon) is lossless: its variants
//!   were lossless PNGs before, and libwebp's lossless coder keeps every visible pixel in
//!   fewer bytes than PNG — often fewer than its lossy coder with an alpha plane.
//! - An **opaque synthetic picture** (a screenshot, a chart, a flat illustration) is lossy
//!   at the lowest quality whose PSNR still matches what JPEG q80 gives that square: flat
//!   areas and hard edges make JPEG ring and WebP not, so quality 85 is 3–4 dB better than
//!   JPEG there and twice the bytes it needs. The yardstick (a JPEG encode and decode of
//!   the square) and the search (a few encodes) are spent on these pictures only.

use fast_image_resize::images::Image;
use image::{ImageFormat, RgbImage};

use super::webp;

/// What a variant of this picture is encoded as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    Photo,
    Lossless,
    MatchJpeg,
}

/// A square with fewer distinct colours than this, in its 256 px variant (1/8 of its
/// pixels), is synthetic. Photos have tens of thousands there (grain, shading); screenshots,
/// charts, logos and flat illustrations a few thousand at most, anti-aliasing included.
/// A photo taken for synthetic only costs time (its quality is still measured against
/// JPEG's); a synthetic picture taken for a photo gets the photos' quality.
const SYNTHETIC_BELOW: usize = 8192;

/// libwebp's quality for photos (and effort for every lossy encode).
pub const PHOTO: webp::Settings = webp::Settings {
    quality: 85.0,
    method: 4,
    lossless: false,
};

/// libwebp's lossless defaults (`cwebp -lossless`): larger efforts were no smaller on
/// logos and several times slower.
const LOSSLESS: webp::Settings = webp::Settings {
    quality: 75.0,
    method: 4,
    lossless: true,
};

/// The qualities searched for an opaque synthetic picture, and where the search starts
/// (screenshots, charts and flat illustrations measured between 33 and 83).
const LOWEST: f32 = 30.0;
const HIGHEST: f32 = 90.0;
const FIRST_GUESS: f32 = 60.0;
/// PSNR gained per quality step around there, for the first step of the search (0.1–0.2
/// measured); later steps interpolate between what was measured.
const DB_PER_STEP: f64 = 0.15;
/// Encodes the search may spend (at 512 px, about 35 ms each); it stops sooner once the
/// quality is known to within [`CLOSE_ENOUGH`].
const PROBES: usize = 4;
const CLOSE_ENOUGH: f32 = 3.0;
/// How far below JPEG's PSNR a variant may fall: "the same quality" is within 0.5 dB; 0.1
/// dB of that is kept as margin.
const BELOW_JPEG_DB: f64 = 0.4;

/// Chooses the plan from the rendered squares (largest first) before any is encoded.
pub fn plan(squares: &[Image<'_>], transparent: bool) -> Plan {
    let Some(probe) = squares.get(1).or_else(|| squares.first()) else {
        return Plan::Photo;
    };
    let channels = probe.pixel_type().size();
    if distinct_colours(probe.buffer(), channels, SYNTHETIC_BELOW) >= SYNTHETIC_BELOW {
        Plan::Photo
    } else if transparent {
        Plan::Lossless
    } else {
        Plan::MatchJpeg
    }
}

/// Distinct pixel values in `pixels`, counting stops at `limit` (so a photo costs little).
fn distinct_colours(pixels: &[u8], channels: usize, limit: usize) -> usize {
    let mut seen = std::collections::HashSet::with_capacity(limit);
    for px in pixels.chunks_exact(channels) {
        let key = px.iter().fold(0u32, |k, &c| k << 8 | u32::from(c));
        seen.insert(key);
        if seen.len() >= limit {
            break;
        }
    }
    seen.len()
}

/// Encodes one upright square (`side`×`side`, `channels` 3 or 4) as `plan` says.
pub fn encode(pixels: &[u8], side: u32, channels: usize, plan: Plan) -> Result<Vec<u8>, String> {
    match plan {
        Plan::Photo => webp::encode(pixels, side, channels, PHOTO),
        Plan::Lossless => webp::encode(pixels, side, channels, LOSSLESS),
        // Transparency is planned lossless, so an RGBA square here is an opaque one.
        Plan::MatchJpeg if channels == 3 => match_jpeg(pixels, side),
        Plan::MatchJpeg => webp::encode(pixels, side, channels, PHOTO),
    }
}

/// The smallest lossy WebP of `pixels` (RGB) whose PSNR is within [`BELOW_JPEG_DB`] of
/// the JPEG q80 variant's, searched by the secant method on the quality between the
/// qualities known to fall short and known to meet it; the smallest encode that met it is
/// kept. If none does within [`PROBES`], the highest quality.
fn match_jpeg(pixels: &[u8], side: u32) -> Result<Vec<u8>, String> {
    let jpeg = super::encode::jpeg(pixels, side, side).map_err(|e| e.to_string())?;
    let target = psnr(pixels, &decode(&jpeg, ImageFormat::Jpeg)?) - BELOW_JPEG_DB;
    let lossy = |quality: f32| webp::Settings { quality, ..PHOTO };
    // The highest quality that fell short and the lowest that met the target.
    let (mut short, mut met) = (LOWEST, HIGHEST + 1.0);
    let mut last: Option<(f32, f64)> = None;
    let mut best: Option<Vec<u8>> = None;
    let mut quality = FIRST_GUESS;
    for _ in 0..PROBES {
        let out = webp::encode(pixels, side, 3, lossy(quality))?;
        let measured = psnr(pixels, &decode(&out, ImageFormat::WebP)?);
        if measured >= target {
            met = quality;
            best = Some(out);
        } else {
            short = quality;
        }
        if met - short <= CLOSE_ENOUGH {
            break;
        }
        // The secant through the last two probes, or the usual slope after the first.
        let slope = match last {
            Some((q, p)) if q != quality && p != measured => {
                ((measured - p) / f64::from(quality - q)).max(0.01)
            }
            _ => DB_PER_STEP,
        };
        last = Some((quality, measured));
        let next = f64::from(quality) + (target - measured) / slope;
        // Rounded up, so a guess on the line lands on the side that meets it; kept
        // strictly between the bounds (an infinite PSNR, a square JPEG keeps exactly,
        // makes `next` infinite or NaN: `max` and `min` take the bound then).
        quality = (next.ceil() as f32).max(short + 1.0).min(met - 1.0);
    }
    match best {
        Some(out) => Ok(out),
        None => webp::encode(pixels, side, 3, lossy(HIGHEST)),
    }
}

fn decode(bytes: &[u8], format: ImageFormat) -> Result<RgbImage, String> {
    image::load_from_memory_with_format(bytes, format)
        .map(|image| image.into_rgb8())
        .map_err(|e| e.to_string())
}

/// PSNR of `test` against `truth` (RGB, same size), in dB.
fn psnr(truth: &[u8], test: &RgbImage) -> f64 {
    let test = test.as_raw();
    if truth.len() != test.len() {
        return 0.0;
    }
    let squared: u64 = truth
        .iter()
        .zip(test)
        .map(|(&a, &b)| u64::from(a.abs_diff(b)).pow(2))
        .sum();
    if squared == 0 {
        return f64::INFINITY;
    }
    let mse = squared as f64 / truth.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse).log10()
}
