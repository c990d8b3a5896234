//! Whatever `RUST_LOG` says, no bearer token, `Authorization` header or claim set reaches a
//! log line: the real function binary, at `trace`, under the real Lambda runtime against a
//! stand-in Runtime API, answers a signed-in `GET /api/me` and everything it printed is
//! searched. (At `trace` the runtime itself logs each raw event.)

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use test_support::runtime_api::FakeRuntimeApi;
use test_support::{ACCESS_KEY, REGION, SECRET_KEY, TABLE, TestStack, events};

const TOKEN: &str = "eyJraWQiOiJzZWNyZXQifQ.eyJzdWIiOiJTRUNSRVQtQkVBUkVSIn0.SECRET-SIGNATURE-4f2a";
const SECRET_CLAIM: &str = "secret-claim-7d41@example.com";

/// `GET /api/me` as API Gateway hands it over: the bearer token in its header, the
/// verified claims (with one only this test uses) in the request context.
fn signed_in_event() -> Value {
    let mut event = events::fixture("get-profile/me");
    event["headers"]["authorization"] = format!("Bearer {TOKEN}").into();
    event["requestContext"]["authorizer"]["jwt"]["claims"]["email"] = SECRET_CLAIM.into();
    event
}

#[tokio::test]
async fn at_trace_no_token_header_or_claim_is_logged() {
    let stack = TestStack::start().await;
    let event = signed_in_event();
    let claims = event["requestContext"]["authorizer"]["jwt"]["claims"].clone();
    let runtime = FakeRuntimeApi::serving(vec![event]).await;

    let mut function = std::process::Command::new(env!("CARGO_BIN_EXE_get-profile"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime.address())
        .env("AWS_LAMBDA_FUNCTION_NAME", "get-profile")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("RUST_LOG", "trace")
        .env("AWS_REGION", REGION)
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_ENDPOINT_URL_DYNAMODB", stack.dynamodb.url())
        .env("PROFILES_TABLE", TABLE)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the function starts");

    let answers = tokio::time::timeout(Duration::from_secs(60), runtime.answers(1))
        .await
        .expect("the function answers");
    assert_eq!(
        answers[0]["statusCode"], 404,
        "no profile yet: {}",
        answers[0]
    );
    // The request's line is written before the answer is posted; give it a moment to flush.
    tokio::time::sleep(Duration::from_millis(200)).await;
    function.kill().expect("stop the function");
    let output = function.wait_with_output().expect("its output");
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    assert!(
        logs.contains("\"code\":\"not_found\""),
        "the request's own line is there: {logs}"
    );
    let mut secrets = vec![
        TOKEN.to_string(),
        "SECRET-SIGNATURE".to_string(),
        "Bearer".to_string(),
        SECRET_CLAIM.to_string(),
    ];
    for (name, value) in claims.as_object().expect("claims") {
        // The account id may be logged, as the one audit field; no other claim that could
        // be told apart from ordinary log text (times and "2" could not).
        let value = value.as_str().expect("claims are strings");
        if name != "sub" && name != "username" && value.len() >= 16 {
            secrets.push(value.to_string());
        }
    }
    for secret in secrets {
        assert!(
            !logs.contains(&secret),
            "{secret:?} reached the logs:\n{logs}"
        );
    }
}
