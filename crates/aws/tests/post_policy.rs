//! The signer against a real verifier: the embedded S3 (s3s-fs) checks the SigV4
//! signature and every policy condition of the browser's multipart POST.

use std::time::{Duration, SystemTime};

use avatar_aws::signer::{CredentialSource, PostSigner, S3FormSigner};
use avatar_domain::service::{NewUpload, SignedUpload, UploadSigner};
use avatar_domain::values::{ContentType, Sha256Checksum};
use aws_credential_types::Credentials;
use base64::Engine as _;
use test_support::{
    ACCESS_KEY, BUCKET, PAGE_ORIGIN, REGION, SECRET_KEY, TestStack, images, post_form,
};

/// Any signed-in account: the key prefix is the only thing it changes.
fn account() -> avatar_domain::values::AccountId {
    avatar_domain::values::AccountId::try_from("0f8fad5b-d9cb-469f-a165-70867728950e")
        .expect("account id")
}

const MAX: u64 = 4096;

fn signer(stack: &TestStack, credentials: Credentials, ttl: Duration) -> UploadSigner {
    UploadSigner::new(
        Box::new(S3FormSigner::new(
            PostSigner::new(BUCKET, REGION, Some(&stack.s3.url())).expect("form URL"),
            CredentialSource::from_static(credentials),
        )),
        MAX,
        ttl,
    )
}

fn creds() -> Credentials {
    Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test")
}

/// Signs the upload of `file` as the page asks for it: its type, size and SHA-256.
async fn sign(
    signer: &UploadSigner,
    content_type: ContentType,
    file: &[u8],
    at: SystemTime,
) -> SignedUpload {
    let request = NewUpload {
        content_type,
        size: file.len() as u64,
        checksum_sha256: Sha256Checksum::of(file),
        answer: None,
    };
    signer.sign(&account(), &request, at).await.expect("signed")
}

fn fields(signed: &SignedUpload) -> Vec<(String, String)> {
    signed
        .post
        .pairs()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn set(fields: &mut [(String, String)], name: &str, value: String) {
    fields.iter_mut().find(|(k, _)| k == name).expect(name).1 = value;
}

#[tokio::test]
async fn the_browser_post_is_accepted_and_stored_with_the_signed_type() {
    let stack = TestStack::start().await;
    let signer = signer(&stack, creds(), Duration::from_secs(300));
    let png = images::png(16, 16);
    let signed = sign(&signer, ContentType::Png, &png, SystemTime::now()).await;
    assert_eq!(
        signed.post.url.as_ref(),
        format!("{}/{BUCKET}", stack.s3.url())
    );

    let response = post_form(&signed.post.url, &fields(&signed), png.clone(), "image/png").await;
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(PAGE_ORIGIN),
        "CORS allows the page's origin"
    );
    let (stored, content_type, _) = stack.get(signed.key.as_str()).await.expect("object stored");
    assert_eq!(stored, png);
    assert_eq!(content_type.as_deref(), Some("image/png"));
}

#[tokio::test]
async fn s3_refuses_every_form_that_breaks_the_policy() {
    let stack = TestStack::start().await;
    let signer = signer(&stack, creds(), Duration::from_secs(300));
    let png = images::png(8, 8);

    type Tamper = Box<dyn Fn(&mut Vec<(String, String)>, &mut Vec<u8>, &mut &'static str)>;
    let cases: Vec<(&str, Tamper)> = vec![
        (
            "a file over maxBytes",
            Box::new(|_, file, _| file.resize(MAX as usize + 1, 0)),
        ),
        ("an empty file", Box::new(|_, file, _| file.clear())),
        (
            "another Content-Type",
            Box::new(|f, _, ct| {
                set(f, "Content-Type", "text/html".into());
                *ct = "text/html";
            }),
        ),
        (
            "another key",
            Box::new(|f, _, _| set(f, "key", "incoming/other.png".into())),
        ),
        (
            "a key outside incoming/",
            Box::new(|f, _, _| set(f, "key", "avatars/ada/x.png".into())),
        ),
        (
            "a tampered policy",
            Box::new(|f, _, _| {
                let policy = f.iter().find(|(k, _)| k == "policy").unwrap().1.clone();
                let json = base64::engine::general_purpose::STANDARD
                    .decode(policy)
                    .unwrap();
                let widened = String::from_utf8(json)
                    .unwrap()
                    .replace(&format!(",{MAX}]"), ",999999999]");
                set(
                    f,
                    "policy",
                    base64::engine::general_purpose::STANDARD.encode(widened),
                );
            }),
        ),
        (
            "a wrong signature",
            Box::new(|f, _, _| set(f, "x-amz-signature", "0".repeat(64))),
        ),
        (
            "a missing signature",
            Box::new(|f, _, _| f.retain(|(k, _)| k != "x-amz-signature")),
        ),
        (
            "a missing policy",
            Box::new(|f, _, _| f.retain(|(k, _)| k != "policy")),
        ),
        (
            "a missing Content-Type",
            Box::new(|f, _, _| f.retain(|(k, _)| k != "Content-Type")),
        ),
        (
            "a body with another digest than the signed one",
            Box::new(|_, file, _| file[40] ^= 0xff),
        ),
        (
            "a removed checksum field",
            Box::new(|f, _, _| f.retain(|(k, _)| k != "x-amz-checksum-sha256")),
        ),
        (
            "an edited checksum field (the digest of the body sent)",
            Box::new(|f, file, _| {
                file[40] ^= 0xff;
                let digest = Sha256Checksum::of(file).to_string();
                set(f, "x-amz-checksum-sha256", digest);
            }),
        ),
        (
            "a removed checksum algorithm",
            Box::new(|f, _, _| f.retain(|(k, _)| k != "x-amz-checksum-algorithm")),
        ),
        (
            "another checksum algorithm",
            Box::new(|f, _, _| set(f, "x-amz-checksum-algorithm", "CRC32".into())),
        ),
        (
            "an extra unsigned field",
            Box::new(|f, _, _| f.insert(2, ("acl".into(), "public-read".into()))),
        ),
    ];
    for (name, tamper) in cases {
        let signed = sign(&signer, ContentType::Png, &png, SystemTime::now()).await;
        let mut form = fields(&signed);
        let mut file = png.clone();
        let mut file_type = "image/png";
        tamper(&mut form, &mut file, &mut file_type);
        let response = post_form(&signed.post.url, &form, file, file_type).await;
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        assert!(status == 400 || status == 403, "{name}: {status} {body}");
        assert!(body.contains("<Code>"), "{name}: S3 XML error: {body}");
        assert_eq!(
            stack.keys().await,
            Vec::<String>::new(),
            "{name}: nothing stored"
        );
    }
}

#[tokio::test]
async fn an_expired_policy_or_a_wrong_secret_is_403() {
    let stack = TestStack::start().await;
    let png = images::png(8, 8);

    let short = signer(&stack, creds(), Duration::from_secs(60));
    let expired = sign(
        &short,
        ContentType::Png,
        &png,
        SystemTime::now() - Duration::from_secs(120),
    )
    .await;
    let response = post_form(
        &expired.post.url,
        &fields(&expired),
        png.clone(),
        "image/png",
    )
    .await;
    assert_eq!(
        response.status().as_u16(),
        403,
        "{}",
        response.text().await.unwrap_or_default()
    );

    let wrong = signer(
        &stack,
        Credentials::new(ACCESS_KEY, "not-the-secret", None, None, "t"),
        Duration::from_secs(60),
    );
    let signed = sign(&wrong, ContentType::Png, &png, SystemTime::now()).await;
    let response = post_form(&signed.post.url, &fields(&signed), png, "image/png").await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("SignatureDoesNotMatch")
    );
    assert!(stack.keys().await.is_empty());
}

#[tokio::test]
async fn temporary_credentials_sign_the_token_too() {
    let stack = TestStack::start().await;
    let expiry = SystemTime::now() + Duration::from_secs(3600);
    let temporary = Credentials::new(
        ACCESS_KEY,
        SECRET_KEY,
        Some("session-token".into()),
        Some(expiry),
        "t",
    );
    let signer = signer(&stack, temporary, Duration::from_secs(300));
    let webp = images::webp_with_metadata(4, 4);
    let signed = sign(&signer, ContentType::Webp, &webp, SystemTime::now()).await;
    assert_eq!(
        signed.post.field("x-amz-security-token"),
        Some("session-token")
    );
    let policy = base64::engine::general_purpose::STANDARD
        .decode(signed.post.field("policy").unwrap())
        .unwrap();
    let policy: serde_json::Value = serde_json::from_slice(&policy).unwrap();
    assert!(
        policy["conditions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"x-amz-security-token": "session-token"}))
    );
    let response = post_form(&signed.post.url, &fields(&signed), webp, "image/webp").await;
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap_or_default()
    );
}
