//! The provider's HTML: the "Sign in as" form and the page for a request it refuses. Plain
//! markup, no script, a label for the one field and its error tied to it, so a keyboard
//! or a screen reader gets through it as easily as a mouse.

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use super::Idp;

/// Escapes text for HTML content and double-quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// No script, no frames; the form may post here and the browser may follow its redirect
/// to the page's origins (Chrome applies `form-action` to redirects too).
fn csp(idp: &Idp) -> String {
    let origins: Vec<&str> = idp
        .settings
        .redirect_uris
        .iter()
        .map(|u| u.trim_end_matches('/'))
        .collect();
    format!(
        "default-src 'none'; form-action 'self' {}; frame-ancestors 'none'; base-uri 'none'",
        origins.join(" ")
    )
}

fn html(idp: &Idp, status: StatusCode, title: &str, body: &str) -> Response {
    let document = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · local development sign-in</title>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    let mut response = (status, document).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(value) = HeaderValue::from_str(&csp(idp)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The form; `fields` are the validated request parameters, carried as hidden inputs.
pub fn sign_in_form(
    idp: &Idp,
    fields: &[(&str, &str)],
    name: &str,
    error: Option<&str>,
) -> Response {
    let hidden: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(k),
                escape(v)
            )
        })
        .collect();
    // The field points at its error (when there is one) and its hint, so a screen reader
    // reads both on reaching it, the error first.
    let (invalid, message) = match error {
        Some(error) => (
            " aria-invalid=\"true\" aria-describedby=\"username_error username_hint\"",
            format!(
                "<p id=\"username_error\" role=\"alert\">{}</p>\n",
                escape(error)
            ),
        ),
        None => (" aria-describedby=\"username_hint\"", String::new()),
    };
    let body = format!(
        "<h1>Sign in as</h1>\n\
         <p>This is the local development sign-in: there is no password, any name signs in, \
         and the same name is always the same account.</p>\n\
         <form method=\"post\" action=\"/local-idp/authorize\">\n{hidden}\
         <label for=\"username\">Name</label>\n\
         <input id=\"username\" name=\"username\" type=\"text\" value=\"{name}\" required \
         maxlength=\"64\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" \
         autofocus{invalid}>\n{message}\
         <p id=\"username_hint\">1 to 64 letters, digits or <code>. _ - @ +</code></p>\n\
         <button type=\"submit\">Sign in</button>\n</form>\n",
        name = escape(name),
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(idp, status, "Sign in as", &body)
}

/// A request the provider refuses: a page that says why, never a redirect (the redirect
/// target itself may be what is wrong).
pub fn invalid_request(idp: &Idp, reason: &str) -> Response {
    let body = format!(
        "<h1>This sign-in request is not valid</h1>\n<p>{}</p>\n\
         <p>Go back to the app and choose Sign in again.</p>\n",
        escape(reason)
    );
    html(
        idp,
        StatusCode::BAD_REQUEST,
        "Invalid sign-in request",
        &body,
    )
}

pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, location);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
