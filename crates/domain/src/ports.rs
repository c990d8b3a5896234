//! The two things the app stores, as small traits; `adapters` implements them on AWS.

use async_trait::async_trait;
use bytes::Bytes;

pub use crate::error::StoreError;
use crate::render::Variants;
use crate::values::{
    Account, AccountId, AvatarChange, AvatarKey, ContentType, Expected, FullName, Profile,
    UploadKey, Username,
};

/// What reading an upload found.
#[derive(Debug)]
pub enum Fetched {
    /// The bytes, and the SHA-256 S3 verified and stored with them (base64), if any.
    Found {
        bytes: Bytes,
        checksum_sha256: Option<String>,
    },
    Missing,
    /// Larger than the caller's limit; the body was not read.
    TooLarge(u64),
}

#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Reads the whole object with the checksum stored with it, refusing to read more than
    /// `max_bytes`.
    async fn get_upload(&self, key: &UploadKey, max_bytes: u64) -> Result<Fetched, StoreError>;
    async fn put_avatar(
        &self,
        key: &AvatarKey,
        body: Bytes,
        content_type: ContentType,
    ) -> Result<(), StoreError>;
    /// Writes the square variants beside the original `key` names, with the original's
    /// cache headers.
    async fn put_variants(&self, key: &AvatarKey, variants: &Variants) -> Result<(), StoreError>;
    async fn delete_upload(&self, key: &UploadKey) -> Result<(), StoreError>;
    /// Deletes every object of the avatar — the original and its variants in every format
    /// ([`AvatarKey::object_keys`]) — in one request. Every avatar deletion goes through
    /// here, so none leaves a variant behind; objects already gone are not an error.
    async fn delete_avatar(&self, key: &AvatarKey) -> Result<(), StoreError>;
}

/// One atomic profile write.
#[derive(Debug, Clone)]
pub struct ProfileWrite {
    pub username: Username,
    /// The signed-in caller: creates are owned by it, updates need it to be the owner.
    pub owner: AccountId,
    pub full_name: FullName,
    /// Keep the stored avatar, remove it, or set a published one.
    pub avatar: AvatarChange<AvatarKey>,
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
    /// Nothing was written.
    Conflict(Conflict),
}

/// Why a write did not land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The expected version did not hold (or the caller's own profile appeared meanwhile).
    Version,
    /// The username belongs to another account.
    UsernameTaken,
    /// The caller already owns a profile, under this username.
    AlreadyOwns(Username),
}

/// A stored profile and the avatar that the write which set its current avatar (or
/// removed it) replaced: recorded with that write, so a save whose answer was lost can
/// still delete what it replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub profile: Profile,
    pub replaced_avatar: Option<AvatarKey>,
}

/// Who holds a username and which username an account holds, read together and
/// consistently: what a save checks before it reads, decodes or writes any object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// The profile of that username: its owner and version.
    pub profile: Option<(AccountId, u64)>,
    /// The one username the account owns.
    pub owned: Option<Username>,
}

/// Where deleting an account's profile stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteStart {
    /// The account has no profile and nothing left to clean up.
    NotFound,
    /// The profile and its owner record are gone (now or by an earlier attempt); these
    /// objects were its avatar's and are to be deleted, then `finish_delete`.
    Purge(Vec<AvatarKey>),
}

/// Profiles, keyed by username and owned by one account each. Every implementation keeps
/// these rules; the service and its clean-up of avatar objects rely on them.
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// A strongly consistent read: a write that returned is visible.
    async fn get(&self, username: &Username) -> Result<Option<Profile>, StoreError>;

    /// `get`, with the replaced avatar recorded beside the profile. A store that records
    /// none answers `None` for it: the old object then stays, never deleted on a guess.
    async fn get_stored(&self, username: &Username) -> Result<Option<Stored>, StoreError> {
        Ok(self.get(username).await?.map(|profile| Stored {
            profile,
            replaced_avatar: None,
        }))
    }

    /// The one profile `owner` owns, read consistently.
    async fn get_owned(&self, owner: &AccountId) -> Result<Option<Profile>, StoreError>;

    /// Who holds `username` and which username `owner` holds. An early answer only: the
    /// write's conditions stay the guard, so a stale answer costs work, never ownership.
    /// A store that can read both at once overrides this two-read default.
    async fn claims(&self, username: &Username, owner: &AccountId) -> Result<Claims, StoreError> {
        let profile = self.get(username).await?;
        let owned = self.get_owned(owner).await?;
        Ok(Claims {
            profile: profile.map(|p| (p.owner, p.version)),
            owned: owned.map(|p| p.username),
        })
    }

    /// One atomic write of `write`'s fields, or nothing at all — ownership and uniqueness
    /// are conditions of that write, never a read before it:
    /// - **Ownership.** A create makes `write.owner` the owner; an account owns at most
    ///   one profile (`Conflict::AlreadyOwns`) and a username has one owner
    ///   (`Conflict::UsernameTaken`). Only the owner updates a profile.
    /// - **Expected version.** `Expected::Any` creates or updates; `Absent` only creates;
    ///   `Version(n)` only updates a profile whose stored version is `n`. A failed
    ///   precondition is `Ok(WriteOutcome::Conflict(_))` with nothing changed.
    /// - **Versions** start at 1 and go up by exactly one per landed write.
    /// - **Write-id retries.** A write whose `write_id` is already stored (a retry of a
    ///   write that landed behind a lost response) is not applied again; it answers
    ///   `Written` with the stored profile, as the first attempt would have.
    /// - **`created`** is true only when this write made the profile (no stored version
    ///   before it).
    /// - **Replaced avatar.** `AvatarChange::Keep` keeps the stored avatar. When a new
    ///   avatar replaces a different stored one, or `Remove` removes it, `replaced_avatar`
    ///   names the old key, which no profile references any more; the caller deletes it. It is `None` when unknown (a
    ///   recognised retry), so an object is never deleted on a guess.
    async fn write(&self, write: &ProfileWrite) -> Result<WriteOutcome, StoreError>;

    /// Deletes `owner`'s profile and owner record in one atomic step that also records the
    /// avatar objects left to delete, so the username is free at once and a retry after a
    /// failed clean-up finds the same objects again. Conditioned on the version read, so a
    /// concurrent save is never half-deleted (it either lands before and its avatar is
    /// listed, or after, on a fresh profile).
    async fn begin_delete(&self, owner: &AccountId) -> Result<DeleteStart, StoreError>;

    /// Forgets the objects of a finished delete.
    async fn finish_delete(&self, owner: &AccountId) -> Result<(), StoreError>;
}

/// What deleting an account in the user pool found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountGone {
    /// This call deleted it.
    Deleted,
    /// It was already gone (an earlier attempt deleted it, its answer lost).
    AlreadyGone,
}

/// The user pool that signs accounts in.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Deletes `account` from the pool, so it can no longer sign in or refresh its tokens,
    /// and its name is free for a new sign-up. An account already gone is not an error.
    async fn delete(&self, account: &Account) -> Result<AccountGone, StoreError>;
}
