//! Which route of the HTTP API an event is for: API Gateway's `routeKey`, the route it
//! matched in template.yaml (`GET /api/me`), never the method or path compared again.

use http::StatusCode;
use lambda_http::request::RequestContext;

use crate::error::ApiError;
use crate::response::error_response;

/// Every route of the API (template.yaml's `AWS::ApiGatewayV2::Route`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    SignUpload,
    SaveProfile,
    DeleteProfile,
    GetProfile,
    GetMe,
    DeleteAccount,
    ExportMe,
}

impl Route {
    pub const ALL: [Route; 7] = [
        Self::SignUpload,
        Self::SaveProfile,
        Self::DeleteProfile,
        Self::GetProfile,
        Self::GetMe,
        Self::DeleteAccount,
        Self::ExportMe,
    ];

    /// The route key as template.yaml and API Gateway write it.
    pub fn key(self) -> &'static str {
        match self {
            Self::SignUpload => "POST /api/uploads",
            Self::SaveProfile => "POST /api/profile",
            Self::DeleteProfile => "DELETE /api/profile",
            Self::GetProfile => "GET /api/profile/{username}",
            Self::GetMe => "GET /api/me",
            Self::DeleteAccount => "DELETE /api/account",
            Self::ExportMe => "GET /api/me/export",
        }
    }

    /// The name the request's log line carries.
    pub fn log_name(self) -> &'static str {
        match self {
            Self::SignUpload => "sign-upload",
            Self::SaveProfile => "save-profile",
            Self::DeleteProfile => "delete-profile",
            Self::GetProfile | Self::GetMe | Self::ExportMe => "get-profile",
            Self::DeleteAccount => "delete-account",
        }
    }

    /// The route API Gateway matched for this event; `None` for an event from elsewhere
    /// or a route this code does not know.
    pub fn of<B>(request: &http::Request<B>) -> Option<Self> {
        let Some(RequestContext::ApiGatewayV2(context)) =
            request.extensions().get::<RequestContext>()
        else {
            return None;
        };
        let key = context.route_key.as_deref()?;
        Self::ALL.into_iter().find(|route| route.key() == key)
    }
}

/// The answer to an event for a route this function does not serve: a wiring mistake
/// (the template sent it here), answered as any unknown path is.
pub fn not_found() -> http::Response<String> {
    let response = error_response(&ApiError::not_found("No such route."));
    debug_assert_eq!(response.status(), StatusCode::NOT_FOUND);
    response
}

#[cfg(test)]
mod tests {
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;

    use super::*;

    fn event(route_key: Option<&str>) -> http::Request<()> {
        let mut request = http::Request::new(());
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.route_key = route_key.map(str::to_string);
        request
            .extensions_mut()
            .insert(RequestContext::ApiGatewayV2(context));
        request
    }

    #[test]
    fn each_route_is_found_by_its_key_alone() {
        for route in Route::ALL {
            assert_eq!(Route::of(&event(Some(route.key()))), Some(route));
        }
        for other in [
            None,
            Some("GET /api/profile"),
            Some("get /api/me"),
            Some("$default"),
        ] {
            assert_eq!(Route::of(&event(other)), None, "{other:?}");
        }
        assert_eq!(Route::of(&http::Request::new(())), None, "no context");
    }
}
