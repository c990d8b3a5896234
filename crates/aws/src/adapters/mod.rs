//! The ports on AWS: each adapter owns its SDK client and its bucket or table name.

mod cognito;
mod dynamodb;
pub mod iam_actions;
mod rate_limits;
mod s3;
pub(crate) mod sdk_error;

pub use cognito::CognitoAccounts;
pub use dynamodb::DynamoProfiles;
pub use rate_limits::DynamoRateLimiter;
pub use s3::S3Objects;

/// One DynamoDB client per table adapter, pointed at `AWS_ENDPOINT_URL_DYNAMODB` when set
/// (the local DynamoDB).
pub(crate) fn dynamodb_client(
    config: &aws_config::SdkConfig,
    endpoint: Option<&str>,
) -> aws_sdk_dynamodb::Client {
    let mut conf = aws_sdk_dynamodb::config::Builder::from(config);
    if let Some(endpoint) = endpoint {
        conf = conf.endpoint_url(endpoint);
    }
    aws_sdk_dynamodb::Client::from_conf(conf.build())
}
