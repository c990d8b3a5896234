//! The edge as API Gateway, in front of a stand-in for `cargo lambda watch` that records
//! what reaches the functions: routes from template.yaml, the JWT authorizer refusing
//! every kind of bad token before any function runs, and the format 2.0 event a valid
//! request becomes.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use test_support::TestStack;
use test_support::edge::TestApi;
use test_support::fake_lambda::ok_response;
use test_support::sign_in::{Tokens, sign_in};

/// A JWT's claims, read without checking.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

fn b64_json(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Makes tokens the provider never issued: its real key with other claims or headers,
/// another key, other algorithms.
struct Forge {
    key: EncodingKey,
    kid: String,
    /// A valid access token's claims, to start from.
    base: Value,
    pkcs8: Vec<u8>,
}

impl Forge {
    fn new(api: &TestApi, tokens: &Tokens) -> Self {
        let pem = std::fs::read(api.key_dir.join("signing-key.pem")).unwrap();
        let pkcs8 = ::pem::parse(&pem).unwrap().into_contents();
        let header = jsonwebtoken::decode_header(&tokens.access_token).unwrap();
        Self {
            key: EncodingKey::from_rsa_pem(&pem).unwrap(),
            kid: header.kid.unwrap(),
            base: claims_of(&tokens.access_token),
            pkcs8,
        }
    }

    fn claims(&self, change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
        let mut claims = self.base.clone();
        change(claims.as_object_mut().unwrap());
        claims
    }

    fn sign_with(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        claims: &Value,
        key: &EncodingKey,
    ) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_string);
        jsonwebtoken::encode(&header, claims, key).unwrap()
    }

    /// The real key and kid, other claims.
    fn sign(&self, claims: &Value) -> String {
        self.sign_with(Algorithm::RS256, Some(&self.kid), claims, &self.key)
    }

    fn other_key() -> EncodingKey {
        use aws_lc_rs::encoding::AsDer;
        let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
        let der = key.as_der().unwrap();
        let pem = ::pem::encode(&::pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec()));
        EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap()
    }

    /// The public key as PEM, the "secret" of the RS256 → HS256 confusion attack.
    fn public_pem(&self) -> String {
        use aws_lc_rs::encoding::AsDer;
        use aws_lc_rs::signature::KeyPair as _;
        let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(&self.pkcs8).unwrap();
        let der = key.public_key().as_der().unwrap();
        ::pem::encode(&::pem::Pem::new("PUBLIC KEY", der.as_ref().to_vec()))
    }
}

async fn send(
    api: &TestApi,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .request(method.parse().unwrap(), format!("{}{path}", api.url()))
        .header("content-type", "application/json");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(body).send().await.unwrap()
}

/// (what is wrong, the Authorization header, other headers, the answer's status)
type Case<'a> = (&'a str, Option<String>, Vec<(&'a str, String)>, u16);

const PROTECTED: [(&str, &str); 4] = [
    ("POST", "/api/uploads"),
    ("POST", "/api/profile"),
    ("GET", "/api/me"),
    ("DELETE", "/api/profile"),
];

#[tokio::test]
async fn only_the_templates_routes_exist() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let token = sign_in(&api.url(), "ada").await.access_token;
    let bearer = format!("Bearer {token}");
    for (method, path) in [
        ("GET", "/api/nope"),
        ("DELETE", "/api/profile/ada"),
        ("GET", "/api/uploads"),
        ("PUT", "/api/profile/ada"),
        ("GET", "/api/profile/"),
        ("GET", "/api/profile/ada/extra"),
        ("GET", "/api/me/"),
        ("OPTIONS", "/api/profile"),
    ] {
        let response = send(&api, method, path, Some(&bearer), &[], vec![]).await;
        assert_eq!(response.status(), 404, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"message": "Not Found"}), "{method} {path}");
    }
    assert!(api.lambda.calls().is_empty());
}

#[tokio::test]
async fn every_bad_token_is_refused_before_any_function_runs() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let tokens = sign_in(&api.url(), "ada").await;
    let other_account = sign_in(&api.url(), "grace").await;
    let forge = Forge::new(&api, &tokens);
    let now = claims_of(&tokens.access_token)["iat"].as_u64().unwrap();
    let valid = tokens.access_token.clone();
    let [header, payload, _] = valid.split('.').collect::<Vec<_>>()[..] else {
        panic!("three parts")
    };
    let tampered_payload = b64_json(&forge.claims(|c| {
        c.insert(
            "sub".into(),
            claims_of(&other_account.access_token)["sub"].clone(),
        );
    }));
    let other_signature = other_account.access_token.rsplit('.').next().unwrap();

    let bearer = |token: &str| Some(format!("Bearer {token}"));
    let claims = |change: fn(&mut serde_json::Map<String, Value>, u64)| {
        forge.sign(&forge.claims(|c| change(c, now)))
    };
    let posing = json!({"sub": "posing", "scope": "avatars/profile"}).to_string();
    let cases: Vec<Case> = vec![
        ("no token", None, vec![], 401),
        ("an empty bearer", Some("Bearer ".into()), vec![], 401),
        ("garbage", bearer("not-a-jwt"), vec![], 401),
        ("three parts of garbage", bearer("a.b.c"), vec![], 401),
        (
            "claims changed under the signature",
            bearer(&format!(
                "{header}.{tampered_payload}.{}",
                valid.rsplit('.').next().unwrap()
            )),
            vec![],
            401,
        ),
        (
            "another token's signature",
            bearer(&format!("{header}.{payload}.{other_signature}")),
            vec![],
            401,
        ),
        (
            "no signature",
            bearer(&format!("{header}.{payload}.")),
            vec![],
            401,
        ),
        (
            "another key with the same kid",
            bearer(&forge.sign_with(
                Algorithm::RS256,
                Some(&forge.kid),
                &forge.base,
                &Forge::other_key(),
            )),
            vec![],
            401,
        ),
        (
            "alg none",
            bearer(&format!(
                "{}.{payload}.",
                b64_json(&json!({"alg": "none", "typ": "JWT", "kid": forge.kid}))
            )),
            vec![],
            401,
        ),
        (
            "HS256 keyed with the public key",
            bearer(&forge.sign_with(
                Algorithm::HS256,
                Some(&forge.kid),
                &forge.base,
                &EncodingKey::from_secret(forge.public_pem().as_bytes()).unwrap(),
            )),
            vec![],
            401,
        ),
        (
            "RS512, not RS256",
            bearer(&forge.sign_with(Algorithm::RS512, Some(&forge.kid), &forge.base, &forge.key)),
            vec![],
            401,
        ),
        (
            "an unknown kid",
            bearer(&forge.sign_with(Algorithm::RS256, Some("not-a-key"), &forge.base, &forge.key)),
            vec![],
            401,
        ),
        (
            "no kid",
            bearer(&forge.sign_with(Algorithm::RS256, None, &forge.base, &forge.key)),
            vec![],
            401,
        ),
        (
            "another issuer",
            bearer(&claims(|c, _| {
                c.insert(
                    "iss".into(),
                    "https://cognito-idp.us-east-1.amazonaws.com/x".into(),
                );
            })),
            vec![],
            401,
        ),
        (
            "no issuer",
            bearer(&claims(|c, _| {
                c.remove("iss");
            })),
            vec![],
            401,
        ),
        (
            "another client",
            bearer(&claims(|c, _| {
                c.insert("client_id".into(), "someone-else".into());
            })),
            vec![],
            401,
        ),
        (
            "an aud for another client (aud wins over client_id)",
            bearer(&claims(|c, _| {
                c.insert("aud".into(), "someone-else".into());
            })),
            vec![],
            401,
        ),
        (
            "expired",
            bearer(&claims(|c, now| {
                c.insert("exp".into(), now.into());
            })),
            vec![],
            401,
        ),
        (
            "no exp",
            bearer(&claims(|c, _| {
                c.remove("exp");
            })),
            vec![],
            401,
        ),
        (
            "not valid yet (nbf)",
            bearer(&claims(|c, now| {
                c.insert("nbf".into(), (now + 60).into());
            })),
            vec![],
            401,
        ),
        (
            "issued in the future (iat)",
            bearer(&claims(|c, now| {
                c.insert("iat".into(), (now + 60).into());
            })),
            vec![],
            401,
        ),
        (
            "an access token with token_use id",
            bearer(&claims(|c, _| {
                c.insert("token_use".into(), "id".into());
            })),
            vec![],
            401,
        ),
        (
            "the refresh token",
            bearer(tokens.refresh_token.as_deref().unwrap()),
            vec![],
            401,
        ),
        (
            "claims in custom headers, no token",
            None,
            vec![
                ("x-amzn-authorizer-claims", posing.clone()),
                ("x-jwt-claims", posing.clone()),
                ("x-amzn-oidc-data", valid.clone()),
                ("x-access-token", valid.clone()),
            ],
            401,
        ),
        // API Gateway answers a valid token without the route's scope 403 Forbidden.
        (
            "without the scope",
            bearer(&claims(|c, _| {
                c.insert("scope".into(), "openid".into());
            })),
            vec![],
            403,
        ),
        (
            "no scope claim",
            bearer(&claims(|c, _| {
                c.remove("scope");
            })),
            vec![],
            403,
        ),
        (
            "the ID token",
            bearer(tokens.id_token.as_deref().unwrap()),
            vec![],
            403,
        ),
    ];
    for (case, authorization, headers, status) in &cases {
        for (method, path) in PROTECTED {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = send(
                &api,
                method,
                path,
                authorization.as_deref(),
                &headers,
                b"{}".to_vec(),
            )
            .await;
            assert_eq!(
                response.status().as_u16(),
                *status,
                "{case}: {method} {path}"
            );
            let challenge = response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(challenge.starts_with("Bearer"), "{case}: {challenge}");
            if *status == 403 {
                assert!(
                    challenge.contains("insufficient_scope"),
                    "{case}: {challenge}"
                );
            }
            let body: Value = response.json().await.unwrap();
            let message = if *status == 401 {
                "Unauthorized"
            } else {
                "Forbidden"
            };
            assert_eq!(body, json!({"message": message}), "{case}");
        }
    }
    assert!(
        api.lambda.calls().is_empty(),
        "no refused request reached a function"
    );

    // The same token, unchanged, gets through: each refusal was about what was changed.
    for authorization in [
        format!("Bearer {valid}"),
        format!("bearer {valid}"),
        valid.clone(),
    ] {
        let response = send(&api, "GET", "/api/me", Some(&authorization), &[], vec![]).await;
        assert_eq!(response.status(), 200, "{authorization:.12}");
    }
    assert_eq!(api.lambda.calls().len(), 3);
}

#[tokio::test]
async fn a_valid_token_reaches_the_function_with_its_claims_as_strings() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let tokens = sign_in(&api.url(), "Ada").await;
    let claims = claims_of(&tokens.access_token);
    let posing = json!({"sub": "posing"}).to_string();
    let response = send(
        &api,
        "POST",
        "/api/profile?draft=1&tag=a&tag=b",
        Some(&format!("Bearer {}", tokens.access_token)),
        &[
            ("x-amzn-authorizer-claims", &posing),
            ("x-jwt-claims", &posing),
            ("cookie", "a=1; b=2"),
            ("user-agent", "gateway-test"),
        ],
        br#"{"username":"ada"}"#.to_vec(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let request_id = response.headers()["apigw-requestid"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, json!({"ok": true}), "the function's answer");

    let calls = api.lambda.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function, "save-profile");
    let event = &calls[0].event;
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "POST /api/profile");
    assert_eq!(event["rawPath"], "/api/profile");
    assert_eq!(event["rawQueryString"], "draft=1&tag=a&tag=b");
    assert_eq!(
        event["queryStringParameters"],
        json!({"draft": "1", "tag": "a,b"})
    );
    assert!(event.get("pathParameters").is_none());
    assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
    assert_eq!(event["body"], r#"{"username":"ada"}"#);
    assert_eq!(event["isBase64Encoded"], false);
    let headers = &event["headers"];
    assert!(
        headers.get("cookie").is_none(),
        "cookies move to their own list"
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-jwt-claims"], posing.as_str(), "just a header");
    assert_eq!(headers["x-forwarded-proto"], "http");

    let context = &event["requestContext"];
    assert_eq!(context["routeKey"], "POST /api/profile");
    assert_eq!(context["stage"], "$default");
    assert_eq!(context["requestId"], request_id.as_str());
    assert_eq!(context["http"]["method"], "POST");
    assert_eq!(context["http"]["path"], "/api/profile");
    assert_eq!(context["http"]["protocol"], "HTTP/1.1");
    assert_eq!(context["http"]["sourceIp"], "127.0.0.1");
    assert_eq!(context["http"]["userAgent"], "gateway-test");
    assert!(context["accountId"].is_string() && context["apiId"].is_string());
    assert!(
        context["domainName"]
            .as_str()
            .unwrap()
            .starts_with("127.0.0.1:")
    );
    assert!(context["time"].as_str().unwrap().ends_with(" +0000"));
    assert!(context["timeEpoch"].as_i64().unwrap() > 1_600_000_000_000);

    let jwt = &context["authorizer"]["jwt"];
    let passed = jwt["claims"].as_object().unwrap();
    let sent = claims.as_object().unwrap();
    assert_eq!(
        passed.keys().collect::<Vec<_>>(),
        sent.keys().collect::<Vec<_>>(),
        "every claim, nothing else"
    );
    for (name, value) in sent {
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_string);
        assert_eq!(passed[name], text.as_str(), "{name} as a string");
    }
    assert_eq!(passed["sub"], claims["sub"]);
    assert_ne!(passed["sub"], "posing");
    assert_eq!(passed["username"], "ada");
    assert_eq!(jwt["scopes"], json!(["openid", "avatars/profile"]));
}

#[tokio::test]
async fn the_public_route_needs_no_token_and_gets_no_claims() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let token = sign_in(&api.url(), "ada").await.access_token;
    let posing = json!({"sub": "posing"}).to_string();
    for authorization in [
        None,
        Some(format!("Bearer {token}")),
        Some("garbage".into()),
    ] {
        let response = send(
            &api,
            "GET",
            "/api/profile/Ada%20L%2Fx?x=%C3%A9",
            authorization.as_deref(),
            &[("x-amzn-authorizer-claims", &posing)],
            vec![],
        )
        .await;
        assert_eq!(response.status(), 200, "{authorization:?}");
    }
    let calls = api.lambda.calls();
    assert_eq!(calls.len(), 3);
    for call in calls {
        assert_eq!(call.function, "get-profile");
        let event = &call.event;
        assert_eq!(event["routeKey"], "GET /api/profile/{username}");
        assert_eq!(event["rawPath"], "/api/profile/Ada%20L%2Fx");
        assert_eq!(
            event["pathParameters"],
            json!({"username": "Ada%20L%2Fx"}),
            "raw, as API Gateway passes it"
        );
        assert_eq!(event["queryStringParameters"], json!({"x": "é"}));
        assert!(event.get("body").is_none());
        assert!(
            event["requestContext"].get("authorizer").is_none(),
            "a public route carries no authorizer block, whatever was sent"
        );
    }
}

#[tokio::test]
async fn a_body_that_is_not_utf8_reaches_the_function_as_base64() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let token = sign_in(&api.url(), "ada").await.access_token;
    let bytes = vec![b'{', 0xff, 0xfe, b'}'];
    let response = send(
        &api,
        "POST",
        "/api/profile",
        Some(&format!("Bearer {token}")),
        &[],
        bytes.clone(),
    )
    .await;
    assert_eq!(response.status(), 200);
    let event = &api.lambda.calls()[0].event;
    assert_eq!(event["isBase64Encoded"], true);
    assert_eq!(
        STANDARD.decode(event["body"].as_str().unwrap()).unwrap(),
        bytes
    );
}

#[tokio::test]
async fn function_answers_become_http_as_api_gateway_makes_them() {
    let stack = TestStack::start().await;
    let api = TestApi::start(&stack).await;
    let get = || async {
        reqwest::get(format!("{}/api/profile/ada", api.url()))
            .await
            .unwrap()
    };

    api.lambda.answer_with(
        200,
        json!({
            "statusCode": 201,
            "headers": {"content-type": "image/png", "x-one": "1", "connection": "close"},
            "multiValueHeaders": {"x-many": ["a", "b"]},
            "cookies": ["s=1; HttpOnly", "t=2"],
            "body": STANDARD.encode([0x89, b'P', b'N', b'G']),
            "isBase64Encoded": true
        }),
    );
    let response = get().await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["x-one"], "1");
    assert_eq!(response.headers().get_all("x-many").iter().count(), 2);
    assert_eq!(response.headers().get_all("set-cookie").iter().count(), 2);
    assert!(response.headers().get("apigw-requestid").is_some());
    assert_eq!(
        response.bytes().await.unwrap().as_ref(),
        [0x89, b'P', b'N', b'G']
    );

    // A payload without statusCode is a 200 with that payload as its JSON body.
    api.lambda.answer_with(200, json!({"hello": "world"}));
    let response = get().await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"hello": "world"})
    );

    // A function error or panic, or an answer that is no response: API Gateway's 500.
    for (status, payload) in [
        (
            500,
            json!({"errorType": "&str", "errorMessage": "panicked at handler.rs"}),
        ),
        (200, json!({"statusCode": "not a status"})),
        (
            200,
            json!({"statusCode": 200, "body": "!!", "isBase64Encoded": true}),
        ),
        (404, json!({"title": "Missing function"})),
    ] {
        api.lambda.answer_with(status, payload.clone());
        let response = get().await;
        assert_eq!(response.status(), 500, "{status} {payload}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"message": "Internal Server Error"}));
    }
    api.lambda.answer_with(200, ok_response());
    assert_eq!(get().await.status(), 200);
}
