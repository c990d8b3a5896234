use aws_runtime::retries::classifiers::{AwsErrorCodeClassifier, TRANSIENT_ERRORS};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime::client::retries::classifiers::{
    HttpStatusCodeClassifier, ModeledAsRetryableClassifier, TransientErrorClassifier,
    run_classifiers_on_ctx,
};
use aws_smithy_runtime_api::client::interceptors::context::{Error, Input, InterceptorContext};
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{RetryAction, SharedRetryClassifier};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::ProvideErrorKind;

use avatar_domain::BoxError;
use avatar_domain::ports::StoreError;

/// Codes that mean the app points at something that is not there: no retry helps, and
/// the caller must never read them as "your thing was not found".
const MISCONFIGURED: [&str; 2] = ["NoSuchBucket", "ResourceNotFoundException"];

/// What the SDK's retry loop would retry (throttling, transient codes such as S3's
/// `RequestTimeout` and `SlowDown`, 500/502/503/504, timeouts, I/O) is `Unavailable`
/// (503: the SDK already retried it); everything else is a `Failed` misconfiguration
/// (500). The SDK's own classifiers decide, so new throttling codes need no change here.
pub fn classify<E>(err: SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + ProvideErrorKind + std::error::Error + Send + Sync + 'static,
{
    let source: BoxError = aws_smithy_types::error::display::DisplayErrorContext(&err)
        .to_string()
        .into();
    if retryable(err) {
        StoreError::Unavailable(source)
    } else {
        StoreError::Failed(source)
    }
}

/// The bucket or table itself is missing (S3 answers `NoSuchBucket` with the same 404 as a
/// missing object): a deployment fault, not the caller's.
pub fn is_misconfiguration<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    err.code().is_some_and(|c| MISCONFIGURED.contains(&c))
}

/// Runs the classifiers the SDK's operations install (S3's list adds `InternalError` to
/// the transient codes) on a context rebuilt from the error.
fn retryable<E>(err: SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata + ProvideErrorKind + std::error::Error + Send + Sync + 'static,
{
    let mut ctx: InterceptorContext = InterceptorContext::new(Input::doesnt_matter());
    if let Some(raw) = err.raw_response() {
        // The classifiers read the status and `x-amz-retry-after`, never the body.
        let mut response = HttpResponse::new(raw.status(), SdkBody::empty());
        for (name, value) in raw.headers() {
            response
                .headers_mut()
                .insert(name.to_string(), value.to_string());
        }
        ctx.set_response(response);
    }
    let outcome = match err {
        SdkError::ServiceError(service) => {
            OrchestratorError::operation(Error::erase(service.into_err()))
        }
        SdkError::TimeoutError(_) => OrchestratorError::timeout("timeout".into()),
        SdkError::ResponseError(_) => OrchestratorError::response("unreadable response".into()),
        SdkError::DispatchFailure(failure) => {
            match failure.as_connector_error().map(|c| {
                if c.is_timeout() {
                    ConnectorError::timeout("timeout".into())
                } else if c.is_io() {
                    ConnectorError::io("io".into())
                } else if c.is_user() {
                    ConnectorError::user("user".into())
                } else {
                    ConnectorError::other("other".into(), c.as_other())
                }
            }) {
                Some(connector) => OrchestratorError::connector(connector),
                None => return false,
            }
        }
        _ => return false,
    };
    ctx.set_output_or_error(Err(outcome));
    let mut transient: Vec<&'static str> = TRANSIENT_ERRORS.into();
    transient.push("InternalError");
    let classifiers = [
        SharedRetryClassifier::new(HttpStatusCodeClassifier::default()),
        SharedRetryClassifier::new(TransientErrorClassifier::<E>::new()),
        SharedRetryClassifier::new(ModeledAsRetryableClassifier::<E>::new()),
        SharedRetryClassifier::new(
            AwsErrorCodeClassifier::<E>::builder()
                .transient_errors(transient)
                .build(),
        ),
    ];
    matches!(
        run_classifiers_on_ctx(classifiers.into_iter(), &ctx),
        RetryAction::RetryIndicated(_)
    )
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
    use aws_sdk_s3::operation::get_object::GetObjectError;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    fn response(status: u16) -> HttpResponse {
        HttpResponse::new(status.try_into().unwrap(), SdkBody::empty())
    }

    fn s3(code: &str, status: u16) -> SdkError<GetObjectError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message("m").build();
        SdkError::service_error(GetObjectError::generic(meta), response(status))
    }

    fn dynamodb(code: &str, status: u16) -> SdkError<UpdateItemError, HttpResponse> {
        let meta = ErrorMetadata::builder().code(code).message("m").build();
        SdkError::service_error(UpdateItemError::generic(meta), response(status))
    }

    fn unavailable(err: StoreError) -> bool {
        matches!(err, StoreError::Unavailable(_))
    }

    #[test]
    fn service_errors_follow_the_sdk_classifiers() {
        for (code, status, retry) in [
            // S3's own throttling and transient codes, whatever status they come with.
            ("SlowDown", 503, true),
            ("SlowDown", 400, true),
            ("RequestTimeout", 400, true),
            ("InternalError", 500, true),
            ("InternalError", 400, true),
            // Any code on a 500/502/503/504.
            ("SomethingNew", 502, true),
            ("ServiceUnavailable", 503, true),
            ("", 504, true),
            // Misconfigurations and the caller's own faults.
            ("NoSuchBucket", 404, false),
            ("NoSuchKey", 404, false),
            ("AccessDenied", 403, false),
            ("InvalidAccessKeyId", 403, false),
            ("SignatureDoesNotMatch", 403, false),
            ("SomethingNew", 400, false),
            ("SomethingNew", 501, false),
        ] {
            assert_eq!(
                unavailable(classify(s3(code, status))),
                retry,
                "S3 {code} {status}"
            );
        }
        for (code, retry) in [
            ("ProvisionedThroughputExceededException", true),
            ("ThrottlingException", true),
            ("RequestLimitExceeded", true),
            ("TransactionInProgressException", true),
            ("LimitExceededException", true),
            ("ResourceNotFoundException", false),
            ("ValidationException", false),
            ("AccessDeniedException", false),
            ("UnrecognizedClientException", false),
        ] {
            assert_eq!(
                unavailable(classify(dynamodb(code, 400))),
                retry,
                "DynamoDB {code}"
            );
        }
    }

    #[test]
    fn transport_failures_are_transient_unless_the_request_was_wrong() {
        type E = SdkError<GetObjectError, HttpResponse>;
        for (name, err, retry) in [
            ("timeout", E::timeout_error("slow"), true),
            (
                "unreadable answer",
                E::response_error("garbled", response(200)),
                true,
            ),
            (
                "connection reset",
                E::dispatch_failure(ConnectorError::io("reset".into())),
                true,
            ),
            (
                "connect timeout",
                E::dispatch_failure(ConnectorError::timeout("slow".into())),
                true,
            ),
            (
                "a request the client could not send",
                E::dispatch_failure(ConnectorError::user("bad uri".into())),
                false,
            ),
            ("construction", E::construction_failure("no region"), false),
        ] {
            assert_eq!(unavailable(classify(err)), retry, "{name}");
        }
    }

    #[test]
    fn a_missing_bucket_is_a_misconfiguration_and_a_missing_key_is_not() {
        assert!(is_misconfiguration(&s3("NoSuchBucket", 404)));
        assert!(!is_misconfiguration(&s3("NoSuchKey", 404)));
        assert!(is_misconfiguration(&dynamodb(
            "ResourceNotFoundException",
            400
        )));
    }
}
