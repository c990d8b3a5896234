/// The square sizes rendered for every avatar, in pixels, largest first (each is rendered
/// from the one before it).
pub const VARIANT_SIZES: [u32; 4] = [512, 256, 128, 64];

/// How an avatar's square variants are encoded: WebP with alpha (lossy or lossless, as the
/// picture needs) for every picture published now; avatars published before have JPEG
/// (opaque) or PNG (transparent) variants, still served and deleted (docs/design.md,
/// "Square variants").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariantFormat {
    Jpeg,
    Png,
    Webp,
}

impl VariantFormat {
    pub const ALL: [Self; 3] = [Self::Jpeg, Self::Png, Self::Webp];

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.extension() == ext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_round_trip() {
        for f in VariantFormat::ALL {
            assert_eq!(VariantFormat::from_extension(f.extension()), Some(f));
        }
        assert_eq!(VariantFormat::from_extension("gif"), None);
    }
}
