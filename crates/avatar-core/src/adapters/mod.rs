//! The ports on AWS: each adapter owns its SDK client and its bucket or table name.

mod dynamodb;
mod rate_limits;
mod s3;
mod sdk_error;

pub use dynamodb::DynamoProfiles;
pub use rate_limits::{DynamoRateLimiter, EXPIRES_AT};
pub use s3::S3Objects;
