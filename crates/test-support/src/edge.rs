//! The local edge in-process on an ephemeral port, in front of the test stack and any
//! API upstream (a [`crate::fake_lambda::FakeLambda`], or a closed port).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use local_stack::clock::{SharedClock, SystemClock};
use local_stack::{EdgeSettings, SignInSettings};

use crate::{BUCKET, TestStack};

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
        template: repo_root().join("template.yaml"),
        s3_root: stack.dir.path().join("s3"),
        bucket: BUCKET.into(),
        upload_origin: stack.s3.url(),
        sign_in: SignInSettings {
            client_id: CLIENT_ID.into(),
            key_dir: key_dir.to_path_buf(),
            clock,
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
