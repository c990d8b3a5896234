//! The profiles table's layout: one table, partition key `pk` (a string), four kinds of
//! item told apart by the key's prefix. This module is the only place a prefix is spelled;
//! the adapters, the local stack and the tests build keys through it.
//!
//! | key                                   | item                                                   |
//! |---------------------------------------|--------------------------------------------------------|
//! | `PROFILE#{username}`                  | a profile: `username owner fullName avatarKey avatarVariantFormat? avatarCrop? replacedAvatarKey? version updatedAt writeId` |
//! | `OWNER#{sub}`                         | the one username an account owns: `username writeId`    |
//! | `PURGE#{sub}`                         | a deleted profile's avatar objects until they are gone: `username objects` |
//! | `LIMIT#{sub}#{action}#{window start}` | one account's count of one action in one hour: `used expiresAt` |

use avatar_domain::limits::Counter;
use avatar_domain::values::{AccountId, Username};

/// The table's partition key (template.yaml `KeySchema`).
pub const PARTITION_KEY: &str = "pk";
/// The table's TTL attribute (template.yaml `TimeToLiveSpecification`): DynamoDB drops
/// spent counters.
pub const EXPIRES_AT: &str = "expiresAt";

const PROFILE: &str = "PROFILE#";
const OWNER: &str = "OWNER#";
const PURGE: &str = "PURGE#";
const LIMIT: &str = "LIMIT#";

/// Every prefix, as an IAM `dynamodb:LeadingKeys` pattern names it (`PROFILE#*`).
pub fn leading_keys_pattern(kind: ItemKind) -> String {
    format!("{}*", kind.prefix())
}

/// The kinds of item, by key prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Profile,
    Owner,
    Purge,
    Limit,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [Self::Profile, Self::Owner, Self::Purge, Self::Limit];

    pub fn prefix(self) -> &'static str {
        match self {
            Self::Profile => PROFILE,
            Self::Owner => OWNER,
            Self::Purge => PURGE,
            Self::Limit => LIMIT,
        }
    }

    /// The kind a stored key is of.
    pub fn of(key: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| key.starts_with(kind.prefix()))
    }
}

/// `PROFILE#{username}`: the profile and its owner.
pub fn profile_key(username: &Username) -> String {
    format!("{PROFILE}{username}")
}

/// `OWNER#{sub}`: the one username an account owns.
pub fn owner_key(owner: &AccountId) -> String {
    format!("{OWNER}{owner}")
}

/// `PURGE#{sub}`: the avatar objects of a deleted profile, until they are deleted.
pub fn purge_key(owner: &AccountId) -> String {
    format!("{PURGE}{owner}")
}

/// `LIMIT#{sub}#{action}#{window start}`: a new window is a new item.
pub fn counter_key(counter: &Counter) -> String {
    format!(
        "{LIMIT}{}#{}#{}",
        counter.account,
        counter.action.as_str(),
        counter.window_start
    )
}

/// The account an `OWNER#` key names.
pub fn owner_of(key: &str) -> Option<&str> {
    key.strip_prefix(OWNER)
}

/// Attribute names of the profile items.
pub mod attribute {
    pub const USERNAME: &str = "username";
    pub const OWNER: &str = "owner";
    pub const FULL_NAME: &str = "fullName";
    pub const AVATAR_KEY: &str = "avatarKey";
    /// How the avatar's variants are encoded, beside `avatarKey`: their URLs follow from
    /// the two, with no listing of the bucket.
    pub const AVATAR_VARIANT_FORMAT: &str = "avatarVariantFormat";
    /// The square of the upright original the variants show (`x`, `y`, `size`, numbers),
    /// absent for the centred one: with the original, what rendering them again needs.
    pub const AVATAR_CROP: &str = "avatarCrop";
    /// What the write that last changed `avatarKey` replaced; empty when it replaced
    /// nothing.
    pub const REPLACED_AVATAR: &str = "replacedAvatarKey";
    pub const VERSION: &str = "version";
    pub const UPDATED_AT: &str = "updatedAt";
    pub const WRITE_ID: &str = "writeId";
    /// A purge record's list of avatar keys.
    pub const OBJECTS: &str = "objects";
    /// A counter's count.
    pub const USED: &str = "used";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_of_one_kind() {
        let account = AccountId::try_from("0f8fad5b-d9cb-469f-a165-70867728950e").unwrap();
        let username = Username::try_from("ada").unwrap();
        for (key, kind) in [
            (profile_key(&username), ItemKind::Profile),
            (owner_key(&account), ItemKind::Owner),
            (purge_key(&account), ItemKind::Purge),
        ] {
            assert_eq!(ItemKind::of(&key), Some(kind), "{key}");
        }
        assert_eq!(profile_key(&username), "PROFILE#ada");
        assert_eq!(
            owner_of(&owner_key(&account)),
            Some(account.to_string().as_str())
        );
        assert_eq!(leading_keys_pattern(ItemKind::Limit), "LIMIT#*");
        assert_eq!(ItemKind::of("OTHER#x"), None);
    }
}
