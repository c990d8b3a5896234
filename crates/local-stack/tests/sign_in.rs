//! The development OpenID provider through the edge, over HTTP as the page uses it:
//! discovery, the authorize form and its refusals (never a redirect), the code exchange
//! with PKCE (single-use, 60 seconds, bound to its request), refresh, sign-out, and a key
//! that survives a restart.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use test_support::TestStack;
use test_support::edge::{CLIENT_ID, TestApi};
use test_support::sign_in::{
    self, AuthConfig, Pkce, auth_config, client, code_from_redirect, exchange_code, sign_in,
    submit_sign_in,
};

/// A JWT's header and claims, read without checking (the tests check the shape).
fn parts(token: &str) -> (Value, Value) {
    let mut it = token.split('.');
    let mut json = || {
        let part = it.next().expect("a JWT part");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    };
    (json(), json())
}

fn page(api: &TestApi) -> String {
    format!("{}/", api.url())
}

/// A fresh code for `ada`, with its verifier.
async fn new_code(api: &TestApi, config: &AuthConfig) -> (String, Pkce) {
    let pkce = Pkce::new();
    let response = submit_sign_in(config, &page(api), "s1", &pkce, "ada").await;
    (code_from_redirect(&response, &page(api), "s1"), pkce)
}

async fn oauth_error(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("OAuth error JSON");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test]
async fn discovery_jwks_and_the_pages_config_describe_the_provider() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let issuer = format!("{}/local-idp", api.url());
    let doc: Value = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["issuer"], issuer.as_str());
    for (field, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("jwks_uri", "/jwks.json"),
        ("end_session_endpoint", "/logout"),
    ] {
        assert_eq!(doc[field], format!("{issuer}{path}").as_str(), "{field}");
    }
    assert_eq!(doc["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        serde_json::json!(["none"])
    );
    assert!(
        doc["scopes_supported"]
            .as_array()
            .unwrap()
            .contains(&"avatars/profile".into())
    );

    let jwks: Value = reqwest::get(format!("{issuer}/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["alg"], "RS256");
    assert_eq!(keys[0]["use"], "sig");
    assert!(keys[0]["kid"].as_str().is_some_and(|k| !k.is_empty()));
    assert!(keys[0].get("d").is_none(), "no private part");

    let response = reqwest::get(format!("{}/auth-config.json", api.url()))
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let config: Value = response.json().await.unwrap();
    assert_eq!(config["clientId"], CLIENT_ID);
    assert_eq!(config["scope"], "openid avatars/profile");
    assert_eq!(
        config["authorizationEndpoint"],
        format!("{issuer}/authorize").as_str()
    );
    assert_eq!(config["tokenEndpoint"], format!("{issuer}/token").as_str());
    assert_eq!(
        config["logoutEndpoint"],
        format!("{issuer}/logout").as_str()
    );

    // Loaded from localhost, the page's sign-in stays on localhost (same origin).
    let port = api.edge.addr().port();
    let config: Value = reqwest::Client::new()
        .get(format!("{}/auth-config.json", api.url()))
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        config["tokenEndpoint"],
        format!("http://localhost:{port}/local-idp/token").as_str()
    );
}

#[tokio::test]
async fn a_bad_authorization_request_is_a_400_page_and_never_a_redirect() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let config = auth_config(&api.url()).await;
    let pkce = Pkce::new();
    let good = sign_in::authorize_query(&config, &page(&api), "s", &pkce);
    let port = api.edge.addr().port();
    let with = |name: &str, value: Option<&str>| {
        let mut query: Vec<(String, String)> = good
            .iter()
            .filter(|(k, _)| *k != name)
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        if let Some(value) = value {
            query.push((name.to_string(), value.to_string()));
        }
        query
    };
    let cases = [
        ("unknown client", with("client_id", Some("someone-else"))),
        ("no client", with("client_id", None)),
        (
            "foreign redirect",
            with("redirect_uri", Some("http://evil.example/")),
        ),
        (
            "another path on the origin",
            with(
                "redirect_uri",
                Some(&format!("http://127.0.0.1:{port}/profile.html")),
            ),
        ),
        (
            "https instead of http",
            with("redirect_uri", Some(&format!("https://127.0.0.1:{port}/"))),
        ),
        ("no redirect", with("redirect_uri", None)),
        ("no PKCE method", with("code_challenge_method", None)),
        ("plain PKCE", with("code_challenge_method", Some("plain"))),
        ("no challenge", with("code_challenge", None)),
        ("short challenge", with("code_challenge", Some("abc"))),
        ("implicit flow", with("response_type", Some("token"))),
        ("unknown scope", with("scope", Some("openid admin"))),
    ];
    for (case, query) in cases {
        let get = client()
            .get(&config.authorization_endpoint)
            .query(&query)
            .send()
            .await
            .unwrap();
        let mut form = query.clone();
        form.push(("username".into(), "ada".into()));
        let post = client()
            .post(&config.authorization_endpoint)
            .form(&form)
            .send()
            .await
            .unwrap();
        for (method, response) in [("GET", get), ("POST", post)] {
            assert_eq!(response.status(), 400, "{case} ({method})");
            assert!(
                response.headers().get("location").is_none(),
                "{case} ({method})"
            );
            let html = response.text().await.unwrap();
            assert!(html.contains("not valid"), "{case} ({method}): {html}");
        }
    }
    // A repeated parameter is ambiguous, so refused too.
    let mut twice = with("state", Some("a"));
    twice.push(("state".into(), "b".into()));
    let response = client()
        .get(&config.authorization_endpoint)
        .query(&twice)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn the_form_is_plain_accessible_html_and_checks_the_name() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let config = auth_config(&api.url()).await;
    let pkce = Pkce::new();
    let query = sign_in::authorize_query(&config, &page(&api), "st&\"<", &pkce);
    let response = client()
        .get(&config.authorization_endpoint)
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("form-action 'self'"),
        "{csp}"
    );
    let html = response.text().await.unwrap();
    for needle in [
        r#"<form method="post" action="/local-idp/authorize">"#,
        r#"<label for="username">"#,
        r#"id="username" name="username" type="text""#,
        r#"<button type="submit">"#,
        r#"aria-describedby="username_hint""#,
        r#"<p id="username_hint">"#,
        "Sign in as",
    ] {
        assert!(html.contains(needle), "{needle} in {html}");
    }
    assert!(!html.contains("<script"), "no script");
    let hidden = sign_in::hidden_fields(&html);
    assert!(
        hidden.contains(&("state".into(), "st&\"<".into())),
        "{hidden:?}"
    );
    assert!(hidden.contains(&("code_challenge".into(), pkce.challenge.clone())));

    for bad in ["", "   ", "a b", "<b>x</b>", &"n".repeat(65), "émile"] {
        let mut form = hidden.clone();
        form.push(("username".into(), bad.into()));
        let response = client()
            .post(&config.authorization_endpoint)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{bad:?}");
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.unwrap();
        assert!(
            html.contains(r#"role="alert""#),
            "{bad:?}: an error on the form"
        );
        assert!(html.contains(r#"aria-invalid="true""#), "{bad:?}");
        assert!(
            html.contains(r#"aria-describedby="username_error username_hint""#),
            "{bad:?}"
        );
        assert!(!html.contains("<b>"), "the name is escaped");
    }
}

#[tokio::test]
async fn tokens_are_shaped_like_cognitos_and_a_name_is_one_account() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let jwks: Value = reqwest::get(format!("{}/local-idp/jwks.json", api.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = jwks["keys"][0]["kid"].as_str().unwrap().to_string();

    let ada = sign_in(&api.url(), "ada").await;
    assert_eq!(ada.token_type, "Bearer");
    assert_eq!(ada.expires_in, 3600);
    let (header, claims) = parts(&ada.access_token);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], kid.as_str());
    assert_eq!(claims["iss"], format!("{}/local-idp", api.url()).as_str());
    assert_eq!(claims["client_id"], CLIENT_ID);
    assert_eq!(claims["token_use"], "access");
    assert_eq!(claims["scope"], "openid avatars/profile");
    assert_eq!(claims["username"], "ada");
    assert!(claims.get("aud").is_none(), "access tokens have no aud");
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(claims["exp"].as_u64().unwrap(), iat + 3600);
    assert_eq!(claims["auth_time"].as_u64().unwrap(), iat);
    assert!(claims["jti"].as_str().is_some());
    let sub = claims["sub"].as_str().unwrap().to_string();
    assert_eq!(sub.len(), 36, "a UUID");

    let (_, id) = parts(ada.id_token.as_deref().expect("an ID token for openid"));
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], CLIENT_ID);
    assert_eq!(id["sub"], sub.as_str());
    assert!(id.get("scope").is_none());
    assert!(ada.refresh_token.is_some());

    let sub_of = |tokens: &sign_in::Tokens| parts(&tokens.access_token).1["sub"].clone();
    assert_eq!(
        sub_of(&sign_in(&api.url(), "ada").await),
        sub.as_str(),
        "again"
    );
    assert_eq!(
        sub_of(&sign_in(&api.url(), "ADA").await),
        sub.as_str(),
        "any case"
    );
    assert_ne!(sub_of(&sign_in(&api.url(), "grace").await), sub.as_str());
}

#[tokio::test]
async fn a_code_is_single_use_and_bound_to_its_verifier_redirect_and_client() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let config = auth_config(&api.url()).await;
    let page = page(&api);
    let localhost = format!("http://localhost:{}/", api.edge.addr().port());

    // Used once: a second exchange fails.
    let (code, pkce) = new_code(&api, &config).await;
    let first = exchange_code(&config, &code, &pkce.verifier, &page).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["cache-control"], "no-store");
    let again = exchange_code(&config, &code, &pkce.verifier, &page).await;
    assert_eq!(oauth_error(again).await, (400, "invalid_grant".into()));

    // Each binding broken once; the code is gone after any failed try.
    let other = Pkce::new();
    // (case, client_id, verifier ("" = the right one), redirect_uri, expected answer)
    let cases = [
        (
            "another verifier",
            CLIENT_ID,
            other.verifier.as_str(),
            page.as_str(),
            (400, "invalid_grant"),
        ),
        (
            "a malformed verifier",
            CLIENT_ID,
            "short",
            page.as_str(),
            (400, "invalid_grant"),
        ),
        (
            "another redirect URI",
            CLIENT_ID,
            "",
            localhost.as_str(),
            (400, "invalid_grant"),
        ),
        (
            "another client",
            "someone-else",
            "",
            page.as_str(),
            (401, "invalid_client"),
        ),
    ];
    for (case, client_id, verifier, redirect_uri, expected) in cases {
        let (code, pkce) = new_code(&api, &config).await;
        let verifier = if verifier.is_empty() {
            pkce.verifier.as_str()
        } else {
            verifier
        };
        let mut config = config.clone();
        config.client_id = client_id.into();
        let response = exchange_code(&config, &code, verifier, redirect_uri).await;
        assert_eq!(
            oauth_error(response).await,
            (expected.0, expected.1.into()),
            "{case}"
        );
    }
    let (code, pkce) = new_code(&api, &config).await;
    let wrong = exchange_code(&config, &code, &other.verifier, &page).await;
    assert_eq!(wrong.status(), 400);
    let right = exchange_code(&config, &code, &pkce.verifier, &page).await;
    assert_eq!(
        oauth_error(right).await.1,
        "invalid_grant",
        "a failed try uses the code up"
    );
}

#[tokio::test]
async fn a_code_expires_after_60_seconds() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let config = auth_config(&api.url()).await;
    let (code, pkce) = new_code(&api, &config).await;
    api.clock.advance(60);
    let on_time = exchange_code(&config, &code, &pkce.verifier, &page(&api)).await;
    assert_eq!(on_time.status(), 200, "60 s is still in time");

    let (code, pkce) = new_code(&api, &config).await;
    api.clock.advance(61);
    let late = exchange_code(&config, &code, &pkce.verifier, &page(&api)).await;
    assert_eq!(oauth_error(late).await, (400, "invalid_grant".into()));
}

#[tokio::test]
async fn the_token_endpoint_answers_oauth_errors() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let config = auth_config(&api.url()).await;
    let tokens = sign_in(&api.url(), "ada").await;
    let form = |pairs: &[(&str, &str)]| client().post(&config.token_endpoint).form(pairs).send();
    let cases: Vec<(&str, reqwest::Response, (u16, &str))> = vec![
        (
            "password grant",
            form(&[("grant_type", "password"), ("client_id", CLIENT_ID)])
                .await
                .unwrap(),
            (400, "unsupported_grant_type"),
        ),
        (
            "no grant type",
            form(&[("client_id", CLIENT_ID)]).await.unwrap(),
            (400, "invalid_request"),
        ),
        (
            "no client",
            form(&[("grant_type", "refresh_token"), ("refresh_token", "x")])
                .await
                .unwrap(),
            (400, "invalid_request"),
        ),
        (
            "unknown client",
            form(&[
                ("grant_type", "authorization_code"),
                ("client_id", "x"),
                ("code", "c"),
            ])
            .await
            .unwrap(),
            (401, "invalid_client"),
        ),
        (
            "code without verifier",
            form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT_ID),
                ("code", "c"),
            ])
            .await
            .unwrap(),
            (400, "invalid_request"),
        ),
        (
            "unknown code",
            form(&[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT_ID),
                ("code", "nope"),
                ("code_verifier", &Pkce::new().verifier),
                ("redirect_uri", &page(&api)),
            ])
            .await
            .unwrap(),
            (400, "invalid_grant"),
        ),
        (
            "garbage refresh token",
            form(&[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT_ID),
                ("refresh_token", "x.y.z"),
            ])
            .await
            .unwrap(),
            (400, "invalid_grant"),
        ),
        (
            "an access token as refresh token",
            form(&[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT_ID),
                ("refresh_token", &tokens.access_token),
            ])
            .await
            .unwrap(),
            (400, "invalid_grant"),
        ),
        (
            "JSON instead of a form",
            client()
                .post(&config.token_endpoint)
                .json(&serde_json::json!({"grant_type": "refresh_token"}))
                .send()
                .await
                .unwrap(),
            (400, "invalid_request"),
        ),
    ];
    for (case, response, expected) in cases {
        assert_eq!(
            oauth_error(response).await,
            (expected.0, expected.1.into()),
            "{case}"
        );
    }
}

#[tokio::test]
async fn refresh_gives_a_new_access_token_that_the_api_accepts() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let tokens = sign_in(&api.url(), "ada").await;
    let get_me = |token: String| {
        let url = format!("{}/api/me", api.url());
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(get_me(tokens.access_token.clone()).await, 200);

    api.clock.advance(3600);
    assert_eq!(
        get_me(tokens.access_token.clone()).await,
        401,
        "expired after an hour"
    );
    let response = sign_in::refresh(&api.url(), tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let fresh: sign_in::Tokens = response.json().await.unwrap();
    assert!(
        fresh.refresh_token.is_none(),
        "the refresh token is kept, not rotated"
    );
    assert!(fresh.id_token.is_some());
    let (_, old) = parts(&tokens.access_token);
    let (_, new) = parts(&fresh.access_token);
    assert_eq!(new["sub"], old["sub"]);
    assert_eq!(new["auth_time"], old["auth_time"], "the same sign-in");
    assert_eq!(new["scope"], old["scope"]);
    assert_eq!(get_me(fresh.access_token).await, 200);
    assert_eq!(
        api.lambda.calls().len(),
        2,
        "only the valid tokens got through"
    );

    api.clock.advance(31 * 24 * 3600);
    let response = sign_in::refresh(&api.url(), tokens.refresh_token.as_deref().unwrap()).await;
    assert_eq!(
        oauth_error(response).await,
        (400, "invalid_grant".into()),
        "after 30 days"
    );
}

#[tokio::test]
async fn logout_redirects_only_to_the_page() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let config = auth_config(&api.url()).await;
    let page = page(&api);
    let response = client()
        .get(&config.logout_endpoint)
        .query(&[("client_id", CLIENT_ID), ("logout_uri", page.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], page.as_str());
    for (client_id, logout_uri) in [
        (CLIENT_ID, "http://evil.example/"),
        ("someone-else", page.as_str()),
        (CLIENT_ID, ""),
    ] {
        let response = client()
            .get(&config.logout_endpoint)
            .query(&[("client_id", client_id), ("logout_uri", logout_uri)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{client_id} {logout_uri}");
        assert!(response.headers().get("location").is_none());
    }
}

#[tokio::test]
async fn the_signing_key_survives_a_restart() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let addr = api.edge.addr();
    let kid = |url: String| async move {
        let jwks: Value = reqwest::get(format!("{url}/local-idp/jwks.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        jwks["keys"][0]["kid"].as_str().unwrap().to_string()
    };
    let before = kid(api.url()).await;
    let tokens = sign_in(&api.url(), "ada").await;
    let key_file = api.key_dir.join("signing-key.pem");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner reads the key");
    }
    let TestApi { edge, lambda, .. } = api;
    edge.stop().await;

    let restarted = TestApi::start_on(&stack, lambda, addr).await;
    assert_eq!(kid(restarted.url()).await, before);
    let status = reqwest::Client::new()
        .get(format!("{}/api/me", restarted.url()))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(
        status, 200,
        "a token from before the restart still verifies"
    );
}
