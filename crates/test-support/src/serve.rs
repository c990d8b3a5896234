//! Stand-ins for other services listen on an ephemeral loopback port.

use std::net::SocketAddr;

use axum::Router;

/// Serves `app` on `127.0.0.1:0` until the test ends; its address and server task.
pub async fn serve(app: Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, server)
}
