use crate::error::{Field, ValueError};

/// The square of the upright picture (after EXIF orientation) an avatar shows, in pixels:
/// `{"x", "y", "size"}`, whole numbers written as JSON integers, `size ≥ 1`. Whether it
/// lies inside the picture is known only once the upload is read ([`Crop::fits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crop {
    pub x: u32,
    pub y: u32,
    pub size: u32,
}

impl Crop {
    /// The centred largest square of a `width`×`height` picture: what a save without
    /// `crop` shows.
    pub fn centred(width: u32, height: u32) -> Self {
        let size = width.min(height).max(1);
        Self {
            x: (width.saturating_sub(size)) / 2,
            y: (height.saturating_sub(size)) / 2,
            size,
        }
    }

    /// Lies wholly inside a `width`×`height` picture.
    pub fn fits(&self, width: u32, height: u32) -> bool {
        let right = u64::from(self.x) + u64::from(self.size);
        let bottom = u64::from(self.y) + u64::from(self.size);
        right <= u64::from(width) && bottom <= u64::from(height)
    }
}

impl Crop {
    /// A square of at least one pixel; whether it fits is [`Crop::fits`]'s to say.
    pub fn new(x: u32, y: u32, size: u32) -> Result<Self, ValueError> {
        if size == 0 {
            return Err(ValueError::invalid(
                Field::Crop,
                "The crop's size must be at least 1 pixel.",
            ));
        }
        Ok(Self { x, y, size })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_has_at_least_one_pixel() {
        assert_eq!(
            Crop::new(0, 7, 1).unwrap(),
            Crop {
                x: 0,
                y: 7,
                size: 1
            }
        );
        assert_eq!(Crop::new(0, 0, 0).unwrap_err().field(), Field::Crop);
    }

    #[test]
    fn fits_inside_only() {
        let c = Crop {
            x: 10,
            y: 20,
            size: 30,
        };
        assert!(c.fits(40, 50));
        assert!(!c.fits(39, 50));
        assert!(!c.fits(40, 49));
        let huge = Crop {
            x: u32::MAX,
            y: 0,
            size: u32::MAX,
        };
        assert!(!huge.fits(u32::MAX, u32::MAX));
    }

    #[test]
    fn centred_is_the_largest_middle_square() {
        assert_eq!(
            Crop::centred(300, 100),
            Crop {
                x: 100,
                y: 0,
                size: 100
            }
        );
        assert_eq!(
            Crop::centred(101, 200),
            Crop {
                x: 0,
                y: 49,
                size: 101
            }
        );
    }
}
