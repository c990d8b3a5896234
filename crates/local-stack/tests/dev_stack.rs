//! The running app, exactly as a developer gets it from `scripts/dev`: the local edge in
//! front of the real function binaries under `cargo lambda watch`, the embedded S3 and
//! DynamoDB, signed in through the local provider as the page does. `scripts/test` starts
//! the stack and runs this with `--ignored`.

use avatar_domain::values::ContentType;
use serde_json::{Value, json};
use test_support::sign_in::sign_in;
use test_support::{images, post_form_from, unread_bytes};

fn app_url() -> String {
    std::env::var("APP_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into())
}

#[tokio::test]
#[ignore = "needs the app running (scripts/dev); scripts/test runs it"]
async fn sign_upload_save_get_and_serve_through_the_edge() {
    let app = app_url();
    let origin = app.clone();
    let client = reqwest::Client::new();
    let png = images::png_with_metadata(32, 32);

    // 0. Without a token the edge's authorizer answers; with one, the functions do.
    let refused = client
        .post(format!("{app}/api/uploads"))
        .json(&json!({"filename": "me.png", "contentType": "image/png", "size": png.len()}))
        .send()
        .await
        .expect("edge answers");
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.json::<Value>().await.unwrap(),
        json!({"message": "Unauthorized"})
    );
    // A new account each run: an account owns at most one profile.
    let account = format!("dev-{}", uuid::Uuid::new_v4().simple());
    let token = sign_in(&app, &account).await.access_token;

    // 1. Sign.
    let signed: Value = {
        let response = client
            .post(format!("{app}/api/uploads"))
            .bearer_auth(&token)
            .json(&json!({
                "filename": "me.png",
                "contentType": "image/png",
                "size": png.len(),
                "checksumSha256": avatar_domain::values::Sha256Checksum::of(&png).as_str(),
            }))
            .send()
            .await
            .expect("edge answers");
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    };
    let url = signed["upload"]["url"].as_str().unwrap();
    let key = signed["key"].as_str().unwrap();

    // 2. The browser's CORS preflight and POST, straight to S3.
    let preflight = client
        .request(reqwest::Method::OPTIONS, url)
        .header("Origin", &origin)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        preflight.status().is_success(),
        "preflight: {}",
        preflight.status()
    );
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        origin.as_str()
    );
    assert_eq!(preflight.headers()["access-control-max-age"], "600");
    let fields: Vec<(String, String)> = signed["upload"]["fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    // `cargo lambda watch` gave sign-upload its own key (its Cargo.toml wins over
    // local.env), so local IAM authorises this POST by sign-upload's statements.
    let credential = fields
        .iter()
        .find(|(k, _)| k == "x-amz-credential")
        .map(|(_, v)| v.clone())
        .expect("credential field");
    let sign_upload_key = &test_support::function_keys()["sign-upload"].access_key;
    assert!(
        credential.starts_with(&format!("{sign_upload_key}/")),
        "{credential}"
    );
    let upload = post_form_from(&origin, url, &fields, png.clone(), "image/png").await;
    assert!(upload.status().is_success(), "upload: {}", upload.status());
    assert_eq!(
        upload.headers()["access-control-allow-origin"],
        origin.as_str()
    );
    let exposed = upload.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("location"),
        "{exposed}"
    );

    // 3. Save, 4. get.
    let username = format!("dev_{}", &key[9..17]);
    let saved = client
        .post(format!("{app}/api/profile"))
        .bearer_auth(&token)
        .json(&json!({"username": username, "fullName": "Dev Stack", "avatarKey": key, "expectedVersion": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 201);
    let saved: Value = saved.json().await.unwrap();
    let got: Value = client
        .get(format!("{app}/api/profile/{}", username.to_uppercase()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got, saved);

    // 5. The avatar (its largest variant), same origin, with the headers CloudFront adds.
    let avatar_url = got["avatarUrl"].as_str().unwrap();
    assert!(avatar_url.starts_with(&format!("/avatars/{username}/")));
    assert_eq!(got["avatarUrl"], got["avatarVariants"]["512"]);
    let avatar = client
        .get(format!("{app}{avatar_url}"))
        .send()
        .await
        .unwrap();
    assert_eq!(avatar.status(), 200);
    test_support::avatar_headers::assert_avatar_headers(avatar.headers(), "image/webp");
    let bytes = avatar.bytes().await.unwrap();
    assert!(images::leaks(&bytes).is_empty());
    assert_eq!(images::decode(&bytes, "image/webp"), (512, 512));

    // A refusal through the whole chain keeps the §3 error shape.
    let refused = client
        .post(format!("{app}/api/uploads"))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 415);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_media_type");
}

/// `DELETE /api/account` through the running app: the real delete-account binary finds the
/// user pool on the app's own port (scripts/dev passes it from `PORT`), local IAM lets its
/// key delete the user, and the name then signs in as a new account with nothing exported.
#[tokio::test]
#[ignore = "needs the app running (scripts/dev); scripts/test runs it"]
async fn delete_account_and_export_through_the_edge() {
    let app = app_url();
    let client = reqwest::Client::new();
    let account = format!("leave-{}", uuid::Uuid::new_v4().simple());
    let tokens = sign_in(&app, &account).await;
    let export = |token: String| {
        let request = client
            .get(format!("{app}/api/me/export"))
            .bearer_auth(token)
            .send();
        async move {
            let response = request.await.expect("edge answers");
            assert_eq!(response.status(), 200);
            assert!(
                response.headers()["content-disposition"]
                    .to_str()
                    .unwrap()
                    .starts_with("attachment;")
            );
            response.json::<Value>().await.unwrap()
        }
    };
    let before = export(tokens.access_token.clone()).await;

    for _ in 0..2 {
        let deleted = client
            .delete(format!("{app}/api/account"))
            .bearer_auth(&tokens.access_token)
            .send()
            .await
            .expect("edge answers");
        assert_eq!(deleted.status(), 204, "{:?}", deleted.text().await);
    }
    let refused =
        test_support::sign_in::refresh(&app, tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(refused.status(), 400);

    let again = sign_in(&app, &account).await;
    let after = export(again.access_token).await;
    assert_ne!(after["accountId"], before["accountId"], "a new account");
    assert_eq!(after["profile"], Value::Null);
}

/// Signs, uploads and saves `bytes` as a new account's avatar through the edge; the saved
/// profile's JSON.
async fn publish_through_the_edge(app: &str, format: ContentType, bytes: Vec<u8>) -> Value {
    let client = reqwest::Client::new();
    let account = format!("unread-{}", uuid::Uuid::new_v4().simple());
    let token = sign_in(app, &account).await.access_token;
    let signed: Value = client
        .post(format!("{app}/api/uploads"))
        .bearer_auth(&token)
        .json(&json!({
            "filename": format!("me.{}", format.extension()),
            "contentType": format.mime(),
            "size": bytes.len(),
            "checksumSha256": avatar_domain::values::Sha256Checksum::of(&bytes).as_str(),
        }))
        .send()
        .await
        .expect("edge answers")
        .json()
        .await
        .unwrap();
    let fields: Vec<(String, String)> = signed["upload"]["fields"]
        .as_object()
        .unwrap_or_else(|| panic!("signed: {signed}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    let url = signed["upload"]["url"].as_str().unwrap();
    let upload = post_form_from(app, url, &fields, bytes, format.mime()).await;
    assert!(upload.status().is_success(), "upload: {}", upload.status());
    let key = signed["key"].as_str().unwrap();
    let username = format!("u_{}", &account[7..20]);
    let saved = client
        .post(format!("{app}/api/profile"))
        .bearer_auth(&token)
        .json(&json!({"username": username, "fullName": "Unread", "avatarKey": key}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 201, "{format:?}");
    saved.json().await.unwrap()
}

/// For each format, bytes no decoder reads, placed inside image data that cleaning keeps,
/// reach nothing the edge serves: the profile shows its largest variant, every variant is
/// rendered from pixels, and the upload's own paths (under `avatars/` where originals used
/// to be served, and under `originals/` where they are kept) answer no file.
#[tokio::test]
#[ignore = "needs the app running (scripts/dev); scripts/test runs it"]
async fn unread_bytes_in_any_format_reach_nothing_the_edge_serves() {
    let app = app_url();
    let client = reqwest::Client::new();
    for format in [
        ContentType::Png,
        ContentType::Jpeg,
        ContentType::Gif,
        ContentType::Webp,
    ] {
        let upload = unread_bytes::picture(format, 96, 64);
        assert!(images::contains(&upload, unread_bytes::UNREAD));
        let profile = publish_through_the_edge(&app, format, upload).await;
        let shown = profile["avatarUrl"].as_str().unwrap().to_string();
        assert_eq!(
            profile["avatarVariants"]["512"],
            shown.as_str(),
            "{format:?}"
        );
        let served: Vec<String> = ["64", "128", "256", "512"]
            .iter()
            .map(|size| {
                profile["avatarVariants"][size]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for url in &served {
            let response = client.get(format!("{app}{url}")).send().await.unwrap();
            assert_eq!(response.status(), 200, "{format:?} {url}");
            let bytes = response.bytes().await.unwrap();
            assert!(
                !images::contains(&bytes, unread_bytes::UNREAD),
                "{format:?}: {url} carries the upload's unread bytes"
            );
        }
        // The upload's own name, under every prefix and extension, is no file.
        let stem = shown
            .strip_prefix("/avatars/")
            .and_then(|s| s.strip_suffix("-512.webp"))
            .unwrap_or_else(|| panic!("{format:?}: {shown}"));
        for prefix in ["avatars", "originals", "incoming"] {
            for ext in ["png", "jpg", "gif", "webp"] {
                let path = format!("/{prefix}/{stem}.{ext}");
                let response = client.get(format!("{app}{path}")).send().await.unwrap();
                let status = response.status();
                let bytes = response.bytes().await.unwrap();
                assert!(
                    !status.is_success() && !images::contains(&bytes, unread_bytes::UNREAD),
                    "{format:?}: {path} answered {status}"
                );
            }
        }
    }
}
