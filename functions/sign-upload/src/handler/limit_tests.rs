//! The per-account limit seen from the HTTP side: a 429 in the §3 shape with `Retry-After`.

use lambda_http::Request;
use serde_json::Value;
use test_support::{TestStack, events};

use super::*;

fn ok_event() -> Request {
    lambda_http::request::from_str(&events::fixture("sign-upload/ok").to_string()).expect("event")
}

#[tokio::test]
async fn over_the_limit_is_429_with_retry_after_and_no_form() {
    let stack = TestStack::start().await;
    let env = stack.function_env(&[("UPLOADS_PER_HOUR", "1")]);
    let signer = avatar_aws::setup::upload_signer(&env, stack.sdk_config()).expect("config");

    let first = handle(&signer, ok_event()).await.expect("infallible");
    assert_eq!(first.status(), 201);
    let response = handle(&signer, ok_event()).await.expect("infallible");
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["content-type"], "application/json");
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    let error = body["error"].as_object().expect("§3 shape");
    assert_eq!(error["code"], "rate_limited");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("You've uploaded many pictures in the last hour; try again in "),
        "{body}"
    );
    assert!(body.get("upload").is_none() && body.get("key").is_none());
}
