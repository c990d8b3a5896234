use std::convert::Infallible;

use avatar_core::ApiError;
use avatar_core::api::{ProfileView, caller, json_response, micros, respond};
use avatar_core::domain::{Profile, Username};
use avatar_core::ports::ProfileStore;
use avatar_core::service::{get_profile, my_profile};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use percent_encoding::percent_decode_str;

const ROUTE: &str = "get-profile";
/// The one protected route of this function; every other is the public read.
const ME: &str = "GET /api/me";
/// A found public profile may be shared by CloudFront for five seconds (browsers keep
/// nothing): a burst of reads of one name costs one invocation per edge location and
/// five seconds, so one client cannot spend the route's throttle for everybody. A
/// change shows within five seconds. `GET /api/me` and every error stay `no-store`.
const PUBLIC_PROFILE_CACHE: &str = "public, max-age=0, s-maxage=5";

pub async fn handle(
    store: &dyn ProfileStore,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    let public = route_key(&event) != Some(ME);
    let response = respond(ROUTE, get(store, &event), |profile, elapsed| {
        tracing::info!(
            route = ROUTE,
            status = 200,
            username = %profile.username,
            version = profile.version,
            elapsed_us = micros(elapsed),
            "profile read"
        );
        let mut response = json_response(StatusCode::OK, &ProfileView::from(&profile));
        if public {
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(PUBLIC_PROFILE_CACHE),
            );
        }
        response
    })
    .await;
    Ok(response.map(Body::from))
}

async fn get(store: &dyn ProfileStore, event: &Request) -> Result<Profile, ApiError> {
    if route_key(event) == Some(ME) {
        return my_profile(store, &caller(event)?).await;
    }
    get_profile(store, &username_from_path(event)?).await
}

/// API Gateway's name of the matched route, e.g. `GET /api/me`.
fn route_key(event: &Request) -> Option<&str> {
    match event.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.route_key.as_deref(),
        _ => None,
    }
}

/// The path parameter arrives percent-encoded; an impossible name is simply not found.
fn username_from_path(event: &Request) -> Result<Username, ApiError> {
    let not_found = || ApiError::NotFound("no such profile".into());
    let params = event.path_parameters();
    let raw = params.first("username").ok_or_else(not_found)?;
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| not_found())?;
    Username::try_from(decoded.as_ref()).map_err(|_| not_found())
}

#[cfg(test)]
mod tests;
