use crate::error::{Field, ValueError};

use super::AccountId;

/// The name the user pool knows an account by: the access token's `username` claim
/// (Cognito's user name; locally the name typed at the development sign-in). Only the
/// deletion of the account names it; it is never shown or stored by the app.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SignInName(String);

/// Cognito allows user names of at most 128 characters.
const MAX_CHARS: usize = 128;

impl SignInName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for SignInName {
    type Error = ValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let chars = value.chars().count();
        let refused = chars == 0
            || chars > MAX_CHARS
            || value.chars().any(|c| c.is_control() || c.is_whitespace());
        if refused {
            return Err(ValueError::invalid(
                Field::Account,
                "The sign-in token names no valid user.",
            ));
        }
        Ok(Self(value.to_string()))
    }
}

impl std::fmt::Display for SignInName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A signed-in account as the user pool knows it: the id the app keys its data by and
/// the name the pool deletes it by. Both come from one verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub name: SignInName,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_name_is_one_visible_word_of_at_most_128_characters() {
        for ok in ["ada", "Ada.Lovelace+1@example.org", &"é".repeat(128)] {
            assert_eq!(SignInName::try_from(ok).unwrap().as_str(), ok);
        }
        for bad in ["", " ada", "a b", "ada\n", "a\u{0}", &"a".repeat(129)] {
            let err = SignInName::try_from(bad).unwrap_err();
            assert_eq!(err.field(), Field::Account, "{bad:?}");
        }
    }
}
