use std::collections::HashMap;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::sdk_error::classify;
use crate::domain::{AvatarKey, Expected, FullName, Profile, Username};
use crate::ports::{ProfileStore, ProfileWrite, StoreError, WriteOutcome};

type Item = HashMap<String, AttributeValue>;

pub struct DynamoProfiles {
    client: Client,
    table: String,
}

impl DynamoProfiles {
    /// `endpoint` is `AWS_ENDPOINT_URL_DYNAMODB` when set (the local DynamoDB).
    pub fn new(config: &SdkConfig, table: impl Into<String>, endpoint: Option<&str>) -> Self {
        let mut conf = aws_sdk_dynamodb::config::Builder::from(config);
        if let Some(endpoint) = endpoint {
            conf = conf.endpoint_url(endpoint);
        }
        Self {
            client: Client::from_conf(conf.build()),
            table: table.into(),
        }
    }
}

#[async_trait]
impl ProfileStore for DynamoProfiles {
    async fn get(&self, username: &Username) -> Result<Option<Profile>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("username", AttributeValue::S(username.to_string()))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        output.item.as_ref().map(profile_from_item).transpose()
    }

    async fn write(&self, write: &ProfileWrite) -> Result<WriteOutcome, StoreError> {
        let mut set = vec![
            "fullName = :fullName",
            "updatedAt = :updatedAt",
            "writeId = :writeId",
        ];
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("username", AttributeValue::S(write.username.to_string()))
            .expression_attribute_values(
                ":fullName",
                AttributeValue::S(write.full_name.as_str().into()),
            )
            .expression_attribute_values(":updatedAt", AttributeValue::S(write.updated_at.clone()))
            .expression_attribute_values(":writeId", AttributeValue::S(write.write_id.clone()))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let Some(avatar) = &write.avatar_key {
            set.push("avatarKey = :avatarKey");
            request = request
                .expression_attribute_values(":avatarKey", AttributeValue::S(avatar.to_string()));
        }
        // The writeId guard makes an SDK retry of a write that already landed fail its
        // condition instead of adding a second version; it is then recognised below.
        let mut condition = String::from("(attribute_not_exists(writeId) OR writeId <> :writeId)");
        match write.expected {
            Expected::Any => {}
            Expected::Absent => condition.push_str(" AND attribute_not_exists(username)"),
            Expected::Version(n) => {
                condition.push_str(" AND version = :expected");
                request = request
                    .expression_attribute_values(":expected", AttributeValue::N(n.to_string()));
            }
        }
        let result = request
            .update_expression(format!("SET {} ADD version :one", set.join(", ")))
            .condition_expression(condition)
            .send()
            .await;

        match result {
            Ok(output) => {
                let old = output.attributes.unwrap_or_default();
                // DynamoDB returns nothing for a new item, dynoxide the key: judge by `version`.
                let old_version = old.get("version").map(number).transpose()?;
                let old_avatar = old
                    .get("avatarKey")
                    .and_then(|v| v.as_s().ok())
                    .and_then(|s| AvatarKey::parse_stored(s));
                let avatar_key = write.avatar_key.clone().or_else(|| old_avatar.clone());
                let replaced_avatar = old_avatar
                    .filter(|old| write.avatar_key.as_ref().is_some_and(|new| new != old));
                Ok(WriteOutcome::Written {
                    profile: Profile {
                        username: write.username.clone(),
                        full_name: write.full_name.clone(),
                        avatar_key,
                        version: old_version.unwrap_or(0) + 1,
                        updated_at: write.updated_at.clone(),
                    },
                    created: old_version.is_none(),
                    replaced_avatar,
                })
            }
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    let current = failed.item();
                    let ours = current
                        .and_then(|item| item.get("writeId"))
                        .and_then(|v| v.as_s().ok())
                        .is_some_and(|id| *id == write.write_id);
                    match current {
                        Some(item) if ours => {
                            let profile = profile_from_item(item)?;
                            Ok(WriteOutcome::Written {
                                created: profile.version == 1,
                                profile,
                                // Unknown after a retry: the old object stays (see "Unreferenced avatars" in docs/deploy.md).
                                replaced_avatar: None,
                            })
                        }
                        _ => Ok(WriteOutcome::Conflict),
                    }
                }
                _ => Err(classify(err)),
            },
        }
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Failed(format!("stored profile has an invalid {what}").into())
}

fn number(value: &AttributeValue) -> Result<u64, StoreError> {
    value
        .as_n()
        .ok()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| corrupt("version"))
}

fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| corrupt(name))
}

fn profile_from_item(item: &Item) -> Result<Profile, StoreError> {
    Ok(Profile {
        username: Username::try_from(string(item, "username")?).map_err(|_| corrupt("username"))?,
        full_name: FullName::try_from(string(item, "fullName")?)
            .map_err(|_| corrupt("fullName"))?,
        avatar_key: match item.get("avatarKey") {
            None => None,
            Some(v) => Some(
                v.as_s()
                    .ok()
                    .and_then(|s| AvatarKey::parse_stored(s))
                    .ok_or_else(|| corrupt("avatarKey"))?,
            ),
        },
        version: number(item.get("version").ok_or_else(|| corrupt("version"))?)?,
        updated_at: string(item, "updatedAt")?.to_string(),
    })
}
