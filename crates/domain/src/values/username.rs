use crate::error::{Field, ValueError};

/// Lower-cased, then 3–32 of `[a-z0-9_-]`: safe in a key, a URL path and a log line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub const MIN: usize = 3;
    pub const MAX: usize = 32;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Username {
    type Error = ValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let lower = value.to_lowercase();
        let len = lower.chars().count();
        if !(Self::MIN..=Self::MAX).contains(&len) {
            return Err(ValueError::invalid(
                Field::Username,
                format!(
                    "Username must be {} to {} characters long.",
                    Self::MIN,
                    Self::MAX
                ),
            ));
        }
        if !lower
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(ValueError::invalid(
                Field::Username,
                "Username may contain only letters a-z, digits, '_' and '-'.",
            ));
        }
        Ok(Self(lower))
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_accepts_the_allowed_alphabet() {
        assert_eq!(Username::try_from("Ada").unwrap().as_str(), "ada");
        assert_eq!(Username::try_from("a_b-9").unwrap().as_str(), "a_b-9");
        assert_eq!(
            Username::try_from(&"x".repeat(32)[..])
                .unwrap()
                .as_str()
                .len(),
            32
        );
    }

    #[test]
    fn refuses_bad_usernames() {
        let long = "x".repeat(33);
        for bad in [
            "",
            "ab",
            long.as_str(),
            "ada lovelace",
            "adá",
            "ad/a",
            "a.b",
            "İstanbul",
            "ad\0a",
            "日本語です",
        ] {
            let err = Username::try_from(bad).unwrap_err();
            assert_eq!(err.field(), Field::Username, "{bad:?}");
            assert!(matches!(err, ValueError::Invalid { .. }));
        }
    }
}
