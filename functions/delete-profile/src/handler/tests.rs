use std::collections::HashMap;

use avatar_domain::service::{ProfileDeletion, ProfileService};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use test_support::events::FIXTURE_SUB;
use test_support::{TestStack, events};

use super::*;

/// Another signed-in account than the fixtures'.
const OTHER_SUB: &str = "9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f";

struct Harness {
    stack: TestStack,
    deletion: ProfileDeletion,
    /// Saves profiles to delete, as save-profile would.
    profiles: ProfileService,
}

impl Harness {
    async fn start() -> Self {
        let stack = TestStack::start().await;
        let env = stack.function_env(&[]);
        let deletion =
            avatar_aws::setup::profile_deletion(&env, stack.sdk_config()).expect("config");
        let profiles =
            avatar_aws::setup::profile_service(&env, stack.sdk_config()).expect("config");
        Self {
            stack,
            deletion,
            profiles,
        }
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

    /// `DELETE /api/profile` as the account `sub` (`None`: without claims).
    async fn delete_as(&self, sub: Option<&str>) -> (u16, String) {
        self.send(delete_event(sub)).await
    }

    async fn send(&self, payload: Value) -> (u16, String) {
        let request = lambda_http::request::from_str(&payload.to_string()).expect("event");
        let response = handle(&self.deletion, request).await.expect("infallible");
        (
            response.status().as_u16(),
            String::from_utf8_lossy(response.body().as_ref()).into_owned(),
        )
    }

    async fn snapshot(&self) -> (Vec<String>, Vec<HashMap<String, AttributeValue>>) {
        self.stack.contents().await
    }
}

fn delete_event(sub: Option<&str>) -> Value {
    let payload = events::fixture("delete-profile/delete");
    match sub {
        Some(sub) => events::as_account(payload, sub),
        None => events::without_claims(payload),
    }
}

#[tokio::test]
async fn delete_removes_every_item_and_object_and_frees_the_username() {
    let h = Harness::start().await;
    h.save(FIXTURE_SUB, "ada", 8).await;
    h.save(FIXTURE_SUB, "ada", 9).await;
    let (keys, items) = h.snapshot().await;
    assert_eq!(
        keys.len(),
        5,
        "one published avatar and its variants: {keys:?}"
    );
    assert_eq!(items.len(), 2, "profile and owner record");

    // Without claims nothing happens; another account has nothing to delete.
    let (status, body) = h.delete_as(None).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("unauthorized"), "{body}");
    let (status, body) = h.delete_as(Some(OTHER_SUB)).await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not_found"), "{body}");
    assert_eq!(h.snapshot().await, (keys, items), "nothing touched");

    let (status, body) = h.delete_as(Some(FIXTURE_SUB)).await;
    assert_eq!((status, body.as_str()), (204, ""));
    assert_eq!(
        h.snapshot().await,
        (vec![], vec![]),
        "every object and item is gone"
    );

    // Safe to retry: the second is 404; the username is free for anyone, and the deleted
    // account can create a profile again.
    assert_eq!(h.delete_as(Some(FIXTURE_SUB)).await.0, 404);
    h.save(OTHER_SUB, "ada", 8).await;
    h.save(FIXTURE_SUB, "lovelace", 8).await;
}

#[tokio::test]
async fn only_its_own_route_reaches_the_deletion() {
    let h = Harness::start().await;
    h.save(FIXTURE_SUB, "ada", 8).await;
    let before = h.snapshot().await;
    for route in ["POST /api/profile", "GET /api/me", "DELETE /api/account"] {
        let mut payload = delete_event(Some(FIXTURE_SUB));
        payload["routeKey"] = route.into();
        payload["requestContext"]["routeKey"] = route.into();
        let (status, body) = h.send(payload).await;
        assert_eq!(status, 404, "{route}: {body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(body["error"]["code"], "not_found", "{route}");
    }
    assert_eq!(h.snapshot().await, before, "nothing deleted");
}
