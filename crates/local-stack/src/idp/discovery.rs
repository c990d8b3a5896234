//! OpenID Connect discovery and the public keys, so standard clients find everything from
//! the issuer alone.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::header;

use super::Idp;

pub async fn configuration(State(idp): State<Arc<Idp>>) -> impl IntoResponse {
    let issuer = idp.issuer();
    let body = serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks.json"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": idp.settings.allowed_scopes,
    });
    ([(header::CACHE_CONTROL, "no-cache")], Json(body))
}

pub async fn jwks(State(idp): State<Arc<Idp>>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(idp.jwks().clone()),
    )
}
