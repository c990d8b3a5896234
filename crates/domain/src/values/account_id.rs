use uuid::Uuid;

use crate::error::{Field, ValueError};

/// The signed-in account: the `sub` claim of a verified access token (a Cognito user's
/// UUID; the development provider's UUID v5 of the name). Canonical lowercase only, so
/// it can name a key prefix and an owner record with exactly one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AccountId(Uuid);

impl AccountId {
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl TryFrom<&str> for AccountId {
    type Error = ValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let refused =
            || ValueError::invalid(Field::Account, "The sign-in token names no valid account.");
        let id = Uuid::try_parse(value).map_err(|_| refused())?;
        if id.is_nil() || id.hyphenated().to_string() != value {
            return Err(refused());
        }
        Ok(Self(id))
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_uuids_name_an_account() {
        let ok = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(AccountId::try_from(ok).unwrap().to_string(), ok);
        for bad in [
            "",
            "ada",
            "0F8FAD5B-D9CB-469F-A165-70867728950E",
            "0f8fad5bd9cb469fa16570867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
            "00000000-0000-0000-0000-000000000000",
            "0f8fad5b-d9cb-469f-a165-70867728950e/..",
            " 0f8fad5b-d9cb-469f-a165-70867728950e",
        ] {
            let err = AccountId::try_from(bad).unwrap_err();
            assert_eq!(err.field(), Field::Account, "{bad}");
        }
    }
}
