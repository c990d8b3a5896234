//! Verifying an upload and removing what a photo tells about its owner, without re-encoding.

mod gif;
mod jpeg;
mod orientation;
mod png;
mod webp;

use bytes::Bytes;

use crate::domain::ContentType;

/// Larger sides are refused: an avatar never needs them, and a decoder would pay for them.
pub const MAX_SIDE_PX: usize = 4096;

/// Why an upload cannot become an avatar; the message is for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("The uploaded file is empty")]
    Empty,
    #[error("The uploaded file is not a {} image", expected.label())]
    WrongType {
        expected: ContentType,
        found: Option<String>,
    },
    #[error("The picture could not be read")]
    Unreadable,
    #[error("The picture is {width}×{height} px; each side must be between 1 and {MAX_SIDE_PX} px")]
    BadDimensions { width: usize, height: usize },
}

/// A verified image with its metadata removed.
#[derive(Debug, Clone)]
pub struct CleanImage {
    pub bytes: Bytes,
    pub width: usize,
    pub height: usize,
}

/// Checks the bytes are the promised type with sane dimensions, then strips EXIF (GPS
/// included), XMP and text/comment blocks, keeping the ICC colour profile.
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
    let cleaned = match expected {
        ContentType::Jpeg => jpeg::strip(bytes),
        ContentType::Png => png::strip(bytes),
        ContentType::Webp => webp::strip(bytes),
        ContentType::Gif => gif::strip(bytes),
    }
    .ok_or(Rejection::Unreadable)?;
    Ok(CleanImage {
        bytes: cleaned,
        width,
        height,
    })
}

#[cfg(test)]
mod tests;
