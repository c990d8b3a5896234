use std::convert::Infallible;
use std::time::{Instant, SystemTime};

use avatar_core::ApiError;
use avatar_core::api::{SignUploadRequest, error_response, json_response, require_json};
use avatar_core::service::{Caller, SignedUpload, UploadSigner};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};

const ROUTE: &str = "sign-upload";

pub async fn handle(signer: &UploadSigner, event: Request) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let response = match sign(signer, &event).await {
        Ok((request, signed)) => {
            tracing::info!(
                route = ROUTE,
                status = 201,
                key = %signed.key,
                content_type = %request.content_type,
                size = request.size,
                // A hint only: shortened, and JSON-escaped by the formatter.
                filename = %request.filename.as_deref().unwrap_or_default().chars().take(100).collect::<String>(),
                elapsed_us = started.elapsed().as_micros() as u64,
                "upload signed"
            );
            json_response(StatusCode::CREATED, &signed)
        }
        Err(err) => {
            err.log(ROUTE, started.elapsed());
            error_response(&err)
        }
    };
    Ok(response.map(Body::from))
}

async fn sign(
    signer: &UploadSigner,
    event: &Request,
) -> Result<(SignUploadRequest, SignedUpload), ApiError> {
    require_json(
        event
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
    )?;
    let request = SignUploadRequest::parse(event.body().as_ref(), signer.max_bytes())?;
    // Anonymous until sign-in exists; the caller then comes from the JWT claims here.
    let signed = signer
        .sign(&Caller::Anonymous, &request, SystemTime::now())
        .await?;
    Ok((request, signed))
}

#[cfg(test)]
mod tests;
