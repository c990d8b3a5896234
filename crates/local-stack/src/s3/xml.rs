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

/// Whether an S3 error document says why (s3s leaves some without a `<Message>`).
pub(crate) fn has_message(body: &[u8]) -> bool {
    memchr::memmem::find(body, b"<Message>").is_some()
}

/// S3's own message for the codes s3s may answer a browser upload with and no message.
pub(crate) fn standard_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "AccessDenied" => "Access Denied",
        "SignatureDoesNotMatch" => {
            "The request signature we calculated does not match the signature you provided. \
             Check your key and signing method."
        }
        "InvalidAccessKeyId" => "The AWS Access Key Id you provided does not exist in our records.",
        "RequestTimeTooSkewed" => {
            "The difference between the request time and the current time is too large."
        }
        "InvalidPolicyDocument" => {
            "The content of the form does not meet the conditions specified in the policy document."
        }
        "EntityTooLarge" => "Your proposed upload exceeds the maximum allowed size",
        "EntityTooSmall" => "Your proposed upload is smaller than the minimum allowed object size.",
        "InvalidArgument" => "Invalid Argument",
        "IncompleteBody" => {
            "You did not provide the number of bytes specified by the Content-Length HTTP header."
        }
        "InternalError" => "We encountered an internal error. Please try again.",
        _ => return None,
    })
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
