use std::time::{Duration, SystemTime};

use crate::api::SignUploadRequest;
use crate::domain::{AccountId, UploadKey};
use crate::error::ApiError;
use crate::limits::AccountLimit;
use crate::signer::{CredentialSource, PostSigner, PresignedPost, UploadTerms};

/// Signs browser uploads into `incoming/` under a key the server chooses.
pub struct UploadSigner {
    signer: PostSigner,
    credentials: CredentialSource,
    max_bytes: u64,
    ttl: Duration,
    /// Signatures per account and hour; `None` (tests, benchmarks) counts nothing.
    limit: Option<AccountLimit>,
}

/// A signed upload: the key the file will have and the form that puts it there.
#[derive(Debug, Clone)]
pub struct SignedUpload {
    pub key: UploadKey,
    pub post: PresignedPost,
    /// The largest file the policy lets S3 accept.
    pub max_bytes: u64,
}

impl UploadSigner {
    pub fn new(
        signer: PostSigner,
        credentials: CredentialSource,
        max_bytes: u64,
        ttl: Duration,
    ) -> Self {
        Self {
            signer,
            credentials,
            max_bytes,
            ttl,
            limit: None,
        }
    }

    pub fn with_limit(mut self, limit: AccountLimit) -> Self {
        self.limit = Some(limit);
        self
    }

    pub async fn sign(
        &self,
        caller: &AccountId,
        request: &SignUploadRequest,
        now: SystemTime,
    ) -> Result<SignedUpload, ApiError> {
        if request.size > self.max_bytes {
            return Err(ApiError::TooLarge(format!(
                "The file is {} bytes; the limit is {} bytes.",
                request.size, self.max_bytes
            )));
        }
        // Counted after the request proved valid, before anything is signed.
        if let Some(limit) = &self.limit {
            limit.spend(caller, now).await?;
        }
        let key = UploadKey::new(*caller, request.content_type);
        let terms = UploadTerms {
            key: key.as_str(),
            content_type: key.content_type(),
            max_bytes: self.max_bytes,
            success_action_status: request.success_action_status,
            checksum_sha256: Some(request.checksum_sha256.as_str()),
        };
        let post = self
            .signer
            .presign(&self.credentials, &terms, self.ttl, now)
            .await?;
        Ok(SignedUpload {
            key,
            post,
            max_bytes: self.max_bytes,
        })
    }
}
