//! S3's XML bodies: `<Error><Code>…</Code><Message>…</Message>…</Error>` and the few
//! documents this layer writes itself.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

pub(crate) const DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// Text content escaped for XML. Quotes stay as they are: S3 writes an ETag as `"…"`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn document(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

/// An S3 error document; `extra` adds the elements some codes carry (e.g. `BucketName`).
pub(crate) fn error(
    status: StatusCode,
    code: &str,
    message: &str,
    extra: &[(&str, &str)],
) -> Response {
    let mut body = format!(
        "{DECLARATION}\n<Error><Code>{}</Code><Message>{}</Message>",
        escape(code),
        escape(message)
    );
    for (name, value) in extra {
        body.push_str(&format!("<{name}>{}</{name}>", escape(value)));
    }
    body.push_str("</Error>");
    document(status, body)
}

/// The `<Code>` of an S3 error document.
pub(crate) fn error_code(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text[start..].find("</Code>")?;
    Some(&text[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_but_keeps_quotes() {
        assert_eq!(escape(r#"a<b>&"c""#), r#"a&lt;b&gt;&amp;"c""#);
    }

    #[tokio::test]
    async fn error_documents_round_trip_their_code() {
        let response = error(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
            &[("BucketName", "b<1>")],
        );
        assert_eq!(response.status(), 404);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/xml");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        assert_eq!(error_code(&body), Some("NoSuchBucket"));
        let text = std::str::from_utf8(&body).unwrap();
        assert!(text.ends_with(
            "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>b&lt;1&gt;</BucketName></Error>"
        ));
        assert_eq!(error_code(b"<Error><Message>x</Message></Error>"), None);
    }
}
