//! The local edge: plays CloudFront on one port. Static paths come from `site/` (and
//! nothing outside it), `/api/*` goes to the functions under `cargo lambda watch`, and
//! `/avatars/*` is read from the embedded S3 with the headers CloudFront adds.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use s3s::service::{S3Service, S3ServiceBuilder};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use avatar_core::headers;

use crate::running::{Running, signalled};
use crate::{StackError, bind};

/// API bodies are small JSON documents; the file itself never passes through the API.
const MAX_API_BODY: usize = 1024 * 1024;
/// Long enough for `cargo lambda watch` to compile a function on its first invocation.
const API_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct EdgeSettings {
    pub addr: std::net::SocketAddr,
    pub site_dir: PathBuf,
    /// Where `cargo lambda watch` listens, e.g. `http://127.0.0.1:9000`.
    pub api_upstream: String,
    /// The embedded S3's data folder, read in-process as CloudFront's OAC reads the bucket.
    pub s3_root: PathBuf,
    pub bucket: String,
    /// The origin the page uploads to (the S3 endpoint), allowed by the site's CSP.
    pub upload_origin: String,
}

struct Edge {
    api: reqwest::Client,
    api_upstream: String,
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
        api: reqwest::Client::builder()
            .timeout(API_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| StackError::Setup(format!("edge: {e}")))?,
        api_upstream: settings.api_upstream.trim_end_matches('/').to_string(),
        s3: S3ServiceBuilder::new(fs).build(),
        bucket: settings.bucket.clone(),
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
        .route("/api/{*rest}", any(api))
        .route("/avatars/{*rest}", any(avatar))
        .with_state(edge)
        .merge(site)
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static(headers::NOSNIFF),
        ));

    let listener = bind(settings.addr, "edge").await?;
    let addr = listener.local_addr().map_err(StackError::io("edge"))?;
    Ok(Running::spawn(addr, move |rx| async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(signalled(rx))
            .await;
    }))
}

/// The same policy CloudFront's response headers policy sets on the site.
fn site_csp(upload_origin: &str) -> Result<HeaderValue, StackError> {
    HeaderValue::from_str(&headers::site_csp(upload_origin, ""))
        .map_err(|_| StackError::Setup(format!("edge: bad upload origin {upload_origin:?}")))
}

fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Hop-by-hop headers are the proxy's own; CORS headers are dropped because the page and
/// the API share an origin behind CloudFront, as here.
fn forwardable(name: &HeaderName) -> bool {
    !matches!(
        name.as_str(),
        "host"
            | "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "proxy-authorization"
            | "proxy-authenticate"
            | "content-length"
    ) && !name.as_str().starts_with("access-control-")
}

async fn api(State(edge): State<Arc<Edge>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_API_BODY).await else {
        return json_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the request body is too large",
        );
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut upstream = edge
        .api
        .request(parts.method.clone(), format!("{}{path}", edge.api_upstream));
    for (name, value) in parts.headers.iter().filter(|(n, _)| forwardable(n)) {
        upstream = upstream.header(name, value);
    }
    let response = match upstream.body(body).send().await {
        Ok(response) => response,
        Err(err) => {
            tracing::warn!(error = %err, "API upstream failed");
            let message = format!(
                "the API functions are not answering at {}: is `cargo lambda watch` running?",
                edge.api_upstream
            );
            return json_error(StatusCode::BAD_GATEWAY, "bad_gateway", &message);
        }
    };
    let status = response.status();
    let mut headers = HeaderMap::new();
    for (name, value) in response.headers().iter().filter(|(n, _)| forwardable(n)) {
        headers.append(name.clone(), value.clone());
    }
    let body = response.bytes().await.unwrap_or_default();
    let mut out = Response::new(Body::from(body));
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    out
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
            let (parts, body) = s3_response.into_parts();
            let mut response = Response::new(Body::new(body));
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
