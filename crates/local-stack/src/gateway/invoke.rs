//! Calls a function through `cargo lambda watch`'s Lambda Invoke API
//! (`POST /2015-03-31/functions/{name}/invocations`; watch compiles a function on its first
//! invocation) and turns its proxy response into HTTP, as API Gateway does.

use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderName, HeaderValue, StatusCode, header};
use serde_json::Value;

/// Long enough for `cargo lambda watch` to compile a function on its first invocation.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(300);

pub struct Upstream {
    client: reqwest::Client,
    base: String,
}

/// Why a function gave no usable answer.
#[derive(Debug)]
pub enum InvokeError {
    /// Nothing answers at the watch address.
    Unreachable(String),
    /// The function ran past the timeout.
    TimedOut,
    /// The function failed (panicked, returned an error) or answered something that is
    /// not a proxy response; API Gateway answers 500 for both.
    Failed(String),
    /// The answer broke off in transit (the connection dropped mid-body): what arrived is
    /// not the function's answer, so nothing of it is passed on.
    BrokeOff(String),
}

impl Upstream {
    pub fn new(base: &str) -> Result<Self, reqwest::Error> {
        Ok(Self {
            client: reqwest::Client::builder()
                .timeout(INVOKE_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn invoke(
        &self,
        function: &str,
        request_id: &str,
        event: &Value,
    ) -> Result<Response, InvokeError> {
        let url = format!("{}/2015-03-31/functions/{function}/invocations", self.base);
        let answer = self
            .client
            .post(url)
            // watch keeps a request id it is given, so the function's context and the
            // event's requestContext.requestId agree.
            .header("lambda-runtime-aws-request-id", request_id)
            .json(event)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    InvokeError::TimedOut
                } else {
                    InvokeError::Unreachable(e.to_string())
                }
            })?;
        let status = answer.status();
        // Read whole before anything is answered: a body that fails half-way is then a
        // 502, never a 2xx with the part that arrived (or nothing).
        let bytes = answer.bytes().await.map_err(|e| {
            if e.is_timeout() {
                InvokeError::TimedOut
            } else {
                InvokeError::BrokeOff(error_chain(&e))
            }
        })?;
        if status != StatusCode::OK {
            return Err(InvokeError::Failed(format!(
                "invoke answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        proxy_response(&bytes).map_err(InvokeError::Failed)
    }
}

/// An error with its causes (reqwest's own text is only "error decoding response body").
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Headers the edge sets itself or that belong to one connection.
fn droppable(name: &HeaderName) -> bool {
    super::event::hop_by_hop(name)
        || name == header::CONTENT_LENGTH
        || name.as_str().starts_with("access-control-")
}

/// A Lambda proxy response (format 2.0) as HTTP. A payload without `statusCode` is, as in
/// API Gateway, a 200 whose JSON body is the payload itself.
pub fn proxy_response(payload: &[u8]) -> Result<Response, String> {
    let value: Value = serde_json::from_slice(payload).map_err(|e| format!("not JSON: {e}"))?;
    let Some(object) = value.as_object().filter(|o| o.contains_key("statusCode")) else {
        let mut response = Response::new(Body::from(payload.to_vec()));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return Ok(response);
    };
    let status = object
        .get("statusCode")
        .and_then(|s| s.as_u64().or_else(|| s.as_str()?.parse().ok()))
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or("statusCode is not an HTTP status")?;
    let body = match object.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(body)) if object.get("isBase64Encoded") == Some(&Value::Bool(true)) => {
            STANDARD
                .decode(body)
                .map_err(|e| format!("body is not base64: {e}"))?
        }
        Some(Value::String(body)) => body.clone().into_bytes(),
        Some(other) => other.to_string().into_bytes(),
    };
    let mut response = (status, body).into_response();
    response.headers_mut().remove(header::CONTENT_TYPE);
    let headers = response.headers_mut();
    let mut add = |name: &str, value: &Value| -> Result<(), String> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Null => return Ok(()),
            other => other.to_string(),
        };
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("bad header name {name:?}"))?;
        if droppable(&name) {
            return Ok(());
        }
        let value =
            HeaderValue::from_str(&text).map_err(|_| format!("bad value for header {name}"))?;
        headers.append(name, value);
        Ok(())
    };
    if let Some(single) = object.get("headers").and_then(Value::as_object) {
        for (name, value) in single {
            add(name, value)?;
        }
    }
    if let Some(multi) = object.get("multiValueHeaders").and_then(Value::as_object) {
        for (name, values) in multi {
            for value in values.as_array().into_iter().flatten() {
                add(name, value)?;
            }
        }
    }
    if let Some(cookies) = object.get("cookies").and_then(Value::as_array) {
        for cookie in cookies {
            add("set-cookie", cookie)?;
        }
    }
    Ok(response)
}

impl InvokeError {
    /// What API Gateway answers (the edge's own 502 when watch is not running at all).
    pub fn into_response(self, upstream: &str) -> Response {
        let message = |text: &str| {
            (
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::json!({ "message": text }).to_string(),
            )
        };
        match self {
            Self::Unreachable(err) => {
                tracing::warn!(error = %err, "API upstream failed");
                let message = format!(
                    "the API functions are not answering at {upstream}: is `cargo lambda watch` running?"
                );
                let body =
                    serde_json::json!({"error": {"code": "bad_gateway", "message": message}});
                (
                    StatusCode::BAD_GATEWAY,
                    [(header::CONTENT_TYPE, "application/json")],
                    body.to_string(),
                )
                    .into_response()
            }
            Self::BrokeOff(err) => {
                tracing::warn!(error = %err, "API upstream answer broke off");
                let body = serde_json::json!({"error": {
                    "code": "bad_gateway",
                    "message": format!("the answer from {upstream} broke off before its end"),
                }});
                (
                    StatusCode::BAD_GATEWAY,
                    [(header::CONTENT_TYPE, "application/json")],
                    body.to_string(),
                )
                    .into_response()
            }
            Self::TimedOut => {
                tracing::warn!("function timed out");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    message("Service Unavailable"),
                )
                    .into_response()
            }
            Self::Failed(why) => {
                tracing::warn!(error = %why, "function failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    message("Internal Server Error"),
                )
                    .into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::proxy_response;

    #[tokio::test]
    async fn proxy_responses() {
        let r = proxy_response(
            br#"{"statusCode":201,"headers":{"content-type":"application/json","connection":"close"},
               "multiValueHeaders":{"x-a":["1","2"]},"cookies":["a=1","b=2"],"body":"{}"}"#,
        )
        .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["content-type"], "application/json");
        assert!(r.headers().get("connection").is_none());
        assert_eq!(r.headers().get_all("x-a").iter().count(), 2);
        assert_eq!(r.headers().get_all("set-cookie").iter().count(), 2);

        let r =
            proxy_response(br#"{"statusCode":200,"body":"aGk=","isBase64Encoded":true}"#).unwrap();
        let body = axum::body::to_bytes(r.into_body(), 100).await.unwrap();
        assert_eq!(&body[..], b"hi");

        let r = proxy_response(br#"{"hello":"world"}"#).unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/json");

        assert!(proxy_response(b"not json").is_err());
        assert!(proxy_response(br#"{"statusCode":"x"}"#).is_err());
    }
}
