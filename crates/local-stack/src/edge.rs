//! The local edge: plays CloudFront on one port. Static paths come from `site/` (and
//! nothing outside it), `/api/*` goes through the local API Gateway (routes and JWT
//! authorizer from template.yaml) to the functions under `cargo lambda watch`,
//! `/avatars/*` is read from the embedded S3 with the headers CloudFront adds,
//! `/local-idp/*` is the development sign-in and `/auth-config.json` the page's sign-in
//! settings.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use s3s::service::{S3Service, S3ServiceBuilder};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use avatar_aws::headers;

use crate::clock::SharedClock;
use crate::gateway::authorizer::Authorizer;
use crate::gateway::invoke::Upstream;
use crate::gateway::routes::Routes;
use crate::gateway::{self, Gateway};
use crate::idp::auth_config::{self, AuthConfig, TemplateSignIn};
use crate::idp::{self, Idp, IdpSettings};
use crate::running::{Running, signalled};
use crate::template::Template;
use crate::{StackError, bind};

#[derive(Clone)]
pub struct EdgeSettings {
    /// A loopback address: the sign-in it serves lets anyone in.
    pub addr: SocketAddr,
    pub site_dir: PathBuf,
    /// Where `cargo lambda watch` listens, e.g. `http://127.0.0.1:9000`.
    pub api_upstream: String,
    /// The SAM template: the API's routes, its authorizer and the app client's scopes.
    pub template: Template,
    /// The embedded S3's data folder, read in-process as CloudFront's OAC reads the bucket.
    pub s3_root: PathBuf,
    pub bucket: String,
    /// The origin the page uploads to (the S3 endpoint), allowed by the site's CSP.
    pub upload_origin: String,
    pub sign_in: SignInSettings,
}

/// The development sign-in (`/local-idp`) and the authorizer that trusts it.
#[derive(Clone)]
pub struct SignInSettings {
    /// The page's OAuth client id (the app client's id on AWS).
    pub client_id: String,
    /// Where the signing key is kept, e.g. `.local/idp`.
    pub key_dir: PathBuf,
    pub clock: SharedClock,
    /// The user pool the provider plays (`USER_POOL_ID`).
    pub user_pool_id: String,
    /// Local IAM, which authorises the pool's `AdminDeleteUser` calls.
    pub iam: Option<Arc<crate::iam::Iam>>,
}

struct Edge {
    s3: S3Service,
    bucket: String,
}

pub async fn start_edge(settings: EdgeSettings) -> Result<Running, StackError> {
    let site_dir = std::fs::canonicalize(&settings.site_dir).map_err(StackError::io(format!(
        "edge: site folder {}",
        settings.site_dir.display()
    )))?;
    std::fs::create_dir_all(settings.s3_root.join(&settings.bucket))
        .map_err(StackError::io("edge: S3 data folder"))?;
    let fs = s3s_fs::FileSystem::new(&settings.s3_root)
        .map_err(|e| StackError::Setup(format!("edge: {e:?}")))?;
    let edge = Arc::new(Edge {
        s3: S3ServiceBuilder::new(fs).build(),
        bucket: settings.bucket.clone(),
    });
    // The sign-in lets anyone in as anyone: it must never be reachable from elsewhere.
    if !settings.addr.ip().is_loopback() {
        return Err(StackError::Setup(format!(
            "edge: {} is not a loopback address; the edge serves a development sign-in and listens on 127.0.0.1 only",
            settings.addr
        )));
    }
    let routes = Routes::from_template(&settings.template)
        .map_err(|e| StackError::Setup(format!("template.yaml: {e}")))?;
    let template_sign_in = TemplateSignIn::from_template(&settings.template)
        .map_err(|e| StackError::Setup(format!("template.yaml: {e}")))?;
    let upstream = Upstream::new(&settings.api_upstream)
        .map_err(|e| StackError::Setup(format!("edge: {e}")))?;
    // The issuer and the allowed redirect URIs name the real port, known once bound.
    let listener = bind(settings.addr, "edge").await?;
    let addr = listener.local_addr().map_err(StackError::io("edge"))?;
    let origins = vec![
        format!("http://127.0.0.1:{}", addr.port()),
        format!("http://localhost:{}", addr.port()),
    ];
    let sign_in = &settings.sign_in;
    let idp = Idp::new(IdpSettings {
        key_dir: sign_in.key_dir.clone(),
        issuer: format!("{}{}", origins[0], idp::MOUNT),
        client_id: sign_in.client_id.clone(),
        allowed_scopes: template_sign_in.allowed_scopes.clone(),
        redirect_uris: origins.iter().map(|o| format!("{o}/")).collect(),
        clock: Arc::clone(&sign_in.clock),
        user_pool_id: sign_in.user_pool_id.clone(),
        iam: sign_in.iam.clone(),
    })?;
    let gateway = Arc::new(Gateway {
        routes,
        authorizer: Authorizer::new(
            idp.issuer(),
            vec![sign_in.client_id.clone()],
            idp.jwks(),
            Arc::clone(&sign_in.clock),
        ),
        upstream,
        edge_host: format!("127.0.0.1:{}", addr.port()),
    });
    let auth_config = Arc::new(AuthConfig {
        client_id: sign_in.client_id.clone(),
        scope: template_sign_in.page_scope,
        origins,
    });

    let site_header = |name, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    let site = Router::new()
        .fallback_service(ServeDir::new(site_dir).append_index_html_on_directories(true))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            site_csp(&settings.upload_origin)?,
        ))
        .layer(site_header(
            header::X_FRAME_OPTIONS,
            headers::SITE_FRAME_OPTIONS,
        ))
        .layer(site_header(
            header::REFERRER_POLICY,
            headers::SITE_REFERRER_POLICY,
        ))
        .layer(site_header(
            HeaderName::from_static("permissions-policy"),
            headers::SITE_PERMISSIONS_POLICY,
        ))
        .layer(site_header(
            HeaderName::from_static("cross-origin-opener-policy"),
            headers::SITE_OPENER_POLICY,
        ))
        // The page changes with every deploy; CloudFront revalidates it.
        .layer(site_header(header::CACHE_CONTROL, "no-cache"));
    let router = Router::new()
        .route("/avatars/{*rest}", any(avatar))
        .with_state(edge)
        .route("/api/{*rest}", any(gateway::handle).with_state(gateway))
        .route(
            "/auth-config.json",
            get(auth_config::serve).with_state(auth_config),
        )
        .nest(idp::MOUNT, idp.router())
        .merge(site)
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static(headers::NOSNIFF),
        ));

    Ok(Running::spawn(addr, move |rx| async move {
        // The peer address becomes the event's sourceIp.
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service)
            .with_graceful_shutdown(signalled(rx))
            .await;
    }))
}

/// The same policy CloudFront's response headers policy sets on the site.
fn site_csp(upload_origin: &str) -> Result<HeaderValue, StackError> {
    HeaderValue::from_str(&headers::site_csp(upload_origin, ""))
        .map_err(|_| StackError::Setup(format!("edge: bad upload origin {upload_origin:?}")))
}

/// Only the shape of key this app writes: `avatars/{username}/{uuid}.{ext}`.
fn avatar_key(path: &str) -> Option<&str> {
    let key = path.strip_prefix('/')?;
    let safe_segment = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    (key.split('/').count() == 3 && key.split('/').all(safe_segment)).then_some(key)
}

fn avatar_headers(map: &mut HeaderMap) {
    map.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static(headers::NOSNIFF),
    );
    map.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(headers::AVATAR_CSP),
    );
}

/// Far above any avatar the app publishes (MAX_UPLOAD_BYTES, 5 MiB by default).
const AVATAR_READ_LIMIT: usize = 64 * 1024 * 1024;

async fn avatar(State(edge): State<Arc<Edge>>, request: Request) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let not_found = || {
        let mut response = (StatusCode::NOT_FOUND, "Not Found").into_response();
        avatar_headers(response.headers_mut());
        response
    };
    let Some(key) = avatar_key(request.uri().path()) else {
        return not_found();
    };
    let Ok(uri) = format!("/{}/{key}", edge.bucket).parse::<http::Uri>() else {
        return not_found();
    };
    let mut s3_request = http::Request::new(s3s::Body::empty());
    *s3_request.method_mut() = request.method().clone();
    *s3_request.uri_mut() = uri;
    match edge.s3.call(s3_request).await {
        Ok(s3_response) if s3_response.status().is_success() => {
            let (parts, mut body) = s3_response.into_parts();
            // Read whole before answering: a read that fails half-way is a 502, never a
            // 200 with a cut picture (or none). Avatars are small; the bound keeps them so.
            let bytes = match body.store_all_limited(AVATAR_READ_LIMIT).await {
                Ok(bytes) => bytes,
                Err(err) => {
                    tracing::warn!(error = %err, key, "avatar read broke off");
                    return StatusCode::BAD_GATEWAY.into_response();
                }
            };
            let mut response = Response::new(Body::from(bytes));
            for name in [
                header::CONTENT_TYPE,
                header::CONTENT_LENGTH,
                header::ETAG,
                header::LAST_MODIFIED,
            ] {
                if let Some(value) = parts.headers.get(&name) {
                    response.headers_mut().insert(name, value.clone());
                }
            }
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(headers::AVATAR_CACHE_CONTROL),
            );
            avatar_headers(response.headers_mut());
            response
        }
        Ok(s3_response) if s3_response.status() == StatusCode::NOT_FOUND => not_found(),
        Ok(s3_response) => {
            tracing::warn!(status = %s3_response.status(), key, "avatar read failed");
            StatusCode::BAD_GATEWAY.into_response()
        }
        Err(err) => {
            tracing::warn!(error = ?err, key, "avatar read failed");
            not_found()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::avatar_key;

    #[test]
    fn only_app_shaped_keys_are_read() {
        assert_eq!(
            avatar_key("/avatars/ada/3f0c.png"),
            Some("avatars/ada/3f0c.png")
        );
        for bad in [
            "/avatars/../incoming/x.png",
            "/avatars/ada/../../x",
            "/avatars/ada/%2e%2e",
            "/avatars/ada",
            "/avatars/ada/x/y.png",
            "/avatars//x.png",
            "/avatars/ada/..",
            "avatars/ada/x.png",
        ] {
            assert_eq!(avatar_key(bad), None, "{bad}");
        }
    }
}
