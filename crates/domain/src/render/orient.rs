use fast_image_resize::images::Image;
use image::{DynamicImage, RgbImage, RgbaImage, metadata::Orientation};

use super::RenderError;
use crate::values::Crop;

/// Where `crop`, a square of the upright picture, starts in the stored (raw) pixels. A
/// square stays a square under every orientation, so the raw square is resized and only
/// the small result is turned upright — never the whole decoded picture.
pub fn raw_origin(orientation: Orientation, raw: (u32, u32), crop: Crop) -> (u32, u32) {
    let last = crop.size - 1;
    let (a0, b0) = raw_pixel(orientation, raw, crop.x, crop.y);
    let (a1, b1) = raw_pixel(orientation, raw, crop.x + last, crop.y + last);
    (a0.min(a1), b0.min(b1))
}

/// The raw pixel shown at upright `(u, v)`.
pub fn raw_pixel(orientation: Orientation, (w, h): (u32, u32), u: u32, v: u32) -> (u32, u32) {
    match orientation {
        Orientation::NoTransforms => (u, v),
        Orientation::FlipHorizontal => (w - 1 - u, v),
        Orientation::Rotate180 => (w - 1 - u, h - 1 - v),
        Orientation::FlipVertical => (u, h - 1 - v),
        Orientation::Rotate90 => (v, h - 1 - u),
        Orientation::Rotate270 => (w - 1 - v, u),
        Orientation::Rotate90FlipH => (v, u),
        Orientation::Rotate270FlipH => (w - 1 - v, h - 1 - u),
    }
}

/// A resized raw square as an upright picture.
pub fn upright(
    square: Image<'static>,
    orientation: Orientation,
) -> Result<DynamicImage, RenderError> {
    let (size, channels) = (square.width(), square.pixel_type().size());
    let buffer = square.into_vec();
    let mut image = match channels {
        4 => RgbaImage::from_raw(size, size, buffer).map(DynamicImage::ImageRgba8),
        _ => RgbImage::from_raw(size, size, buffer).map(DynamicImage::ImageRgb8),
    }
    .ok_or_else(|| RenderError::Undecodable("resized buffer has the wrong length".into()))?;
    image.apply_orientation(orientation);
    Ok(image)
}
