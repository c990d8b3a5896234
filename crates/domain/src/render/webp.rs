//! WebP through libwebp's advanced API: lossy (VP8, with a losslessly compressed alpha
//! plane when there is one) or lossless (VP8L). The one encoder that gives every variant,
//! photo or logo, alpha and fewer bytes than JPEG or PNG at the same quality, in a few
//! milliseconds (docs/design.md, "Square variants", has the measurements behind it).
//!
//! The unsafe code is confined here: libwebp reads the caller's pixel buffer and writes
//! into a memory writer it owns; both are released on every path.

use std::ffi::c_int;
use std::mem::MaybeUninit;

use libwebp_sys as sys;

/// The encoder's settings for a variant.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// libwebp's quality, 0–100; for lossless, how hard it tries to compress.
    pub quality: f32,
    /// libwebp's effort, 0 (fastest) – 6 (smallest).
    pub method: c_int,
    /// VP8L instead of VP8: every pixel kept exactly, except the colour under fully
    /// transparent ones, which nobody sees.
    pub lossless: bool,
}

/// Encodes `pixels` (`side`×`side`, 3 or 4 bytes a pixel, rows packed) as a WebP; with
/// 4 channels the alpha plane is kept (losslessly compressed, as libwebp does).
pub fn encode(
    pixels: &[u8],
    side: u32,
    channels: usize,
    settings: Settings,
) -> Result<Vec<u8>, String> {
    let side_c = c_int::try_from(side).map_err(|_| "side too long".to_string())?;
    let stride = side_c
        .checked_mul(channels as c_int)
        .ok_or_else(|| "side too long".to_string())?;
    if !matches!(channels, 3 | 4) || pixels.len() != (side as usize).pow(2) * channels {
        return Err("pixel buffer does not match the side".into());
    }

    let mut config = config(settings)?;
    config.alpha_quality = 100;
    // SAFETY: `config` was initialised by libwebp above.
    if unsafe { sys::WebPValidateConfig(&config) } == 0 {
        return Err("libwebp refused the settings".into());
    }

    let mut picture = MaybeUninit::<sys::WebPPicture>::uninit();
    // SAFETY: WebPPictureInit fills the whole struct; it is read only when that succeeded.
    if !unsafe { sys::WebPPictureInit(picture.as_mut_ptr()) } {
        return Err("libwebp version mismatch".into());
    }
    // SAFETY: initialised just above.
    let mut picture = unsafe { picture.assume_init() };
    // Lossless codes ARGB; lossy converts to YUV 4:2:0 while importing.
    picture.use_argb = c_int::from(settings.lossless);
    picture.width = side_c;
    picture.height = side_c;

    let mut writer = MaybeUninit::<sys::WebPMemoryWriter>::uninit();
    // SAFETY: WebPMemoryWriterInit sets every field.
    unsafe { sys::WebPMemoryWriterInit(writer.as_mut_ptr()) };
    // SAFETY: initialised just above.
    let mut writer = unsafe { writer.assume_init() };

    // SAFETY: `pixels` holds side×side pixels of `channels` bytes with rows `stride` apart
    // (checked above) and outlives the import, which copies them into `picture`'s own
    // planes. `writer` outlives WebPEncode, which writes through `custom_ptr`. The
    // picture and the writer are freed before returning, whatever happened.
    unsafe {
        let imported = if channels == 4 {
            sys::WebPPictureImportRGBA(&mut picture, pixels.as_ptr(), stride)
        } else {
            sys::WebPPictureImportRGB(&mut picture, pixels.as_ptr(), stride)
        };
        picture.writer = Some(sys::WebPMemoryWrite);
        picture.custom_ptr = (&raw mut writer).cast();
        let encoded = imported != 0 && sys::WebPEncode(&config, &mut picture) != 0;
        let out = if encoded && !writer.mem.is_null() {
            Ok(std::slice::from_raw_parts(writer.mem, writer.size).to_vec())
        } else {
            Err(format!("libwebp failed: {:?}", picture.error_code))
        };
        sys::WebPPictureFree(&mut picture);
        sys::WebPMemoryWriterClear(&mut writer);
        out
    }
}

fn config(settings: Settings) -> Result<sys::WebPConfig, String> {
    let mut config = MaybeUninit::<sys::WebPConfig>::uninit();
    // SAFETY: WebPConfigInitInternal fills the whole struct; it is read only on success.
    let ok = unsafe {
        sys::WebPConfigInitInternal(
            config.as_mut_ptr(),
            sys::WebPPreset::WEBP_PRESET_DEFAULT,
            settings.quality,
            sys::WEBP_ENCODER_ABI_VERSION as c_int,
        )
    };
    if ok == 0 {
        return Err("libwebp version mismatch".into());
    }
    // SAFETY: initialised just above.
    let mut config = unsafe { config.assume_init() };
    config.method = settings.method;
    config.lossless = c_int::from(settings.lossless);
    Ok(config)
}
