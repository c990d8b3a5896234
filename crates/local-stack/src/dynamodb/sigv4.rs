//! SigV4 verification of a header-signed request, for the embedded DynamoDB (dynoxide
//! checks only that the signature's parts are present): the canonical request from the
//! headers the client signed, the string to sign from its credential scope, and the
//! signature recomputed with the key's secret. s3s does the same for S3.

use std::time::SystemTime;

use aws_lc_rs::{digest, hmac};
use http::{HeaderMap, Method, Uri};

/// How far a request's `x-amz-date` may be from now, as AWS allows.
const SKEW_SECONDS: i64 = 15 * 60;

/// What a signature must commit to besides its secret: the scope it was made for, the
/// headers it must cover (so that none of them can be swapped under it), and the time
/// it is checked at.
#[derive(Clone, Copy)]
pub struct Expected<'a> {
    pub region: &'a str,
    pub service: &'a str,
    pub signed_headers: &'a [&'a str],
    pub now: SystemTime,
}

/// Seconds since the Unix epoch of `20150830T123600Z`.
fn amz_date_seconds(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    Some(
        time::PrimitiveDateTime::parse(date, format)
            .ok()?
            .assume_utc()
            .unix_timestamp(),
    )
}

fn within_skew(date: &str, now: SystemTime) -> bool {
    let Ok(now) = now.duration_since(SystemTime::UNIX_EPOCH) else {
        return false;
    };
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    amz_date_seconds(date).is_some_and(|at| (at - now).abs() <= SKEW_SECONDS)
}

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

/// Whether a header-signed request carries a valid signature by `access_key`'s `secret`,
/// made for `expected`'s scope, within 15 minutes of its time, over the body sent and
/// the headers it must cover. `Ok(access_key)` when it does.
pub fn verify<'a>(
    method: &Method,
    uri: &Uri,
    headers: &'a HeaderMap,
    body: &[u8],
    expected: &Expected<'_>,
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
    let scope_matches = auth.scope.split('/').eq([
        date.get(..8).unwrap_or_default(),
        expected.region,
        expected.service,
        "aws4_request",
    ]);
    let signed: Vec<&str> = auth.signed_headers.split(';').collect();
    let covers = expected.signed_headers.iter().all(|h| signed.contains(h));
    if !scope_matches || !covers || !within_skew(date, expected.now) {
        return Err(Refusal::BadSignature);
    }
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
    // The hash a client declares is signed, but only the body's own hash proves the
    // signature covers the body that came.
    let payload = sha256_hex(body);
    if let Some(declared) = headers.get("x-amz-content-sha256")
        && declared.as_bytes() != payload.as_bytes()
    {
        return Err(Refusal::BadSignature);
    }
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
    use std::time::Duration;

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
        let signed_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let expected = Expected {
            region: "us-east-1",
            service: "iam",
            signed_headers: &["host", "x-amz-date"],
            now: signed_at,
        };
        let check = |uri: &Uri, headers: &HeaderMap, body: &[u8], expected: &Expected<'_>| {
            verify(&Method::GET, uri, headers, body, expected, secret).map(str::to_string)
        };
        assert_eq!(
            check(&uri, &headers, b"", &expected),
            Ok("AKIDEXAMPLE".to_string())
        );
        let other: Uri = "/?Action=ListUsers&Version=2010-05-09".parse().unwrap();
        assert_eq!(
            check(&other, &headers, b"", &expected),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&Method::GET, &uri, &headers, b"", &expected, |_| Some(
                "guess".into()
            )),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            verify(&Method::GET, &uri, &headers, b"", &expected, |_| None),
            Err(Refusal::UnknownKey)
        );
        assert_eq!(
            check(&uri, &HeaderMap::new(), b"", &expected),
            Err(Refusal::Unsigned)
        );

        // The same signature, checked against what it must also commit to.
        let minutes = |m: u64| Duration::from_secs(m * 60);
        let refused = [
            (
                "16 minutes later",
                Expected {
                    now: signed_at + minutes(16),
                    ..expected
                },
            ),
            (
                "16 minutes earlier",
                Expected {
                    now: signed_at - minutes(16),
                    ..expected
                },
            ),
            (
                "another region",
                Expected {
                    region: "eu-west-1",
                    ..expected
                },
            ),
            (
                "another service",
                Expected {
                    service: "dynamodb",
                    ..expected
                },
            ),
            (
                "a header it must cover",
                Expected {
                    signed_headers: &["host", "x-amz-date", "x-amz-target"],
                    ..expected
                },
            ),
        ];
        for (what, expected) in refused {
            assert_eq!(
                check(&uri, &headers, b"", &expected),
                Err(Refusal::BadSignature),
                "{what}"
            );
        }
        assert_eq!(
            check(
                &uri,
                &headers,
                b"",
                &Expected {
                    now: signed_at + minutes(15),
                    ..expected
                }
            ),
            Ok("AKIDEXAMPLE".to_string()),
            "within 15 minutes"
        );

        // A declared payload hash must be the hash of the body that came.
        let mut declared = headers.clone();
        declared.insert("x-amz-content-sha256", sha256_hex(b"").parse().unwrap());
        assert_eq!(
            check(&uri, &declared, b"", &expected),
            Ok("AKIDEXAMPLE".to_string())
        );
        assert_eq!(
            check(&uri, &declared, b"another body", &expected),
            Err(Refusal::BadSignature)
        );
        declared.insert("x-amz-content-sha256", "UNSIGNED-PAYLOAD".parse().unwrap());
        assert_eq!(
            check(&uri, &declared, b"", &expected),
            Err(Refusal::BadSignature)
        );
    }
}
