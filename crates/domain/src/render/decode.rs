use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage, metadata::Orientation,
};

use super::jpeg::{self, Samples};
use super::{RenderError, colour};
use crate::avatar::MAX_SIDE_PX;
use crate::values::ContentType;

/// What one decode may allocate: a 4096×4096 picture of 16-bit RGBA (the largest
/// verification lets through) and nothing more, so a hostile file cannot make the
/// function run out of memory.
pub const MAX_DECODE_BYTES: u64 = 4096 * 4096 * 8;

/// A picture whose header is read; its pixels are decoded only by [`Picture::decode`].
pub struct Picture<'a> {
    decoder: Decoder<'a>,
    orientation: Orientation,
    raw: (u32, u32),
    /// The embedded ICC profile, as stored (cleaning kept only a well-formed one).
    icc: Option<Vec<u8>>,
}

enum Decoder<'a> {
    /// A JPEG of 8-bit YCbCr, RGB or grey (`components` 3 or 1), or CMYK or YCCK (4):
    /// decoded by libjpeg-turbo with DCT scaling (shrink-on-load).
    Jpeg { bytes: &'a [u8], components: u32 },
    /// Everything else, decoded whole by `image`.
    Whole(Box<dyn ImageDecoder + 'a>),
}

/// A square of a picture: where it starts and how long its side is, in stored pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Square {
    pub left: u32,
    pub top: u32,
    pub side: u32,
}

/// Decoded pixels (8-bit RGB, or RGBA when the format has alpha) and where the chosen
/// square lies in them (smaller than in the stored picture when the decoder shrank it).
pub struct Decoded {
    pub image: DynamicImage,
    pub square: Square,
    /// The ICC profile the pixels are still in: `None` without one, or when they are sRGB
    /// already (a CMYK JPEG's inks are converted through its profile while decoding, as
    /// they cannot be resized as colours).
    pub icc: Option<Vec<u8>>,
}

impl<'a> Picture<'a> {
    pub fn open(bytes: &'a [u8], content_type: ContentType) -> Result<Self, RenderError> {
        if content_type == ContentType::Jpeg
            && let Some(picture) = Self::open_jpeg(bytes)
        {
            return Ok(picture);
        }
        let mut decoder = whole_decoder(bytes, content_type)?;
        // Cleaning kept a JPEG's or a PNG's EXIF orientation, alone; WebP and GIF carry
        // none.
        let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
        // A profile that cannot be read is no profile: the pixels are taken as sRGB.
        let icc = decoder.icc_profile().ok().flatten();
        let raw = decoder.dimensions();
        Ok(Self {
            decoder: Decoder::Whole(decoder),
            orientation,
            raw,
            icc,
        })
    }

    /// A JPEG that can be shrunk on load; `None` sends it to the whole decode (16-bit
    /// grey, or a header jpeg-decoder refuses, which then fails there). Only the
    /// header is read here, by `jpeg-decoder` (sizes, EXIF orientation, ICC profile).
    fn open_jpeg(bytes: &'a [u8]) -> Option<Self> {
        let mut decoder = jpeg_decoder::Decoder::new(bytes);
        decoder.set_max_decoding_buffer_size(MAX_DECODE_BYTES as usize);
        decoder.read_info().ok()?;
        let info = decoder.info()?;
        let components = match info.pixel_format {
            jpeg_decoder::PixelFormat::RGB24 => 3,
            jpeg_decoder::PixelFormat::L8 => 1,
            jpeg_decoder::PixelFormat::CMYK32 => 4,
            _ => return None,
        };
        if usize::from(info.width.max(info.height)) > MAX_SIDE_PX {
            return None;
        }
        let orientation = decoder
            .exif_data()
            .and_then(Orientation::from_exif_chunk)
            .unwrap_or(Orientation::NoTransforms);
        let icc = decoder.icc_profile();
        Some(Self {
            decoder: Decoder::Jpeg { bytes, components },
            orientation,
            raw: (info.width.into(), info.height.into()),
            icc,
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
    /// format has an alpha channel. A JPEG is shrunk while decoding by the largest of 1/2,
    /// 1/4 and 1/8 that keeps `square` at least `largest` pixels long.
    pub fn decode(self, square: Square, largest: u32) -> Result<Decoded, RenderError> {
        match self.decoder {
            Decoder::Jpeg { bytes, components } => {
                let shrink = shrink_factor(square.side, largest);
                let (w, h) = self.raw;
                // libjpeg has no allocation limit of its own: a picture whose worst case
                // would not fit goes to the whole decode, which has one.
                let buffers = jpeg::buffers_coefficients(bytes);
                if jpeg::worst_case_bytes(w, h, components, shrink, buffers) > MAX_DECODE_BYTES {
                    let decoder = whole_decoder(bytes, ContentType::Jpeg)?;
                    return decode_whole(decoder, square, self.icc);
                }
                let samples = if components == 4 {
                    Samples::Cmyk
                } else {
                    Samples::Rgb
                };
                let (mut pixels, w, h) = jpeg::decode_scaled(bytes, shrink, self.raw, samples)?;
                let mut icc = self.icc;
                if samples == Samples::Cmyk {
                    pixels = colour::cmyk_to_srgb(&pixels, icc.take().as_deref())
                        .map_err(RenderError::Undecodable)?;
                }
                let image = RgbImage::from_raw(w, h, pixels)
                    .ok_or_else(|| RenderError::Undecodable("short JPEG pixel buffer".into()))?;
                let square = Square {
                    left: square.left / shrink,
                    top: square.top / shrink,
                    side: (square.side / shrink).max(1),
                };
                Ok(Decoded {
                    image: DynamicImage::ImageRgb8(image),
                    square,
                    icc,
                })
            }
            Decoder::Whole(decoder) => decode_whole(decoder, square, self.icc),
        }
    }
}

/// `image`'s decoder for `bytes`, with the limits.
fn whole_decoder<'a>(
    bytes: &'a [u8],
    content_type: ContentType,
) -> Result<Box<dyn ImageDecoder + 'a>, RenderError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format(content_type));
    reader.limits(limits());
    Ok(Box::new(reader.into_decoder().map_err(undecodable)?))
}

/// The whole picture by `image`, its pixels still in `icc` (a CMYK one drawn without it).
fn decode_whole(
    decoder: Box<dyn ImageDecoder + '_>,
    square: Square,
    icc: Option<Vec<u8>>,
) -> Result<Decoded, RenderError> {
    let image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    let image = match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image,
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.into_rgba8()),
        other => DynamicImage::ImageRgb8(other.into_rgb8()),
    };
    Ok(Decoded { image, square, icc })
}

/// The largest of 8, 4 and 2 that leaves `side / factor` at least `largest`, else 1.
pub fn shrink_factor(side: u32, largest: u32) -> u32 {
    [8, 4, 2]
        .into_iter()
        .find(|&f| side / f >= largest)
        .unwrap_or(1)
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
