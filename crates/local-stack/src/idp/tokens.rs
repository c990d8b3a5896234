//! The tokens the provider issues. Access tokens carry exactly the claims a Cognito access
//! token carries that the app can rely on (no `aud`: API Gateway checks `client_id`
//! instead); ID tokens are there for OpenID clients and so that tests can prove the
//! authorizer refuses them. Refresh tokens are signed too, so they survive a restart.

use jsonwebtoken::Validation;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Idp;

pub const ACCESS_TOKEN_SECONDS: u64 = 3600;
const REFRESH_TOKEN_SECONDS: u64 = 30 * 24 * 3600;

/// Who signed in, for which client and scopes: what every token of one sign-in shares.
#[derive(Debug, Clone)]
pub struct Session {
    pub client_id: String,
    pub sub: String,
    pub username: String,
    pub scope: Vec<String>,
    pub auth_time: u64,
    pub nonce: Option<String>,
}

#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    client_id: &'a str,
    token_use: &'static str,
    scope: String,
    username: &'a str,
    auth_time: u64,
    iat: u64,
    exp: u64,
    jti: String,
}

#[derive(Serialize)]
struct IdClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    token_use: &'static str,
    #[serde(rename = "cognito:username")]
    username: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    auth_time: u64,
    iat: u64,
    exp: u64,
    jti: String,
}

/// Cognito's refresh tokens are opaque to clients; this one is a JWT whose `aud` is the
/// token endpoint, so API Gateway's audience check (and ours) refuses it as an access token.
#[derive(Serialize, Deserialize)]
struct RefreshClaims {
    iss: String,
    sub: String,
    aud: String,
    azp: String,
    token_use: String,
    username: String,
    granted_scope: String,
    auth_time: u64,
    iat: u64,
    exp: u64,
    jti: String,
}

#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub token_type: &'static str,
    pub expires_in: u64,
}

impl Idp {
    fn refresh_audience(&self) -> String {
        format!("{}/token", self.issuer())
    }

    /// An access token, an ID token when `openid` was granted, and a refresh token when
    /// `with_refresh` (a code exchange; a refresh keeps its refresh token, as Cognito does).
    pub(super) fn issue_tokens(
        &self,
        session: &Session,
        with_refresh: bool,
    ) -> Result<TokenResponse, jsonwebtoken::errors::Error> {
        let now = self.now();
        let iss = self.issuer();
        let access_token = self.key.sign(&AccessClaims {
            iss,
            sub: &session.sub,
            client_id: &session.client_id,
            token_use: "access",
            scope: session.scope.join(" "),
            username: &session.username,
            auth_time: session.auth_time,
            iat: now,
            exp: now + ACCESS_TOKEN_SECONDS,
            jti: Uuid::new_v4().to_string(),
        })?;
        let id_token = if session.scope.iter().any(|s| s == "openid") {
            Some(self.key.sign(&IdClaims {
                iss,
                sub: &session.sub,
                aud: &session.client_id,
                token_use: "id",
                username: &session.username,
                nonce: session.nonce.as_deref(),
                auth_time: session.auth_time,
                iat: now,
                exp: now + ACCESS_TOKEN_SECONDS,
                jti: Uuid::new_v4().to_string(),
            })?)
        } else {
            None
        };
        let refresh_token = if with_refresh {
            Some(self.key.sign(&RefreshClaims {
                iss: iss.to_string(),
                sub: session.sub.clone(),
                aud: self.refresh_audience(),
                azp: session.client_id.clone(),
                token_use: "refresh".into(),
                username: session.username.clone(),
                granted_scope: session.scope.join(" "),
                auth_time: session.auth_time,
                iat: now,
                exp: now + REFRESH_TOKEN_SECONDS,
                jti: Uuid::new_v4().to_string(),
            })?)
        } else {
            None
        };
        Ok(TokenResponse {
            access_token,
            id_token,
            refresh_token,
            token_type: "Bearer",
            expires_in: ACCESS_TOKEN_SECONDS,
        })
    }

    /// The session a refresh token stands for, if this provider issued it and it is
    /// still valid.
    pub(super) fn read_refresh_token(&self, token: &str) -> Option<Session> {
        let mut validation = Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.set_issuer(&[self.issuer()]);
        validation.set_audience(&[self.refresh_audience()]);
        // Expiry is checked below against the provider's clock, which tests move.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = self
            .key
            .verify::<RefreshClaims>(token, &validation)
            .ok()?
            .claims;
        if claims.token_use != "refresh" || claims.exp <= self.now() {
            return None;
        }
        Some(Session {
            client_id: claims.azp,
            sub: claims.sub,
            username: claims.username,
            scope: claims
                .granted_scope
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            auth_time: claims.auth_time,
            nonce: None,
        })
    }
}
