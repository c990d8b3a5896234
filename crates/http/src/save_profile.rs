use avatar_domain::service::SaveProfile;
use avatar_domain::values::{AvatarChange, Expected, FullName, UploadKey, Username};

use crate::body::JsonObject;
use crate::crop::crop;
use crate::error::ApiError;

/// `POST /api/profile`'s body: `{"username", "fullName", "avatarKey"?, "crop"?,
/// "expectedVersion"?}`. An absent `avatarKey` keeps the current avatar, `null` removes it,
/// a key replaces it.
pub fn save_profile(body: &[u8]) -> Result<SaveProfile, ApiError> {
    let obj = JsonObject::parse(body)?;
    let username = Username::try_from(obj.required_str("username")?)?;
    let full_name = FullName::try_from(obj.required_str("fullName")?)?;
    let avatar = match obj.nullable_str("avatarKey")? {
        None => AvatarChange::Keep,
        Some(None) => AvatarChange::Remove,
        Some(Some(key)) => AvatarChange::Replace(UploadKey::try_from(key)?),
    };
    let crop = obj.present("crop").map(crop).transpose()?;
    if crop.is_some() && !matches!(avatar, AvatarChange::Replace(_)) {
        return Err(ApiError::invalid(
            "crop",
            "A crop applies to a new picture: send it with avatarKey.",
        ));
    }
    let expected = match obj.optional_u64("expectedVersion")? {
        None => Expected::Any,
        Some(0) => Expected::Absent,
        Some(n) => Expected::Version(n),
    };
    Ok(SaveProfile {
        username,
        full_name,
        avatar,
        crop,
        expected,
    })
}
