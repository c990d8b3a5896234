//! A stand-in for `cargo lambda watch`'s Invoke API on an ephemeral port: it records every
//! invocation (function name and event) and answers a canned proxy response, so edge
//! tests can prove what reached a function, and what did not.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Invocation {
    pub function: String,
    pub event: Value,
}

#[derive(Clone)]
struct Shared {
    calls: Arc<Mutex<Vec<Invocation>>>,
    answer: Arc<Mutex<(u16, Value)>>,
}

pub struct FakeLambda {
    addr: SocketAddr,
    shared: Shared,
    _server: tokio::task::JoinHandle<()>,
}

/// The answer until told otherwise: `200 {"ok": true}`.
pub fn ok_response() -> Value {
    serde_json::json!({
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": "{\"ok\":true}",
        "isBase64Encoded": false
    })
}

impl FakeLambda {
    pub async fn start() -> Self {
        let shared = Shared {
            calls: Arc::default(),
            answer: Arc::new(Mutex::new((200, ok_response()))),
        };
        let app = Router::new()
            .route("/2015-03-31/functions/{name}/invocations", post(invoke))
            .with_state(shared.clone());
        let (addr, server) = crate::serve::serve(app).await;
        Self {
            addr,
            shared,
            _server: server,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every invocation so far, oldest first.
    pub fn calls(&self) -> Vec<Invocation> {
        self.shared.calls.lock().expect("calls").clone()
    }

    /// The status the Invoke API answers with and its payload (a function's proxy
    /// response on 200, the runtime's error otherwise).
    pub fn answer_with(&self, status: u16, payload: Value) {
        *self.shared.answer.lock().expect("answer") = (status, payload);
    }
}

async fn invoke(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> (http::StatusCode, String) {
    let event = serde_json::from_slice(&body).unwrap_or(Value::Null);
    shared.calls.lock().expect("calls").push(Invocation {
        function: name,
        event,
    });
    let (status, payload) = shared.answer.lock().expect("answer").clone();
    (
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
        payload.to_string(),
    )
}
