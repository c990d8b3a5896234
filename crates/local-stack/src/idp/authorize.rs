//! `/authorize`: GET checks the request and shows the "Sign in as" form; POST (the form)
//! checks it again — the hidden fields come back from the browser, so they are not
//! trusted — and answers `302 redirect_uri?code=…&state=…`. A request with an unknown
//! client, a redirect URI off the allow-list or without PKCE S256 gets a 400 page and is
//! never redirected.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::codes::PendingCode;
use super::request::AuthorizationRequest;
use super::tokens::Session;
use super::{Idp, page};

const MAX_NAME_CHARS: usize = 64;

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
    let sub = match idp.pool.sign_in(&name) {
        Ok(sub) => sub,
        Err(why) => {
            tracing::error!(error = %why, "local sign-in: cannot save the user pool");
            return page::invalid_request(&idp, "the local user pool could not be saved");
        }
    };
    let now = idp.now();
    let session = Session {
        client_id: request.client_id.clone(),
        sub,
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
    use super::check_name;
    use crate::idp::request::is_s256_challenge;

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
