//! What the local sign-in takes from `template.yaml`, so that it asks for and grants what
//! the Cognito app client does, and the page's `auth-config.json` (written from the stack's
//! outputs by scripts/publish-site on AWS, served by the edge here).

use std::path::Path;
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::{HeaderMap, header};
use serde_yaml::Value;

use crate::StackError;
use crate::idp::MOUNT;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSignIn {
    /// The app client's `AllowedOAuthScopes`.
    pub allowed_scopes: Vec<String>,
    /// The scopes the page asks for: the `AuthScope` output.
    pub page_scope: String,
}

impl TemplateSignIn {
    pub fn load(template: &Path) -> Result<Self, StackError> {
        let text = std::fs::read_to_string(template).map_err(StackError::io(format!(
            "cannot read {}",
            template.display()
        )))?;
        Self::parse(&text).map_err(|e| StackError::Setup(format!("{}: {e}", template.display())))
    }

    pub fn parse(template: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml::from_str(template).map_err(|e| e.to_string())?;
        let clients: Vec<&Value> = doc["Resources"]
            .as_mapping()
            .ok_or("no Resources mapping")?
            .values()
            .filter(|r| r["Type"].as_str() == Some("AWS::Cognito::UserPoolClient"))
            .collect();
        let [client] = clients.as_slice() else {
            return Err(format!(
                "expected one AWS::Cognito::UserPoolClient, found {}",
                clients.len()
            ));
        };
        let allowed_scopes: Vec<String> = client["Properties"]["AllowedOAuthScopes"]
            .as_sequence()
            .ok_or("the app client has no AllowedOAuthScopes")?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let page_scope = doc["Outputs"]["AuthScope"]["Value"]
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
        let sign_in = TemplateSignIn::load(&path).unwrap();
        assert!(
            sign_in
                .allowed_scopes
                .iter()
                .any(|s| s == "avatars/profile")
        );
        assert_eq!(sign_in.page_scope, "openid avatars/profile");
    }
}
