//! The square variants of a published avatar, rendered from its cleaned bytes: decoded
//! once with limits (a JPEG shrunk while decoding to no less than the largest size needs),
//! the chosen square of the upright picture resized to each size (largest first, each from
//! the one before), converted to sRGB from the upload's ICC profile, turned upright, then
//! encoded as WebP, lossy or lossless as the picture needs (`choice`) — so they carry no
//! metadata by construction. docs/design.md, "Square variants", has the choices.

mod choice;
mod colour;
mod decode;
mod encode;
mod jpeg;
mod orient;
mod webp;

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
    render_with(clean, content_type, crop, RenderOptions::default())
}

/// How [`render_with`] renders; the default is what is published. The others exist to
/// compare against what was published before (BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    pub format: VariantFormat,
    /// Shrink a JPEG while decoding it (DCT scaling).
    pub shrink_on_load: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            format: VariantFormat::Webp,
            shrink_on_load: true,
        }
    }
}

/// [`render_variants`] with `options`. [`VariantFormat::Jpeg`] renders as variants were
/// before WebP: JPEG, or PNG for a picture with any transparent pixel;
/// [`VariantFormat::Png`] is lossless for every picture (a reference to measure against).
pub fn render_with(
    clean: &[u8],
    content_type: ContentType,
    crop: Option<Crop>,
    options: RenderOptions,
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
    // Shrunk to no less than twice the largest size: the DCT's shrink is a box filter,
    // and the last halving by Lanczos3 keeps the 512 px square within 0.2 dB of a
    // Lanczos3 resize of the whole picture (a 1/8 shrink straight to 512 costs 1.5 dB).
    let largest = if options.shrink_on_load {
        VARIANT_SIZES[0] * 2
    } else {
        u32::MAX
    };
    let square = decode::Square {
        left,
        top,
        side: crop.size,
    };
    let decoded = picture.decode(square, largest)?;
    let icc = decoded.icc;
    let source = decoded.image;
    let pixel_type = if source.color().has_alpha() {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };

    let mut squares = resize_all(&source, decoded.square, pixel_type)?;
    // The decoded picture is the largest allocation; it goes before encoding starts.
    drop(source);
    if let Some(to_srgb) = colour::ToSrgb::new(icc.as_deref(), pixel_type.size()) {
        for square in &mut squares {
            to_srgb
                .apply(square.buffer_mut())
                .map_err(RenderError::Undecodable)?;
        }
    }

    let transparent = pixel_type == PixelType::U8x4 && squares.iter().any(has_transparency);
    let format = match options.format {
        VariantFormat::Jpeg if transparent => VariantFormat::Png,
        other => other,
    };
    let plan = choice::plan(&squares, transparent);
    let images = squares
        .into_iter()
        .map(|square| {
            let size = square.width();
            let upright = orient::upright(square, orientation)?;
            Ok(Variant {
                size,
                bytes: encode::encode(upright, format, transparent, plan)?,
            })
        })
        .collect::<Result<_, RenderError>>()?;
    Ok(Variants { format, images })
}

/// The chosen square at every size, in the raw orientation (turned upright only when
/// encoded), largest first.
fn resize_all(
    source: &DynamicImage,
    decode::Square { left, top, side }: decode::Square,
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
mod bytes_tests;
#[cfg(test)]
mod tests;
