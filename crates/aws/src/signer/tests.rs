use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use base64::Engine as _;
use serde_json::{Value, json};
use time::macros::datetime;

use super::*;

const AWS_EXAMPLE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// The policy of AWS's documented example "Browser-Based Upload using HTTP POST (Using AWS
/// Signature Version 4)", exactly as published (CRLF line ends included).
const AWS_EXAMPLE_POLICY_B64: &str = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
const AWS_EXAMPLE_SIGNATURE: &str =
    "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e";

fn at(t: time::OffsetDateTime) -> SystemTime {
    t.into()
}

fn decode_policy(post: &PresignedPost) -> Value {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(post.field("policy").unwrap())
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn signer() -> PostSigner {
    PostSigner::new("avatars-bucket", "eu-west-1", None).expect("form URL")
}

#[test]
fn reproduces_the_aws_documented_post_policy_signature() {
    let policy = base64::engine::general_purpose::STANDARD
        .decode(AWS_EXAMPLE_POLICY_B64)
        .unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(&policy),
        AWS_EXAMPLE_POLICY_B64
    );
    let keys = SigningKeyCache::new("us-east-1".into());
    let signature = keys.sign(
        "AKIAIOSFODNN7EXAMPLE",
        AWS_EXAMPLE_SECRET,
        datetime!(2015-12-29 00:00:00 UTC),
        AWS_EXAMPLE_POLICY_B64.as_bytes(),
    );
    assert_eq!(signature, AWS_EXAMPLE_SIGNATURE);
}

#[test]
fn signing_key_is_rederived_for_a_new_day_or_access_key() {
    let keys = SigningKeyCache::new("us-east-1".into());
    let fresh = |ak: &str, secret: &str, t: time::OffsetDateTime| {
        SigningKeyCache::new("us-east-1".into()).sign(ak, secret, t, b"policy")
    };
    let day1 = datetime!(2026-11-26 23:59:59 UTC);
    let day2 = datetime!(2026-11-27 00:00:00 UTC);
    for (ak, secret, t) in [
        ("AK1", "s1", day1),
        ("AK1", "s1", day1),
        ("AK1", "s1", day2),
        ("AK2", "s2", day2),
        ("AK1", "s1", day1),
    ] {
        assert_eq!(keys.sign(ak, secret, t, b"policy"), fresh(ak, secret, t));
    }
    assert_ne!(fresh("AK1", "s1", day1), fresh("AK1", "s1", day2));
}

#[test]
fn policy_pins_bucket_key_type_size_and_credential() {
    let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
    let now = at(datetime!(2026-11-26 12:00:00.750 UTC));
    let post = signer().sign(
        &creds,
        "incoming/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
        ContentType::Png,
        5_242_880,
        Duration::from_secs(300),
        now,
    );
    assert_eq!(
        decode_policy(&post),
        json!({
            "expiration": "2026-11-26T12:05:00.000Z",
            "conditions": [
                {"bucket": "avatars-bucket"},
                ["eq", "$key", "incoming/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png"],
                ["eq", "$Content-Type", "image/png"],
                ["content-length-range", 1, 5_242_880],
                {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
                {"x-amz-credential": "AKIDEXAMPLE/20261126/eu-west-1/s3/aws4_request"},
                {"x-amz-date": "20261126T120000Z"},
            ]
        })
    );
    assert_eq!(post.field("x-amz-date"), Some("20261126T120000Z"));
    assert_eq!(post.field("x-amz-security-token"), None);
    assert_eq!(post.expires_at, datetime!(2026-11-26 12:05:00 UTC));
    assert_eq!(
        post.url.as_ref(),
        "https://avatars-bucket.s3.eu-west-1.amazonaws.com/"
    );
}

#[test]
fn temporary_credentials_put_the_token_in_fields_and_policy_and_cap_the_expiry() {
    let creds_expiry = at(datetime!(2026-11-26 12:02:30 UTC));
    let creds = Credentials::new(
        "ASIATEMP",
        "secret",
        Some("token/+=".into()),
        Some(creds_expiry),
        "test",
    );
    let post = signer().sign(
        &creds,
        "incoming/k.png",
        ContentType::Png,
        10,
        Duration::from_secs(300),
        at(datetime!(2026-11-26 12:00:00 UTC)),
    );
    assert_eq!(post.field("x-amz-security-token"), Some("token/+="));
    let policy = decode_policy(&post);
    let conditions = policy["conditions"].as_array().unwrap();
    assert!(conditions.contains(&json!({"x-amz-security-token": "token/+="})));
    assert_eq!(policy["expiration"], "2026-11-26T12:02:30.000Z");
    assert_eq!(post.expires_at, datetime!(2026-11-26 12:02:30 UTC));
}

#[test]
fn fields_serialize_in_form_order_with_the_file_left_for_last() {
    let creds = Credentials::new("AK", "SK", Some("TOKEN".into()), None, "test");
    let post = signer().sign(
        &creds,
        "incoming/k.gif",
        ContentType::Gif,
        10,
        Duration::from_secs(60),
        SystemTime::now(),
    );
    let json = serde_json::to_string(&post.fields).unwrap();
    let order: Vec<usize> = [
        "\"key\"",
        "\"Content-Type\"",
        "\"x-amz-algorithm\"",
        "\"x-amz-credential\"",
        "\"x-amz-date\"",
        "\"x-amz-security-token\"",
        "\"policy\"",
        "\"x-amz-signature\"",
    ]
    .iter()
    .map(|name| json.find(name).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{json}");
    let names: Vec<_> = post.pairs().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names.len(), 8);
    assert_eq!(names.last(), Some(&"x-amz-signature"));
}

#[test]
fn a_success_status_is_pinned_by_the_policy_and_sent_before_it() {
    let creds = Credentials::new("AK", "SK", Some("TOKEN".into()), None, "test");
    let terms = UploadTerms {
        key: "incoming/k.png",
        content_type: ContentType::Png,
        max_bytes: 10,
        answer: Some(UploadAnswer::Document),
        checksum_sha256: None,
    };
    let post = signer().sign_terms(
        &creds,
        &terms,
        Duration::from_secs(60),
        at(datetime!(2026-11-26 12:00:00 UTC)),
    );
    assert_eq!(post.field("success_action_status"), Some("201"));
    let conditions = decode_policy(&post)["conditions"].clone();
    assert_eq!(conditions[2], json!(["eq", "$Content-Type", "image/png"]));
    assert_eq!(
        conditions[3],
        json!(["eq", "$success_action_status", "201"])
    );
    let names: Vec<_> = post.pairs().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "key",
            "Content-Type",
            "success_action_status",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "x-amz-security-token",
            "policy",
            "x-amz-signature",
        ]
    );
    for (answer, text) in [
        (UploadAnswer::Empty, "200"),
        (UploadAnswer::Document, "201"),
        (UploadAnswer::NoContent, "204"),
    ] {
        assert_eq!(success_action_status(answer), text);
    }
}

#[test]
fn path_style_url_on_a_custom_endpoint() {
    for region in ["us-east-1", "cn-north-1", "r"] {
        assert_eq!(
            form_url("b", region, Some("http://127.0.0.1:9000/")).unwrap(),
            "http://127.0.0.1:9000/b"
        );
    }
}

#[test]
fn the_form_url_takes_its_dns_suffix_from_the_partition() {
    for (region, url) in [
        ("us-east-1", "https://uploads.s3.us-east-1.amazonaws.com/"),
        ("eu-west-1", "https://uploads.s3.eu-west-1.amazonaws.com/"),
        (
            "cn-north-1",
            "https://uploads.s3.cn-north-1.amazonaws.com.cn/",
        ),
        (
            "cn-northwest-1",
            "https://uploads.s3.cn-northwest-1.amazonaws.com.cn/",
        ),
        (
            "us-gov-west-1",
            "https://uploads.s3.us-gov-west-1.amazonaws.com/",
        ),
    ] {
        assert_eq!(form_url("uploads", region, None).unwrap(), url, "{region}");
    }
    assert!(form_url("uploads", "not a region!", None).is_err());
}

#[tokio::test]
async fn credentials_are_cached_until_close_to_expiry() {
    use aws_credential_types::provider::{ProvideCredentials, future};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Counting(AtomicUsize, SystemTime);
    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            future::ProvideCredentials::ready(Ok(Credentials::new(
                format!("AK{n}"),
                "SK",
                Some("T".into()),
                Some(self.1),
                "counting",
            )))
        }
    }
    let t0 = at(datetime!(2026-11-26 12:00:00 UTC));
    let expiry = t0 + Duration::from_secs(3600);
    let provider = std::sync::Arc::new(Counting(AtomicUsize::new(0), expiry));
    let source = CredentialSource::new(
        aws_credential_types::provider::SharedCredentialsProvider::new(ProviderRef(
            provider.clone(),
        )),
    );
    let margin = Duration::from_secs(300);
    assert_eq!(
        source.current(t0, margin).await.unwrap().access_key_id(),
        "AK0"
    );
    assert_eq!(
        source
            .current(t0 + Duration::from_secs(3000), margin)
            .await
            .unwrap()
            .access_key_id(),
        "AK0"
    );
    // Within the margin of expiry: resolved again.
    assert_eq!(
        source
            .current(t0 + Duration::from_secs(3400), margin)
            .await
            .unwrap()
            .access_key_id(),
        "AK1"
    );
    assert_eq!(provider.0.load(Ordering::SeqCst), 2);

    #[derive(Debug)]
    struct ProviderRef(std::sync::Arc<Counting>);
    impl ProvideCredentials for ProviderRef {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            self.0.provide_credentials()
        }
    }
}

#[test]
fn the_checksum_is_pinned_by_the_policy_and_every_field_has_a_condition() {
    let creds = Credentials::new("AK", "SK", Some("TOKEN".into()), None, "test");
    let checksum = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    let terms = UploadTerms {
        key: "incoming/k.png",
        content_type: ContentType::Png,
        max_bytes: 10,
        answer: None,
        checksum_sha256: Some(checksum),
    };
    let post = signer().sign_terms(
        &creds,
        &terms,
        Duration::from_secs(60),
        at(datetime!(2026-11-26 12:00:00 UTC)),
    );
    let conditions = decode_policy(&post)["conditions"]
        .as_array()
        .unwrap()
        .clone();
    assert!(conditions.contains(&json!(["eq", "$x-amz-checksum-algorithm", "SHA256"])));
    assert!(conditions.contains(&json!(["eq", "$x-amz-checksum-sha256", checksum])));
    let names: Vec<_> = post.pairs().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "key",
            "Content-Type",
            "x-amz-checksum-algorithm",
            "x-amz-checksum-sha256",
            "x-amz-algorithm",
            "x-amz-credential",
            "x-amz-date",
            "x-amz-security-token",
            "policy",
            "x-amz-signature",
        ]
    );
    // S3 refuses a form field without a condition ("Extra input fields"): every field but
    // the policy and its signature is named by one, with the value sent.
    for (name, value) in post.pairs() {
        if matches!(name, "policy" | "x-amz-signature") {
            continue;
        }
        let named = conditions.iter().any(|c| match c {
            serde_json::Value::Object(map) => map.get(name).and_then(|v| v.as_str()) == Some(value),
            serde_json::Value::Array(parts) => {
                parts.first() == Some(&json!("eq"))
                    && parts.get(1) == Some(&json!(format!("${name}")))
                    && parts.get(2) == Some(&json!(value))
            }
            _ => false,
        });
        assert!(named, "{name} has no condition: {conditions:?}");
    }
    // The JSON answer carries the same fields, in the same order.
    let json = serde_json::to_string(&post.fields).unwrap();
    let at_sha = json.find("x-amz-checksum-sha256").unwrap();
    assert!(json.find("x-amz-checksum-algorithm").unwrap() < at_sha);
    assert!(at_sha < json.find("\"policy\"").unwrap());
}

/// Hands out credentials expiring at each of `expiries` in turn (the last one repeats).
#[derive(Debug)]
struct Expiring(std::sync::Mutex<Vec<Option<SystemTime>>>);

impl aws_credential_types::provider::ProvideCredentials for Expiring {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let mut left = self.0.lock().unwrap();
        let expiry = if left.len() > 1 {
            left.remove(0)
        } else {
            left[0]
        };
        aws_credential_types::provider::future::ProvideCredentials::ready(Ok(Credentials::new(
            "AKID",
            "SK",
            Some("T".into()),
            expiry,
            "expiring",
        )))
    }
}

#[tokio::test]
async fn a_form_is_never_handed_out_dead_or_about_to_die() {
    let now = at(datetime!(2026-11-26 12:00:00 UTC));
    let secs = Duration::from_secs;
    let later = |s: u64| Some(now + secs(s));
    let terms = UploadTerms {
        key: "incoming/k.png",
        content_type: ContentType::Png,
        max_bytes: 10,
        answer: None,
        checksum_sha256: None,
    };
    // (what the provider hands out in turn, configured lifetime, form lifetime or 503)
    type Case = (&'static str, Vec<Option<SystemTime>>, u64, Option<i64>);
    let cases: Vec<Case> = vec![
        ("long-lived", vec![later(3600)], 300, Some(300)),
        ("no expiry", vec![None], 300, Some(300)),
        ("already expired", vec![Some(now - secs(10))], 300, None),
        ("expiring now", vec![later(0)], 300, None),
        ("expires in 5 s", vec![later(5)], 300, None),
        ("expires in 59 s", vec![later(59)], 300, None),
        ("expires in 60 s: shortened", vec![later(60)], 300, Some(60)),
        (
            "expires in 200 s: shortened",
            vec![later(200)],
            300,
            Some(200),
        ),
        // A short configured lifetime needs only itself.
        ("short lifetime", vec![later(45)], 30, Some(30)),
        ("short lifetime, shorter creds", vec![later(20)], 30, None),
    ];
    for (name, expiries, ttl, lifetime) in cases {
        let source = CredentialSource::new(
            aws_credential_types::provider::SharedCredentialsProvider::new(Expiring(
                std::sync::Mutex::new(expiries),
            )),
        );
        let result = signer().presign(&source, &terms, secs(ttl), now).await;
        match lifetime {
            Some(lifetime) => {
                let post = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    (post.expires_at - time::OffsetDateTime::from(now)).whole_seconds(),
                    lifetime,
                    "{name}"
                );
                assert_eq!(
                    decode_policy(&post)["expiration"],
                    json!(
                        post.expires_at
                            .format(&time::format_description::well_known::Rfc3339)
                            .unwrap()
                            .replace("Z", ".000Z")
                    ),
                    "{name}"
                );
            }
            None => {
                let err = result.err().unwrap_or_else(|| panic!("{name}: signed"));
                assert!(matches!(err, StoreError::Unavailable(_)), "{name}: {err:?}");
            }
        }
    }
}

#[tokio::test]
async fn credentials_near_their_end_are_refreshed_before_signing() {
    let now = at(datetime!(2026-11-26 12:00:00 UTC));
    let terms = UploadTerms {
        key: "incoming/k.png",
        content_type: ContentType::Png,
        max_bytes: 10,
        answer: None,
        checksum_sha256: None,
    };
    let source = CredentialSource::new(
        aws_credential_types::provider::SharedCredentialsProvider::new(Expiring(
            std::sync::Mutex::new(vec![
                Some(now + Duration::from_secs(3600)),
                Some(now + Duration::from_secs(7200)),
            ]),
        )),
    );
    let ttl = Duration::from_secs(300);
    signer().presign(&source, &terms, ttl, now).await.unwrap();
    // 5 s before the first credentials end: the next ones sign a full-length form.
    let late = now + Duration::from_secs(3595);
    let post = signer().presign(&source, &terms, ttl, late).await.unwrap();
    assert_eq!(
        (post.expires_at - time::OffsetDateTime::from(late)).whole_seconds(),
        300
    );
}
