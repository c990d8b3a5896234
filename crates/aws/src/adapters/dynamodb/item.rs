//! Profile, owner and purge items (`crate::schema`) as the SDK writes them, and reading
//! them back.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use avatar_domain::ports::StoreError;
use avatar_domain::values::{AccountId, AvatarKey, Crop, FullName, Profile, Username};

pub use crate::schema::attribute::{AVATAR_CROP, AVATAR_VARIANT_FORMAT, REPLACED_AVATAR};
use crate::schema::{self, attribute};

pub type Item = HashMap<String, AttributeValue>;

pub fn profile_pk(username: &Username) -> AttributeValue {
    AttributeValue::S(schema::profile_key(username))
}

pub fn purge_pk(owner: &AccountId) -> AttributeValue {
    AttributeValue::S(schema::purge_key(owner))
}

/// The objects a purge record lists.
pub fn purge_objects(item: &Item) -> Result<Vec<AvatarKey>, StoreError> {
    item.get(attribute::OBJECTS)
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

pub fn owner_pk(owner: &AccountId) -> AttributeValue {
    AttributeValue::S(schema::owner_key(owner))
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
    item.get(attribute::WRITE_ID)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

pub fn owner(item: &Item) -> Result<AccountId, StoreError> {
    AccountId::try_from(string(item, attribute::OWNER)?).map_err(|_| corrupt("owner"))
}

pub fn username(item: &Item) -> Result<Username, StoreError> {
    Username::try_from(string(item, attribute::USERNAME)?).map_err(|_| corrupt("username"))
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
    let crop = match item.get(AVATAR_CROP) {
        None => None,
        Some(v) => Some(stored_crop(v).ok_or_else(|| corrupt(AVATAR_CROP))?),
    };
    match item.get(attribute::AVATAR_KEY) {
        None => Ok(None),
        Some(v) => v
            .as_s()
            .ok()
            .and_then(|s| AvatarKey::parse_stored_with(s, variants))
            .map(|key| Some(key.with_crop(crop)))
            .ok_or_else(|| corrupt("avatarKey")),
    }
}

/// `avatarCrop` as written: a map of three whole numbers, `size` at least 1.
pub fn crop_value(crop: Crop) -> AttributeValue {
    let n = |v: u32| AttributeValue::N(v.to_string());
    AttributeValue::M(
        [("x", n(crop.x)), ("y", n(crop.y)), ("size", n(crop.size))]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn stored_crop(value: &AttributeValue) -> Option<Crop> {
    let map = value.as_m().ok()?;
    let n = |name: &str| map.get(name)?.as_n().ok()?.parse::<u32>().ok();
    Crop::new(n("x")?, n("y")?, n("size")?).ok()
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

pub fn profile(item: &Item) -> Result<Profile, StoreError> {
    Ok(Profile {
        username: username(item)?,
        owner: owner(item)?,
        full_name: FullName::try_from(string(item, attribute::FULL_NAME)?)
            .map_err(|_| corrupt("fullName"))?,
        avatar_key: avatar(item)?,
        version: number(
            item.get(attribute::VERSION)
                .ok_or_else(|| corrupt("version"))?,
        )?,
        updated_at: string(item, attribute::UPDATED_AT)?.to_string(),
    })
}
