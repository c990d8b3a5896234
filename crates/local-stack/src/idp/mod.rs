//! A development OpenID provider, mounted in the local edge at `/local-idp` so it shares the
//! app's origin. It plays the Cognito managed login the app uses on AWS: the
//! authorization-code grant with PKCE (S256) for one public client, refresh tokens, and
//! RS256 access tokens shaped like Cognito's. Anyone can sign in as any name: it exists for
//! development on 127.0.0.1 and must never be reachable from anywhere else.

mod admin;
pub mod auth_config;
mod authorize;
mod codes;
mod discovery;
mod keys;
mod logout;
mod page;
mod pool;
mod request;
mod token;
mod tokens;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use jsonwebtoken::jwk::JwkSet;

use crate::StackError;
use crate::clock::SharedClock;
use crate::iam::Iam;

pub use keys::SigningKey;
pub use pool::account_id;
pub use tokens::ACCESS_TOKEN_SECONDS;

/// Where the provider lives under the edge's origin.
pub const MOUNT: &str = "/local-idp";

#[derive(Clone)]
pub struct IdpSettings {
    /// The folder holding `signing-key.pem`, e.g. `.local/idp`.
    pub key_dir: PathBuf,
    /// The `iss` of every token: the edge's 127.0.0.1 origin + `/local-idp`.
    pub issuer: String,
    /// The one public client (the page); it has no secret, PKCE instead.
    pub client_id: String,
    /// The scopes the client may ask for (the template's app client lists them).
    pub allowed_scopes: Vec<String>,
    /// Exact callback and sign-out URLs: the page's origins with a trailing `/`.
    pub redirect_uris: Vec<String>,
    pub clock: SharedClock,
    /// The user pool's id (`USER_POOL_ID`), which `AdminDeleteUser` must name.
    pub user_pool_id: String,
    /// Local IAM, which authorises the pool's administration calls; `None` refuses them.
    pub iam: Option<Arc<Iam>>,
}

pub struct Idp {
    settings: IdpSettings,
    key: SigningKey,
    codes: codes::Codes,
    pool: pool::Pool,
}

impl Idp {
    pub fn new(settings: IdpSettings) -> Result<Arc<Self>, StackError> {
        let key = SigningKey::load_or_create(&settings.key_dir)?;
        let pool = pool::Pool::load(&settings.key_dir)?;
        Ok(Arc::new(Self {
            settings,
            key,
            codes: codes::Codes::default(),
            pool,
        }))
    }

    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.settings.client_id
    }

    /// The public keys the authorizer trusts.
    pub fn jwks(&self) -> &JwkSet {
        self.key.jwks()
    }

    pub fn kid(&self) -> &str {
        self.key.kid()
    }

    fn now(&self) -> u64 {
        self.settings.clock.now()
    }

    /// The routes, to be nested under [`MOUNT`].
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(discovery::configuration),
            )
            .route("/jwks.json", get(discovery::jwks))
            .route(
                "/authorize",
                get(authorize::show_form).post(authorize::sign_in),
            )
            .route("/token", axum::routing::post(token::exchange))
            .route("/logout", get(logout::logout))
            .route("/cognito-idp", axum::routing::post(admin::call))
            .route("/cognito-idp/", axum::routing::post(admin::call))
            .with_state(Arc::clone(self))
    }
}
