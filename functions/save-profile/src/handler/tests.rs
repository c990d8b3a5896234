use std::collections::HashMap;

use avatar_domain::service::ProfileService;
use avatar_domain::values::{AccountId, ContentType, UploadKey};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::Request;
use serde_json::{Value, json};
use test_support::events::FIXTURE_SUB;
use test_support::{TestStack, events, images};

use super::*;

const MAX: u64 = 256 * 1024;

struct Harness {
    stack: TestStack,
    profiles: ProfileService,
}

impl Harness {
    async fn start() -> Self {
        Self::start_with_max(MAX).await
    }

    async fn start_with_max(max: u64) -> Self {
        let stack = TestStack::start().await;
        let sdk = stack.sdk_config();
        let env = stack.function_env(&[("MAX_UPLOAD_BYTES", &max.to_string())]);
        let profiles = avatar_aws::setup::profile_service(&env, sdk).expect("config");
        Self { stack, profiles }
    }

    async fn save(&self, body: Value) -> (u16, Value) {
        self.save_raw(Some("application/json"), &body.to_string())
            .await
    }

    async fn save_raw(&self, content_type: Option<&str>, body: &str) -> (u16, Value) {
        let response = handle(&self.profiles, event(content_type, body))
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        (
            status,
            serde_json::from_slice(response.body().as_ref()).expect("JSON"),
        )
    }

    /// Puts an object where the browser's POST would have, and returns its key.
    async fn upload(&self, ext: &str, bytes: Vec<u8>) -> String {
        let key = format!("incoming/{FIXTURE_SUB}/{}.{ext}", uuid_v4());
        self.stack
            .put(&key, bytes, "application/octet-stream")
            .await;
        key
    }

    async fn snapshot(&self) -> (Vec<String>, Vec<HashMap<String, AttributeValue>>) {
        self.stack.contents().await
    }
}

/// The objects a saved profile has: the four variants its JSON names (`avatarUrl` is the
/// largest of them) and the original its item records, under `originals/`.
async fn published_keys(stack: &TestStack, body: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    for size in ["64", "128", "256", "512"] {
        let url = body["avatarVariants"][size]
            .as_str()
            .unwrap_or_else(|| panic!("variant {size} in {body}"));
        keys.push(url[1..].to_string());
    }
    assert_eq!(body["avatarUrl"], body["avatarVariants"]["512"], "{body}");
    let username = body["username"].as_str().expect("username");
    let item = stack.item(username).await.expect("stored profile");
    let original = item["avatarKey"].as_s().expect("avatarKey").clone();
    assert!(original.starts_with("originals/"), "{original}");
    keys.push(original);
    keys.sort();
    keys
}

/// The original a saved profile records.
async fn original_of(stack: &TestStack, username: &str) -> String {
    let item = stack.item(username).await.expect("stored profile");
    item["avatarKey"].as_s().expect("avatarKey").clone()
}

fn uuid_v4() -> String {
    // A fresh canonical v4 id from the same source the app uses.
    let owner = AccountId::try_from(FIXTURE_SUB).expect("account");
    let key = UploadKey::new(owner, ContentType::Png);
    let file = key.as_str().rsplit('/').next().unwrap_or_default();
    file.trim_end_matches(".png").to_string()
}

fn event(content_type: Option<&str>, body: &str) -> Request {
    event_from(events::fixture("save-profile/create"), content_type, body)
}

/// `payload` (its claims, its route) with another body.
fn event_from(payload: Value, content_type: Option<&str>, body: &str) -> Request {
    let payload = events::with_body(payload, content_type, body);
    lambda_http::request::from_str(&payload).expect("event")
}

/// Another signed-in account than the fixtures'.
const OTHER_SUB: &str = "9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f";

impl Harness {
    /// A save made by the account `sub`.
    async fn save_as(&self, sub: &str, body: Value) -> (u16, Value) {
        let payload = events::as_account(events::fixture("save-profile/create"), sub);
        let request = event_from(payload, Some("application/json"), &body.to_string());
        let response = handle(&self.profiles, request).await.expect("infallible");
        let status = response.status().as_u16();
        (
            status,
            serde_json::from_slice(response.body().as_ref()).expect("JSON"),
        )
    }

    /// An upload in `sub`'s own prefix, as its browser's POST would leave it.
    async fn upload_as(&self, sub: &str, bytes: Vec<u8>) -> String {
        let key = format!("incoming/{sub}/{}.png", uuid_v4());
        self.stack.put(&key, bytes, "image/png").await;
        key
    }
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_400_and_stores_nothing() {
    let h = Harness::start().await;
    let upload = h.upload("png", images::png(8, 8)).await;
    let before = h.snapshot().await;
    for (name, body) in events::non_utf8_bodies() {
        let payload = events::with_binary_body(events::fixture("save-profile/create"), &body);
        let request = lambda_http::request::from_str(&payload).expect("event");
        let response = handle(&h.profiles, request).await.expect("infallible");
        let answer: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
        assert_eq!(response.status().as_u16(), 400, "{name}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_request", "{name}");
        assert!(answer["error"].get("field").is_none(), "{name}");
        assert_eq!(h.snapshot().await, before, "{name}: nothing stored");
    }
    assert!(h.stack.keys().await.contains(&upload));
}

#[tokio::test]
async fn fixtures_parse_and_answer_as_documented() {
    let h = Harness::start().await;
    for (name, status, code) in [
        ("create", 201, None),
        ("update", 200, None),
        ("remove-picture", 200, None),
        ("with-avatar", 422, Some("upload_not_found")),
        ("bad-username", 400, Some("invalid_request")),
        ("key-outside-incoming", 400, Some("invalid_request")),
        ("form-encoded", 415, Some("unsupported_media_type")),
    ] {
        let text = events::fixture(&format!("save-profile/{name}")).to_string();
        let response = handle(
            &h.profiles,
            lambda_http::request::from_str(&text).expect("event"),
        )
        .await
        .expect("infallible");
        let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
        assert_eq!(response.status().as_u16(), status, "{name}: {body}");
        assert_eq!(body["error"]["code"].as_str(), code, "{name}");
    }
}

#[tokio::test]
async fn publishes_a_clean_avatar_and_replaces_the_old_one() {
    let h = Harness::start().await;
    let first = h.upload("jpg", images::jpeg_with_metadata(40, 30)).await;
    let (status, body) = h
        .save(json!({"username": "Ada", "fullName": " Ada Lovelace ", "avatarKey": first}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["username"], "ada");
    assert_eq!(body["fullName"], "Ada Lovelace");
    assert_eq!(body["version"], 1);
    let avatar_url = body["avatarUrl"].as_str().unwrap().to_string();
    assert!(
        avatar_url.starts_with("/avatars/ada/") && avatar_url.ends_with("-512.webp"),
        "{avatar_url}"
    );

    let keys = h.stack.keys().await;
    assert_eq!(
        keys,
        published_keys(&h.stack, &body).await,
        "incoming/ emptied, one avatar and its variants"
    );
    let original = original_of(&h.stack, "ada").await;
    assert!(original.ends_with(".jpg"), "{original}");
    let (bytes, content_type, cache_control) =
        h.stack.get(&original).await.expect("original stored");
    assert_eq!(content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        cache_control.as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert!(
        images::leaks(&bytes).is_empty(),
        "{:?}",
        images::leaks(&bytes)
    );
    assert_eq!(images::decode(&bytes, "image/jpeg"), (40, 30));

    let second = h.upload("png", images::png_with_metadata(20, 20)).await;
    let (status, body) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": second, "expectedVersion": 1}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);
    let new_url = body["avatarUrl"].as_str().unwrap();
    assert_eq!(
        h.stack.keys().await,
        published_keys(&h.stack, &body).await,
        "old avatar and its variants deleted"
    );
    let (bytes, ..) = h
        .stack
        .get(&original_of(&h.stack, "ada").await)
        .await
        .unwrap();
    assert!(images::leaks(&bytes).is_empty());
    images::decode(&bytes, "image/png");

    // No avatarKey keeps the current avatar.
    let (status, body) = h
        .save(json!({"username": "ada", "fullName": "Ada L."}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["avatarUrl"], new_url);
    assert_eq!(body["version"], 3);
}

/// (name, uploaded object, request overrides, status, code, field)
type Case = (
    &'static str,
    Option<(&'static str, Vec<u8>)>,
    Value,
    u16,
    &'static str,
    Option<&'static str>,
);

#[tokio::test]
async fn refusals_change_nothing() {
    let h = Harness::start().await;
    // An existing profile at version 2, and one valid upload waiting in incoming/.
    h.save(json!({"username": "ada", "fullName": "Ada"})).await;
    h.save(json!({"username": "ada", "fullName": "Ada"})).await;
    let good = h.upload("png", images::png(8, 8)).await;
    let id = uuid_v4();
    let long_name = "x".repeat(101);

    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec();
    let html = b"<!doctype html><script>alert(1)</script>".to_vec();
    let too_big = {
        let mut png = images::png(8, 8);
        png.resize(MAX as usize + 1, 0);
        png
    };
    // (name, uploaded object, body, status, code, field, upload is deleted)
    let uploads: Vec<Case> = vec![
        (
            "svg in a png",
            Some(("png", svg)),
            json!({}),
            422,
            "invalid_avatar",
            None,
        ),
        (
            "html in a png",
            Some(("png", html)),
            json!({}),
            422,
            "invalid_avatar",
            None,
        ),
        (
            "text in a gif",
            Some(("gif", b"hello".to_vec())),
            json!({}),
            422,
            "invalid_avatar",
            None,
        ),
        (
            "jpeg in a webp",
            Some(("webp", images::jpeg_with_metadata(8, 8))),
            json!({}),
            422,
            "invalid_avatar",
            None,
        ),
        (
            "100000 px",
            Some(("png", images::png_header(100_000, 100_000))),
            json!({}),
            422,
            "invalid_avatar",
            None,
        ),
        (
            "empty object",
            Some(("png", vec![])),
            json!({}),
            422,
            "invalid_avatar",
            None,
        ),
        (
            "over the byte limit",
            Some(("png", too_big)),
            json!({}),
            422,
            "invalid_avatar",
            None,
        ),
        (
            "unknown key",
            None,
            json!({"avatarKey": format!("incoming/{FIXTURE_SUB}/{id}.png")}),
            422,
            "upload_not_found",
            None,
        ),
        (
            "outside incoming",
            None,
            json!({"avatarKey": format!("avatars/ada/{id}.png")}),
            400,
            "invalid_request",
            Some("avatarKey"),
        ),
        (
            "traversal",
            None,
            json!({"avatarKey": format!("incoming/{FIXTURE_SUB}/../../avatars/ada/{id}.png")}),
            400,
            "invalid_request",
            Some("avatarKey"),
        ),
        (
            "uppercase uuid",
            None,
            json!({"avatarKey": format!("incoming/{FIXTURE_SUB}/{}.png", id.to_uppercase())}),
            400,
            "invalid_request",
            Some("avatarKey"),
        ),
        (
            "uuid without hyphens",
            None,
            json!({"avatarKey": format!("incoming/{FIXTURE_SUB}/{}.png", id.replace('-', ""))}),
            400,
            "invalid_request",
            Some("avatarKey"),
        ),
        (
            "svg extension",
            None,
            json!({"avatarKey": format!("incoming/{FIXTURE_SUB}/{id}.svg")}),
            400,
            "invalid_request",
            Some("avatarKey"),
        ),
        (
            "key not a string",
            None,
            json!({"avatarKey": 12}),
            400,
            "invalid_request",
            Some("avatarKey"),
        ),
        (
            "username too short",
            None,
            json!({"username": "ab"}),
            400,
            "invalid_request",
            Some("username"),
        ),
        (
            "username too long",
            None,
            json!({"username": "x".repeat(33)}),
            400,
            "invalid_request",
            Some("username"),
        ),
        (
            "username with space",
            None,
            json!({"username": "ada l"}),
            400,
            "invalid_request",
            Some("username"),
        ),
        (
            "username unicode",
            None,
            json!({"username": "adá"}),
            400,
            "invalid_request",
            Some("username"),
        ),
        (
            "username missing",
            None,
            json!({"username": null}),
            400,
            "invalid_request",
            Some("username"),
        ),
        (
            "full name empty",
            None,
            json!({"fullName": "   "}),
            400,
            "invalid_request",
            Some("fullName"),
        ),
        (
            "full name 101",
            None,
            json!({"fullName": long_name}),
            400,
            "invalid_request",
            Some("fullName"),
        ),
        (
            "full name control",
            None,
            json!({"fullName": "Ada\u{7}"}),
            400,
            "invalid_request",
            Some("fullName"),
        ),
        (
            "full name bidi override",
            None,
            json!({"fullName": "Ada\u{202E}ecalevoL"}),
            400,
            "invalid_request",
            Some("fullName"),
        ),
        (
            "full name line separator",
            None,
            json!({"fullName": "Ada\u{2028}Lovelace"}),
            400,
            "invalid_request",
            Some("fullName"),
        ),
        (
            "full name noncharacter",
            None,
            json!({"fullName": "Ada\u{FFFF}"}),
            400,
            "invalid_request",
            Some("fullName"),
        ),
        (
            "full name unassigned",
            None,
            json!({"fullName": "Ada\u{378}"}),
            400,
            "invalid_request",
            Some("fullName"),
        ),
        (
            "version not a number",
            None,
            json!({"expectedVersion": "2"}),
            400,
            "invalid_request",
            Some("expectedVersion"),
        ),
        (
            "version negative",
            None,
            json!({"expectedVersion": -1}),
            400,
            "invalid_request",
            Some("expectedVersion"),
        ),
        (
            "version 1e3",
            None,
            json!({"expectedVersion": 1e3}),
            400,
            "invalid_request",
            Some("expectedVersion"),
        ),
        (
            "version 1.0",
            None,
            json!({"expectedVersion": 1.0}),
            400,
            "invalid_request",
            Some("expectedVersion"),
        ),
        (
            "version 5.5",
            None,
            json!({"expectedVersion": 5.5}),
            400,
            "invalid_request",
            Some("expectedVersion"),
        ),
        (
            "version true",
            None,
            json!({"expectedVersion": true}),
            400,
            "invalid_request",
            Some("expectedVersion"),
        ),
        (
            "version huge",
            None,
            json!({"expectedVersion": 1e300}),
            400,
            "invalid_request",
            Some("expectedVersion"),
        ),
        (
            "stale version",
            None,
            json!({"avatarKey": good, "expectedVersion": 1}),
            409,
            "version_conflict",
            None,
        ),
        (
            "create over existing",
            None,
            json!({"avatarKey": good, "expectedVersion": 0}),
            409,
            "version_conflict",
            None,
        ),
        (
            "version ahead",
            None,
            json!({"expectedVersion": 7}),
            409,
            "version_conflict",
            None,
        ),
    ];
    for (name, object, overrides, status, code, field) in uploads {
        let mut body = json!({"username": "ada", "fullName": "Ada Lovelace"});
        let uploaded = match object {
            Some((ext, bytes)) => {
                let key = h.upload(ext, bytes).await;
                body["avatarKey"] = key.clone().into();
                Some(key)
            }
            None => None,
        };
        for (k, v) in overrides.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (keys_before, items_before) = h.snapshot().await;
        let (got, answer) = h.save(body).await;
        assert_eq!(got, status, "{name}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{name}");
        assert_eq!(answer["error"]["field"].as_str(), field, "{name}");
        let (keys_after, items_after) = h.snapshot().await;
        assert_eq!(items_after, items_before, "{name}: DynamoDB unchanged");
        let expected_keys: Vec<String> = keys_before
            .iter()
            .filter(|k| Some(*k) != uploaded.as_ref())
            .cloned()
            .collect();
        assert_eq!(
            keys_after, expected_keys,
            "{name}: refused uploads deleted, nothing else touched"
        );
    }

    // Malformed bodies and the wrong media type.
    for (name, content_type, body, status, code) in [
        (
            "malformed JSON",
            Some("application/json"),
            "{\"username\": \"ada\",",
            400,
            "invalid_request",
        ),
        (
            "form encoded",
            Some("application/x-www-form-urlencoded"),
            "username=ada&fullName=Ada",
            415,
            "unsupported_media_type",
        ),
        ("no content type", None, "{}", 415, "unsupported_media_type"),
    ] {
        let before = h.snapshot().await;
        let (got, answer) = h.save_raw(content_type, body).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{name}"
        );
        assert_eq!(h.snapshot().await, before, "{name}");
    }

    // After the 409s the same upload can still be saved with the right version.
    let (status, body) = h
        .save(
            json!({"username": "ada", "fullName": "Ada", "avatarKey": good, "expectedVersion": 2}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 3);
    assert_eq!(h.stack.keys().await, published_keys(&h.stack, &body).await);
}

#[tokio::test]
async fn without_claims_nothing_is_read_or_written() {
    let h = Harness::start().await;
    let upload = h.upload("png", images::png(8, 8)).await;
    let before = h.snapshot().await;
    for name in [
        "create",
        "update",
        "with-avatar",
        "bad-username",
        "form-encoded",
    ] {
        let payload = events::without_claims(events::fixture(&format!("save-profile/{name}")));
        let response = handle(
            &h.profiles,
            lambda_http::request::from_str(&payload.to_string()).expect("event"),
        )
        .await
        .expect("infallible");
        let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
        assert_eq!(response.status().as_u16(), 401, "{name}: {body}");
        assert_eq!(body["error"]["code"], "unauthorized", "{name}");
    }
    // A body or a header naming an account is not a caller.
    let spoofed = events::with_body(
        events::without_claims(events::fixture("save-profile/create")),
        Some("application/json"),
        &json!({"username": "ada", "fullName": "Ada", "avatarKey": upload, "sub": FIXTURE_SUB, "owner": FIXTURE_SUB}).to_string(),
    );
    let mut spoofed: Value = serde_json::from_str(&spoofed).expect("JSON");
    spoofed["headers"]["x-amzn-oidc-identity"] = FIXTURE_SUB.into();
    spoofed["headers"]["authorization"] = "Bearer forged".into();
    let response = handle(
        &h.profiles,
        lambda_http::request::from_str(&spoofed.to_string()).expect("event"),
    )
    .await
    .expect("infallible");
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(h.snapshot().await, before, "nothing read, nothing written");
}

#[tokio::test]
async fn another_accounts_profile_and_uploads_are_out_of_reach() {
    let h = Harness::start().await;
    let mine = h.upload_as(FIXTURE_SUB, images::png(8, 8)).await;
    let (status, ada) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": mine}))
        .await;
    assert_eq!(status, 201, "{ada}");
    let theirs = h.upload_as(OTHER_SUB, images::png(8, 8)).await;
    let before = h.snapshot().await;

    // (what the other account tries, status, code, field)
    let cases = [
        (
            json!({"username": "ada", "fullName": "Mallory"}),
            409,
            "username_taken",
            Some("username"),
        ),
        (
            json!({"username": "ada", "fullName": "Mallory", "expectedVersion": 1}),
            409,
            "username_taken",
            Some("username"),
        ),
        (
            json!({"username": "ada", "fullName": "Mallory", "expectedVersion": 0}),
            409,
            "username_taken",
            Some("username"),
        ),
        (
            json!({"username": "ADA", "fullName": "Mallory", "avatarKey": theirs}),
            409,
            "username_taken",
            Some("username"),
        ),
    ];
    for (body, status, code, field) in cases {
        let (got, answer) = h.save_as(OTHER_SUB, body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{body}");
        assert_eq!(answer["error"]["field"].as_str(), field, "{body}");
    }
    assert_eq!(h.snapshot().await.1, before.1, "ada's profile unchanged");

    // Using someone else's upload is refused before it is read, and it stays.
    let (got, answer) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": theirs}))
        .await;
    assert_eq!(
        (got, answer["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{answer}"
    );
    assert_eq!(answer["error"]["field"], "avatarKey");
    let after = h.snapshot().await;
    assert_eq!(after, before, "nothing touched");
    assert!(
        after.0.contains(&theirs),
        "the other account's upload stays"
    );
}

#[tokio::test]
async fn one_account_owns_one_username() {
    let h = Harness::start().await;
    assert_eq!(
        h.save(json!({"username": "ada", "fullName": "Ada"}))
            .await
            .0,
        201
    );
    let before = h.snapshot().await;
    let (status, body) = h
        .save(json!({"username": "lovelace", "fullName": "Ada"}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_has_profile");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("\"ada\""),
        "names the caller's username: {message}"
    );
    assert_eq!(h.snapshot().await, before, "nothing written");
    // The owner record names the one profile.
    let owner = h.stack.owner_item(FIXTURE_SUB).await.expect("owner record");
    assert_eq!(owner["username"].as_s().unwrap(), "ada");
    assert_eq!(
        h.stack.item("ada").await.unwrap()["owner"].as_s().unwrap(),
        FIXTURE_SUB
    );
}

#[tokio::test]
async fn an_upload_without_its_checksum_is_refused_and_deleted() {
    let h = Harness::start().await;
    let key = format!("incoming/{FIXTURE_SUB}/{}.png", uuid_v4());
    h.stack
        .put_without_checksum(&key, images::png(8, 8), "image/png")
        .await;
    let (status, body) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": key}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_avatar");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("checksum")
    );
    assert_eq!(
        h.snapshot().await,
        (vec![], vec![]),
        "upload deleted, nothing saved"
    );
}

/// Events for routes this function does not serve reach nothing: the deletion has its own
/// function and role.
#[tokio::test]
async fn another_route_is_404_and_touches_nothing() {
    let h = Harness::start().await;
    let key = h.upload("png", images::png(8, 8)).await;
    let before = h.snapshot().await;
    for route in ["DELETE /api/profile", "GET /api/me", "POST /api/uploads"] {
        let mut payload = events::fixture("save-profile/with-avatar");
        payload["routeKey"] = route.into();
        payload["requestContext"]["routeKey"] = route.into();
        let body = json!({"username": "ada", "fullName": "Ada", "avatarKey": key}).to_string();
        let response = handle(
            &h.profiles,
            event_from(payload, Some("application/json"), &body),
        )
        .await
        .expect("infallible");
        assert_eq!(response.status().as_u16(), 404, "{route}");
        let body: Value = serde_json::from_slice(response.body().as_ref()).expect("JSON");
        assert_eq!(body["error"]["code"], "not_found", "{route}");
    }
    assert_eq!(
        h.snapshot().await,
        before,
        "nothing read, written or deleted"
    );
}

#[tokio::test]
async fn a_null_avatar_key_removes_the_picture_and_an_absent_one_keeps_it() {
    let h = Harness::start().await;
    let upload = h.upload("png", images::png(8, 8)).await;
    let (_, created) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": upload}))
        .await;
    let avatar = created["avatarUrl"].as_str().unwrap().to_string();

    let (status, kept) = h
        .save(json!({"username": "ada", "fullName": "Ada K"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        kept["avatarUrl"],
        avatar.as_str(),
        "absent keeps the picture"
    );

    let (status, removed) = h
        .save(
            json!({"username": "ada", "fullName": "Ada", "avatarKey": null, "expectedVersion": 2}),
        )
        .await;
    assert_eq!(status, 200, "{removed}");
    assert_eq!(removed["avatarUrl"], "/default-avatar.svg");
    assert_eq!(removed["version"], 3);
    let (keys, items) = h.snapshot().await;
    assert!(
        keys.is_empty(),
        "the old picture is deleted after the write: {keys:?}"
    );
    let profile = items
        .iter()
        .find(|i| i["pk"].as_s().unwrap() == "PROFILE#ada")
        .unwrap();
    assert!(!profile.contains_key("avatarKey"));

    // Removing when there is none is a plain save.
    let (status, body) = h
        .save(json!({"username": "ada", "fullName": "Ada", "avatarKey": null}))
        .await;
    assert_eq!(status, 200, "{body}");
}

mod variants;
