use uuid::Uuid;

use super::ContentType;
use crate::error::ApiError;

const PREFIX: &str = "incoming/";

/// `incoming/{uuid v4, lowercase hyphenated}.{ext}`: chosen by the server, never by the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadKey {
    id: Uuid,
    content_type: ContentType,
    key: String,
}

impl UploadKey {
    pub fn new(content_type: ContentType) -> Self {
        Self::from_parts(Uuid::new_v4(), content_type)
    }

    fn from_parts(id: Uuid, content_type: ContentType) -> Self {
        let key = format!("{PREFIX}{}.{}", id.hyphenated(), content_type.extension());
        Self {
            id,
            content_type,
            key,
        }
    }

    pub fn id(&self) -> Uuid {
        self.id
    }

    pub fn content_type(&self) -> ContentType {
        self.content_type
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }
}

impl TryFrom<&str> for UploadKey {
    type Error = ApiError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let invalid = || {
            ApiError::invalid(
                "avatarKey",
                "The avatar key must be the key returned by POST /api/uploads (incoming/{uuid}.{ext}).",
            )
        };
        let rest = value.strip_prefix(PREFIX).ok_or_else(invalid)?;
        let (id, ext) = rest.split_once('.').ok_or_else(invalid)?;
        let content_type = ContentType::from_extension(ext).ok_or_else(invalid)?;
        let uuid = Uuid::try_parse(id).map_err(|_| invalid())?;
        let parsed = Self::from_parts(uuid, content_type);
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

    #[test]
    fn new_keys_are_canonical_and_unique() {
        let a = UploadKey::new(ContentType::Png);
        let b = UploadKey::new(ContentType::Png);
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("incoming/"));
        assert!(a.as_str().ends_with(".png"));
        assert_eq!(UploadKey::try_from(a.as_str()).unwrap(), a);
    }

    #[test]
    fn refuses_anything_but_the_canonical_form() {
        let id = "3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c";
        for key in [
            format!("avatars/{id}.png"),
            format!("incoming/../{id}.png"),
            format!("incoming/{}.png", id.to_uppercase()),
            format!("incoming/{}.png", id.replace('-', "")),
            format!("incoming/{{{id}}}.png"),
            format!("incoming/{id}.svg"),
            format!("incoming/{id}.jpeg"),
            format!("incoming/{id}.PNG"),
            format!("incoming/{id}.png/x"),
            format!("incoming/{id}"),
            format!("/incoming/{id}.png"),
            format!("incoming/{id}.png "),
            "incoming/00000000-0000-0000-0000-000000000000.png".to_string(),
            "incoming/3f0c8a52-6b1e-1c9e-9a57-1d2f3e4a5b6c.png".to_string(),
            String::new(),
        ] {
            let err = UploadKey::try_from(key.as_str()).unwrap_err();
            assert_eq!(err.code(), "invalid_request", "{key}");
            assert_eq!(err.field(), Some("avatarKey"), "{key}");
        }
    }
}
