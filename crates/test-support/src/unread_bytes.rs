//! Pictures that carry bytes no decoder reads *inside* the image data that cleaning keeps
//! (the aCropalypse class): after a PNG's zlib stream in its IDAT, after a JPEG's last
//! scan before EOI, in extra sub-blocks after a GIF frame's LZW end code, after a WebP's
//! VP8/VP8L bitstream inside its chunk. Each decodes as the plain picture would.

use avatar_domain::values::ContentType;

/// What the tests look for: no `0xFF` (a JPEG would read it as a marker) and long enough
/// not to occur by chance.
pub const UNREAD: &[u8] = b"UNREAD-BYTES-the-part-cropped-away-0123456789";

/// A `w`×`h` picture of `format` with [`UNREAD`] inside its kept image data.
pub fn picture(format: ContentType, w: u32, h: u32) -> Vec<u8> {
    match format {
        ContentType::Png => png(w, h),
        ContentType::Jpeg => jpeg(w, h),
        ContentType::Gif => gif(w, h),
        ContentType::Webp => webp(w, h),
    }
}

fn pixels(w: u32, h: u32) -> Vec<u8> {
    (0..h)
        .flat_map(|y| (0..w).flat_map(move |x| [(x * 7) as u8, (y * 5) as u8, 150]))
        .collect()
}

/// The zlib stream ends; the IDAT chunk goes on (its length and CRC count the extra bytes).
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut plain, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("png header");
        writer.write_image_data(&pixels(w, h)).expect("png data");
    }
    let mut out = plain[..8].to_vec();
    let mut at = 8;
    while at < plain.len() {
        let len = u32::from_be_bytes(plain[at..at + 4].try_into().unwrap()) as usize;
        let kind = &plain[at + 4..at + 8];
        let mut data = plain[at + 8..at + 8 + len].to_vec();
        if kind == b"IDAT" {
            data.extend_from_slice(UNREAD);
        }
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(&data);
        out.extend_from_slice(kind);
        out.extend_from_slice(&data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
        at += 12 + len;
    }
    out
}

/// Entropy-coded data is read until the last MCU; what follows it before EOI is not.
fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(
            &pixels(w, h),
            w as u16,
            h as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("jpeg");
    assert_eq!(&out[out.len() - 2..], [0xFF, 0xD9], "ends with EOI");
    let eoi = out.len() - 2;
    out.splice(eoi..eoi, UNREAD.iter().copied());
    out
}

/// After the sub-block holding the LZW end code, one more sub-block before the terminator.
fn gif(w: u32, h: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    {
        let palette: Vec<u8> = (0..=255u8).flat_map(|i| [i, 255 - i, i / 2]).collect();
        let mut encoder = gif::Encoder::new(&mut plain, w as u16, h as u16, &palette).expect("gif");
        let indexed: Vec<u8> = (0..w * h).map(|i| (i % 251) as u8).collect();
        let frame = gif::Frame::from_indexed_pixels(w as u16, h as u16, indexed, None);
        encoder.write_frame(&frame).expect("frame");
    }
    // Header (6), screen descriptor (7), global colour table (3 × 2^(n+1)).
    let table = 3 << ((plain[10] & 0x07) + 1);
    let mut at = 13 + if plain[10] & 0x80 != 0 { table } else { 0 };
    while plain[at] == 0x21 {
        at += 2;
        while plain[at] != 0 {
            at += 1 + usize::from(plain[at]);
        }
        at += 1;
    }
    assert_eq!(plain[at], 0x2C, "image descriptor");
    let local = plain[at + 9];
    at += 10
        + if local & 0x80 != 0 {
            3 << ((local & 0x07) + 1)
        } else {
            0
        };
    at += 1; // LZW minimum code size
    while plain[at] != 0 {
        at += 1 + usize::from(plain[at]);
    }
    let mut extra = vec![UNREAD.len() as u8];
    extra.extend_from_slice(UNREAD);
    plain.splice(at..at, extra);
    plain
}

/// A simple lossless WebP whose `VP8L` chunk runs on after its bitstream.
fn webp(w: u32, h: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    image_webp::WebPEncoder::new(&mut plain)
        .encode(&pixels(w, h), w, h, image_webp::ColorType::Rgb8)
        .expect("webp");
    assert_eq!(&plain[12..16], b"VP8L", "a simple lossless WebP");
    let len = u32::from_le_bytes(plain[16..20].try_into().unwrap()) as usize;
    let mut data = plain[20..20 + len].to_vec();
    data.extend_from_slice(UNREAD);
    let mut out = b"RIFF\0\0\0\0WEBPVP8L".to_vec();
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    if !data.len().is_multiple_of(2) {
        out.push(0);
    }
    let riff = (out.len() - 8) as u32;
    out[4..8].copy_from_slice(&riff.to_le_bytes());
    out
}
