use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::Client;

use super::sdk_error::classify;
use avatar_domain::ports::{AccountGone, Accounts, StoreError};
use avatar_domain::values::Account;

/// The Cognito user pool: deletes a user by the name its tokens carry.
pub struct CognitoAccounts {
    client: Client,
    user_pool_id: String,
}

impl CognitoAccounts {
    /// `endpoint` is `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` (locally, the
    /// development provider that plays the pool).
    pub fn new(
        config: &SdkConfig,
        user_pool_id: impl Into<String>,
        endpoint: Option<&str>,
    ) -> Self {
        let mut conf = aws_sdk_cognitoidentityprovider::config::Builder::from(config);
        if let Some(endpoint) = endpoint {
            conf = conf.endpoint_url(endpoint);
        }
        Self {
            client: Client::from_conf(conf.build()),
            user_pool_id: user_pool_id.into(),
        }
    }
}

#[async_trait]
impl Accounts for CognitoAccounts {
    async fn delete(&self, account: &Account) -> Result<AccountGone, StoreError> {
        let deleted = self
            .client
            .admin_delete_user()
            .user_pool_id(&self.user_pool_id)
            .username(account.name.as_str())
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(AccountGone::Deleted),
            // A retry whose first attempt deleted the user but lost the answer.
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_user_not_found_exception()) =>
            {
                Ok(AccountGone::AlreadyGone)
            }
            Err(err) => Err(classify(err)),
        }
    }
}
