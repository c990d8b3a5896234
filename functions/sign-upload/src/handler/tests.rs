use std::time::{Duration, SystemTime};

use avatar_aws::signer::{CredentialSource, PostSigner, S3FormSigner};
use aws_credential_types::Credentials;
use lambda_http::Request;
use serde_json::{Value, json};
use test_support::events;

use super::*;

const MAX: u64 = 5_242_880;
/// A well-formed SHA-256 (of the empty file); S3, not the signer, checks it against the bytes.
const CHECKSUM: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

fn signer() -> UploadSigner {
    UploadSigner::new(
        Box::new(S3FormSigner::new(
            PostSigner::new("uploads", "us-east-1", None).expect("form URL"),
            CredentialSource::from_static(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                Some("session-token".into()),
                None,
                "test",
            )),
        )),
        MAX,
        Duration::from_secs(300),
    )
}

fn fixture(name: &str) -> Value {
    events::fixture(&format!("sign-upload/{name}"))
}

fn event(payload: Value) -> Request {
    lambda_http::request::from_str(&payload.to_string()).expect("API Gateway v2 event")
}

/// The happy-path fixture with another body and Content-Type.
fn with_body(content_type: Option<&str>, body: &str) -> Request {
    lambda_http::request::from_str(&events::with_body(fixture("ok"), content_type, body))
        .expect("event")
}

async fn call(request: Request) -> (u16, Value) {
    let response = handle(&signer(), request).await.expect("infallible");
    let status = response.status().as_u16();
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON body");
    (status, body)
}

#[tokio::test]
async fn signs_the_fixture_request() {
    let before = SystemTime::now();
    let (status, body) = call(event(fixture("ok"))).await;
    assert_eq!(status, 201, "{body}");
    let key = body["key"].as_str().unwrap();
    assert!(
        key.starts_with(&format!("incoming/{}/", events::FIXTURE_SUB)) && key.ends_with(".png"),
        "the key lies in the caller's prefix: {key}"
    );
    assert!(!key.contains("me."), "key never derives from the filename");
    assert_eq!(
        body["upload"]["url"],
        "https://uploads.s3.us-east-1.amazonaws.com/"
    );
    let fields = body["upload"]["fields"].as_object().unwrap();
    assert_eq!(fields["key"], key);
    assert_eq!(fields["Content-Type"], "image/png");
    assert_eq!(fields["x-amz-security-token"], "session-token");
    assert_eq!(body["maxBytes"], MAX);
    let expires = time::OffsetDateTime::parse(
        body["expiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let expected = time::OffsetDateTime::from(before) + Duration::from_secs(300);
    assert!(
        (expires - expected).abs() < time::Duration::seconds(2),
        "expiry = now + TTL"
    );
}

#[tokio::test]
async fn every_fixture_gets_its_documented_answer() {
    for (name, status, code) in [
        ("ok", 201, None),
        ("xml-answer", 201, None),
        ("svg", 415, Some("unsupported_type")),
        ("too-large", 413, Some("too_large")),
        ("form-encoded", 415, Some("unsupported_media_type")),
    ] {
        let (got, body) = call(event(fixture(name))).await;
        assert_eq!(got, status, "{name}: {body}");
        assert_eq!(body["error"]["code"].as_str(), code, "{name}");
    }
}

type Case = (
    &'static str,
    Option<&'static str>,
    String,
    u16,
    &'static str,
    Option<&'static str>,
);

#[tokio::test]
async fn refusals_have_status_code_and_field() {
    let json_ct = Some("application/json");
    let long = "a".repeat(5000);
    let cases: Vec<Case> = vec![
        (
            "no checksum",
            json_ct,
            json!({"contentType":"image/png","size":1}).to_string(),
            400,
            "invalid_request",
            Some("checksumSha256"),
        ),
        (
            "a hex checksum",
            json_ct,
            json!({"checksumSha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "contentType":"image/png","size":1}).to_string(),
            400,
            "invalid_request",
            Some("checksumSha256"),
        ),
        (
            "a checksum of 31 bytes",
            json_ct,
            json!({"checksumSha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==", "contentType":"image/png","size":1}).to_string(),
            400,
            "invalid_request",
            Some("checksumSha256"),
        ),
        (
            "a checksum that is a number",
            json_ct,
            json!({"checksumSha256": 5, "contentType":"image/png","size":1}).to_string(),
            400,
            "invalid_request",
            Some("checksumSha256"),
        ),
        (
            "no content type",
            None,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1}).to_string(),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            "text/plain",
            Some("text/plain"),
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1}).to_string(),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            "form",
            Some("application/x-www-form-urlencoded"),
            "contentType=image/png&size=1".into(),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            "multipart",
            Some("multipart/form-data; boundary=x"),
            "--x--".into(),
            415,
            "unsupported_media_type",
            None,
        ),
        (
            "invalid json",
            json_ct,
            "{\"contentType\":".into(),
            400,
            "invalid_request",
            None,
        ),
        (
            "empty body",
            json_ct,
            String::new(),
            400,
            "invalid_request",
            None,
        ),
        (
            "array body",
            json_ct,
            "[]".into(),
            400,
            "invalid_request",
            None,
        ),
        (
            "missing type",
            json_ct,
            json!({"size":1}).to_string(),
            400,
            "invalid_request",
            Some("contentType"),
        ),
        (
            "missing size",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png"}).to_string(),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "type not string",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":5,"size":1}).to_string(),
            400,
            "invalid_request",
            Some("contentType"),
        ),
        (
            "size as string",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":"1"}).to_string(),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size fractional",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1.5}).to_string(),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size zero",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":0}).to_string(),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size negative",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":-5}).to_string(),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size over max",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":MAX + 1}).to_string(),
            413,
            "too_large",
            Some("size"),
        ),
        (
            "size 1e30",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":1e30}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size 1e3",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":1e3}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size 1.0",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":1.0}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size 5.5",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":5.5}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size -1",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":-1}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size \"5\"",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":\"5\"}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size true",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":true}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "size beyond u64",
            json_ct,
            format!("{{\"checksumSha256\":\"{CHECKSUM}\",\"contentType\":\"image/png\",\"size\":18446744073709551616}}"),
            400,
            "invalid_request",
            Some("size"),
        ),
        (
            "svg",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/svg+xml","size":1}).to_string(),
            415,
            "unsupported_type",
            Some("contentType"),
        ),
        (
            "image/jpg",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/jpg","size":1}).to_string(),
            415,
            "unsupported_type",
            Some("contentType"),
        ),
        (
            "text/html",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"text/html","size":1}).to_string(),
            415,
            "unsupported_type",
            Some("contentType"),
        ),
        (
            "filename not string",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "filename":7,"contentType":"image/png","size":1}).to_string(),
            400,
            "invalid_request",
            Some("filename"),
        ),
        (
            "filename 5000 chars",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "filename":long,"contentType":"image/png","size":1}).to_string(),
            400,
            "invalid_request",
            Some("filename"),
        ),
        (
            "successActionStatus as string",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1,"successActionStatus":"201"}).to_string(),
            400,
            "invalid_request",
            Some("successActionStatus"),
        ),
        (
            "successActionStatus 202",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1,"successActionStatus":202}).to_string(),
            400,
            "invalid_request",
            Some("successActionStatus"),
        ),
        (
            "successActionStatus 303",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1,"successActionStatus":303}).to_string(),
            400,
            "invalid_request",
            Some("successActionStatus"),
        ),
        (
            "successActionStatus true",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1,"successActionStatus":true}).to_string(),
            400,
            "invalid_request",
            Some("successActionStatus"),
        ),
        (
            "successActionStatus negative",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1,"successActionStatus":-201}).to_string(),
            400,
            "invalid_request",
            Some("successActionStatus"),
        ),
        (
            "successActionStatus fractional",
            json_ct,
            json!({"checksumSha256": CHECKSUM, "contentType":"image/png","size":1,"successActionStatus":201.5}).to_string(),
            400,
            "invalid_request",
            Some("successActionStatus"),
        ),
    ];
    for (name, content_type, body, status, code, field) in cases {
        let (got, answer) = call(with_body(content_type, &body)).await;
        assert_eq!(got, status, "{name}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{name}");
        assert_eq!(answer["error"]["field"].as_str(), field, "{name}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{name}"
        );
        assert!(answer.get("key").is_none(), "{name}: nothing signed");
    }
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_400_and_signs_nothing() {
    for (name, body) in events::non_utf8_bodies() {
        let payload = events::with_binary_body(fixture("ok"), &body);
        let (status, answer) = call(lambda_http::request::from_str(&payload).expect("event")).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_request", "{name}");
        assert!(answer["error"].get("field").is_none(), "{name}");
        assert!(answer.get("key").is_none(), "{name}: nothing signed");
    }
}

#[tokio::test]
async fn a_requested_success_status_is_signed_before_the_policy() {
    let body = json!({"checksumSha256": CHECKSUM, "contentType": "image/png", "size": 10, "successActionStatus": 201});
    let response = handle(
        &signer(),
        with_body(Some("application/json"), &body.to_string()),
    )
    .await
    .expect("infallible");
    assert_eq!(response.status().as_u16(), 201);
    let raw = std::str::from_utf8(response.body().as_ref())
        .unwrap()
        .to_string();
    // The browser posts the fields in the order they arrive.
    let order: Vec<usize> = [
        "\"key\"",
        "\"Content-Type\"",
        "\"success_action_status\"",
        "\"x-amz-algorithm\"",
        "\"x-amz-security-token\"",
        "\"policy\"",
        "\"x-amz-signature\"",
    ]
    .iter()
    .map(|name| raw.rfind(name).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{raw}");
    let answer: Value = serde_json::from_str(&raw).unwrap();
    let fields = &answer["upload"]["fields"];
    assert_eq!(fields["success_action_status"], "201");
    assert!(
        policy_of(fields)["conditions"]
            .as_array()
            .unwrap()
            .contains(&json!(["eq", "$success_action_status", "201"]))
    );

    // Absent or null: the field is neither in the form nor in the policy.
    for body in [
        json!({"checksumSha256": CHECKSUM, "contentType": "image/png", "size": 10}),
        json!({"checksumSha256": CHECKSUM, "contentType": "image/png", "size": 10, "successActionStatus": null}),
    ] {
        let (_, answer) = call(with_body(Some("application/json"), &body.to_string())).await;
        let fields = &answer["upload"]["fields"];
        assert!(fields.get("success_action_status").is_none(), "{body}");
        assert!(
            !policy_of(fields)
                .to_string()
                .contains("success_action_status"),
            "{body}"
        );
    }
}

fn policy_of(fields: &Value) -> Value {
    use base64::Engine as _;
    let policy = base64::engine::general_purpose::STANDARD
        .decode(fields["policy"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&policy).unwrap()
}

#[tokio::test]
async fn hostile_filenames_never_reach_the_key() {
    for filename in [
        "../../etc/passwd.png",
        "a\u{0}b.png",
        "😀.png",
        "incoming/evil.png",
        "x.svg",
        "",
    ] {
        let body =
            json!({"checksumSha256": CHECKSUM, "filename": filename, "contentType": "image/jpeg", "size": 10}).to_string();
        let (status, answer) = call(with_body(Some("application/json"), &body)).await;
        assert_eq!(status, 201, "{filename:?}: {answer}");
        let key = answer["key"].as_str().unwrap();
        avatar_domain::values::UploadKey::try_from(key).expect("canonical key");
        assert!(key.ends_with(".jpg"));
    }
}

#[tokio::test]
async fn the_same_filename_gets_a_new_key_each_time() {
    let (_, a) = call(event(fixture("ok"))).await;
    let (_, b) = call(event(fixture("ok"))).await;
    assert_ne!(a["key"], b["key"]);
}

#[tokio::test]
async fn credentials_that_cannot_be_resolved_are_a_503() {
    use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError, future};

    #[derive(Debug)]
    struct NoCredentials;
    impl ProvideCredentials for NoCredentials {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::ready(Err(CredentialsError::not_loaded("no role")))
        }
    }
    let signer = UploadSigner::new(
        Box::new(S3FormSigner::new(
            PostSigner::new("uploads", "us-east-1", None).expect("form URL"),
            CredentialSource::new(
                aws_credential_types::provider::SharedCredentialsProvider::new(NoCredentials),
            ),
        )),
        MAX,
        Duration::from_secs(300),
    );
    let response = handle(&signer, event(fixture("ok")))
        .await
        .expect("infallible");
    assert_eq!(response.status().as_u16(), 503);
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON body");
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(body.get("key").is_none(), "nothing signed");
}

#[tokio::test]
async fn the_caller_is_the_verified_sub_and_nothing_else() {
    let other = "9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f";
    let (status, body) = call(event(events::as_account(fixture("ok"), other))).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body["key"]
            .as_str()
            .unwrap()
            .starts_with(&format!("incoming/{other}/"))
    );

    for (name, payload) in [
        ("no authorizer", events::without_claims(fixture("ok"))),
        (
            "a sub that is no account id",
            events::as_account(fixture("ok"), "../ada"),
        ),
        ("an empty sub", events::as_account(fixture("ok"), "")),
    ] {
        let (status, body) = call(event(payload)).await;
        assert_eq!(status, 401, "{name}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
    // Headers and body fields are the client's: never a caller.
    let mut spoofed = events::without_claims(fixture("ok"));
    spoofed["headers"]["x-amzn-oidc-identity"] = events::FIXTURE_SUB.into();
    spoofed["body"] =
        serde_json::json!({"checksumSha256": CHECKSUM, "contentType": "image/png", "size": 10, "sub": events::FIXTURE_SUB})
            .to_string()
            .into();
    let (status, _) = call(event(spoofed)).await;
    assert_eq!(status, 401);
}

/// A form lives a minute unless the deployment says otherwise: the signer built with the
/// setting unset answers `expiresAt` at most 60 s ahead.
#[tokio::test]
async fn a_form_lives_at_most_a_minute_by_default() {
    let unset = avatar_aws::config::Env::from_fn(|_: &str| None);
    let ttl = unset.upload_url_ttl().expect("the default");
    let signer = UploadSigner::new(
        Box::new(S3FormSigner::new(
            PostSigner::new("uploads", "us-east-1", None).expect("form URL"),
            CredentialSource::from_static(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            )),
        )),
        MAX,
        ttl,
    );
    let before = time::OffsetDateTime::now_utc();
    let response = handle(&signer, event(fixture("ok")))
        .await
        .expect("infallible");
    assert_eq!(response.status(), 201);
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    let expires = time::OffsetDateTime::parse(
        body["expiresAt"].as_str().expect("expiresAt"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    let after = time::OffsetDateTime::now_utc();
    assert!(
        expires - after <= time::Duration::seconds(60),
        "expiresAt is {} ahead",
        expires - after
    );
    assert!(
        expires - before > time::Duration::seconds(50),
        "a usable form"
    );
}
