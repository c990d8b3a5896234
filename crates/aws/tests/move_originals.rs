//! `move-originals` on the embedded S3 and DynamoDB: avatars published before originals
//! were kept apart move under `originals/`, the ones without variants get WebP variants,
//! nothing served is an original afterwards, a second run changes nothing, and a profile
//! that changes during the move keeps the change with nothing of the move left behind.

use aws_sdk_dynamodb::types::AttributeValue::{self, N, S};

use avatar_aws::adapters::DynamoProfiles;
use avatar_aws::maintenance::{MoveError, Moved, Mover};
use avatar_domain::ports::ProfileStore;
use avatar_domain::values::{AvatarKey, Username, VARIANT_SIZES};
use avatar_http::ProfileView;
use test_support::{BUCKET, TABLE, TestStack, images};

const ADA: &str = "3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c";
const BOB: &str = "5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const CY: &str = "6b2e3d4c-5f60-4b7c-9d8e-0f1a2b3c4d5e";
const DEE: &str = "7c3f4e5d-6071-4c8d-8e9f-1a2b3c4d5e6f";

fn mover(stack: &TestStack) -> Mover {
    Mover::new(
        stack.sdk_config(),
        BUCKET,
        TABLE,
        Some(&stack.s3.url()),
        Some(&stack.dynamodb.url()),
    )
}

async fn seed_profile(stack: &TestStack, name: &str, avatar: Option<&str>, format: Option<&str>) {
    let mut put = stack
        .dynamo_client()
        .put_item()
        .table_name(TABLE)
        .item("pk", S(format!("PROFILE#{name}")))
        .item("username", S(name.into()))
        .item(
            "owner",
            S(format!("0f8fad5b-d9cb-469f-a165-70867728950{}", name.len())),
        )
        .item("fullName", S(name.to_uppercase()))
        .item("version", N("3".into()))
        .item("updatedAt", S("2026-11-26T12:00:00Z".into()))
        .item("writeId", S("w".into()));
    if let Some(avatar) = avatar {
        put = put.item("avatarKey", S(avatar.into()));
    }
    if let Some(format) = format {
        put = put.item("avatarVariantFormat", S(format.into()));
    }
    put.send().await.expect("seed profile");
}

/// A profile as save-profile published it before: the original beside its variants.
async fn seed_published_before(
    stack: &TestStack,
    name: &str,
    id: &str,
    original: (&str, Vec<u8>, &str),
    variants: Option<&str>,
) {
    let (ext, bytes, mime) = original;
    stack
        .put(&format!("avatars/{name}/{id}.{ext}"), bytes, mime)
        .await;
    if let Some(format) = variants {
        for size in VARIANT_SIZES {
            stack
                .put(
                    &format!("avatars/{name}/{id}-{size}.{format}"),
                    images::png(size, size),
                    "image/png",
                )
                .await;
        }
    }
    seed_profile(
        stack,
        name,
        Some(&format!("avatars/{name}/{id}.{ext}")),
        variants,
    )
    .await;
}

fn text(item: &std::collections::HashMap<String, AttributeValue>, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

/// Every key shaped like an original (`{prefix}/{user}/{uuid}.{ext}`, no size suffix).
fn originals(keys: &[String]) -> Vec<String> {
    keys.iter()
        .filter(|k| {
            let file = k.rsplit('/').next().unwrap_or_default();
            let stem = file.split('.').next().unwrap_or_default();
            uuid::Uuid::try_parse(stem).is_ok()
        })
        .cloned()
        .collect()
}

async fn run(mover: &Mover, dry_run: bool) -> Vec<(String, Result<Moved, String>)> {
    let mut outcomes = Vec::new();
    for found in mover.profiles_with_avatars().await.expect("scan") {
        let outcome = match &found.avatar {
            Ok(avatar) => mover
                .move_one(&found.username, avatar, dry_run)
                .await
                .map_err(|e| e.to_string()),
            Err(key) => Err(format!("foreign {key}")),
        };
        outcomes.push((found.username, outcome));
    }
    outcomes
}

#[tokio::test]
async fn moves_every_original_out_of_reach_and_renders_what_has_no_variants() {
    let stack = TestStack::start().await;
    let ada_jpeg = images::jpeg_with_metadata(40, 30);
    let bob_png = images::png(48, 24);
    // ada: JPEG original with JPEG variants; bob: PNG original from before variants;
    // cy: published since (already apart); dee: no avatar; eve: a key this app never wrote.
    seed_published_before(
        &stack,
        "ada",
        ADA,
        ("jpg", ada_jpeg.clone(), "image/jpeg"),
        Some("jpg"),
    )
    .await;
    seed_published_before(
        &stack,
        "bob",
        BOB,
        ("png", bob_png.clone(), "image/png"),
        None,
    )
    .await;
    stack
        .put(
            &format!("originals/cyd/{CY}.png"),
            images::png(8, 8),
            "image/png",
        )
        .await;
    seed_profile(
        &stack,
        "cyd",
        Some(&format!("originals/cyd/{CY}.png")),
        Some("webp"),
    )
    .await;
    seed_profile(&stack, "dee", None, None).await;
    seed_profile(
        &stack,
        "eve",
        Some("avatars/eve/not-a-uuid.png"),
        Some("webp"),
    )
    .await;
    let before = stack.contents().await;
    let mover = mover(&stack);

    // A dry run says what would happen and changes nothing.
    let planned = run(&mover, true).await;
    assert_eq!(
        planned,
        vec![
            ("ada".into(), Ok(Moved::WouldMove { render: false })),
            ("bob".into(), Ok(Moved::WouldMove { render: true })),
            ("cyd".into(), Ok(Moved::AlreadyApart)),
            (
                "eve".into(),
                Err("foreign avatars/eve/not-a-uuid.png".into())
            ),
        ]
    );
    assert_eq!(stack.contents().await, before, "a dry run changes nothing");

    let done = run(&mover, false).await;
    assert_eq!(
        done[..3],
        [
            (
                "ada".into(),
                Ok(Moved::Moved {
                    to: format!("originals/ada/{ADA}.jpg"),
                    rendered: false
                })
            ),
            (
                "bob".into(),
                Ok(Moved::Moved {
                    to: format!("originals/bob/{BOB}.png"),
                    rendered: true
                })
            ),
            ("cyd".into(), Ok(Moved::AlreadyApart)),
        ]
    );
    let keys = stack.keys().await;
    assert_eq!(
        originals(&keys),
        vec![
            format!("originals/ada/{ADA}.jpg"),
            format!("originals/bob/{BOB}.png"),
            format!("originals/cyd/{CY}.png"),
        ],
        "no original left where the edge serves: {keys:?}"
    );
    // Moved byte for byte: it is what a later render starts from.
    assert_eq!(
        stack
            .get(&format!("originals/ada/{ADA}.jpg"))
            .await
            .unwrap()
            .0,
        ada_jpeg
    );
    assert_eq!(
        stack
            .get(&format!("originals/bob/{BOB}.png"))
            .await
            .unwrap()
            .0,
        bob_png
    );
    // ada keeps her JPEG variants (her chosen square was never stored); bob gets WebP ones.
    for size in VARIANT_SIZES {
        assert!(keys.contains(&format!("avatars/ada/{ADA}-{size}.jpg")));
        let (bytes, mime, _) = stack
            .get(&format!("avatars/bob/{BOB}-{size}.webp"))
            .await
            .expect("bob's variant");
        assert_eq!(mime.as_deref(), Some("image/webp"));
        assert_eq!(images::decode(&bytes, "image/webp"), (size, size));
    }
    let ada = stack.item("ada").await.unwrap();
    assert_eq!(
        text(&ada, "avatarKey"),
        Some(format!("originals/ada/{ADA}.jpg"))
    );
    assert_eq!(text(&ada, "avatarVariantFormat").as_deref(), Some("jpg"));
    assert_eq!(
        ada["version"],
        N("3".into()),
        "the profile's own version is kept"
    );
    let bob = stack.item("bob").await.unwrap();
    assert_eq!(text(&bob, "avatarVariantFormat").as_deref(), Some("webp"));
    let eve = stack.item("eve").await.unwrap();
    assert_eq!(
        text(&eve, "avatarKey").as_deref(),
        Some("avatars/eve/not-a-uuid.png")
    );

    // What the API shows now: the largest variant, for each.
    let store = DynamoProfiles::new(stack.sdk_config(), TABLE, Some(&stack.dynamodb.url()));
    for (name, url) in [
        ("ada", format!("/avatars/ada/{ADA}-512.jpg")),
        ("bob", format!("/avatars/bob/{BOB}-512.webp")),
    ] {
        let profile = store
            .get(&Username::try_from(name).unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(ProfileView::from(&profile).avatar_url, url);
    }

    // A second run finds everything apart and changes nothing.
    let after = stack.contents().await;
    let again = run(&mover, false).await;
    assert!(
        again[..3]
            .iter()
            .all(|(_, outcome)| outcome == &Ok(Moved::AlreadyApart)),
        "{again:?}"
    );
    assert_eq!(stack.contents().await, after);
}

#[tokio::test]
async fn a_run_interrupted_after_the_write_deletes_the_served_copy_next_time() {
    let stack = TestStack::start().await;
    // The profile already names the moved original, but the served copy is still there.
    let jpeg = images::jpeg_with_metadata(16, 16);
    stack
        .put(
            &format!("originals/ada/{ADA}.jpg"),
            jpeg.clone(),
            "image/jpeg",
        )
        .await;
    stack
        .put(&format!("avatars/ada/{ADA}.jpg"), jpeg, "image/jpeg")
        .await;
    seed_profile(
        &stack,
        "ada",
        Some(&format!("originals/ada/{ADA}.jpg")),
        Some("jpg"),
    )
    .await;
    assert_eq!(
        run(&mover(&stack), false).await,
        vec![("ada".into(), Ok(Moved::AlreadyApart))]
    );
    assert_eq!(stack.keys().await, vec![format!("originals/ada/{ADA}.jpg")]);
}

#[tokio::test]
async fn a_profile_that_changes_during_the_move_keeps_the_change_and_nothing_of_the_move() {
    let stack = TestStack::start().await;
    let mover = mover(&stack);
    for (name, id, change) in [
        ("ada", ADA, "replaced"),
        ("bob", BOB, "removed"),
        ("cyd", CY, "deleted"),
    ] {
        seed_published_before(
            &stack,
            name,
            id,
            ("png", images::png(20, 20), "image/png"),
            None,
        )
        .await;
        // Found by the scan, then changed by its owner before the move's write.
        let found = mover.profiles_with_avatars().await.unwrap();
        let stale = found
            .iter()
            .find(|f| f.username == name)
            .and_then(|f| f.avatar.clone().ok())
            .expect("found");
        let table = stack.dynamo_client();
        let pk = S(format!("PROFILE#{name}"));
        match change {
            "replaced" => {
                table
                    .update_item()
                    .table_name(TABLE)
                    .key("pk", pk)
                    .update_expression("SET avatarKey = :k, avatarVariantFormat = :f")
                    .expression_attribute_values(":k", S(format!("originals/{name}/{DEE}.png")))
                    .expression_attribute_values(":f", S("webp".into()))
                    .send()
                    .await
                    .unwrap();
            }
            "removed" => {
                table
                    .update_item()
                    .table_name(TABLE)
                    .key("pk", pk)
                    .update_expression("REMOVE avatarKey")
                    .send()
                    .await
                    .unwrap();
            }
            _ => {
                table
                    .delete_item()
                    .table_name(TABLE)
                    .key("pk", pk)
                    .send()
                    .await
                    .unwrap();
            }
        }
        let item_before = stack.item(name).await;
        assert_eq!(
            mover.move_one(name, &stale, false).await.unwrap(),
            Moved::ChangedMeanwhile,
            "{name}: {change}"
        );
        assert_eq!(
            stack.item(name).await,
            item_before,
            "{name}: the change stands"
        );
        let keys = stack.keys().await;
        assert!(
            !keys.iter().any(|k| {
                let moved = k.starts_with(&format!("originals/{name}/"));
                let rendered = k.starts_with(&format!("avatars/{name}/")) && k.ends_with(".webp");
                moved || rendered
            }),
            "{name}: nothing the move wrote is left: {keys:?}"
        );
        // What the change replaced is its own clean-up's (every key an avatar may have).
        let stale_keys = AvatarKey::parse_stored(stale.as_str())
            .unwrap()
            .object_keys();
        assert!(stale_keys.contains(&format!("avatars/{name}/{id}.png")));
        assert!(stale_keys.contains(&format!("originals/{name}/{id}.png")));
    }
}

#[tokio::test]
async fn a_missing_original_is_reported_and_the_profile_left_as_it_is() {
    let stack = TestStack::start().await;
    seed_profile(
        &stack,
        "ada",
        Some(&format!("avatars/ada/{ADA}.png")),
        Some("png"),
    )
    .await;
    let before = stack.contents().await;
    let mover = mover(&stack);
    let found = mover.profiles_with_avatars().await.unwrap();
    let avatar = found[0].avatar.clone().unwrap();
    let err = mover.move_one("ada", &avatar, false).await.unwrap_err();
    assert!(
        matches!(err, MoveError::OriginalMissing(ref k) if k == &format!("avatars/ada/{ADA}.png")),
        "{err}"
    );
    assert_eq!(stack.contents().await, before);
}
