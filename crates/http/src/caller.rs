use lambda_http::request::RequestContext;

use crate::error::ApiError;
use avatar_domain::values::{Account, AccountId, SignInName};

/// The signed-in caller: the `sub` claim that API Gateway's JWT authorizer verified, read
/// only from `requestContext.authorizer.jwt.claims` — never from a header or the body,
/// which a client controls. Functions do not verify tokens themselves; a protected route
/// that finds no claims is misconfigured and answers 401.
pub fn caller<B>(request: &http::Request<B>) -> Result<AccountId, ApiError> {
    Ok(AccountId::try_from(claim(request, "sub")?.as_str())?)
}

/// The caller as the user pool knows it: `sub` and the `username` claim of the same
/// verified access token (Cognito's user name, which `AdminDeleteUser` takes).
pub fn caller_account<B>(request: &http::Request<B>) -> Result<Account, ApiError> {
    Ok(Account {
        id: caller(request)?,
        name: SignInName::try_from(claim(request, "username")?.as_str())?,
    })
}

fn claim<B>(request: &http::Request<B>, name: &str) -> Result<String, ApiError> {
    let unauthorized = || ApiError::unauthorized("Sign in to do this.");
    let Some(RequestContext::ApiGatewayV2(context)) = request.extensions().get::<RequestContext>()
    else {
        return Err(unauthorized());
    };
    context
        .authorizer
        .as_ref()
        .and_then(|authorizer| authorizer.jwt.as_ref())
        .and_then(|jwt| jwt.claims.get(name))
        .cloned()
        .ok_or_else(unauthorized)
}
