use std::time::{Duration, SystemTime};

use crate::error::ServiceError;
use crate::limits::AccountLimit;
use crate::upload_form::{FormSigner, PresignedPost, UploadAnswer, UploadTerms};
use crate::values::{AccountId, ContentType, Sha256Checksum, UploadKey};

/// Signs browser uploads into `incoming/` under a key the server chooses.
pub struct UploadSigner {
    signer: Box<dyn FormSigner>,
    max_bytes: u64,
    ttl: Duration,
    /// Signatures per account and hour; `None` (tests, benchmarks) counts nothing.
    limit: Option<AccountLimit>,
}

/// `POST /api/uploads` as a command: the file the browser is about to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    pub content_type: ContentType,
    pub size: u64,
    /// The file's SHA-256; the form pins it, so the storage keeps exactly these bytes.
    pub checksum_sha256: Sha256Checksum,
    /// For uploaders that want a document (or an empty success) instead of no content.
    pub answer: Option<UploadAnswer>,
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
    pub fn new(signer: Box<dyn FormSigner>, max_bytes: u64, ttl: Duration) -> Self {
        Self {
            signer,
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
        request: &NewUpload,
        now: SystemTime,
    ) -> Result<SignedUpload, ServiceError> {
        if request.size > self.max_bytes {
            // The page shows this as it is: it learns the limit only from an answer.
            return Err(ServiceError::TooLarge(format!(
                "The file is {}, over the {} limit.",
                human_bytes(request.size),
                human_bytes(self.max_bytes)
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
            answer: request.answer,
            checksum_sha256: Some(request.checksum_sha256.as_str()),
        };
        let post = self.signer.sign(&terms, self.ttl, now).await?;
        Ok(SignedUpload {
            key,
            post,
            max_bytes: self.max_bytes,
        })
    }
}

/// Sizes as the page writes them (`formatBytes` in site/js/formats.js): 1 MB = 2^20 bytes.
fn human_bytes(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    match bytes {
        1 => "1 byte".into(),
        b if b < KB => format!("{b} bytes"),
        b if b < MB => format!("{} KB", (b + KB / 2) / KB),
        b if b % MB == 0 => format!("{} MB", b / MB),
        b => format!("{:.1} MB", b as f64 / MB as f64),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_as_the_page_writes_them() {
        for (bytes, text) in [
            (1, "1 byte"),
            (1000, "1000 bytes"),
            (1536, "2 KB"),
            (5 * 1024 * 1024, "5 MB"),
            (6 * 1024 * 1024 + 1, "6.0 MB"),
            (5_500_000, "5.2 MB"),
        ] {
            assert_eq!(super::human_bytes(bytes), text, "{bytes}");
        }
    }
}
