//! `move-originals`: the one-off move of avatars published before originals were kept
//! apart. Such an avatar's cleaned upload sits beside its variants under `avatars/`, where
//! the edge serves it byte for byte, with whatever no decoder reads inside its image data.
//! For each profile the move copies the original under `originals/` (which nothing
//! serves), renders WebP variants for an avatar that has none recorded, points the profile
//! at the moved original with one conditional write, and only then deletes the served copy.
//! A profile that changed meanwhile is left to the save that changed it, and what the move
//! wrote for it is deleted. Running it again finishes an interrupted run and moves nothing
//! twice (docs/deploy.md, "Moving originals").
//!
//! Variants already recorded (JPEG or PNG) are kept, not rendered again: the square the
//! user chose was never stored, and rendering the centred one would change their picture.

use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::AttributeValue;
use bytes::Bytes;

use avatar_domain::ports::{ObjectStore, StoreError};
use avatar_domain::render::render_variants;
use avatar_domain::values::{AvatarKey, VARIANT_SIZES, VariantFormat};

use crate::adapters::S3Objects;
use crate::adapters::sdk_error::classify;
use crate::schema::{ItemKind, PARTITION_KEY, attribute};

/// Larger than any upload the template accepts (`MaxUploadBytes` ≤ 25 MiB).
const MAX_ORIGINAL_BYTES: u64 = 32 * 1024 * 1024;

/// What happened to one profile's avatar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// The original now lies under `originals/`; `rendered` when its WebP variants were
    /// made from it (it had none recorded).
    Moved { to: String, rendered: bool },
    /// Its original already lay under `originals/` (any served copy left by an
    /// interrupted run is deleted).
    AlreadyApart,
    /// The profile changed while it was moved (a new picture, removed, deleted): nothing
    /// of the move is left.
    ChangedMeanwhile,
    /// `--dry-run`: what a run would do.
    WouldMove { render: bool },
}

/// Why one profile's avatar could not be moved; the profile is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("its avatarKey {0:?} is not a key this app writes")]
    ForeignKey(String),
    #[error("its original {0} is not in the bucket")]
    OriginalMissing(String),
    #[error("its original {key} is {bytes} bytes, more than any upload")]
    OriginalTooLarge { key: String, bytes: u64 },
    #[error("its original could not be rendered: {0}")]
    Unrenderable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the conditional write found.
enum Pointed {
    /// The profile now names the moved original.
    Now,
    /// It already did.
    Already,
    /// It names another avatar, or none, or is gone.
    Changed,
}

/// A profile that has an avatar, as the scan finds it.
#[derive(Debug, Clone)]
pub struct Found {
    pub username: String,
    pub avatar: Result<AvatarKey, String>,
}

/// The bucket and table of one stack, with the caller's credentials.
pub struct Mover {
    objects: S3Objects,
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
}

impl Mover {
    pub fn new(
        config: &SdkConfig,
        bucket: impl Into<String>,
        table: impl Into<String>,
        s3_endpoint: Option<&str>,
        dynamodb_endpoint: Option<&str>,
    ) -> Self {
        Self {
            objects: S3Objects::new(config, bucket, s3_endpoint),
            dynamodb: crate::adapters::dynamodb_client(config, dynamodb_endpoint),
            table: table.into(),
        }
    }

    /// Every profile with an avatar (a paginated scan of the profile items' three
    /// attributes; the table holds one item per profile and per account).
    pub async fn profiles_with_avatars(&self) -> Result<Vec<Found>, StoreError> {
        let mut found = Vec::new();
        let mut pages = self
            .dynamodb
            .scan()
            .table_name(&self.table)
            .consistent_read(true)
            .filter_expression("begins_with(#pk, :profile) AND attribute_exists(#key)")
            .projection_expression("#user, #key, #format")
            .expression_attribute_names("#pk", PARTITION_KEY)
            .expression_attribute_names("#user", attribute::USERNAME)
            .expression_attribute_names("#key", attribute::AVATAR_KEY)
            .expression_attribute_names("#format", attribute::AVATAR_VARIANT_FORMAT)
            .expression_attribute_values(
                ":profile",
                AttributeValue::S(ItemKind::Profile.prefix().into()),
            )
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for item in page.map_err(classify)?.items.unwrap_or_default() {
                let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
                let (Some(username), Some(key)) =
                    (text(attribute::USERNAME), text(attribute::AVATAR_KEY))
                else {
                    continue;
                };
                let format = text(attribute::AVATAR_VARIANT_FORMAT);
                let avatar = AvatarKey::parse_stored_with(&key, format.as_deref()).ok_or(key);
                found.push(Found { username, avatar });
            }
        }
        found.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(found)
    }

    /// Moves one profile's avatar (see the module's comment for the order of the steps).
    pub async fn move_one(
        &self,
        username: &str,
        avatar: &AvatarKey,
        dry_run: bool,
    ) -> Result<Moved, MoveError> {
        let [apart, served] = avatar.original_keys();
        let render = avatar.variants().is_none();
        if !avatar.original_is_served() {
            if !dry_run {
                self.delete(&served).await?;
            }
            return Ok(Moved::AlreadyApart);
        }
        if dry_run {
            return Ok(Moved::WouldMove { render });
        }
        let content_type = avatar
            .content_type()
            .ok_or_else(|| MoveError::ForeignKey(avatar.to_string()))?;
        let original = self.read(&served).await?;
        let moved = avatar.moved();
        let mut wrote = vec![apart.clone()];
        let published = async {
            self.objects
                .put_avatar(&moved, original.clone(), content_type)
                .await?;
            if render {
                let variants = render_variants(&original, content_type, avatar.crop())
                    .map_err(|e| MoveError::Unrenderable(e.to_string()))?;
                wrote.extend(
                    VARIANT_SIZES
                        .iter()
                        .map(|&size| moved.variant_key(size, variants.format)),
                );
                self.objects.put_variants(&moved, &variants).await?;
                Ok::<_, MoveError>(Some(variants.format))
            } else {
                Ok(None)
            }
        }
        .await;
        let written = match published {
            Ok(format) => self.point_at(username, avatar, &moved, format).await,
            Err(e) => Err(e),
        };
        match written {
            Ok(Pointed::Now) => {
                self.delete(&served).await?;
                Ok(Moved::Moved {
                    to: apart,
                    rendered: render,
                })
            }
            // A run beside this one moved it first; the objects are the same.
            Ok(Pointed::Already) => {
                self.delete(&served).await?;
                Ok(Moved::AlreadyApart)
            }
            Ok(Pointed::Changed) => {
                self.delete_all(&wrote).await?;
                Ok(Moved::ChangedMeanwhile)
            }
            Err(e) => {
                // The profile still names the served original: what was copied goes.
                let _ = self.delete_all(&wrote).await;
                Err(e)
            }
        }
    }

    /// Points the profile at the moved original if it still names the served one (and,
    /// when variants were rendered, still records none).
    async fn point_at(
        &self,
        username: &str,
        from: &AvatarKey,
        to: &AvatarKey,
        rendered: Option<VariantFormat>,
    ) -> Result<Pointed, MoveError> {
        let pk = format!("{}{username}", ItemKind::Profile.prefix());
        let mut update = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, AttributeValue::S(pk))
            .expression_attribute_names("#key", attribute::AVATAR_KEY)
            .expression_attribute_values(":from", AttributeValue::S(from.to_string()))
            .expression_attribute_values(":to", AttributeValue::S(to.to_string()))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            );
        update = match rendered {
            Some(format) => update
                .condition_expression("#key = :from AND attribute_not_exists(#format)")
                .update_expression("SET #key = :to, #format = :format")
                .expression_attribute_names("#format", attribute::AVATAR_VARIANT_FORMAT)
                .expression_attribute_values(
                    ":format",
                    AttributeValue::S(format.extension().into()),
                ),
            None => update
                .condition_expression("#key = :from")
                .update_expression("SET #key = :to"),
        };
        match update.send().await {
            Ok(_) => Ok(Pointed::Now),
            Err(err) => match err.as_service_error() {
                Some(
                    aws_sdk_dynamodb::operation::update_item::UpdateItemError::ConditionalCheckFailedException(
                        failed,
                    ),
                ) => {
                    let now = failed
                        .item()
                        .and_then(|item| item.get(attribute::AVATAR_KEY))
                        .and_then(|v| v.as_s().ok());
                    Ok(if now == Some(&to.to_string()) {
                        Pointed::Already
                    } else {
                        Pointed::Changed
                    })
                }
                _ => Err(classify(err).into()),
            },
        }
    }

    async fn read(&self, key: &str) -> Result<Bytes, MoveError> {
        let (s3, bucket) = self.objects.client();
        let output = match s3.get_object().bucket(bucket).key(key).send().await {
            Ok(output) => output,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Err(MoveError::OriginalMissing(key.to_string()));
            }
            Err(err) => return Err(classify(err).into()),
        };
        let bytes = output.content_length().unwrap_or(0).max(0) as u64;
        if bytes > MAX_ORIGINAL_BYTES {
            return Err(MoveError::OriginalTooLarge {
                key: key.to_string(),
                bytes,
            });
        }
        let body = output
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Unavailable(format!("reading {key}: {e}").into()))?;
        Ok(body.into_bytes())
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.objects.delete(key).await
    }

    async fn delete_all(&self, keys: &[String]) -> Result<(), StoreError> {
        for key in keys {
            self.delete(key).await?;
        }
        Ok(())
    }
}
