use crate::values::ContentType;

use super::{MAX_DECODED_PIXELS, MAX_SIDE_PX};

/// Why an upload cannot become an avatar; the message is for the person who sent it (the
/// caller appends what to do about it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("The uploaded file is empty")]
    Empty,
    #[error("The uploaded file is not a {} image", expected.label())]
    WrongType {
        expected: ContentType,
        found: Option<String>,
    },
    #[error("The picture could not be read: its header does not say how large it is")]
    Unreadable,
    #[error("The picture is {width}×{height} px; each side must be between 1 and {MAX_SIDE_PX} px")]
    BadDimensions { width: usize, height: usize },
    #[error(
        "A frame of the animation is {width}×{height} px; each side must be at most {MAX_SIDE_PX} px"
    )]
    FrameTooLarge { width: usize, height: usize },
    #[error(
        "The animation is too large once decoded: {frames} frames come to at least {pixels} pixels, \
         over the limit of {MAX_DECODED_PIXELS} pixels for all frames together \
         (for example 256 frames of 512×512 px)"
    )]
    TooManyPixels { frames: u64, pixels: u64 },
    #[error("The {format} file is damaged or not a picture: {reason}")]
    Damaged {
        format: &'static str,
        reason: &'static str,
    },
}
