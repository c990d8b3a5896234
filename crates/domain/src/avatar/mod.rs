//! Verifying an upload and keeping only what rendering it needs, without re-encoding.
//!
//! Each format is walked block by block and cleaned by allow-list: a block is kept because
//! it is on its format's keep-list and is what it says it is, never because it was not
//! recognised. What is kept is copied byte for byte (image data included), so the clean
//! file decodes to the same pixels. docs/design.md ("Cleaning by allow-list") has the lists.

mod frames;
mod gif;
mod icc;
mod jpeg;
mod orientation;
mod pieces;
mod png;
mod read;
mod rejection;
mod webp;

use bytes::Bytes;

use crate::values::ContentType;

pub use rejection::Rejection;

/// Larger sides are refused: an avatar never needs them, and a decoder would pay for them.
pub const MAX_SIDE_PX: usize = 4096;

/// Decoded pixels of all frames of an animation together (64 Mi, four full-size stills):
/// 256 frames of 512×512, or 1024 of 256×256. Decoding that much is already a few hundred
/// MiB of work for whoever renders it.
pub const MAX_DECODED_PIXELS: u64 = 64 * 1024 * 1024;

/// A verified image with everything but what rendering needs removed.
#[derive(Debug, Clone)]
pub struct CleanImage {
    pub bytes: Bytes,
    pub width: usize,
    pub height: usize,
}

/// The size the header declares, checked against [`MAX_SIDE_PX`].
#[derive(Debug, Clone, Copy)]
struct Size {
    width: usize,
    height: usize,
}

/// Checks the bytes are the promised type with sane dimensions, then keeps only what the
/// format's keep-list names: image data, palette and transparency, colour information,
/// animation control and a JPEG's orientation. Malformed structure is refused.
pub fn verify_and_clean(bytes: Bytes, expected: ContentType) -> Result<CleanImage, Rejection> {
    if bytes.is_empty() {
        return Err(Rejection::Empty);
    }
    let sniffed = infer::get(&bytes).map(|t| t.mime_type());
    if sniffed != Some(expected.mime()) {
        return Err(Rejection::WrongType {
            expected,
            found: sniffed.map(str::to_string),
        });
    }
    let size = imagesize::blob_size(&bytes).map_err(|_| Rejection::Unreadable)?;
    let (width, height) = (size.width, size.height);
    if !(1..=MAX_SIDE_PX).contains(&width) || !(1..=MAX_SIDE_PX).contains(&height) {
        return Err(Rejection::BadDimensions { width, height });
    }
    let size = Size { width, height };
    let cleaned = match expected {
        ContentType::Jpeg => jpeg::clean(&bytes),
        ContentType::Png => png::clean(&bytes, size),
        ContentType::Webp => webp::clean(&bytes, size),
        ContentType::Gif => gif::clean(&bytes, size),
    }?;
    Ok(CleanImage {
        bytes: cleaned,
        width,
        height,
    })
}

#[cfg(test)]
mod tests;
