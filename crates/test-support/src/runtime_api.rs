//! A stand-in for Lambda's Runtime API (the `2018-06-01` endpoints `lambda_runtime`
//! polls) on an ephemeral port: it hands out the events it is given, one per poll, and
//! keeps what the function answered. Tests run a real function binary against it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

#[derive(Default)]
struct Shared {
    events: Mutex<VecDeque<Value>>,
    answers: Mutex<Vec<Value>>,
    notify: tokio::sync::Notify,
}

pub struct FakeRuntimeApi {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _server: tokio::task::JoinHandle<()>,
}

impl FakeRuntimeApi {
    pub async fn serving(events: Vec<Value>) -> Self {
        let shared = Arc::new(Shared {
            events: Mutex::new(events.into()),
            ..Shared::default()
        });
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(answered),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
            .route("/2018-06-01/runtime/init/error", post(init_failed))
            .with_state(Arc::clone(&shared));
        let (addr, server) = crate::serve::serve(app).await;
        Self {
            addr,
            shared,
            _server: server,
        }
    }

    /// `AWS_LAMBDA_RUNTIME_API`'s value: `host:port`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// Waits until the function has answered `count` events, and returns the answers
    /// (each the JSON the runtime posted; a failure as `{"error": …}`).
    pub async fn answers(&self, count: usize) -> Vec<Value> {
        loop {
            let notified = self.shared.notify.notified();
            {
                let answers = self.shared.answers.lock().expect("answers");
                if answers.len() >= count {
                    return answers.clone();
                }
            }
            notified.await;
        }
    }
}

/// The long poll: the next event, or none while the queue is empty (the poll then waits,
/// as Lambda's does, until the test ends).
async fn next(State(shared): State<Arc<Shared>>) -> Response {
    let event = shared.events.lock().expect("events").pop_front();
    let Some(event) = event else {
        std::future::pending::<()>().await;
        return StatusCode::GONE.into_response();
    };
    let deadline_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
        + 10_000;
    Response::builder()
        .header("content-type", "application/json")
        .header(
            "lambda-runtime-aws-request-id",
            uuid::Uuid::new_v4().to_string(),
        )
        .header("lambda-runtime-deadline-ms", deadline_ms.to_string())
        .header(
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:000000000000:function:test",
        )
        .body(axum::body::Body::from(event.to_string()))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn keep(shared: &Shared, answer: Value) -> impl IntoResponse + use<> {
    shared.answers.lock().expect("answers").push(answer);
    shared.notify.notify_waiters();
    (StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
}

async fn answered(State(shared): State<Arc<Shared>>, body: Bytes) -> impl IntoResponse {
    let answer = serde_json::from_slice(&body).unwrap_or(Value::Null);
    keep(&shared, answer)
}

async fn failed(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> impl IntoResponse {
    let error = format!("invocation {id}: {}", String::from_utf8_lossy(&body));
    keep(&shared, serde_json::json!({ "error": error }))
}

async fn init_failed(State(shared): State<Arc<Shared>>, body: Bytes) -> impl IntoResponse {
    let error = format!("init: {}", String::from_utf8_lossy(&body));
    keep(&shared, serde_json::json!({ "error": error }))
}
