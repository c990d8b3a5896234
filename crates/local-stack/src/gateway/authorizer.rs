//! API Gateway's JWT authorizer, played locally with its rules: the token comes from the
//! `Authorization` header (`Bearer <jwt>` or the bare token); it must be RS256, signed by a
//! key of the issuer's JWKS named by its `kid`, from the configured issuer, for the
//! configured client (`aud` when present, else `client_id`), inside `exp`/`nbf`/`iat`
//! with no leeway, and carry one of the route's scopes. A refusal never reaches a
//! function. What reaches it are the verified claims, each rendered as a string, exactly
//! where API Gateway puts them; nothing a client sends can land there.

use std::collections::HashMap;

use http::{HeaderMap, HeaderValue, StatusCode, header};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::clock::SharedClock;

pub struct Authorizer {
    issuer: String,
    audience: Vec<String>,
    keys: HashMap<String, DecodingKey>,
    clock: SharedClock,
}

/// A verified token: its claims as API Gateway renders them, and its scopes (on routes
/// that require scopes; API Gateway leaves `jwt.scopes` null elsewhere).
#[derive(Debug, Clone)]
pub struct Authorized {
    pub claims: Map<String, Value>,
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No token at all.
    Missing,
    /// A token that is not valid; the text is the `error_description`.
    Invalid(&'static str),
    /// A valid token without one of the route's scopes.
    InsufficientScope,
}

impl Refusal {
    /// API Gateway's answer: `401 {"message":"Unauthorized"}` for a missing or invalid
    /// token, `403 {"message":"Forbidden"}` for a valid one without the route's scope, each
    /// with a `WWW-Authenticate` header that says why.
    pub fn into_response(self, scopes: &[String]) -> axum::response::Response {
        use axum::response::IntoResponse;
        let scope = scopes.join(" ");
        let (status, message, challenge) = match self {
            Self::Missing => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Bearer".to_string(),
            ),
            Self::Invalid(why) => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                format!(
                    "Bearer scope=\"{scope}\" error=\"invalid_token\" error_description=\"{why}\""
                ),
            ),
            Self::InsufficientScope => (
                StatusCode::FORBIDDEN,
                "Forbidden",
                format!(
                    "Bearer scope=\"{scope}\" error=\"insufficient_scope\" error_description=\"expected scopes: [{scope}]\""
                ),
            ),
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "message": message }).to_string(),
        )
            .into_response();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
        response
    }
}

impl Authorizer {
    /// `audience` is the JWT configuration's audience list (the app client's id).
    pub fn new(issuer: &str, audience: Vec<String>, jwks: &JwkSet, clock: SharedClock) -> Self {
        let keys = jwks
            .keys
            .iter()
            .filter_map(|jwk| {
                let kid = jwk.common.key_id.clone()?;
                let key = DecodingKey::from_jwk(jwk).ok()?;
                // RSA keys only, as API Gateway's JWT authorizer accepts.
                (key.family() == jsonwebtoken::AlgorithmFamily::Rsa).then_some((kid, key))
            })
            .collect();
        Self {
            issuer: issuer.to_string(),
            audience,
            keys,
            clock,
        }
    }

    /// Checks the request's token for a route that requires `scopes` (one of them).
    pub fn check(&self, headers: &HeaderMap, scopes: &[String]) -> Result<Authorized, Refusal> {
        let token = bearer_token(headers)?;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| Refusal::Invalid("the token is malformed"))?;
        if header.alg != Algorithm::RS256 {
            return Err(Refusal::Invalid(
                "the token's signing algorithm is not supported",
            ));
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.keys.get(kid))
            .ok_or(Refusal::Invalid(
                "the token's kid is not in the issuer's JWKS",
            ))?;
        let mut validation = Validation::new(Algorithm::RS256);
        // The claims are checked below, against the injectable clock and with API
        // Gateway's audience rule; the library checks the signature and the algorithm.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
            .map_err(|_| Refusal::Invalid("the token's signature is not valid"))?
            .claims;

        if claims.get("iss").and_then(Value::as_str) != Some(self.issuer.as_str()) {
            return Err(Refusal::Invalid("the token does not have a valid issuer"));
        }
        if !self.audience_matches(&claims) {
            return Err(Refusal::Invalid("the token does not have a valid audience"));
        }
        self.check_times(&claims)?;
        let token_scopes = scopes_of(&claims);
        let authorized_scopes = if scopes.is_empty() {
            None
        } else {
            let has = |s: &String| token_scopes.as_ref().is_some_and(|t| t.contains(s));
            if !scopes.iter().any(has) {
                return Err(Refusal::InsufficientScope);
            }
            token_scopes
        };
        // API Gateway does not read token_use; Cognito's ID tokens are kept out by the
        // scope above. This also refuses any other non-access token that carries a scope.
        if claims
            .get("token_use")
            .is_some_and(|u| u.as_str() != Some("access"))
        {
            return Err(Refusal::Invalid("the token is not an access token"));
        }
        Ok(Authorized {
            claims: render_claims(&claims),
            scopes: authorized_scopes,
        })
    }

    /// API Gateway checks `aud` when the token has one, else `client_id`.
    fn audience_matches(&self, claims: &Map<String, Value>) -> bool {
        let allowed = |v: &Value| {
            v.as_str()
                .is_some_and(|s| self.audience.iter().any(|a| a == s))
        };
        match claims.get("aud") {
            Some(Value::Array(auds)) => auds.iter().any(allowed),
            Some(aud) => allowed(aud),
            None => claims.get("client_id").is_some_and(allowed),
        }
    }

    fn check_times(&self, claims: &Map<String, Value>) -> Result<(), Refusal> {
        let now = self.clock.now();
        let time = |name: &str| -> Result<Option<u64>, Refusal> {
            match claims.get(name) {
                None => Ok(None),
                Some(v) => v
                    .as_u64()
                    .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                    .map(Some)
                    .ok_or(Refusal::Invalid("the token has a malformed time claim")),
            }
        };
        let exp = time("exp")?.ok_or(Refusal::Invalid("the token has no exp claim"))?;
        if now >= exp {
            return Err(Refusal::Invalid("the token has expired"));
        }
        if time("nbf")?.is_some_and(|nbf| now < nbf) {
            return Err(Refusal::Invalid("the token is not valid yet"));
        }
        if time("iat")?.is_some_and(|iat| now < iat) {
            return Err(Refusal::Invalid("the token was issued in the future"));
        }
        Ok(())
    }
}

/// `Authorization: Bearer <jwt>`, or the bare token, which API Gateway also takes.
fn bearer_token(headers: &HeaderMap) -> Result<&str, Refusal> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(Refusal::Missing);
    };
    if values.next().is_some() {
        return Err(Refusal::Invalid("more than one Authorization header"));
    }
    let value = value
        .to_str()
        .map_err(|_| Refusal::Invalid("the token is malformed"))?
        .trim();
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => value,
    };
    if token.is_empty() || token.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::Missing);
    }
    Ok(token)
}

/// The token's scopes: `scp` (a list or a space-separated string) wins, else `scope`.
fn scopes_of(claims: &Map<String, Value>) -> Option<Vec<String>> {
    ["scp", "scope"]
        .iter()
        .find_map(|name| match claims.get(*name)? {
            Value::String(s) if !s.trim().is_empty() => {
                Some(s.split_whitespace().map(str::to_string).collect())
            }
            Value::Array(items) if !items.is_empty() => Some(
                items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect(),
            ),
            _ => None,
        })
}

/// API Gateway passes every claim as a string: strings as they are, numbers and booleans
/// as their text, lists as `[a b]`, objects as JSON text; null claims are left out.
fn render_claims(claims: &Map<String, Value>) -> Map<String, Value> {
    claims
        .iter()
        .filter_map(|(name, value)| {
            let text = match value {
                Value::Null => return None,
                Value::String(s) => s.clone(),
                Value::Array(items) => format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
                other => other.to_string(),
            };
            Some((name.clone(), Value::String(text)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_or_bare() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), Err(Refusal::Missing));
        for (value, token) in [
            ("Bearer a.b.c", "a.b.c"),
            ("bearer  a.b.c ", "a.b.c"),
            ("a.b.c", "a.b.c"),
        ] {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
            assert_eq!(bearer_token(&headers), Ok(token), "{value}");
        }
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), Err(Refusal::Missing));
    }

    #[test]
    fn claims_become_strings() {
        let claims = serde_json::json!({
            "sub": "s", "exp": 17, "admin": true, "groups": ["a", "b"], "gone": null,
            "nested": {"k": 1}
        });
        let rendered = render_claims(claims.as_object().unwrap());
        assert_eq!(
            Value::Object(rendered),
            serde_json::json!({
                "sub": "s", "exp": "17", "admin": "true", "groups": "[a b]",
                "nested": "{\"k\":1}"
            })
        );
    }
}
