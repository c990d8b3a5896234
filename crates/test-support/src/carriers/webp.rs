//! WebP carriers: EXIF and XMP chunks, unknown chunks before and after the image and inside
//! animation frames, an ALPH chunk next to lossless data (which carries its own alpha), a
//! profile that is not one, bytes after the RIFF chunk, and an animation.

use super::{Fixture, gradient, icc_profile};
use crate::images::exif_with_gps;

const MIME: &str = "image/webp";

/// A RIFF chunk with its padding byte.
pub(super) fn chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body = chunks.concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&((4 + body.len()) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&body);
    out
}

fn le24(v: u32) -> [u8; 3] {
    let [a, b, c, _] = v.to_le_bytes();
    [a, b, c]
}

/// The VP8L chunk (header, data, padding) of a lossless encoding of `rgba`.
fn vp8l(rgba: &[u8], w: u32, h: u32) -> Vec<u8> {
    let mut simple = Vec::new();
    image_webp::WebPEncoder::new(&mut simple)
        .encode(rgba, w, h, image_webp::ColorType::Rgba8)
        .expect("webp");
    assert_eq!(
        &simple[12..16],
        b"VP8L",
        "image-webp writes simple lossless files"
    );
    simple[12..].to_vec()
}

fn vp8x(flags: u8, w: u32, h: u32) -> Vec<u8> {
    let mut data = vec![flags, 0, 0, 0];
    data.extend_from_slice(&le24(w - 1));
    data.extend_from_slice(&le24(h - 1));
    chunk(b"VP8X", &data)
}

pub(super) const ICC: u8 = 0x20;
const ALPHA: u8 = 0x10;
const EXIF: u8 = 0x08;
const XMP: u8 = 0x04;
const ANIMATION: u8 = 0x02;

pub(super) fn still(flags: u8, before: &[Vec<u8>], after: &[Vec<u8>]) -> Vec<u8> {
    let (w, h) = (16, 12);
    let mut chunks = vec![vp8x(flags | ALPHA, w, h)];
    chunks.extend_from_slice(before);
    chunks.push(vp8l(&gradient(w, h, 4), w, h));
    chunks.extend_from_slice(after);
    riff(&chunks)
}

/// A three-frame animation on a 16×12 canvas; `inside` goes into the second frame, after
/// its image data, and `extra` among the top-level chunks.
pub fn animated_webp(inside: &[Vec<u8>], extra: &[Vec<u8>]) -> Vec<u8> {
    let (w, h) = (16, 12);
    let frame = |x: u32, y: u32, fw: u32, fh: u32, duration: u32, flags: u8, inside: &[Vec<u8>]| {
        let mut data = Vec::new();
        data.extend_from_slice(&le24(x / 2));
        data.extend_from_slice(&le24(y / 2));
        data.extend_from_slice(&le24(fw - 1));
        data.extend_from_slice(&le24(fh - 1));
        data.extend_from_slice(&le24(duration));
        data.push(flags);
        let pixels: Vec<u8> = gradient(fw, fh, 4)
            .iter()
            .map(|b| b ^ (x as u8 * 9))
            .collect();
        data.extend_from_slice(&vp8l(&pixels, fw, fh));
        for c in inside {
            data.extend_from_slice(c);
        }
        chunk(b"ANMF", &data)
    };
    let mut chunks = vec![vp8x(ANIMATION | ALPHA, w, h)];
    chunks.push(chunk(b"ANIM", &[0, 0, 0, 0, 3, 0]));
    chunks.push(frame(0, 0, w, h, 100, 0, &[]));
    chunks.extend_from_slice(extra);
    chunks.push(frame(4, 2, 8, 6, 50, 0b10, inside));
    chunks.push(frame(2, 4, 6, 4, 70, 0b01, &[]));
    riff(&chunks)
}

/// 1×1 lossy files as libwebp writes them (image-webp has no lossy encoder): a simple VP8
/// file, and an extended one with an ALPH chunk ahead of its VP8 data.
const LOSSY: [u8; 42] = [
    0x52, 0x49, 0x46, 0x46, 0x22, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20,
    0x16, 0x00, 0x00, 0x00, 0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x01, 0x00, 0x01, 0x00, 0x0e, 0xc0,
    0xfe, 0x25, 0xa4, 0x00, 0x03, 0x70, 0x00, 0x00, 0x00, 0x00,
];
const LOSSY_ALPHA: [u8; 82] = [
    0x52, 0x49, 0x46, 0x46, 0x4a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x58,
    0x0a, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41, 0x4c,
    0x50, 0x48, 0x0c, 0x00, 0x00, 0x00, 0x11, 0x07, 0x10, 0x11, 0xfd, 0x0f, 0x44, 0x44, 0xff, 0x03,
    0x00, 0x00, 0x56, 0x50, 0x38, 0x20, 0x18, 0x00, 0x00, 0x00, 0x14, 0x01, 0x00, 0x9d, 0x01, 0x2a,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0xfe, 0x00, 0x00, 0x0d, 0xc0, 0x00, 0xfe, 0xe6, 0xb5, 0x00,
    0x00, 0x00,
];

/// The chunks of a RIFF file, after its 12-byte header.
fn chunks_of(file: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 12;
    while i + 8 <= file.len() {
        let len = u32::from_le_bytes(file[i + 4..i + 8].try_into().unwrap()) as usize;
        let end = (i + 8 + len + (len & 1)).min(file.len());
        out.push(file[i..end].to_vec());
        i = end;
    }
    out
}

pub fn webp_fixtures() -> Vec<Fixture> {
    let mut exif = exif_with_gps();
    exif.extend_from_slice(b"WEBP-EXIF-SECRET");
    let mut fixtures = vec![
        Fixture::new(
            "webp EXIF and XMP",
            MIME,
            still(
                EXIF | XMP | ICC,
                &[chunk(b"ICCP", &icc_profile(200))],
                &[
                    chunk(b"EXIF", &exif),
                    chunk(b"XMP ", b"<x:xmpmeta>WEBP-XMP-SECRET</x:xmpmeta>"),
                ],
            ),
            &[
                b"WEBP-EXIF-SECRET",
                b"GPS-SECRET",
                b"WEBP-XMP-SECRET",
                b"EXIF",
                b"XMP ",
            ],
        ),
        Fixture::new(
            "webp unknown chunks before and after the image",
            MIME,
            still(
                0,
                &[chunk(b"ABCD", b"UNKNOWN-BEFORE-SECRET")],
                &[chunk(b"WXYZ", b"UNKNOWN-AFTER-SECRET")],
            ),
            &[
                b"ABCD",
                b"UNKNOWN-BEFORE-SECRET",
                b"WXYZ",
                b"UNKNOWN-AFTER-SECRET",
            ],
        ),
        Fixture::new(
            "webp ALPH next to lossless data",
            MIME,
            still(0, &[chunk(b"ALPH", b"\0ALPH-LOSSLESS-SECRET")], &[]),
            &[b"ALPH", b"ALPH-LOSSLESS-SECRET"],
        )
        .kept_elsewhere(),
        Fixture::new(
            "webp ICCP that is not a profile",
            MIME,
            still(ICC, &[chunk(b"ICCP", b"FAKE-WEBP-ICC-SECRET")], &[]),
            &[b"FAKE-WEBP-ICC-SECRET", b"ICCP"],
        )
        .colour_dropped(),
        Fixture::new(
            "webp animation with unknown chunks between frames",
            MIME,
            animated_webp(
                &[],
                &[
                    chunk(b"ZXCV", b"BETWEEN-FRAMES-SECRET"),
                    chunk(b"EXIF", b"ANIM-EXIF-SECRET"),
                ],
            ),
            &[b"ZXCV", b"BETWEEN-FRAMES-SECRET", b"ANIM-EXIF-SECRET"],
        )
        // image-webp expects each frame right after the last; libwebp skips the rest.
        .renders_like(animated_webp(&[], &[])),
        // The spec lets a frame hold unknown chunks after its image data and libwebp skips
        // them; image-webp stops there.
        Fixture::new(
            "webp animation with an unknown chunk inside a frame",
            MIME,
            animated_webp(&[chunk(b"QWER", b"INSIDE-FRAME-SECRET")], &[]),
            &[b"QWER", b"INSIDE-FRAME-SECRET"],
        )
        .renders_like(animated_webp(&[], &[])),
    ];
    let mut lossy = chunks_of(&LOSSY);
    lossy.push(chunk(b"JUNK", b"LOSSY-TAIL-SECRET"));
    fixtures.push(Fixture::new(
        "webp lossy simple file with a chunk after the image",
        MIME,
        riff(&lossy),
        &[b"JUNK", b"LOSSY-TAIL-SECRET"],
    ));
    // VP8X (alpha), ALPH, VP8: an unknown chunk ahead of the alpha, EXIF and XMP after.
    let mut alpha = chunks_of(&LOSSY_ALPHA);
    alpha[0][8] |= EXIF | XMP;
    alpha.insert(1, chunk(b"PRIV", b"BEFORE-ALPHA-SECRET"));
    alpha.push(chunk(b"EXIF", b"MM\0*LOSSY-EXIF-SECRET"));
    alpha.push(chunk(b"XMP ", b"<x:xmpmeta>LOSSY-XMP-SECRET</x:xmpmeta>"));
    fixtures.push(Fixture::new(
        "webp lossy with alpha, EXIF, XMP and an unknown chunk",
        MIME,
        riff(&alpha),
        &[
            b"PRIV",
            b"BEFORE-ALPHA-SECRET",
            b"LOSSY-EXIF-SECRET",
            b"LOSSY-XMP-SECRET",
        ],
    ));
    let (w, h) = (10, 6);
    let mut simple = riff(&[
        vp8l(&gradient(w, h, 4), w, h),
        chunk(b"JUNK", b"SIMPLE-TAIL-SECRET"),
    ]);
    simple.extend_from_slice(b"AFTER-RIFF-SECRET");
    fixtures.push(Fixture::new(
        "webp simple file with a chunk after the image and bytes after RIFF",
        MIME,
        simple,
        &[b"JUNK", b"SIMPLE-TAIL-SECRET", b"AFTER-RIFF-SECRET"],
    ));
    fixtures
}

/// An animation of `frames` 8×8 frames on a `w`×`h` canvas.
pub fn webp_animation(w: u32, h: u32, frames: u32) -> Vec<u8> {
    let image = vp8l(&gradient(8, 8, 4), 8, 8);
    let mut chunks = vec![vp8x(ANIMATION, w, h), chunk(b"ANIM", &[0, 0, 0, 0, 0, 0])];
    for _ in 0..frames {
        let mut data = [le24(0), le24(0), le24(7), le24(7), le24(40)].concat();
        data.push(0);
        data.extend_from_slice(&image);
        chunks.push(chunk(b"ANMF", &data));
    }
    riff(&chunks)
}
