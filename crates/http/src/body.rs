use serde_json::{Map, Value};

use crate::error::ApiError;

/// `Content-Type: application/json`, parameters such as `charset` allowed. Refusing
/// everything else also keeps cross-site form posts (CSRF) out.
pub fn require_json(content_type: Option<&[u8]>) -> Result<(), ApiError> {
    let refused = || {
        ApiError::unsupported_media_type(
            "Send the request body as JSON (Content-Type: application/json).",
        )
    };
    let value = content_type.ok_or_else(refused)?;
    let value = std::str::from_utf8(value).map_err(|_| refused())?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(refused())
    }
}

/// A parsed JSON object whose fields are read one by one, so each refusal names its field.
pub struct JsonObject(Map<String, Value>);

impl JsonObject {
    pub fn parse(body: &[u8]) -> Result<Self, ApiError> {
        // API Gateway hands a body that is not UTF-8 over as base64 and lambda_http decodes
        // it: these bytes can be anything.
        if std::str::from_utf8(body).is_err() {
            return Err(ApiError::invalid_body(
                "The request body must be JSON encoded as UTF-8.",
            ));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::invalid_body(
                "The request body must be a JSON object.",
            )),
            Err(e) => Err(ApiError::invalid_body(format!(
                "The request body is not valid JSON ({e})."
            ))),
        }
    }

    /// The field's value; `null` counts as absent.
    pub fn present(&self, field: &str) -> Option<&Value> {
        self.0.get(field).filter(|v| !v.is_null())
    }

    pub fn optional_str(&self, field: &'static str) -> Result<Option<&str>, ApiError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(ApiError::invalid(
                field,
                format!("The field {field} must be a string."),
            )),
        }
    }

    /// Absent → `None`; `null` → `Some(None)`; a string → `Some(Some(s))`.
    pub fn nullable_str(&self, field: &'static str) -> Result<Option<Option<&str>>, ApiError> {
        match self.0.get(field) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s))),
            Some(_) => Err(ApiError::invalid(
                field,
                format!("The field {field} must be a string or null."),
            )),
        }
    }

    pub fn required_str(&self, field: &'static str) -> Result<&str, ApiError> {
        self.optional_str(field)?
            .ok_or_else(|| ApiError::invalid(field, format!("The field {field} is required.")))
    }

    /// A JSON integer from 0 to `u64::MAX`, written as one: `1e3`, `1.0` and `5.5` are
    /// refused, since a client that sends them is not sending the count it thinks. An
    /// integer literal beyond `u64::MAX` is refused too (serde_json reads it as a float).
    pub fn optional_u64(&self, field: &'static str) -> Result<Option<u64>, ApiError> {
        match self.present(field) {
            None => Ok(None),
            Some(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
                (Some(v), _) => Ok(Some(v)),
                (None, Some(_)) => Err(ApiError::invalid(
                    field,
                    format!("The field {field} must not be negative."),
                )),
                (None, None) => Err(ApiError::invalid(
                    field,
                    format!(
                        "The field {field} must be a whole number written without a fraction or exponent, from 0 to {}.",
                        u64::MAX
                    ),
                )),
            },
            Some(_) => Err(ApiError::invalid(
                field,
                format!("The field {field} must be a whole number."),
            )),
        }
    }

    pub fn required_u64(&self, field: &'static str) -> Result<u64, ApiError> {
        self.optional_u64(field)?
            .ok_or_else(|| ApiError::invalid(field, format!("The field {field} is required.")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
        ] {
            assert!(require_json(Some(ok.as_bytes())).is_ok(), "{ok}");
        }
        for bad in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonp"),
            Some(""),
        ] {
            let err = require_json(bad.map(str::as_bytes)).unwrap_err();
            assert_eq!(err.code(), "unsupported_media_type", "{bad:?}");
        }
    }

    #[test]
    fn only_json_integers_are_whole_numbers() {
        let obj = JsonObject::parse(br#"{"a":5,"z":0,"m":18446744073709551615,"g":null}"#).unwrap();
        assert_eq!(obj.required_u64("a").unwrap(), 5);
        assert_eq!(obj.required_u64("z").unwrap(), 0);
        assert_eq!(obj.required_u64("m").unwrap(), u64::MAX);
        assert_eq!(obj.optional_u64("g").unwrap(), None);
        assert_eq!(obj.required_u64("zz").unwrap_err().field(), Some("zz"));
        for refused in [
            "-1",
            "-0.0",
            "1.0",
            "1e3",
            "1E3",
            "5.5",
            "0.0",
            "1e300",
            "-1e300",
            "18446744073709551616",
            "\"5\"",
            "true",
            "false",
            "[5]",
            "{}",
        ] {
            let obj = JsonObject::parse(format!("{{\"n\":{refused}}}").as_bytes()).unwrap();
            let err = obj.required_u64("n").unwrap_err();
            assert_eq!(err.code(), "invalid_request", "{refused}");
            assert_eq!(err.field(), Some("n"), "{refused}");
        }
    }

    #[test]
    fn non_objects_are_refused() {
        for body in [&b"[]"[..], b"null", b"\"x\"", b"{", b"", b"\xff"] {
            let err = JsonObject::parse(body).err().unwrap();
            assert_eq!(err.code(), "invalid_request");
            assert_eq!(err.field(), None);
        }
    }
}
