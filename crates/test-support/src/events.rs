//! The API Gateway HTTP API v2 payloads in `events/`, as tests load and vary them.

use std::path::PathBuf;

use serde_json::Value;

/// `events/{name}.json`, e.g. `fixture("sign-upload/ok")`.
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../events/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// The payload with another body and Content-Type (`None` removes the header), as text
/// for `lambda_http::request::from_str`.
pub fn with_body(mut payload: Value, content_type: Option<&str>, body: &str) -> String {
    payload["body"] = body.into();
    let headers = payload["headers"].as_object_mut().expect("headers");
    match content_type {
        Some(ct) => {
            headers.insert("content-type".into(), ct.into());
        }
        None => {
            headers.remove("content-type");
        }
    }
    payload.to_string()
}

/// The payload with a body that is not UTF-8, as API Gateway sends one: base64 with
/// `isBase64Encoded: true`, JSON Content-Type.
pub fn with_binary_body(mut payload: Value, body: &[u8]) -> String {
    use base64::Engine as _;
    payload["body"] = base64::engine::general_purpose::STANDARD
        .encode(body)
        .into();
    payload["isBase64Encoded"] = true.into();
    payload["headers"]["content-type"] = "application/json".into();
    payload.to_string()
}

/// Bodies with JSON's shape that are not UTF-8: Latin-1, UTF-16, an overlong slash, a
/// lone surrogate, a stray continuation byte, and a truncated sequence.
pub fn non_utf8_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let utf16: Vec<u8> = "{\"username\":\"ada\"}"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    vec![
        (
            "latin-1 name",
            b"{\"username\":\"ada\",\"fullName\":\"Zo\xeb\"}".to_vec(),
        ),
        ("utf-16", [&[0xff, 0xfe][..], &utf16].concat()),
        ("overlong slash", b"{\"username\":\"\xc0\xaf\"}".to_vec()),
        (
            "lone surrogate",
            b"{\"username\":\"\xed\xa0\x80\"}".to_vec(),
        ),
        ("stray continuation", b"{\x80}".to_vec()),
        ("truncated", b"{\"username\":\"\xe2\x82".to_vec()),
    ]
}

/// The account every protected fixture in `events/` is signed in as.
pub const FIXTURE_SUB: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// The payload as another signed-in account: only the verified claims' `sub` changes.
pub fn as_account(mut payload: Value, sub: &str) -> Value {
    payload["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = sub.into();
    payload
}

/// The payload as a misconfigured route would deliver it: no authorizer at all.
pub fn without_claims(mut payload: Value) -> Value {
    if let Some(context) = payload["requestContext"].as_object_mut() {
        context.remove("authorizer");
    }
    payload
}
