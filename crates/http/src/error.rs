//! The one error type of the API, and the one place a domain error becomes a status, a
//! `code`, the member at fault and a message (§3): every refusal reaches the wire through
//! here.

use avatar_domain::{BoxError, Field, ServiceError, ValueError};
use http::StatusCode;

/// A refusal or failure as the API answers it. 5xx keep their cause for the log line;
/// the answer never shows it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
    message: String,
    /// The time to wait, sent as `Retry-After`.
    retry_after_secs: Option<u64>,
    cause: Option<BoxError>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|e| e as _)
    }
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            field: None,
            message: message.into(),
            retry_after_secs: None,
            cause: None,
        }
    }

    fn on(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// `400 invalid_request` naming the member at fault.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message).on(field)
    }

    /// `400 invalid_request` for the body as a whole.
    pub fn invalid_body(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", message)
    }

    /// `401 unauthorized`: no verified caller on a route that needs one (the authorizer
    /// normally answers first).
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// `415 unsupported_media_type`: a body that is not JSON.
    pub fn unsupported_media_type(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    /// `404 not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// Seconds the caller should wait before trying again (the `Retry-After` header).
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after_secs
    }

    /// The §3 error body: `{"error": {"code", "message", "field"?}}`.
    pub fn body(&self) -> serde_json::Value {
        let mut error = serde_json::json!({
            "code": self.code,
            "message": self.message,
        });
        if let Some(field) = self.field {
            error["field"] = field.into();
        }
        serde_json::json!({ "error": error })
    }

    /// The request's one log line for a refusal or failure; 5xx carry their cause.
    pub fn log(&self, route: &'static str, elapsed: std::time::Duration) {
        let status = self.status.as_u16();
        let elapsed_us = elapsed.as_micros() as u64;
        match &self.cause {
            Some(cause) => tracing::error!(
                route,
                status,
                code = self.code,
                elapsed_us,
                cause = %cause,
                "request failed"
            ),
            None => tracing::info!(
                route,
                status,
                code = self.code,
                field = self.field,
                elapsed_us,
                detail = %self.message,
                "request refused"
            ),
        }
    }
}

/// The JSON member that carries a domain field.
pub fn field_name(field: Field) -> &'static str {
    match field {
        Field::Account => "sub",
        Field::Username => "username",
        Field::FullName => "fullName",
        Field::Upload => "avatarKey",
        Field::Crop => "crop",
        Field::ContentType => "contentType",
        Field::Size => "size",
        Field::Checksum => "checksumSha256",
    }
}

/// A value that is not valid: `400` naming its member, or `415` for a picture type the
/// app does not take. An account id is never a request member: it comes from the verified
/// token, and one that is not valid is the token's fault (`401`).
impl From<ValueError> for ApiError {
    fn from(err: ValueError) -> Self {
        match err {
            ValueError::Invalid {
                field: Field::Account,
                message,
            } => Self::unauthorized(message),
            ValueError::Invalid { field, message } => Self::invalid(field_name(field), message),
            ValueError::UnsupportedType(message) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_type",
                message,
            )
            .on(field_name(Field::ContentType)),
        }
    }
}

/// Every use case's refusal or failure, as the API answers it.
impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        // The domain's words for the failures; the cause goes to the log only.
        let message = err.to_string();
        let entity = StatusCode::UNPROCESSABLE_ENTITY;
        match err {
            ServiceError::Value(err) => err.into(),
            ServiceError::NotYours { field, message } => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", message).on(field_name(field))
            }
            ServiceError::TooLarge(message) => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
                    .on(field_name(Field::Size))
            }
            ServiceError::NotFound(message) => Self::not_found(message),
            ServiceError::UploadNotFound(message) => Self::new(entity, "upload_not_found", message),
            ServiceError::InvalidAvatar(message) => Self::new(entity, "invalid_avatar", message),
            ServiceError::VersionConflict(message) => {
                Self::new(StatusCode::CONFLICT, "version_conflict", message)
            }
            ServiceError::UsernameTaken(message) => {
                Self::new(StatusCode::CONFLICT, "username_taken", message)
                    .on(field_name(Field::Username))
            }
            ServiceError::AlreadyHasProfile(message) => {
                Self::new(StatusCode::CONFLICT, "already_has_profile", message)
            }
            ServiceError::RateLimited {
                message,
                retry_after_secs,
            } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            },
            ServiceError::Unavailable(cause) => Self {
                cause: Some(cause),
                ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            },
            ServiceError::Failed(cause) => Self {
                cause: Some(cause),
                ..Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use avatar_domain::values::ContentType;

    use super::ApiError;

    /// The JSON log lines written while `f` runs.
    fn logged(f: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_refused_content_type_is_logged_shortened() {
        let sent = format!("{}{}", "x".repeat(100), "SECRET-TAIL".repeat(1000));
        let err = ApiError::from(ContentType::try_from(sent.as_str()).unwrap_err());
        let line = logged(|| err.log("sign-upload", std::time::Duration::ZERO));
        let line: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        let detail = line["detail"].as_str().unwrap();
        assert!(
            detail.contains(&format!("{}…", "x".repeat(100))),
            "{detail}"
        );
        assert!(!detail.contains("SECRET-TAIL"), "{detail}");
        assert_eq!(line["field"], "contentType");
        assert_eq!(line["status"], 415);
    }

    /// Every domain error answers with the status, code and member §3 documents.
    #[test]
    fn every_domain_error_has_its_documented_answer() {
        use avatar_domain::{Field, ServiceError, ValueError};

        let invalid = |field| ServiceError::Value(ValueError::invalid(field, "x"));
        let cases: Vec<(ServiceError, u16, &str, Option<&str>)> = vec![
            (
                invalid(Field::Username),
                400,
                "invalid_request",
                Some("username"),
            ),
            (
                invalid(Field::FullName),
                400,
                "invalid_request",
                Some("fullName"),
            ),
            (
                invalid(Field::Upload),
                400,
                "invalid_request",
                Some("avatarKey"),
            ),
            (invalid(Field::Crop), 400, "invalid_request", Some("crop")),
            (
                invalid(Field::Checksum),
                400,
                "invalid_request",
                Some("checksumSha256"),
            ),
            (invalid(Field::Account), 401, "unauthorized", None),
            (
                ValueError::UnsupportedType("x".into()).into(),
                415,
                "unsupported_type",
                Some("contentType"),
            ),
            (
                ServiceError::NotYours {
                    field: Field::Upload,
                    message: "x".into(),
                },
                403,
                "forbidden",
                Some("avatarKey"),
            ),
            (
                ServiceError::TooLarge("x".into()),
                413,
                "too_large",
                Some("size"),
            ),
            (ServiceError::NotFound("x".into()), 404, "not_found", None),
            (
                ServiceError::UploadNotFound("x".into()),
                422,
                "upload_not_found",
                None,
            ),
            (
                ServiceError::InvalidAvatar("x".into()),
                422,
                "invalid_avatar",
                None,
            ),
            (
                ServiceError::VersionConflict("x".into()),
                409,
                "version_conflict",
                None,
            ),
            (
                ServiceError::UsernameTaken("x".into()),
                409,
                "username_taken",
                Some("username"),
            ),
            (
                ServiceError::AlreadyHasProfile("x".into()),
                409,
                "already_has_profile",
                None,
            ),
            (
                ServiceError::RateLimited {
                    message: "x".into(),
                    retry_after_secs: 7,
                },
                429,
                "rate_limited",
                None,
            ),
            (
                ServiceError::Unavailable("down".into()),
                503,
                "unavailable",
                None,
            ),
            (ServiceError::Failed("bug".into()), 500, "internal", None),
        ];
        for (err, status, code, field) in cases {
            let name = format!("{err:?}");
            let api = ApiError::from(err);
            assert_eq!(
                (api.status().as_u16(), api.code(), api.field()),
                (status, code, field),
                "{name}"
            );
        }
        let failed = ApiError::from(ServiceError::Failed("secret cause".into()));
        assert_eq!(failed.to_string(), "Something went wrong on our side.");
        assert!(
            !failed.body().to_string().contains("secret"),
            "a cause is never answered"
        );
        let limited = ApiError::from(ServiceError::RateLimited {
            message: "later".into(),
            retry_after_secs: 7,
        });
        assert_eq!(limited.retry_after_secs(), Some(7));
    }
}
