//! `GET /logout?client_id&logout_uri`: Cognito's sign-out redirect. The provider keeps no
//! sign-in session (the form is shown every time), so there is nothing to end here; the
//! page drops its own tokens. Only an allow-listed `logout_uri` is ever redirected to.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::Response;

use super::{Idp, page};

pub async fn logout(
    State(idp): State<Arc<Idp>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if query.get("client_id").map(String::as_str) != Some(idp.client_id()) {
        return page::invalid_request(&idp, "unknown client_id");
    }
    match query.get("logout_uri") {
        Some(uri) if idp.settings.redirect_uris.contains(uri) => page::redirect(uri),
        _ => page::invalid_request(&idp, "logout_uri is not one of the client's sign-out URLs"),
    }
}
