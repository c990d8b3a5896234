//! The whole flow on the real adapters against the embedded S3 and DynamoDB: sign, POST
//! as the browser does, save, read back; races; and what happens when a store is down.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use avatar_aws::adapters::{DynamoProfiles, S3Objects};
use avatar_aws::signer::{CredentialSource, PostSigner, S3FormSigner};
use avatar_domain::ports::{Conflict, ProfileStore, ProfileWrite, WriteOutcome};
use avatar_domain::service::SaveProfile;
use avatar_domain::service::{
    NewUpload, ProfileDeletion, ProfileService, Saved, UploadSigner, get_profile,
};
use avatar_domain::values::{
    AccountId, AvatarChange, ContentType, Expected, FullName, Sha256Checksum, Username,
};
use avatar_http::ApiError;
use aws_credential_types::Credentials;
use serde_json::json;
use test_support::store_faults::{FaultyObjects, ObjectFaults};
use test_support::store_faults::{LandsThenFails, published};
use test_support::{ACCESS_KEY, BUCKET, REGION, SECRET_KEY, TABLE, TestStack, images, post_form};

const MAX: u64 = 1024 * 1024;

/// The signed-in account every save of this file is made by.
fn ada() -> AccountId {
    AccountId::try_from(test_support::events::FIXTURE_SUB).unwrap()
}

async fn service(stack: &TestStack, s3_url: &str, dynamodb_url: &str) -> ProfileService {
    let sdk = stack.sdk_config();
    ProfileService::new(
        Box::new(S3Objects::new(sdk, BUCKET, Some(s3_url))),
        Box::new(DynamoProfiles::new(sdk, TABLE, Some(dynamodb_url))),
        MAX,
    )
}

fn uploads(stack: &TestStack) -> UploadSigner {
    UploadSigner::new(
        Box::new(S3FormSigner::new(
            PostSigner::new(BUCKET, REGION, Some(&stack.s3.url())).expect("form URL"),
            CredentialSource::from_static(Credentials::new(
                ACCESS_KEY, SECRET_KEY, None, None, "test",
            )),
        )),
        MAX,
        Duration::from_secs(300),
    )
}

/// Signs and POSTs `bytes` as the page does; returns the upload key.
async fn browser_upload(stack: &TestStack, content_type: ContentType, bytes: Vec<u8>) -> String {
    browser_upload_as(stack, ada(), content_type, bytes).await
}

async fn browser_upload_as(
    stack: &TestStack,
    account: AccountId,
    content_type: ContentType,
    bytes: Vec<u8>,
) -> String {
    let request = NewUpload {
        content_type,
        size: bytes.len() as u64,
        checksum_sha256: Sha256Checksum::of(&bytes),
        answer: None,
    };
    let signed = uploads(stack)
        .sign(&account, &request, SystemTime::now())
        .await
        .expect("signed");
    let response = post_form(
        &signed.post.url,
        &signed.post.pairs(),
        bytes,
        content_type.mime(),
    )
    .await;
    assert!(
        response.status().is_success(),
        "upload: {}",
        response.status()
    );
    signed.key.to_string()
}

fn request(body: serde_json::Value) -> SaveProfile {
    avatar_http::save_profile(body.to_string().as_bytes()).expect("valid request")
}

async fn save(profiles: &ProfileService, body: serde_json::Value) -> Result<Saved, ApiError> {
    Ok(profiles.save(&ada(), request(body)).await?)
}

/// The deletion over the same stores as [`service`].
fn deletion(stack: &TestStack) -> ProfileDeletion {
    let sdk = stack.sdk_config();
    ProfileDeletion::new(
        Box::new(S3Objects::new(sdk, BUCKET, Some(&stack.s3.url()))),
        Box::new(DynamoProfiles::new(sdk, TABLE, Some(&stack.dynamodb.url()))),
    )
}

async fn delete(deletion: &ProfileDeletion) -> Result<(), ApiError> {
    Ok(deletion.delete(&ada()).await?)
}

/// Another signed-in account per `n`.
fn account(n: u32) -> AccountId {
    AccountId::try_from(format!("5a0e5b2c-1d3e-4f5a-8b6c-{n:012x}").as_str()).unwrap()
}

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[tokio::test]
async fn sign_post_save_get_for_every_image_type() {
    let stack = TestStack::start().await;
    let profiles = service(&stack, &stack.s3.url(), &stack.dynamodb.url()).await;
    let cases = [
        (
            "jpeg-user",
            ContentType::Jpeg,
            images::jpeg_with_metadata(64, 48),
        ),
        (
            "png-user",
            ContentType::Png,
            images::png_with_metadata(64, 48),
        ),
        (
            "webp-user",
            ContentType::Webp,
            images::webp_with_metadata(64, 48),
        ),
        (
            "gif-user",
            ContentType::Gif,
            images::gif_with_metadata(64, 48),
        ),
    ];
    for (n, (username, content_type, bytes)) in (1..).zip(cases) {
        // An account owns one profile: one account per picture.
        let key = browser_upload_as(&stack, account(n), content_type, bytes).await;
        let saved = profiles
            .save(
                &account(n),
                request(json!({"username": username, "fullName": "Test User", "avatarKey": key})),
            )
            .await
            .expect("saved");
        assert!(saved.created);
        let store = DynamoProfiles::new(stack.sdk_config(), TABLE, Some(&stack.dynamodb.url()));
        let got = get_profile(&store, &Username::try_from(username).unwrap())
            .await
            .expect("read back");
        assert_eq!(got, saved.profile);
        let avatar = got.avatar_key.as_ref().expect("avatar").as_str();
        // The original is kept where nothing is served; the variants are what is shown.
        assert!(avatar.starts_with(&format!("originals/{username}/")));
        let (bytes, stored_type, _) = stack.get(avatar).await.expect("avatar");
        assert_eq!(stored_type.as_deref(), Some(content_type.mime()));
        assert!(
            images::leaks(&bytes).is_empty(),
            "{username}: {:?}",
            images::leaks(&bytes)
        );
        assert_eq!(
            images::decode(&bytes, content_type.mime()),
            (64, 48),
            "{username}"
        );
    }
    let keys = stack.keys().await;
    assert_eq!(keys.len(), 4 * 5, "four avatars, each with four variants");
    assert!(
        keys.iter()
            .all(|k| k.starts_with("avatars/") || k.starts_with("originals/")),
        "incoming/ is empty: {keys:?}"
    );
}

#[tokio::test]
async fn fifty_racing_conditional_saves_let_exactly_one_win() {
    let stack = TestStack::start().await;
    let profiles = Arc::new(service(&stack, &stack.s3.url(), &stack.dynamodb.url()).await);
    save(&profiles, json!({"username": "race", "fullName": "Start"}))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let profiles = Arc::clone(&profiles);
            tokio::spawn(async move {
                save(&profiles, json!({"username": "race", "fullName": format!("Writer {i}"), "expectedVersion": 1}))
                    .await
            })
        })
        .collect();
    let mut won = 0;
    let mut conflicts = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(saved) => {
                won += 1;
                assert_eq!(saved.profile.version, 2);
            }
            Err(err) => {
                assert_eq!(err.code(), "version_conflict");
                conflicts += 1;
            }
        }
    }
    assert_eq!((won, conflicts), (1, 49));
    let item = stack.item("race").await.unwrap();
    assert_eq!(item["version"].as_n().unwrap(), "2");
}

#[tokio::test]
async fn fifty_racing_upserts_lose_no_update() {
    let stack = TestStack::start().await;
    let profiles = Arc::new(service(&stack, &stack.s3.url(), &stack.dynamodb.url()).await);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let profiles = Arc::clone(&profiles);
            tokio::spawn(async move {
                save(
                    &profiles,
                    json!({"username": "upsert", "fullName": format!("Writer {i}")}),
                )
                .await
            })
        })
        .collect();
    let mut versions = Vec::new();
    let mut created = 0;
    for task in tasks {
        let saved = task.await.unwrap().expect("upsert never conflicts");
        created += usize::from(saved.created);
        versions.push(saved.profile.version);
    }
    versions.sort_unstable();
    assert_eq!(
        versions,
        (1..=50).collect::<Vec<u64>>(),
        "each write saw its own version"
    );
    assert_eq!(created, 1);
    assert_eq!(
        stack.item("upsert").await.unwrap()["version"]
            .as_n()
            .unwrap(),
        "50"
    );
}

#[tokio::test]
async fn a_retried_write_that_already_landed_is_recognised() {
    let stack = TestStack::start().await;
    let sdk = stack.sdk_config();
    let store = DynamoProfiles::new(sdk, TABLE, Some(&stack.dynamodb.url()));
    let write = ProfileWrite {
        username: Username::try_from("retry").unwrap(),
        owner: ada(),
        full_name: FullName::try_from("Retry").unwrap(),
        avatar: AvatarChange::Keep,
        expected: Expected::Absent,
        write_id: "write-1".into(),
        updated_at: "2026-11-26T12:00:00Z".into(),
    };
    let first = store.write(&write).await.unwrap();
    // The same request again, as the SDK would resend it after a lost response.
    let again = store.write(&write).await.unwrap();
    match (first, again) {
        (
            WriteOutcome::Written {
                profile: a,
                created: true,
                ..
            },
            WriteOutcome::Written { profile: b, .. },
        ) => {
            assert_eq!(a, b);
            assert_eq!(b.version, 1);
        }
        other => panic!("{other:?}"),
    }
    // Another request with the same precondition is a real conflict.
    let other = ProfileWrite {
        write_id: "write-2".into(),
        ..write
    };
    assert_eq!(
        store.write(&other).await.unwrap(),
        WriteOutcome::Conflict(Conflict::Version)
    );
    assert_eq!(
        stack.item("retry").await.unwrap()["version"]
            .as_n()
            .unwrap(),
        "1"
    );
}

#[tokio::test]
async fn dynamodb_down_is_503_and_leaves_the_upload_for_a_retry() {
    let stack = TestStack::start().await;
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    let broken = service(&stack, &stack.s3.url(), &closed_port_url()).await;
    let started = Instant::now();
    let err = save(
        &broken,
        json!({"username": "down", "fullName": "Down", "avatarKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!((err.status().as_u16(), err.code()), (503, "unavailable"));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "bounded: {:?}",
        started.elapsed()
    );
    assert!(stack.items().await.is_empty(), "no profile written");
    let keys = stack.keys().await;
    assert!(keys.contains(&key), "upload kept for a retry: {keys:?}");
    // The ownership read comes first and fails: nothing was read, decoded or published.
    assert_eq!(
        keys.iter().filter(|k| !k.starts_with("incoming/")).count(),
        0,
        "{keys:?}"
    );

    // With DynamoDB back the same upload saves.
    let working = service(&stack, &stack.s3.url(), &stack.dynamodb.url()).await;
    let saved = save(
        &working,
        json!({"username": "down", "fullName": "Down", "avatarKey": key}),
    )
    .await
    .unwrap();
    assert_eq!(saved.profile.version, 1);
}

#[tokio::test]
async fn s3_down_is_503_and_writes_nothing() {
    let stack = TestStack::start().await;
    let broken = service(&stack, &closed_port_url(), &stack.dynamodb.url()).await;
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    let started = Instant::now();
    let err = save(
        &broken,
        json!({"username": "s3down", "fullName": "S3 Down", "avatarKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!((err.status().as_u16(), err.code()), (503, "unavailable"));
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(stack.items().await.is_empty());
    assert_eq!(stack.keys().await, vec![key]);
}

#[tokio::test]
async fn a_missing_bucket_is_500_internal_not_a_missing_upload() {
    let stack = TestStack::start().await;
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    // S3 answers 404 NoSuchBucket: the deployment is wrong, the caller's upload is not.
    let sdk = stack.sdk_config();
    let misconfigured = ProfileService::new(
        Box::new(S3Objects::new(sdk, "no-such-bucket", Some(&stack.s3.url()))),
        Box::new(DynamoProfiles::new(sdk, TABLE, Some(&stack.dynamodb.url()))),
        MAX,
    );
    let err = save(
        &misconfigured,
        json!({"username": "nobucket", "fullName": "No Bucket", "avatarKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!((err.status().as_u16(), err.code()), (500, "internal"));
    assert!(stack.items().await.is_empty());
    assert_eq!(stack.keys().await, vec![key]);
}

#[tokio::test]
async fn refused_s3_credentials_are_500_internal_and_write_nothing() {
    let stack = TestStack::start().await;
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    // A role S3 refuses (403): a misconfiguration, not an outage.
    let wrong = stack
        .sdk_config()
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                ACCESS_KEY,
                "not-the-secret",
                None,
                None,
                "test",
            )),
        )
        .build();
    let misconfigured = ProfileService::new(
        Box::new(S3Objects::new(&wrong, BUCKET, Some(&stack.s3.url()))),
        Box::new(DynamoProfiles::new(
            &wrong,
            TABLE,
            Some(&stack.dynamodb.url()),
        )),
        MAX,
    );
    let err = save(
        &misconfigured,
        json!({"username": "config", "fullName": "Config", "avatarKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!((err.status().as_u16(), err.code()), (500, "internal"));
    assert_eq!(
        avatar_http::error_response(&err).body(),
        r#"{"error":{"code":"internal","message":"Something went wrong on our side."}}"#,
        "no detail leaks"
    );
    assert!(stack.items().await.is_empty());
    assert_eq!(stack.keys().await, vec![key]);
}

#[tokio::test]
async fn a_write_that_landed_behind_an_error_keeps_its_avatar() {
    let stack = TestStack::start().await;
    let sdk = stack.sdk_config();
    let objects = || Box::new(S3Objects::new(sdk, BUCKET, Some(&stack.s3.url())));
    let dynamo = || DynamoProfiles::new(sdk, TABLE, Some(&stack.dynamodb.url()));

    // The consistent read after the error shows our avatar: the save succeeded.
    let profiles = ProfileService::new(objects(), Box::new(LandsThenFails::new(dynamo())), MAX);
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    let saved = save(
        &profiles,
        json!({"username": "lost", "fullName": "Lost", "avatarKey": key}),
    )
    .await
    .expect("recognised as saved");
    assert!(saved.created);
    let avatar = saved.profile.avatar_key.expect("avatar");
    assert_eq!(
        stack.keys().await,
        published(&avatar),
        "avatar kept, upload removed"
    );

    // When even the read fails, the new avatar is kept (it may be referenced) and so is the upload.
    let blind = ProfileService::new(objects(), Box::new(LandsThenFails::blind(dynamo())), MAX);
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    let err = save(
        &blind,
        json!({"username": "lost", "fullName": "Lost", "avatarKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "unavailable");
    let item = stack.item("lost").await.unwrap();
    let referenced = item["avatarKey"].as_s().unwrap().clone();
    let keys = stack.keys().await;
    assert!(
        keys.contains(&referenced),
        "the stored profile's avatar exists: {keys:?}"
    );
    assert!(keys.contains(&key), "upload kept for a retry");
}

fn faulty_deletion(stack: &TestStack, faults: &ObjectFaults) -> ProfileDeletion {
    let sdk = stack.sdk_config();
    ProfileDeletion::new(
        Box::new(FaultyObjects::on(stack, faults)),
        Box::new(DynamoProfiles::new(sdk, TABLE, Some(&stack.dynamodb.url()))),
    )
}

fn faulty_service(stack: &TestStack, faults: &ObjectFaults) -> ProfileService {
    let sdk = stack.sdk_config();
    ProfileService::new(
        Box::new(FaultyObjects::on(stack, faults)),
        Box::new(DynamoProfiles::new(sdk, TABLE, Some(&stack.dynamodb.url()))),
        MAX,
    )
}

#[tokio::test]
async fn bytes_that_do_not_match_the_uploads_checksum_are_refused_and_deleted() {
    let stack = TestStack::start().await;
    let faults = ObjectFaults::default();
    ObjectFaults::set(&faults.altered_reads, true);
    let profiles = faulty_service(&stack, &faults);
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    let err = save(
        &profiles,
        json!({"username": "altered", "fullName": "Altered", "avatarKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!((err.status().as_u16(), err.code()), (422, "invalid_avatar"));
    assert!(
        stack.keys().await.is_empty(),
        "the upload is deleted, nothing published"
    );
    assert!(stack.items().await.is_empty(), "nothing saved");
}

#[tokio::test]
async fn a_delete_whose_clean_up_failed_is_finished_by_a_retry() {
    let stack = TestStack::start().await;
    let faults = ObjectFaults::default();
    let profiles = faulty_service(&stack, &faults);
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    save(
        &profiles,
        json!({"username": "flaky", "fullName": "Flaky", "avatarKey": key}),
    )
    .await
    .expect("saved");
    assert_eq!(stack.keys().await.len(), 5);

    ObjectFaults::set(&faults.failing_deletes, true);
    let deletion = faulty_deletion(&stack, &faults);
    let err = delete(&deletion).await.unwrap_err();
    assert_eq!((err.status().as_u16(), err.code()), (503, "unavailable"));
    // The profile is gone and the username free; the picture waits for the retry.
    assert!(stack.item("flaky").await.is_none());
    assert!(
        stack
            .owner_item(test_support::events::FIXTURE_SUB)
            .await
            .is_none()
    );
    assert_eq!(stack.keys().await.len(), 5);

    ObjectFaults::set(&faults.failing_deletes, false);
    // Meanwhile the same account made a new profile: the retry finishes the old clean-up
    // and deletes the new profile too.
    save(
        &profiles,
        json!({"username": "renewed", "fullName": "Renewed"}),
    )
    .await
    .expect("a new profile");
    delete(&deletion)
        .await
        .expect("the retry finishes the delete");
    assert!(stack.keys().await.is_empty(), "no object left behind");
    assert!(stack.items().await.is_empty(), "no item left behind");
    assert_eq!(delete(&deletion).await.unwrap_err().code(), "not_found");
}

#[tokio::test]
async fn a_delete_racing_a_save_never_leaves_a_broken_profile_or_a_stray_object() {
    let stack = TestStack::start().await;
    let profiles = Arc::new(service(&stack, &stack.s3.url(), &stack.dynamodb.url()).await);
    let deletion = Arc::new(deletion(&stack));
    for round in 0..10 {
        let username = format!("race{round}");
        let first = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
        save(
            &profiles,
            json!({"username": username, "fullName": "Racer", "avatarKey": first}),
        )
        .await
        .expect("created");
        let second = browser_upload(&stack, ContentType::Png, images::png(9, 9)).await;
        let saver = {
            let profiles = Arc::clone(&profiles);
            let body = json!({"username": username, "fullName": "Racer", "avatarKey": second});
            tokio::spawn(async move { save(&profiles, body).await })
        };
        let deleter = {
            let deletion = Arc::clone(&deletion);
            tokio::spawn(async move { delete(&deletion).await })
        };
        let _ = saver.await.expect("task");
        let _ = deleter.await.expect("task");

        let published: Vec<String> = stack
            .keys()
            .await
            .into_iter()
            .filter(|k| !k.starts_with("incoming/"))
            .collect();
        match stack.item(&username).await {
            Some(item) => {
                // The save landed after the delete: a fresh profile with its own picture.
                let avatar = avatar_domain::values::AvatarKey::parse_stored_with(
                    item["avatarKey"].as_s().unwrap(),
                    Some(item["avatarVariantFormat"].as_s().unwrap()),
                )
                .unwrap();
                assert_eq!(
                    published,
                    self::published(&avatar),
                    "round {round}: only the referenced picture and its variants"
                );
            }
            None => assert!(
                published.is_empty(),
                "round {round}: a deleted profile leaves no picture: {published:?}"
            ),
        }
        // Start the next round from nothing.
        let _ = delete(&deletion).await;
        assert!(
            stack
                .keys()
                .await
                .iter()
                .all(|k| k.starts_with("incoming/"))
        );
    }
}

#[tokio::test]
async fn a_publish_that_fails_half_way_leaves_no_object() {
    let stack = TestStack::start().await;
    let faults = ObjectFaults::default();
    ObjectFaults::set(&faults.failing_variant_puts, true);
    let profiles = faulty_service(&stack, &faults);
    let key = browser_upload(&stack, ContentType::Png, images::png(8, 8)).await;
    let err = save(
        &profiles,
        json!({"username": "halfway", "fullName": "Half", "avatarKey": key}),
    )
    .await
    .unwrap_err();
    assert_eq!((err.status().as_u16(), err.code()), (503, "unavailable"));
    assert_eq!(
        stack.keys().await,
        vec![key],
        "only the upload, kept for a retry"
    );
    assert!(stack.items().await.is_empty(), "nothing saved");
}
