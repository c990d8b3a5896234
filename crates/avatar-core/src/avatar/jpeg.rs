use bytes::Bytes;
use img_parts::ImageEXIF;
use img_parts::jpeg::{Jpeg, markers};

const ICC_PREFIX: &[u8] = b"ICC_PROFILE\0";

/// Keeps only what decoding and display need: JFIF (APP0), the ICC profile (APP2), Adobe's
/// colour transform (APP14) and, rebuilt on its own, the EXIF orientation. Drops the rest
/// of EXIF and XMP (APP1), MPF, IPTC and other APPn, and comments.
pub fn strip(bytes: Bytes) -> Option<Bytes> {
    let mut jpeg = Jpeg::from_bytes(bytes).ok()?;
    let orientation = jpeg.exif().and_then(|tiff| super::orientation::read(&tiff));
    jpeg.set_exif(None);
    jpeg.segments_mut().retain(|s| match s.marker() {
        // APP0 may also be a JFXX thumbnail: a small copy of the uncropped original.
        markers::APP0 => s.contents().starts_with(b"JFIF\0"),
        markers::APP14 => true,
        markers::APP2 => s.contents().starts_with(ICC_PREFIX),
        m if (markers::APP1..=markers::APP15).contains(&m) => false,
        markers::COM => false,
        _ => true,
    });
    if let Some(orientation) = orientation.filter(|&o| o != 1) {
        jpeg.set_exif(Some(Bytes::from(super::orientation::only(orientation))));
    }
    let encoded = jpeg.encoder().bytes();
    // No end of image found means a truncated or crafted file: refuse it rather than
    // publish whatever follows.
    after_first_scan_cleaned(&encoded).map(Bytes::from)
}

/// Metadata segments: every APPn and comments.
fn is_metadata(marker: u8) -> bool {
    (markers::APP0..=markers::APP15).contains(&marker) || marker == markers::COM
}

/// img-parts keeps everything after the first scan as opaque entropy data, so segments
/// between the scans of a progressive JPEG and bytes after EOI (a second image, a zip,
/// text) would survive. Walks that part: drops metadata segments, stops at EOI.
fn after_first_scan_cleaned(data: &[u8]) -> Option<Vec<u8>> {
    let mut i = 2; // after SOI
    // Marker segments up to the first scan.
    loop {
        if *data.get(i)? != 0xFF {
            return None;
        }
        let marker = *data.get(i + 1)?;
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]) as usize;
        i += 2 + len;
        if marker == markers::SOS {
            break;
        }
    }
    // Entropy-coded data: 0xFF is followed by a stuffed 0x00 or a restart marker;
    // anything else is a marker (more tables and scans in a progressive JPEG, or EOI).
    let mut out = Vec::with_capacity(data.len());
    let mut kept_from = 0;
    while i + 1 < data.len() {
        if data[i] != 0xFF {
            // Entropy data is most of the file: jump to the next 0xFF.
            match memchr::memchr(0xFF, &data[i..]) {
                Some(offset) => i += offset,
                None => break,
            }
            continue;
        }
        match data[i + 1] {
            0x00 | 0xFF | markers::RST0..=markers::RST7 => i += 1,
            markers::EOI => {
                out.extend_from_slice(&data[kept_from..i + 2]);
                return Some(out);
            }
            marker => {
                let len = u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]) as usize;
                let end = i + 2 + len;
                if is_metadata(marker) {
                    out.extend_from_slice(&data[kept_from..i]);
                    kept_from = end;
                }
                i = end;
            }
        }
    }
    None
}
