use avatar_aws::adapters::DynamoProfiles;
use serde_json::Value;
use test_support::{TABLE, TestStack, events};

use super::*;

fn fixture(name: &str) -> Value {
    events::fixture(&format!("get-profile/{name}"))
}

fn with_username(raw: &str) -> Request {
    let mut payload = fixture("ok");
    payload["pathParameters"]["username"] = raw.into();
    payload["rawPath"] = format!("/api/profile/{raw}").into();
    lambda_http::request::from_str(&payload.to_string()).expect("event")
}

async fn call(store: &DynamoProfiles, request: Request) -> (u16, Value) {
    let response = handle(store, request).await.expect("infallible");
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(response.body().as_ref()).expect("JSON"),
    )
}

async fn seed(stack: &TestStack) {
    use aws_sdk_dynamodb::types::AttributeValue::{N, S};
    stack
        .dynamo_client()
        .put_item()
        .table_name(TABLE)
        .item("pk", S("PROFILE#ada".into()))
        .item("username", S("ada".into()))
        .item("owner", S(events::FIXTURE_SUB.into()))
        .item("fullName", S("Ada Lovelace".into()))
        .item("version", N("4".into()))
        .item("updatedAt", S("2026-11-26T12:00:00Z".into()))
        .item("writeId", S("w".into()))
        .send()
        .await
        .expect("seed");
    stack
        .dynamo_client()
        .put_item()
        .table_name(TABLE)
        .item("pk", S(format!("OWNER#{}", events::FIXTURE_SUB)))
        .item("username", S("ada".into()))
        .send()
        .await
        .expect("seed owner");
}

#[tokio::test]
async fn reads_decoded_lower_cased_names_and_refuses_the_rest() {
    let stack = TestStack::start().await;
    seed(&stack).await;
    let store = DynamoProfiles::new(stack.sdk_config(), TABLE, Some(&stack.dynamodb.url()));

    let (status, body) = call(
        &store,
        lambda_http::request::from_str(&fixture("ok").to_string()).unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        serde_json::json!({
            "username": "ada",
            "fullName": "Ada Lovelace",
            "avatarUrl": "/default-avatar.svg",
            "version": 4,
            "updatedAt": "2026-11-26T12:00:00Z",
        })
    );
    for raw in ["ADA", "%41da", "%61%64%61"] {
        let (status, body) = call(&store, with_username(raw)).await;
        assert_eq!(
            (status, body["username"].as_str()),
            (200, Some("ada")),
            "{raw}"
        );
    }
    for (name, status) in [("encoded-uppercase", 200), ("impossible", 404)] {
        let request = lambda_http::request::from_str(&fixture(name).to_string()).unwrap();
        assert_eq!(call(&store, request).await.0, status, "{name}");
    }
    for raw in [
        "bob",
        "..%2F..%2Fetc",
        "a%20b",
        "%FF%FE",
        "ab",
        "%00ada",
        "x".repeat(40).as_str(),
    ] {
        let (status, body) = call(&store, with_username(raw)).await;
        assert_eq!(status, 404, "{raw}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn an_unreachable_table_is_503() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let store = DynamoProfiles::new(&test_support::sdk_config().await, TABLE, Some(&url));
    let started = std::time::Instant::now();
    let (status, body) = call(&store, with_username("ada")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("unavailable")),
        "{body}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[tokio::test]
async fn me_is_the_claims_own_profile_and_nobody_elses() {
    let stack = TestStack::start().await;
    seed(&stack).await;
    let store = DynamoProfiles::new(stack.sdk_config(), TABLE, Some(&stack.dynamodb.url()));
    let me = |payload: Value| lambda_http::request::from_str(&payload.to_string()).unwrap();

    let (status, body) = call(&store, me(fixture("me"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["username"], "ada");
    assert!(body.get("owner").is_none(), "the owner is never shown");

    let stranger = events::as_account(fixture("me"), "9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f");
    let (status, body) = call(&store, me(stranger)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );

    for bad in [
        events::without_claims(fixture("me")),
        events::as_account(fixture("me"), "ada"),
        events::as_account(fixture("me"), ""),
    ] {
        let (status, body) = call(&store, me(bad)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthorized")),
            "{body}"
        );
    }
    // The public route needs no claims and never shows the owner.
    let (status, body) = call(&store, me(events::without_claims(fixture("ok")))).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("owner").is_none());
}

#[tokio::test]
async fn both_routes_name_the_variants_of_a_stored_avatar() {
    use aws_sdk_dynamodb::types::AttributeValue::S;
    let stack = TestStack::start().await;
    seed(&stack).await;
    let id = "3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c";
    stack
        .dynamo_client()
        .update_item()
        .table_name(TABLE)
        .key("pk", S("PROFILE#ada".into()))
        .update_expression("SET avatarKey = :k, avatarVariantFormat = :f")
        .expression_attribute_values(":k", S(format!("avatars/ada/{id}.webp")))
        .expression_attribute_values(":f", S("png".into()))
        .send()
        .await
        .expect("avatar");
    let store = DynamoProfiles::new(stack.sdk_config(), TABLE, Some(&stack.dynamodb.url()));
    let expected = serde_json::json!({
        "64": format!("/avatars/ada/{id}-64.png"),
        "128": format!("/avatars/ada/{id}-128.png"),
        "256": format!("/avatars/ada/{id}-256.png"),
        "512": format!("/avatars/ada/{id}-512.png"),
    });
    for name in ["ok", "me"] {
        let request = lambda_http::request::from_str(&fixture(name).to_string()).unwrap();
        let (status, body) = call(&store, request).await;
        assert_eq!(status, 200, "{name}: {body}");
        // The largest variant, never the original (published before, still beside them).
        assert_eq!(
            body["avatarUrl"],
            format!("/avatars/ada/{id}-512.png"),
            "{name}"
        );
        assert_eq!(body["avatarVariants"], expected, "{name}");
    }
}

/// `GET /api/me/export` with get-profile's own key (local IAM: it reads only profile and
/// owner items), answered as a download.
async fn export_as(store: &DynamoProfiles, sub: Option<&str>) -> (u16, Option<String>, Value) {
    let payload = fixture("export");
    let payload = match sub {
        Some(sub) => events::as_account(payload, sub),
        None => events::without_claims(payload),
    };
    let request = lambda_http::request::from_str(&payload.to_string()).expect("event");
    let response = handle(store, request).await.expect("infallible");
    let disposition = response
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().expect("ASCII").to_string());
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    (
        response.status().as_u16(),
        disposition,
        serde_json::from_slice(response.body().as_ref()).expect("JSON"),
    )
}

#[tokio::test]
async fn the_export_is_everything_stored_about_the_caller_as_a_download() {
    let stack = TestStack::start().await;
    seed(&stack).await;
    let own = stack.sdk_config_of("get-profile");
    let store = DynamoProfiles::new(&own, TABLE, Some(&stack.dynamodb.url()));

    let (status, disposition, body) = export_as(&store, Some(events::FIXTURE_SUB)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        disposition.as_deref(),
        Some("attachment; filename=\"avatar-account-data.json\"")
    );
    let exported_at = body["exportedAt"].as_str().expect("exportedAt").to_string();
    assert!(exported_at.ends_with('Z'), "{exported_at}");
    assert_eq!(
        body,
        serde_json::json!({
            "accountId": events::FIXTURE_SUB,
            "profile": {
                "username": "ada",
                "fullName": "Ada Lovelace",
                "avatarUrl": "/default-avatar.svg",
                "version": 4,
                "updatedAt": "2026-11-26T12:00:00Z",
            },
            "exportedAt": exported_at,
        })
    );

    // An account without a profile has nothing stored but its id.
    let other = "9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f";
    let (status, _, body) = export_as(&store, Some(other)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accountId"], other);
    assert!(body["profile"].is_null(), "{body}");

    // Without a verified caller: 401, the §3 shape, no attachment.
    let (status, disposition, body) = export_as(&store, None).await;
    assert_eq!((status, disposition), (401, None));
    assert_eq!(body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn only_a_found_public_profile_may_be_shared_by_the_cdn_for_seconds() {
    let stack = TestStack::start().await;
    seed(&stack).await;
    let store = DynamoProfiles::new(stack.sdk_config(), TABLE, Some(&stack.dynamodb.url()));
    let request = |payload: Value| lambda_http::request::from_str(&payload.to_string()).unwrap();
    let cache_control = |response: &Response<Body>| {
        response.headers()["cache-control"]
            .to_str()
            .expect("ASCII")
            .to_string()
    };

    // The public read: CloudFront may keep it five seconds, browsers not at all.
    let public = handle(&store, request(fixture("ok")))
        .await
        .expect("infallible");
    assert_eq!(public.status(), 200);
    assert_eq!(cache_control(&public), "public, max-age=0, s-maxage=5");

    // The signed-in read of the same profile is the caller's own: never shared.
    let me = handle(&store, request(fixture("me")))
        .await
        .expect("infallible");
    assert_eq!(me.status(), 200);
    assert_eq!(cache_control(&me), "no-store");

    // Refusals are not kept either: a profile created a moment later shows at once.
    let missing = handle(&store, with_username("nobody"))
        .await
        .expect("infallible");
    assert_eq!(missing.status(), 404);
    assert_eq!(cache_control(&missing), "no-store");
    let stranger = events::as_account(fixture("me"), "9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f");
    let no_profile = handle(&store, request(stranger)).await.expect("infallible");
    assert_eq!(no_profile.status(), 404);
    assert_eq!(cache_control(&no_profile), "no-store");
}
