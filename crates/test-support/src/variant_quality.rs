//! The variants' bytes-and-quality contract, measured: the published WebP against the
//! format before (JPEG q80, PNG for transparency) must take at least 40 % fewer bytes at
//! the same quality — a PSNR no more than 0.5 dB below the old format's — against a
//! Lanczos3 resize of the same square kept lossless. PSNR is over RGB after compositing on
//! white, as a page shows the picture.

/// The share of the old format's bytes a variant must save.
pub const FEWER_BYTES: f64 = 0.40;
/// How far below the old format's PSNR a variant may fall.
pub const PSNR_SLACK_DB: f64 = 0.5;

/// One size of one picture, old format against new.
#[derive(Debug, Clone)]
pub struct Row {
    pub size: u32,
    pub before_bytes: usize,
    pub before_psnr: f64,
    pub after_bytes: usize,
    pub after_psnr: f64,
}

impl Row {
    /// Measures the encoded `before` and `after` against the encoded lossless `reference`.
    pub fn measure(size: u32, reference: &[u8], before: &[u8], after: &[u8]) -> Self {
        let truth = on_white(reference);
        Self {
            size,
            before_bytes: before.len(),
            before_psnr: psnr(&truth, &on_white(before)),
            after_bytes: after.len(),
            after_psnr: psnr(&truth, &on_white(after)),
        }
    }

    /// The share of the old format's bytes saved.
    pub fn saved(&self) -> f64 {
        1.0 - self.after_bytes as f64 / self.before_bytes as f64
    }

    /// At least [`FEWER_BYTES`] fewer bytes and a PSNR no more than [`PSNR_SLACK_DB`]
    /// below the old one's (an infinite one, lossless, is met only by lossless).
    pub fn passes(&self) -> bool {
        let same_quality = if self.before_psnr.is_infinite() {
            self.after_psnr.is_infinite()
        } else {
            self.after_psnr >= self.before_psnr - PSNR_SLACK_DB
        };
        self.saved() >= FEWER_BYTES && same_quality
    }
}

/// An encoded picture decoded, composited on white, as RGB.
pub fn on_white(encoded: &[u8]) -> Vec<u8> {
    let image = image::load_from_memory(encoded)
        .expect("a variant decodes")
        .into_rgba8();
    image
        .pixels()
        .flat_map(|p| {
            let a = u32::from(p.0[3]);
            let over = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
            [over(p.0[0]), over(p.0[1]), over(p.0[2])]
        })
        .collect()
}

/// PSNR of `test` against `truth`, in dB; infinite when they are equal.
pub fn psnr(truth: &[u8], test: &[u8]) -> f64 {
    assert_eq!(truth.len(), test.len(), "the same size");
    let mse = truth
        .iter()
        .zip(test)
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
        .sum::<f64>()
        / truth.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}
