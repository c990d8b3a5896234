//! The local edge in-process, on the embedded S3: static files and nothing outside
//! `site/`, avatars with CloudFront's headers, data that survives a restart, a stalled
//! client that blocks nobody, and clear errors for a taken port or a stopped API.

use std::net::SocketAddr;
use std::time::Duration;

use local_stack::{Running, start_edge};
use test_support::TestStack;
use tokio::io::AsyncWriteExt;

fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

async fn edge(stack: &TestStack, api_upstream: String) -> Running {
    start_edge(test_support::edge::settings(stack, api_upstream))
        .await
        .expect("edge starts")
}

/// Sends the path exactly as written (no client-side normalisation of `..`).
async fn raw_get(addr: SocketAddr, path: &str) -> (u16, String) {
    use tokio::io::AsyncReadExt;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn serves_the_site_and_nothing_outside_it() {
    let stack = TestStack::start().await;
    let edge = edge(&stack, closed_port_url()).await;
    let (status, text) = raw_get(edge.addr(), "/").await;
    assert_eq!(status, 200);
    assert!(
        text.contains("id=\"file_input\""),
        "index.html is served at /"
    );
    assert!(text.to_lowercase().contains("content-security-policy:"));
    for path in [
        "/index.html",
        "/profile.html",
        "/app.js",
        "/style.css",
        "/default-avatar.svg",
    ] {
        assert_eq!(raw_get(edge.addr(), path).await.0, 200, "{path}");
    }
    for hostile in [
        "/../Cargo.toml",
        "/..%2FCargo.toml",
        "/%2e%2e/Cargo.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/.git/config",
        "/..\\Cargo.toml",
        "/site/../Cargo.toml",
        "//etc/passwd",
        "/avatars/../Cargo.toml",
        "/avatars/%2e%2e/%2e%2e/Cargo.toml",
        "/api/../Cargo.toml",
    ] {
        let (status, text) = raw_get(edge.addr(), hostile).await;
        assert!(
            status == 400 || status == 404 || status == 502,
            "{hostile}: {status}"
        );
        assert!(
            !text.contains("[workspace]") && !text.contains("root:"),
            "{hostile} leaked a file"
        );
    }
}

#[tokio::test]
async fn avatars_come_with_cloudfronts_headers() {
    let stack = TestStack::start().await;
    let edge = edge(&stack, closed_port_url()).await;
    let png = test_support::images::png(4, 4);
    stack
        .put(
            "avatars/ada/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            png.clone(),
            "image/png",
        )
        .await;
    stack
        .put(
            "incoming/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            png.clone(),
            "image/png",
        )
        .await;

    let client = reqwest::Client::new();
    let response = client
        .get(format!(
            "{}/avatars/ada/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            edge.url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    test_support::avatar_headers::assert_avatar_headers(response.headers(), "image/png");
    assert_eq!(response.bytes().await.unwrap().as_ref(), png.as_slice());

    // Only avatars/ is published; other prefixes, missing keys and writes are refused.
    for (method, path, status) in [
        (
            "GET",
            "/avatars/ada/00000000-0000-4000-8000-000000000000.png",
            404,
        ),
        (
            "GET",
            "/incoming/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            404,
        ),
        (
            "PUT",
            "/avatars/ada/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            405,
        ),
        (
            "DELETE",
            "/avatars/ada/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
            405,
        ),
    ] {
        let response = client
            .request(method.parse().unwrap(), format!("{}{path}", edge.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
    }
    assert_eq!(stack.keys().await.len(), 2, "nothing deleted");
}

#[tokio::test]
async fn a_stopped_api_is_a_clear_502() {
    let stack = TestStack::start().await;
    let edge = edge(&stack, closed_port_url()).await;
    // The public route: no token needed to reach the (missing) functions.
    let response = reqwest::Client::new()
        .get(format!("{}/api/profile/ada", edge.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_gateway");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cargo lambda watch")
    );
}

#[tokio::test]
async fn an_oversized_api_body_is_refused_at_the_edge() {
    let stack = TestStack::start().await;
    let edge = edge(&stack, closed_port_url()).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/profile", edge.url()))
        .header("content-type", "application/json")
        .body(vec![b' '; 1024 * 1024 + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
    assert!(stack.items().await.is_empty());
}

#[tokio::test]
async fn a_stalled_client_blocks_nobody() {
    let stack = TestStack::start().await;
    let edge = edge(&stack, closed_port_url()).await;
    // Half a request on each server, never finished.
    let mut stalled = Vec::new();
    for addr in [edge.addr(), stack.s3.addr(), stack.dynamodb.addr()] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\npartial")
            .await
            .unwrap();
        stalled.push(stream);
    }
    let answered = tokio::time::timeout(Duration::from_secs(10), async {
        let page = reqwest::get(format!("{}/", edge.url()))
            .await
            .unwrap()
            .status();
        let keys = stack.keys().await;
        let items = stack.items().await;
        (page, keys.len(), items.len())
    })
    .await
    .expect("others are served while a client stalls");
    assert_eq!(answered, (reqwest::StatusCode::OK, 0, 0));
    drop(stalled);
}

#[tokio::test]
async fn a_taken_port_is_named_in_the_error() {
    let stack = TestStack::start().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut settings = test_support::edge::settings(&stack, closed_port_url());
    settings.addr = taken.local_addr().unwrap();
    let result = start_edge(settings).await;
    let message = result.err().expect("refused").to_string();
    assert!(message.contains("already in use"), "{message}");
    assert!(
        message.contains(&taken.local_addr().unwrap().port().to_string()),
        "{message}"
    );
}

#[tokio::test]
async fn profiles_and_avatars_survive_a_restart() {
    let stack = TestStack::start().await;
    let png = test_support::images::png(4, 4);
    let key = "avatars/ada/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png";
    stack.put(key, png.clone(), "image/png").await;
    stack
        .dynamo_client()
        .put_item()
        .table_name(test_support::TABLE)
        .item(
            "pk",
            aws_sdk_dynamodb::types::AttributeValue::S("PROFILE#ada".into()),
        )
        .item(
            "version",
            aws_sdk_dynamodb::types::AttributeValue::N("3".into()),
        )
        .send()
        .await
        .unwrap();
    let dir = stack.stop().await;

    let restarted = TestStack::start_in(dir).await;
    assert_eq!(restarted.keys().await, vec![key.to_string()]);
    let item = restarted.item("ada").await.expect("profile kept");
    assert_eq!(item["version"].as_n().unwrap(), "3");
    let edge = edge(&restarted, closed_port_url()).await;
    let body = reqwest::get(format!("{}/{key}", edge.url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(body.as_ref(), png.as_slice());
}

#[tokio::test]
async fn the_edge_listens_on_loopback_only() {
    let stack = TestStack::start().await;
    let mut settings = test_support::edge::settings(&stack, closed_port_url());
    settings.addr = SocketAddr::from(([0, 0, 0, 0], 0));
    let message = start_edge(settings)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(message.contains("loopback"), "{message}");
}

/// An Invoke API that answers headers and part of the body, then drops the connection.
async fn upstream_that_breaks_off(declared: usize, sent: &'static [u8]) -> String {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut request = vec![0u8; 64 * 1024];
            let _ = stream.read(&mut request).await;
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(sent).await;
            let _ = stream.flush().await;
            drop(stream);
        }
    });
    url
}

#[tokio::test]
async fn an_upstream_answer_that_breaks_off_is_a_502_not_a_partial_2xx() {
    let stack = TestStack::start().await;
    for (name, sent) in [
        (
            "mid-body",
            &br#"{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"username\":"#[..],
        ),
        ("after the headers", &b""[..]),
    ] {
        let upstream = upstream_that_breaks_off(4096, sent).await;
        let edge = edge(&stack, upstream).await;
        // A public route: nothing stands between the client and the upstream.
        let response = reqwest::get(format!("{}/api/profile/ada", edge.url()))
            .await
            .expect("the edge answers");
        assert_eq!(response.status(), 502, "{name}");
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert_eq!(body["error"]["code"], "bad_gateway", "{name}");
    }
}
