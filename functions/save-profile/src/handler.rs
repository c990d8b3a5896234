use std::convert::Infallible;

use avatar_core::ApiError;
use avatar_core::api::{
    ProfileView, SaveProfileRequest, caller, json_body, json_response, micros, no_content, respond,
};
use avatar_core::service::{ProfileService, Saved};
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};

const ROUTE: &str = "save-profile";
const DELETE_ROUTE: &str = "delete-profile";

pub async fn handle(
    profiles: &ProfileService,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    if event.method() == Method::DELETE {
        return Ok(delete(profiles, &event).await.map(Body::from));
    }
    let response = respond(ROUTE, save(profiles, &event), |saved, elapsed| {
        let status = if saved.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let view = ProfileView::from(&saved.profile);
        tracing::info!(
            route = ROUTE,
            status = status.as_u16(),
            username = %view.username,
            version = view.version,
            avatar = %view.avatar_url,
            elapsed_us = micros(elapsed),
            "profile saved"
        );
        json_response(status, &view)
    })
    .await;
    Ok(response.map(Body::from))
}

async fn save(profiles: &ProfileService, event: &Request) -> Result<Saved, ApiError> {
    let caller = caller(event)?;
    let request = SaveProfileRequest::try_from(json_body(event)?)?;
    profiles.save(&caller, request).await
}

/// `DELETE /api/profile`: `204` once the caller's profile and its objects are gone.
async fn delete(profiles: &ProfileService, event: &Request) -> Response<String> {
    let work = async {
        let caller = caller(event)?;
        profiles.delete(&caller).await
    };
    respond(DELETE_ROUTE, work, |(), elapsed| {
        tracing::info!(
            route = DELETE_ROUTE,
            status = 204,
            elapsed_us = micros(elapsed),
            "profile deleted"
        );
        no_content()
    })
    .await
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod limit_tests;
