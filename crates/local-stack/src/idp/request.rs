//! An authorization request (`/authorize`'s parameters), checked: the client, the
//! redirect URI, the scope and PKCE S256.

use std::collections::HashMap;

use super::Idp;

/// The parameters this endpoint reads; others are ignored, as OAuth 2.0 says.
const PARAMETERS: [&str; 8] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "nonce",
];
/// A checked authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: Vec<String>,
    pub state: Option<String>,
    /// base64url(SHA-256(verifier)), RFC 7636.
    pub code_challenge: String,
    pub nonce: Option<String>,
}

impl AuthorizationRequest {
    pub(super) fn parse(idp: &Idp, pairs: &[(String, String)]) -> Result<Self, String> {
        let mut params: HashMap<&str, &str> = HashMap::new();
        for (name, value) in pairs {
            if PARAMETERS.contains(&name.as_str())
                && params.insert(name.as_str(), value.as_str()).is_some()
            {
                return Err(format!("{name} is given more than once"));
            }
        }
        let get = |name: &str| params.get(name).copied().filter(|v| !v.is_empty());
        // Client and redirect URI first: until both are known good, nothing may redirect.
        if get("client_id") != Some(idp.client_id()) {
            return Err("unknown client_id".into());
        }
        let redirect_uri = match get("redirect_uri") {
            Some(uri) if idp.settings.redirect_uris.iter().any(|u| u == uri) => uri,
            Some(_) => {
                return Err(format!(
                    "redirect_uri is not one of the client's callback URLs ({})",
                    idp.settings.redirect_uris.join(", ")
                ));
            }
            None => return Err("redirect_uri is missing".into()),
        };
        if get("response_type") != Some("code") {
            return Err("response_type must be code".into());
        }
        match get("code_challenge_method") {
            Some("S256") => {}
            Some("plain") => return Err("PKCE method plain is not allowed: use S256".into()),
            Some(_) => return Err("code_challenge_method must be S256".into()),
            None => return Err("PKCE is required: code_challenge_method=S256".into()),
        }
        let code_challenge = get("code_challenge")
            .filter(|c| is_s256_challenge(c))
            .ok_or(
                "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
            )?;
        let scope: Vec<String> = match get("scope") {
            Some(scope) => scope.split_whitespace().map(str::to_string).collect(),
            // Cognito grants every scope the client allows when none is asked for.
            None => idp.settings.allowed_scopes.clone(),
        };
        if let Some(unknown) = scope
            .iter()
            .find(|s| !idp.settings.allowed_scopes.contains(s))
        {
            return Err(format!("scope {unknown} is not allowed for this client"));
        }
        Ok(Self {
            client_id: idp.client_id().to_string(),
            redirect_uri: redirect_uri.to_string(),
            scope,
            state: get("state").map(str::to_string),
            code_challenge: code_challenge.to_string(),
            nonce: get("nonce").map(str::to_string),
        })
    }

    /// The request again, as the form's hidden fields.
    pub(super) fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("response_type", "code".to_string()),
            ("client_id", self.client_id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", self.scope.join(" ")),
            ("code_challenge", self.code_challenge.clone()),
            ("code_challenge_method", "S256".to_string()),
        ];
        if let Some(state) = &self.state {
            fields.push(("state", state.clone()));
        }
        if let Some(nonce) = &self.nonce {
            fields.push(("nonce", nonce.clone()));
        }
        fields
    }
}

pub(super) fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
