//! The local edge's `/api/*`: API Gateway's HTTP API played in-process. Routes and their
//! authorization come from `template.yaml`; protected routes pass the JWT authorizer
//! first; the edge then builds the format 2.0 event itself and invokes the function
//! through `cargo lambda watch`, so a function sees locally what it sees on AWS.

pub mod authorizer;
pub mod event;
pub mod invoke;
pub mod routes;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use authorizer::Authorizer;
use invoke::Upstream;
use routes::Routes;

/// API bodies are small JSON documents; the file itself never passes through the API.
pub const MAX_API_BODY: usize = 1024 * 1024;

pub struct Gateway {
    pub routes: Routes,
    pub authorizer: Authorizer,
    pub upstream: Upstream,
    /// `127.0.0.1:PORT`, for events of requests without a Host header.
    pub edge_host: String,
}

fn api_message(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "message": message }).to_string(),
    )
        .into_response()
}

pub async fn handle(State(gateway): State<Arc<Gateway>>, request: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut response = route(&gateway, request, &request_id).await;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("apigw-requestid", value);
    }
    response
}

async fn route(gateway: &Gateway, request: Request, request_id: &str) -> Response {
    let source_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_API_BODY).await else {
        let body = serde_json::json!({"error": {"code": "too_large", "message": "the request body is too large"}});
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    };
    let Some((route, path_parameters)) =
        gateway.routes.find(parts.method.as_str(), parts.uri.path())
    else {
        return api_message(StatusCode::NOT_FOUND, "Not Found");
    };
    let authorized = match &route.auth {
        None => None,
        Some(auth) => match gateway.authorizer.check(&parts.headers, &auth.scopes) {
            Ok(authorized) => Some(authorized),
            Err(refusal) => {
                tracing::info!(route = %route.key(), ?refusal, "authorizer refused the request");
                return refusal.into_response(&auth.scopes);
            }
        },
    };
    let now = time::OffsetDateTime::now_utc();
    let event = event::build(&event::EventInput {
        route,
        path_parameters: &path_parameters,
        parts: &parts,
        body: &body,
        source_ip,
        edge_host: &gateway.edge_host,
        request_id,
        authorized: authorized.as_ref(),
        now,
    });
    match gateway
        .upstream
        .invoke(&route.function, request_id, &event)
        .await
    {
        Ok(response) => response,
        Err(err) => err.into_response(gateway.upstream.base()),
    }
}
