//! A browser POST is held to what it may store before any of it is buffered. The form's
//! fields are read ahead (at most `form::MAX_FIELDS_BYTES`); then the policy's signature is
//! checked, and the body is capped at what the signed policy allows the file
//! (`content-length-range`, never above [`MAX_UPLOAD_BYTES`]) plus the form around it. A
//! body declared larger is refused before a byte of it is read; a chunked one is counted
//! as it streams and refused the moment it passes the cap. A form whose signature cannot
//! be checked stores nothing, so it is held to the form's overhead alone.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use aws_lc_rs::hmac;
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use futures_util::Stream;
use http::{HeaderMap, StatusCode, header};

use super::form::{Form, MAX_FIELDS_BYTES};
use super::policy::Policy;
use super::xml;
use crate::iam::Iam;

/// The largest picture the app may ever accept: the ceiling of the template's
/// `MaxUploadBytes`, which save-profile's memory is sized for.
pub(crate) const MAX_UPLOAD_BYTES: u64 = 25 * 1024 * 1024;

/// The form around the file: its fields (read ahead up to `MAX_FIELDS_BYTES`), part
/// headers and boundaries.
pub(crate) const FORM_OVERHEAD: u64 = MAX_FIELDS_BYTES as u64 + 64 * 1024;

/// Whose secret signs a form: local IAM's keys, or the one key of a stack without it.
pub(crate) enum Secrets {
    Iam(Arc<Iam>),
    Single {
        access_key: String,
        secret_key: String,
    },
}

impl Secrets {
    fn secret_of(&self, access_key: &str) -> Option<&str> {
        match self {
            Self::Iam(iam) => iam.secret_of(access_key),
            Self::Single {
                access_key: key,
                secret_key,
            } => (key == access_key).then_some(secret_key.as_str()),
        }
    }
}

/// What a form may send, and whether its signature holds.
pub(crate) enum Verdict {
    /// Signed by a known key: the body may hold the policy's file plus the form.
    Signed { cap: u64 },
    /// No SigV4 signature to check: S3 stores nothing, so only the form is read.
    Unsigned { cap: u64 },
    /// Refused as S3 refuses it, before the body is read.
    Refused(Response),
}

/// The cap for a request whose form could not be read.
pub(crate) const UNREAD_FORM_CAP: u64 = FORM_OVERHEAD;

/// Checks the form's SigV4 signature over its policy (HMAC of the base64 policy with the
/// key derived from the credential's date, region and service).
pub(crate) fn judge(form: &Form, policy: Option<&Policy>, secrets: &Secrets) -> Verdict {
    let unsigned = Verdict::Unsigned { cap: FORM_OVERHEAD };
    let (Some(algorithm), Some(credential), Some(signature), Some(encoded)) = (
        form.get("x-amz-algorithm"),
        form.get("x-amz-credential"),
        form.get("x-amz-signature"),
        form.get("policy"),
    ) else {
        return unsigned;
    };
    if algorithm != "AWS4-HMAC-SHA256" {
        return unsigned;
    }
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key, date, region, service, "aws4_request"] = scope.as_slice() else {
        return unsigned;
    };
    let Some(secret) = secrets.secret_of(access_key) else {
        return Verdict::Refused(refusal(StatusCode::FORBIDDEN, "InvalidAccessKeyId"));
    };
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in [*date, *region, *service, "aws4_request"] {
        key = sign(&key, part.as_bytes());
    }
    let expected = hex(&sign(&key, encoded.as_bytes()));
    if !signature.eq_ignore_ascii_case(&expected) {
        return Verdict::Refused(refusal(StatusCode::FORBIDDEN, "SignatureDoesNotMatch"));
    }
    let file = policy
        .and_then(Policy::max_length)
        .unwrap_or(MAX_UPLOAD_BYTES)
        .min(MAX_UPLOAD_BYTES);
    Verdict::Signed {
        cap: file + FORM_OVERHEAD,
    }
}

fn sign(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn refusal(status: StatusCode, code: &str) -> Response {
    xml::error(
        status,
        code,
        xml::standard_message(code).unwrap_or(code),
        &[],
    )
}

/// The body's declared length, if it says one.
fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// `400 EntityTooLarge` when the request declares more than `cap` bytes: nothing is read.
pub(crate) fn declared_too_large(headers: &HeaderMap, cap: u64) -> Option<Response> {
    let declared = declared_length(headers)?;
    (declared > cap).then(|| too_large(Some(declared), cap))
}

/// S3's answer to a body over the limit, with the sizes it names.
pub(crate) fn too_large(proposed: Option<u64>, cap: u64) -> Response {
    let proposed = proposed.map(|p| p.to_string());
    let allowed = cap.to_string();
    let mut extra = Vec::new();
    if let Some(proposed) = &proposed {
        extra.push(("ProposedSize", proposed.as_str()));
    }
    extra.push(("MaxSizeAllowed", allowed.as_str()));
    xml::error(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        xml::standard_message("EntityTooLarge").unwrap_or_default(),
        &extra,
    )
}

/// Whether a [`limited`] body went past its cap.
#[derive(Clone, Default)]
pub(crate) struct Tripped(Arc<AtomicBool>);

impl Tripped {
    pub(crate) fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The body, ending in an error as soon as more than `cap` bytes have come through; the
/// bytes are counted as they pass, none is held here.
pub(crate) fn limited(body: Body, cap: u64) -> (Body, Tripped) {
    let tripped = Tripped::default();
    let stream = Capped {
        inner: Box::pin(body.into_data_stream()),
        left: cap,
        tripped: tripped.clone(),
    };
    (Body::from_stream(stream), tripped)
}

struct Capped {
    inner: Pin<Box<axum::body::BodyDataStream>>,
    left: u64,
    tripped: Tripped,
}

#[derive(Debug, thiserror::Error)]
#[error("the body is larger than the form may be")]
struct TooLarge;

impl Stream for Capped {
    type Item = Result<Bytes, axum::BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.tripped.get() {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let len = chunk.len() as u64;
                if len > self.left {
                    self.tripped.0.store(true, Ordering::Relaxed);
                    return Poll::Ready(Some(Err(TooLarge.into())));
                }
                self.left -= len;
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            other => other.map(|_| None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use futures_util::StreamExt;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form::from_pairs(pairs)
    }

    /// A form signed by `secret` over a policy that allows 1000 bytes.
    fn signed_form(secret: &str) -> (Form, Secrets) {
        let policy = base64::engine::general_purpose::STANDARD.encode(
            r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",1,1000]]}"#,
        );
        let secrets = Secrets::Single {
            access_key: "AKID".into(),
            secret_key: secret.into(),
        };
        let mut key = format!("AWS4{secret}").into_bytes();
        for part in ["20300101", "us-east-1", "s3", "aws4_request"] {
            key = sign(&key, part.as_bytes());
        }
        let signature = hex(&sign(&key, policy.as_bytes()));
        let form = form(&[
            ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            (
                "x-amz-credential",
                "AKID/20300101/us-east-1/s3/aws4_request",
            ),
            ("x-amz-signature", &signature),
            ("policy", &policy),
        ]);
        (form, secrets)
    }

    #[test]
    fn a_signed_form_may_send_its_policys_file_and_the_form() {
        let (form, secrets) = signed_form("secret");
        let policy = Policy::of(&form);
        match judge(&form, policy.as_ref(), &secrets) {
            Verdict::Signed { cap } => assert_eq!(cap, 1000 + FORM_OVERHEAD),
            _ => panic!("signed"),
        }
    }

    #[test]
    fn a_wrong_key_or_signature_is_refused_and_no_signature_reads_only_the_form() {
        let (form, _) = signed_form("secret");
        let policy = Policy::of(&form);
        let wrong_secret = Secrets::Single {
            access_key: "AKID".into(),
            secret_key: "other".into(),
        };
        let unknown_key = Secrets::Single {
            access_key: "OTHER".into(),
            secret_key: "secret".into(),
        };
        for (name, secrets, status) in [
            ("wrong secret", wrong_secret, 403),
            ("unknown key", unknown_key, 403),
        ] {
            match judge(&form, policy.as_ref(), &secrets) {
                Verdict::Refused(r) => assert_eq!(r.status(), status, "{name}"),
                _ => panic!("{name}: refused"),
            }
        }
        let (_, secrets) = signed_form("secret");
        match judge(&Form::default(), None, &secrets) {
            Verdict::Unsigned { cap } => assert_eq!(cap, FORM_OVERHEAD),
            _ => panic!("unsigned"),
        }
    }

    #[test]
    fn a_policy_above_the_ceiling_gets_the_ceiling() {
        let policy = base64::engine::general_purpose::STANDARD.encode(
            r#"{"expiration":"2030-01-01T00:00:00Z","conditions":[["content-length-range",1,5000000000]]}"#,
        );
        let form = form(&[("policy", &policy)]);
        assert_eq!(
            Policy::of(&form).and_then(|p| p.max_length()),
            Some(5_000_000_000)
        );
        let secrets = Secrets::Single {
            access_key: "AKID".into(),
            secret_key: "s".into(),
        };
        let mut key = b"AWS4s".to_vec();
        for part in ["20300101", "us-east-1", "s3", "aws4_request"] {
            key = sign(&key, part.as_bytes());
        }
        let signature = hex(&sign(&key, policy.as_bytes()));
        let form = Form::from_pairs(&[
            ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            (
                "x-amz-credential",
                "AKID/20300101/us-east-1/s3/aws4_request",
            ),
            ("x-amz-signature", &signature),
            ("policy", &policy),
        ]);
        match judge(&form, Policy::of(&form).as_ref(), &secrets) {
            Verdict::Signed { cap } => assert_eq!(cap, MAX_UPLOAD_BYTES + FORM_OVERHEAD),
            _ => panic!("signed"),
        }
    }

    #[tokio::test]
    async fn a_body_past_its_cap_ends_in_an_error_at_the_cap() {
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            (0..10).map(|_| Ok(Bytes::from(vec![0u8; 100]))).collect();
        let (body, tripped) = limited(Body::from_stream(futures_util::stream::iter(chunks)), 450);
        let mut stream = body.into_data_stream();
        let mut passed = 0;
        let mut failed = false;
        while let Some(item) = stream.next().await {
            match item {
                Ok(chunk) => passed += chunk.len(),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed && tripped.get());
        assert_eq!(passed, 400);

        let (body, tripped) = limited(Body::from(vec![0u8; 450]), 450);
        assert_eq!(
            axum::body::to_bytes(body, usize::MAX).await.unwrap().len(),
            450
        );
        assert!(!tripped.get());
    }

    #[test]
    fn a_declared_length_over_the_cap_is_refused_unread() {
        let mut headers = HeaderMap::new();
        assert!(declared_too_large(&headers, 10).is_none());
        headers.insert(header::CONTENT_LENGTH, "11".parse().unwrap());
        let refused = declared_too_large(&headers, 10).expect("refused");
        assert_eq!(refused.status(), 400);
        headers.insert(header::CONTENT_LENGTH, "10".parse().unwrap());
        assert!(declared_too_large(&headers, 10).is_none());
    }
}
