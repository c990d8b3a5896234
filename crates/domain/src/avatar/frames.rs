//! What an animation costs to decode. Browsers and image libraries composite every frame
//! onto a canvas of the image's full size, so each frame counts as the whole canvas — or as
//! itself where a GIF frame is larger than its screen. A small file can declare thousands
//! of frames; without this bound a tiny upload could cost gigabytes once decoded.

use super::{MAX_DECODED_PIXELS, Rejection};

pub struct FrameBudget {
    canvas: u64,
    frames: u64,
    pixels: u64,
}

impl FrameBudget {
    pub fn new(width: usize, height: usize) -> Self {
        Self {
            canvas: area(width, height),
            frames: 0,
            pixels: 0,
        }
    }

    /// Counts one more frame of `width`×`height`.
    pub fn frame(&mut self, width: usize, height: usize) -> Result<(), Rejection> {
        self.frames += 1;
        self.pixels = self
            .pixels
            .saturating_add(self.canvas.max(area(width, height)));
        self.check(self.frames, self.pixels)
    }

    /// A frame count a header announces (APNG's `acTL`): decoders may trust it before they
    /// see the frames, so it must fit the budget too.
    pub fn announced(&self, frames: u64) -> Result<(), Rejection> {
        self.check(frames, frames.saturating_mul(self.canvas))
    }

    fn check(&self, frames: u64, pixels: u64) -> Result<(), Rejection> {
        if pixels > MAX_DECODED_PIXELS {
            return Err(Rejection::TooManyPixels { frames, pixels });
        }
        Ok(())
    }
}

fn area(width: usize, height: usize) -> u64 {
    (width as u64).saturating_mul(height as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_frame_as_at_least_the_canvas() {
        let mut budget = FrameBudget::new(512, 512);
        for _ in 0..256 {
            budget.frame(1, 1).expect("256 frames of 512×512 fit");
        }
        assert_eq!(
            budget.frame(1, 1),
            Err(Rejection::TooManyPixels {
                frames: 257,
                pixels: 257 * 512 * 512
            })
        );
    }

    #[test]
    fn a_frame_larger_than_the_canvas_counts_as_itself() {
        let mut budget = FrameBudget::new(1, 1);
        for _ in 0..4 {
            budget.frame(4096, 4096).expect("four full-size frames fit");
        }
        assert!(budget.frame(4096, 4096).is_err());
    }

    #[test]
    fn announced_counts_cannot_overflow() {
        let budget = FrameBudget::new(4096, 4096);
        assert!(budget.announced(4).is_ok());
        assert!(budget.announced(u64::MAX).is_err());
    }
}
