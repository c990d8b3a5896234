use std::convert::Infallible;

use avatar_domain::service::AccountDeletion;
use avatar_http::{ApiError, Route, caller_account, micros, no_content, not_found, respond};
use lambda_http::{Body, Request, Response};

/// `DELETE /api/account`: `204` once the caller's profile, its objects and its user are
/// gone — also when an earlier call already removed them (the page may retry freely).
pub async fn handle(
    deletion: &AccountDeletion,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    let response = match Route::of(&event) {
        Some(route @ Route::DeleteAccount) => {
            let name = route.log_name();
            let work = async {
                let account = caller_account(&event)?;
                deletion.delete(&account).await.map_err(ApiError::from)
            };
            respond(name, work, |deleted, elapsed| {
                tracing::info!(
                    route = name,
                    status = 204,
                    profile_deleted = deleted.profile,
                    account = ?deleted.account,
                    elapsed_us = micros(elapsed),
                    "account deleted"
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
