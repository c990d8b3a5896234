//! The embedded S3 answers browser uploads (POST Object) as S3 documents them: `204` with
//! the stored object's `ETag` and its `Location` by default, the status that a signed
//! `success_action_status` asks for (`201` with S3's XML document), a `303` to a signed
//! `success_action_redirect`, and refusals worded and coded as S3 words them — with real
//! forms from the app's signer, or hand-signed ones where the signer never goes.

use std::time::{Duration, SystemTime};

use avatar_aws::signer::{PostSigner, SigningKeyCache, format_amz_date, format_credential_date};
use avatar_domain::upload_form::{UploadAnswer, UploadTerms};
use avatar_domain::values::{ContentType, UploadKey};
use aws_credential_types::Credentials;
use base64::Engine as _;
use test_support::{ACCESS_KEY, BUCKET, PAGE_ORIGIN, REGION, SECRET_KEY, TestStack, images};

const MAX: u64 = 4096;

type Fields = Vec<(String, String)>;

fn creds() -> Credentials {
    Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test")
}

/// A form from the app's own signer, as `POST /api/uploads` returns it.
fn signed(
    stack: &TestStack,
    status: Option<UploadAnswer>,
    at: SystemTime,
) -> (String, String, Fields) {
    let key = UploadKey::new(owner(), ContentType::Png);
    let signer = PostSigner::new(BUCKET, REGION, Some(&stack.s3.url())).expect("form URL");
    let terms = UploadTerms {
        key: key.as_str(),
        content_type: ContentType::Png,
        max_bytes: MAX,
        answer: status,
        // These tests are about S3's answers; the digest's own tests are in avatar-domain.
        checksum_sha256: None,
    };
    let post = signer.sign_terms(&creds(), &terms, Duration::from_secs(300), at);
    let fields = post
        .pairs()
        .into_iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    (post.url.to_string(), key.to_string(), fields)
}

/// A form with extra signed fields the app's signer never sends (`success_action_status`
/// values outside 200/201/204, `success_action_redirect`), signed with the same primitives.
fn hand_signed(stack: &TestStack, extra: &[(&str, &str)]) -> (String, String, Fields) {
    let key = UploadKey::new(owner(), ContentType::Png).to_string();
    hand_signed_for(stack, &key, extra)
}

/// A hand-signed form for `key`, whatever it is.
fn hand_signed_for(
    stack: &TestStack,
    key: &str,
    extra: &[(&str, &str)],
) -> (String, String, Fields) {
    let key = key.to_string();
    let now = time::OffsetDateTime::now_utc();
    let credential = format!(
        "{ACCESS_KEY}/{}/{REGION}/s3/aws4_request",
        format_credential_date(now)
    );
    let date = format_amz_date(now);
    let mut conditions = vec![
        serde_json::json!({"bucket": BUCKET}),
        serde_json::json!(["eq", "$key", key]),
        serde_json::json!(["eq", "$Content-Type", "image/png"]),
        serde_json::json!(["content-length-range", 1, MAX]),
    ];
    for (name, value) in extra {
        conditions.push(serde_json::json!(["eq", format!("${name}"), value]));
    }
    conditions.push(serde_json::json!({"x-amz-algorithm": "AWS4-HMAC-SHA256"}));
    conditions.push(serde_json::json!({"x-amz-credential": credential}));
    conditions.push(serde_json::json!({"x-amz-date": date}));
    let expiration = (now + time::Duration::minutes(5))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let policy = serde_json::json!({"expiration": expiration, "conditions": conditions});
    let policy = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
    let signature =
        SigningKeyCache::new(REGION.into()).sign(ACCESS_KEY, SECRET_KEY, now, policy.as_bytes());
    let mut fields: Fields = vec![
        ("key".into(), key.clone()),
        ("Content-Type".into(), "image/png".into()),
    ];
    fields.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    fields.extend([
        ("x-amz-algorithm".into(), "AWS4-HMAC-SHA256".into()),
        ("x-amz-credential".into(), credential),
        ("x-amz-date".into(), date),
        ("policy".into(), policy),
        ("x-amz-signature".into(), signature),
    ]);
    (format!("{}/{BUCKET}", stack.s3.url()), key, fields)
}

fn set(fields: &mut Fields, name: &str, value: &str) {
    fields.iter_mut().find(|(n, _)| n == name).expect(name).1 = value.into();
}

/// A browser's POST from the page's origin; redirects are reported, not followed.
async fn post(url: &str, fields: &Fields, file: Vec<u8>) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.clone(), value.clone());
    }
    let part = reqwest::multipart::Part::bytes(file)
        .file_name("avatar.png")
        .mime_str("image/png")
        .unwrap();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(url)
        .header("Origin", PAGE_ORIGIN)
        .multipart(form.part("file", part))
        .send()
        .await
        .expect("POST form")
}

/// The root element and its children's text, from an S3 XML document.
fn elements(xml: &str) -> (String, Vec<(String, String)>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut path, mut children, mut text) = (Vec::new(), Vec::new(), String::new());
    let mut root = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if path.is_empty() {
                    root = name.clone();
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                text.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap());
            }
            Event::End(_) => {
                let name = path.pop().unwrap();
                if path.len() == 1 {
                    children.push((name, std::mem::take(&mut text)));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (root, children)
}

fn header<'r>(response: &'r reqwest::Response, name: &str) -> Option<&'r str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

/// `{endpoint}/{bucket}/{key}`, the key escaped as S3 escapes it (`/` too).
fn location_of(stack: &TestStack, key: &str) -> String {
    format!("{}/{BUCKET}/{}", stack.s3.url(), key.replace('/', "%2F"))
}

async fn stored_etag(stack: &TestStack, key: &str) -> String {
    stack
        .s3_client()
        .head_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .expect("stored")
        .e_tag()
        .expect("ETag")
        .to_string()
}

#[tokio::test]
async fn a_default_upload_is_204_with_the_stored_objects_etag_and_location() {
    let stack = TestStack::start().await;
    let (url, key, fields) = signed(&stack, None, SystemTime::now());
    let png = images::png(8, 8);
    let response = post(&url, &fields, png.clone()).await;

    assert_eq!(response.status(), 204);
    let etag = stored_etag(&stack, &key).await;
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34,
        "{etag}"
    );
    assert_eq!(header(&response, "etag"), Some(etag.as_str()));
    assert_eq!(
        header(&response, "location"),
        Some(location_of(&stack, &key).as_str())
    );
    // CORS: the page may read both headers.
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    let exposed = header(&response, "access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("location"),
        "{exposed}"
    );
    assert!(response.bytes().await.unwrap().is_empty());
    assert_eq!(stack.get(&key).await.expect("stored").0, png);
}

#[tokio::test]
async fn a_signed_success_action_status_chooses_the_answer() {
    let stack = TestStack::start().await;
    for (status, expected) in [
        (None, 204),
        (Some(UploadAnswer::Empty), 200),
        (Some(UploadAnswer::Document), 201),
        (Some(UploadAnswer::NoContent), 204),
    ] {
        let (url, key, fields) = signed(&stack, status, SystemTime::now());
        let response = post(&url, &fields, images::png(4, 4)).await;
        assert_eq!(response.status().as_u16(), expected, "{status:?}");
        let etag = stored_etag(&stack, &key).await;
        let location = location_of(&stack, &key);
        assert_eq!(header(&response, "etag"), Some(etag.as_str()), "{status:?}");
        assert_eq!(
            header(&response, "location"),
            Some(location.as_str()),
            "{status:?}"
        );
        if expected == 201 {
            assert_eq!(header(&response, "content-type"), Some("application/xml"));
            let body = response.text().await.unwrap();
            assert!(
                body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
                "{body}"
            );
            let (root, children) = elements(&body);
            assert_eq!(root, "PostResponse");
            assert_eq!(
                children,
                [
                    ("Location".to_string(), location),
                    ("Bucket".to_string(), BUCKET.to_string()),
                    ("Key".to_string(), key.clone()),
                    ("ETag".to_string(), etag),
                ]
            );
        } else {
            assert!(response.bytes().await.unwrap().is_empty(), "{status:?}");
        }
    }
}

#[tokio::test]
async fn any_other_signed_success_action_status_is_answered_204() {
    let stack = TestStack::start().await;
    for value in ["202", "299", "303", "400"] {
        let (url, key, fields) = hand_signed(&stack, &[("success_action_status", value)]);
        let response = post(&url, &fields, images::png(4, 4)).await;
        assert_eq!(response.status(), 204, "{value}");
        assert_eq!(
            header(&response, "etag"),
            Some(stored_etag(&stack, &key).await.as_str()),
            "{value}"
        );
    }
}

#[tokio::test]
async fn a_signed_redirect_is_a_303_naming_bucket_key_and_etag() {
    let stack = TestStack::start().await;
    let target = "http://127.0.0.1:3000/done.html?from=upload";
    let (url, key, fields) = hand_signed(&stack, &[("success_action_redirect", target)]);
    let response = post(&url, &fields, images::png(4, 4)).await;
    assert_eq!(response.status(), 303);
    let etag = stored_etag(&stack, &key).await;
    let location = reqwest::Url::parse(header(&response, "location").unwrap()).unwrap();
    assert_eq!(location.path(), "/done.html");
    let query: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        [
            ("from".to_string(), "upload".to_string()),
            ("bucket".to_string(), BUCKET.to_string()),
            ("key".to_string(), key),
            ("etag".to_string(), etag),
        ]
    );

    // S3 ignores a redirect that is not a URL: the upload is stored and answered as usual.
    let (url, key, fields) = hand_signed(&stack, &[("success_action_redirect", "not a url")]);
    let response = post(&url, &fields, images::png(4, 4)).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        header(&response, "etag"),
        Some(stored_etag(&stack, &key).await.as_str())
    );
}

/// How a refusal must look, and that it stored nothing.
async fn assert_refused(
    stack: &TestStack,
    name: &str,
    response: reqwest::Response,
    status: u16,
    code: &str,
    message: &str,
) {
    assert_eq!(response.status().as_u16(), status, "{name}");
    assert_eq!(
        header(&response, "content-type"),
        Some("application/xml"),
        "{name}"
    );
    let body = response.text().await.unwrap();
    let (root, children) = elements(&body);
    assert_eq!(root, "Error", "{name}: {body}");
    assert_eq!(
        children[0],
        ("Code".to_string(), code.to_string()),
        "{name}"
    );
    assert_eq!(
        children.get(1).map(|c| c.0.as_str()),
        Some("Message"),
        "{name}: {body}"
    );
    assert!(
        children[1].1.starts_with(message),
        "{name}: {:?} does not start with {message:?}",
        children[1].1
    );
    assert_eq!(
        stack.keys().await,
        Vec::<String>::new(),
        "{name}: nothing stored"
    );
}

#[tokio::test]
async fn policy_refusals_are_coded_and_worded_as_s3_does() {
    let stack = TestStack::start().await;
    std::fs::create_dir(stack.dir.path().join("s3/other-bucket")).unwrap();
    type Tamper = fn(&mut Fields, &mut Vec<u8>, &mut String);
    let cases: Vec<(&str, Tamper, u16, &str, &str)> = vec![
        (
            "another key",
            |f, _, _| set(f, "key", "incoming/other.png"),
            403,
            "AccessDenied",
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"incoming/",
        ),
        (
            "another Content-Type",
            |f, _, _| set(f, "Content-Type", "text/html"),
            403,
            "AccessDenied",
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$Content-Type\", \"image/png\"]",
        ),
        (
            "another bucket",
            |_, _, url| *url = url.replace(&format!("/{BUCKET}"), "/other-bucket"),
            403,
            "AccessDenied",
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"uploads\"]",
        ),
        (
            "a file over the limit",
            |_, file, _| file.resize(MAX as usize + 1, 0),
            400,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed",
        ),
        (
            "an empty file",
            |_, file, _| file.clear(),
            400,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed",
        ),
        (
            "an unsigned success_action_status",
            |f, _, _| f.insert(2, ("success_action_status".into(), "201".into())),
            403,
            "AccessDenied",
            "Invalid according to Policy: Extra input fields: success_action_status",
        ),
        (
            "an unsigned server-side encryption field",
            |f, _, _| f.insert(2, ("x-amz-server-side-encryption".into(), "AES256".into())),
            403,
            "AccessDenied",
            "Invalid according to Policy: Extra input fields: x-amz-server-side-encryption",
        ),
        (
            "a wrong signature",
            |f, _, _| set(f, "x-amz-signature", &"0".repeat(64)),
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ),
    ];
    for (name, tamper, status, code, message) in cases {
        let (mut url, _, mut fields) = signed(&stack, None, SystemTime::now());
        let mut file = images::png(8, 8);
        tamper(&mut fields, &mut file, &mut url);
        let response = post(&url, &fields, file).await;
        assert_refused(&stack, name, response, status, code, message).await;
        let other = std::fs::read_dir(stack.dir.path().join("s3/other-bucket")).unwrap();
        assert_eq!(
            other.count(),
            0,
            "{name}: nothing stored in the other bucket"
        );
    }

    // Signed long enough ago that the policy has expired.
    let (url, _, fields) = signed(&stack, None, SystemTime::now() - Duration::from_secs(600));
    let response = post(&url, &fields, images::png(8, 8)).await;
    assert_refused(
        &stack,
        "an expired policy",
        response,
        403,
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )
    .await;
}

#[tokio::test]
async fn a_missing_bucket_is_no_such_bucket() {
    let stack = TestStack::start().await;
    let (url, _, fields) = signed(&stack, None, SystemTime::now());
    let missing = url.replace(&format!("/{BUCKET}"), "/no-such-bucket");
    let response = post(&missing, &fields, images::png(8, 8)).await;
    assert_eq!(response.status(), 404);
    let body = response.text().await.unwrap();
    let (root, children) = elements(&body);
    assert_eq!(root, "Error");
    assert_eq!(children[0], ("Code".into(), "NoSuchBucket".into()));
    assert!(
        children.contains(&("BucketName".into(), "no-such-bucket".into())),
        "{body}"
    );
    assert!(
        !stack.dir.path().join("s3/no-such-bucket").exists(),
        "the POST did not create the bucket"
    );

    // Reads through the SDK say the same.
    let client = stack.s3_client();
    let get = client
        .get_object()
        .bucket("no-such-bucket")
        .key("incoming/x.png")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_s3::error::ProvideErrorMetadata::code(&get),
        Some("NoSuchBucket")
    );
    let list = client
        .list_objects_v2()
        .bucket("no-such-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_s3::error::ProvideErrorMetadata::code(&list),
        Some("NoSuchBucket")
    );
    let head = client
        .head_object()
        .bucket("no-such-bucket")
        .key("incoming/x.png")
        .send()
        .await
        .unwrap_err();
    assert_eq!(head.raw_response().map(|r| r.status().as_u16()), Some(404));
    // A missing key in a bucket that exists is still NoSuchKey.
    let get = client
        .get_object()
        .bucket(BUCKET)
        .key("incoming/x.png")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_s3::error::ProvideErrorMetadata::code(&get),
        Some("NoSuchKey")
    );
}

#[tokio::test]
async fn the_cors_preflight_allows_the_page_and_exposes_etag_and_location() {
    let stack = TestStack::start().await;
    let url = format!("{}/{BUCKET}", stack.s3.url());
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", PAGE_ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "x-requested-with")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
    assert!(
        header(&preflight, "access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert_eq!(header(&preflight, "access-control-max-age"), Some("600"));

    // Another origin gets no CORS grant, so a browser would not let it read the answer.
    let other = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&other, "access-control-allow-origin"), None);

    // Refusals carry the grant too, so the page can read S3's reason.
    let (url, _, mut fields) = signed(&stack, None, SystemTime::now());
    set(&mut fields, "Content-Type", "text/html");
    let refused = post(&url, &fields, images::png(4, 4)).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        header(&refused, "access-control-allow-origin"),
        Some(PAGE_ORIGIN)
    );
}

/// Any signed-in account: uploads live under its prefix.
fn owner() -> avatar_domain::values::AccountId {
    avatar_domain::values::AccountId::try_from(test_support::events::FIXTURE_SUB).expect("account")
}

/// The local store keeps keys as file paths: a form whose key collapses to another path
/// is refused, even when its policy signs that key, and nothing lands anywhere.
#[tokio::test]
async fn a_form_key_that_collapses_to_another_path_is_refused() {
    let stack = TestStack::start().await;
    for key in [
        "incoming/../avatars/ada/x.png",
        "incoming/./x.png",
        "/avatars/x.png",
    ] {
        let (url, _, fields) = hand_signed_for(&stack, key, &[]);
        let response = post(&url, &fields, images::png(8, 8)).await;
        assert_eq!(response.status(), 400, "{key}");
        let (root, children) = elements(&response.text().await.unwrap());
        assert_eq!(root, "Error", "{key}");
        assert!(
            children.contains(&("Code".into(), "InvalidArgument".into())),
            "{key}: {children:?}"
        );
    }
    assert!(stack.keys().await.is_empty(), "nothing was stored");
}
