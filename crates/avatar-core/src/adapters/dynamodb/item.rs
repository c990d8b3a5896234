//! The table's two kinds of item (docs/design.md §3), and reading them back.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::domain::{AccountId, AvatarKey, FullName, Profile, Username};
use crate::ports::StoreError;

pub type Item = HashMap<String, AttributeValue>;

/// `PROFILE#{username}`: the profile and its owner.
pub fn profile_pk(username: &Username) -> AttributeValue {
    AttributeValue::S(format!("PROFILE#{username}"))
}

/// `PURGE#{sub}`: the avatar objects of a deleted profile, until they are deleted.
pub fn purge_pk(owner: &AccountId) -> AttributeValue {
    AttributeValue::S(format!("PURGE#{owner}"))
}

/// The objects a purge record lists.
pub fn purge_objects(item: &Item) -> Result<Vec<AvatarKey>, StoreError> {
    item.get("objects")
        .and_then(|v| v.as_l().ok())
        .ok_or_else(|| corrupt("purge list"))?
        .iter()
        .map(|v| {
            v.as_s()
                .ok()
                .and_then(|s| AvatarKey::parse_stored(s))
                .ok_or_else(|| corrupt("purge list"))
        })
        .collect()
}

/// How the avatar's variants are encoded, beside `avatarKey`: their URLs follow from the
/// two, with no listing of the bucket.
pub const AVATAR_VARIANT_FORMAT: &str = "avatarVariantFormat";

/// `OWNER#{sub}`: the one username an account owns.
pub fn owner_pk(owner: &AccountId) -> AttributeValue {
    AttributeValue::S(format!("OWNER#{owner}"))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Failed(format!("stored profile has an invalid {what}").into())
}

pub fn number(value: &AttributeValue) -> Result<u64, StoreError> {
    value
        .as_n()
        .ok()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| corrupt("version"))
}

fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| corrupt(name))
}

pub fn write_id(item: &Item) -> Option<&str> {
    item.get("writeId")
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

pub fn owner(item: &Item) -> Result<AccountId, StoreError> {
    AccountId::try_from(string(item, "owner")?).map_err(|_| corrupt("owner"))
}

pub fn username(item: &Item) -> Result<Username, StoreError> {
    Username::try_from(string(item, "username")?).map_err(|_| corrupt("username"))
}

/// `avatarKey`, with `avatarVariantFormat` (the variants' extension) when recorded.
pub fn avatar(item: &Item) -> Result<Option<AvatarKey>, StoreError> {
    let variants = match item.get(AVATAR_VARIANT_FORMAT) {
        None => None,
        Some(v) => Some(
            v.as_s()
                .map_err(|_| corrupt(AVATAR_VARIANT_FORMAT))?
                .as_str(),
        ),
    };
    match item.get("avatarKey") {
        None => Ok(None),
        Some(v) => v
            .as_s()
            .ok()
            .and_then(|s| AvatarKey::parse_stored_with(s, variants))
            .map(Some)
            .ok_or_else(|| corrupt("avatarKey")),
    }
}

/// `replacedAvatarKey`: what the write that last changed `avatarKey` replaced; empty
/// when it replaced nothing.
pub fn replaced_avatar(item: &Item) -> Result<Option<AvatarKey>, StoreError> {
    match item.get(REPLACED_AVATAR).and_then(|v| v.as_s().ok()) {
        None => Ok(None),
        Some(s) if s.is_empty() => Ok(None),
        Some(s) => AvatarKey::parse_stored(s)
            .map(Some)
            .ok_or_else(|| corrupt(REPLACED_AVATAR)),
    }
}

pub const REPLACED_AVATAR: &str = "replacedAvatarKey";

pub fn profile(item: &Item) -> Result<Profile, StoreError> {
    Ok(Profile {
        username: username(item)?,
        owner: owner(item)?,
        full_name: FullName::try_from(string(item, "fullName")?)
            .map_err(|_| corrupt("fullName"))?,
        avatar_key: avatar(item)?,
        version: number(item.get("version").ok_or_else(|| corrupt("version"))?)?,
        updated_at: string(item, "updatedAt")?.to_string(),
    })
}
