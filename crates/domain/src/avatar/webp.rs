//! WebP, walked chunk by chunk inside its RIFF container. A simple file keeps its one VP8
//! or VP8L chunk. An extended file keeps VP8X (flags rebuilt to match what remains), ICCP
//! (if it is a well-formed profile), and either ALPH + VP8/VP8L (a still image) or ANIM +
//! ANMF frames, each frame rebuilt to hold only its ALPH and VP8/VP8L. Everything else —
//! EXIF, XMP, unknown chunks inside and outside frames, bytes past the RIFF size — is
//! dropped, and the RIFF size is written anew. img-parts would keep unknown chunks and
//! cannot look inside an ANMF frame.

use std::ops::Range;

use bytes::Bytes;

use super::frames::FrameBudget;
use super::pieces::Pieces;
use super::read::{bytes, le24, le32, u8_at};
use super::{Rejection, Size, icc};

const HEADER_LEN: usize = 12;
/// VP8X flag bits (the rest are reserved and written as zero).
const ICC_FLAG: u8 = 0x20;
const ALPHA_FLAG: u8 = 0x10;
const ANIMATION_FLAG: u8 = 0x02;
/// ANMF: offsets, size and duration (15 bytes) and one flags byte before the frame's chunks.
const FRAME_HEADER_LEN: usize = 16;
/// Of the ANMF flags byte, only blending and disposal mean something.
const FRAME_FLAGS: u8 = 0x03;

fn damaged(reason: &'static str) -> Rejection {
    Rejection::Damaged {
        format: "WebP",
        reason,
    }
}

fn truncated() -> Rejection {
    damaged("it ends inside a chunk")
}

#[derive(Clone)]
struct Chunk<'a> {
    id: [u8; 4],
    /// Header and data, without the padding byte.
    range: Range<usize>,
    data: &'a [u8],
    /// Where the next chunk starts.
    next: usize,
}

/// The chunk at `at`, which must end by `limit`. The padding byte of an odd-sized chunk
/// may be missing at the very end, as some writers leave it out.
fn chunk_at(data: &[u8], at: usize, limit: usize) -> Result<Chunk<'_>, Rejection> {
    let id: [u8; 4] = bytes(data, at, 4)
        .and_then(|id| id.try_into().ok())
        .ok_or_else(truncated)?;
    let len = le32(data, at + 4).ok_or_else(truncated)? as usize;
    let end = (at + 8).checked_add(len).ok_or_else(truncated)?;
    if end > limit {
        return Err(truncated());
    }
    let chunk_data = data.get(at + 8..end).ok_or_else(truncated)?;
    Ok(Chunk {
        id,
        range: at..end,
        data: chunk_data,
        next: (end + (len & 1)).min(limit),
    })
}

/// Writes a chunk as it was, with a zero padding byte if its size is odd.
fn keep_chunk(out: &mut Pieces<'_>, chunk: &Chunk<'_>) {
    out.keep(chunk.range.clone());
    if chunk.data.len() % 2 == 1 {
        out.push_or_keep(vec![0], chunk.range.end..chunk.range.end + 1);
    }
}

fn build_chunk(id: &[u8; 4], chunk_data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk_data.len() + 9);
    out.extend_from_slice(id);
    // Rebuilt chunks are never larger than the ones they replace.
    out.extend_from_slice(&(chunk_data.len() as u32).to_le_bytes());
    out.extend_from_slice(chunk_data);
    if chunk_data.len() % 2 == 1 {
        out.push(0);
    }
    out
}

pub fn clean(source: &Bytes, size: Size) -> Result<Bytes, Rejection> {
    let data = source.as_ref();
    if bytes(data, 0, 4) != Some(b"RIFF") || bytes(data, 8, 4) != Some(b"WEBP") {
        return Err(damaged("it has no RIFF WEBP header"));
    }
    let riff_len = le32(data, 4).ok_or_else(truncated)? as usize;
    // Whatever follows the RIFF chunk is not part of the image.
    let limit = riff_len.checked_add(8).ok_or_else(truncated)?;
    if limit > data.len() || limit < HEADER_LEN {
        return Err(damaged("it is shorter than its RIFF header says"));
    }
    let first = chunk_at(data, HEADER_LEN, limit)?;
    let mut body = Pieces::new(source);
    match &first.id {
        b"VP8 " | b"VP8L" => {
            check_bitstream(&first)?;
            keep_chunk(&mut body, &first);
        }
        b"VP8X" => extended(source, &first, limit, size, &mut body)?,
        _ => return Err(damaged("it starts with an unknown chunk")),
    }
    let mut header = b"RIFF".to_vec();
    // The body is at most the upload, which is far below 4 GiB.
    header.extend_from_slice(&((4 + body.len()) as u32).to_le_bytes());
    header.extend_from_slice(b"WEBP");
    let mut out = Pieces::new(source);
    out.push_or_keep(header, 0..HEADER_LEN);
    out.append(body);
    Ok(out.finish())
}

/// The start of the bitstream says what it is: a VP8 key frame's start code, or the
/// lossless signature byte; either must hold its header up to the picture's size, which
/// is where the size of a simple file is read from.
fn check_bitstream(chunk: &Chunk<'_>) -> Result<(), Rejection> {
    let ok = match &chunk.id {
        b"VP8 " => {
            u8_at(chunk.data, 0).is_some_and(|tag| tag & 1 == 0)
                && bytes(chunk.data, 3, 3) == Some(&[0x9D, 0x01, 0x2A])
                && chunk.data.len() >= 10
        }
        _ => u8_at(chunk.data, 0) == Some(0x2F) && chunk.data.len() >= 5,
    };
    if ok {
        Ok(())
    } else {
        Err(damaged("its image data has no valid signature"))
    }
}

fn extended(
    source: &Bytes,
    vp8x: &Chunk<'_>,
    limit: usize,
    size: Size,
    out: &mut Pieces<'_>,
) -> Result<(), Rejection> {
    let data = source.as_ref();
    let flags = match vp8x.data {
        [flags, _, _, _, _, _, _, _, _, _] => *flags,
        _ => return Err(damaged("its VP8X chunk is malformed")),
    };
    let animated = flags & ANIMATION_FLAG != 0;
    let mut icc: Option<Chunk<'_>> = None;
    let mut rest = Pieces::new(source);
    let mut image = false;
    let mut anim = false;
    let mut alpha: Option<Chunk<'_>> = None;
    let mut budget = FrameBudget::new(size.width, size.height);
    let mut at = vp8x.next;
    // The alpha flag, recomputed for a still lossy image from whether ALPH survives.
    let mut alpha_flag = flags & ALPHA_FLAG;
    while at < limit {
        let chunk = chunk_at(data, at, limit)?;
        at = chunk.next;
        match (&chunk.id, animated) {
            // The profile counts only where the flag says so, ahead of the image data.
            (b"ICCP", _)
                if flags & ICC_FLAG != 0
                    && icc.is_none()
                    && !image
                    && !anim
                    && icc::is_profile(chunk.data, chunk.data.len()) =>
            {
                icc = Some(chunk);
            }
            (b"ANIM", true) if !anim => {
                if chunk.data.len() != 6 {
                    return Err(damaged("its animation chunk is malformed"));
                }
                anim = true;
                keep_chunk(&mut rest, &chunk);
            }
            (b"ANMF", true) => {
                if !anim {
                    return Err(damaged("an animation frame comes before the ANIM chunk"));
                }
                let frame = frame(data, &chunk, size, &mut budget)?;
                rest.push_or_keep(frame, chunk.range.start..chunk.next);
                image = true;
            }
            // A second image or alpha chunk in a still file: decoders disagree on which
            // one counts (libwebp reads them in order, image-webp takes the first of
            // each kind wherever it is), so the picture would depend on who shows it.
            (b"ALPH" | b"VP8 " | b"VP8L", false) if image => {
                return Err(damaged("it holds more than one image"));
            }
            (b"ALPH", false) if alpha.is_some() => {
                return Err(damaged("it holds more than one alpha channel"));
            }
            (b"ALPH", false) => alpha = Some(chunk),
            (b"VP8 " | b"VP8L", false) => {
                check_bitstream(&chunk)?;
                // Alpha belongs to lossy data; lossless carries its own.
                if &chunk.id == b"VP8 " {
                    alpha_flag = alpha.as_ref().map_or(0, |_| ALPHA_FLAG);
                    if let Some(alpha) = &alpha {
                        keep_chunk(&mut rest, alpha);
                    }
                }
                keep_chunk(&mut rest, &chunk);
                image = true;
            }
            _ => {}
        }
    }
    if !image {
        return Err(damaged("it has no image data"));
    }
    let mut vp8x_data = vp8x.data.to_vec();
    vp8x_data[0] = flags & ANIMATION_FLAG | alpha_flag | icc.as_ref().map_or(0, |_| ICC_FLAG);
    vp8x_data[1..4].fill(0);
    out.push_or_keep(
        build_chunk(b"VP8X", &vp8x_data),
        vp8x.range.start..vp8x.next,
    );
    if let Some(icc) = &icc {
        keep_chunk(out, icc);
    }
    out.append(rest);
    Ok(())
}

/// An ANMF chunk rebuilt: its header with reserved bits cleared, then its ALPH (for lossy
/// data) and its one VP8/VP8L chunk; unknown chunks inside the frame are dropped. The frame
/// must lie on the canvas.
fn frame(
    data: &[u8],
    anmf: &Chunk<'_>,
    size: Size,
    budget: &mut FrameBudget,
) -> Result<Vec<u8>, Rejection> {
    let bad = || damaged("an animation frame is malformed");
    let header = bytes(anmf.data, 0, FRAME_HEADER_LEN).ok_or_else(bad)?;
    let field = |at: usize| le24(header, at).map(|v| v as usize).ok_or_else(bad);
    let (x, y) = (2 * field(0)?, 2 * field(3)?);
    let (width, height) = (field(6)? + 1, field(9)? + 1);
    if x + width > size.width || y + height > size.height {
        return Err(damaged("an animation frame lies outside the canvas"));
    }
    budget.frame(width, height)?;
    let mut frame = header.to_vec();
    frame[15] &= FRAME_FLAGS;
    let start = anmf.range.start + 8 + FRAME_HEADER_LEN;
    let mut alpha: Option<Chunk<'_>> = None;
    let mut image: Option<Chunk<'_>> = None;
    let mut at = start;
    while at < anmf.range.end && image.is_none() {
        let chunk = chunk_at(data, at, anmf.range.end)?;
        at = chunk.next;
        match &chunk.id {
            b"ALPH" if alpha.is_none() => alpha = Some(chunk),
            b"VP8 " | b"VP8L" => {
                check_bitstream(&chunk)?;
                image = Some(chunk);
            }
            _ => {}
        }
    }
    let image = image.ok_or_else(bad)?;
    for chunk in [alpha.filter(|_| &image.id == b"VP8 "), Some(image)]
        .iter()
        .flatten()
    {
        let mut built = data.get(chunk.range.clone()).ok_or_else(bad)?.to_vec();
        if chunk.data.len() % 2 == 1 {
            built.push(0);
        }
        frame.extend_from_slice(&built);
    }
    Ok(build_chunk(b"ANMF", &frame))
}
