use std::convert::Infallible;

use avatar_domain::service::{ProfileService, Saved};
use avatar_http::{
    ApiError, ProfileView, Route, caller, json_body, json_response, micros, not_found, respond,
    save_profile,
};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

/// `POST /api/profile`.
pub async fn handle(
    profiles: &ProfileService,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    let response = match Route::of(&event) {
        Some(route @ Route::SaveProfile) => {
            let name = route.log_name();
            respond(name, save(profiles, &event), |saved, elapsed| {
                let status = if saved.created {
                    StatusCode::CREATED
                } else {
                    StatusCode::OK
                };
                let view = ProfileView::from(&saved.profile);
                tracing::info!(
                    route = name,
                    status = status.as_u16(),
                    username = %view.username,
                    version = view.version,
                    avatar = %view.avatar_url,
                    elapsed_us = micros(elapsed),
                    "profile saved"
                );
                json_response(status, &view)
            })
            .await
        }
        _ => not_found(),
    };
    Ok(response.map(Body::from))
}

async fn save(profiles: &ProfileService, event: &Request) -> Result<Saved, ApiError> {
    let caller = caller(event)?;
    let command = save_profile(json_body(event)?)?;
    Ok(profiles.save(&caller, command).await?)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod limit_tests;
