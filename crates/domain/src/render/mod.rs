//! The square variants of a published avatar, rendered from its cleaned bytes: decoded
//! once with limits, the chosen square of the upright picture resized to each size
//! (largest first, each from the one before), turned upright, then re-encoded — so they
//! carry no metadata by construction. docs/design.md, "Square variants", has the choices.

mod decode;
mod encode;
mod orient;

use bytes::Bytes;
use fast_image_resize::images::{CroppedImage, Image};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::DynamicImage;

use crate::values::{ContentType, Crop, VARIANT_SIZES, VariantFormat};

/// One encoded square.
#[derive(Debug, Clone)]
pub struct Variant {
    pub size: u32,
    pub bytes: Bytes,
}

/// An avatar's variants, all in one format, largest first.
#[derive(Debug, Clone)]
pub struct Variants {
    pub format: VariantFormat,
    pub images: Vec<Variant>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    /// The crop does not lie inside the upright picture.
    #[error("the square {crop:?} does not lie inside the {width}×{height} picture")]
    CropOutside { crop: Crop, width: u32, height: u32 },
    /// Verified, yet the decoder refused it (or it needs more memory than allowed).
    #[error("the picture could not be decoded: {0}")]
    Undecodable(String),
}

/// Renders every size in [`VARIANT_SIZES`] from `crop` of the upright picture (the centred
/// largest square without one). The crop is checked against the upright size before any
/// pixel is decoded.
pub fn render_variants(
    clean: &[u8],
    content_type: ContentType,
    crop: Option<Crop>,
) -> Result<Variants, RenderError> {
    let picture = decode::Picture::open(clean, content_type)?;
    let (width, height) = picture.upright_size();
    let crop = crop.unwrap_or_else(|| Crop::centred(width, height));
    if !crop.fits(width, height) {
        return Err(RenderError::CropOutside {
            crop,
            width,
            height,
        });
    }
    let orientation = picture.orientation();
    let (left, top) = orient::raw_origin(orientation, picture.raw_size(), crop);
    let source = picture.decode()?;
    let pixel_type = if source.color().has_alpha() {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };

    let squares = resize_all(&source, (left, top), crop.size, pixel_type)?;
    // The decoded picture is the largest allocation; it goes before encoding starts.
    drop(source);

    let format = if pixel_type == PixelType::U8x4 && squares.iter().any(has_transparency) {
        VariantFormat::Png
    } else {
        VariantFormat::Jpeg
    };
    let images = squares
        .into_iter()
        .map(|square| {
            let size = square.width();
            let upright = orient::upright(square, orientation)?;
            Ok(Variant {
                size,
                bytes: encode::encode(upright, format)?,
            })
        })
        .collect::<Result<_, RenderError>>()?;
    Ok(Variants { format, images })
}

/// The chosen square at every size, in the raw orientation (turned upright only when
/// encoded), largest first.
fn resize_all(
    source: &DynamicImage,
    (left, top): (u32, u32),
    side: u32,
    pixel_type: PixelType,
) -> Result<Vec<Image<'static>>, RenderError> {
    let mut resizer = Resizer::new();
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    // A view, not a crop option: the filter then never reaches past the square's edge,
    // so no colour from outside the chosen square bleeds into it.
    let chosen = CroppedImage::new(source, left, top, side, side)
        .map_err(|e| RenderError::Undecodable(e.to_string()))?;
    // Squares in the raw orientation; each is turned upright only when encoded.
    let mut squares: Vec<Image<'static>> = Vec::with_capacity(VARIANT_SIZES.len());
    for size in VARIANT_SIZES {
        let mut square = Image::new(size, size, pixel_type);
        // A large crop is resized once; the smaller sizes come from the previous square,
        // which is cheaper and as sharp. A crop smaller than a size is upscaled to it.
        let result = match squares.last() {
            Some(previous) if side > previous.width() => {
                resizer.resize(previous, &mut square, &options)
            }
            _ => resizer.resize(&chosen, &mut square, &options),
        };
        result.map_err(|e| RenderError::Undecodable(e.to_string()))?;
        squares.push(square);
    }
    Ok(squares)
}

fn has_transparency(square: &Image<'_>) -> bool {
    square.buffer().chunks_exact(4).any(|px| px[3] != u8::MAX)
}

#[cfg(test)]
mod tests;
