use std::time::{Duration, SystemTime};

use serde::Serialize;
use time::OffsetDateTime;

use super::Caller;
use crate::api::SignUploadRequest;
use crate::domain::UploadKey;
use crate::error::ApiError;
use crate::signer::{CredentialSource, PostFields, PostSigner};

/// Signs browser uploads into `incoming/` under a key the server chooses.
pub struct UploadSigner {
    signer: PostSigner,
    credentials: CredentialSource,
    max_bytes: u64,
    ttl: Duration,
}

/// The `201` body of `POST /api/uploads`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedUpload {
    pub key: String,
    pub upload: UploadForm,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub max_bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct UploadForm {
    pub url: std::sync::Arc<str>,
    pub fields: PostFields,
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
        }
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    pub async fn sign(
        &self,
        _caller: &Caller,
        request: &SignUploadRequest,
        now: SystemTime,
    ) -> Result<SignedUpload, ApiError> {
        let key = UploadKey::new(request.content_type);
        let post = self
            .signer
            .presign(
                &self.credentials,
                &key,
                self.max_bytes,
                request.success_action_status,
                self.ttl,
                now,
            )
            .await?;
        Ok(SignedUpload {
            key: key.to_string(),
            upload: UploadForm {
                url: post.url,
                fields: post.fields,
            },
            expires_at: post.expires_at,
            max_bytes: self.max_bytes,
        })
    }
}
