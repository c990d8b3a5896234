use crate::error::ValueError;

/// One of the four image types the app accepts; SVG is excluded because it can carry script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentType {
    Png,
    Jpeg,
    Webp,
    Gif,
}

impl ContentType {
    pub const ALL: [ContentType; 4] = [Self::Png, Self::Jpeg, Self::Webp, Self::Gif];

    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    /// How people call the format.
    pub fn label(self) -> &'static str {
        match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
            Self::Webp => "WebP",
            Self::Gif => "GIF",
        }
    }

    /// The accepted formats as a phrase: `names("or")` is "PNG, JPEG, WebP or GIF".
    pub fn names(conjunction: &str) -> String {
        let labels = Self::ALL.map(Self::label);
        match labels.split_last() {
            Some((last, rest)) => format!("{} {conjunction} {last}", rest.join(", ")),
            None => String::new(),
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.extension() == ext)
    }

    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.mime() == mime)
    }
}

/// How much of a refused type the answer and the log line echo: enough to recognise it,
/// too little to fill a log with a client's megabyte.
const MAX_ECHOED_CHARS: usize = 100;

impl TryFrom<&str> for ContentType {
    type Error = ValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        Self::from_mime(value).ok_or_else(|| {
            ValueError::UnsupportedType(format!(
                "Only {} pictures are accepted (not {:?}).",
                Self::names("and"),
                shortened(value)
            ))
        })
    }
}

/// At most `MAX_ECHOED_CHARS` characters, cut on a character boundary, `…` when cut.
fn shortened(value: &str) -> std::borrow::Cow<'_, str> {
    match value.char_indices().nth(MAX_ECHOED_CHARS) {
        None => value.into(),
        Some((cut, _)) => format!("{}…", &value[..cut]).into(),
    }
}

impl std::fmt::Display for ContentType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.mime())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_the_four_image_types() {
        for (mime, ext) in [
            ("image/png", "png"),
            ("image/jpeg", "jpg"),
            ("image/webp", "webp"),
            ("image/gif", "gif"),
        ] {
            let parsed = ContentType::try_from(mime).unwrap();
            assert_eq!(parsed.extension(), ext);
            assert_eq!(ContentType::from_extension(ext), Some(parsed));
        }
    }

    #[test]
    fn refuses_lookalikes_and_scriptable_types() {
        for mime in [
            "image/svg+xml",
            "image/jpg",
            "text/html",
            "IMAGE/PNG",
            "image/png; charset=utf-8",
            "",
            "image/bmp",
        ] {
            let err = ContentType::try_from(mime).unwrap_err();
            assert!(matches!(err, ValueError::UnsupportedType(_)), "{mime}");
            assert_eq!(err.field(), crate::Field::ContentType, "{mime}");
        }
    }

    #[test]
    fn a_refused_type_is_echoed_shortened_on_a_character_boundary() {
        for (value, echoed) in [
            ("a".repeat(100), "a".repeat(100)),
            ("a".repeat(101), format!("{}…", "a".repeat(100))),
            ("é".repeat(5000), format!("{}…", "é".repeat(100))),
            (
                format!("{}😀😀", "b".repeat(99)),
                format!("{}😀…", "b".repeat(99)),
            ),
            ("text/html".into(), "text/html".into()),
        ] {
            let message = ContentType::try_from(value.as_str())
                .unwrap_err()
                .to_string();
            assert!(message.contains(&format!("(not {echoed:?})")), "{message}");
        }
    }
}
