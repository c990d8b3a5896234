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
