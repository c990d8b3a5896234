//! One fixture per place a format can hide data, each carrying a distinctive payload that
//! cleaning must remove, and fixtures of what must survive it (progressive and restart-coded
//! JPEGs, animations, colour information). Every fixture decodes with a real decoder; the
//! tests check the clean copy renders the same and holds none of the payloads.

mod gif;
mod icc;
mod jpeg;
mod png;
mod webp;

pub use self::gif::{gif_fixtures, gif_frames};
pub use self::icc::{BOMB_LEN, not_icc_fixtures, png_with_bomb, zlib_bomb};
pub use self::jpeg::{jpeg_fixtures, plain_jpeg};
pub use self::png::{png_chunk, png_fixtures, png_square, png_with_chunks};
pub use self::webp::{animated_webp, webp_animation, webp_fixtures};

pub struct Fixture {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    /// Byte strings that only the carrier holds; none may be left in the clean file.
    pub secrets: Vec<Vec<u8>>,
    /// Whether the clean file must report the same colour information. False where the
    /// colour block itself is the carrier (a profile that is not one).
    pub same_colour: bool,
    /// Where the reference decoder cannot read the upload although the format allows it,
    /// the clean file must render like this one instead.
    pub renders_like: Option<Vec<u8>>,
    /// The carrier is a block that other files keep (fdAT without acTL, a palette in a
    /// true-colour image): moved into such a file it is image data, not a carrier.
    pub kept_elsewhere: bool,
}

impl Fixture {
    fn new(name: impl Into<String>, mime: &'static str, bytes: Vec<u8>, secrets: &[&[u8]]) -> Self {
        Self {
            name: name.into(),
            mime,
            bytes,
            secrets: secrets.iter().map(|s| s.to_vec()).collect(),
            same_colour: true,
            renders_like: None,
            kept_elsewhere: false,
        }
    }

    fn colour_dropped(mut self) -> Self {
        self.same_colour = false;
        self
    }

    fn kept_elsewhere(mut self) -> Self {
        self.kept_elsewhere = true;
        self
    }

    fn renders_like(mut self, reference: Vec<u8>) -> Self {
        self.renders_like = Some(reference);
        self
    }
}

/// Every fixture of every format.
pub fn all() -> Vec<Fixture> {
    let mut all = jpeg_fixtures();
    all.extend(png_fixtures());
    all.extend(webp_fixtures());
    all.extend(gif_fixtures());
    all
}

/// Marks the ICC profiles built here; it must survive cleaning.
pub const ICC_KEEP: &[u8] = b"ICC-PROFILE-KEEP-ME";

/// A well-formed ICC profile of exactly `len` bytes (at least 176): the 128-byte header
/// with its size and `acsp` signature, one `desc`-like text tag holding [`ICC_KEEP`], and
/// zero padding.
pub fn icc_profile(len: usize) -> Vec<u8> {
    assert!(len >= 176, "an ICC profile needs its header and one tag");
    let mut p = vec![0u8; len];
    p[..4].copy_from_slice(&(len as u32).to_be_bytes());
    p[8..12].copy_from_slice(&[2, 0x10, 0, 0]);
    p[12..16].copy_from_slice(b"mntr");
    p[16..20].copy_from_slice(b"RGB ");
    p[20..24].copy_from_slice(b"XYZ ");
    p[36..40].copy_from_slice(b"acsp");
    p[128..132].copy_from_slice(&1u32.to_be_bytes());
    p[132..136].copy_from_slice(b"desc");
    p[136..140].copy_from_slice(&144u32.to_be_bytes());
    p[140..144].copy_from_slice(&((8 + ICC_KEEP.len()) as u32).to_be_bytes());
    p[144..148].copy_from_slice(b"text");
    p[152..152 + ICC_KEEP.len()].copy_from_slice(ICC_KEEP);
    p
}

/// A gradient with a few colours, `channels` per pixel (3 or 4).
fn gradient(w: u32, h: u32, channels: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h) as usize * channels);
    for y in 0..h {
        for x in 0..w {
            let px = [
                (x * 16) as u8,
                (y * 16) as u8,
                ((x + y) * 8) as u8,
                255 - x as u8,
            ];
            out.extend_from_slice(&px[..channels]);
        }
    }
    out
}
