use std::convert::Infallible;
use std::time::Instant;

use avatar_core::ApiError;
use avatar_core::api::{SaveProfileRequest, error_response, json_response, require_json};
use avatar_core::service::{Caller, ProfileService, Saved};
use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Request, Response};

const ROUTE: &str = "save-profile";

pub async fn handle(
    profiles: &ProfileService,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    let started = Instant::now();
    let response = match save(profiles, &event).await {
        Ok(saved) => {
            let status = if saved.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            tracing::info!(
                route = ROUTE,
                status = status.as_u16(),
                username = %saved.profile.username,
                version = saved.profile.version,
                avatar = %saved.profile.avatar_url,
                elapsed_us = started.elapsed().as_micros() as u64,
                "profile saved"
            );
            json_response(status, &saved.profile)
        }
        Err(err) => {
            err.log(ROUTE, started.elapsed());
            error_response(&err)
        }
    };
    Ok(response.map(Body::from))
}

async fn save(profiles: &ProfileService, event: &Request) -> Result<Saved, ApiError> {
    require_json(
        event
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.as_bytes()),
    )?;
    let request = SaveProfileRequest::try_from(event.body().as_ref())?;
    // Anonymous until sign-in exists; the caller then comes from the JWT claims here.
    profiles.save(&Caller::Anonymous, request).await
}

#[cfg(test)]
mod tests;
