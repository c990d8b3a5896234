use super::{AccountId, AvatarKey, FullName, Username};

/// A stored profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub username: Username,
    /// The account that created it; the only one that may change it. Never shown.
    pub owner: AccountId,
    pub full_name: FullName,
    pub avatar_key: Option<AvatarKey>,
    pub version: u64,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// What a save does to the avatar: `avatarKey` absent keeps it, `null` removes it, a key
/// replaces it with that upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvatarChange<K> {
    Keep,
    Remove,
    Replace(K),
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
