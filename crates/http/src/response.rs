use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

use crate::error::ApiError;

/// A JSON answer that no cache keeps and no browser sniffs.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response<String> {
    let (status, text) = match serde_json::to_string(body) {
        Ok(text) => (status, text),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"error":{"code":"internal","message":"internal error"}}"#.to_string(),
        ),
    };
    let mut response = Response::new(text);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `204 No Content`, with the same caching and sniffing rules as every answer.
pub fn no_content() -> Response<String> {
    let mut response = json_response(StatusCode::NO_CONTENT, &());
    *response.body_mut() = String::new();
    response.headers_mut().remove(header::CONTENT_TYPE);
    response
}

pub fn error_response(error: &ApiError) -> Response<String> {
    let mut response = json_response(error.status(), &error.body());
    if let Some(seconds) = error.retry_after_secs() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use avatar_domain::ServiceError;

    use super::*;

    #[test]
    fn errors_have_the_documented_shape() {
        let response = error_response(&ApiError::invalid("username", "too short"));
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "invalid_request", "message": "too short", "field": "username"}})
        );
        let body: serde_json::Value =
            serde_json::from_str(error_response(&ApiError::not_found("no")).body()).unwrap();
        assert!(body["error"].get("field").is_none());
        assert!(!response.headers().contains_key(header::RETRY_AFTER));
    }

    #[test]
    fn a_rate_limited_answer_says_when_to_retry() {
        let response = error_response(&ApiError::from(ServiceError::RateLimited {
            message: "later".into(),
            retry_after_secs: 1234,
        }));
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1234");
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "rate_limited", "message": "later"}})
        );
    }
}
