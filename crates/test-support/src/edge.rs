//! The local edge in-process on an ephemeral port, in front of the test stack and any
//! API upstream (a [`crate::fake_lambda::FakeLambda`], or a closed port).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use local_stack::clock::{ManualClock, SharedClock, SystemClock};
use local_stack::template::Template;
use local_stack::{EdgeSettings, SignInSettings};

use crate::fake_lambda::FakeLambda;
use crate::{BUCKET, TestStack, USER_POOL};

/// The page's client id in tests.
pub const CLIENT_ID: &str = "test-avatars-site";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Settings for an edge on the stack's data, with the sign-in key under `key_dir`.
pub fn settings_with(
    stack: &TestStack,
    api_upstream: String,
    key_dir: &Path,
    clock: SharedClock,
) -> EdgeSettings {
    EdgeSettings {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        site_dir: repo_root().join("site"),
        api_upstream,
        template: Template::load(&repo_root().join("template.yaml")).expect("template.yaml"),
        s3_root: stack.dir.path().join("s3"),
        bucket: BUCKET.into(),
        upload_origin: stack.s3.url(),
        sign_in: SignInSettings {
            client_id: CLIENT_ID.into(),
            key_dir: key_dir.to_path_buf(),
            clock,
            user_pool_id: USER_POOL.into(),
            iam: Some(Arc::clone(&stack.iam)),
        },
    }
}

/// The same with the machine's clock and the key in the stack's folder.
pub fn settings(stack: &TestStack, api_upstream: String) -> EdgeSettings {
    settings_with(
        stack,
        api_upstream,
        &stack.dir.path().join("idp"),
        Arc::new(SystemClock),
    )
}

/// The edge in front of a [`FakeLambda`], on a clock the test moves.
pub struct TestApi {
    pub edge: local_stack::Running,
    pub lambda: FakeLambda,
    pub clock: ManualClock,
    pub key_dir: PathBuf,
}

impl TestApi {
    /// The sign-in key lives in the stack's folder: a restart on the same stack keeps it.
    pub async fn start(stack: &TestStack) -> Self {
        let lambda = FakeLambda::start().await;
        Self::start_on(stack, lambda, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// On a given address (a restart on the same port keeps the issuer).
    pub async fn start_on(stack: &TestStack, lambda: FakeLambda, addr: SocketAddr) -> Self {
        let clock = ManualClock::starting_now();
        let key_dir = stack.dir.path().join("idp");
        let mut settings = settings_with(stack, lambda.url(), &key_dir, Arc::new(clock.clone()));
        settings.addr = addr;
        let edge = local_stack::start_edge(settings)
            .await
            .expect("edge starts");
        Self {
            edge,
            lambda,
            clock,
            key_dir,
        }
    }

    pub fn url(&self) -> String {
        self.edge.url()
    }
}
