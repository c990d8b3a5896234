use super::{ContentType, Crop, Username, VARIANT_SIZES, VariantFormat};

/// Where nothing is served: the cleaned uploads, kept to render from again.
pub const ORIGINALS_PREFIX: &str = "originals/";
/// What the edge serves: rendered variants (and, until `move-originals` has run, the
/// originals of avatars published before).
pub const SERVED_PREFIX: &str = "avatars/";

/// A published avatar, named by its original: the cleaned upload at
/// `originals/{username}/{uuid}.{ext}`, which no public path reaches, and its square
/// variants at `avatars/{username}/{uuid}-{size}.{fmt}`, the only objects served. Avatars
/// published before kept the original beside the variants, at
/// `avatars/{username}/{uuid}.{ext}`, until `move-originals` moves it (docs/deploy.md).
/// Two keys are the same avatar when they name the same original.
#[derive(Debug, Clone)]
pub struct AvatarKey {
    key: String,
    /// How its variants are encoded; `None` when it has none recorded.
    variants: Option<VariantFormat>,
    /// The square of the upright original its variants show; `None`: the centred one (or,
    /// published before squares were recorded, unknown).
    crop: Option<Crop>,
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
        let stem = format!(
            "{}/{}",
            username.as_str(),
            uuid::Uuid::new_v4().hyphenated()
        );
        Self {
            key: format!("{ORIGINALS_PREFIX}{stem}.{}", content_type.extension()),
            variants: None,
            crop: None,
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

    /// The same avatar, its variants showing `crop` of the original (`None`: the centred
    /// square), kept so they can be rendered again from the original.
    pub fn with_crop(mut self, crop: Option<Crop>) -> Self {
        self.crop = crop;
        self
    }

    pub fn crop(&self) -> Option<Crop> {
        self.crop
    }

    /// `avatars/{username}/{uuid}-{size}.{fmt}`.
    pub fn variant_key(&self, size: u32, format: VariantFormat) -> String {
        format!(
            "{SERVED_PREFIX}{}-{size}.{}",
            self.stem(),
            format.extension()
        )
    }

    /// Whether the original is still where the edge serves it (published before
    /// originals moved under `originals/`).
    pub fn original_is_served(&self) -> bool {
        self.key.starts_with(SERVED_PREFIX)
    }

    /// The same avatar with its original under `originals/` (what `move-originals` makes
    /// of an avatar published before; itself for one published since).
    pub fn moved(&self) -> Self {
        let [kept, _] = self.original_keys();
        Self {
            key: kept,
            variants: self.variants,
            crop: self.crop,
        }
    }

    /// The original's format (parsing admitted only this app's extensions).
    pub fn content_type(&self) -> Option<ContentType> {
        ContentType::from_extension(self.extension())
    }

    fn extension(&self) -> &str {
        self.key.rsplit_once('.').map_or("", |(_, ext)| ext)
    }

    /// `{username}/{uuid}`: the part every object of this avatar shares.
    fn stem(&self) -> &str {
        let within = self
            .key
            .strip_prefix(ORIGINALS_PREFIX)
            .or_else(|| self.key.strip_prefix(SERVED_PREFIX))
            .unwrap_or(&self.key);
        within.rsplit_once('.').map_or(within, |(stem, _)| stem)
    }

    /// Where its original may lie: under `originals/` and, published before, beside the
    /// variants (where the edge serves it).
    pub fn original_keys(&self) -> [String; 2] {
        let (stem, ext) = (self.stem(), self.extension());
        [
            format!("{ORIGINALS_PREFIX}{stem}.{ext}"),
            format!("{SERVED_PREFIX}{stem}.{ext}"),
        ]
    }

    /// Every object this avatar may have: its original in either place and its variants in
    /// every format, so deleting them needs neither a listing nor the recorded format (a
    /// publish, or a move, that failed half-way leaves nothing behind either).
    pub fn object_keys(&self) -> Vec<String> {
        let mut keys = self.original_keys().to_vec();
        for format in VariantFormat::ALL {
            keys.extend(VARIANT_SIZES.iter().map(|&s| self.variant_key(s, format)));
        }
        keys
    }

    /// Reads a key back from storage; `None` for anything this app would not have written.
    pub fn parse_stored(value: &str) -> Option<Self> {
        let rest = value
            .strip_prefix(ORIGINALS_PREFIX)
            .or_else(|| value.strip_prefix(SERVED_PREFIX))?;
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
            crop: None,
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

    /// The original's key.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// The same-origin path the avatar is shown at: its largest variant. Only an avatar
    /// published before variants were recorded has none; its original is shown while it
    /// is still served, and nothing (`None`) once moved.
    pub fn public_path(&self) -> Option<String> {
        match self.variants {
            Some(format) => Some(format!("/{}", self.variant_key(VARIANT_SIZES[0], format))),
            None => self.original_is_served().then(|| format!("/{}", self.key)),
        }
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

    const ID: &str = "3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c";

    #[test]
    fn a_new_original_lies_where_nothing_is_served() {
        let user = Username::try_from("ada").unwrap();
        let key = AvatarKey::new(&user, ContentType::Webp);
        assert!(key.as_str().starts_with("originals/ada/"));
        assert!(key.as_str().ends_with(".webp"));
        assert!(!key.original_is_served());
        assert_eq!(key.moved(), key);
        assert_ne!(key, AvatarKey::new(&user, ContentType::Webp));
        assert_eq!(AvatarKey::parse_stored(key.as_str()), Some(key.clone()));
        // Shown as its largest variant; with no variants recorded, not at all.
        assert_eq!(key.public_path(), None);
        let key = key.with_variants(VariantFormat::Webp);
        let stem = key
            .as_str()
            .strip_prefix("originals/")
            .and_then(|k| k.strip_suffix(".webp"))
            .unwrap();
        assert_eq!(key.public_path(), Some(format!("/avatars/{stem}-512.webp")));
    }

    #[test]
    fn variants_are_served_apart_from_the_original() {
        let key =
            AvatarKey::parse_stored_with(&format!("originals/ada/{ID}.png"), Some("jpg")).unwrap();
        assert_eq!(key.variants(), Some(VariantFormat::Jpeg));
        assert_eq!(
            key.variant_key(512, VariantFormat::Jpeg),
            format!("avatars/ada/{ID}-512.jpg")
        );
        assert_eq!(
            key.variant_key(64, VariantFormat::Png),
            format!("avatars/ada/{ID}-64.png")
        );
        let all = key.object_keys();
        assert_eq!(all.len(), 14);
        for expected in [
            format!("originals/ada/{ID}.png"),
            format!("avatars/ada/{ID}.png"),
            format!("avatars/ada/{ID}-128.png"),
            format!("avatars/ada/{ID}-512.webp"),
            format!("avatars/ada/{ID}-64.jpg"),
        ] {
            assert!(all.contains(&expected), "{expected}");
        }
        assert_eq!(
            AvatarKey::parse_stored_with(key.as_str(), Some("gif")),
            None
        );
    }

    #[test]
    fn an_avatar_published_before_moves_its_original() {
        let old =
            AvatarKey::parse_stored_with(&format!("avatars/ada/{ID}.jpg"), Some("jpg")).unwrap();
        assert!(old.original_is_served());
        // Its variants were always where they are now.
        assert_eq!(
            old.public_path(),
            Some(format!("/avatars/ada/{ID}-512.jpg"))
        );
        let moved = old.moved();
        assert_eq!(moved.as_str(), format!("originals/ada/{ID}.jpg"));
        assert!(!moved.original_is_served());
        assert_eq!(moved.variants(), Some(VariantFormat::Jpeg));
        assert_eq!(moved.object_keys(), old.object_keys());
        // One published before variants were recorded shows its original until moved.
        let bare = AvatarKey::parse_stored(&format!("avatars/ada/{ID}.jpg")).unwrap();
        assert_eq!(bare.public_path(), Some(format!("/avatars/ada/{ID}.jpg")));
        assert_eq!(bare.moved().public_path(), None);
    }

    #[test]
    fn rejects_foreign_stored_values() {
        for v in [
            format!("incoming/{ID}.png"),
            format!("avatars/ADA/{ID}.png"),
            format!("originals/ADA/{ID}.png"),
            "avatars/ada/../x.png".to_string(),
            "originals/ada/../x.png".to_string(),
            format!("avatars/ada/{ID}.svg"),
            format!("originals/ada/{}.png", ID.to_uppercase()),
            format!("other/ada/{ID}.png"),
        ] {
            assert_eq!(AvatarKey::parse_stored(&v), None, "{v}");
        }
    }
}
