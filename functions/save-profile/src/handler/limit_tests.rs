//! The per-account limit seen from the HTTP side: a 429 in the §3 shape with `Retry-After`.

use serde_json::{Value, json};
use test_support::{TestStack, events};

use super::*;

fn save_event(body: &Value) -> Request {
    let payload = events::with_body(
        events::fixture("save-profile/create"),
        Some("application/json"),
        &body.to_string(),
    );
    lambda_http::request::from_str(&payload).expect("event")
}

#[tokio::test]
async fn over_the_limit_is_429_with_retry_after_and_nothing_written() {
    let stack = TestStack::start().await;
    let env = stack.function_env(&[("PROFILE_WRITES_PER_HOUR", "1")]);
    let profiles = avatar_aws::setup::profile_service(&env, stack.sdk_config()).expect("config");

    let first = handle(
        &profiles,
        save_event(&json!({"username": "limited", "fullName": "First"})),
    )
    .await
    .expect("infallible");
    assert_eq!(first.status(), 201);
    let response = handle(
        &profiles,
        save_event(&json!({"username": "limited", "fullName": "Second"})),
    )
    .await
    .expect("infallible");
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
    assert_eq!(body["error"]["code"], "rate_limited", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again in")
    );
    let item = stack.item("limited").await.expect("profile");
    assert_eq!(
        item["fullName"].as_s().unwrap(),
        "First",
        "the second save did not land"
    );
}
