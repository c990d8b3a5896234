use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use avatar_domain::ports::StoreError;

/// The default chain's credentials, resolved once and re-resolved only when they are
/// about to expire (Lambda's role credentials are temporary).
pub struct CredentialSource {
    provider: SharedCredentialsProvider,
    cached: RwLock<Option<Credentials>>,
    refresh: tokio::sync::Mutex<()>,
}

impl CredentialSource {
    pub fn new(provider: SharedCredentialsProvider) -> Self {
        Self {
            provider,
            cached: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    pub fn from_static(credentials: Credentials) -> Self {
        Self::new(SharedCredentialsProvider::new(credentials))
    }

    /// Credentials valid for at least `min_validity` after `now`.
    pub async fn current(
        &self,
        now: SystemTime,
        min_validity: Duration,
    ) -> Result<Credentials, StoreError> {
        if let Some(creds) = self.cached_if_valid(now, min_validity) {
            return Ok(creds);
        }
        // One refresh at a time; others wait and then reuse its result.
        let _guard = self.refresh.lock().await;
        if let Some(creds) = self.cached_if_valid(now, min_validity) {
            return Ok(creds);
        }
        let creds = self
            .provider
            .provide_credentials()
            .await
            .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        let mut slot = self.cached.write().unwrap_or_else(|p| p.into_inner());
        *slot = Some(creds.clone());
        Ok(creds)
    }

    fn cached_if_valid(&self, now: SystemTime, min_validity: Duration) -> Option<Credentials> {
        let slot = self.cached.read().unwrap_or_else(|p| p.into_inner());
        slot.as_ref()
            .filter(|c| c.expiry().is_none_or(|exp| exp > now + min_validity))
            .cloned()
    }
}
