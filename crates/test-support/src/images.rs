//! Real images carrying what a phone or editor leaves in them: EXIF with a GPS position,
//! XMP, comments and text chunks, bytes after the end of the image. Each marker string
//! below must be gone after cleaning; the decoders here prove the result still decodes.

use std::io::Cursor;

use bytes::Bytes;
use img_parts::{ImageEXIF, ImageICC};

/// Present in every leaking block, so a test can assert none survived.
pub const SECRETS: [&str; 5] = [
    "LeakyCam",
    "GPS-SECRET",
    "http://ns.adobe.com/xap/1.0/",
    "my home address",
    "TRAILING-SECRET",
];
/// Inside the ICC profile of every fixture, which cleaning must keep.
pub const ICC_MARKER: &[u8] = crate::carriers::ICC_KEEP;

const XMP_PACKET: &str = "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>GPS-SECRET</exif:GPSLatitude></x:xmpmeta>";

/// Does any leaking marker remain?
pub fn leaks(bytes: &[u8]) -> Vec<&'static str> {
    SECRETS
        .into_iter()
        .filter(|s| contains(bytes, s.as_bytes()))
        .collect()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A big-endian TIFF/EXIF block: IFD0 with Make = "LeakyCam", Orientation = 6 (rotate
/// 90° clockwise) and a GPS IFD whose processing method holds "GPS-SECRET".
pub fn exif_with_gps() -> Vec<u8> {
    let make = b"LeakyCam\0\0";
    let gps_text = b"ASCII\0\0\0GPS-SECRET";
    let mut t = Vec::new();
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    // IFD0 at 8: 3 entries (2 + 3*12 + 4 = 42 bytes), so its data starts at 50.
    let make_off = 50u32;
    let gps_ifd_off = make_off + make.len() as u32;
    t.extend_from_slice(&3u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x0F, 0, 2]);
    t.extend_from_slice(&(make.len() as u32).to_be_bytes());
    t.extend_from_slice(&make_off.to_be_bytes());
    t.extend_from_slice(&[
        0x01,
        0x12,
        0,
        3,
        0,
        0,
        0,
        1,
        0,
        EXIF_ORIENTATION as u8,
        0,
        0,
    ]);
    t.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1]);
    t.extend_from_slice(&gps_ifd_off.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(make);
    // GPS IFD: LatitudeRef "N", ProcessingMethod (UNDEFINED) with the secret.
    let gps_data_off = gps_ifd_off + 2 + 2 * 12 + 4;
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x00, 0x01, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    t.extend_from_slice(&[0x00, 0x1B, 0, 7]);
    t.extend_from_slice(&(gps_text.len() as u32).to_be_bytes());
    t.extend_from_slice(&gps_data_off.to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(gps_text);
    t
}

/// The orientation every fixture's EXIF declares.
pub const EXIF_ORIENTATION: u16 = 6;

/// The EXIF block a JPEG decoder finds, if any.
pub fn jpeg_exif(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().ok()?;
    decoder.exif_data().map(<[u8]>::to_vec)
}

fn gradient_rgb(w: u16, h: u16) -> Vec<u8> {
    let mut data = Vec::with_capacity(w as usize * h as usize * 3);
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&[(x * 4) as u8, (y * 4) as u8, 128]);
        }
    }
    data
}

fn gradient_rgba(w: u32, h: u32) -> Vec<u8> {
    let mut data = Vec::with_capacity((w * h * 4) as usize);
    for y in 0..h {
        for x in 0..w {
            data.extend_from_slice(&[(x * 4) as u8, (y * 4) as u8, 200, 255]);
        }
    }
    data
}

/// A plain PNG with no metadata.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    png_inner(w, h, false)
}

/// A PNG with eXIf (GPS), tEXt, zTXt-free iTXt (XMP) chunks and a comment.
pub fn png_with_metadata(w: u32, h: u32) -> Vec<u8> {
    png_inner(w, h, true)
}

fn png_inner(w: u32, h: u32, metadata: bool) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        if metadata {
            encoder
                .add_text_chunk("Comment".into(), "taken at my home address".into())
                .expect("tEXt");
            encoder
                .add_itxt_chunk("XML:com.adobe.xmp".into(), XMP_PACKET.replace('\0', " "))
                .expect("iTXt");
        }
        let mut writer = encoder.write_header().expect("png header");
        if metadata {
            writer
                .write_chunk(png::chunk::ChunkType(*b"eXIf"), &exif_with_gps())
                .expect("eXIf");
        }
        writer
            .write_image_data(&gradient_rgba(w, h))
            .expect("png data");
    }
    out
}

/// A baseline JPEG with EXIF (GPS), XMP, an ICC profile, a comment and bytes after EOI.
pub fn jpeg_with_metadata(w: u16, h: u16) -> Vec<u8> {
    let profile = crate::carriers::icc_profile(200);
    encode_jpeg_with_metadata(&gradient_rgb(w, h), w, h, 85, &profile)
}

/// RGB `pixels` as a baseline JPEG carrying EXIF (GPS), XMP, the ICC `profile`, a
/// comment and bytes after the end of the image.
pub fn encode_jpeg_with_metadata(
    pixels: &[u8],
    w: u16,
    h: u16,
    quality: u8,
    profile: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_with_gps());
    encoder.add_app_segment(1, exif).expect("exif");
    encoder
        .add_app_segment(1, XMP_PACKET.as_bytes().to_vec())
        .expect("xmp");
    encoder.add_icc_profile(profile).expect("icc");
    encoder
        .encode(pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("jpeg");
    // A comment right after SOI, and data appended after EOI.
    let comment = b"my home address";
    let mut with_comment = out[..2].to_vec();
    with_comment.extend_from_slice(&[0xFF, 0xFE]);
    with_comment.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    with_comment.extend_from_slice(comment);
    with_comment.extend_from_slice(&out[2..]);
    with_comment.extend_from_slice(b"TRAILING-SECRET");
    with_comment
}

/// A lossless WebP with ICC, EXIF and XMP chunks and all three VP8X flags set.
pub fn webp_with_metadata(w: u32, h: u32) -> Vec<u8> {
    let mut plain = Vec::new();
    image_webp::WebPEncoder::new(&mut plain)
        .encode(&gradient_rgba(w, h), w, h, image_webp::ColorType::Rgba8)
        .expect("webp");
    let mut webp = img_parts::webp::WebP::from_bytes(Bytes::from(plain)).expect("parse webp");
    webp.set_icc_profile(Some(Bytes::from(crate::carriers::icc_profile(200))));
    webp.set_exif(Some(Bytes::from(exif_with_gps())));
    webp.chunks_mut().push(img_parts::riff::RiffChunk::new(
        img_parts::webp::CHUNK_XMP,
        img_parts::riff::RiffContent::Data(Bytes::from(XMP_PACKET)),
    ));
    let mut bytes = webp.encoder().bytes().to_vec();
    // VP8X payload starts at 12 (RIFF header) + 8 (chunk header); set the XMP bit.
    assert_eq!(&bytes[12..16], b"VP8X");
    bytes[20] |= 0b0000_0100;
    bytes
}

/// A GIF with a comment extension and an XMP application extension.
pub fn gif_with_metadata(w: u16, h: u16) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let palette = [0u8, 0, 0, 255, 255, 255];
        let mut encoder = gif::Encoder::new(&mut out, w, h, &palette).expect("gif");
        let pixels: Vec<u8> = (0..(w as usize * h as usize))
            .map(|i| (i % 2) as u8)
            .collect();
        let frame = gif::Frame::from_indexed_pixels(w, h, pixels, None);
        encoder.write_frame(&frame).expect("frame");
    }
    // Insert the extensions after header (6) + screen descriptor (7) + palette (2*3).
    let at = 13 + 6;
    let mut ext = vec![0x21, 0xFE];
    let comment = b"my home address";
    ext.push(comment.len() as u8);
    ext.extend_from_slice(comment);
    ext.push(0);
    ext.extend_from_slice(&gif_application_extension(
        b"XMP DataXMP",
        XMP_PACKET.as_bytes(),
    ));
    out.splice(at..at, ext);
    out
}

/// A GIF application extension: `id` (identifier and authentication code), then `data`
/// in sub-blocks of up to 255 bytes, then the terminator.
pub fn gif_application_extension(id: &[u8; 11], data: &[u8]) -> Vec<u8> {
    let mut extension = vec![0x21, 0xFF, 11];
    extension.extend_from_slice(id);
    for block in data.chunks(255) {
        extension.push(block.len() as u8);
        extension.extend_from_slice(block);
    }
    extension.push(0);
    extension
}

/// Just a PNG signature and IHDR declaring the given size (no pixel data).
pub fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Decodes fully and returns (width, height); panics with the decoder's error otherwise.
pub fn decode(bytes: &[u8], mime: &str) -> (u32, u32) {
    match mime {
        "image/png" => {
            let mut reader = png::Decoder::new(Cursor::new(bytes))
                .read_info()
                .expect("png decodes");
            let mut buf = vec![0; reader.output_buffer_size().expect("size")];
            let info = reader.next_frame(&mut buf).expect("png frame");
            (info.width, info.height)
        }
        "image/jpeg" => {
            let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
            decoder.decode().expect("jpeg decodes");
            let info = decoder.info().expect("jpeg info");
            (u32::from(info.width), u32::from(info.height))
        }
        "image/webp" => {
            let mut decoder =
                image_webp::WebPDecoder::new(Cursor::new(bytes)).expect("webp parses");
            let mut buf = vec![0; decoder.output_buffer_size().expect("size")];
            decoder.read_image(&mut buf).expect("webp decodes");
            decoder.dimensions()
        }
        "image/gif" => {
            let mut decoder = gif::DecodeOptions::new()
                .read_info(Cursor::new(bytes))
                .expect("gif parses");
            let frame = decoder
                .read_next_frame()
                .expect("gif frame")
                .expect("one frame");
            (u32::from(frame.width), u32::from(frame.height))
        }
        other => panic!("no decoder for {other}"),
    }
}

/// The ICC profile a JPEG decoder finds.
pub fn jpeg_icc(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().ok()?;
    decoder.icc_profile()
}
