//! GIF carriers: comments, plain-text extensions, XMP and other application extensions, a
//! profile that is not one, loop extensions with extra sub-blocks, unknown extensions, bytes after the trailer, and a
//! multi-frame animation.

use super::{Fixture, icc_profile};

const MIME: &str = "image/gif";
const PALETTE: [u8; 12] = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255];

/// Frames of `(left, top, width, height, delay)` on a `w`×`h` screen, looping forever.
pub fn gif_frames(w: u16, h: u16, frames: &[(u16, u16, u16, u16, u16)]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, w, h, &PALETTE).expect("gif");
        if frames.len() > 1 {
            encoder.set_repeat(gif::Repeat::Infinite).expect("repeat");
        }
        for (n, &(left, top, fw, fh, delay)) in frames.iter().enumerate() {
            let pixels: Vec<u8> = (0..usize::from(fw) * usize::from(fh))
                .map(|i| ((i + n) % 4) as u8)
                .collect();
            let mut frame = gif::Frame::from_indexed_pixels(fw, fh, pixels, Some(3));
            frame.left = left;
            frame.top = top;
            frame.delay = delay;
            frame.dispose = gif::DisposalMethod::Background;
            encoder.write_frame(&frame).expect("frame");
        }
    }
    out
}

fn base() -> Vec<u8> {
    gif_frames(12, 8, &[(0, 0, 12, 8, 0)])
}

/// Sub-blocks of `data` with the terminator.
fn sub_blocks(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for block in data.chunks(255) {
        out.push(block.len() as u8);
        out.extend_from_slice(block);
    }
    out.push(0);
    out
}

pub(super) fn application(id: &[u8; 11], data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x21, 0xFF, 11];
    out.extend_from_slice(id);
    out.extend_from_slice(&sub_blocks(data));
    out
}

/// `blocks` after the global colour table, ahead of the first frame.
fn with_blocks(mut gif: Vec<u8>, blocks: &[Vec<u8>]) -> Vec<u8> {
    let at = 13 + PALETTE.len();
    gif.splice(at..at, blocks.concat());
    gif
}

pub(super) fn carrier(name: &str, blocks: &[Vec<u8>], secrets: &[&[u8]]) -> Fixture {
    Fixture::new(name, MIME, with_blocks(base(), blocks), secrets)
}

pub fn gif_fixtures() -> Vec<Fixture> {
    let mut plain_text = vec![0x21, 0x01, 12, 0, 0, 0, 0, 12, 0, 8, 0, 4, 8, 1, 0];
    plain_text.extend_from_slice(&sub_blocks(b"PLAIN-TEXT-SECRET"));
    let mut netscape = vec![0x21, 0xFF, 11];
    netscape.extend_from_slice(b"NETSCAPE2.0");
    netscape.extend_from_slice(&[3, 1, 5, 0]);
    netscape.extend_from_slice(&[5, 2, 0, 0x10, 0, 0]);
    netscape.extend_from_slice(&[16]);
    netscape.extend_from_slice(b"NETSCAPE-SECRET!");
    netscape.push(0);
    let mut fixtures = vec![
        carrier(
            "gif comment",
            &[[vec![0x21, 0xFE], sub_blocks(b"GIF-COMMENT-SECRET")].concat()],
            &[b"GIF-COMMENT-SECRET"],
        ),
        carrier("gif plain text", &[plain_text], &[b"PLAIN-TEXT-SECRET"]),
        carrier(
            "gif XMP application extension",
            &[application(
                b"XMP DataXMP",
                b"<x:xmpmeta>GIF-XMP-SECRET</x:xmpmeta>",
            )],
            &[b"XMP DataXMP", b"GIF-XMP-SECRET"],
        ),
        carrier(
            "gif unknown application extension",
            &[application(b"PRIVATE01.0", b"PRIVATE-APP-SECRET")],
            &[b"PRIVATE01.0", b"PRIVATE-APP-SECRET"],
        ),
        carrier(
            "gif ICC extension that is not a profile",
            &[application(b"ICCRGBG1012", b"FAKE-GIF-ICC-SECRET")],
            &[b"FAKE-GIF-ICC-SECRET"],
        )
        .colour_dropped(),
        carrier(
            "gif ICC profile (kept)",
            &[application(b"ICCRGBG1012", &icc_profile(600))],
            &[],
        ),
        carrier(
            "gif NETSCAPE2.0 with sub-blocks beyond the loop count",
            &[netscape],
            &[b"NETSCAPE-SECRET", &[5, 2, 0, 0x10]],
        ),
        carrier(
            "gif unknown extension",
            &[[vec![0x21, 0x99], sub_blocks(b"UNKNOWN-EXTENSION-SECRET")].concat()],
            &[b"UNKNOWN-EXTENSION-SECRET"],
        ),
    ];
    let mut trailing = base();
    trailing.extend_from_slice(b"AFTER-TRAILER-SECRET");
    fixtures.push(Fixture::new(
        "gif bytes after the trailer",
        MIME,
        trailing,
        &[b"AFTER-TRAILER-SECRET"],
    ));
    let mut animated = gif_frames(
        16,
        12,
        &[(0, 0, 16, 12, 10), (4, 2, 8, 6, 20), (2, 4, 6, 4, 30)],
    );
    // A comment between the second and third frames' blocks, before the trailer too.
    let end = animated.len() - 1;
    let comment = [vec![0x21, 0xFE], sub_blocks(b"ANIMATED-COMMENT-SECRET")].concat();
    animated.splice(end..end, comment);
    fixtures.push(Fixture::new(
        "gif animation, three frames",
        MIME,
        animated,
        &[b"ANIMATED-COMMENT-SECRET"],
    ));
    fixtures
}
