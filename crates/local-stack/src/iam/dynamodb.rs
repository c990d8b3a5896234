//! The embedded DynamoDB's side of local IAM: what a call asks for (who signed it is
//! `sigv4`'s answer), as DynamoDB authorises it — one action
//! per operation on the table's ARN, a transaction per item, with the partition key
//! values as `dynamodb:LeadingKeys`.

use http::HeaderMap;
use serde_json::{Value, json};

use super::{LocalNames, Request};

pub const LEADING_KEYS: &str = "dynamodb:LeadingKeys";

/// The operation of `X-Amz-Target: DynamoDB_20120810.GetItem`.
pub fn operation(headers: &HeaderMap) -> Option<String> {
    let target = headers.get("x-amz-target")?.to_str().ok()?;
    Some(target.rsplit('.').next()?.to_string())
}

/// What one call asks for; a transaction or batch asks once per item.
pub fn requests(
    operation: &str,
    body: &Value,
    names: &LocalNames,
    partition_key: &str,
) -> Vec<Request> {
    let arn = |table: &Value| match table.as_str() {
        Some(table) => names.table_arn(table),
        None => "*".to_string(),
    };
    let leading = |item: &Value| -> Vec<String> {
        item.get(partition_key)
            .and_then(|v| v.as_object())
            .and_then(|v| v.values().next())
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .into_iter()
            .collect()
    };
    let single = |action: &str, table: &Value, item: &Value| {
        Request::new(format!("dynamodb:{action}"), arn(table))
            .with_context(LEADING_KEYS, leading(item))
    };
    match operation {
        "GetItem" | "UpdateItem" | "DeleteItem" => {
            vec![single(operation, &body["TableName"], &body["Key"])]
        }
        "PutItem" => vec![single(operation, &body["TableName"], &body["Item"])],
        "TransactWriteItems" | "TransactGetItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let (kind, part) = entry.as_object()?.iter().next()?;
                let action = match kind.as_str() {
                    "Put" => "PutItem",
                    "Update" => "UpdateItem",
                    "Delete" => "DeleteItem",
                    "ConditionCheck" => "ConditionCheckItem",
                    "Get" => "GetItem",
                    _ => return None,
                };
                let key = if kind == "Put" {
                    &part["Item"]
                } else {
                    &part["Key"]
                };
                Some(single(action, &part["TableName"], key))
            })
            .collect(),
        "BatchGetItem" | "BatchWriteItem" => body["RequestItems"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(table, asks)| {
                let items: Vec<&Value> = match asks {
                    Value::Array(writes) => writes
                        .iter()
                        .filter_map(|w| {
                            w.get("PutRequest")
                                .map(|p| &p["Item"])
                                .or_else(|| w.get("DeleteRequest").map(|d| &d["Key"]))
                        })
                        .collect(),
                    other => other["Keys"].as_array().into_iter().flatten().collect(),
                };
                Request::new(format!("dynamodb:{operation}"), names.table_arn(table))
                    .with_context(LEADING_KEYS, items.into_iter().flat_map(leading).collect())
            })
            .collect(),
        // The key condition's values stand for the partition keys a query reads: at
        // least as strict as DynamoDB for a `ForAllValues` fence.
        "Query" => {
            let values = body["ExpressionAttributeValues"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(_, v)| v.get("S").and_then(Value::as_str).map(str::to_string))
                .collect();
            vec![
                Request::new("dynamodb:Query", arn(&body["TableName"]))
                    .with_context(LEADING_KEYS, values),
            ]
        }
        other => vec![Request::new(
            format!("dynamodb:{other}"),
            arn(&body["TableName"]),
        )],
    }
}

/// DynamoDB's `400 AccessDeniedException`.
pub fn access_denied(message: &str) -> (http::StatusCode, Value) {
    (
        http::StatusCode::BAD_REQUEST,
        json!({"__type": "com.amazon.coral.service#AccessDeniedException", "Message": message}),
    )
}

/// DynamoDB's answer to a call without an `Authorization` header.
pub fn missing_token() -> (http::StatusCode, Value) {
    (
        http::StatusCode::BAD_REQUEST,
        json!({
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token"
        }),
    )
}

/// DynamoDB's answer to a signature that does not verify.
pub fn invalid_signature() -> (http::StatusCode, Value) {
    (
        http::StatusCode::BAD_REQUEST,
        json!({
            "__type": "com.amazon.coral.service#InvalidSignatureException",
            "message": "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
        }),
    )
}

/// DynamoDB's answer to an access key it does not know.
pub fn unrecognized_client() -> (http::StatusCode, Value) {
    (
        http::StatusCode::BAD_REQUEST,
        json!({
            "__type": "com.amazon.coral.service#UnrecognizedClientException",
            "message": "The security token included in the request is invalid."
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> LocalNames {
        LocalNames::new("us-east-1", "b", "profiles")
    }

    const ARN: &str = "arn:aws:dynamodb:us-east-1:000000000000:table/profiles";

    #[test]
    fn each_operation_asks_for_its_action_and_keys() {
        let got = |op: &str, body: Value| -> Vec<(String, String, Vec<String>)> {
            requests(op, &body, &names(), "pk")
                .into_iter()
                .map(|r| {
                    let keys = r
                        .context
                        .first()
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    (r.action, r.resource, keys)
                })
                .collect()
        };
        let one = |a: &str, k: &[&str]| {
            (
                a.to_string(),
                ARN.to_string(),
                k.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            got(
                "GetItem",
                json!({"TableName": "profiles", "Key": {"pk": {"S": "PROFILE#ada"}}})
            ),
            [one("dynamodb:GetItem", &["PROFILE#ada"])]
        );
        assert_eq!(
            got(
                "PutItem",
                json!({"TableName": "profiles", "Item": {"pk": {"S": "LIMIT#x"}, "n": {"N": "1"}}})
            ),
            [one("dynamodb:PutItem", &["LIMIT#x"])]
        );
        assert_eq!(
            got(
                "TransactWriteItems",
                json!({"TransactItems": [
                    {"Put": {"TableName": "profiles", "Item": {"pk": {"S": "PROFILE#a"}}}},
                    {"Delete": {"TableName": "profiles", "Key": {"pk": {"S": "OWNER#s"}}}},
                    {"ConditionCheck": {"TableName": "profiles", "Key": {"pk": {"S": "X"}}}},
                    {"Update": {"TableName": "profiles", "Key": {"pk": {"S": "Y"}}}}
                ]})
            ),
            [
                one("dynamodb:PutItem", &["PROFILE#a"]),
                one("dynamodb:DeleteItem", &["OWNER#s"]),
                one("dynamodb:ConditionCheckItem", &["X"]),
                one("dynamodb:UpdateItem", &["Y"]),
            ]
        );
        assert_eq!(
            got(
                "BatchWriteItem",
                json!({"RequestItems": {"profiles": [
                    {"PutRequest": {"Item": {"pk": {"S": "A"}}}},
                    {"DeleteRequest": {"Key": {"pk": {"S": "B"}}}}
                ]}})
            ),
            [one("dynamodb:BatchWriteItem", &["A", "B"])]
        );
        assert_eq!(
            got("Scan", json!({"TableName": "profiles"})),
            [(String::from("dynamodb:Scan"), ARN.to_string(), vec![])]
        );
        assert_eq!(
            got("ListTables", json!({})),
            [(String::from("dynamodb:ListTables"), "*".to_string(), vec![])]
        );
    }
}
