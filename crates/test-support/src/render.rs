//! What a real decoder makes of an image: every frame's pixels, its timing and placement,
//! and the colour information it reports. Two files that render alike compare equal.
//! Palettes and transparency are applied (RGBA output where the decoder offers it), so a
//! cleaned palette or tRNS must still produce the same pixels.

use std::fmt;
use std::io::Cursor;

/// Decoders may allocate at most this much per image, so a mutated header cannot make a
/// test allocate gigabytes.
const MEMORY_LIMIT: usize = 256 << 20;

#[derive(Debug, PartialEq, Eq)]
pub struct Rendering {
    pub width: u32,
    pub height: u32,
    /// Colour information and animation settings, as the decoder reports them.
    pub colour: String,
    pub animation: String,
    pub frames: Vec<Frame>,
    /// Whether decoding stopped with an error after the first frame.
    pub ended_in_error: bool,
}

#[derive(PartialEq, Eq)]
pub struct Frame {
    /// Delay, placement, disposal: everything but the pixels, as text.
    pub control: String,
    pub pixels: Vec<u8>,
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sum = self
            .pixels
            .iter()
            .fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        write!(
            f,
            "Frame({}, {} bytes, sum {sum:x})",
            self.control,
            self.pixels.len()
        )
    }
}

/// Decodes every frame; `Err` if even the first frame does not decode.
pub fn render(bytes: &[u8], mime: &str) -> Result<Rendering, String> {
    match mime {
        "image/jpeg" => jpeg(bytes),
        "image/png" => png(bytes),
        "image/webp" => webp(bytes),
        "image/gif" => gif(bytes),
        other => Err(format!("no decoder for {other}")),
    }
}

fn jpeg(bytes: &[u8]) -> Result<Rendering, String> {
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.set_max_decoding_buffer_size(MEMORY_LIMIT);
    let pixels = decoder.decode().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no info")?;
    let colour = format!(
        "{:?} icc {:?}",
        info.pixel_format,
        decoder.icc_profile().map(|p| digest(&p))
    );
    Ok(Rendering {
        width: info.width.into(),
        height: info.height.into(),
        colour,
        animation: String::new(),
        frames: vec![Frame {
            control: String::new(),
            pixels,
        }],
        ended_in_error: false,
    })
}

fn png(bytes: &[u8]) -> Result<Rendering, String> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    decoder.set_limits(png::Limits {
        bytes: MEMORY_LIMIT,
    });
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let info = reader.info();
    let colour = format!(
        "gamma {:?} chrm {:?} srgb {:?} icc {:?} cicp {:?} mdcv {:?} clli {:?} sbit {:?}",
        info.gama_chunk,
        info.chrm_chunk,
        info.srgb,
        info.icc_profile.as_deref().map(digest),
        info.coding_independent_code_points,
        info.mastering_display_color_volume,
        info.content_light_level,
        info.sbit,
    );
    let animation = format!("{:?}", info.animation_control);
    // Without acTL a PNG is a still picture and any fcTL means nothing to a renderer.
    let animated = info.animation_control.is_some();
    let (width, height) = (info.width, info.height);
    let size = reader.output_buffer_size().ok_or("no buffer size")?;
    if size > MEMORY_LIMIT {
        return Err("too large to decode in a test".into());
    }
    let mut frames = Vec::new();
    let mut ended_in_error = false;
    loop {
        let mut pixels = vec![0; size];
        match reader.next_frame(&mut pixels) {
            Ok(output) => {
                pixels.truncate(output.buffer_size());
                let control = if animated {
                    format!("{:?}", reader.info().frame_control)
                } else {
                    String::new()
                };
                frames.push(Frame { control, pixels });
            }
            Err(png::DecodingError::Parameter(_)) if !frames.is_empty() => break,
            Err(e) if frames.is_empty() => return Err(e.to_string()),
            Err(_) => {
                ended_in_error = true;
                break;
            }
        }
    }
    Ok(Rendering {
        width,
        height,
        colour,
        animation,
        frames,
        ended_in_error,
    })
}

fn webp(bytes: &[u8]) -> Result<Rendering, String> {
    let mut decoder =
        image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    decoder.set_memory_limit(MEMORY_LIMIT);
    let (width, height) = decoder.dimensions();
    let colour = format!(
        "icc {:?} alpha {}",
        decoder
            .icc_profile()
            .map_err(|e| e.to_string())?
            .map(|p| digest(&p)),
        decoder.has_alpha()
    );
    let size = decoder.output_buffer_size().ok_or("no buffer size")?;
    if size > MEMORY_LIMIT {
        return Err("too large to decode in a test".into());
    }
    let mut frames = Vec::new();
    let mut ended_in_error = false;
    let animation = if decoder.is_animated() {
        let animation = format!(
            "{:?} {:?} {} frames",
            decoder.loop_count(),
            decoder.background_color_hint(),
            decoder.num_frames()
        );
        for _ in 0..decoder.num_frames() {
            let mut pixels = vec![0; size];
            match decoder.read_frame(&mut pixels) {
                Ok(delay) => frames.push(Frame {
                    control: format!("delay {delay}"),
                    pixels,
                }),
                Err(e) if frames.is_empty() => return Err(e.to_string()),
                Err(_) => {
                    ended_in_error = true;
                    break;
                }
            }
        }
        animation
    } else {
        let mut pixels = vec![0; size];
        decoder.read_image(&mut pixels).map_err(|e| e.to_string())?;
        frames.push(Frame {
            control: String::new(),
            pixels,
        });
        String::new()
    };
    Ok(Rendering {
        width,
        height,
        colour,
        animation,
        frames,
        ended_in_error,
    })
}

fn gif(bytes: &[u8]) -> Result<Rendering, String> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    // Browsers skip extensions they do not know.
    options.allow_unknown_blocks(true);
    if let Some(limit) = std::num::NonZeroU64::new(MEMORY_LIMIT as u64) {
        options.set_memory_limit(gif::MemoryLimit::Bytes(limit));
    }
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|e| e.to_string())?;
    let (width, height) = (decoder.width().into(), decoder.height().into());
    let mut frames = Vec::new();
    let mut ended_in_error = false;
    loop {
        match decoder.read_next_frame() {
            Ok(Some(frame)) => frames.push(Frame {
                control: format!(
                    "delay {} dispose {:?} at {},{} size {}x{} interlaced {} input {}",
                    frame.delay,
                    frame.dispose,
                    frame.left,
                    frame.top,
                    frame.width,
                    frame.height,
                    frame.interlaced,
                    frame.needs_user_input
                ),
                pixels: frame.buffer.to_vec(),
            }),
            Ok(None) => break,
            Err(e) if frames.is_empty() => return Err(e.to_string()),
            Err(_) => {
                ended_in_error = true;
                break;
            }
        }
    }
    if frames.is_empty() {
        return Err("no frame".into());
    }
    Ok(Rendering {
        width,
        height,
        colour: format!("icc {:?}", decoder.icc_profile().map(digest)),
        animation: format!("{:?} bg {:?}", decoder.repeat(), decoder.bg_color()),
        frames,
        ended_in_error,
    })
}

/// A short stand-in for a profile in messages.
fn digest(bytes: &[u8]) -> String {
    let sum = bytes
        .iter()
        .fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("{} bytes {sum:x}", bytes.len())
}
