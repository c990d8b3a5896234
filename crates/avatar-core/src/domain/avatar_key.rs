use super::{ContentType, Username};

/// `avatars/{username}/{uuid}.{ext}`: where a verified, cleaned upload is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvatarKey(String);

impl AvatarKey {
    /// A new, unique key: published avatars are immutable and cached forever.
    pub fn new(username: &Username, content_type: ContentType) -> Self {
        Self(format!(
            "avatars/{}/{}.{}",
            username.as_str(),
            uuid::Uuid::new_v4().hyphenated(),
            content_type.extension()
        ))
    }

    /// Reads a key back from storage; `None` for anything this app would not have written.
    pub fn parse_stored(value: &str) -> Option<Self> {
        let rest = value.strip_prefix("avatars/")?;
        let (user, file) = rest.split_once('/')?;
        Username::try_from(user)
            .ok()
            .filter(|u| u.as_str() == user)?;
        let (id, ext) = file.split_once('.')?;
        ContentType::from_extension(ext)?;
        let uuid = uuid::Uuid::try_parse(id).ok()?;
        (uuid.hyphenated().to_string() == id).then(|| Self(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Same-origin path the edge serves the object at.
    pub fn url_path(&self) -> String {
        format!("/{}", self.0)
    }
}

impl std::fmt::Display for AvatarKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_storage() {
        let user = Username::try_from("ada").unwrap();
        let key = AvatarKey::new(&user, ContentType::Webp);
        assert!(key.as_str().starts_with("avatars/ada/"));
        assert!(key.as_str().ends_with(".webp"));
        assert_ne!(key, AvatarKey::new(&user, ContentType::Webp));
        assert_eq!(AvatarKey::parse_stored(key.as_str()), Some(key.clone()));
        assert_eq!(key.url_path(), format!("/{}", key.as_str()));
    }

    #[test]
    fn rejects_foreign_stored_values() {
        for v in [
            "incoming/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            "avatars/ADA/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            "avatars/ada/../x.png",
            "avatars/ada/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.svg",
        ] {
            assert_eq!(AvatarKey::parse_stored(v), None, "{v}");
        }
    }
}
