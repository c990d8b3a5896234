use serde::Serialize;

use crate::domain::{AvatarKey, Profile};

/// Shown when a profile has no avatar; served by the site.
pub const DEFAULT_AVATAR_URL: &str = "/default-avatar.svg";

/// The JSON shape of a profile, answered by `GET /api/profile/{username}` and
/// `POST /api/profile`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub username: String,
    pub full_name: String,
    pub avatar_url: String,
    pub version: u64,
    pub updated_at: String,
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        Self {
            username: p.username.to_string(),
            full_name: p.full_name.as_str().to_string(),
            avatar_url: p
                .avatar_key
                .as_ref()
                .map_or_else(|| DEFAULT_AVATAR_URL.to_string(), AvatarKey::url_path),
            version: p.version,
            updated_at: p.updated_at.clone(),
        }
    }
}
