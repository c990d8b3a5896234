use serde::Serialize;

use avatar_domain::values::{AvatarKey, Profile};

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
    /// The square variants by size; absent without an avatar (or one published before
    /// variants were recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_variants: Option<VariantUrls>,
    pub version: u64,
    pub updated_at: String,
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        Self {
            username: p.username.to_string(),
            full_name: p.full_name.as_str().to_string(),
            // The largest variant: no public path reaches an original.
            avatar_url: p
                .avatar_key
                .as_ref()
                .and_then(AvatarKey::public_path)
                .unwrap_or_else(|| DEFAULT_AVATAR_URL.to_string()),
            avatar_variants: p.avatar_key.as_ref().and_then(VariantUrls::of),
            version: p.version,
            updated_at: p.updated_at.clone(),
        }
    }
}

/// `{"64": url, "128": url, "256": url, "512": url}`, each a same-origin path.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct VariantUrls {
    #[serde(rename = "64")]
    pub px64: String,
    #[serde(rename = "128")]
    pub px128: String,
    #[serde(rename = "256")]
    pub px256: String,
    #[serde(rename = "512")]
    pub px512: String,
}

impl VariantUrls {
    fn of(key: &AvatarKey) -> Option<Self> {
        let format = key.variants()?;
        let url = |size| format!("/{}", key.variant_key(size, format));
        Some(Self {
            px64: url(64),
            px128: url(128),
            px256: url(256),
            px512: url(512),
        })
    }
}
