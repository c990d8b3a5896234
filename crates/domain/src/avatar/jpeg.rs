//! JPEG, walked marker by marker. Kept byte for byte: the frame header (SOFn), the tables
//! (DQT, DHT, DAC, DRI, DNL, and DHP/EXP of hierarchical files), every scan header (SOS)
//! with its entropy-coded data and restart markers, up to and including EOI. Rebuilt: JFIF
//! (without thumbnail or density), Adobe's colour transform, the EXIF orientation alone.
//! Kept after a check: an ICC profile split over APP2 segments. Everything else — other
//! APPn (XMP, IPTC, MPF, JFXX thumbnails, C2PA/JUMBF, maker data), COM, unknown markers,
//! bytes after EOI — is dropped. img-parts cannot do this: it keeps everything after the
//! first scan as one opaque blob, and it would keep unknown segments.

use std::ops::Range;

use bytes::Bytes;

use super::pieces::Pieces;
use super::read::{be16, bytes, u8_at};
use super::{MAX_SIDE_PX, Rejection, icc, orientation};

const SOF_FIRST: u8 = 0xC0;
const SOF_LAST: u8 = 0xCF;
const DHT: u8 = 0xC4;
const JPG: u8 = 0xC8;
const DAC: u8 = 0xCC;
const RST0: u8 = 0xD0;
const RST7: u8 = 0xD7;
const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const DQT: u8 = 0xDB;
const DNL: u8 = 0xDC;
const DRI: u8 = 0xDD;
const DHP: u8 = 0xDE;
const EXP: u8 = 0xDF;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const TEM: u8 = 0x01;

const JFIF: &[u8] = b"JFIF\0";
const EXIF: &[u8] = b"Exif\0\0";
const ICC: &[u8] = b"ICC_PROFILE\0";
const ADOBE: &[u8] = b"Adobe";

/// JFIF 1.01, square pixels, no thumbnail. Kept only where the upload had JFIF: it tells a
/// decoder the three components are YCbCr, which it might otherwise guess from their ids.
const JFIF_SEGMENT: [u8; 18] = [
    0xFF, APP0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
];

fn damaged(reason: &'static str) -> Rejection {
    Rejection::Damaged {
        format: "JPEG",
        reason,
    }
}

fn truncated() -> Rejection {
    damaged("it ends before its end-of-image marker")
}

/// What the dropped APPn segments said that rendering needs.
#[derive(Default)]
struct Rendering {
    jfif: bool,
    exif_seen: bool,
    orientation: Option<u16>,
    /// Adobe's colour transform; as in libjpeg, the last Adobe segment wins.
    adobe_transform: Option<u8>,
    /// Whole APP2 segments that claim to hold a part of an ICC profile.
    icc_parts: Vec<Range<usize>>,
}

pub fn clean(source: &Bytes) -> Result<Bytes, Rejection> {
    let data = source.as_ref();
    if bytes(data, 0, 2) != Some(&[0xFF, SOI]) {
        return Err(damaged("it does not start with a start-of-image marker"));
    }
    let mut rendering = Rendering::default();
    let mut body = Pieces::new(source);
    let mut seen_frame = false;
    let mut seen_scan = false;
    let mut i = 2;
    loop {
        if u8_at(data, i).ok_or_else(truncated)? != 0xFF {
            // Stray bytes between segments: libjpeg and jpeg-decoder skip to the next
            // marker, and so does this walk, without keeping them.
            let rest = data.get(i..).ok_or_else(truncated)?;
            i += memchr::memchr(0xFF, rest).ok_or_else(truncated)?;
            continue;
        }
        // Any number of 0xFF may pad the space before a marker.
        let mut marker = u8_at(data, i + 1).ok_or_else(truncated)?;
        while marker == 0xFF {
            i += 1;
            marker = u8_at(data, i + 1).ok_or_else(truncated)?;
        }
        match marker {
            EOI if seen_scan => {
                body.keep(i..i + 2);
                break;
            }
            EOI => return Err(damaged("it has no image data")),
            SOI => return Err(damaged("it has a second start-of-image marker")),
            // Stray markers without a length carry nothing a decoder uses outside a scan.
            RST0..=RST7 | TEM => {
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = be16(data, i + 2).ok_or_else(truncated)? as usize;
        if len < 2 {
            return Err(damaged("a segment declares an impossible length"));
        }
        let end = i + 2 + len;
        let payload = bytes(data, i + 4, len - 2).ok_or_else(truncated)?;
        match marker {
            APP0 | APP1 | APP2 | APP14 => rendering.note(marker, payload, i..end),
            SOS => {
                if !seen_frame {
                    return Err(damaged("a scan comes before its frame header"));
                }
                check_scan_header(payload)?;
                seen_scan = true;
                let scan_end = entropy_end(data, end)?;
                body.keep(i..scan_end);
                i = scan_end;
                continue;
            }
            DQT => {
                check_quantization_tables(payload)?;
                body.keep(i..end);
            }
            DHT => {
                check_huffman_tables(payload)?;
                body.keep(i..end);
            }
            DAC if payload.len().is_multiple_of(2) => body.keep(i..end),
            DRI | DNL if payload.len() == 2 => body.keep(i..end),
            EXP if payload.len() == 1 => body.keep(i..end),
            DHP => {
                check_frame_header(payload)?;
                body.keep(i..end);
            }
            SOF_FIRST..=SOF_LAST if marker != DHT && marker != JPG && marker != DAC => {
                check_frame_header(payload)?;
                seen_frame = true;
                body.keep(i..end);
            }
            DAC | DRI | DNL | EXP => return Err(damaged("a table segment is malformed")),
            // Every other APPn, COM, JPGn and reserved markers: not on the list.
            _ => {}
        }
        i = end;
    }
    let mut out = Pieces::new(source);
    out.keep(0..2);
    rendering.write(&mut out, data);
    out.append(body);
    Ok(out.finish())
}

impl Rendering {
    /// Reads what rendering needs from an APPn segment that is itself dropped.
    fn note(&mut self, marker: u8, payload: &[u8], segment: Range<usize>) {
        match marker {
            // JFXX (thumbnails) and other APP0 are not JFIF.
            APP0 if payload.starts_with(JFIF) && payload.len() >= 14 => self.jfif = true,
            // Only the first EXIF block counts, as in browsers.
            APP1 if payload.starts_with(EXIF) && !self.exif_seen => {
                self.exif_seen = true;
                self.orientation = payload.get(EXIF.len()..).and_then(orientation::read);
            }
            APP2 if payload.starts_with(ICC) => self.icc_parts.push(segment),
            APP14 if payload.starts_with(ADOBE) && payload.len() >= 12 => {
                self.adobe_transform = payload.get(11).copied();
            }
            _ => {}
        }
    }

    fn write(&self, out: &mut Pieces<'_>, data: &[u8]) {
        if self.jfif {
            out.push(JFIF_SEGMENT.to_vec());
        }
        if let Some(orientation) = self.orientation.filter(|&o| o != 1) {
            let mut payload = EXIF.to_vec();
            payload.extend_from_slice(&orientation::only(orientation));
            out.push(segment(APP1, &payload));
        }
        for part in icc_profile(&self.icc_parts, data).unwrap_or_default() {
            out.keep(part);
        }
        if let Some(transform) = self.adobe_transform {
            // Version 100, no flags: only the transform means anything to a decoder.
            let payload = [b'A', b'd', b'o', b'b', b'e', 0, 100, 0, 0, 0, 0, transform];
            out.push(segment(APP14, &payload));
        }
    }
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    // Payloads built here are a few dozen bytes.
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The APP2 segments of an ICC profile in sequence order, if they form one: numbered
/// 1..=n without gaps or repeats, all saying n, and together one well-formed profile. A
/// broken profile is ignored by decoders (libjpeg's `jpeg_read_icc_profile` refuses it),
/// so it is dropped whole.
fn icc_profile(parts: &[Range<usize>], data: &[u8]) -> Option<Vec<Range<usize>>> {
    // An APP2 segment: FF E2, length (2), "ICC_PROFILE\0", sequence number, count, data.
    const DATA_AT: usize = 4 + 12 + 2;
    let count = parts.len();
    if count == 0 || count > 255 {
        return None;
    }
    let mut ordered: Vec<Option<Range<usize>>> = vec![None; count];
    for part in parts {
        if part.len() < DATA_AT {
            return None;
        }
        let seq = usize::from(u8_at(data, part.start + 4 + 12)?);
        let declared = usize::from(u8_at(data, part.start + 4 + 13)?);
        let slot = ordered.get_mut(seq.checked_sub(1)?)?;
        if declared != count || slot.is_some() {
            return None;
        }
        *slot = Some(part.clone());
    }
    let ordered: Vec<Range<usize>> = ordered.into_iter().collect::<Option<_>>()?;
    let total: usize = ordered
        .iter()
        .map(|p| p.len().saturating_sub(DATA_AT))
        .sum();
    let first = ordered.first()?;
    let header = data.get(first.start + DATA_AT..first.end)?;
    icc::is_profile(header, total).then_some(ordered)
}

/// Index of the marker that ends the entropy-coded data starting at `start`. Inside it,
/// 0xFF is followed by a stuffed 0x00, a restart marker, or more 0xFF fill; anything else
/// is the next marker. Entropy data is most of the file, so one `memchr` iterator jumps
/// from 0xFF to 0xFF instead of looking at every byte.
fn entropy_end(data: &[u8], start: usize) -> Result<usize, Rejection> {
    let rest = data.get(start..).ok_or_else(truncated)?;
    for at in memchr::memchr_iter(0xFF, rest) {
        match u8_at(rest, at + 1).ok_or_else(truncated)? {
            // Fill: the iterator finds the next 0xFF itself.
            0x00 | RST0..=RST7 | 0xFF => {}
            _ => return Ok(start + at),
        }
    }
    Err(truncated())
}

/// SOFn and DHP: precision, height, width, and three bytes per component.
fn check_frame_header(payload: &[u8]) -> Result<(), Rejection> {
    let components = usize::from(u8_at(payload, 5).unwrap_or(0));
    if components == 0 || payload.len() != 6 + 3 * components {
        return Err(damaged("its frame header is malformed"));
    }
    let height = be16(payload, 1).unwrap_or(0) as usize;
    let width = be16(payload, 3).unwrap_or(0) as usize;
    // A later frame header must obey the same limits as the one the dimensions came from.
    if width > MAX_SIDE_PX || height > MAX_SIDE_PX {
        return Err(Rejection::BadDimensions { width, height });
    }
    Ok(())
}

fn check_scan_header(payload: &[u8]) -> Result<(), Rejection> {
    let components = usize::from(u8_at(payload, 0).unwrap_or(0));
    if !(1..=4).contains(&components) || payload.len() != 1 + 2 * components + 3 {
        return Err(damaged("a scan header is malformed"));
    }
    Ok(())
}

/// A run of tables, each a precision/id byte and 64 one- or two-byte values, filling the
/// segment exactly: there is no room left for anything else.
fn check_quantization_tables(payload: &[u8]) -> Result<(), Rejection> {
    let mut at = 0;
    while at < payload.len() {
        let precision = payload[at] >> 4;
        if precision > 1 || payload[at] & 0x0F > 3 {
            return Err(damaged("a quantization table is malformed"));
        }
        at += 1 + 64 * (1 + usize::from(precision));
    }
    if at != payload.len() || payload.is_empty() {
        return Err(damaged("a quantization table is malformed"));
    }
    Ok(())
}

/// A run of tables, each a class/id byte, 16 code counts and that many symbols, filling
/// the segment exactly.
fn check_huffman_tables(payload: &[u8]) -> Result<(), Rejection> {
    let malformed = || damaged("a Huffman table is malformed");
    let mut at = 0;
    while at < payload.len() {
        let class_id = payload[at];
        if class_id >> 4 > 1 || class_id & 0x0F > 3 {
            return Err(malformed());
        }
        let counts = bytes(payload, at + 1, 16).ok_or_else(malformed)?;
        let symbols: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if symbols > 256 {
            return Err(malformed());
        }
        at += 17 + symbols;
    }
    if at != payload.len() || payload.is_empty() {
        return Err(malformed());
    }
    Ok(())
}
