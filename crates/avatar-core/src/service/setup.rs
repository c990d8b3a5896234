//! Building each function's service from its environment, once at init.

use aws_config::SdkConfig;

use super::{ProfileService, UploadSigner};
use crate::adapters::{DynamoProfiles, S3Objects};
use crate::config::{ConfigError, Env};
use crate::signer::{CredentialSource, PostSigner};

impl UploadSigner {
    /// Needs `UPLOADS_BUCKET`; reads `MAX_UPLOAD_BYTES`, `UPLOAD_URL_TTL_SECS`, the region
    /// and `AWS_ENDPOINT_URL_S3`. Makes no network call: credentials resolve on first use.
    pub fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        sdk: &SdkConfig,
    ) -> Result<Self, ConfigError> {
        let region = match sdk.region() {
            Some(region) => region.to_string(),
            None => env.region()?,
        };
        let provider = sdk.credentials_provider().ok_or(ConfigError {
            name: "AWS_ACCESS_KEY_ID",
            problem: "no credentials provider is configured".into(),
        })?;
        let endpoint = env.s3_endpoint();
        Ok(Self::new(
            PostSigner::new(env.required("UPLOADS_BUCKET")?, region, endpoint.as_deref()),
            CredentialSource::new(provider),
            env.max_upload_bytes()?,
            env.upload_url_ttl()?,
        ))
    }
}

impl ProfileService {
    /// Needs `UPLOADS_BUCKET` and `PROFILES_TABLE`; reads `MAX_UPLOAD_BYTES` and the endpoints.
    pub fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        sdk: &SdkConfig,
    ) -> Result<Self, ConfigError> {
        let objects = S3Objects::new(
            sdk,
            env.required("UPLOADS_BUCKET")?,
            env.s3_endpoint().as_deref(),
        );
        let profiles = DynamoProfiles::from_env(env, sdk)?;
        Ok(Self::new(
            Box::new(objects),
            Box::new(profiles),
            env.max_upload_bytes()?,
        ))
    }
}

impl DynamoProfiles {
    /// Needs `PROFILES_TABLE`; reads `AWS_ENDPOINT_URL_DYNAMODB`.
    pub fn from_env<F: Fn(&str) -> Option<String>>(
        env: &Env<F>,
        sdk: &SdkConfig,
    ) -> Result<Self, ConfigError> {
        Ok(Self::new(
            sdk,
            env.required("PROFILES_TABLE")?,
            env.dynamodb_endpoint().as_deref(),
        ))
    }
}
