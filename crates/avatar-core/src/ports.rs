//! The two things the app stores, as small traits: adapters implement them on AWS,
//! tests may implement them in memory.

use async_trait::async_trait;
use bytes::Bytes;

use crate::domain::{AvatarKey, ContentType, FullName, UploadKey, Username};
use crate::error::BoxError;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Unreachable, throttled or 5xx after the SDK's retries: worth retrying later.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] BoxError),
    /// Anything else (access denied, a missing table): a misconfiguration.
    #[error("store failed: {0}")]
    Failed(#[source] BoxError),
}

/// What reading an upload found.
#[derive(Debug)]
pub enum Fetched {
    Found(Bytes),
    Missing,
    /// Larger than the caller's limit; the body was not read.
    TooLarge(u64),
}

#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Reads the whole object, refusing to read more than `max_bytes`.
    async fn get_upload(&self, key: &UploadKey, max_bytes: u64) -> Result<Fetched, StoreError>;
    async fn put_avatar(
        &self,
        key: &AvatarKey,
        body: Bytes,
        content_type: ContentType,
    ) -> Result<(), StoreError>;
    async fn delete_upload(&self, key: &UploadKey) -> Result<(), StoreError>;
    async fn delete_avatar(&self, key: &AvatarKey) -> Result<(), StoreError>;
}

/// A stored profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub username: Username,
    pub full_name: FullName,
    pub avatar_key: Option<AvatarKey>,
    pub version: u64,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// `expectedVersion`, like HTTP `If-Match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// Absent: upsert.
    Any,
    /// `0`: create only.
    Absent,
    /// `n`: only if the stored version is `n`.
    Version(u64),
}

/// One atomic profile write.
#[derive(Debug, Clone)]
pub struct ProfileWrite {
    pub username: Username,
    pub full_name: FullName,
    /// `None` keeps the stored avatar.
    pub avatar_key: Option<AvatarKey>,
    pub expected: Expected,
    /// Identifies this request's write, so a retried write that already landed is recognised.
    pub write_id: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Written {
        profile: Profile,
        created: bool,
        /// The avatar this write replaced, now unreferenced.
        replaced_avatar: Option<AvatarKey>,
    },
    Conflict,
}

#[async_trait]
pub trait ProfileStore: Send + Sync {
    async fn get(&self, username: &Username) -> Result<Option<Profile>, StoreError>;
    async fn write(&self, write: &ProfileWrite) -> Result<WriteOutcome, StoreError>;
}
