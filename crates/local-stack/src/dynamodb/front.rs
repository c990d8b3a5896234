//! Local IAM in front of dynoxide (which checks only that a signature's parts are named,
//! not that they verify): each call's SigV4 signature is verified, the call authorised
//! by the key that signed it, then passed on unchanged. A refusal is DynamoDB's own
//! `400` answer (`MissingAuthenticationTokenException`, `InvalidSignatureException`,
//! `AccessDeniedException`, …) and never reaches the table.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use super::authorize;
use super::sigv4::{self, Refusal};
use crate::iam::{Iam, Verdict};

/// DynamoDB accepts bodies up to 16 MB.
const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) struct Front {
    pub iam: Arc<Iam>,
    pub partition_key: &'static str,
    /// dynoxide on its own loopback port.
    pub upstream: String,
    pub client: reqwest::Client,
}

pub(crate) async fn guard(State(front): State<Arc<Front>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let secret_of = |key: &str| front.iam.secret_of(key).map(str::to_string);
    let expected = sigv4::Expected {
        region: &front.iam.names().region,
        service: "dynamodb",
        signed_headers: &["host", "x-amz-date", "x-amz-target"],
        now: SystemTime::now(),
    };
    let verified = sigv4::verify(
        &parts.method,
        &parts.uri,
        &parts.headers,
        &body,
        &expected,
        secret_of,
    );
    let key = match verified {
        Ok(key) => key.to_string(),
        // dynoxide checks only that the names of a signature's parts are present, so an
        // unsigned call (or one "signed" in the query string, which the SDK never sends)
        // would reach the table as nobody. Off, the stack keeps letting dynoxide answer.
        Err(Refusal::Unsigned) if !front.iam.enforcing() => {
            return forward(&front, parts, body).await;
        }
        Err(Refusal::Unsigned) => return json_error(authorize::missing_token()),
        Err(Refusal::BadSignature) => return json_error(authorize::invalid_signature()),
        Err(Refusal::UnknownKey) => return json_error(authorize::unrecognized_client()),
    };
    if let Some(operation) = authorize::operation(&parts.headers) {
        let requests =
            match authorize::requests(&operation, &body, front.iam.names(), front.partition_key) {
                Ok(requests) => requests,
                Err(unreadable) => return json_error(unreadable.answer()),
            };
        for request in &requests {
            let refused = match front.iam.authorise(&key, request) {
                Verdict::Allowed => continue,
                Verdict::Denied(message) => authorize::access_denied(&message),
                Verdict::UnknownKey => authorize::unrecognized_client(),
            };
            return json_error(refused);
        }
    }
    forward(&front, parts, body).await
}

fn json_error((status, body): (StatusCode, serde_json::Value)) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    response
}

async fn forward(front: &Front, parts: http::request::Parts, body: Bytes) -> Response {
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_string();
    let mut upstream = front
        .client
        .request(parts.method, format!("{}{path}", front.upstream))
        .body(body);
    for (name, value) in &parts.headers {
        if name != header::HOST && name != header::CONTENT_LENGTH {
            upstream = upstream.header(name, value);
        }
    }
    let answer = match upstream.send().await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::error!(error = %e, "embedded DynamoDB unreachable behind local IAM");
            return StatusCode::BAD_GATEWAY.into_response();
        }
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let Ok(bytes) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if name != header::TRANSFER_ENCODING && name != header::CONTENT_LENGTH {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}
