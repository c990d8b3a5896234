//! The user pool's administration API as the functions' SDK calls it (AWS JSON 1.1,
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`), at
//! `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` = the edge's origin + `/local-idp/cognito-idp`.
//! Only `AdminDeleteUser`, which the app calls. Every call's SigV4 signature is verified
//! and the call authorised by local IAM from the template, as the embedded DynamoDB
//! does: only a role granted `cognito-idp:AdminDeleteUser` on this pool's ARN may delete.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde_json::{Value, json};

use super::Idp;
use super::pool::DeleteRefused;
use crate::dynamodb::sigv4::{self, Refusal};
use crate::iam::{Request, Verdict};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// Cognito's error answer: `400` (`500` for its own faults) with `__type` and `message`.
fn error(status: StatusCode, kind: &str, message: &str) -> Response {
    let mut response = (
        status,
        json!({"__type": kind, "message": message}).to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response.headers_mut().insert(
        "x-amzn-errortype",
        HeaderValue::from_str(kind).unwrap_or(HeaderValue::from_static("InternalErrorException")),
    );
    response
}

fn bad(kind: &str, message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, kind, message)
}

pub async fn call(
    State(idp): State<Arc<Idp>>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(iam) = idp.settings.iam.as_ref() else {
        return bad(
            "UnrecognizedClientException",
            "This local stack runs no local IAM: the user pool takes no administration calls.",
        );
    };
    let expected = sigv4::Expected {
        region: &iam.names().region,
        service: "cognito-idp",
        signed_headers: &["host", "x-amz-date", "x-amz-target"],
        now: SystemTime::now(),
    };
    let secret_of = |key: &str| iam.secret_of(key).map(str::to_string);
    let key = match sigv4::verify(&method, &uri, &headers, &body, &expected, secret_of) {
        Ok(key) => key.to_string(),
        Err(Refusal::Unsigned) => {
            return bad(
                "MissingAuthenticationTokenException",
                "Request is missing Authentication Token",
            );
        }
        Err(Refusal::BadSignature) => {
            return bad(
                "InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided.",
            );
        }
        Err(Refusal::UnknownKey) => {
            return bad(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            );
        }
    };
    let operation = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(TARGET_PREFIX));
    if operation != Some("AdminDeleteUser") {
        return bad(
            "UnknownOperationException",
            "The local user pool serves AdminDeleteUser only.",
        );
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return bad("SerializationException", "The body is not a JSON object.");
    };
    let (Some(pool_id), Some(username)) = (body["UserPoolId"].as_str(), body["Username"].as_str())
    else {
        return bad(
            "InvalidParameterException",
            "UserPoolId and Username are required.",
        );
    };
    let request = Request::new(
        "cognito-idp:AdminDeleteUser",
        iam.names().user_pool_arn(pool_id),
    );
    match iam.authorise(&key, &request) {
        Verdict::Allowed => {}
        Verdict::Denied(message) => return bad("AccessDeniedException", &message),
        Verdict::UnknownKey => {
            return bad(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            );
        }
    }
    if pool_id != idp.settings.user_pool_id {
        return bad(
            "ResourceNotFoundException",
            &format!("User pool {pool_id} does not exist."),
        );
    }
    match idp.pool.delete(username) {
        Ok(()) => {
            let mut response = (StatusCode::OK, "{}").into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            response
        }
        Err(DeleteRefused::NotFound) => bad("UserNotFoundException", "User does not exist."),
        Err(DeleteRefused::Unsaved(why)) => {
            tracing::error!(error = %why, "local user pool: cannot save a deletion");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalErrorException",
                "The local user pool could not save the deletion.",
            )
        }
    }
}
