use super::{ContentType, Username, VARIANT_SIZES, VariantFormat};

/// `avatars/{username}/{uuid}.{ext}`: where a verified, cleaned upload is published, with
/// its square variants beside it at `avatars/{username}/{uuid}-{size}.{fmt}`. Two keys are
/// the same avatar when they name the same original.
#[derive(Debug, Clone)]
pub struct AvatarKey {
    key: String,
    /// How its variants are encoded; `None` when it has none recorded.
    variants: Option<VariantFormat>,
}

impl PartialEq for AvatarKey {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for AvatarKey {}

impl AvatarKey {
    /// A new, unique key: published avatars are immutable and cached forever.
    pub fn new(username: &Username, content_type: ContentType) -> Self {
        Self {
            key: format!(
                "avatars/{}/{}.{}",
                username.as_str(),
                uuid::Uuid::new_v4().hyphenated(),
                content_type.extension()
            ),
            variants: None,
        }
    }

    /// The same avatar, with variants encoded as `format`.
    pub fn with_variants(mut self, format: VariantFormat) -> Self {
        self.variants = Some(format);
        self
    }

    pub fn variants(&self) -> Option<VariantFormat> {
        self.variants
    }

    /// `avatars/{username}/{uuid}-{size}.{fmt}`.
    pub fn variant_key(&self, size: u32, format: VariantFormat) -> String {
        let stem = self
            .key
            .rsplit_once('.')
            .map_or(&*self.key, |(stem, _)| stem);
        format!("{stem}-{size}.{}", format.extension())
    }

    /// Every object this avatar may have: the original and its variants in every format,
    /// so deleting them needs neither a listing nor the recorded format (a publish that
    /// failed half-way leaves nothing behind either).
    pub fn object_keys(&self) -> Vec<String> {
        let mut keys = vec![self.key.clone()];
        for format in VariantFormat::ALL {
            keys.extend(VARIANT_SIZES.iter().map(|&s| self.variant_key(s, format)));
        }
        keys
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
        (uuid.hyphenated().to_string() == id).then(|| Self {
            key: value.to_string(),
            variants: None,
        })
    }

    /// Reads a key and its recorded variant format (an extension) back from storage.
    pub fn parse_stored_with(value: &str, variants: Option<&str>) -> Option<Self> {
        let key = Self::parse_stored(value)?;
        match variants {
            None => Some(key),
            Some(ext) => Some(key.with_variants(VariantFormat::from_extension(ext)?)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// Same-origin path the edge serves the object at.
    pub fn url_path(&self) -> String {
        format!("/{}", self.key)
    }
}

impl std::fmt::Display for AvatarKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key)
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
    fn variants_sit_beside_the_original() {
        let user = Username::try_from("ada").unwrap();
        let key = AvatarKey::new(&user, ContentType::Png);
        let stem = key.as_str().strip_suffix(".png").unwrap().to_string();
        assert_eq!(key.variants(), None);
        let key = key.with_variants(VariantFormat::Jpeg);
        assert_eq!(
            key.variant_key(512, VariantFormat::Jpeg),
            format!("{stem}-512.jpg")
        );
        assert_eq!(
            key.variant_key(64, VariantFormat::Png),
            format!("{stem}-64.png")
        );
        let all = key.object_keys();
        assert_eq!(all.len(), 13);
        assert!(all.contains(&key.as_str().to_string()));
        assert!(all.contains(&format!("{stem}-128.png")));
        assert!(all.contains(&format!("{stem}-512.webp")));
        let back = AvatarKey::parse_stored_with(key.as_str(), Some("jpg")).unwrap();
        assert_eq!(back.variants(), Some(VariantFormat::Jpeg));
        assert_eq!(
            AvatarKey::parse_stored_with(key.as_str(), Some("gif")),
            None
        );
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
