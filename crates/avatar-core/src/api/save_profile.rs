use super::JsonObject;
use crate::domain::{AvatarChange, Crop, Expected, FullName, UploadKey, Username};
use crate::error::ApiError;

/// `POST /api/profile`, parsed: `{"username", "fullName", "avatarKey"?, "crop"?,
/// "expectedVersion"?}`.
#[derive(Debug, Clone)]
pub struct SaveProfileRequest {
    pub username: Username,
    pub full_name: FullName,
    /// Absent keeps the current avatar, `null` removes it, a key replaces it.
    pub avatar: AvatarChange<UploadKey>,
    /// The square of the new avatar to show; `None` is the centred largest square. Only
    /// with a new avatar.
    pub crop: Option<Crop>,
    pub expected: Expected,
}

impl TryFrom<&[u8]> for SaveProfileRequest {
    type Error = ApiError;

    fn try_from(body: &[u8]) -> Result<Self, Self::Error> {
        let obj = JsonObject::parse(body)?;
        let username = Username::try_from(obj.required_str("username")?)?;
        let full_name = FullName::try_from(obj.required_str("fullName")?)?;
        let avatar = match obj.nullable_str("avatarKey")? {
            None => AvatarChange::Keep,
            Some(None) => AvatarChange::Remove,
            Some(Some(key)) => AvatarChange::Replace(UploadKey::try_from(key)?),
        };
        let crop = obj.present("crop").map(Crop::try_from).transpose()?;
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
        Ok(Self {
            username,
            full_name,
            avatar,
            crop,
            expected,
        })
    }
}
