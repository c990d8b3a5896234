use serde_json::{Map, Value};

use crate::error::ApiError;

/// The square of the upright picture (after EXIF orientation) an avatar shows, in pixels:
/// `{"x", "y", "size"}`, whole numbers written as JSON integers, `size ≥ 1`. Whether it
/// lies inside the picture is known only once the upload is read ([`Crop::fits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crop {
    pub x: u32,
    pub y: u32,
    pub size: u32,
}

const FIELD: &str = "crop";
const MEMBERS: [&str; 3] = ["x", "y", "size"];

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

impl TryFrom<&Value> for Crop {
    type Error = ApiError;

    fn try_from(value: &Value) -> Result<Self, Self::Error> {
        let Value::Object(members) = value else {
            return Err(invalid(
                "The field crop must be an object {\"x\", \"y\", \"size\"}.",
            ));
        };
        if let Some(extra) = members.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            return Err(invalid(format!(
                "The field crop has an unknown member \"{extra}\"; it takes x, y and size."
            )));
        }
        let crop = Self {
            x: member(members, "x")?,
            y: member(members, "y")?,
            size: member(members, "size")?,
        };
        if crop.size == 0 {
            return Err(invalid("The crop's size must be at least 1 pixel."));
        }
        Ok(crop)
    }
}

/// A JSON integer ≥ 0: serde_json keeps `1.0` and `1e3` as floats, so `as_u64` alone
/// refuses them, as it does negatives.
fn member(members: &Map<String, Value>, name: &str) -> Result<u32, ApiError> {
    match members.get(name) {
        None => Err(invalid(format!("The crop needs \"{name}\"."))),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| {
                invalid(format!(
                    "The crop's \"{name}\" must be a whole number of pixels, written without a fraction or exponent, and not negative."
                ))
            }),
        Some(_) => Err(invalid(format!(
            "The crop's \"{name}\" must be a number of pixels."
        ))),
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(FIELD, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Crop, ApiError> {
        Crop::try_from(&serde_json::from_str::<Value>(json).unwrap())
    }

    #[test]
    fn accepts_integers() {
        assert_eq!(
            parse(r#"{"x":0,"y":7,"size":1}"#).unwrap(),
            Crop {
                x: 0,
                y: 7,
                size: 1
            }
        );
    }

    #[test]
    fn refuses_everything_but_integers() {
        for bad in [
            r#"{"x":1.0,"y":0,"size":5}"#,
            r#"{"x":0,"y":1e3,"size":5}"#,
            r#"{"x":0,"y":0,"size":5.5}"#,
            r#"{"x":-1,"y":0,"size":5}"#,
            r#"{"x":"1","y":0,"size":5}"#,
            r#"{"x":0,"y":0}"#,
            r#"{"x":0,"y":0,"size":5,"z":1}"#,
            r#"{"x":0,"y":0,"size":0}"#,
            r#"{"x":0,"y":0,"size":4294967296}"#,
            r#"{"x":null,"y":0,"size":5}"#,
            r#"[0,0,5]"#,
            r#""0,0,5""#,
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_request", "{bad}");
            assert_eq!(err.field(), Some("crop"), "{bad}");
        }
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
