//! Profiles in one DynamoDB table (docs/design.md §3): `PROFILE#{username}` items carry
//! the profile and its owner, `OWNER#{sub}` items the one username an account owns. A
//! create writes both in one transaction conditioned on neither existing; an update is
//! one `UpdateItem` conditioned on the owner (and the version). No read comes first.

mod item;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Get, Put, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactGetItem, TransactWriteItem,
};

use self::item::{Item, owner_pk, profile_pk, purge_pk};
use super::sdk_error::classify;
use crate::schema::{PARTITION_KEY, attribute};
use avatar_domain::ports::{
    Claims, Conflict, DeleteStart, ProfileStore, ProfileWrite, StoreError, Stored, WriteOutcome,
};
use avatar_domain::values::{AccountId, AvatarChange, Expected, Profile, Username};

/// Attempts at a create that another transaction on the same items interrupted.
const TRANSACTION_ATTEMPTS: u32 = 3;

pub struct DynamoProfiles {
    client: Client,
    table: String,
}

/// What the update attempt found when its condition failed.
enum UpdateMiss {
    /// No profile under that username: a create may follow.
    Absent,
    Decided(WriteOutcome),
}

impl DynamoProfiles {
    /// `endpoint` is `AWS_ENDPOINT_URL_DYNAMODB` when set (the local DynamoDB).
    pub fn new(config: &SdkConfig, table: impl Into<String>, endpoint: Option<&str>) -> Self {
        Self {
            client: super::dynamodb_client(config, endpoint),
            table: table.into(),
        }
    }

    async fn get_item(&self, pk: AttributeValue) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, pk)
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(output.item)
    }

    /// The caller's own profile, changed in place.
    async fn update(
        &self,
        write: &ProfileWrite,
    ) -> Result<Result<WriteOutcome, UpdateMiss>, StoreError> {
        let mut set = vec![
            "fullName = :fullName",
            "updatedAt = :updatedAt",
            "writeId = :writeId",
        ];
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, profile_pk(&write.username))
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", AttributeValue::S(write.owner.to_string()))
            .expression_attribute_values(
                ":fullName",
                AttributeValue::S(write.full_name.as_str().into()),
            )
            .expression_attribute_values(":updatedAt", AttributeValue::S(write.updated_at.clone()))
            .expression_attribute_values(":writeId", AttributeValue::S(write.write_id.clone()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let mut remove: Vec<&str> = Vec::new();
        // The avatar a change replaces is recorded with it (read before it is
        // overwritten: listed first, and DynamoDB reads every operand before the update),
        // so a save whose answer is lost can still delete it.
        let record_replaced = "replacedAvatarKey = if_not_exists(avatarKey, :noAvatar)";
        match &write.avatar {
            AvatarChange::Keep => {}
            AvatarChange::Remove => {
                set.push(record_replaced);
                remove.extend(["avatarKey", "avatarVariantFormat", "avatarCrop"]);
            }
            AvatarChange::Replace(avatar) => {
                set.push(record_replaced);
                set.push("avatarKey = :avatarKey");
                request = request.expression_attribute_values(
                    ":avatarKey",
                    AttributeValue::S(avatar.to_string()),
                );
                match avatar.variants() {
                    Some(format) => {
                        set.push("avatarVariantFormat = :variantFormat");
                        request = request.expression_attribute_values(
                            ":variantFormat",
                            AttributeValue::S(format.extension().into()),
                        );
                    }
                    None => remove.push("avatarVariantFormat"),
                }
                match avatar.crop() {
                    Some(crop) => {
                        set.push("avatarCrop = :crop");
                        request =
                            request.expression_attribute_values(":crop", item::crop_value(crop));
                    }
                    None => remove.push("avatarCrop"),
                }
            }
        }
        let remove = if remove.is_empty() {
            String::new()
        } else {
            format!(" REMOVE {}", remove.join(", "))
        };
        if !matches!(write.avatar, AvatarChange::Keep) {
            request =
                request.expression_attribute_values(":noAvatar", AttributeValue::S(String::new()));
        }
        // The writeId guard makes an SDK retry of a write that already landed fail its
        // condition instead of adding a second version; it is then recognised below.
        let mut condition = String::from(
            "attribute_exists(pk) AND #owner = :owner \
             AND (attribute_not_exists(writeId) OR writeId <> :writeId)",
        );
        if let Expected::Version(n) = write.expected {
            condition.push_str(" AND version = :expected");
            request =
                request.expression_attribute_values(":expected", AttributeValue::N(n.to_string()));
        }
        let result = request
            .update_expression(format!("SET {} ADD version :one{remove}", set.join(", ")))
            .condition_expression(condition)
            .send()
            .await;
        match result {
            Ok(output) => {
                let old = output.attributes.unwrap_or_default();
                let old_version = old.get("version").map(item::number).transpose()?;
                let old_avatar = item::avatar(&old)?;
                let (avatar_key, replaced_avatar) = match &write.avatar {
                    AvatarChange::Keep => (old_avatar, None),
                    AvatarChange::Remove => (None, old_avatar),
                    AvatarChange::Replace(new) => {
                        (Some(new.clone()), old_avatar.filter(|old| old != new))
                    }
                };
                Ok(Ok(WriteOutcome::Written {
                    profile: Profile {
                        username: write.username.clone(),
                        owner: write.owner,
                        full_name: write.full_name.clone(),
                        avatar_key,
                        version: old_version.unwrap_or(0) + 1,
                        updated_at: write.updated_at.clone(),
                    },
                    created: false,
                    replaced_avatar,
                }))
            }
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    match failed.item() {
                        // dynoxide returns the key of a missing item; DynamoDB nothing.
                        None => Ok(Err(UpdateMiss::Absent)),
                        Some(current) if !current.contains_key("version") => {
                            Ok(Err(UpdateMiss::Absent))
                        }
                        Some(current) => {
                            Ok(Err(UpdateMiss::Decided(judge_existing(current, write)?)))
                        }
                    }
                }
                _ => Err(classify(err)),
            },
        }
    }

    /// A new profile and its owner record, both or neither.
    async fn create(&self, write: &ProfileWrite) -> Result<WriteOutcome, StoreError> {
        let mut profile: Item = [
            (PARTITION_KEY, profile_pk(&write.username)),
            ("username", AttributeValue::S(write.username.to_string())),
            ("owner", AttributeValue::S(write.owner.to_string())),
            (
                "fullName",
                AttributeValue::S(write.full_name.as_str().into()),
            ),
            ("version", AttributeValue::N("1".into())),
            ("updatedAt", AttributeValue::S(write.updated_at.clone())),
            ("writeId", AttributeValue::S(write.write_id.clone())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let AvatarChange::Replace(avatar) = &write.avatar {
            profile.insert("avatarKey".into(), AttributeValue::S(avatar.to_string()));
            if let Some(format) = avatar.variants() {
                profile.insert(
                    item::AVATAR_VARIANT_FORMAT.into(),
                    AttributeValue::S(format.extension().into()),
                );
            }
            if let Some(crop) = avatar.crop() {
                profile.insert(item::AVATAR_CROP.into(), item::crop_value(crop));
            }
        }
        let owner: Item = [
            (PARTITION_KEY, owner_pk(&write.owner)),
            ("username", AttributeValue::S(write.username.to_string())),
            ("writeId", AttributeValue::S(write.write_id.clone())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let put = |item: Item| -> Result<TransactWriteItem, StoreError> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .map_err(|e| StoreError::Failed(Box::new(e)))?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let items = vec![put(profile)?, put(owner)?];

        let mut attempt = 1;
        loop {
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                // Makes an SDK retry of a landed transaction succeed instead of failing
                // its conditions (for ten minutes, in DynamoDB).
                .client_request_token(&write.write_id)
                .send()
                .await;
            let err = match result {
                Ok(_) => {
                    return Ok(WriteOutcome::Written {
                        profile: Profile {
                            username: write.username.clone(),
                            owner: write.owner,
                            full_name: write.full_name.clone(),
                            avatar_key: match &write.avatar {
                                AvatarChange::Replace(avatar) => Some(avatar.clone()),
                                AvatarChange::Keep | AvatarChange::Remove => None,
                            },
                            version: 1,
                            updated_at: write.updated_at.clone(),
                        },
                        created: true,
                        replaced_avatar: None,
                    });
                }
                Err(err) => err,
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
                err.as_service_error()
            else {
                return Err(classify(err));
            };
            let reasons = cancelled.cancellation_reasons();
            let failed = |i: usize| {
                reasons
                    .get(i)
                    .filter(|r| r.code() == Some("ConditionalCheckFailed"))
            };
            if let Some(existing) = failed(0).and_then(|r| r.item()) {
                return judge_existing(existing, write);
            }
            if let Some(owned) = failed(1).and_then(|r| r.item()) {
                return Ok(WriteOutcome::Conflict(Conflict::AlreadyOwns(
                    item::username(owned)?,
                )));
            }
            if attempt >= TRANSACTION_ATTEMPTS {
                return Err(StoreError::Unavailable(
                    format!("the create kept colliding with other transactions: {cancelled}")
                        .into(),
                ));
            }
            attempt += 1;
        }
    }
}

impl DynamoProfiles {
    /// One attempt: delete the profile read at `version` and its owner record, and record
    /// its objects. `Ok(false)` when a concurrent write changed it meanwhile.
    async fn delete_once(&self, profile: &Profile) -> Result<bool, StoreError> {
        let to_store = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Failed(Box::new(e));
        let delete_profile = Delete::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, profile_pk(&profile.username))
            .condition_expression("#owner = :owner AND version = :version")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", AttributeValue::S(profile.owner.to_string()))
            .expression_attribute_values(":version", AttributeValue::N(profile.version.to_string()))
            .build()
            .map_err(to_store)?;
        let delete_owner = Delete::builder()
            .table_name(&self.table)
            .key(PARTITION_KEY, owner_pk(&profile.owner))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(to_store)?;
        let objects = profile
            .avatar_key
            .iter()
            .map(|k| AttributeValue::S(k.to_string()))
            .collect();
        let purge = Put::builder()
            .table_name(&self.table)
            .item(PARTITION_KEY, purge_pk(&profile.owner))
            .item("username", AttributeValue::S(profile.username.to_string()))
            .item("objects", AttributeValue::L(objects))
            .build()
            .map_err(to_store)?;
        let result = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().delete(delete_profile).build())
            .transact_items(TransactWriteItem::builder().delete(delete_owner).build())
            .transact_items(TransactWriteItem::builder().put(purge).build())
            // An SDK retry of a landed delete succeeds instead of failing its conditions.
            .client_request_token(uuid::Uuid::new_v4().to_string())
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) => match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(_)) => Ok(false),
                _ => Err(classify(err)),
            },
        }
    }
}

/// A write met an existing profile: our own landed retry, another account's username,
/// or a version that moved.
fn judge_existing(existing: &Item, write: &ProfileWrite) -> Result<WriteOutcome, StoreError> {
    if item::write_id(existing) == Some(write.write_id.as_str()) {
        let profile = item::profile(existing)?;
        // Our write is the item's last: what it recorded as replaced is ours to delete.
        let replaced_avatar = match write.avatar {
            AvatarChange::Keep => None,
            AvatarChange::Replace(_) | AvatarChange::Remove => item::replaced_avatar(existing)?,
        };
        return Ok(WriteOutcome::Written {
            created: profile.version == 1,
            profile,
            replaced_avatar,
        });
    }
    if item::owner(existing)? != write.owner {
        return Ok(WriteOutcome::Conflict(Conflict::UsernameTaken));
    }
    Ok(WriteOutcome::Conflict(Conflict::Version))
}

#[async_trait]
impl ProfileStore for DynamoProfiles {
    async fn get(&self, username: &Username) -> Result<Option<Profile>, StoreError> {
        self.get_item(profile_pk(username))
            .await?
            .as_ref()
            .map(item::profile)
            .transpose()
    }

    async fn get_stored(&self, username: &Username) -> Result<Option<Stored>, StoreError> {
        let Some(item) = self.get_item(profile_pk(username)).await? else {
            return Ok(None);
        };
        Ok(Some(Stored {
            profile: item::profile(&item)?,
            replaced_avatar: item::replaced_avatar(&item)?,
        }))
    }

    async fn get_owned(&self, owner: &AccountId) -> Result<Option<Profile>, StoreError> {
        let Some(record) = self.get_item(owner_pk(owner)).await? else {
            return Ok(None);
        };
        let username = item::username(&record)?;
        // Both items are written and deleted together; a profile owned by someone else
        // would be a broken invariant, never shown.
        Ok(self.get(&username).await?.filter(|p| p.owner == *owner))
    }

    /// Both items in one `TransactGetItems`: a single strongly consistent read, authorised
    /// per item as `dynamodb:GetItem`.
    async fn claims(&self, username: &Username, owner: &AccountId) -> Result<Claims, StoreError> {
        let get = |pk| {
            Get::builder()
                .table_name(&self.table)
                .key(PARTITION_KEY, pk)
                .build()
                .map(|get| TransactGetItem::builder().get(get).build())
                .map_err(|e| StoreError::Failed(Box::new(e)))
        };
        let output = self
            .client
            .transact_get_items()
            .transact_items(get(profile_pk(username))?)
            .transact_items(get(owner_pk(owner))?)
            .send()
            .await
            .map_err(classify)?;
        let responses = output.responses.unwrap_or_default();
        let item = |at: usize| responses.get(at).and_then(|r| r.item.as_ref());
        let profile =
            match item(0) {
                Some(found) => Some((
                    item::owner(found)?,
                    item::number(found.get(attribute::VERSION).ok_or_else(|| {
                        StoreError::Failed("stored profile has no version".into())
                    })?)?,
                )),
                None => None,
            };
        Ok(Claims {
            profile,
            owned: item(1).map(item::username).transpose()?,
        })
    }

    async fn begin_delete(&self, owner: &AccountId) -> Result<DeleteStart, StoreError> {
        for _ in 0..TRANSACTION_ATTEMPTS {
            if let Some(purge) = self.get_item(purge_pk(owner)).await? {
                return Ok(DeleteStart::Purge(item::purge_objects(&purge)?));
            }
            let Some(profile) = self.get_owned(owner).await? else {
                return Ok(DeleteStart::NotFound);
            };
            if self.delete_once(&profile).await? {
                return Ok(DeleteStart::Purge(profile.avatar_key.into_iter().collect()));
            }
        }
        Err(StoreError::Unavailable(
            "the profile kept changing while it was being deleted".into(),
        ))
    }

    async fn finish_delete(&self, owner: &AccountId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(PARTITION_KEY, purge_pk(owner))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn write(&self, write: &ProfileWrite) -> Result<WriteOutcome, StoreError> {
        match write.expected {
            Expected::Absent => self.create(write).await,
            Expected::Version(_) => match self.update(write).await? {
                Ok(written) => Ok(written),
                Err(UpdateMiss::Absent) => Ok(WriteOutcome::Conflict(Conflict::Version)),
                Err(UpdateMiss::Decided(outcome)) => Ok(outcome),
            },
            Expected::Any => {
                for _ in 0..TRANSACTION_ATTEMPTS {
                    match self.update(write).await? {
                        Ok(written) => return Ok(written),
                        Err(UpdateMiss::Decided(outcome)) => return Ok(outcome),
                        Err(UpdateMiss::Absent) => match self.create(write).await? {
                            // The caller's own concurrent save created it first: update it.
                            WriteOutcome::Conflict(Conflict::Version) => continue,
                            outcome => return Ok(outcome),
                        },
                    }
                }
                Ok(WriteOutcome::Conflict(Conflict::Version))
            }
        }
    }
}
