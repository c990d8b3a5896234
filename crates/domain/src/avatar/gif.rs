//! GIF, walked block by block (img-parts has no GIF support). Kept byte for byte: the
//! header, the logical screen descriptor and global colour table, every image (descriptor,
//! local colour table, LZW data), graphic control extensions (exactly their one four-byte
//! block), and the trailer. Rebuilt: NETSCAPE2.0 / ANIMEXTS1.0 loop extensions (the
//! loop count alone). Kept after a check: an ICCRGBG1012 extension holding exactly one
//! well-formed ICC profile. Everything else — comments, plain-text extensions, other
//! application extensions (XMP, editors' private data), unknown extensions, extra
//! sub-blocks, bytes after the trailer — is dropped.

use bytes::Bytes;

use super::frames::FrameBudget;
use super::pieces::Pieces;
use super::read::{bytes, le16, u8_at};
use super::{MAX_SIDE_PX, Rejection, Size, icc};

const EXTENSION: u8 = 0x21;
const IMAGE: u8 = 0x2C;
const TRAILER: u8 = 0x3B;
const GRAPHIC_CONTROL: u8 = 0xF9;
const APPLICATION: u8 = 0xFF;

/// Application extensions that control looping, the only ones a renderer reads.
const LOOP_APPLICATIONS: [&[u8; 11]; 2] = [b"NETSCAPE2.0", b"ANIMEXTS1.0"];
/// The application extension that carries an ICC profile in its sub-blocks.
const ICC_APPLICATION: &[u8; 11] = b"ICCRGBG1012";
/// Their loop sub-block: id 1, then the loop count.
const LOOP_SUB_BLOCK_ID: u8 = 1;
/// LZW code sizes decoders accept.
const MAX_LZW_CODE_SIZE: u8 = 11;

fn damaged(reason: &'static str) -> Rejection {
    Rejection::Damaged {
        format: "GIF",
        reason,
    }
}

fn truncated() -> Rejection {
    damaged("it ends before its trailer")
}

pub fn clean(source: &Bytes, size: Size) -> Result<Bytes, Rejection> {
    let data = source.as_ref();
    // Header (6) + logical screen descriptor (7) + optional global colour table.
    let flags = u8_at(data, 10).ok_or_else(truncated)?;
    let mut i = 13 + colour_table_len(flags);
    if i > data.len() {
        return Err(truncated());
    }
    let mut out = Pieces::new(source);
    out.keep(0..i);
    let mut budget = FrameBudget::new(size.width, size.height);
    loop {
        match u8_at(data, i).ok_or_else(truncated)? {
            TRAILER => {
                out.keep(i..i + 1);
                return Ok(out.finish());
            }
            EXTENSION => {
                let label = u8_at(data, i + 1).ok_or_else(truncated)?;
                let end = skip_sub_blocks(data, i + 2)?;
                let rebuilt = match label {
                    GRAPHIC_CONTROL => Some(graphic_control(data, i, end)?),
                    APPLICATION if is_icc_profile(data, i + 2, end) => {
                        data.get(i..end).map(<[u8]>::to_vec)
                    }
                    APPLICATION => loop_extension(data, i + 2, end),
                    _ => None,
                };
                if let Some(rebuilt) = rebuilt {
                    out.push_or_keep(rebuilt, i..end);
                }
                i = end;
            }
            IMAGE => {
                let end = image(data, i, &mut budget)?;
                out.keep(i..end);
                i = end;
            }
            _ => return Err(damaged("it has an unknown block")),
        }
    }
}

/// Index just past an image: descriptor, local colour table, LZW data.
fn image(data: &[u8], i: usize, budget: &mut FrameBudget) -> Result<usize, Rejection> {
    let side = |at: usize| le16(data, at).map(usize::from).ok_or_else(truncated);
    let (width, height) = (side(i + 5)?, side(i + 7)?);
    // Each frame declares its own size; the screen size alone bounds nothing.
    if width > MAX_SIDE_PX || height > MAX_SIDE_PX {
        return Err(Rejection::FrameTooLarge { width, height });
    }
    budget.frame(width, height)?;
    let flags = u8_at(data, i + 9).ok_or_else(truncated)?;
    // Descriptor (10) + local colour table, then the LZW minimum code size.
    let code_size_at = i + 10 + colour_table_len(flags);
    let code_size = u8_at(data, code_size_at).ok_or_else(truncated)?;
    if code_size > MAX_LZW_CODE_SIZE {
        return Err(damaged("an image has an impossible LZW code size"));
    }
    skip_sub_blocks(data, code_size_at + 1)
}

/// A graphic control extension holds one four-byte block: disposal, delay, transparency.
/// Decoders disagree on more blocks (browsers read the first, the `gif` crate the last), so
/// such a file would show different timing and transparency in different places: refused.
fn graphic_control(data: &[u8], i: usize, end: usize) -> Result<Vec<u8>, Rejection> {
    // Label, block size 4, four bytes, terminator.
    if u8_at(data, i + 2) != Some(4) || end != i + 8 {
        return Err(damaged("a graphic control extension is malformed"));
    }
    let block = bytes(data, i + 3, 4).ok_or_else(truncated)?;
    let mut rebuilt = vec![EXTENSION, GRAPHIC_CONTROL, 4];
    rebuilt.extend_from_slice(block);
    rebuilt.push(0);
    Ok(rebuilt)
}

/// A NETSCAPE2.0 or ANIMEXTS1.0 extension reduced to its loop-count sub-block; `None`
/// for every other application extension, or one without a loop count.
fn loop_extension(data: &[u8], first_block: usize, end: usize) -> Option<Vec<u8>> {
    if u8_at(data, first_block)? != 11 {
        return None;
    }
    let id = bytes(data, first_block + 1, 11)?;
    if !LOOP_APPLICATIONS.iter().any(|k| k.as_slice() == id) {
        return None;
    }
    let mut at = first_block + 12;
    while at < end {
        let len = usize::from(u8_at(data, at)?);
        if len == 3 && u8_at(data, at + 1)? == LOOP_SUB_BLOCK_ID {
            let mut rebuilt = vec![EXTENSION, APPLICATION, 11];
            rebuilt.extend_from_slice(id);
            rebuilt.push(3);
            rebuilt.extend_from_slice(bytes(data, at + 1, 3)?);
            rebuilt.push(0);
            return Some(rebuilt);
        }
        at += 1 + len;
    }
    None
}

/// Is this an ICCRGBG1012 extension whose sub-blocks join into one ICC profile?
fn is_icc_profile(data: &[u8], first_block: usize, end: usize) -> bool {
    if u8_at(data, first_block) != Some(11)
        || bytes(data, first_block + 1, 11) != Some(ICC_APPLICATION.as_slice())
    {
        return false;
    }
    let mut profile = Vec::new();
    let mut at = first_block + 12;
    while at < end {
        let len = usize::from(u8_at(data, at).unwrap_or(0));
        profile.extend_from_slice(bytes(data, at + 1, len).unwrap_or_default());
        if profile.len() > icc::MAX_PROFILE_LEN {
            return false;
        }
        at += 1 + len;
    }
    icc::is_profile(&profile, profile.len())
}

fn colour_table_len(flags: u8) -> usize {
    if flags & 0x80 != 0 {
        3 * (1 << ((flags & 0x07) + 1))
    } else {
        0
    }
}

/// Index just past a run of data sub-blocks and its zero terminator.
fn skip_sub_blocks(data: &[u8], mut i: usize) -> Result<usize, Rejection> {
    loop {
        let len = usize::from(u8_at(data, i).ok_or_else(truncated)?);
        i += 1;
        if len == 0 {
            return Ok(i);
        }
        i += len;
    }
}
