//! Per-account counters in the profiles table: one item per account, action and hour
//! (`crate::schema::counter_key`), counted by one conditional `UpdateItem`, so
//! racing requests cannot together pass the limit. `expiresAt` is the table's TTL
//! attribute: DynamoDB deletes spent counters (within a few days; a new window never
//! reads an old one, so the delay does not matter).

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;

use avatar_domain::limits::{Counter, RateLimiter, Taken};
use avatar_domain::ports::StoreError;

use super::sdk_error::classify;
use crate::schema::{self, EXPIRES_AT, PARTITION_KEY};

pub struct DynamoRateLimiter {
    client: Client,
    table: String,
}

impl DynamoRateLimiter {
    /// `endpoint` is `AWS_ENDPOINT_URL_DYNAMODB` when set (the local DynamoDB).
    pub fn new(config: &SdkConfig, table: impl Into<String>, endpoint: Option<&str>) -> Self {
        Self {
            client: super::dynamodb_client(config, endpoint),
            table: table.into(),
        }
    }
}

#[async_trait]
impl RateLimiter for DynamoRateLimiter {
    async fn take(
        &self,
        counter: &Counter,
        limit: u32,
        expires_at: u64,
    ) -> Result<Taken, StoreError> {
        // An SDK retry of an update that landed behind a lost answer counts twice: the
        // error is on the caller's side of the limit, never past it.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(
                PARTITION_KEY,
                AttributeValue::S(schema::counter_key(counter)),
            )
            .update_expression("ADD used :one SET #expiresAt = :expiresAt")
            .condition_expression("attribute_not_exists(used) OR used < :limit")
            .expression_attribute_names("#expiresAt", EXPIRES_AT)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .expression_attribute_values(":expiresAt", AttributeValue::N(expires_at.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Taken::Allowed),
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(Taken::Exhausted),
                _ => Err(classify(err)),
            },
        }
    }
}
