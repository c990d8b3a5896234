//! A signed browser upload form, and what it pins about the upload. Signing it is a port
//! ([`crate::ports::FormSigner`]); on AWS it is an S3 POST policy.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::error::StoreError;
use crate::values::ContentType;

/// What the uploader wants as the storage's answer to a stored upload: a document naming
/// the stored object, an empty success, or no content (the storage's default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadAnswer {
    Empty,
    Document,
    NoContent,
}

/// What the form pins about the upload itself (the rest is credentials and time).
#[derive(Debug, Clone, Copy)]
pub struct UploadTerms<'a> {
    pub key: &'a str,
    pub content_type: ContentType,
    pub max_bytes: u64,
    pub answer: Option<UploadAnswer>,
    /// Base64 SHA-256 of the file; the storage refuses a body with another digest.
    pub checksum_sha256: Option<&'a str>,
}

/// A signed form: the browser posts `fields` in order, then the file, to `url`.
#[derive(Debug, Clone)]
pub struct PresignedPost {
    pub url: Arc<str>,
    pub fields: Vec<(&'static str, String)>,
    pub expires_at: OffsetDateTime,
}

impl PresignedPost {
    /// The value of the field `name`, if the form has one.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Name/value pairs in form order, for building the multipart body.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        self.fields.iter().map(|(n, v)| (*n, v.as_str())).collect()
    }
}

/// Signs upload forms with the function's own credentials.
#[async_trait]
pub trait FormSigner: Send + Sync {
    /// A form for exactly `terms`, valid for `ttl` from `now` (or less, when the signing
    /// credentials end sooner: then, if too short to be usable, `StoreError::Unavailable`).
    async fn sign(
        &self,
        terms: &UploadTerms<'_>,
        ttl: Duration,
        now: SystemTime,
    ) -> Result<PresignedPost, StoreError>;
}
