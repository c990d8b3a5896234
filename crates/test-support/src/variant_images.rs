//! Pictures whose square variants can be checked by colour: quadrants, an asymmetric
//! photo stored on its side with EXIF orientation 6, a half-transparent PNG and a
//! two-frame GIF; and reading a variant back to sample it.

use image::{DynamicImage, GenericImageView, Rgba};

pub const RED: [u8; 3] = [220, 30, 30];
pub const GREEN: [u8; 3] = [30, 200, 60];
pub const BLUE: [u8; 3] = [30, 60, 220];
pub const YELLOW: [u8; 3] = [240, 220, 20];
pub const WHITE: [u8; 3] = [255, 255, 255];

/// A `side`×`side` PNG: red top-left, green top-right, blue bottom-left, yellow
/// bottom-right.
pub fn quadrants_png(side: u32) -> Vec<u8> {
    let half = side / 2;
    let pixels = pixels_rgb(side, side, |x, y| match (x < half, y < half) {
        (true, true) => RED,
        (false, true) => GREEN,
        (true, false) => BLUE,
        (false, false) => YELLOW,
    });
    png(side, side, &pixels, image::ExtendedColorType::Rgb8)
}

/// A JPEG stored 200 wide and 100 high whose top-left 100×50 is red, the rest white, with
/// EXIF orientation 6 (turn 90° clockwise): upright it is 100×200 with its top 100×100
/// square white on the left and red on the right.
pub fn sideways_jpeg() -> Vec<u8> {
    let (w, h) = (200u16, 100u16);
    let pixels = pixels_rgb(w.into(), h.into(), |x, y| {
        if x < 100 && y < 50 { RED } else { WHITE }
    });
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 95);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&orientation_tiff(6));
    encoder.add_app_segment(1, exif).expect("exif");
    encoder
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("jpeg");
    out
}

/// The picture of `sideways_jpeg` as a PNG, its orientation 6 in an eXIf chunk (before
/// the image data, where decoders and browsers read it).
pub fn sideways_png() -> Vec<u8> {
    let (w, h) = (200u32, 100u32);
    let pixels = pixels_rgb(w, h, |x, y| if x < 100 && y < 50 { RED } else { WHITE });
    let plain = png(w, h, &pixels, image::ExtendedColorType::Rgb8);
    let exif = crate::carriers::png_chunk(b"eXIf", &orientation_tiff(6));
    // The signature (8 bytes) and IHDR (25) come first.
    [&plain[..33], &exif, &plain[33..]].concat()
}

/// A `side`×`side` RGBA PNG: the left half fully transparent, the right half opaque red.
pub fn half_transparent_png(side: u32) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((side * side * 4) as usize);
    for _ in 0..side {
        for x in 0..side {
            if x < side / 2 {
                pixels.extend_from_slice(&[0, 0, 0, 0]);
            } else {
                pixels.extend_from_slice(&[RED[0], RED[1], RED[2], 255]);
            }
        }
    }
    png(side, side, &pixels, image::ExtendedColorType::Rgba8)
}

/// A two-frame animated GIF: the first frame red, the second blue.
pub fn red_then_blue_gif(side: u16) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let palette = [RED, BLUE].concat();
        let mut encoder = gif::Encoder::new(&mut out, side, side, &palette).expect("gif");
        encoder.set_repeat(gif::Repeat::Infinite).expect("loop");
        for index in [0u8, 1] {
            let pixels = vec![index; usize::from(side) * usize::from(side)];
            let mut frame = gif::Frame::from_indexed_pixels(side, side, pixels, None);
            frame.delay = 50;
            encoder.write_frame(&frame).expect("frame");
        }
    }
    out
}

/// Decodes a variant; panics with the reason when it does not decode.
pub fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("a variant decodes")
}

/// The pixel at `(fx, fy)` given as fractions of the side (0.25 = a quarter in).
pub fn sample(image: &DynamicImage, fx: f32, fy: f32) -> Rgba<u8> {
    let x = ((image.width() as f32 * fx) as u32).min(image.width() - 1);
    let y = ((image.height() as f32 * fy) as u32).min(image.height() - 1);
    image.get_pixel(x, y)
}

/// Close to `expected` in every colour channel (lossy JPEG moves values a little).
pub fn near(pixel: Rgba<u8>, expected: [u8; 3]) -> bool {
    pixel.0[..3]
        .iter()
        .zip(expected)
        .all(|(&a, b)| a.abs_diff(b) <= 24)
}

fn pixels_rgb(w: u32, h: u32, colour: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            out.extend_from_slice(&colour(x, y));
        }
    }
    out
}

fn png(w: u32, h: u32, pixels: &[u8], colour: image::ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut out),
        pixels,
        w,
        h,
        colour,
    )
    .expect("png");
    out
}

/// A big-endian TIFF block holding only an Orientation entry.
fn orientation_tiff(orientation: u16) -> Vec<u8> {
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    t
}

/// The FourCCs of a WebP's chunks, in order; empty when it is not a RIFF WebP.
pub fn webp_chunks(bytes: &[u8]) -> Vec<String> {
    let mut chunks = Vec::new();
    if bytes.len() < 12 || &bytes[..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return chunks;
    }
    let mut i = 12;
    while i + 8 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[i + 4], bytes[i + 5], bytes[i + 6], bytes[i + 7]]);
        chunks.push(String::from_utf8_lossy(&bytes[i..i + 4]).into_owned());
        // Chunks are padded to an even length.
        i += 8 + len as usize + (len as usize & 1);
    }
    chunks
}

/// A variant as published: a lossy WebP whose chunks are only pixels (`VP8 `), and, for
/// a picture with transparency, its alpha (`VP8X` + `ALPH`): no metadata chunk at all.
pub fn is_bare_lossy_webp(bytes: &[u8]) -> bool {
    let chunks = webp_chunks(bytes);
    chunks == ["VP8 "] || chunks == ["VP8X", "ALPH", "VP8 "]
}

/// A variant as published: a WebP whose chunks are only pixels — lossy (`VP8 `, with
/// `VP8X` + `ALPH` for a picture with transparency) or lossless (`VP8L`, alpha included)
/// — and no metadata chunk at all.
pub fn is_bare_webp(bytes: &[u8]) -> bool {
    is_bare_lossy_webp(bytes) || webp_chunks(bytes) == ["VP8L"]
}

/// A `side`×`side` photo-like RGBA PNG (shading and grain) whose left half is fully
/// transparent.
pub fn half_transparent_photo_png(side: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut pixels = Vec::with_capacity((side * side * 4) as usize);
    for y in 0..side {
        for x in 0..side {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let grain = (state >> 59) as u8;
            let alpha = if x < side / 2 { 0 } else { 255 };
            let r = (120 + x * 100 / side) as u8 + grain;
            let g = (60 + y * 120 / side) as u8 + grain;
            pixels.extend_from_slice(&[r, g, 90 + grain, alpha]);
        }
    }
    png(side, side, &pixels, image::ExtendedColorType::Rgba8)
}
