//! POST Object — the browser upload — answered as S3 answers it. s3s checks the signature
//! and the policy and stores the object, but it answers success with a bare status (no
//! `ETag`, no `Location`; a `201` document with a relative Location and an unquoted ETag)
//! and words policy refusals its own way. So the form's fields are read on the way in and
//! those answers are rewritten on the way out; everything else is s3s's.

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use http::{HeaderValue, Method, StatusCode, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use time::OffsetDateTime;

use super::form::{self, Form};
use super::policy::Policy;
use super::{S3Stack, xml};
use super::{bounded, checksum};

/// A key in S3's `Location`: everything but unreserved characters escaped, `/` included
/// (S3 answers `…/incoming%2Fa.png`).
const KEY_IN_LOCATION: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// A key in a request path: the same, but `/` separates segments.
const KEY_IN_PATH: &AsciiSet = &KEY_IN_LOCATION.remove(b'/');
/// s3s's own error bodies are a few hundred bytes.
const MAX_ERROR_BODY: usize = 64 * 1024;
/// What s3s says when it stored the object but could not redirect to an invalid
/// `success_action_redirect`; S3 ignores such a field and answers as if it were absent.
const S3S_BAD_REDIRECT: [&str; 2] = [
    "Invalid redirect URL",
    "success_action_redirect contains invalid control characters",
];

/// Whether a request is a POST Object: a multipart form POSTed to `/{bucket}`.
pub(crate) fn boundary_of(request: &Request, bucket: &str) -> Option<String> {
    let path = request.uri().path().trim_start_matches('/');
    let to_bucket = path.trim_end_matches('/') == bucket && request.uri().query().is_none();
    if request.method() != Method::POST || !to_bucket {
        return None;
    }
    let content_type = request.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    form::boundary(content_type)
}

pub(crate) async fn handle(
    s3: &S3Stack,
    request: Request,
    boundary: &str,
    bucket: &str,
) -> Response {
    let origin = origin(&request, s3);
    // No form may be larger than the largest upload and its fields: refused unread.
    let ceiling = bounded::MAX_UPLOAD_BYTES + bounded::FORM_OVERHEAD;
    if let Some(refused) = bounded::declared_too_large(request.headers(), ceiling) {
        return refused;
    }
    let (parts, body) = request.into_parts();
    let (form, body) = form::peek(body, boundary).await;
    let Some(form) = form else {
        // Not a form this layer can read: the verifier refuses it in its own words, having
        // read no more than a form's fields.
        let (body, tripped) = bounded::limited(body, bounded::UNREAD_FORM_CAP);
        let response = super::call(&s3.service, Request::from_parts(parts, body)).await;
        if tripped.get() {
            return bounded::too_large(None, bounded::UNREAD_FORM_CAP);
        }
        return response;
    };
    let policy = Policy::of(&form);
    let cap = match bounded::judge(&form, policy.as_ref(), &s3.secrets) {
        bounded::Verdict::Signed { cap } | bounded::Verdict::Unsigned { cap } => cap,
        bounded::Verdict::Refused(refused) => return refused,
    };
    if let Some(refused) = bounded::declared_too_large(&parts.headers, cap) {
        return refused;
    }
    let (body, tripped) = bounded::limited(body, cap);
    let body = match checksum::verify(&form, body, boundary, cap).await {
        Ok(body) => body,
        Err(_) if tripped.get() => return bounded::too_large(None, cap),
        Err(refused) => return refused,
    };
    let request = Request::from_parts(parts, body);
    // s3s lets `x-amz-server-side-encryption*` through unsigned (a MinIO habit); S3 refuses
    // every uncovered field, so refuse here, before anything is stored.
    if let Some(policy) = &policy {
        let extra = policy.extra_fields(&form);
        if extra
            .iter()
            .any(|name| name.starts_with("x-amz-server-side-encryption"))
        {
            return extra_fields(&extra);
        }
    }
    let response = super::call(&s3.service, request).await;
    if tripped.get() {
        return bounded::too_large(None, cap);
    }
    let status = response.status();
    if status.is_success() || status == StatusCode::SEE_OTHER {
        return stored(s3, &form, bucket, &origin, response, true).await;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return xml::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
            &[],
        );
    };
    let code = xml::error_code(&bytes).unwrap_or_default();
    match (status, code, &policy) {
        (StatusCode::BAD_REQUEST, "InvalidPolicyDocument", Some(policy)) => {
            if let Some(condition) = policy.first_failed(&form, bucket) {
                return access_denied(&format!("Policy Condition failed: {condition}"));
            }
        }
        (StatusCode::FORBIDDEN, "AccessDenied", Some(policy)) => {
            if policy.expired(OffsetDateTime::now_utc()) {
                return access_denied("Policy expired.");
            }
            let extra = policy.extra_fields(&form);
            if !extra.is_empty() {
                return extra_fields(&extra);
            }
        }
        (StatusCode::BAD_REQUEST, "InvalidArgument", _)
            if S3S_BAD_REDIRECT
                .iter()
                .any(|m| memchr::memmem::find(&bytes, m.as_bytes()).is_some()) =>
        {
            let response = Response::from_parts(parts, Body::empty());
            return stored(s3, &form, bucket, &origin, response, false).await;
        }
        _ => {}
    }
    if !xml::has_message(&bytes)
        && let Some(message) = xml::standard_message(code)
    {
        return xml::error(status, code, message, &[]);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `403 AccessDenied` worded as S3 words a policy refusal.
fn access_denied(reason: &str) -> Response {
    xml::error(
        StatusCode::FORBIDDEN,
        "AccessDenied",
        &format!("Invalid according to Policy: {reason}"),
        &[],
    )
}

fn extra_fields(names: &[&str]) -> Response {
    access_denied(&format!("Extra input fields: {}", names.join(", ")))
}

/// `http://{host}` the client addressed, for the object's URL (path-style, as it posted).
fn origin(request: &Request, s3: &S3Stack) -> String {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.parse::<http::uri::Authority>().is_ok());
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{}", s3.addr),
    }
}

/// The object is stored: answer with its ETag and URL, as `success_action_redirect` or
/// `success_action_status` ask (S3 ignores values it does not know, so does this).
async fn stored(
    s3: &S3Stack,
    form: &Form,
    bucket: &str,
    origin: &str,
    response: Response,
    redirect: bool,
) -> Response {
    let Some(key) = form.get("key") else {
        return response;
    };
    let Some(etag) = stored_etag(s3, bucket, key).await else {
        tracing::warn!(
            bucket,
            key,
            "embedded S3: stored object not readable for its ETag"
        );
        return response;
    };
    let location = format!(
        "{origin}/{bucket}/{}",
        utf8_percent_encode(key, KEY_IN_LOCATION)
    );
    let target = form
        .get("success_action_redirect")
        .or_else(|| form.get("redirect"))
        .filter(|_| redirect)
        .and_then(|target| url::Url::parse(target).ok());
    if let Some(mut target) = target {
        target
            .query_pairs_mut()
            .append_pair("bucket", bucket)
            .append_pair("key", key)
            .append_pair("etag", &etag);
        let mut answer = Response::new(Body::empty());
        *answer.status_mut() = StatusCode::SEE_OTHER;
        if let Ok(value) = HeaderValue::from_str(target.as_str()) {
            answer.headers_mut().insert(header::LOCATION, value);
        }
        return answer;
    }

    let (mut parts, _) = response.into_parts();
    let body = match form.get("success_action_status") {
        Some("200") => {
            parts.status = StatusCode::OK;
            Body::empty()
        }
        Some("201") => {
            parts.status = StatusCode::CREATED;
            parts.headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            );
            Body::from(format!(
                "{}\n<PostResponse><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></PostResponse>",
                xml::DECLARATION,
                xml::escape(&location),
                xml::escape(bucket),
                xml::escape(key),
                xml::escape(&etag),
            ))
        }
        _ => {
            parts.status = StatusCode::NO_CONTENT;
            parts.headers.remove(header::CONTENT_TYPE);
            Body::empty()
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in [(header::ETAG, &etag), (header::LOCATION, &location)] {
        if let Ok(value) = HeaderValue::from_str(value) {
            parts.headers.insert(name, value);
        }
    }
    Response::from_parts(parts, body)
}

/// The stored object's ETag, quoted as S3 sends it, read back as any client would.
async fn stored_etag(s3: &S3Stack, bucket: &str, key: &str) -> Option<String> {
    let uri = format!("/{bucket}/{}", utf8_percent_encode(key, KEY_IN_PATH))
        .parse::<http::Uri>()
        .ok()?;
    let mut head = http::Request::new(s3s::Body::empty());
    *head.method_mut() = Method::HEAD;
    *head.uri_mut() = uri;
    let response = s3.reader.call(head).await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    let etag = response.headers().get(header::ETAG)?.to_str().ok()?;
    Some(if etag.starts_with('"') {
        etag.to_string()
    } else {
        format!("\"{etag}\"")
    })
}
