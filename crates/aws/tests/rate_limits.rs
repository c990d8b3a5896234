//! Per-account limits on the real adapter against the embedded DynamoDB: the limit holds
//! exactly under concurrency, is per account, leaves a counter that expires, refuses
//! before anything is signed or written, and fails closed when the store is unreachable.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use avatar_aws::adapters::{DynamoProfiles, DynamoRateLimiter, S3Objects};
use avatar_aws::schema::EXPIRES_AT;
use avatar_aws::signer::{CredentialSource, PostSigner, S3FormSigner};
use avatar_domain::limits::{AccountLimit, Action, Counter, Window};
use avatar_domain::service::SaveProfile;
use avatar_domain::service::{ProfileService, UploadSigner};
use avatar_domain::values::AccountId;
use avatar_http::ApiError;
use avatar_http::SignUploadRequest;
use aws_credential_types::Credentials;
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use test_support::{ACCESS_KEY, BUCKET, REGION, SECRET_KEY, TABLE, TestStack, images};

const UPLOADS_PER_HOUR: u32 = 30;
const WRITES_PER_HOUR: u32 = 60;

fn account(n: u32) -> AccountId {
    AccountId::try_from(format!("7c9e6679-7425-40de-944b-{n:012x}").as_str()).unwrap()
}

/// Ten minutes into the next hour: every call of a test falls in one window, and the
/// counters' `expiresAt` lies in the future (a local TTL sweep never takes them).
fn pinned() -> SystemTime {
    static PINNED: OnceLock<SystemTime> = OnceLock::new();
    *PINNED.get_or_init(|| {
        let next = Window::containing(SystemTime::now()).end;
        UNIX_EPOCH + Duration::from_secs(next + 600)
    })
}

fn limit(dynamodb_url: &str, stack: &TestStack, action: Action, per_hour: u32) -> AccountLimit {
    let limiter = DynamoRateLimiter::new(stack.sdk_config(), TABLE, Some(dynamodb_url));
    AccountLimit::new(Arc::new(limiter), action, per_hour).with_clock(pinned)
}

fn signer(stack: &TestStack, dynamodb_url: &str) -> UploadSigner {
    UploadSigner::new(
        Box::new(S3FormSigner::new(
            PostSigner::new(BUCKET, REGION, Some(&stack.s3.url())).expect("form URL"),
            CredentialSource::from_static(Credentials::new(
                ACCESS_KEY, SECRET_KEY, None, None, "test",
            )),
        )),
        1024 * 1024,
        Duration::from_secs(300),
    )
    .with_limit(limit(
        dynamodb_url,
        stack,
        Action::SignUpload,
        UPLOADS_PER_HOUR,
    ))
}

fn profiles(stack: &TestStack) -> ProfileService {
    let sdk = stack.sdk_config();
    let dynamodb = stack.dynamodb.url();
    ProfileService::new(
        Box::new(S3Objects::new(sdk, BUCKET, Some(&stack.s3.url()))),
        Box::new(DynamoProfiles::new(sdk, TABLE, Some(&dynamodb))),
        1024 * 1024,
    )
    .with_limit(limit(
        &dynamodb,
        stack,
        Action::ProfileWrite,
        WRITES_PER_HOUR,
    ))
}

fn png_request() -> SignUploadRequest {
    SignUploadRequest::try_from(
        json!({"contentType": "image/png", "size": 1000, "checksumSha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="})
            .to_string()
            .as_bytes(),
    )
    .expect("valid request")
}

async fn sign(signer: &UploadSigner, who: AccountId) -> Result<(), ApiError> {
    signer
        .sign(&who, &png_request().upload, pinned())
        .await
        .map(|_| ())
        .map_err(ApiError::from)
}

fn save_request(body: serde_json::Value) -> SaveProfile {
    avatar_http::save_profile(body.to_string().as_bytes()).expect("valid request")
}

fn counter_pk(who: AccountId, action: Action) -> String {
    avatar_aws::schema::counter_key(&Counter {
        account: who,
        action,
        window_start: Window::containing(pinned()).start,
    })
}

#[tokio::test]
async fn the_31st_signature_in_a_window_is_429_and_another_account_is_not_affected() {
    let stack = TestStack::start().await;
    let signer = signer(&stack, &stack.dynamodb.url());
    for n in 1..=UPLOADS_PER_HOUR {
        sign(&signer, account(1))
            .await
            .unwrap_or_else(|e| panic!("signature {n}: {e}"));
    }
    let refused = sign(&signer, account(1)).await.unwrap_err();
    assert_eq!(refused.status().as_u16(), 429);
    assert_eq!(refused.code(), "rate_limited");
    // Ten minutes into the hour: fifty minutes to go.
    assert_eq!(refused.retry_after_secs(), Some(3000));
    assert!(
        refused.to_string().contains("try again in 50 minutes"),
        "{refused}"
    );

    sign(&signer, account(2))
        .await
        .expect("another account has its own allowance");
}

#[tokio::test]
async fn the_counter_carries_its_expiry_at_the_windows_end() {
    let stack = TestStack::start().await;
    let signer = signer(&stack, &stack.dynamodb.url());
    for _ in 0..3 {
        sign(&signer, account(3)).await.unwrap();
    }
    let item = stack
        .dynamo_client()
        .get_item()
        .table_name(TABLE)
        .key(
            "pk",
            AttributeValue::S(counter_pk(account(3), Action::SignUpload)),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .expect("the counter item");
    assert_eq!(item["used"].as_n().unwrap(), "3");
    assert_eq!(
        item[EXPIRES_AT].as_n().unwrap(),
        &Window::containing(pinned()).end.to_string(),
        "TTL (Unix seconds) = the window's end"
    );

    let ttl = stack
        .dynamo_client()
        .describe_time_to_live()
        .table_name(TABLE)
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().expect("TTL description");
    assert_eq!(
        ttl.attribute_name(),
        Some(EXPIRES_AT),
        "TTL is on locally too"
    );
}

#[tokio::test]
async fn a_limit_that_cannot_reach_dynamodb_refuses_with_503() {
    let stack = TestStack::start().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let refused = sign(&signer(&stack, &closed), account(4))
        .await
        .unwrap_err();
    assert_eq!(refused.status().as_u16(), 503, "{refused:?}");
    assert_eq!(refused.code(), "unavailable");
}

#[tokio::test]
async fn forty_parallel_signatures_by_one_account_yield_exactly_thirty() {
    let stack = TestStack::start().await;
    let signer = Arc::new(signer(&stack, &stack.dynamodb.url()));
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let signer = Arc::clone(&signer);
            tokio::spawn(async move { sign(&signer, account(5)).await })
        })
        .collect();
    let (mut signed, mut limited) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => signed += 1,
            Err(e) => {
                assert_eq!(e.code(), "rate_limited", "{e:?}");
                limited += 1;
            }
        }
    }
    assert_eq!((signed, limited), (30, 10));
}

#[tokio::test]
async fn seventy_parallel_profile_writes_pass_the_limit_exactly_sixty_times() {
    let stack = TestStack::start().await;
    let profiles = Arc::new(profiles(&stack));
    let tasks: Vec<_> = (0..70)
        .map(|i| {
            let profiles = Arc::clone(&profiles);
            tokio::spawn(async move {
                let body = json!({"username": "busy", "fullName": format!("Writer {i}")});
                profiles.save(&account(6), save_request(body)).await
            })
        })
        .collect();
    let mut limited = 0;
    for task in tasks {
        if let Err(e) = task.await.unwrap()
            && ApiError::from(e).code() == "rate_limited"
        {
            limited += 1;
        }
    }
    assert_eq!(limited, 10, "70 writes, 60 allowed");
    let item = stack
        .dynamo_client()
        .get_item()
        .table_name(TABLE)
        .key(
            "pk",
            AttributeValue::S(counter_pk(account(6), Action::ProfileWrite)),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .expect("the counter item");
    assert_eq!(item["used"].as_n().unwrap(), "60");
}

#[tokio::test]
async fn a_refused_save_reads_and_writes_nothing() {
    let stack = TestStack::start().await;
    let profiles = profiles(&stack);
    let who = account(7);
    profiles
        .save(
            &who,
            save_request(json!({"username": "quota", "fullName": "First"})),
        )
        .await
        .expect("created");
    for _ in 1..WRITES_PER_HOUR {
        profiles
            .save(
                &who,
                save_request(json!({"username": "quota", "fullName": "Again"})),
            )
            .await
            .expect("within the limit");
    }
    let upload = format!("incoming/{who}/{}.png", uuid_like(7));
    stack
        .put(&upload, images::png_with_metadata(8, 8), "image/png")
        .await;
    let refused = profiles
        .save(
            &who,
            save_request(json!({"username": "quota", "fullName": "Over", "avatarKey": upload})),
        )
        .await
        .map_err(ApiError::from)
        .unwrap_err();
    assert_eq!(refused.code(), "rate_limited");
    assert_eq!(refused.retry_after_secs(), Some(3000));
    assert!(
        refused
            .to_string()
            .contains("saved your profile many times"),
        "{refused}"
    );
    let item = stack.item("quota").await.expect("profile");
    assert_eq!(
        item["version"].as_n().unwrap(),
        "60",
        "the 61st did not land"
    );
    assert_eq!(item["fullName"].as_s().unwrap(), "Again");
    assert_eq!(
        stack.keys().await,
        vec![upload],
        "the upload is untouched and nothing was published"
    );
}

fn uuid_like(n: u32) -> String {
    format!("3b241101-e2bb-4255-8caf-{n:012x}")
}
