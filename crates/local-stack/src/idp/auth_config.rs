//! What the local sign-in takes from `template.yaml`, so that it asks for and grants what
//! the Cognito app client does, and the page's `auth-config.json` (written from the stack's
//! outputs by scripts/publish-site on AWS, served by the edge here).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::{HeaderMap, header};
use serde_yaml::Value;

use crate::idp::MOUNT;
use crate::template::Template;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSignIn {
    /// The app client's `AllowedOAuthScopes`.
    pub allowed_scopes: Vec<String>,
    /// The scopes the page asks for: the `AuthScope` output.
    pub page_scope: String,
}

impl TemplateSignIn {
    /// The app client's scopes and the page's `AuthScope` output in `template`.
    pub fn from_template(template: &Template) -> Result<Self, String> {
        let clients: Vec<&Value> = template
            .of_type("AWS::Cognito::UserPoolClient")
            .map(|(_, props)| props)
            .collect();
        let [client] = clients.as_slice() else {
            return Err(format!(
                "expected one AWS::Cognito::UserPoolClient, found {}",
                clients.len()
            ));
        };
        let allowed_scopes: Vec<String> = client["AllowedOAuthScopes"]
            .as_sequence()
            .ok_or("the app client has no AllowedOAuthScopes")?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let page_scope = template.section("Outputs")["AuthScope"]["Value"]
            .as_str()
            .ok_or("no AuthScope output (the scopes the page asks for)")?
            .to_string();
        if let Some(unknown) = page_scope
            .split_whitespace()
            .find(|s| !allowed_scopes.iter().any(|a| a == s))
        {
            return Err(format!(
                "the AuthScope output asks for {unknown}, which the app client does not allow"
            ));
        }
        Ok(Self {
            allowed_scopes,
            page_scope,
        })
    }
}

/// The page's sign-in settings.
pub struct AuthConfig {
    pub client_id: String,
    pub scope: String,
    /// The origins the page may be served from (`http://127.0.0.1:PORT`, `http://localhost:PORT`),
    /// the first being the canonical one.
    pub origins: Vec<String>,
}

/// `GET /auth-config.json`. The endpoints are on the origin the page was loaded from, so
/// that the sign-in stays same-origin (the page's CSP allows `connect-src 'self'`) for
/// both spellings of loopback; the tokens' issuer is the canonical one either way.
pub async fn serve(State(config): State<Arc<AuthConfig>>, headers: HeaderMap) -> impl IntoResponse {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin = config
        .origins
        .iter()
        .find(|o| o.strip_prefix("http://") == Some(host))
        .or(config.origins.first())
        .cloned()
        .unwrap_or_default();
    let idp = format!("{origin}{MOUNT}");
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(serde_json::json!({
            "clientId": config.client_id,
            "scope": config.scope,
            "authorizationEndpoint": format!("{idp}/authorize"),
            "tokenEndpoint": format!("{idp}/token"),
            "logoutEndpoint": format!("{idp}/logout"),
        })),
    )
}

#[cfg(test)]
mod tests {
    use super::TemplateSignIn;

    #[test]
    fn the_projects_template() {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let sign_in =
            TemplateSignIn::from_template(&crate::template::Template::load(&path).unwrap())
                .unwrap();
        assert!(
            sign_in
                .allowed_scopes
                .iter()
                .any(|s| s == "avatars/profile")
        );
        assert_eq!(sign_in.page_scope, "openid avatars/profile");
    }
}
