//! Uploads the size of real phone photos, for benchmarks: pixel noise defeats compression,
//! so a 1024×1024 picture weighs about as much as a camera JPEG scaled for an avatar, and
//! cleaning it costs what a real one would. Metadata as in [`crate::images`].

use crate::images::exif_with_gps;

const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>GPS-SECRET</exif:GPSLatitude></x:xmpmeta>";

/// A reproducible pseudo-random byte stream (xorshift64*), so every run measures the same image.
fn noise(len: usize, seed: u64) -> impl Iterator<Item = u8> {
    let mut state = seed | 1;
    (0..len).map(move |_| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
    })
}

/// A gradient with noise of `amplitude` (0..=255) added to every channel.
fn noisy_pixels(w: usize, h: usize, channels: usize, amplitude: u8) -> Vec<u8> {
    let mut n = noise(w * h * channels, 0x5EED);
    let mut out = Vec::with_capacity(w * h * channels);
    for y in 0..h {
        for x in 0..w {
            for c in 0..channels {
                let base = match c {
                    0 => x * 255 / w,
                    1 => y * 255 / h,
                    2 => 128,
                    _ => 255,
                } as u8;
                let jitter = n.next().unwrap_or(0) % (amplitude.max(1));
                out.push(if c == 3 {
                    255
                } else {
                    base.wrapping_add(jitter)
                });
            }
        }
    }
    out
}

/// A baseline JPEG (quality 90) of `side`×`side` noisy pixels with EXIF (GPS), XMP, an ICC
/// profile, a comment and bytes after the end of the image. 1024 gives about 1 MiB.
pub fn noisy_jpeg_with_metadata(side: u16) -> Vec<u8> {
    let pixels = noisy_pixels(side.into(), side.into(), 3, 40);
    crate::images::encode_jpeg_with_metadata(
        &pixels,
        side,
        side,
        90,
        &crate::carriers::icc_profile(3144),
    )
}

/// An RGBA PNG of `side`×`side` noisy pixels with eXIf (GPS), tEXt and iTXt (XMP) chunks.
/// 560 gives about 1 MiB.
pub fn noisy_png_with_metadata(side: u32) -> Vec<u8> {
    let pixels = noisy_pixels(side as usize, side as usize, 4, 255);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .add_text_chunk("Comment".into(), "taken at my home address".into())
            .expect("tEXt");
        encoder
            .add_itxt_chunk(
                "XML:com.adobe.xmp".into(),
                String::from_utf8_lossy(XMP).replace('\0', " "),
            )
            .expect("iTXt");
        let mut writer = encoder.write_header().expect("png header");
        writer
            .write_chunk(png::chunk::ChunkType(*b"eXIf"), &exif_with_gps())
            .expect("eXIf");
        writer.write_image_data(&pixels).expect("png data");
    }
    out
}

/// A `side`×`side` camera-like photo as a quality-90 JPEG: smooth shading with fine
/// texture, so it compresses like a real photo rather than like noise or a flat fill.
pub fn photo_jpeg(side: u16) -> Vec<u8> {
    let s = usize::from(side);
    let mut n = noise(s * s, 0xF0_70);
    let mut pixels = Vec::with_capacity(s * s * 3);
    for y in 0..s {
        for x in 0..s {
            let (fx, fy) = (x as f32 / s as f32, y as f32 / s as f32);
            let grain = (n.next().unwrap_or(0) % 24) as f32;
            let wave = (fx * 23.0).sin() * (fy * 17.0).cos() * 40.0;
            let r = 90.0 + 120.0 * fx + wave + grain;
            let g = 70.0 + 100.0 * fy - wave * 0.5 + grain;
            let b = 140.0 - 60.0 * fx * fy + grain;
            pixels.extend_from_slice(&[r as u8, g as u8, b as u8]);
        }
    }
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&pixels, side, side, jpeg_encoder::ColorType::Rgb)
        .expect("jpeg");
    out
}

/// A `width`×`height` screenshot-like PNG: flat panels, hard edges and rows of
/// one-pixel "text" strokes.
pub fn screenshot_png(width: u32, height: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let panel = if x < width / 4 {
                [40, 44, 52]
            } else if y < 60 {
                [230, 230, 235]
            } else {
                [255, 255, 255]
            };
            let text = y % 18 < 10 && (x * 7 + y * 3) % 11 < 4 && x % 90 < 70 && y > 70;
            pixels.extend_from_slice(&if text { [20, 20, 20] } else { panel });
        }
    }
    encode_png(width, height, png::ColorType::Rgb, &pixels)
}

/// A `side`×`side` transparent logo: an opaque ring and a disc on a fully transparent
/// background, with soft (partly transparent) edges.
pub fn logo_png(side: u32) -> Vec<u8> {
    let c = side as f32 / 2.0;
    let mut pixels = Vec::with_capacity((side * side * 4) as usize);
    for y in 0..side {
        for x in 0..side {
            let d = ((x as f32 - c).powi(2) + (y as f32 - c).powi(2)).sqrt() / c;
            let coverage = |inner: f32, outer: f32| {
                let edge = 2.0 / side as f32;
                ((d - inner) / edge).clamp(0.0, 1.0) * ((outer - d) / edge).clamp(0.0, 1.0)
            };
            let ring = coverage(0.7, 0.9);
            let disc = coverage(-1.0, 0.45);
            let alpha = (ring.max(disc) * 255.0) as u8;
            let colour = if ring > disc {
                [20, 110, 220]
            } else {
                [240, 160, 20]
            };
            pixels.extend_from_slice(&[colour[0], colour[1], colour[2], alpha]);
        }
    }
    encode_png(side, side, png::ColorType::Rgba, &pixels)
}

fn encode_png(w: u32, h: u32, colour: png::ColorType, pixels: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(colour);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        writer.write_image_data(pixels).expect("png data");
    }
    out
}
