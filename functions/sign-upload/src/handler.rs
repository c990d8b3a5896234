use std::convert::Infallible;
use std::time::SystemTime;

use avatar_core::ApiError;
use avatar_core::api::{
    SignUploadRequest, SignUploadResponse, caller, json_body, json_response, micros, respond,
};
use avatar_core::service::{SignedUpload, UploadSigner};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

const ROUTE: &str = "sign-upload";

pub async fn handle(signer: &UploadSigner, event: Request) -> Result<Response<Body>, Infallible> {
    let response = respond(ROUTE, sign(signer, &event), |(request, signed), elapsed| {
        tracing::info!(
            route = ROUTE,
            status = 201,
            key = %signed.key,
            content_type = %request.content_type,
            size = request.size,
            // A hint only: shortened, and JSON-escaped by the formatter.
            filename = %request.filename.as_deref().unwrap_or_default().chars().take(100).collect::<String>(),
            elapsed_us = micros(elapsed),
            "upload signed"
        );
        json_response(StatusCode::CREATED, &SignUploadResponse::from(&signed))
    })
    .await;
    Ok(response.map(Body::from))
}

async fn sign(
    signer: &UploadSigner,
    event: &Request,
) -> Result<(SignUploadRequest, SignedUpload), ApiError> {
    let caller = caller(event)?;
    let request = SignUploadRequest::try_from(json_body(event)?)?;
    let signed = signer.sign(&caller, &request, SystemTime::now()).await?;
    Ok((request, signed))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod limit_tests;
