//! Signing in the way the page does, over HTTP: `auth-config.json`, the authorize form with
//! PKCE (S256), the code exchange. Works against the local edge in-process and against the
//! running app (`scripts/dev`) alike, so any test can act as a signed-in account.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

/// The page's sign-in settings, as `GET /auth-config.json` gives them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfig {
    pub client_id: String,
    pub scope: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub logout_endpoint: String,
}

/// A token endpoint's answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    pub token_type: String,
    pub expires_in: u64,
}

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Self {
        // 64 random hex digits: inside RFC 7636's 43–128 unreserved characters.
        let verifier = format!("{}{}", uuid_hex(), uuid_hex());
        let challenge = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            verifier.as_bytes(),
        ));
        Self {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

fn uuid_hex() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A client that shows redirects instead of following them, as the tests need to see them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client")
}

pub async fn auth_config(edge_url: &str) -> AuthConfig {
    let response = client()
        .get(format!("{edge_url}/auth-config.json"))
        .send()
        .await
        .expect("auth-config.json answers");
    assert_eq!(response.status(), 200, "GET /auth-config.json");
    response.json().await.expect("auth-config.json is JSON")
}

/// The authorization request's query, as the page builds it.
pub fn authorize_query(
    config: &AuthConfig,
    redirect_uri: &str,
    state: &str,
    pkce: &Pkce,
) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".into()),
        ("client_id", config.client_id.clone()),
        ("redirect_uri", redirect_uri.into()),
        ("scope", config.scope.clone()),
        ("state", state.into()),
        ("code_challenge", pkce.challenge.clone()),
        ("code_challenge_method", "S256".into()),
    ]
}

/// The hidden fields of the "Sign in as" form, read from its HTML.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let input = regex::Regex::new(r#"<input type="hidden" name="([^"]*)" value="([^"]*)">"#)
        .expect("regex");
    let unescape = |s: &str| {
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    input
        .captures_iter(html)
        .map(|c| (unescape(&c[1]), unescape(&c[2])))
        .collect()
}

/// Opens the authorize page, fills in `name` and submits the form: the 302 back to the
/// page, unfollowed.
pub async fn submit_sign_in(
    config: &AuthConfig,
    redirect_uri: &str,
    state: &str,
    pkce: &Pkce,
    name: &str,
) -> reqwest::Response {
    let client = client();
    let page = client
        .get(&config.authorization_endpoint)
        .query(&authorize_query(config, redirect_uri, state, pkce))
        .send()
        .await
        .expect("authorize answers");
    assert_eq!(page.status(), 200, "the sign-in form");
    let html = page.text().await.expect("form HTML");
    assert!(html.contains(r#"name="username""#), "{html}");
    let mut form = hidden_fields(&html);
    form.push(("username".into(), name.into()));
    client
        .post(&config.authorization_endpoint)
        .form(&form)
        .send()
        .await
        .expect("the form posts")
}

/// The `code` of a redirect to the page, after checking it carries `state` back.
pub fn code_from_redirect(response: &reqwest::Response, redirect_uri: &str, state: &str) -> String {
    assert_eq!(response.status(), 302, "the sign-in redirects back");
    let location = response.headers()["location"].to_str().expect("Location");
    let query = location
        .strip_prefix(redirect_uri)
        .and_then(|rest| rest.strip_prefix('?'))
        .unwrap_or_else(|| panic!("{location} is not {redirect_uri}?…"));
    let pairs: Vec<(String, String)> = url_pairs(query);
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("state").as_deref(), Some(state), "state comes back");
    get("code").expect("a code")
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// Exchanges a code at the token endpoint; the raw answer, for tests of refusals.
pub async fn exchange_code(
    config: &AuthConfig,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> reqwest::Response {
    client()
        .post(&config.token_endpoint)
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", config.client_id.as_str()),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect_uri),
        ])
        .send()
        .await
        .expect("token endpoint answers")
}

/// Signs in as `name` through the real pages of the edge at `edge_url`, as the page does,
/// with the page's own origin + `/` as redirect URI.
pub async fn sign_in(edge_url: &str, name: &str) -> Tokens {
    let config = auth_config(edge_url).await;
    let redirect_uri = format!("{}/", edge_url.trim_end_matches('/'));
    let pkce = Pkce::new();
    let state = uuid_hex();
    let redirect = submit_sign_in(&config, &redirect_uri, &state, &pkce, name).await;
    let code = code_from_redirect(&redirect, &redirect_uri, &state);
    let response = exchange_code(&config, &code, &pkce.verifier, &redirect_uri).await;
    assert_eq!(response.status(), 200, "code exchange");
    response.json().await.expect("tokens")
}

/// New tokens for a refresh token (the raw answer).
pub async fn refresh(edge_url: &str, refresh_token: &str) -> reqwest::Response {
    let config = auth_config(edge_url).await;
    client()
        .post(&config.token_endpoint)
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", config.client_id.as_str()),
            ("refresh_token", refresh_token),
        ])
        .send()
        .await
        .expect("token endpoint answers")
}

/// The claims of a JWT the provider issued (read, not verified: the test trusts its own
/// provider).
pub fn claims_of(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("base64url claims");
    serde_json::from_slice(&bytes).expect("JSON claims")
}
