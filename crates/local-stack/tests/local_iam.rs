//! Local IAM: each function's calls, signed with its own key, are allowed exactly what
//! template.yaml grants it. The whole flow passes under the real template; with one
//! permission removed from a copy, the flow fails where AWS would fail it, with
//! AccessDenied. And no key can reach past its statements.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use avatar_aws::adapters::{DynamoProfiles, DynamoRateLimiter, S3Objects};
use avatar_aws::signer::{CredentialSource, PostSigner, S3FormSigner};
use avatar_domain::ServiceError;
use avatar_domain::limits::{AccountLimit, Action};
use avatar_domain::ports::ProfileStore;
use avatar_domain::service::SaveProfile;
use avatar_domain::service::{
    NewUpload, ProfileDeletion, ProfileService, UploadSigner, get_profile, my_profile,
};
use avatar_domain::values::{AccountId, AvatarKey, ContentType, Sha256Checksum, Username};
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use test_support::store_faults::{LandsThenFails, published};
use test_support::{
    ACCESS_KEY, BUCKET, REGION, TABLE, TestStack, function_keys, images, post_form, template_text,
};

const MAX: u64 = 1024 * 1024;

fn ada() -> AccountId {
    AccountId::try_from(test_support::events::FIXTURE_SUB).unwrap()
}

/// sign-upload as its main.rs builds it: its key signs the form and counts uploads.
fn signer(stack: &TestStack) -> UploadSigner {
    let key = &function_keys()["sign-upload"];
    let sdk = stack.sdk_config_of("sign-upload");
    UploadSigner::new(
        Box::new(S3FormSigner::new(
            PostSigner::new(BUCKET, REGION, Some(&stack.s3.url())).expect("form URL"),
            CredentialSource::from_static(Credentials::new(
                &key.access_key,
                &key.secret_key,
                None,
                None,
                "sign-upload",
            )),
        )),
        MAX,
        Duration::from_secs(300),
    )
    .with_limit(limit(stack, &sdk, Action::SignUpload, 30))
}

/// The per-account limit as the function counts it, with that function's key.
fn limit(
    stack: &TestStack,
    sdk: &aws_config::SdkConfig,
    action: Action,
    per_hour: u32,
) -> AccountLimit {
    let counter = DynamoRateLimiter::new(sdk, TABLE, Some(&stack.dynamodb.url()));
    AccountLimit::new(Arc::new(counter), action, per_hour)
}

fn save_profile_store(stack: &TestStack) -> DynamoProfiles {
    let sdk = stack.sdk_config_of("save-profile");
    DynamoProfiles::new(&sdk, TABLE, Some(&stack.dynamodb.url()))
}

/// save-profile as its main.rs builds it, around `profiles`.
fn saver_with(stack: &TestStack, profiles: Box<dyn ProfileStore>) -> ProfileService {
    let sdk = stack.sdk_config_of("save-profile");
    ProfileService::new(
        Box::new(S3Objects::new(&sdk, BUCKET, Some(&stack.s3.url()))),
        profiles,
        MAX,
    )
    .with_limit(limit(stack, &sdk, Action::ProfileWrite, 60))
}

fn saver(stack: &TestStack) -> ProfileService {
    saver_with(stack, Box::new(save_profile_store(stack)))
}

/// delete-profile as its main.rs builds it: its key deletes the items and objects.
fn deleter(stack: &TestStack) -> ProfileDeletion {
    let sdk = stack.sdk_config_of("delete-profile");
    ProfileDeletion::new(
        Box::new(S3Objects::new(&sdk, BUCKET, Some(&stack.s3.url()))),
        Box::new(DynamoProfiles::new(
            &sdk,
            TABLE,
            Some(&stack.dynamodb.url()),
        )),
    )
}

fn reader(stack: &TestStack) -> DynamoProfiles {
    let sdk = stack.sdk_config_of("get-profile");
    DynamoProfiles::new(&sdk, TABLE, Some(&stack.dynamodb.url()))
}

fn request(body: serde_json::Value) -> SaveProfile {
    avatar_http::save_profile(body.to_string().as_bytes()).expect("valid request")
}

/// A step that failed, and what it said.
#[derive(Debug)]
struct Failed {
    step: &'static str,
    detail: String,
}

fn at(step: &'static str) -> impl Fn(ServiceError) -> Failed {
    move |err| Failed {
        step,
        detail: format!("{err:?}"),
    }
}

/// Signs and POSTs a picture as the page does; the upload key.
async fn upload(stack: &TestStack) -> Result<String, Failed> {
    let bytes = images::png(8, 8);
    let request = NewUpload {
        content_type: ContentType::Png,
        size: bytes.len() as u64,
        checksum_sha256: Sha256Checksum::of(&bytes),
        answer: None,
    };
    let signed = signer(stack)
        .sign(&ada(), &request, SystemTime::now())
        .await
        .map_err(at("sign"))?;
    let response = post_form(&signed.post.url, &signed.post.pairs(), bytes, "image/png").await;
    if !response.status().is_success() {
        return Err(Failed {
            step: "upload",
            detail: format!(
                "{} {}",
                response.status(),
                response.text().await.unwrap_or_default()
            ),
        });
    }
    Ok(signed.key.to_string())
}

/// Every path of the app, each call made with the key of the function that makes it.
async fn whole_flow(stack: &TestStack) -> Result<(), Failed> {
    let username = Username::try_from("iam-ada").unwrap();
    let first = upload(stack).await?;
    let saved = saver(stack)
        .save(
            &ada(),
            request(json!({"username": "iam-ada", "fullName": "Ada", "avatarKey": first})),
        )
        .await
        .map_err(at("create"))?;
    let first_avatar = saved
        .profile
        .avatar_key
        .clone()
        .expect("avatar")
        .to_string();
    let public = get_profile(&reader(stack), &username)
        .await
        .map_err(at("read"))?;
    assert_eq!(public, saved.profile);
    my_profile(&reader(stack), &ada())
        .await
        .map_err(at("read own"))?;

    let second = upload(stack).await?;
    let replaced = saver(stack)
        .save(
            &ada(),
            request(json!({"username": "iam-ada", "fullName": "Ada L.", "avatarKey": second})),
        )
        .await
        .map_err(at("replace"))?;
    // Clean-up is best effort (the save stands): a denied delete shows as a leftover.
    let keys = stack.keys().await;
    let current = replaced.profile.avatar_key.expect("avatar");
    if keys != published(&current) {
        let step = if keys.contains(&first_avatar) {
            "replace: old avatar left"
        } else {
            "replace: upload left"
        };
        return Err(Failed {
            step,
            detail: format!("{keys:?}"),
        });
    }

    // An upload that is gone is 422 upload_not_found — with s3:ListBucket; S3 answers
    // 403 to a caller that may not list the bucket.
    let gone = format!("incoming/{}/{}.png", ada(), uuid::Uuid::new_v4());
    let err = saver(stack)
        .save(
            &ada(),
            request(json!({"username": "iam-ada", "fullName": "Ada", "avatarKey": gone})),
        )
        .await
        .expect_err("no such upload");
    if !matches!(err, ServiceError::UploadNotFound(_)) {
        return Err(at("missing upload")(err));
    }

    deleter(stack).delete(&ada()).await.map_err(at("delete"))?;
    let left = stack.keys().await;
    if !left.is_empty() || stack.item("iam-ada").await.is_some() {
        return Err(Failed {
            step: "delete: data left",
            detail: format!("{left:?}"),
        });
    }
    Ok(())
}

const SIGN_UPLOAD_PUT: &str = "            - Sid: PutIncoming
              Effect: Allow
              Action: s3:PutObject
              Resource: !Sub
                - arn:${AWS::Partition}:s3:::avatar-uploads-${AWS::AccountId}-${AWS::Region}-${StackSuffix}/incoming/*";

const ORIGINALS: &str = "                  - arn:${AWS::Partition}:s3:::avatar-uploads-${AWS::AccountId}-${AWS::Region}-${StackSuffix}/originals/*";
const SUFFIX: &str = "                  - StackSuffix: !Select [4, !Split [\"-\", !Select [2, !Split [\"/\", !Ref AWS::StackId]]]]";

/// One permission removed from a copy of the template, and the step that then fails.
fn removals() -> Vec<(&'static str, String, String, &'static str)> {
    vec![
        (
            "sign-upload's PutObject narrowed to another prefix",
            SIGN_UPLOAD_PUT.into(),
            SIGN_UPLOAD_PUT.replace("/incoming/*", "/incoming/someone-else/*"),
            "upload",
        ),
        (
            "sign-upload's counters fenced to the wrong items",
            r#"dynamodb:LeadingKeys: ["LIMIT#*"]"#.into(),
            r#"dynamodb:LeadingKeys: ["PROFILE#*"]"#.into(),
            "sign",
        ),
        (
            "save-profile without s3:GetObject",
            "                - s3:GetObject\n                - s3:DeleteObject\n".into(),
            "                - s3:DeleteObject\n".into(),
            "create",
        ),
        (
            "save-profile without s3:DeleteObject on avatars/",
            "                - s3:PutObject\n                - s3:DeleteObject\n".into(),
            "                - s3:PutObject\n".into(),
            "replace: old avatar left",
        ),
        (
            // The cleaned upload is kept under originals/, beside nothing served.
            "save-profile's writes narrowed away from originals/",
            format!("{ORIGINALS}\n{SUFFIX}\n            # Only so that GetObject"),
            format!(
                "{}\n{SUFFIX}\n            # Only so that GetObject",
                ORIGINALS.replace("/originals/*", "/originals/elsewhere/*")
            ),
            "create",
        ),
        (
            "delete-profile's deletes narrowed away from originals/",
            format!("- Sid: DeleteAvatars\n              Effect: Allow\n              Action: s3:DeleteObject\n              Resource:\n                - !Sub\n                  - arn:${{AWS::Partition}}:s3:::avatar-uploads-${{AWS::AccountId}}-${{AWS::Region}}-${{StackSuffix}}/avatars/*\n{SUFFIX}\n                - !Sub\n{ORIGINALS}"),
            format!("- Sid: DeleteAvatars\n              Effect: Allow\n              Action: s3:DeleteObject\n              Resource:\n                - !Sub\n                  - arn:${{AWS::Partition}}:s3:::avatar-uploads-${{AWS::AccountId}}-${{AWS::Region}}-${{StackSuffix}}/avatars/*\n{SUFFIX}\n                - !Sub\n{}", ORIGINALS.replace("/originals/*", "/originals/elsewhere/*")),
            "delete",
        ),
        (
            "save-profile without s3:ListBucket",
            "              Action: s3:ListBucket\n".into(),
            "              Action: s3:ListAllMyBuckets\n".into(),
            "missing upload",
        ),
        (
            "save-profile without dynamodb:PutItem",
            "                - dynamodb:PutItem\n".into(),
            "".into(),
            "create",
        ),
        (
            "delete-profile without dynamodb:DeleteItem",
            "- Sid: DeleteProfile\n              Effect: Allow\n              Action:\n                - dynamodb:GetItem\n                - dynamodb:DeleteItem\n".into(),
            "- Sid: DeleteProfile\n              Effect: Allow\n              Action:\n                - dynamodb:GetItem\n".into(),
            "delete",
        ),
        (
            "delete-profile without dynamodb:GetItem",
            "- Sid: DeleteProfile\n              Effect: Allow\n              Action:\n                - dynamodb:GetItem\n                - dynamodb:DeleteItem\n".into(),
            "- Sid: DeleteProfile\n              Effect: Allow\n              Action:\n                - dynamodb:DeleteItem\n".into(),
            "delete",
        ),
        (
            "delete-profile without s3:DeleteObject",
            "            - Sid: DeleteAvatars\n              Effect: Allow\n              Action: s3:DeleteObject\n".into(),
            "            - Sid: DeleteAvatars\n              Effect: Allow\n              Action: s3:GetObject\n".into(),
            "delete",
        ),
        (
            "delete-profile's purge record fenced to the wrong items",
            "- Sid: RecordPurge\n              Effect: Allow\n              Action: dynamodb:PutItem\n              Resource: !GetAtt ProfilesTable.Arn\n              Condition:\n                ForAllValues:StringLike:\n                  dynamodb:LeadingKeys: [\"PURGE#*\"]".into(),
            "- Sid: RecordPurge\n              Effect: Allow\n              Action: dynamodb:PutItem\n              Resource: !GetAtt ProfilesTable.Arn\n              Condition:\n                ForAllValues:StringLike:\n                  dynamodb:LeadingKeys: [\"PROFILE#*\"]".into(),
            "delete",
        ),
        (
            "save-profile without dynamodb:UpdateItem (its write counter)",
            "              Action:\n                - dynamodb:UpdateItem\n".into(),
            "              Action:\n".into(),
            "create",
        ),
        (
            // The read that decides ownership before any work, and settles a lost answer.
            "save-profile without dynamodb:GetItem",
            "                - dynamodb:PutItem\n                - dynamodb:GetItem\n".into(),
            "                - dynamodb:PutItem\n".into(),
            "create",
        ),
        (
            "get-profile fenced to the counters instead of profiles and owners",
            r#"dynamodb:LeadingKeys: ["PROFILE#*", "OWNER#*"]"#.into(),
            r#"dynamodb:LeadingKeys: ["LIMIT#*"]"#.into(),
            "read",
        ),
        (
            "get-profile fenced to profiles without their owners",
            r#"dynamodb:LeadingKeys: ["PROFILE#*", "OWNER#*"]"#.into(),
            r#"dynamodb:LeadingKeys: ["PROFILE#*"]"#.into(),
            "read own",
        ),
        (
            "get-profile without dynamodb:GetItem",
            "            - Sid: ReadProfile\n              Effect: Allow\n              Action: dynamodb:GetItem\n".into(),
            "            - Sid: ReadProfile\n              Effect: Allow\n              Action: dynamodb:Query\n".into(),
            "read",
        ),
    ]
}

#[tokio::test]
async fn every_flow_passes_under_the_real_template() {
    let stack = TestStack::start().await;
    if let Err(failed) = whole_flow(&stack).await {
        panic!("{failed:?}");
    }
}

#[tokio::test]
async fn a_permission_missing_from_the_template_fails_its_flow_with_access_denied() {
    let template = template_text();
    for (name, from, to, step) in removals() {
        assert_eq!(
            template.matches(&from).count(),
            1,
            "{name}: edit is not unique"
        );
        let stack = TestStack::start_with_template(&template.replacen(&from, &to, 1)).await;
        let failed = whole_flow(&stack).await.expect_err(name);
        assert_eq!(failed.step, step, "{name}: {failed:?}");
        let cleanup_step = step.contains(" left");
        assert!(
            cleanup_step || failed.detail.contains("AccessDenied"),
            "{name}: {failed:?}"
        );
        stack.stop().await;
    }
}

/// Saves with a first avatar, then replaces it through a write whose answer is lost.
async fn replace_behind_a_lost_answer(
    stack: &TestStack,
) -> (Result<AvatarKey, ServiceError>, String) {
    let first = upload(stack).await.expect("upload");
    let saved = saver(stack)
        .save(
            &ada(),
            request(json!({"username": "lost", "fullName": "Lost", "avatarKey": first})),
        )
        .await
        .expect("created");
    let old = saved.profile.avatar_key.expect("avatar").to_string();
    let second = upload(stack).await.expect("upload");
    let lossy = saver_with(
        stack,
        Box::new(LandsThenFails::new(save_profile_store(stack))),
    );
    let result = lossy
        .save(
            &ada(),
            request(json!({"username": "lost", "fullName": "Lost", "avatarKey": second})),
        )
        .await
        .map(|saved| saved.profile.avatar_key.expect("avatar"));
    (result, old)
}

#[tokio::test]
async fn a_lost_answer_is_settled_by_a_read_the_role_may_make_and_the_old_avatar_goes() {
    let stack = TestStack::start().await;
    let (result, old) = replace_behind_a_lost_answer(&stack).await;
    let current = result.expect("recognised as saved");
    assert_eq!(
        stack.keys().await,
        published(&current),
        "the replaced avatar {old}, its variants and the upload are deleted"
    );
    let item = stack.item("lost").await.unwrap();
    assert_eq!(item["avatarKey"], AttributeValue::S(current.to_string()));
    assert_eq!(item["replacedAvatarKey"], AttributeValue::S(old));
}

/// A raw S3 client signing as `function`.
fn s3_as(stack: &TestStack, function: &str) -> aws_sdk_s3::Client {
    s3_with(stack, &stack.sdk_config_of(function))
}

fn s3_with(stack: &TestStack, sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .endpoint_url(stack.s3.url())
            .force_path_style(true)
            .build(),
    )
}

/// The stack's SDK configuration, signing with `access_key` and `secret`.
fn signing_as(stack: &TestStack, access_key: &str, secret: &str) -> aws_config::SdkConfig {
    stack
        .sdk_config()
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                access_key, secret, None, None, "t",
            )),
        )
        .build()
}

/// The error codes S3 and DynamoDB answer a read signed with `sdk`.
async fn read_refusals(
    stack: &TestStack,
    sdk: &aws_config::SdkConfig,
    s3_key: &str,
) -> (String, String) {
    let s3 = s3_with(stack, sdk)
        .get_object()
        .bucket(BUCKET)
        .key(s3_key)
        .send()
        .await
        .map(|_| ())
        .expect_err("refused by S3");
    let dynamodb = dynamo_as(stack, sdk)
        .get_item()
        .table_name(TABLE)
        .key("pk", AttributeValue::S("PROFILE#ada".into()))
        .send()
        .await
        .map(|_| ())
        .expect_err("refused by DynamoDB");
    (
        code(&s3.into_service_error()),
        code(&dynamodb.into_service_error()),
    )
}

fn dynamo_as(stack: &TestStack, sdk: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(sdk)
            .endpoint_url(stack.dynamodb.url())
            .build(),
    )
}

fn code<E: aws_sdk_s3::error::ProvideErrorMetadata>(err: &E) -> String {
    err.code().unwrap_or_default().to_string()
}

/// A stack holding a published avatar (`avatars/ada/a.png`) and an upload
/// (`incoming/x/y.png`), put with the administrator key.
async fn with_an_avatar_and_an_upload() -> TestStack {
    let stack = TestStack::start().await;
    stack
        .put("avatars/ada/a.png", images::png(4, 4), "image/png")
        .await;
    stack
        .put("incoming/x/y.png", images::png(4, 4), "image/png")
        .await;
    stack
}

#[tokio::test]
async fn no_key_reaches_past_its_statements() {
    let stack = with_an_avatar_and_an_upload().await;
    let before = stack.keys().await;

    // S3: (function, operation, key, allowed)
    let s3_cases = [
        ("sign-upload", "get", "avatars/ada/a.png", false),
        ("sign-upload", "put", "avatars/ada/b.png", false),
        ("sign-upload", "get", "incoming/x/y.png", false),
        ("sign-upload", "delete", "incoming/x/y.png", false),
        ("get-profile", "get", "avatars/ada/a.png", false),
        ("get-profile", "put", "incoming/x/z.png", false),
        ("save-profile", "get", "avatars/ada/a.png", false),
        ("save-profile", "put", "incoming/x/z.png", false),
        ("save-profile", "put", "site/index.html", false),
        ("save-profile", "get", "incoming/x/y.png", true),
    ];
    for (function, op, key, allowed) in s3_cases {
        let s3 = s3_as(&stack, function);
        let outcome = match op {
            "get" => s3
                .get_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error())),
            "put" => s3
                .put_object()
                .bucket(BUCKET)
                .key(key)
                .body(b"x".to_vec().into())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error())),
            _ => s3
                .delete_object()
                .bucket(BUCKET)
                .key(key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error())),
        };
        match (allowed, outcome) {
            (true, Ok(())) => {}
            (false, Err(code)) => assert_eq!(code, "AccessDenied", "{function} {op} {key}"),
            (allowed, outcome) => {
                panic!("{function} {op} {key}: allowed={allowed}, got {outcome:?}")
            }
        }
    }
    // A multi-object delete is authorised key by key: one key outside the caller's
    // statements refuses it, and none of its keys goes.
    let delete_cases = [
        ("save-profile", vec!["avatars/ada/a.png", "site/index.html"]),
        ("save-profile", vec!["incoming/x/y.png", "elsewhere/y.png"]),
        ("get-profile", vec!["avatars/ada/a.png"]),
        ("sign-upload", vec!["incoming/x/y.png"]),
    ];
    for (function, keys) in delete_cases {
        let objects = keys
            .iter()
            .map(|key| {
                aws_sdk_s3::types::ObjectIdentifier::builder()
                    .key(*key)
                    .build()
                    .expect("key")
            })
            .collect::<Vec<_>>();
        let delete = aws_sdk_s3::types::Delete::builder()
            .set_objects(Some(objects))
            .build()
            .expect("objects");
        let outcome = s3_as(&stack, function)
            .delete_objects()
            .bucket(BUCKET)
            .delete(delete)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| code(&e.into_service_error()));
        assert_eq!(
            outcome,
            Err("AccessDenied".to_string()),
            "{function} DeleteObjects {keys:?}"
        );
    }
    assert_eq!(stack.keys().await, before, "nothing was stored or deleted");

    // DynamoDB: get-profile reads only profiles and owners; sign-upload touches only
    // LIMIT# counters.
    let table_cases = [
        ("get-profile", "get", "LIMIT#x"),
        ("get-profile", "get", "LIMITED#x"),
        ("get-profile", "put", "PROFILE#ada"),
        ("get-profile", "update", "PROFILE#ada"),
        ("get-profile", "delete", "OWNER#x"),
        ("sign-upload", "update", "PROFILE#ada"),
        ("sign-upload", "get", "LIMIT#x"),
        ("sign-upload", "put", "LIMIT#x"),
    ];
    for (function, op, pk) in table_cases {
        let db = dynamo_as(&stack, &stack.sdk_config_of(function));
        let key = AttributeValue::S(pk.into());
        let err = match op {
            "put" => db
                .put_item()
                .table_name(TABLE)
                .item("pk", key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error())),
            "update" => db
                .update_item()
                .table_name(TABLE)
                .key("pk", key)
                .update_expression("SET x = :x")
                .expression_attribute_values(":x", AttributeValue::N("1".into()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error())),
            "delete" => db
                .delete_item()
                .table_name(TABLE)
                .key("pk", key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error())),
            _ => db
                .get_item()
                .table_name(TABLE)
                .key("pk", key)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| code(&e.into_service_error())),
        }
        .expect_err(&format!("{function} {op} {pk}"));
        assert_eq!(err, "AccessDeniedException", "{function} {op} {pk}");
    }
    assert!(stack.all_items().await.is_empty(), "nothing was written");

    // An unknown key is refused by both; the admin key is no function's.
    let stranger = signing_as(&stack, "AKIDSTRANGER", "guess");
    assert_eq!(
        read_refusals(&stack, &stranger, "avatars/ada/a.png").await,
        (
            "InvalidAccessKeyId".into(),
            "UnrecognizedClientException".into()
        )
    );
    assert!(function_keys().values().all(|k| k.access_key != ACCESS_KEY));

    // A function's key with the wrong secret: both check the signature.
    let forged = signing_as(&stack, &function_keys()["save-profile"].access_key, "guess");
    assert_eq!(
        read_refusals(&stack, &forged, "incoming/x/y.png").await,
        (
            "SignatureDoesNotMatch".into(),
            "InvalidSignatureException".into()
        )
    );
}

/// A raw call to the embedded DynamoDB, with `headers` and nothing else.
async fn raw_table_call(
    stack: &TestStack,
    query: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut call = reqwest::Client::new()
        .post(format!("{}/{query}", stack.dynamodb.url()))
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("DynamoDB_20120810.{target}"))
        .body(body.to_string());
    for (name, value) in headers {
        call = call.header(*name, *value);
    }
    let answer = call.send().await.expect("DynamoDB answers");
    let status = answer.status().as_u16();
    let body = answer.json().await.unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn a_table_call_without_a_header_signature_is_refused() {
    let stack = TestStack::start().await;
    stack
        .dynamo_client()
        .put_item()
        .table_name(TABLE)
        .item("pk", AttributeValue::S("PROFILE#ada".into()))
        .send()
        .await
        .expect("admin writes");
    let before = stack.all_items().await;
    let names_only = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential&X-Amz-Signature\
                      &X-Amz-SignedHeaders&X-Amz-Date";
    let dummy_auth = [
        ("x-amz-date", "20260101T000000Z"),
        ("x-amz-security-token", "x"),
    ];
    let put = json!({"TableName": TABLE, "Item": {"pk": {"S": "PROFILE#eve"}}});
    let scan = json!({"TableName": TABLE});
    type Headers<'a> = &'a [(&'a str, &'a str)];
    let cases: [(&str, &str, Headers, serde_json::Value); 4] = [
        (names_only, "Scan", &[], scan.clone()),
        (names_only, "PutItem", &[], put.clone()),
        ("", "Scan", &dummy_auth, scan),
        ("?X-Amz-Credential=AKID%2F20260101", "PutItem", &[], put),
    ];
    for (query, target, headers, body) in cases {
        let (status, answer) = raw_table_call(&stack, query, target, headers, body).await;
        assert_eq!(status, 400, "{target} {query}: {answer}");
        assert_eq!(
            answer["__type"], "com.amazon.coral.service#MissingAuthenticationTokenException",
            "{target} {query}"
        );
        assert!(answer.get("Items").is_none(), "nothing read: {answer}");
    }
    assert_eq!(stack.all_items().await, before, "nothing was written");
}

/// How a raw table call is signed: when, for which scope, and which body it declares.
struct Signing<'a> {
    function: &'a str,
    at: SystemTime,
    region: &'a str,
    service: &'a str,
    /// Signed into `x-amz-content-sha256` in place of the body sent.
    declared_body: Option<&'a [u8]>,
    /// `x-amz-target` sent but left out of the signature.
    target_unsigned: bool,
}

impl<'a> Signing<'a> {
    fn now(function: &'a str) -> Self {
        Self {
            function,
            at: SystemTime::now(),
            region: REGION,
            service: "dynamodb",
            declared_body: None,
            target_unsigned: false,
        }
    }
}

/// A table call with a body the SDK would never build, signed as `signing` says.
async fn signed_table_call(
    stack: &TestStack,
    signing: &Signing<'_>,
    target: &str,
    body: &[u8],
) -> (u16, serde_json::Value) {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
    };
    use sha2::Digest;
    let key = &function_keys()[signing.function];
    let identity = Credentials::new(&key.access_key, &key.secret_key, None, None, "t").into();
    let mut settings = SigningSettings::default();
    let signed_body = match signing.declared_body {
        Some(declared) => {
            settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
            let hash = sha2::Sha256::digest(declared);
            SignableBody::Precomputed(hash.iter().map(|b| format!("{b:02x}")).collect())
        }
        None => SignableBody::Bytes(body),
    };
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(signing.region)
        .name(signing.service)
        .time(signing.at)
        .settings(settings)
        .build()
        .expect("signing parameters")
        .into();
    let url = format!("{}/", stack.dynamodb.url());
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let target = format!("DynamoDB_20120810.{target}");
    let headers = [
        ("content-type", "application/x-amz-json-1.0"),
        ("host", host.as_str()),
        ("x-amz-target", target.as_str()),
    ];
    let covered = headers
        .into_iter()
        .filter(|(name, _)| !(signing.target_unsigned && *name == "x-amz-target"));
    let signable = SignableRequest::new("POST", &url, covered, signed_body).expect("signable");
    let (instructions, _) = sign(signable, &params).expect("signed").into_parts();
    let mut call = reqwest::Client::new().post(&url).body(body.to_vec());
    for (name, value) in headers.into_iter().filter(|(n, _)| *n != "host") {
        call = call.header(name, value);
    }
    for (name, value) in instructions.headers() {
        call = call.header(name, value);
    }
    let answer = call.send().await.expect("DynamoDB answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or_default())
}

#[tokio::test]
async fn every_member_of_a_transaction_entry_is_authorised() {
    let stack = TestStack::start().await;
    let put = json!({"TableName": TABLE, "Item": {"pk": {"S": "PROFILE#eve"}}});
    let counter = json!({
        "TableName": TABLE,
        "Key": {"pk": {"S": "LIMIT#eve"}},
        "UpdateExpression": "SET n = :n",
        "ExpressionAttributeValues": {":n": {"N": "1"}}
    });
    // (transaction entries, DynamoDB's answer): sign-upload may only count on LIMIT#.
    let cases = [
        (json!([{"A": {}, "Put": put}]), "AccessDeniedException"),
        (
            json!([{"A": {}, "Update": counter, "Put": put}]),
            "ValidationException",
        ),
        (json!([{"A": {}}]), "ValidationException"),
        (json!([]), "ValidationException"),
    ];
    for (entries, expected) in cases {
        let body = json!({"TransactItems": entries}).to_string();
        let (status, answer) = signed_table_call(
            &stack,
            &Signing::now("sign-upload"),
            "TransactWriteItems",
            body.as_bytes(),
        )
        .await;
        assert_eq!(status, 400, "{entries}: {answer}");
        assert!(
            answer["__type"]
                .as_str()
                .is_some_and(|t| t.ends_with(&format!("#{expected}"))),
            "{entries}: {answer}"
        );
    }
    let (status, answer) = signed_table_call(
        &stack,
        &Signing::now("sign-upload"),
        "PutItem",
        b"{\"TableName\": ",
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["__type"],
        "com.amazon.coral.service#SerializationException"
    );
    assert!(stack.all_items().await.is_empty(), "nothing was written");
    // The same entry with its unknown member, for a counter sign-upload may touch, runs.
    let body = json!({"TransactItems": [{"A": {}, "Update": counter}]}).to_string();
    let (status, answer) = signed_table_call(
        &stack,
        &Signing::now("sign-upload"),
        "TransactWriteItems",
        body.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn a_key_that_collapses_to_another_path_is_refused() {
    let stack = TestStack::start().await;
    let avatar = images::png(4, 4);
    stack
        .put("avatars/ada/a.png", avatar.clone(), "image/png")
        .await;
    stack
        .put("other/secret.png", images::png(2, 2), "image/png")
        .await;
    let before = stack.keys().await;
    // sign-upload may put only under incoming/; each key names an object outside it.
    let puts = [
        "incoming/../avatars/ada/a.png",
        "incoming/./../avatars/ada/a.png",
        "incoming/x/../../avatars/ada/a.png",
        "incoming\\..\\avatars\\ada\\a.png",
    ];
    for key in puts {
        let outcome = s3_as(&stack, "sign-upload")
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(b"x".to_vec().into())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| code(&e.into_service_error()));
        assert_eq!(outcome, Err("InvalidArgument".to_string()), "{key}");
    }
    // save-profile may delete only under incoming/ and avatars/.
    let objects = vec![
        aws_sdk_s3::types::ObjectIdentifier::builder()
            .key("incoming/../other/secret.png")
            .build()
            .expect("key"),
    ];
    let outcome = s3_as(&stack, "save-profile")
        .delete_objects()
        .bucket(BUCKET)
        .delete(
            aws_sdk_s3::types::Delete::builder()
                .set_objects(Some(objects))
                .build()
                .expect("objects"),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e.into_service_error()));
    assert_eq!(outcome, Err("InvalidArgument".to_string()));
    let read = s3_as(&stack, "save-profile")
        .get_object()
        .bucket(BUCKET)
        .key("incoming/../other/secret.png")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e.into_service_error()));
    assert_eq!(read, Err("InvalidArgument".to_string()));
    assert_eq!(stack.keys().await, before, "nothing was stored or deleted");
    let (stored, _, _) = stack.get("avatars/ada/a.png").await.expect("avatar");
    assert_eq!(stored, avatar, "the avatar is untouched");
}

#[tokio::test]
async fn a_copy_reads_its_source_only_with_leave_to_read_it() {
    let stack = with_an_avatar_and_an_upload().await;
    let before = stack.keys().await;
    // sign-upload may write under incoming/ but read nothing.
    let sign_upload = s3_as(&stack, "sign-upload");
    let copied = sign_upload
        .copy_object()
        .bucket(BUCKET)
        .key("incoming/x/stolen.png")
        .copy_source(format!("{BUCKET}/avatars/ada/a.png"))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e.into_service_error()));
    assert_eq!(copied, Err("AccessDenied".to_string()), "CopyObject");
    let upload = sign_upload
        .create_multipart_upload()
        .bucket(BUCKET)
        .key("incoming/x/parts.png")
        .send()
        .await
        .expect("sign-upload may start an upload under incoming/");
    let upload_id = upload.upload_id().expect("upload id");
    let part = sign_upload
        .upload_part_copy()
        .bucket(BUCKET)
        .key("incoming/x/parts.png")
        .upload_id(upload_id)
        .part_number(1)
        .copy_source(format!("{BUCKET}/avatars/ada/a.png"))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e.into_service_error()));
    assert_eq!(part, Err("AccessDenied".to_string()), "UploadPartCopy");
    assert_eq!(stack.keys().await, before, "nothing was stored");

    // save-profile reads incoming/ and writes avatars/: its copy goes through.
    s3_as(&stack, "save-profile")
        .copy_object()
        .bucket(BUCKET)
        .key("avatars/ada/c.png")
        .copy_source(format!("{BUCKET}/incoming/x/y.png"))
        .send()
        .await
        .expect("a copy the statements allow");
    assert!(
        stack
            .keys()
            .await
            .contains(&"avatars/ada/c.png".to_string())
    );
}

#[tokio::test]
async fn a_signature_covers_its_time_scope_operation_and_body() {
    let stack = TestStack::start().await;
    // save-profile may write PROFILE# items; each call is refused for how it was signed.
    let mine = json!({"TableName": TABLE, "Item": {"pk": {"S": "PROFILE#ada"}}}).to_string();
    let swapped = json!({"TableName": TABLE, "Item": {"pk": {"S": "PROFILE#eve"}}}).to_string();
    let minutes = |m: u64| Duration::from_secs(m * 60);
    let base = || Signing::now("save-profile");
    let cases = [
        (
            "20 minutes old",
            Signing {
                at: SystemTime::now() - minutes(20),
                ..base()
            },
        ),
        (
            "20 minutes ahead",
            Signing {
                at: SystemTime::now() + minutes(20),
                ..base()
            },
        ),
        (
            "another region",
            Signing {
                region: "eu-west-1",
                ..base()
            },
        ),
        (
            "another service",
            Signing {
                service: "s3",
                ..base()
            },
        ),
        (
            "operation not signed",
            Signing {
                target_unsigned: true,
                ..base()
            },
        ),
        (
            "body swapped",
            Signing {
                declared_body: Some(mine.as_bytes()),
                ..base()
            },
        ),
    ];
    for (what, signing) in cases {
        let (status, answer) =
            signed_table_call(&stack, &signing, "PutItem", swapped.as_bytes()).await;
        assert_eq!(status, 400, "{what}: {answer}");
        assert_eq!(
            answer["__type"], "com.amazon.coral.service#InvalidSignatureException",
            "{what}"
        );
    }
    assert!(stack.all_items().await.is_empty(), "nothing was written");
    let (status, answer) = signed_table_call(&stack, &base(), "PutItem", mine.as_bytes()).await;
    assert_eq!(
        status, 200,
        "the same call, signed as it should be: {answer}"
    );
    assert!(stack.item("ada").await.is_some());
}
