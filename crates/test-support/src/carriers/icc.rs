//! Colour profiles that are not ICC profiles, in every place a format keeps one: text,
//! a header without `acsp`, a declared size longer or shorter than the bytes, a profile
//! over 1 MiB, and per format what only it can get wrong (a PNG zlib stream that is
//! broken, cut short or a bomb; JPEG segments numbered wrongly). Each must be dropped
//! while the picture is accepted; the fixtures' secret is the block's own marker.

use std::io::Write;

use super::{Fixture, gif, icc_profile, jpeg, png, webp};

/// What cleaning keeps at most (`avatar::icc::MAX_PROFILE_LEN`).
const MAX_PROFILE_LEN: usize = 1024 * 1024;

/// The inflated size a PNG bomb claims and inflates to.
pub const BOMB_LEN: usize = 64 * 1024 * 1024;

/// Profile bytes that are no profile, the same in every format.
fn not_profiles() -> Vec<(&'static str, Vec<u8>)> {
    let mut no_signature = icc_profile(300);
    no_signature[36..40].copy_from_slice(b"nope");
    let mut past_its_size = icc_profile(400);
    past_its_size.extend_from_slice(b"ICC-TAIL-SECRET");
    vec![
        ("text", b"FAKE-ICC-SECRET, no profile at all".to_vec()),
        ("no acsp", no_signature),
        ("truncated", icc_profile(400)[..300].to_vec()),
        ("bytes past its size", past_its_size),
        ("over 1 MiB", icc_profile(MAX_PROFILE_LEN + 256)),
    ]
}

/// A zlib stream that inflates to 64 MiB: a profile header that declares exactly that
/// (so only the bound can refuse it), then zeros. About 64 KiB.
pub fn zlib_bomb() -> Vec<u8> {
    let mut header = vec![0u8; 128];
    header[..4].copy_from_slice(&(BOMB_LEN as u32).to_be_bytes());
    header[36..40].copy_from_slice(b"acsp");
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&header).expect("deflate");
    let zeros = vec![0u8; 1024 * 1024];
    let mut left = BOMB_LEN - header.len();
    while left > 0 {
        let n = left.min(zeros.len());
        encoder.write_all(&zeros[..n]).expect("deflate");
        left -= n;
    }
    encoder.finish().expect("deflate")
}

/// An iCCP chunk's data: a name, compression method 0, the compressed profile.
fn iccp(compressed: &[u8]) -> Vec<u8> {
    [b"Profile\0\0".as_slice(), compressed].concat()
}

/// A PNG with a 64 MiB zlib-bomb iCCP.
pub fn png_with_bomb() -> Vec<u8> {
    png::png_with_chunks(b"IDAT", &[png::png_chunk(b"iCCP", &iccp(&zlib_bomb()))])
}

fn png_fixtures() -> Vec<Fixture> {
    let mut fixtures: Vec<Fixture> = not_profiles()
        .into_iter()
        .map(|(name, profile)| {
            png::carrier(
                &format!("png iCCP that is not ICC: {name}"),
                &[png::png_chunk(b"iCCP", &iccp(&png::zlib(&profile)))],
                &[b"iCCP"],
            )
            .colour_dropped()
        })
        .collect();
    let good = png::zlib(&icc_profile(3000));
    let broken: [(&str, Vec<u8>); 4] = [
        ("a 64 MiB zlib bomb", zlib_bomb()),
        ("no zlib stream", b"FAKE-ZLIB-SECRET".to_vec()),
        ("a zlib stream cut short", good[..good.len() / 2].to_vec()),
        ("no compressed data", Vec::new()),
    ];
    for (name, compressed) in broken {
        fixtures.push(
            png::carrier(
                &format!("png iCCP that is not ICC: {name}"),
                &[png::png_chunk(b"iCCP", &iccp(&compressed))],
                &[b"iCCP"],
            )
            // Decoders differ on a broken profile (the png crate may refuse the file),
            // browsers ignore it: the picture is the one without it.
            .renders_like(png::rgba(16, 12))
            .colour_dropped(),
        );
    }
    // A real profile with bytes after its zlib stream: the profile stays, deflated
    // afresh, and the tail goes.
    let mut tailed = good.clone();
    tailed.extend_from_slice(b"ZLIB-TAIL-SECRET");
    fixtures.push(png::carrier(
        "png iCCP with bytes after its zlib stream (profile kept)",
        &[png::png_chunk(b"iCCP", &iccp(&tailed))],
        &[b"ZLIB-TAIL-SECRET"],
    ));
    fixtures
}

/// One APP2 part: sequence number, count, that part of the profile.
type Part<'a> = (u8, u8, &'a [u8]);

/// APP2 payloads: `ICC_PROFILE\0`, sequence number, count, that part of the profile.
fn jpeg_parts(parts: &[Part<'_>]) -> Vec<Vec<u8>> {
    parts
        .iter()
        .map(|&(seq, count, data)| {
            jpeg::app(
                2,
                &[b"ICC_PROFILE\0".as_slice(), &[seq, count], data].concat(),
            )
        })
        .collect()
}

/// A profile in as many APP2 segments as it needs (at most 65519 bytes of it each).
fn jpeg_split(profile: &[u8]) -> Vec<Vec<u8>> {
    let chunks: Vec<&[u8]> = profile.chunks(65_000).collect();
    let count = chunks.len() as u8;
    let parts: Vec<Part<'_>> = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| (i as u8 + 1, count, *c))
        .collect();
    jpeg_parts(&parts)
}

fn jpeg_fixtures() -> Vec<Fixture> {
    let mut fixtures: Vec<Fixture> = not_profiles()
        .into_iter()
        .map(|(name, profile)| {
            jpeg::carrier(
                &format!("jpeg APP2 ICC that is not ICC: {name}"),
                &jpeg_split(&profile),
                &[b"ICC_PROFILE"],
            )
            .colour_dropped()
        })
        .collect();
    let profile = icc_profile(700);
    let (a, b) = profile.split_at(300);
    let sequences: [(&str, [Part<'_>; 2]); 5] = [
        ("a sequence number repeated", [(1, 2, a), (1, 2, b)]),
        ("a count that is not the parts'", [(1, 3, a), (2, 3, b)]),
        ("counts that disagree", [(1, 2, a), (2, 1, b)]),
        ("sequence number 0", [(0, 2, a), (1, 2, b)]),
        ("a sequence number past the count", [(1, 2, a), (3, 2, b)]),
    ];
    for (name, parts) in sequences {
        fixtures.push(
            jpeg::carrier(
                &format!("jpeg APP2 ICC that is not ICC: {name}"),
                &jpeg_parts(&parts),
                &[b"ICC_PROFILE"],
            )
            .colour_dropped(),
        );
    }
    // Parts in the wrong order are still one profile: decoders sort them by number.
    fixtures.push(jpeg::carrier(
        "jpeg ICC profile in two APP2 segments out of order (kept)",
        &jpeg_parts(&[(2, 2, b), (1, 2, a)]),
        &[],
    ));
    fixtures
}

fn webp_fixtures() -> Vec<Fixture> {
    not_profiles()
        .into_iter()
        .map(|(name, profile)| {
            Fixture::new(
                format!("webp ICCP that is not ICC: {name}"),
                "image/webp",
                webp::still(webp::ICC, &[webp::chunk(b"ICCP", &profile)], &[]),
                &[b"ICCP"],
            )
            .colour_dropped()
        })
        .collect()
}

fn gif_fixtures() -> Vec<Fixture> {
    not_profiles()
        .into_iter()
        .map(|(name, profile)| {
            gif::carrier(
                &format!("gif ICC extension that is not ICC: {name}"),
                &[gif::application(b"ICCRGBG1012", &profile)],
                &[b"ICCRGBG1012"],
            )
            .colour_dropped()
        })
        .collect()
}

/// Every profile that is not one, in every format.
pub fn not_icc_fixtures() -> Vec<Fixture> {
    let mut all = png_fixtures();
    all.extend(jpeg_fixtures());
    all.extend(webp_fixtures());
    all.extend(gif_fixtures());
    all
}
