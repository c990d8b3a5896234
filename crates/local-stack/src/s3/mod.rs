//! The embedded S3: s3s-fs behind a thin layer that answers browser uploads (POST Object)
//! and missing buckets as S3 does, wrapped in the app's one CORS rule.

mod authorize;
mod bounded;
mod bucket;
mod checksum;
mod form;
mod policy;
mod post_object;
mod xml;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};
use s3s::auth::SimpleAuth;
use s3s::config::{S3Config, StaticConfigProvider};
use s3s::service::{S3Service, S3ServiceBuilder};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::iam::Iam;
use crate::running::{Running, signalled};
use crate::{StackError, bind};

/// The embedded S3: files under `root/{bucket}/`, one access key, CORS for the site's origins.
#[derive(Debug, Clone)]
pub struct S3Settings {
    pub addr: std::net::SocketAddr,
    pub root: PathBuf,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    /// Browser origins allowed to POST uploads (the one CORS rule of the app).
    pub allowed_origins: Vec<String>,
    /// s3s checks a POST's `x-amz-date` against this skew; it must cover the upload TTL.
    pub max_skew: Duration,
    /// Local IAM: every function's key, authorised per operation by its statements.
    /// `None` accepts only the key above, for everything.
    pub iam: Option<Arc<Iam>>,
}

pub async fn start_s3(settings: S3Settings) -> Result<Running, StackError> {
    let bucket_dir = settings.root.join(&settings.bucket);
    std::fs::create_dir_all(&bucket_dir).map_err(StackError::io(format!(
        "S3: cannot create {}",
        bucket_dir.display()
    )))?;
    let root = std::fs::canonicalize(&settings.root).map_err(StackError::io("S3: data folder"))?;
    let fs = s3s_fs::FileSystem::new(&root).map_err(|e| StackError::Setup(format!("S3: {e:?}")))?;
    // Reads back what the verifier stored (an upload's ETag), without credentials.
    let reader =
        s3s_fs::FileSystem::new(&root).map_err(|e| StackError::Setup(format!("S3: {e:?}")))?;

    let mut config = S3Config::default();
    config.presigned_url_max_skew_time_secs =
        u32::try_from(settings.max_skew.as_secs()).unwrap_or(u32::MAX);
    // s3s holds a form's file in memory up to this; no upload of the app is larger.
    config.post_object_max_file_size = bounded::MAX_UPLOAD_BYTES;
    let secrets = match &settings.iam {
        Some(iam) => bounded::Secrets::Iam(Arc::clone(iam)),
        None => bounded::Secrets::Single {
            access_key: settings.access_key.clone(),
            secret_key: settings.secret_key.clone(),
        },
    };
    let mut builder = S3ServiceBuilder::new(fs);
    match &settings.iam {
        Some(iam) => {
            builder.set_auth(authorize::Keys(Arc::clone(iam)));
            builder.set_access(authorize::Access {
                iam: Arc::clone(iam),
                root: root.clone(),
            });
        }
        None => builder.set_auth(SimpleAuth::from_single(
            settings.access_key.clone(),
            settings.secret_key.clone(),
        )),
    }
    builder.set_config(Arc::new(StaticConfigProvider::new(Arc::new(config))));
    let service = builder.build();

    let origins = settings
        .allowed_origins
        .iter()
        .map(|o| {
            HeaderValue::from_str(o)
                .map_err(|_| StackError::Setup(format!("S3: bad CORS origin {o:?}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let listener = bind(settings.addr, "S3").await?;
    let addr = listener.local_addr().map_err(StackError::io("S3"))?;
    let stack = Arc::new(S3Stack {
        service,
        reader: S3ServiceBuilder::new(reader).build(),
        secrets,
        root,
        addr,
    });
    let router = Router::new()
        .fallback(forward)
        .with_state(stack)
        .layer(cors_rule(origins));
    Ok(Running::spawn(addr, move |rx| async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(signalled(rx))
            .await;
    }))
}

/// docs/design.md §2: the site's origins, POST, any header, expose ETag and Location, 10 minutes.
pub fn cors_rule(origins: Vec<HeaderValue>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::POST])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::ETAG, header::LOCATION])
        .max_age(Duration::from_secs(600))
}

/// The verifier (with the app's credentials) and what the layer around it needs.
struct S3Stack {
    service: S3Service,
    reader: S3Service,
    /// The keys that sign browser forms, checked before a form's body is read.
    secrets: bounded::Secrets,
    root: PathBuf,
    addr: SocketAddr,
}

async fn forward(State(s3): State<Arc<S3Stack>>, request: Request) -> Response {
    if let Some(refused) = bucket::missing(&s3.root, request.method(), request.uri().path()) {
        return refused;
    }
    let bucket = bucket::of_path(request.uri().path());
    if let Some(bucket) = bucket
        && let Some(boundary) = post_object::boundary_of(&request, &bucket)
    {
        return post_object::handle(&s3, request, &boundary, &bucket).await;
    }
    call(&s3.service, request).await
}

async fn call(service: &S3Service, request: Request) -> Response {
    let mut service = service.clone();
    match tower::Service::call(&mut service, request).await {
        Ok(response) => response.map(Body::new),
        Err(err) => {
            tracing::error!(error = ?err, "embedded S3 failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
