//! The development provider plays the Cognito user pool for `AdminDeleteUser`: calls are
//! SigV4-checked and authorised by local IAM from template.yaml, so only the
//! account-deleting function's key may delete, and only in this pool. A deleted account's
//! refresh tokens are refused, and its name signs in as a new account.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use serde_json::{Value, json};
use test_support::sign_in::{claims_of, refresh, sign_in};
use test_support::{TestStack, USER_POOL, edge, template_text};

struct Pool {
    stack: TestStack,
    edge: local_stack::Running,
}

impl Pool {
    async fn start_with(template: Option<&str>) -> Self {
        let stack = match template {
            Some(template) => TestStack::start_with_template(template).await,
            None => TestStack::start().await,
        };
        let edge = local_stack::start_edge(edge::settings(&stack, "http://127.0.0.1:9".into()))
            .await
            .expect("edge");
        Self { stack, edge }
    }

    fn url(&self) -> String {
        format!("{}/local-idp/cognito-idp", self.edge.url())
    }

    /// The SDK client `function` would use (`None`: the stack's administrator key).
    fn client(&self, function: Option<&str>) -> Client {
        let sdk = match function {
            Some(function) => self.stack.sdk_config_of(function),
            None => self.stack.sdk_config().clone(),
        };
        Client::from_conf(
            aws_sdk_cognitoidentityprovider::config::Builder::from(&sdk)
                .endpoint_url(self.url())
                .build(),
        )
    }

    /// `AdminDeleteUser` as `function`: `Ok(())` or the error's code.
    async fn delete(&self, function: Option<&str>, pool: &str, name: &str) -> Result<(), String> {
        self.client(function)
            .admin_delete_user()
            .user_pool_id(pool)
            .username(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| e.code().unwrap_or("no code").to_string())
    }

    async fn refresh_status(&self, token: &str) -> (u16, Value) {
        let response = refresh(&self.edge.url(), token).await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON"))
    }

    async fn stop(self) {
        self.edge.stop().await;
        self.stack.stop().await;
    }
}

#[tokio::test]
async fn only_the_account_deleting_key_deletes_users_and_only_in_this_pool() {
    let pool = Pool::start_with(None).await;
    let tokens = sign_in(&pool.edge.url(), "Ada").await;
    let old_sub = claims_of(&tokens.access_token)["sub"].clone();
    let refresh_token = tokens.refresh_token.expect("refresh token");

    for function in [
        "sign-upload",
        "save-profile",
        "delete-profile",
        "get-profile",
    ] {
        assert_eq!(
            pool.delete(Some(function), USER_POOL, "ada").await,
            Err("AccessDeniedException".into()),
            "{function}"
        );
    }
    assert_eq!(
        pool.delete(Some("delete-account"), "us-east-1_otherpool", "ada")
            .await,
        Err("AccessDeniedException".into()),
        "another pool's ARN is not granted"
    );
    assert_eq!(
        pool.delete(None, "us-east-1_otherpool", "ada").await,
        Err("ResourceNotFoundException".into()),
        "the administrator finds no such pool"
    );
    assert_eq!(
        pool.refresh_status(&refresh_token).await.0,
        200,
        "still a user"
    );

    // Letter case does not make another user, as the sign-in does not.
    assert_eq!(
        pool.delete(Some("delete-account"), USER_POOL, "ADA").await,
        Ok(())
    );
    let (status, body) = pool.refresh_status(&refresh_token).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("invalid_grant")),
        "{body}"
    );
    assert_eq!(
        pool.delete(Some("delete-account"), USER_POOL, "ada").await,
        Err("UserNotFoundException".into()),
        "already gone"
    );

    // The name is free: signing in again makes a new account, whose tokens work.
    let again = sign_in(&pool.edge.url(), "ada").await;
    let new_sub = claims_of(&again.access_token)["sub"].clone();
    assert_ne!(new_sub, old_sub);
    let new_refresh = again.refresh_token.expect("refresh token");
    assert_eq!(pool.refresh_status(&new_refresh).await.0, 200);
    assert_eq!(pool.refresh_status(&refresh_token).await.0, 400);
    pool.stop().await;
}

#[tokio::test]
async fn without_its_statement_in_the_template_the_deletion_is_access_denied() {
    let template = template_text();
    let statement = "            - Sid: DeleteUser\n              Effect: Allow\n              Action: cognito-idp:AdminDeleteUser\n              Resource: !GetAtt UserPool.Arn\n";
    assert!(
        template.contains(statement),
        "the statement as template.yaml spells it"
    );
    let pool = Pool::start_with(Some(&template.replace(statement, ""))).await;
    let tokens = sign_in(&pool.edge.url(), "grace").await;
    assert_eq!(
        pool.delete(Some("delete-account"), USER_POOL, "grace")
            .await,
        Err("AccessDeniedException".into())
    );
    let refresh_token = tokens.refresh_token.expect("refresh token");
    assert_eq!(
        pool.refresh_status(&refresh_token).await.0,
        200,
        "still a user"
    );
    pool.stop().await;
}

#[tokio::test]
async fn unsigned_or_forged_calls_are_refused_before_anything_is_deleted() {
    let pool = Pool::start_with(None).await;
    let tokens = sign_in(&pool.edge.url(), "eve").await;
    let body = json!({"UserPoolId": USER_POOL, "Username": "eve"}).to_string();
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str);
    let cases: [Case; 3] = [
        ("unsigned", vec![], "MissingAuthenticationTokenException"),
        (
            "a signature by a key nobody has",
            vec![
                ("x-amz-date", "20260101T000000Z"),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDNOBODY/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00",
                ),
            ],
            "UnrecognizedClientException",
        ),
        (
            "a forged signature by a function's key",
            vec![
                ("x-amz-date", "20260101T000000Z"),
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDLOCALDELETEACCOUNT/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=00",
                ),
            ],
            "InvalidSignatureException",
        ),
    ];
    for (what, headers, code) in cases {
        let mut call = reqwest::Client::new()
            .post(format!("{}/", pool.url()))
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.AdminDeleteUser",
            )
            .body(body.clone());
        for (name, value) in headers {
            call = call.header(name, value);
        }
        let answer = call.send().await.expect("the pool answers");
        assert_eq!(answer.status(), 400, "{what}");
        let answer: Value = answer.json().await.expect("JSON");
        assert_eq!(answer["__type"], code, "{what}: {answer}");
    }
    let refresh_token = tokens.refresh_token.expect("refresh token");
    assert_eq!(
        pool.refresh_status(&refresh_token).await.0,
        200,
        "still a user"
    );
    pool.stop().await;
}
