use std::time::{Duration, Instant};

use http::{Request, Response, header};

use crate::body::require_json;
use crate::error::ApiError;
use crate::response::error_response;

/// Runs one route's work: on success `answer` builds the response (and logs the route's
/// own success line); a refusal or failure is logged once and answered in the §3 shape.
pub async fn respond<T>(
    route: &'static str,
    work: impl Future<Output = Result<T, ApiError>>,
    answer: impl FnOnce(T, Duration) -> Response<String>,
) -> Response<String> {
    let started = Instant::now();
    match work.await {
        Ok(value) => answer(value, started.elapsed()),
        Err(err) => {
            err.log(route, started.elapsed());
            error_response(&err)
        }
    }
}

/// The body of a request that must be JSON (`415 unsupported_media_type` otherwise).
pub fn json_body<B: AsRef<[u8]>>(request: &Request<B>) -> Result<&[u8], ApiError> {
    require_json(
        request
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
    )?;
    Ok(request.body().as_ref())
}

/// Microseconds for the log line.
pub fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}
