//! Ownership and uniqueness are conditions of one atomic write in DynamoDB, never a read
//! before it: races between accounts, and within one account, on the embedded DynamoDB.

use std::sync::Arc;

use avatar_aws::adapters::DynamoProfiles;
use avatar_domain::ports::{Conflict, ProfileStore, ProfileWrite, WriteOutcome};
use avatar_domain::values::{AccountId, AvatarChange, Expected, FullName, Username};
use test_support::{TABLE, TestStack};

fn account(n: u32) -> AccountId {
    AccountId::try_from(format!("0f8fad5b-d9cb-469f-a165-{n:012x}").as_str()).expect("account")
}

fn write(owner: AccountId, username: &str, expected: Expected) -> ProfileWrite {
    ProfileWrite {
        username: Username::try_from(username).expect("username"),
        owner,
        full_name: FullName::try_from("Racer").expect("name"),
        avatar: AvatarChange::Keep,
        expected,
        write_id: uuid::Uuid::new_v4().to_string(),
        updated_at: "2026-11-30T12:00:00Z".into(),
    }
}

fn store(stack: &TestStack) -> Arc<DynamoProfiles> {
    Arc::new(DynamoProfiles::new(
        stack.sdk_config(),
        TABLE,
        Some(&stack.dynamodb.url()),
    ))
}

async fn race(store: &Arc<DynamoProfiles>, writes: Vec<ProfileWrite>) -> Vec<WriteOutcome> {
    let tasks: Vec<_> = writes
        .into_iter()
        .map(|w| {
            let store = Arc::clone(store);
            tokio::spawn(async move { store.write(&w).await.expect("store answers") })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("task"));
    }
    outcomes
}

#[tokio::test]
async fn two_accounts_racing_for_one_username_make_exactly_one_owner() {
    let stack = TestStack::start().await;
    let store = store(&stack);
    for round in 0..20 {
        let name = format!("race-{round}");
        for (i, expected) in [Expected::Any, Expected::Absent].into_iter().enumerate() {
            let name = format!("{name}-{i}");
            // Fresh accounts each time: an account owns at most one profile.
            let first = 100 + round * 4 + i as u32 * 2;
            let (a, b) = (account(first), account(first + 1));
            let outcomes = race(
                &store,
                vec![write(a, &name, expected), write(b, &name, expected)],
            )
            .await;
            let winners: Vec<AccountId> = outcomes
                .iter()
                .filter_map(|o| match o {
                    WriteOutcome::Written {
                        profile,
                        created: true,
                        ..
                    } => Some(profile.owner),
                    _ => None,
                })
                .collect();
            assert_eq!(winners.len(), 1, "{name}: {outcomes:?}");
            let taken = outcomes
                .iter()
                .filter(|o| **o == WriteOutcome::Conflict(Conflict::UsernameTaken))
                .count();
            assert_eq!(taken, 1, "{name}: {outcomes:?}");
            let stored = store
                .get(&Username::try_from(name.as_str()).unwrap())
                .await
                .unwrap()
                .expect("stored");
            assert_eq!(stored.owner, winners[0], "{name}");
            assert_eq!(stored.version, 1, "{name}");
        }
    }
    // Each account ended up owning one profile per round it won, never a half-written one:
    // every owner record points at a profile that the same account owns.
    for item in stack.items().await {
        let pk = item["pk"].as_s().unwrap();
        if let Some(sub) = pk.strip_prefix("OWNER#") {
            let username = item["username"].as_s().unwrap();
            let profile = stack
                .item(username)
                .await
                .expect("the owned profile exists");
            assert_eq!(profile["owner"].as_s().unwrap(), sub);
        }
    }
}

#[tokio::test]
async fn one_account_racing_to_create_two_usernames_gets_one_profile() {
    for round in 0..20 {
        let stack = TestStack::start().await;
        let store = store(&stack);
        let me = account(7);
        let outcomes = race(
            &store,
            vec![
                write(me, &format!("first-{round}"), Expected::Any),
                write(me, &format!("second-{round}"), Expected::Absent),
            ],
        )
        .await;
        let created = outcomes
            .iter()
            .filter(|o| matches!(o, WriteOutcome::Written { created: true, .. }))
            .count();
        assert_eq!(created, 1, "{outcomes:?}");
        assert!(
            outcomes
                .iter()
                .any(|o| matches!(o, WriteOutcome::Conflict(Conflict::AlreadyOwns(_)))),
            "{outcomes:?}"
        );
        let items = stack.items().await;
        assert_eq!(
            items.len(),
            2,
            "one profile and its owner record: {items:?}"
        );
        let owned = store.get_owned(&me).await.unwrap().expect("owned");
        assert_eq!(owned.owner, me);
    }
}

#[tokio::test]
async fn an_sdk_retry_of_a_create_is_not_a_conflict() {
    let stack = TestStack::start().await;
    let store = store(&stack);
    for expected in [Expected::Absent, Expected::Any] {
        let name = if expected == Expected::Absent {
            "retry-a"
        } else {
            "retry-b"
        };
        let owner = account(if expected == Expected::Absent { 3 } else { 4 });
        let first = write(owner, name, expected);
        // The same request again, as the SDK resends it after a lost response.
        let outcomes = [
            store.write(&first).await.unwrap(),
            store.write(&first).await.unwrap(),
        ];
        for outcome in &outcomes {
            match outcome {
                WriteOutcome::Written { profile, .. } => {
                    assert_eq!(profile.version, 1, "{name}");
                    assert_eq!(profile.owner, owner);
                }
                other => panic!("{name}: a retry is not a conflict: {other:?}"),
            }
        }
    }
    assert_eq!(
        stack.items().await.len(),
        4,
        "two profiles, two owner records"
    );
}

#[tokio::test]
async fn only_the_owner_updates_and_the_version_rules_still_hold() {
    let stack = TestStack::start().await;
    let store = store(&stack);
    let (ada, bob) = (account(10), account(11));
    assert!(matches!(
        store
            .write(&write(ada, "ada", Expected::Absent))
            .await
            .unwrap(),
        WriteOutcome::Written { created: true, .. }
    ));
    let before = stack.items().await;
    for expected in [
        Expected::Any,
        Expected::Absent,
        Expected::Version(1),
        Expected::Version(2),
    ] {
        assert_eq!(
            store.write(&write(bob, "ada", expected)).await.unwrap(),
            WriteOutcome::Conflict(Conflict::UsernameTaken),
            "{expected:?}"
        );
    }
    assert_eq!(stack.items().await, before, "ada's items unchanged");
    assert!(store.get_owned(&bob).await.unwrap().is_none());

    // The owner: version rules as before.
    assert_eq!(
        store
            .write(&write(ada, "ada", Expected::Version(5)))
            .await
            .unwrap(),
        WriteOutcome::Conflict(Conflict::Version)
    );
    match store
        .write(&write(ada, "ada", Expected::Version(1)))
        .await
        .unwrap()
    {
        WriteOutcome::Written {
            profile,
            created: false,
            ..
        } => assert_eq!(profile.version, 2),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        store
            .write(&write(ada, "nobody", Expected::Version(1)))
            .await
            .unwrap(),
        WriteOutcome::Conflict(Conflict::Version),
        "an update of a profile that does not exist creates nothing"
    );
    assert!(stack.item("nobody").await.is_none());
}
