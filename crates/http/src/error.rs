//! The one error type of the API, and the one place it becomes a status and a `code`:
//! every domain error reaches the wire through here.

use avatar_domain::{BoxError, Field, ServiceError, ValueError};
use http::StatusCode;

/// Every refusal or failure the API can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    InvalidRequest {
        message: String,
        field: Option<&'static str>,
    },
    /// No verified caller on a route that needs one (the authorizer normally answers first).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may not use this thing (another account's upload).
    #[error("{message}")]
    Forbidden {
        message: String,
        field: Option<&'static str>,
    },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    UnsupportedType(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    UploadNotFound(String),
    #[error("{0}")]
    InvalidAvatar(String),
    #[error("{0}")]
    VersionConflict(String),
    /// The username belongs to another account.
    #[error("{0}")]
    UsernameTaken(String),
    /// The caller already owns a profile under another username.
    #[error("{0}")]
    AlreadyHasProfile(String),
    /// The account used up its allowance for this hour (`limits`); `retry_after_secs`
    /// is the time to the window's end, sent as `Retry-After`.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// A dependency (S3, DynamoDB, the credential source) failed after the SDK's retries.
    #[error("The service is temporarily unavailable. Try again in a moment.")]
    Unavailable(#[source] BoxError),
    /// A bug or a misconfiguration: logged in full, answered without detail.
    #[error("Something went wrong on our side.")]
    Internal(#[source] BoxError),
}

impl ApiError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidRequest {
            message: message.into(),
            field: Some(field),
        }
    }

    pub fn invalid_body(message: impl Into<String>) -> Self {
        Self::InvalidRequest {
            message: message.into(),
            field: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::UnsupportedMediaType(_) | Self::UnsupportedType(_) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::UploadNotFound(_) | Self::InvalidAvatar(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::VersionConflict(_) | Self::UsernameTaken(_) | Self::AlreadyHasProfile(_) => {
                StatusCode::CONFLICT
            }
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest { .. } => "invalid_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden { .. } => "forbidden",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::UnsupportedType(_) => "unsupported_type",
            Self::TooLarge(_) => "too_large",
            Self::NotFound(_) => "not_found",
            Self::UploadNotFound(_) => "upload_not_found",
            Self::InvalidAvatar(_) => "invalid_avatar",
            Self::VersionConflict(_) => "version_conflict",
            Self::UsernameTaken(_) => "username_taken",
            Self::AlreadyHasProfile(_) => "already_has_profile",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::InvalidRequest { field, .. } | Self::Forbidden { field, .. } => *field,
            Self::UsernameTaken(_) => Some("username"),
            // Only sign-upload raises these, and only for these two fields.
            Self::TooLarge(_) => Some("size"),
            Self::UnsupportedType(_) => Some("contentType"),
            _ => None,
        }
    }

    /// Seconds the caller should wait before trying again (the `Retry-After` header).
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// The §3 error body: `{"error": {"code", "message", "field"?}}`.
    pub fn body(&self) -> serde_json::Value {
        let mut error = serde_json::json!({
            "code": self.code(),
            "message": self.to_string(),
        });
        if let Some(field) = self.field() {
            error["field"] = field.into();
        }
        serde_json::json!({ "error": error })
    }
}

impl ApiError {
    /// The request's one log line for a refusal or failure; 5xx carry their cause.
    pub fn log(&self, route: &'static str, elapsed: std::time::Duration) {
        let status = self.status().as_u16();
        let elapsed_us = elapsed.as_micros() as u64;
        match self {
            Self::Unavailable(source) | Self::Internal(source) => tracing::error!(
                route,
                status,
                code = self.code(),
                elapsed_us,
                cause = %source,
                "request failed"
            ),
            _ => tracing::info!(
                route,
                status,
                code = self.code(),
                field = self.field(),
                elapsed_us,
                detail = %self,
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
            } => Self::Unauthorized(message),
            ValueError::Invalid { field, message } => Self::InvalidRequest {
                message,
                field: Some(field_name(field)),
            },
            ValueError::UnsupportedType(message) => Self::UnsupportedType(message),
        }
    }
}

/// Every use case's refusal or failure, as the API answers it.
impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Value(err) => err.into(),
            ServiceError::NotYours { field, message } => Self::Forbidden {
                message,
                field: Some(field_name(field)),
            },
            ServiceError::TooLarge(message) => Self::TooLarge(message),
            ServiceError::NotFound(message) => Self::NotFound(message),
            ServiceError::UploadNotFound(message) => Self::UploadNotFound(message),
            ServiceError::InvalidAvatar(message) => Self::InvalidAvatar(message),
            ServiceError::VersionConflict(message) => Self::VersionConflict(message),
            ServiceError::UsernameTaken(message) => Self::UsernameTaken(message),
            ServiceError::AlreadyHasProfile(message) => Self::AlreadyHasProfile(message),
            ServiceError::RateLimited {
                message,
                retry_after_secs,
            } => Self::RateLimited {
                message,
                retry_after_secs,
            },
            ServiceError::Unavailable(source) => Self::Unavailable(source),
            ServiceError::Failed(source) => Self::Internal(source),
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
}
