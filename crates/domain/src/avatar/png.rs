//! PNG, walked chunk by chunk. Kept byte for byte: IHDR, PLTE (palette images only, cut to
//! the entries the bit depth can index), tRNS, IDAT, the colour chunks (gAMA, cHRM, sRGB,
//! cICP, sBIT, mDCV, cLLI), APNG's acTL/fcTL/fdAT, and IEND. Rebuilt: iCCP, if it inflates
//! within 1 MiB to a well-formed profile, deflated afresh under a neutral name (its name is
//! free text), and eXIf with nothing but the orientation, when it turns
//! the picture (browsers apply it, and the crop view measures the turned picture). Everything
//! else — tEXt, zTXt, iTXt, the rest of eXIf, tIME, caBX, bKGD, pHYs, hIST, sPLT, private and
//! unknown chunks, bytes after IEND — is dropped.
//! Chunks are copied with their CRC; the small ones are checked and, like libpng does,
//! dropped when the CRC is wrong. IDAT and fdAT are not checked: that would cost as much
//! as everything else together, and a decoder checks them anyway.

use bytes::Bytes;

use super::frames::FrameBudget;
use super::orientation;
use super::pieces::Pieces;
use super::read::{be32, bytes, u8_at};
use super::{Rejection, Size, icc};

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const IEND_CHUNK: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];
/// What a rebuilt iCCP is called. The name is free text ("Photographed at…" would do).
const ICC_NAME: &[u8] = b"ICC profile";
const PALETTE: u8 = 3;

fn damaged(reason: &'static str) -> Rejection {
    Rejection::Damaged {
        format: "PNG",
        reason,
    }
}

fn truncated() -> Rejection {
    damaged("it ends before its IEND chunk")
}

/// One chunk: its place in the file and its data.
struct Chunk<'a> {
    kind: [u8; 4],
    /// From the length field through the CRC.
    start: usize,
    end: usize,
    data: &'a [u8],
    crc: u32,
}

impl Chunk<'_> {
    fn crc_ok(&self, file: &[u8]) -> bool {
        file.get(self.start + 4..self.end - 4)
            .is_some_and(|typed| crc32fast::hash(typed) == self.crc)
    }
}

fn chunk_at(data: &[u8], start: usize) -> Result<Chunk<'_>, Rejection> {
    let len = be32(data, start).ok_or_else(truncated)?;
    if len > 0x7FFF_FFFF {
        return Err(damaged("a chunk declares an impossible length"));
    }
    let kind: [u8; 4] = bytes(data, start + 4, 4)
        .ok_or_else(truncated)?
        .try_into()
        .map_err(|_| truncated())?;
    if !kind.iter().all(u8::is_ascii_alphabetic) {
        return Err(damaged("a chunk has an invalid type"));
    }
    let len = len as usize;
    let chunk_data = bytes(data, start + 8, len).ok_or_else(truncated)?;
    let crc = be32(data, start + 8 + len).ok_or_else(truncated)?;
    Ok(Chunk {
        kind,
        start,
        end: start + 12 + len,
        data: chunk_data,
        crc,
    })
}

/// IHDR's colour type and bit depth decide what the other chunks may hold.
struct Header {
    colour_type: u8,
    bit_depth: u8,
}

impl Header {
    fn parse(chunk: &Chunk<'_>) -> Result<Self, Rejection> {
        let bad = || damaged("its IHDR chunk is malformed");
        if &chunk.kind != b"IHDR" || chunk.data.len() != 13 {
            return Err(damaged("it does not start with an IHDR chunk"));
        }
        let bit_depth = u8_at(chunk.data, 8).ok_or_else(bad)?;
        let colour_type = u8_at(chunk.data, 9).ok_or_else(bad)?;
        let depths: &[u8] = match colour_type {
            0 => &[1, 2, 4, 8, 16],
            PALETTE => &[1, 2, 4, 8],
            2 | 4 | 6 => &[8, 16],
            _ => &[],
        };
        let methods = bytes(chunk.data, 10, 3).ok_or_else(bad)?;
        if !depths.contains(&bit_depth) || methods[..2] != [0, 0] || methods[2] > 1 {
            return Err(bad());
        }
        Ok(Self {
            colour_type,
            bit_depth,
        })
    }

    /// Exact data length of each fixed-size colour chunk; `None` if not on the list.
    fn colour_chunk_len(&self, kind: &[u8; 4]) -> Option<usize> {
        Some(match kind {
            b"gAMA" => 4,
            b"cHRM" => 32,
            b"sRGB" => 1,
            b"cICP" => 4,
            b"mDCV" => 24,
            b"cLLI" => 8,
            b"sBIT" => match self.colour_type {
                0 => 1,
                4 => 2,
                6 => 4,
                _ => 3,
            },
            _ => return None,
        })
    }

    fn transparency_len_ok(&self, len: usize, palette_entries: usize) -> bool {
        match self.colour_type {
            0 => len == 2,
            2 => len == 6,
            PALETTE => (1..=palette_entries).contains(&len),
            _ => false,
        }
    }
}

#[derive(Default)]
struct Seen {
    palette_entries: Option<usize>,
    image_data: bool,
    /// Another chunk came after the IDAT run: decoders ignore any later IDAT.
    image_data_ended: bool,
    icc: bool,
    exif: bool,
    animated: bool,
    /// fcTL and fdAT are numbered 0, 1, 2… across both kinds; a gap or a repeat means a
    /// frame is missing or foreign.
    next_sequence: u32,
    /// Colour chunks each count once; a repeat is ignored by decoders, so dropped here.
    colour: Vec<[u8; 4]>,
}

pub fn clean(source: &Bytes, size: Size) -> Result<Bytes, Rejection> {
    let data = source.as_ref();
    if bytes(data, 0, 8) != Some(SIGNATURE) {
        return Err(damaged("it has no PNG signature"));
    }
    let ihdr = chunk_at(data, 8)?;
    let header = Header::parse(&ihdr)?;
    let mut out = Pieces::new(source);
    out.keep(0..ihdr.end);
    let mut budget = FrameBudget::new(size.width, size.height);
    let mut seen = Seen::default();
    let mut at = ihdr.end;
    loop {
        let chunk = chunk_at(data, at)?;
        at = chunk.end;
        let before_image = !seen.image_data;
        seen.image_data_ended |= seen.image_data && &chunk.kind != b"IDAT";
        match &chunk.kind {
            b"IEND" => {
                if !seen.image_data {
                    return Err(damaged("it has no image data"));
                }
                out.push_or_keep(IEND_CHUNK.to_vec(), chunk.start..chunk.end);
                return Ok(out.finish());
            }
            b"IHDR" => return Err(damaged("it has a second IHDR chunk")),
            b"IDAT" if seen.image_data_ended => {}
            b"IDAT" => {
                if header.colour_type == PALETTE && seen.palette_entries.is_none() {
                    return Err(damaged("a palette image has no palette"));
                }
                seen.image_data = true;
                out.keep(chunk.start..chunk.end);
            }
            b"PLTE" => palette(&chunk, data, &header, &mut seen, &mut out)?,
            b"tRNS" => {
                let entries = seen.palette_entries.unwrap_or(0);
                if before_image
                    && header.transparency_len_ok(chunk.data.len(), entries)
                    && chunk.crc_ok(data)
                {
                    out.keep(chunk.start..chunk.end);
                }
            }
            // Colour chunks only count before the palette and the image data.
            b"iCCP" if before_image && seen.palette_entries.is_none() && !seen.icc => {
                if let Some(rebuilt) = icc_chunk(&chunk, data) {
                    seen.icc = true;
                    out.push_or_keep(rebuilt, chunk.start..chunk.end);
                }
            }
            // Decoders read one eXIf, before the image data.
            b"eXIf" if before_image && !seen.exif => {
                seen.exif = true;
                if let Some(rebuilt) = orientation_chunk(&chunk, data) {
                    out.push_or_keep(rebuilt, chunk.start..chunk.end);
                }
            }
            b"acTL" => {
                if seen.animated {
                    return Err(damaged("it has a second animation control chunk"));
                }
                animation_control(&chunk, data, before_image, &budget)?;
                seen.animated = true;
                out.keep(chunk.start..chunk.end);
            }
            b"fcTL" if seen.animated => {
                seen.sequence(&chunk)?;
                frame_control(&chunk, data, size, &mut budget)?;
                out.keep(chunk.start..chunk.end);
            }
            // Frame data in order after the default image; without acTL decoders skip it.
            b"fdAT" if seen.animated => {
                if before_image {
                    return Err(damaged("animation frames come before the image data"));
                }
                seen.sequence(&chunk)?;
                out.keep(chunk.start..chunk.end);
            }
            kind if header.colour_chunk_len(kind).is_some() => {
                let counts = before_image
                    && seen.palette_entries.is_none()
                    && !seen.colour.contains(kind)
                    && header.colour_chunk_len(kind) == Some(chunk.data.len())
                    && chunk.crc_ok(data);
                if counts {
                    seen.colour.push(*kind);
                    out.keep(chunk.start..chunk.end);
                }
            }
            // Bit 5 of the first letter: lower case is ancillary, safe to drop; an unknown
            // critical chunk is one no decoder can render past.
            kind if kind[0].is_ascii_uppercase() && !is_known_critical(kind) => {
                return Err(damaged("it has an unknown critical chunk"));
            }
            _ => {}
        }
    }
}

impl Seen {
    fn sequence(&mut self, chunk: &Chunk<'_>) -> Result<(), Rejection> {
        if be32(chunk.data, 0) != Some(self.next_sequence) {
            return Err(damaged("its animation chunks are out of sequence"));
        }
        self.next_sequence = self.next_sequence.saturating_add(1);
        Ok(())
    }
}

fn is_known_critical(kind: &[u8; 4]) -> bool {
    matches!(kind, b"IHDR" | b"PLTE" | b"IDAT" | b"IEND")
}

/// A palette image keeps its palette, cut to the entries its bit depth can index; a
/// true-colour image's palette is only a quantization hint and goes.
fn palette<'a>(
    chunk: &Chunk<'_>,
    data: &[u8],
    header: &Header,
    seen: &mut Seen,
    out: &mut Pieces<'a>,
) -> Result<(), Rejection> {
    if header.colour_type != PALETTE {
        // Colour chunks after it are out of place all the same.
        seen.palette_entries.get_or_insert(0);
        return Ok(());
    }
    if seen.palette_entries.is_some() || seen.image_data {
        return Err(damaged("its palette is out of place"));
    }
    let len = chunk.data.len();
    if len == 0 || !len.is_multiple_of(3) || len > 3 * 256 {
        return Err(damaged("its palette is malformed"));
    }
    if !chunk.crc_ok(data) {
        return Err(damaged("its palette fails its checksum"));
    }
    let usable = (len / 3).min(1 << header.bit_depth);
    seen.palette_entries = Some(usable);
    if usable * 3 == len {
        out.keep(chunk.start..chunk.end);
    } else {
        out.push(build_chunk(b"PLTE", &chunk.data[..usable * 3]));
    }
    Ok(())
}

/// iCCP: name, NUL, compression method 0, the deflated profile. Kept only if the profile
/// inflates within the bound to a well-formed one; it is then deflated afresh under a
/// neutral name, so what is published is exactly what was checked.
fn icc_chunk(chunk: &Chunk<'_>, data: &[u8]) -> Option<Vec<u8>> {
    let name_len = memchr::memchr(0, chunk.data)?;
    if !(1..=79).contains(&name_len) || !chunk.crc_ok(data) {
        return None;
    }
    let rest = chunk.data.get(name_len + 1..)?;
    let (&method, compressed) = rest.split_first()?;
    if method != 0 {
        return None;
    }
    let profile = icc::inflate_profile(compressed)?;
    let mut rebuilt = ICC_NAME.to_vec();
    rebuilt.extend_from_slice(&[0, 0]);
    rebuilt.extend_from_slice(&icc::deflate(&profile));
    Some(build_chunk(b"iCCP", &rebuilt))
}

/// eXIf rebuilt with the orientation alone, when it turns the picture (not 1).
fn orientation_chunk(chunk: &Chunk<'_>, data: &[u8]) -> Option<Vec<u8>> {
    if !chunk.crc_ok(data) {
        return None;
    }
    let turn = orientation::read(chunk.data).filter(|&o| o != 1)?;
    Some(build_chunk(b"eXIf", &orientation::only(turn)))
}

/// acTL: frame count and play count. Animation chunks a decoder would have to guess at are
/// refused rather than dropped: dropping them would publish a different picture.
fn animation_control(
    chunk: &Chunk<'_>,
    data: &[u8],
    before_image: bool,
    budget: &FrameBudget,
) -> Result<(), Rejection> {
    let frames = be32(chunk.data, 0).unwrap_or(0);
    if chunk.data.len() != 8 || frames == 0 || !before_image || !chunk.crc_ok(data) {
        return Err(damaged("its animation control chunk is malformed"));
    }
    budget.announced(u64::from(frames))
}

/// fcTL: sequence, size, offset, delay, dispose and blend operations; the frame must lie
/// on the canvas.
fn frame_control(
    chunk: &Chunk<'_>,
    data: &[u8],
    size: Size,
    budget: &mut FrameBudget,
) -> Result<(), Rejection> {
    let bad = || damaged("a frame control chunk is malformed");
    let field = |at: usize| be32(chunk.data, at).map(|v| v as usize).ok_or_else(bad);
    let (width, height, x, y) = (field(4)?, field(8)?, field(12)?, field(16)?);
    let ops_ok = u8_at(chunk.data, 24).is_some_and(|d| d <= 2)
        && u8_at(chunk.data, 25).is_some_and(|b| b <= 1);
    let on_canvas = width > 0
        && height > 0
        && x.checked_add(width).is_some_and(|r| r <= size.width)
        && y.checked_add(height).is_some_and(|b| b <= size.height);
    if chunk.data.len() != 26 || !ops_ok || !on_canvas || !chunk.crc_ok(data) {
        return Err(bad());
    }
    budget.frame(width, height)
}

fn build_chunk(kind: &[u8; 4], chunk_data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk_data.len() + 12);
    // Rebuilt chunks are a few bytes, a cut palette or a profile deflated from at most
    // 1 MiB, so the length fits.
    out.extend_from_slice(&(chunk_data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(chunk_data);
    let crc = crc32fast::hash(&out[4..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}
