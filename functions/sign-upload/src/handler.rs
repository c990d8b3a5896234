use std::convert::Infallible;
use std::time::SystemTime;

use avatar_domain::service::{SignedUpload, UploadSigner};
use avatar_http::{
    ApiError, Route, SignUploadRequest, SignUploadResponse, caller, json_body, json_response,
    micros, not_found, respond,
};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

/// `POST /api/uploads`.
pub async fn handle(signer: &UploadSigner, event: Request) -> Result<Response<Body>, Infallible> {
    let response = match Route::of(&event) {
        Some(route @ Route::SignUpload) => {
            let name = route.log_name();
            respond(name, sign(signer, &event), |(request, signed), elapsed| {
                tracing::info!(
                    route = name,
                    status = 201,
                    key = %signed.key,
                    content_type = %request.upload.content_type,
                    size = request.upload.size,
                    // A hint only: shortened, and JSON-escaped by the formatter.
                    filename = %request.filename.as_deref().unwrap_or_default().chars().take(100).collect::<String>(),
                    elapsed_us = micros(elapsed),
                    "upload signed"
                );
                json_response(StatusCode::CREATED, &SignUploadResponse::from(&signed))
            })
            .await
        }
        _ => not_found(),
    };
    Ok(response.map(Body::from))
}

async fn sign(
    signer: &UploadSigner,
    event: &Request,
) -> Result<(SignUploadRequest, SignedUpload), ApiError> {
    let caller = caller(event)?;
    let request = SignUploadRequest::try_from(json_body(event)?)?;
    let signed = signer
        .sign(&caller, &request.upload, SystemTime::now())
        .await?;
    Ok((request, signed))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod limit_tests;
