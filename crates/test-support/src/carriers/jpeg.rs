//! JPEG carriers: every APPn from 0 to 15 (JFIF and JFXX thumbnails, EXIF with GPS, XMP
//! and extended XMP, MPF, IPTC, C2PA/JUMBF, a non-Adobe APP14, Adobe's with extra bytes),
//! comments before and between scans, unknown markers, profiles that are not profiles,
//! and bytes or a whole second picture after the end of the image.

use super::{Fixture, gradient, icc_profile};
use crate::images::exif_with_gps;

const MIME: &str = "image/jpeg";
const SOI_LEN: usize = 2;

/// A JPEG from jpeg-encoder: JFIF APP0, tables, one frame; progressive and restart
/// intervals on request.
pub fn plain_jpeg(w: u16, h: u16, progressive: bool, restart_interval: Option<u16>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    encoder.set_progressive(progressive);
    if let Some(interval) = restart_interval {
        encoder.set_restart_interval(interval);
    }
    encoder
        .encode(
            &gradient(w.into(), h.into(), 3),
            w,
            h,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("jpeg");
    out
}

fn base() -> Vec<u8> {
    plain_jpeg(24, 16, false, None)
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// `segments` right after SOI (after the encoder's JFIF, where `after_jfif`).
fn with_segments(mut jpeg: Vec<u8>, segments: &[Vec<u8>]) -> Vec<u8> {
    let at = SOI_LEN;
    let insert: Vec<u8> = segments.concat();
    jpeg.splice(at..at, insert);
    jpeg
}

/// The index of the `n`th (0-based) SOS marker.
fn nth_scan(jpeg: &[u8], n: usize) -> usize {
    let mut i = SOI_LEN;
    let mut seen = 0;
    loop {
        let marker = jpeg[i + 1];
        if marker == 0xDA {
            if seen == n {
                return i;
            }
            seen += 1;
            // Skip the scan's entropy data.
            i += 2 + u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
            while jpeg[i] != 0xFF || matches!(jpeg[i + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
                i += 1;
            }
            continue;
        }
        i += 2 + u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
    }
}

pub(super) fn app(n: u8, payload: &[u8]) -> Vec<u8> {
    segment(0xE0 + n, payload)
}

pub(super) fn carrier(name: &str, segments: &[Vec<u8>], secrets: &[&[u8]]) -> Fixture {
    Fixture::new(name, MIME, with_segments(base(), segments), secrets)
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

pub fn jpeg_fixtures() -> Vec<Fixture> {
    let mut fixtures = Vec::new();
    // A JFIF header whose 3×2 RGB thumbnail spells the secret (a picture of the original).
    let mut jfif = base();
    let thumb = b"JFIF-THUMB-SECRET!";
    let jfif_payload = concat(&[b"JFIF\0\x01\x02\x01\x00\x48\x00\x48\x03\x02", thumb]);
    // Replace the encoder's own JFIF segment (the first after SOI).
    let old_len = u16::from_be_bytes([jfif[4], jfif[5]]) as usize;
    jfif.splice(2..4 + old_len, segment(0xE0, &jfif_payload));
    fixtures.push(Fixture::new(
        "jpeg APP0 JFIF with a thumbnail",
        MIME,
        jfif,
        &[thumb],
    ));
    fixtures.push(carrier(
        "jpeg APP0 JFXX thumbnail",
        &[app(0, b"JFXX\0\x10\xFF\xD8JFXX-THUMB-SECRET\xFF\xD9")],
        &[b"JFXX", b"JFXX-THUMB-SECRET"],
    ));
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_with_gps());
    fixtures.push(carrier(
        "jpeg APP1 EXIF with GPS (orientation kept)",
        &[app(1, &exif)],
        &[b"GPS-SECRET", b"LeakyCam"],
    ));
    fixtures.push(carrier(
        "jpeg APP1 XMP and extended XMP",
        &[
            app(
                1,
                b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>XMP-SECRET</x:xmpmeta>",
            ),
            app(
                1,
                b"http://ns.adobe.com/xmp/extension/\0XMP-EXTENDED-SECRET",
            ),
        ],
        &[b"XMP-SECRET", b"XMP-EXTENDED-SECRET", b"ns.adobe.com"],
    ));
    fixtures.push(carrier(
        "jpeg APP2 MPF and FlashPix",
        &[
            app(2, b"MPF\0MM\0\x2aMPF-SECRET"),
            app(2, b"FPXR\0\0FPXR-SECRET"),
        ],
        &[b"MPF-SECRET", b"FPXR-SECRET"],
    ));
    fixtures.push(carrier(
        "jpeg APP11 C2PA JUMBF",
        &[app(
            11,
            b"JP\0\x01\0\0\0\x01\0\0\0\x20jumbjumdc2pa\0C2PA-MANIFEST-SECRET",
        )],
        &[b"C2PA-MANIFEST-SECRET", b"jumb"],
    ));
    fixtures.push(carrier(
        "jpeg APP12 Ducky",
        &[app(12, b"Ducky\0\x01\0\0\0\x40DUCKY-SECRET")],
        &[b"DUCKY-SECRET"],
    ));
    fixtures.push(carrier(
        "jpeg APP13 Photoshop IPTC",
        &[app(
            13,
            b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\x14\x1c\x02\x78\0\x0eIPTC-CAPTION-SECRET",
        )],
        &[b"IPTC-CAPTION-SECRET", b"Photoshop", b"8BIM"],
    ));
    fixtures.push(carrier(
        "jpeg APP14 that is not Adobe",
        &[app(14, b"NotAdobe-APP14-SECRET")],
        &[b"NotAdobe-APP14-SECRET"],
    ));
    fixtures.push(carrier(
        "jpeg APP14 Adobe with extra bytes",
        &[app(14, b"Adobe\0\x64\0\0\0\0\x01ADOBE-TAIL-SECRET")],
        &[b"ADOBE-TAIL-SECRET"],
    ));
    for n in [3u8, 4, 5, 6, 7, 8, 9, 10, 15] {
        let secret = format!("APP{n}-PRIVATE-SECRET");
        let mut f = carrier(&format!("jpeg APP{n}"), &[app(n, secret.as_bytes())], &[]);
        f.secrets.push(secret.into_bytes());
        fixtures.push(f);
    }
    fixtures.push(carrier(
        "jpeg COM",
        &[segment(0xFE, b"COMMENT-SECRET taken at home")],
        &[b"COMMENT-SECRET"],
    ));
    let mut fake_icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    fake_icc.extend_from_slice(b"FAKE-ICC-SECRET not a profile");
    fixtures.push(
        carrier(
            "jpeg APP2 ICC that is not a profile",
            &[app(2, &fake_icc)],
            &[b"FAKE-ICC-SECRET"],
        )
        .colour_dropped(),
    );
    let mut long_icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    long_icc.extend_from_slice(&icc_profile(400));
    long_icc.extend_from_slice(b"ICC-TAIL-SECRET");
    fixtures.push(
        carrier(
            "jpeg APP2 ICC with bytes past its size",
            &[app(2, &long_icc)],
            &[b"ICC-TAIL-SECRET"],
        )
        .colour_dropped(),
    );
    let profile = icc_profile(700);
    let (first, second) = profile.split_at(300);
    fixtures.push(carrier(
        "jpeg ICC profile in two APP2 segments (kept)",
        &[
            app(2, &concat(&[b"ICC_PROFILE\0\x01\x02", first])),
            app(2, &concat(&[b"ICC_PROFILE\0\x02\x02", second])),
        ],
        &[],
    ));
    // jpeg-encoder writes Adobe's segment for CMYK (transform 0) and YCCK (transform 2);
    // the transform decides how a decoder reads the components, so it must survive.
    for (name, colour, tail) in [
        (
            "jpeg CMYK with Adobe APP14 and a comment",
            jpeg_encoder::ColorType::Cmyk,
            b"CMYK-COMMENT-SECRET",
        ),
        (
            "jpeg YCCK with Adobe APP14 and a comment",
            jpeg_encoder::ColorType::CmykAsYcck,
            b"YCCK-COMMENT-SECRET",
        ),
    ] {
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 90)
            .encode(&gradient(16, 8, 4), 16, 8, colour)
            .expect("cmyk jpeg");
        assert!(
            out.windows(5).any(|w| w == b"Adobe"),
            "{name}: the encoder wrote APP14"
        );
        fixtures.push(Fixture::new(
            name,
            MIME,
            with_segments(out, &[segment(0xFE, tail)]),
            &[tail],
        ));
    }
    let mut trailing = base();
    trailing.extend_from_slice(b"TRAILING-BYTES-SECRET");
    fixtures.push(Fixture::new(
        "jpeg bytes after EOI",
        MIME,
        trailing,
        &[b"TRAILING-BYTES-SECRET"],
    ));
    let mut second = base();
    let mut appended = plain_jpeg(8, 8, false, None);
    appended.splice(2..2, segment(0xFE, b"SECOND-PICTURE-SECRET"));
    second.extend_from_slice(&appended);
    fixtures.push(Fixture::new(
        "jpeg a second picture after EOI",
        MIME,
        second,
        &[b"SECOND-PICTURE-SECRET"],
    ));
    let mut thumbnail = b"Exif\0\0".to_vec();
    thumbnail.extend_from_slice(&exif_with_thumbnail());
    fixtures.push(carrier(
        "jpeg EXIF with a thumbnail in IFD1",
        &[app(1, &thumbnail)],
        &[b"EXIF-THUMBNAIL-SECRET"],
    ));
    let mut orientation_1 = b"Exif\0\0".to_vec();
    orientation_1.extend_from_slice(&exif_orientation(1));
    fixtures.push(carrier(
        "jpeg EXIF orientation 1 (no EXIF left)",
        &[app(1, &orientation_1)],
        &[b"Exif", b"ORIENTATION-ONE-SECRET"],
    ));
    // Progressive: segments between scans are as legal as before the first.
    let mut progressive = plain_jpeg(40, 24, true, None);
    let between = nth_scan(&progressive, 2);
    progressive.splice(
        between..between,
        [
            segment(0xFE, b"BETWEEN-SCANS-COMMENT-SECRET"),
            app(1, b"http://ns.adobe.com/xap/1.0/\0BETWEEN-SCANS-XMP-SECRET"),
        ]
        .concat(),
    );
    fixtures.push(Fixture::new(
        "jpeg progressive with segments between scans",
        MIME,
        progressive,
        &[b"BETWEEN-SCANS-COMMENT-SECRET", b"BETWEEN-SCANS-XMP-SECRET"],
    ));
    fixtures.push(Fixture::new(
        "jpeg restart markers",
        MIME,
        with_segments(
            plain_jpeg(48, 32, false, Some(2)),
            &[segment(0xFE, b"RESTART-COMMENT-SECRET")],
        ),
        &[b"RESTART-COMMENT-SECRET"],
    ));
    fixtures.push(Fixture::new(
        "jpeg progressive with restart markers",
        MIME,
        plain_jpeg(48, 32, true, Some(1)),
        &[],
    ));
    fixtures
}

/// A TIFF block whose IFD0 holds Orientation 8 and whose IFD1 points at a JPEG thumbnail
/// (JPEGInterchangeFormat / Length), as cameras write it.
fn exif_with_thumbnail() -> Vec<u8> {
    let thumb = [
        &[0xFF, 0xD8, 0xFF, 0xFE, 0, 23][..],
        b"EXIF-THUMBNAIL-SECRET",
        &[0xFF, 0xD9],
    ]
    .concat();
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0 at 8: one entry, then the offset of IFD1 (8 + 2 + 12 + 4 = 26).
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0]);
    t.extend_from_slice(&26u32.to_be_bytes());
    // IFD1 at 26: two entries, no next IFD; the thumbnail follows at 26 + 2 + 24 + 4 = 56.
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x02, 0x01, 0, 4, 0, 0, 0, 1]);
    t.extend_from_slice(&56u32.to_be_bytes());
    t.extend_from_slice(&[0x02, 0x02, 0, 4, 0, 0, 0, 1]);
    t.extend_from_slice(&(thumb.len() as u32).to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(&thumb);
    t
}

/// A TIFF block with an orientation and an unrelated text tag.
fn exif_orientation(orientation: u16) -> Vec<u8> {
    let text = b"ORIENTATION-ONE-SECRET\0";
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&[0x01, 0x0E, 0, 2]);
    t.extend_from_slice(&(text.len() as u32).to_be_bytes());
    t.extend_from_slice(&(8u32 + 2 + 24 + 4).to_be_bytes());
    t.extend_from_slice(&0u32.to_be_bytes());
    t.extend_from_slice(text);
    t
}
