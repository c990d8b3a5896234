//! The app's AWS services on one machine, with no account and no Docker: an S3 that
//! verifies signatures and POST policies (s3s-fs), a DynamoDB (dynoxide), and an edge that
//! plays CloudFront. A library for tests, a binary (`local-stack`) for development.

pub mod clock;
pub mod dev_config;
mod dynamodb;
pub mod edge;
pub mod gateway;
pub mod iam;
pub mod idp;
mod running;
mod s3;
pub mod template;

pub use dynamodb::{DynamoSettings, start_dynamodb};
pub use edge::{EdgeSettings, SignInSettings, start_edge};
pub use running::Running;
pub use s3::{S3Settings, start_s3};

/// Why a local service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Setup(String),
}

impl StackError {
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.into();
        move |source| Self::Io { what, source }
    }
}

/// Binds a loopback listener with a message that names the port when it is taken.
pub async fn bind(
    addr: std::net::SocketAddr,
    service: &str,
) -> Result<tokio::net::TcpListener, StackError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|source| {
        let what = if source.kind() == std::io::ErrorKind::AddrInUse {
            format!("{service}: port {} is already in use (stop the other process or choose another port)", addr.port())
        } else {
            format!("{service}: cannot listen on {addr}")
        };
        StackError::Io { what, source }
    })
}
