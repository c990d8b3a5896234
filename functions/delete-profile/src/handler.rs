use std::convert::Infallible;

use avatar_domain::service::ProfileDeletion;
use avatar_http::{ApiError, Route, caller, micros, no_content, not_found, respond};
use lambda_http::{Body, Request, Response};

/// `DELETE /api/profile`: `204` once the caller's profile and its objects are gone.
pub async fn handle(
    deletion: &ProfileDeletion,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    let response = match Route::of(&event) {
        Some(route @ Route::DeleteProfile) => {
            let name = route.log_name();
            let work = async {
                let caller = caller(&event)?;
                deletion.delete(&caller).await.map_err(ApiError::from)
            };
            respond(name, work, |(), elapsed| {
                tracing::info!(
                    route = name,
                    status = 204,
                    elapsed_us = micros(elapsed),
                    "profile deleted"
                );
                no_content()
            })
            .await
        }
        _ => not_found(),
    };
    Ok(response.map(Body::from))
}

#[cfg(test)]
mod tests;
