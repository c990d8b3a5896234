//! `/authorize`: GET checks the request and shows the "Sign in as" form; POST (the form)
//! checks it again — the hidden fields come back from the browser, so they are not
//! trusted — and answers `302 redirect_uri?code=…&state=…`. A request with an unknown
//! client, a redirect URI off the allow-list or without PKCE S256 gets a 400 page and is
//! never redirected.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::codes::PendingCode;
use super::tokens::{Session, account_id};
use super::{Idp, page};

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
const MAX_NAME_CHARS: usize = 64;

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
    fn parse(idp: &Idp, pairs: &[(String, String)]) -> Result<Self, String> {
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
    fn fields(&self) -> Vec<(&'static str, String)> {
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

fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// 1–64 letters, digits or `. _ - @ +` (enough for names and e-mail addresses, nothing
/// that needs escaping anywhere the name shows up).
fn check_name(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Enter a name to sign in as.");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err("A name is at most 64 characters.");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@' | b'+'))
    {
        return Err("Use only letters, digits and . _ - @ +");
    }
    Ok(name.to_string())
}

fn pairs(bytes: &[u8]) -> Result<Vec<(String, String)>, String> {
    serde_urlencoded::from_bytes(bytes).map_err(|_| "the request is not URL-encoded".to_string())
}

fn show(idp: &Idp, request: &AuthorizationRequest, name: &str, error: Option<&str>) -> Response {
    let fields = request.fields();
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    page::sign_in_form(idp, &borrowed, name, error)
}

pub async fn show_form(State(idp): State<Arc<Idp>>, RawQuery(query): RawQuery) -> Response {
    let request = pairs(query.unwrap_or_default().as_bytes())
        .and_then(|pairs| AuthorizationRequest::parse(&idp, &pairs));
    match request {
        Ok(request) => show(&idp, &request, "", None),
        Err(reason) => page::invalid_request(&idp, &reason),
    }
}

pub async fn sign_in(State(idp): State<Arc<Idp>>, body: Bytes) -> Response {
    let pairs = match pairs(&body) {
        Ok(pairs) => pairs,
        Err(reason) => return page::invalid_request(&idp, &reason),
    };
    let request = match AuthorizationRequest::parse(&idp, &pairs) {
        Ok(request) => request,
        Err(reason) => return page::invalid_request(&idp, &reason),
    };
    let raw_name = pairs
        .iter()
        .find(|(k, _)| k == "username")
        .map_or("", |(_, v)| v.as_str());
    let name = match check_name(raw_name) {
        Ok(name) => name,
        Err(error) => return show(&idp, &request, raw_name, Some(error)),
    };
    let now = idp.now();
    let session = Session {
        client_id: request.client_id.clone(),
        sub: account_id(&name),
        username: name.to_lowercase(),
        scope: request.scope.clone(),
        auth_time: now,
        nonce: request.nonce.clone(),
    };
    let mut query = vec![("code", String::new())];
    if let Some(state) = &request.state {
        query.push(("state", state.clone()));
    }
    let redirect_uri = request.redirect_uri.clone();
    let Some(code) = idp.codes.issue(
        PendingCode {
            request,
            session,
            issued_at: now,
        },
        now,
    ) else {
        return page::invalid_request(&idp, "the system random number generator failed");
    };
    query[0].1 = code;
    match serde_urlencoded::to_string(&query) {
        Ok(query) => page::redirect(&format!("{redirect_uri}?{query}")),
        Err(_) => page::invalid_request(&idp, "cannot encode the redirect"),
    }
}

#[cfg(test)]
mod tests {
    use super::{check_name, is_s256_challenge};

    #[test]
    fn names() {
        assert_eq!(check_name("  Ada  "), Ok("Ada".into()));
        assert_eq!(
            check_name("ada.l+test@example.com"),
            Ok("ada.l+test@example.com".into())
        );
        assert!(check_name("").is_err());
        assert!(check_name("   ").is_err());
        assert!(check_name(&"a".repeat(65)).is_err());
        assert!(check_name(&"a".repeat(64)).is_ok());
        for bad in ["<script>", "a b", "é", "a/b", "a\"b", "a\u{0}"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn challenges() {
        assert!(is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c"
        ));
        assert!(!is_s256_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }
}
