//! A save decides whether the caller may write the name before it reads, decodes or
//! writes any object: another account's name, a second name of one's own, or a
//! create-only save of an existing profile are refused with no S3 call at all. The
//! conditional write stays the guard: two accounts racing for one name with pictures
//! still give one owner, and the loser's picture is cleaned up.

use std::sync::Arc;

use avatar_aws::adapters::DynamoProfiles;
use avatar_domain::ServiceError;
use avatar_domain::service::{ProfileService, SaveProfile};
use avatar_domain::values::{
    AccountId, AvatarChange, ContentType, Expected, FullName, UploadKey, Username,
};
use test_support::store_faults::{FaultyObjects, ObjectFaults};
use test_support::{BUCKET, TABLE, TestStack, images};

/// Whether an error is the refusal a case expects.
type Refusal = fn(&ServiceError) -> bool;

fn account(n: u32) -> AccountId {
    AccountId::try_from(format!("3c1d2e4f-5a6b-4c7d-8e9f-{n:012x}").as_str()).expect("account")
}

/// The real use case over the real S3 adapter, counting every call made through it.
fn service(stack: &TestStack, faults: &ObjectFaults) -> ProfileService {
    let sdk = stack.sdk_config();
    ProfileService::new(
        Box::new(FaultyObjects::on(stack, faults)),
        Box::new(DynamoProfiles::new(sdk, TABLE, Some(&stack.dynamodb.url()))),
        1024 * 1024,
    )
}

/// An upload in `owner`'s prefix, as its browser's POST leaves it.
async fn upload(stack: &TestStack, owner: AccountId) -> UploadKey {
    let key = UploadKey::new(owner, ContentType::Png);
    stack
        .put(key.as_str(), images::png(16, 16), "image/png")
        .await;
    key
}

fn save(username: &str, avatar: AvatarChange<UploadKey>, expected: Expected) -> SaveProfile {
    SaveProfile {
        username: Username::try_from(username).expect("username"),
        full_name: FullName::try_from("Owner").expect("name"),
        avatar,
        crop: None,
        expected,
    }
}

#[tokio::test]
async fn a_save_the_claims_rule_out_makes_no_s3_call() {
    let stack = TestStack::start().await;
    let calls = ObjectFaults::default();
    let profiles = service(&stack, &calls);
    let (ada, eve) = (account(1), account(2));
    for (owner, name) in [(ada, "ada"), (eve, "eve")] {
        profiles
            .save(&owner, save(name, AvatarChange::Keep, Expected::Any))
            .await
            .expect("created");
    }
    let (keys, items) = (stack.keys().await, stack.items().await);

    // (name, caller, username, expected, the refusal)
    let cases: [(&str, AccountId, &str, Expected, Refusal); 5] = [
        ("another account's name", eve, "ada", Expected::Any, |e| {
            matches!(e, ServiceError::UsernameTaken(_))
        }),
        (
            "another account's name, create-only",
            eve,
            "ada",
            Expected::Absent,
            |e| matches!(e, ServiceError::UsernameTaken(_)),
        ),
        (
            "a second name of one's own",
            eve,
            "eve2",
            Expected::Any,
            |e| matches!(e, ServiceError::AlreadyHasProfile(_)),
        ),
        (
            "create-only over one's own profile",
            eve,
            "eve",
            Expected::Absent,
            |e| matches!(e, ServiceError::VersionConflict(_)),
        ),
        (
            "a version that is not the stored one",
            eve,
            "eve",
            Expected::Version(7),
            |e| matches!(e, ServiceError::VersionConflict(_)),
        ),
    ];
    for (name, caller, username, expected, refused) in cases {
        let key = upload(&stack, caller).await;
        let before = calls.calls();
        let err = profiles
            .save(
                &caller,
                save(username, AvatarChange::Replace(key.clone()), expected),
            )
            .await
            .expect_err(name);
        assert!(refused(&err), "{name}: {err:?}");
        assert_eq!(calls.calls(), before, "{name}: no S3 call at all");
        // The upload stays for a save under a name of one's own.
        let mut expected_keys = keys.clone();
        expected_keys.push(key.as_str().to_string());
        expected_keys.sort();
        let mut now = stack.keys().await;
        now.sort();
        assert_eq!(
            now, expected_keys,
            "{name}: nothing published, the upload kept"
        );
        assert_eq!(stack.items().await, items, "{name}: nothing written");
        stack
            .s3_client()
            .delete_object()
            .bucket(BUCKET)
            .key(key.as_str())
            .send()
            .await
            .expect("tidy");
    }

    // The same upload still publishes under the caller's own name.
    let key = upload(&stack, eve).await;
    let saved = profiles
        .save(&eve, save("eve", AvatarChange::Replace(key), Expected::Any))
        .await
        .expect("published under one's own name");
    assert!(saved.profile.avatar_key.is_some());
}

#[tokio::test]
async fn two_accounts_racing_for_one_name_with_pictures_give_one_owner() {
    let stack = TestStack::start().await;
    let calls = ObjectFaults::default();
    let profiles = Arc::new(service(&stack, &calls));
    for round in 0..5u32 {
        let name = format!("contested-{round}");
        let (a, b) = (account(100 + 2 * round), account(101 + 2 * round));
        let (key_a, key_b) = (upload(&stack, a).await, upload(&stack, b).await);
        let tasks = [(a, key_a), (b, key_b)].map(|(who, key)| {
            let profiles = Arc::clone(&profiles);
            let name = name.clone();
            tokio::spawn(async move {
                profiles
                    .save(&who, save(&name, AvatarChange::Replace(key), Expected::Any))
                    .await
            })
        });
        let mut won = Vec::new();
        for task in tasks {
            match task.await.expect("task") {
                Ok(saved) => won.push(saved.profile),
                Err(ServiceError::UsernameTaken(_)) => {}
                Err(other) => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(won.len(), 1, "round {round}: exactly one owner");
        let winner = &won[0];
        let published: Vec<String> = stack
            .keys()
            .await
            .into_iter()
            .filter(|k| k.contains(&format!("/{name}/")) && !k.starts_with("incoming/"))
            .collect();
        let avatar = winner.avatar_key.as_ref().expect("the winner's picture");
        let winners = avatar.object_keys();
        assert!(
            !published.is_empty() && published.iter().all(|k| winners.contains(k)),
            "round {round}: only the winner's picture is published: {published:?}"
        );
    }
}
