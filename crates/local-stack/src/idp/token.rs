//! `POST /token` (form-encoded, RFC 6749 §3.2): the authorization-code grant with its PKCE
//! verifier, and the refresh-token grant. Errors are OAuth's JSON; nothing is cached.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use super::Idp;
use super::codes::CODE_SECONDS;
use super::tokens::Session;

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn oauth_error(error: &'static str, description: &str) -> Response {
    // A public client that names an unknown client_id is `invalid_client`, answered 401.
    let status = if error == "invalid_client" {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    no_store(
        (
            status,
            Json(serde_json::json!({"error": error, "error_description": description})),
        )
            .into_response(),
    )
}

/// RFC 7636: 43–128 characters from the unreserved set.
fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        verifier.as_bytes(),
    ))
}

pub async fn exchange(State(idp): State<Arc<Idp>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return oauth_error(
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return oauth_error("invalid_request", "the body is not URL-encoded");
    };
    let mut params: HashMap<String, String> = HashMap::new();
    for (name, value) in pairs {
        if params.insert(name.clone(), value).is_some() {
            return oauth_error(
                "invalid_request",
                &format!("{name} is given more than once"),
            );
        }
    }
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let Some(client_id) = get("client_id") else {
        return oauth_error("invalid_request", "client_id is missing");
    };
    if client_id != idp.client_id() {
        return oauth_error("invalid_client", "unknown client_id");
    }
    match get("grant_type") {
        Some("authorization_code") => {
            let (Some(code), Some(redirect_uri), Some(verifier)) =
                (get("code"), get("redirect_uri"), get("code_verifier"))
            else {
                return oauth_error(
                    "invalid_request",
                    "code, redirect_uri and code_verifier are required",
                );
            };
            authorization_code(&idp, client_id, code, redirect_uri, verifier)
        }
        Some("refresh_token") => match get("refresh_token") {
            Some(token) => refresh(&idp, client_id, token),
            None => oauth_error("invalid_request", "refresh_token is missing"),
        },
        Some(_) => oauth_error(
            "unsupported_grant_type",
            "use authorization_code or refresh_token",
        ),
        None => oauth_error("invalid_request", "grant_type is missing"),
    }
}

fn authorization_code(
    idp: &Idp,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Response {
    let invalid = |why: &str| oauth_error("invalid_grant", why);
    let Some(pending) = idp.codes.take(code) else {
        return invalid("the code is unknown or was already used");
    };
    if idp.now().saturating_sub(pending.issued_at) > CODE_SECONDS {
        return invalid("the code has expired");
    }
    if pending.request.client_id != client_id {
        return invalid("the code was issued to another client");
    }
    if pending.request.redirect_uri != redirect_uri {
        return invalid("redirect_uri differs from the authorization request's");
    }
    let matches = is_verifier(verifier)
        && aws_lc_rs::constant_time::verify_slices_are_equal(
            s256(verifier).as_bytes(),
            pending.request.code_challenge.as_bytes(),
        )
        .is_ok();
    if !matches {
        return invalid("code_verifier does not match the code_challenge");
    }
    if !idp
        .pool
        .is_current(&pending.session.username, &pending.session.sub)
    {
        return invalid("the account was deleted");
    }
    respond(idp, &pending.session, true)
}

fn refresh(idp: &Idp, client_id: &str, token: &str) -> Response {
    match idp.read_refresh_token(token) {
        // A deleted account's refresh tokens die with it, as Cognito's do.
        Some(session)
            if session.client_id == client_id
                && idp.pool.is_current(&session.username, &session.sub) =>
        {
            respond(idp, &session, false)
        }
        _ => oauth_error("invalid_grant", "the refresh token is not valid"),
    }
}

fn respond(idp: &Idp, session: &Session, with_refresh: bool) -> Response {
    match idp.issue_tokens(session, with_refresh) {
        Ok(tokens) => no_store(Json(tokens).into_response()),
        Err(err) => {
            tracing::error!(error = %err, "local sign-in: cannot sign a token");
            no_store(
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(serde_json::json!({"error": "server_error"})),
                )
                    .into_response(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_verifier, s256};

    #[test]
    fn rfc7636_example() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(is_verifier(verifier));
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(!is_verifier("short"));
        assert!(!is_verifier(&"a".repeat(129)));
    }
}
