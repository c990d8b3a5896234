//! The `crop` member of `POST /api/profile`: `{"x", "y", "size"}`, JSON integers only.

use avatar_domain::values::Crop;
use serde_json::{Map, Value};

use crate::error::ApiError;

const FIELD: &str = "crop";
const MEMBERS: [&str; 3] = ["x", "y", "size"];

/// Parses the member; `size ≥ 1` is the domain's rule.
pub fn crop(value: &Value) -> Result<Crop, ApiError> {
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
    Ok(Crop::new(
        member(members, "x")?,
        member(members, "y")?,
        member(members, "size")?,
    )?)
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
        crop(&serde_json::from_str::<Value>(json).unwrap())
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
}
