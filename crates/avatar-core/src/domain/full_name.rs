use crate::error::ApiError;

/// Trimmed, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullName(String);

impl FullName {
    pub const MAX: usize = 100;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for FullName {
    type Error = ApiError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let trimmed = value.trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return Err(ApiError::invalid(
                "fullName",
                "Full name must not be empty.",
            ));
        }
        if len > Self::MAX {
            return Err(ApiError::invalid(
                "fullName",
                format!("Full name must be at most {} characters.", Self::MAX),
            ));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                "fullName",
                "Full name must not contain control characters.",
            ));
        }
        Ok(Self(trimmed.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_keeps_unicode() {
        assert_eq!(
            FullName::try_from("  Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
        assert_eq!(FullName::try_from("Zoë 李").unwrap().as_str(), "Zoë 李");
        assert!(FullName::try_from(&"é".repeat(100)[..]).is_ok());
    }

    #[test]
    fn refuses_empty_long_and_control_characters() {
        let long = "a".repeat(101);
        for bad in [
            "",
            "   ",
            long.as_str(),
            "Ada\nLovelace",
            "Ada\u{0}",
            "\u{7f}x",
            "a\u{9b}b",
        ] {
            let err = FullName::try_from(bad).unwrap_err();
            assert_eq!(err.field(), Some("fullName"), "{bad:?}");
        }
    }
}
