//! SigV4 verification of a header-signed request, for the embedded DynamoDB (dynoxide
//! checks only that the signature's parts are present): the canonical request from the
//! headers the client signed, the string to sign from its credential scope, and the
//! signature recomputed with the key's secret. s3s does the same for S3.

use aws_lc_rs::{digest, hmac};
use http::{HeaderMap, Method, Uri};

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
struct Authorization<'a> {
    access_key: &'a str,
    scope: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse(header: &str) -> Option<Authorization<'_>> {
    let rest = header.strip_prefix("AWS4-HMAC-SHA256")?.trim_start();
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',').map(str::trim) {
        let (name, value) = part.split_once('=')?;
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    let (access_key, scope) = credential?.split_once('/')?;
    Some(Authorization {
        access_key,
        scope,
        signed_headers: signed_headers?,
        signature: signature?,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// Whether a header-signed request carries a valid signature by `access_key`'s `secret`.
/// `Some(access_key)` when it does.
pub fn verify<'a>(
    method: &Method,
    uri: &Uri,
    headers: &'a HeaderMap,
    body: &[u8],
    secret_of: impl Fn(&str) -> Option<String>,
) -> Result<&'a str, Refusal> {
    let header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(Refusal::Unsigned)?;
    let auth = parse(header).ok_or(Refusal::BadSignature)?;
    let secret = secret_of(auth.access_key).ok_or(Refusal::UnknownKey)?;
    let date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or(Refusal::BadSignature)?;
    let mut canonical_headers = String::new();
    for name in auth.signed_headers.split(';') {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|v| {
                String::from_utf8_lossy(v.as_bytes())
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        canonical_headers.push_str(&format!("{name}:{}\n", values.join(",")));
    }
    let payload = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| sha256_hex(body), str::to_string);
    let mut query: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|q| !q.is_empty())
        .collect();
    query.sort_unstable();
    let canonical_request = format!(
        "{method}\n{path}\n{query}\n{canonical_headers}\n{signed}\n{payload}",
        path = if uri.path().is_empty() {
            "/"
        } else {
            uri.path()
        },
        query = query.join("&"),
        signed = auth.signed_headers,
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes()),
        scope = auth.scope,
    );
    let mut key = format!("AWS4{secret}").into_bytes();
    for part in auth.scope.split('/') {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let expected = hex(&hmac_sha256(&key, string_to_sign.as_bytes()));
    let matches = expected.len() == auth.signature.len()
        && aws_lc_rs::constant_time::verify_slices_are_equal(
            expected.as_bytes(),
            auth.signature.as_bytes(),
        )
        .is_ok();
    if matches {
        Ok(auth.access_key)
    } else {
        Err(Refusal::BadSignature)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No `Authorization` header.
    Unsigned,
    UnknownKey,
    BadSignature,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's documented example (IAM `ListUsers`, "Create a signed AWS API request").
    #[test]
    fn the_documented_example_verifies_and_a_changed_byte_does_not() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "iam.amazonaws.com".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        headers.insert(
            http::header::AUTHORIZATION,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
                .parse()
                .unwrap(),
        );
        let uri: Uri = "/?Action=ListUsers&Version=2010-05-08".parse().unwrap();
        let secret = |k: &str| {
            (k == "AKIDEXAMPLE").then(|| "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_string())
        };
        assert_eq!(
            verify(&Method::GET, &uri, &headers, b"", secret),
            Ok("AKIDEXAMPLE")
        );
        let other: Uri = "/?Action=ListUsers&Version=2010-05-09".parse().unwrap();
        assert_eq!(
            verify(&Method::GET, &other, &headers, b"", secret),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&Method::GET, &uri, &headers, b"", |_| Some("guess".into())),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&Method::GET, &uri, &headers, b"", |_| None),
            Err(Refusal::UnknownKey)
        );
        assert_eq!(
            verify(&Method::GET, &uri, &HeaderMap::new(), b"", secret),
            Err(Refusal::Unsigned)
        );
    }
}
