//! Building each function's service from its environment, once at init. Every `main.rs`
//! calls one of these; none names an adapter.

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::adapters::{CognitoAccounts, DynamoProfiles, DynamoRateLimiter, S3Objects, iam_actions};
use crate::config::{ConfigError, Env};
use crate::signer::{CredentialSource, PostSigner, S3FormSigner};
use avatar_domain::limits::{AccountLimit, Action};
use avatar_domain::ports::ProfileStore;
use avatar_domain::service::{AccountDeletion, ProfileDeletion, ProfileService, UploadSigner};

/// What each builder's service calls, as IAM actions: its function's role in
/// template.yaml must grant exactly these (tests/template_drift.rs).
pub const UPLOAD_SIGNER_NEEDS: &[&[&str]] =
    &[iam_actions::SIGNED_POST, iam_actions::LIMIT_COUNTERS];
pub const PROFILE_DELETION_NEEDS: &[&[&str]] =
    &[iam_actions::OBJECT_DELETES, iam_actions::PROFILE_DELETES];
pub const ACCOUNT_DELETION_NEEDS: &[&[&str]] = &[
    iam_actions::OBJECT_DELETES,
    iam_actions::PROFILE_DELETES,
    iam_actions::ACCOUNT_DELETES,
];
pub const PROFILE_SERVICE_NEEDS: &[&[&str]] = &[
    iam_actions::OBJECTS,
    iam_actions::PROFILE_WRITES,
    iam_actions::LIMIT_COUNTERS,
];
pub const PROFILE_STORE_NEEDS: &[&[&str]] = &[iam_actions::PROFILE_READS];

/// sign-upload: needs `UPLOADS_BUCKET` and `PROFILES_TABLE` (its per-account counters);
/// reads `MAX_UPLOAD_BYTES`, `UPLOAD_URL_TTL_SECS`, `UPLOADS_PER_HOUR`, the region and the
/// endpoints. Makes no network call: credentials resolve on first use.
pub fn upload_signer<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
) -> Result<UploadSigner, ConfigError> {
    let region = match sdk.region() {
        Some(region) => region.to_string(),
        None => env.region()?,
    };
    let provider = sdk.credentials_provider().ok_or(ConfigError {
        name: "AWS_ACCESS_KEY_ID",
        problem: "no credentials provider is configured".into(),
    })?;
    let endpoint = env.s3_endpoint();
    let post_signer = PostSigner::new(env.required("UPLOADS_BUCKET")?, region, endpoint.as_deref())
        .map_err(|e| ConfigError {
            name: "AWS_REGION",
            problem: format!("no S3 endpoint for it: {e}"),
        })?;
    Ok(UploadSigner::new(
        Box::new(S3FormSigner::new(
            post_signer,
            CredentialSource::new(provider),
        )),
        env.max_upload_bytes()?,
        env.upload_url_ttl()?,
    )
    .with_limit(account_limit(
        env,
        sdk,
        Action::SignUpload,
        env.uploads_per_hour()?,
    )?))
}

/// save-profile: needs `UPLOADS_BUCKET` and `PROFILES_TABLE`; reads `MAX_UPLOAD_BYTES`,
/// `PROFILE_WRITES_PER_HOUR` and the endpoints.
pub fn profile_service<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
) -> Result<ProfileService, ConfigError> {
    Ok(ProfileService::new(
        Box::new(s3_objects(env, sdk)?),
        Box::new(dynamo_profiles(env, sdk)?),
        env.max_upload_bytes()?,
    )
    .with_limit(account_limit(
        env,
        sdk,
        Action::ProfileWrite,
        env.profile_writes_per_hour()?,
    )?))
}

/// delete-profile: needs `UPLOADS_BUCKET` and `PROFILES_TABLE`; reads the endpoints.
pub fn profile_deletion<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
) -> Result<ProfileDeletion, ConfigError> {
    Ok(ProfileDeletion::new(
        Box::new(s3_objects(env, sdk)?),
        Box::new(dynamo_profiles(env, sdk)?),
    ))
}

/// delete-account: what delete-profile needs, and `USER_POOL_ID`; reads the endpoints
/// (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` too).
pub fn account_deletion<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
) -> Result<AccountDeletion, ConfigError> {
    Ok(AccountDeletion::new(
        profile_deletion(env, sdk)?,
        Box::new(CognitoAccounts::new(
            sdk,
            env.required("USER_POOL_ID")?,
            env.cognito_endpoint().as_deref(),
        )),
    ))
}

/// get-profile: needs `PROFILES_TABLE`; reads `AWS_ENDPOINT_URL_DYNAMODB`.
pub fn profile_store<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
) -> Result<impl ProfileStore + use<F>, ConfigError> {
    dynamo_profiles(env, sdk)
}

fn s3_objects<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
) -> Result<S3Objects, ConfigError> {
    Ok(S3Objects::new(
        sdk,
        env.required("UPLOADS_BUCKET")?,
        env.s3_endpoint().as_deref(),
    ))
}

fn dynamo_profiles<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
) -> Result<DynamoProfiles, ConfigError> {
    Ok(DynamoProfiles::new(
        sdk,
        env.required("PROFILES_TABLE")?,
        env.dynamodb_endpoint().as_deref(),
    ))
}

/// The counters live in the profiles table, under `LIMIT#` keys.
fn account_limit<F: Fn(&str) -> Option<String>>(
    env: &Env<F>,
    sdk: &SdkConfig,
    action: Action,
    per_hour: u32,
) -> Result<AccountLimit, ConfigError> {
    let limiter = DynamoRateLimiter::new(
        sdk,
        env.required("PROFILES_TABLE")?,
        env.dynamodb_endpoint().as_deref(),
    );
    Ok(AccountLimit::new(Arc::new(limiter), action, per_hour))
}
