use std::convert::Infallible;

use avatar_domain::ports::ProfileStore;
use avatar_domain::service::{export, get_profile, my_profile};
use avatar_domain::values::{Profile, Username};
use avatar_http::{
    ApiError, ExportView, ProfileView, Route, caller, export_response, json_response, micros,
    not_found, respond,
};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};
use percent_encoding::percent_decode_str;

/// A found public profile may be shared by CloudFront for five seconds (browsers keep
/// nothing): a burst of reads of one name costs one invocation per edge location and
/// five seconds, so one client cannot spend the route's throttle for everybody. A
/// change shows within five seconds. `GET /api/me` and every error stay `no-store`.
const PUBLIC_PROFILE_CACHE: &str = "public, max-age=0, s-maxage=5";

/// `GET /api/profile/{username}` (public), `GET /api/me` (the caller's own) and
/// `GET /api/me/export` (everything stored about the caller, as a download).
pub async fn handle(
    store: &dyn ProfileStore,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    let response = match Route::of(&event) {
        Some(route @ (Route::GetProfile | Route::GetMe)) => {
            let name = route.log_name();
            respond(name, read(store, route, &event), |profile, elapsed| {
                tracing::info!(
                    route = name,
                    status = 200,
                    username = %profile.username,
                    version = profile.version,
                    elapsed_us = micros(elapsed),
                    "profile read"
                );
                let mut response = json_response(StatusCode::OK, &ProfileView::from(&profile));
                if route == Route::GetProfile {
                    response.headers_mut().insert(
                        header::CACHE_CONTROL,
                        HeaderValue::from_static(PUBLIC_PROFILE_CACHE),
                    );
                }
                response
            })
            .await
        }
        Some(route @ Route::ExportMe) => {
            let name = route.log_name();
            let work = async {
                let caller = caller(&event)?;
                let profile = export(store, &caller).await?;
                Ok::<_, ApiError>(ExportView::new(&caller, profile.as_ref()))
            };
            respond(name, work, |view, elapsed| {
                tracing::info!(
                    route = name,
                    status = 200,
                    profile = view.profile.is_some(),
                    elapsed_us = micros(elapsed),
                    "data exported"
                );
                export_response(&view)
            })
            .await
        }
        _ => not_found(),
    };
    Ok(response.map(Body::from))
}

async fn read(
    store: &dyn ProfileStore,
    route: Route,
    event: &Request,
) -> Result<Profile, ApiError> {
    Ok(match route {
        Route::GetMe => my_profile(store, &caller(event)?).await?,
        _ => get_profile(store, &username_from_path(event)?).await?,
    })
}

/// The path parameter arrives percent-encoded; an impossible name is simply not found.
fn username_from_path(event: &Request) -> Result<Username, ApiError> {
    let not_found = || ApiError::not_found("no such profile");
    let params = event.path_parameters();
    let raw = params.first("username").ok_or_else(not_found)?;
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| not_found())?;
    Username::try_from(decoded.as_ref()).map_err(|_| not_found())
}

#[cfg(test)]
mod tests;
