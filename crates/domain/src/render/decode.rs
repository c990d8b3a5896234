use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, metadata::Orientation};

use super::RenderError;
use crate::avatar::MAX_SIDE_PX;
use crate::values::ContentType;

/// What one decode may allocate: a 4096×4096 picture of 16-bit RGBA (the largest
/// verification lets through) and nothing more, so a hostile file cannot make the
/// function run out of memory.
pub const MAX_DECODE_BYTES: u64 = 4096 * 4096 * 8;

/// A picture whose header is read; its pixels are decoded only by [`Picture::decode`].
pub struct Picture<'a> {
    decoder: Box<dyn ImageDecoder + 'a>,
    orientation: Orientation,
    raw: (u32, u32),
}

impl<'a> Picture<'a> {
    pub fn open(bytes: &'a [u8], content_type: ContentType) -> Result<Self, RenderError> {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format(content_type));
        reader.limits(limits());
        let mut decoder = reader.into_decoder().map_err(undecodable)?;
        // Cleaning kept a JPEG's or a PNG's EXIF orientation, alone; WebP and GIF carry
        // none.
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        let raw = decoder.dimensions();
        Ok(Self {
            decoder: Box::new(decoder),
            orientation,
            raw,
        })
    }

    pub fn orientation(&self) -> Orientation {
        self.orientation
    }

    pub fn raw_size(&self) -> (u32, u32) {
        self.raw
    }

    /// The size once turned upright: width and height swap for a quarter turn.
    pub fn upright_size(&self) -> (u32, u32) {
        let (w, h) = self.raw;
        if quarter_turn(self.orientation) {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// The pixels (the first frame of an animation) as 8-bit RGB, or RGBA when the
    /// format has an alpha channel.
    pub fn decode(self) -> Result<DynamicImage, RenderError> {
        let image = DynamicImage::from_decoder(self.decoder).map_err(undecodable)?;
        Ok(match image {
            DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image,
            other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.into_rgba8()),
            other => DynamicImage::ImageRgb8(other.into_rgb8()),
        })
    }
}

pub fn quarter_turn(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE_PX as u32);
    limits.max_image_height = Some(MAX_SIDE_PX as u32);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn format(content_type: ContentType) -> ImageFormat {
    match content_type {
        ContentType::Jpeg => ImageFormat::Jpeg,
        ContentType::Png => ImageFormat::Png,
        ContentType::Webp => ImageFormat::WebP,
        ContentType::Gif => ImageFormat::Gif,
    }
}

fn undecodable(err: image::ImageError) -> RenderError {
    RenderError::Undecodable(err.to_string())
}
