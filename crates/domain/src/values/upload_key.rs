use uuid::Uuid;

use super::{AccountId, ContentType};
use crate::error::{Field, ValueError};

const PREFIX: &str = "incoming/";

/// `incoming/{owner's account id}/{uuid v4}.{ext}`, all lowercase and hyphenated: chosen
/// by the server, never by the user. The owner is part of the key, so the policy pins it
/// and save-profile can refuse another account's upload without reading anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadKey {
    owner: AccountId,
    content_type: ContentType,
    key: String,
}

impl UploadKey {
    pub fn new(owner: AccountId, content_type: ContentType) -> Self {
        Self::from_parts(owner, Uuid::new_v4(), content_type)
    }

    fn from_parts(owner: AccountId, id: Uuid, content_type: ContentType) -> Self {
        let key = format!(
            "{PREFIX}{owner}/{}.{}",
            id.hyphenated(),
            content_type.extension()
        );
        Self {
            owner,
            content_type,
            key,
        }
    }

    /// The account that asked for the upload.
    pub fn owner(&self) -> AccountId {
        self.owner
    }

    pub fn content_type(&self) -> ContentType {
        self.content_type
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }
}

impl TryFrom<&str> for UploadKey {
    type Error = ValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let invalid = || {
            ValueError::invalid(
                Field::Upload,
                "The avatar key must be the key returned by POST /api/uploads (incoming/{account}/{uuid}.{ext}).",
            )
        };
        let rest = value.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let (owner, file) = rest.split_once('/').ok_or_else(invalid)?;
        let owner = AccountId::try_from(owner).map_err(|_| invalid())?;
        let (id, ext) = file.split_once('.').ok_or_else(invalid)?;
        let content_type = ContentType::from_extension(ext).ok_or_else(invalid)?;
        let uuid = Uuid::try_parse(id).map_err(|_| invalid())?;
        let parsed = Self::from_parts(owner, uuid, content_type);
        // Only the canonical spelling is accepted, so one object has exactly one key.
        if parsed.key != value || uuid.get_version_num() != 4 {
            return Err(invalid());
        }
        Ok(parsed)
    }
}

impl std::fmt::Display for UploadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

    fn owner() -> AccountId {
        AccountId::try_from(OWNER).unwrap()
    }

    #[test]
    fn new_keys_are_canonical_unique_and_owned() {
        let a = UploadKey::new(owner(), ContentType::Png);
        let b = UploadKey::new(owner(), ContentType::Png);
        assert_ne!(a, b);
        assert!(a.as_str().starts_with(&format!("incoming/{OWNER}/")));
        assert!(a.as_str().ends_with(".png"));
        let parsed = UploadKey::try_from(a.as_str()).unwrap();
        assert_eq!(parsed, a);
        assert_eq!(parsed.owner(), owner());
    }

    #[test]
    fn refuses_anything_but_the_canonical_form() {
        let id = format!("{OWNER}/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c");
        let bare = "3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c";
        for key in [
            format!("incoming/{bare}.png"),
            format!("incoming/{}/{bare}.png", OWNER.to_uppercase()),
            format!("incoming/ada/{bare}.png"),
            format!("incoming/{OWNER}/{OWNER}/{bare}.png"),
            format!("incoming/00000000-0000-0000-0000-000000000000/{bare}.png"),
            format!("avatars/{id}.png"),
            format!("incoming/../{id}.png"),
            format!("incoming/{OWNER}/{}.png", bare.to_uppercase()),
            format!("incoming/{OWNER}/{}.png", bare.replace('-', "")),
            format!("incoming/{{{id}}}.png"),
            format!("incoming/{id}.svg"),
            format!("incoming/{id}.jpeg"),
            format!("incoming/{id}.PNG"),
            format!("incoming/{id}.png/x"),
            format!("incoming/{id}"),
            format!("/incoming/{id}.png"),
            format!("incoming/{id}.png "),
            format!("incoming/{OWNER}/00000000-0000-0000-0000-000000000000.png"),
            format!("incoming/{OWNER}/3f0c8a52-6b1e-1c9e-9a57-1d2f3e4a5b6c.png"),
            String::new(),
        ] {
            let err = UploadKey::try_from(key.as_str()).unwrap_err();
            assert!(matches!(err, ValueError::Invalid { .. }), "{key}");
            assert_eq!(err.field(), Field::Upload, "{key}");
        }
    }
}
