//! `DELETE /api/account` on the embedded stores and the development provider's user pool,
//! with this function's own key: local IAM authorises every call by its statements in
//! template.yaml, `AdminDeleteUser` included.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use avatar_aws::adapters::{CognitoAccounts, DynamoProfiles, S3Objects};
use avatar_domain::ports::{AccountGone, Accounts, StoreError};
use avatar_domain::service::{AccountDeletion, ProfileDeletion, ProfileService};
use avatar_domain::values::{Account, AccountId};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use test_support::sign_in::{claims_of, refresh, sign_in};
use test_support::store_faults::{FaultyObjects, ObjectFaults};
use test_support::{BUCKET, TABLE, TestStack, USER_POOL, edge, events};

use super::*;

/// Another account than the one signed in.
const OTHER_SUB: &str = "9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f";

/// Faults the test switches on: avatar deletes (`objects`) or the user pool failing for a
/// moment.
#[derive(Clone, Default)]
struct Faults {
    objects: ObjectFaults,
    pool: Arc<AtomicBool>,
}

/// The real user pool adapter that fails while `pool` is on.
struct FailingPool(CognitoAccounts, Faults);

#[async_trait::async_trait]
impl Accounts for FailingPool {
    async fn delete(&self, account: &Account) -> Result<AccountGone, StoreError> {
        if self.1.pool.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable("the user pool is down".into()));
        }
        self.0.delete(account).await
    }
}

struct Harness {
    stack: TestStack,
    edge: local_stack::Running,
    deletion: AccountDeletion,
    /// The same, around stores the test can make fail.
    faulty: AccountDeletion,
    faults: Faults,
    /// Saves profiles to delete, as save-profile would.
    profiles: ProfileService,
}

impl Harness {
    async fn start() -> Self {
        let stack = TestStack::start().await;
        // No function behind this edge: the tests call the handler themselves and use the
        // edge for its sign-in and its user pool.
        let edge = local_stack::start_edge(edge::settings(&stack, "http://127.0.0.1:9".into()))
            .await
            .expect("edge");
        let pool_url = format!("{}/local-idp/cognito-idp", edge.url());
        let env = stack.function_env(&[(
            "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
            pool_url.as_str(),
        )]);
        let own = stack.sdk_config_of("delete-account");
        let deletion = avatar_aws::setup::account_deletion(&env, &own).expect("config");
        let faults = Faults::default();
        let faulty = AccountDeletion::new(
            ProfileDeletion::new(
                Box::new(FaultyObjects(
                    S3Objects::new(&own, BUCKET, Some(&stack.s3.url())),
                    faults.objects.clone(),
                )),
                Box::new(DynamoProfiles::new(
                    &own,
                    TABLE,
                    Some(&stack.dynamodb.url()),
                )),
            ),
            Box::new(FailingPool(
                CognitoAccounts::new(&own, USER_POOL, Some(&pool_url)),
                faults.clone(),
            )),
        );
        let profiles =
            avatar_aws::setup::profile_service(&env, stack.sdk_config()).expect("config");
        Self {
            stack,
            edge,
            deletion,
            faulty,
            faults,
            profiles,
        }
    }

    /// Signs in as `name` at the development provider: the account's id and user name
    /// (the access token's claims) and its refresh token.
    async fn sign_in(&self, name: &str) -> (String, String, String) {
        let tokens = sign_in(&self.edge.url(), name).await;
        let claims = claims_of(&tokens.access_token);
        (
            claims["sub"].as_str().expect("sub").to_string(),
            claims["username"].as_str().expect("username").to_string(),
            tokens.refresh_token.expect("a refresh token"),
        )
    }

    async fn refresh_status(&self, token: &str) -> (u16, Value) {
        let response = refresh(&self.edge.url(), token).await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    }

    /// A profile `username` of `sub` with a freshly uploaded picture.
    async fn save(&self, sub: &str, username: &str, side: u32) {
        test_support::saved_profiles::save_with_picture(
            &self.stack,
            &self.profiles,
            sub,
            username,
            side,
        )
        .await;
    }

    async fn delete(&self, deletion: &AccountDeletion, payload: Value) -> (u16, String) {
        let request = lambda_http::request::from_str(&payload.to_string()).expect("event");
        let response = handle(deletion, request).await.expect("infallible");
        (
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_ref()).into_owned(),
        )
    }

    /// The bucket listed and the table scanned: every object, and every item but the
    /// per-account limit counters (which count attempts and expire within the hour).
    async fn snapshot(&self) -> (Vec<String>, Vec<HashMap<String, AttributeValue>>) {
        self.stack.contents().await
    }

    async fn stop(self) {
        self.edge.stop().await;
        self.stack.stop().await;
    }
}

fn delete_event(sub: &str, username: &str) -> Value {
    let mut payload = events::as_account(events::fixture("delete-account/delete"), sub);
    payload["requestContext"]["authorizer"]["jwt"]["claims"]["username"] = username.into();
    payload
}

/// Every item left is a limit counter that expires on its own.
async fn only_expiring_counters(stack: &TestStack) {
    for item in stack.all_items().await {
        let pk = item["pk"].as_s().expect("pk");
        assert!(
            avatar_aws::schema::ItemKind::of(pk) == Some(avatar_aws::schema::ItemKind::Limit),
            "{pk} is left"
        );
        assert!(item.contains_key("expiresAt"), "{pk} expires");
    }
}

#[tokio::test]
async fn deleting_the_account_leaves_nothing_and_frees_the_name() {
    let h = Harness::start().await;
    let (sub, username, refresh_token) = h.sign_in("Ada").await;
    h.save(&sub, "ada", 8).await;
    h.save(&sub, "ada", 9).await;
    let (keys, items) = h.snapshot().await;
    assert_eq!(keys.len(), 5, "an avatar and its variants: {keys:?}");
    assert_eq!(items.len(), 2, "profile and owner record");

    // Refusals touch nothing and leave the account as it was.
    let mut no_name = delete_event(&sub, &username);
    no_name["requestContext"]["authorizer"]["jwt"]["claims"]
        .as_object_mut()
        .expect("claims")
        .remove("username");
    let refusals = [
        (
            "no claims",
            events::without_claims(delete_event(&sub, &username)),
        ),
        ("no username claim", no_name),
        ("an empty username", delete_event(&sub, "")),
        ("a username with a space", delete_event(&sub, "a da")),
        ("a sub that is no account", delete_event("ada", &username)),
    ];
    for (what, payload) in refusals {
        let (status, body) = h.delete(&h.deletion, payload).await;
        assert_eq!(status, 401, "{what}: {body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["error"]["code"], "unauthorized", "{what}");
        assert_eq!(h.snapshot().await, (keys.clone(), items.clone()), "{what}");
    }
    assert_eq!(
        h.refresh_status(&refresh_token).await.0,
        200,
        "still a user"
    );

    let (status, body) = h.delete(&h.deletion, delete_event(&sub, &username)).await;
    assert_eq!((status, body.as_str()), (204, ""));
    assert_eq!(h.snapshot().await, (vec![], vec![]), "nothing is left");
    only_expiring_counters(&h.stack).await;

    // The user is gone: its refresh token is refused.
    let (status, body) = h.refresh_status(&refresh_token).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &Value::from("invalid_grant"))
    );

    // A second call (its token is still valid until it expires) is 204 again: nothing
    // is left to delete, and nothing else is touched.
    h.save(OTHER_SUB, "grace", 8).await;
    let before = h.snapshot().await;
    let (status, body) = h.delete(&h.deletion, delete_event(&sub, &username)).await;
    assert_eq!((status, body.as_str()), (204, ""));
    assert_eq!(
        h.snapshot().await,
        before,
        "another account's profile stays"
    );

    // The name signs in as a new account, with no profile; the username is free.
    let (new_sub, _, new_refresh) = h.sign_in("ada").await;
    assert_ne!(new_sub, sub, "a new account");
    let store = DynamoProfiles::new(h.stack.sdk_config(), TABLE, Some(&h.stack.dynamodb.url()));
    use avatar_domain::ports::ProfileStore as _;
    let new_owner = AccountId::try_from(new_sub.as_str()).expect("account");
    assert_eq!(store.get_owned(&new_owner).await.expect("read"), None);
    assert_eq!(h.refresh_status(&new_refresh).await.0, 200);
    assert_eq!(
        h.refresh_status(&refresh_token).await.0,
        400,
        "old stays refused"
    );
    h.save(OTHER_SUB, "grace", 9).await;
    h.save(&new_sub, "ada", 8).await;
    h.stop().await;
}

#[tokio::test]
async fn a_deletion_that_failed_once_is_finished_by_the_retry() {
    let h = Harness::start().await;
    let (sub, username, refresh_token) = h.sign_in("ada").await;
    h.save(&sub, "ada", 8).await;
    let (keys, _) = h.snapshot().await;

    // S3 fails the avatar delete: 503, the objects stay, so does the user.
    ObjectFaults::set(&h.faults.objects.failing_deletes, true);
    let (status, body) = h.delete(&h.faulty, delete_event(&sub, &username)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(h.stack.keys().await, keys, "the objects wait for the retry");
    assert_eq!(
        h.refresh_status(&refresh_token).await.0,
        200,
        "still a user"
    );

    // Then the user pool fails: the data is gone, the user not yet.
    ObjectFaults::set(&h.faults.objects.failing_deletes, false);
    h.faults.pool.store(true, Ordering::SeqCst);
    let (status, body) = h.delete(&h.faulty, delete_event(&sub, &username)).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(h.snapshot().await, (vec![], vec![]), "the data is gone");
    assert_eq!(
        h.refresh_status(&refresh_token).await.0,
        200,
        "still a user"
    );

    // The retry finishes the job.
    h.faults.pool.store(false, Ordering::SeqCst);
    let (status, body) = h.delete(&h.faulty, delete_event(&sub, &username)).await;
    assert_eq!((status, body.as_str()), (204, ""));
    assert_eq!(h.snapshot().await, (vec![], vec![]));
    only_expiring_counters(&h.stack).await;
    assert_eq!(h.refresh_status(&refresh_token).await.0, 400);
    h.stop().await;
}

#[tokio::test]
async fn only_its_own_route_reaches_the_account_deletion() {
    let h = Harness::start().await;
    let (sub, username, refresh_token) = h.sign_in("ada").await;
    h.save(&sub, "ada", 8).await;
    let before = h.snapshot().await;
    for route in ["DELETE /api/profile", "GET /api/me", "GET /api/me/export"] {
        let mut payload = delete_event(&sub, &username);
        payload["routeKey"] = route.into();
        payload["requestContext"]["routeKey"] = route.into();
        let (status, body) = h.delete(&h.deletion, payload).await;
        assert_eq!(status, 404, "{route}: {body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["error"]["code"], "not_found", "{route}");
    }
    assert_eq!(h.snapshot().await, before, "nothing deleted");
    assert_eq!(
        h.refresh_status(&refresh_token).await.0,
        200,
        "still a user"
    );
    h.stop().await;
}
