use lambda_http::request::RequestContext;

use crate::error::ApiError;
use avatar_domain::values::AccountId;

/// The signed-in caller: the `sub` claim that API Gateway's JWT authorizer verified, read
/// only from `requestContext.authorizer.jwt.claims` — never from a header or the body,
/// which a client controls. Functions do not verify tokens themselves; a protected route
/// that finds no claims is misconfigured and answers 401.
pub fn caller<B>(request: &http::Request<B>) -> Result<AccountId, ApiError> {
    let unauthorized = || ApiError::unauthorized("Sign in to do this.");
    let Some(RequestContext::ApiGatewayV2(context)) = request.extensions().get::<RequestContext>()
    else {
        return Err(unauthorized());
    };
    let sub = context
        .authorizer
        .as_ref()
        .and_then(|authorizer| authorizer.jwt.as_ref())
        .and_then(|jwt| jwt.claims.get("sub"))
        .ok_or_else(unauthorized)?;
    Ok(AccountId::try_from(sub.as_str())?)
}
