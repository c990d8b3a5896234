//! The SDK configuration every function shares, built once at init.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};

/// Default chain (env, then the Lambda role), with timeouts so an unreachable service
/// becomes a 503 within seconds instead of hanging until the Lambda timeout. A save makes
/// at most five calls in a row (get, put, update, a consistent read after an unclear
/// write, the clean-up deletes together), so 5 × `OPERATION_TIMEOUT` + the body read must
/// stay under save-profile's timeout in template.yaml (28 s).
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(4);

pub async fn load_sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_attempt_timeout(Duration::from_secs(2))
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .load()
        .await
}
