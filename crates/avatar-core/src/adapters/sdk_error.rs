use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;

use crate::ports::StoreError;

const THROTTLING_CODES: [&str; 6] = [
    "ThrottlingException",
    "Throttling",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "TooManyRequestsException",
];

/// Network failures, timeouts, 5xx and throttling are `Unavailable` (the SDK has already
/// retried them); everything else is a `Failed` misconfiguration.
pub fn classify<E>(err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let transient = match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => {
            let code = service.err().code().unwrap_or_default();
            THROTTLING_CODES.contains(&code) || service.raw().status().is_server_error()
        }
        _ => false,
    };
    let source: crate::error::BoxError =
        aws_smithy_types::error::display::DisplayErrorContext(&err)
            .to_string()
            .into();
    if transient {
        StoreError::Unavailable(source)
    } else {
        StoreError::Failed(source)
    }
}
