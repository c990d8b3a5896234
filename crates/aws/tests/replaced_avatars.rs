//! Each avatar change records what it replaced in the profile item, so a write whose
//! answer was lost still knows which object to delete: a recognised SDK retry names it,
//! and so does the consistent read that settles a lost answer. On the embedded DynamoDB.

use avatar_aws::adapters::DynamoProfiles;
use avatar_domain::ports::{ProfileStore, ProfileWrite, WriteOutcome};
use avatar_domain::values::{
    AccountId, AvatarChange, AvatarKey, ContentType, Expected, FullName, Username,
};
use test_support::{TABLE, TestStack};

fn ada() -> AccountId {
    AccountId::try_from(test_support::events::FIXTURE_SUB).unwrap()
}

fn username() -> Username {
    Username::try_from("replacing").unwrap()
}

fn write(avatar: AvatarChange<AvatarKey>, expected: Expected) -> ProfileWrite {
    ProfileWrite {
        username: username(),
        owner: ada(),
        full_name: FullName::try_from("Ada").unwrap(),
        avatar,
        expected,
        write_id: uuid::Uuid::new_v4().to_string(),
        updated_at: "2026-11-30T12:00:00Z".into(),
    }
}

fn replaced(outcome: WriteOutcome) -> Option<AvatarKey> {
    match outcome {
        WriteOutcome::Written {
            replaced_avatar, ..
        } => replaced_avatar,
        WriteOutcome::Conflict(c) => panic!("conflict {c:?}"),
    }
}

#[tokio::test]
async fn a_retried_write_and_the_settling_read_name_what_the_write_replaced() {
    let stack = TestStack::start().await;
    let store = DynamoProfiles::new(stack.sdk_config(), TABLE, Some(&stack.dynamodb.url()));
    let a = AvatarKey::new(&username(), ContentType::Png);
    let b = AvatarKey::new(&username(), ContentType::Png);

    let create = write(AvatarChange::Replace(a.clone()), Expected::Absent);
    assert_eq!(replaced(store.write(&create).await.unwrap()), None);
    let stored = store.get_stored(&username()).await.unwrap().unwrap();
    assert_eq!(stored.replaced_avatar, None, "a create replaced nothing");

    // (change, the avatar it replaces)
    let cases = [
        (AvatarChange::Replace(b.clone()), Some(a.clone())),
        (AvatarChange::Keep, None),
        (AvatarChange::Remove, Some(b.clone())),
        (AvatarChange::Replace(a.clone()), None),
    ];
    for (version, (change, expected)) in (2..).zip(cases) {
        let w = write(change.clone(), Expected::Version(version - 1));
        assert_eq!(
            replaced(store.write(&w).await.unwrap()),
            expected,
            "{change:?}"
        );
        // The same write again, as an SDK retry after a lost answer: not applied twice,
        // and it names the same replaced avatar.
        let again = store.write(&w).await.unwrap();
        let WriteOutcome::Written { ref profile, .. } = again else {
            panic!("{again:?}")
        };
        assert_eq!(profile.version, version, "applied once");
        let recorded = match change {
            AvatarChange::Keep => None,
            _ => expected.clone(),
        };
        assert_eq!(replaced(again), recorded, "retry of {change:?}");
        if !matches!(change, AvatarChange::Keep) {
            let stored = store.get_stored(&username()).await.unwrap().unwrap();
            assert_eq!(stored.replaced_avatar, expected, "read after {change:?}");
        }
    }
}
