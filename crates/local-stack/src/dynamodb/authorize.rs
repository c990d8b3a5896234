//! The embedded DynamoDB's side of local IAM: what a call asks for (who signed it is
//! `sigv4`'s answer), as DynamoDB authorises it — one action
//! per operation on the table's ARN, a transaction per item, with the partition key
//! values as `dynamodb:LeadingKeys`.

use http::HeaderMap;
use serde_json::{Value, json};

use crate::iam::{LocalNames, Request};

pub const LEADING_KEYS: &str = "dynamodb:LeadingKeys";

/// The operation of `X-Amz-Target: DynamoDB_20120810.GetItem`.
pub fn operation(headers: &HeaderMap) -> Option<String> {
    let target = headers.get("x-amz-target")?.to_str().ok()?;
    Some(target.rsplit('.').next()?.to_string())
}

/// Why a call cannot be authorised: DynamoDB's own answer to the same body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not a JSON object: `SerializationException`.
    Body,
    /// Nothing or something ambiguous to authorise: `ValidationException`.
    Invalid(String),
}

impl Unreadable {
    pub fn answer(&self) -> (http::StatusCode, Value) {
        let (kind, message) = match self {
            Self::Body => (
                "service#SerializationException",
                "Start of structure or map found where not expected.",
            ),
            Self::Invalid(message) => ("validate#ValidationException", message.as_str()),
        };
        (
            http::StatusCode::BAD_REQUEST,
            json!({"__type": format!("com.amazon.coral.{kind}"), "message": message}),
        )
    }
}

/// A transaction entry's members that name an action, with the action each needs.
const TRANSACT_MEMBERS: [(&str, &str); 5] = [
    ("Put", "PutItem"),
    ("Update", "UpdateItem"),
    ("Delete", "DeleteItem"),
    ("ConditionCheck", "ConditionCheckItem"),
    ("Get", "GetItem"),
];

/// What one call asks for; a transaction or batch asks once per item. The table may
/// ignore what it does not know, so every member it would act on is authorised: a body
/// that cannot be read, or an operation on items that yields nothing to authorise, is
/// refused rather than passed on.
pub fn requests(
    operation: &str,
    body: &[u8],
    names: &LocalNames,
    partition_key: &str,
) -> Result<Vec<Request>, Unreadable> {
    let body: Value = serde_json::from_slice(body).map_err(|_| Unreadable::Body)?;
    if !body.is_object() {
        return Err(Unreadable::Body);
    }
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
    let asks = match operation {
        "GetItem" | "UpdateItem" | "DeleteItem" => {
            vec![single(operation, &body["TableName"], &body["Key"])]
        }
        "PutItem" => vec![single(operation, &body["TableName"], &body["Item"])],
        "TransactWriteItems" | "TransactGetItems" => {
            let mut asks = Vec::new();
            for entry in body["TransactItems"].as_array().into_iter().flatten() {
                let members: Vec<(&str, &Value)> = TRANSACT_MEMBERS
                    .iter()
                    .filter_map(|(member, action)| Some((*action, entry.get(*member)?)))
                    .collect();
                let [(action, part)] = members[..] else {
                    return Err(Unreadable::Invalid(format!(
                        "Each TransactItems entry must name exactly one operation; one names {}",
                        members.len()
                    )));
                };
                let key = if action == "PutItem" {
                    &part["Item"]
                } else {
                    &part["Key"]
                };
                asks.push(single(action, &part["TableName"], key));
            }
            asks
        }
        "BatchGetItem" | "BatchWriteItem" => body["RequestItems"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(table, asks)| {
                let items: Vec<&Value> = match asks {
                    Value::Array(writes) => writes
                        .iter()
                        .flat_map(|w| {
                            let put = w.get("PutRequest").map(|p| &p["Item"]);
                            let delete = w.get("DeleteRequest").map(|d| &d["Key"]);
                            put.into_iter().chain(delete)
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
    };
    if asks.is_empty() {
        return Err(Unreadable::Invalid(format!(
            "{operation} names no item to act on"
        )));
    }
    Ok(asks)
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
            requests(op, body.to_string().as_bytes(), &names(), "pk")
                .expect("readable")
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

    /// The table ignores members it does not know and would run the rest: every entry
    /// is authorised by what it would do, whatever comes first in it.
    #[test]
    fn what_the_table_would_run_is_what_is_authorised() {
        let ask = |op: &str, body: Value| requests(op, body.to_string().as_bytes(), &names(), "pk");
        let put = json!({"TableName": "profiles", "Item": {"pk": {"S": "PROFILE#ada"}}});
        let got = ask(
            "TransactWriteItems",
            json!({"TransactItems": [{"A": {}, "Put": put}]}),
        )
        .expect("one operation");
        assert_eq!(
            got.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(),
            ["dynamodb:PutItem"]
        );
        let refused = [
            ("TransactWriteItems", json!({"TransactItems": [{"A": {}}]})),
            (
                "TransactWriteItems",
                json!({"TransactItems": [{"ConditionCheck": {"TableName": "profiles", "Key": {"pk": {"S": "LIMIT#x"}}}, "Put": put}]}),
            ),
            ("TransactWriteItems", json!({"TransactItems": []})),
            ("TransactGetItems", json!({})),
            ("BatchWriteItem", json!({"RequestItems": {}})),
            ("Scan", json!([])),
        ];
        for (op, body) in refused {
            assert!(
                matches!(
                    ask(op, body.clone()),
                    Err(Unreadable::Invalid(_) | Unreadable::Body)
                ),
                "{op} {body}"
            );
        }
        assert!(matches!(
            requests("Scan", b"not json", &names(), "pk"),
            Err(Unreadable::Body)
        ));
        let both = ask(
            "BatchWriteItem",
            json!({"RequestItems": {"profiles": [{"PutRequest": {"Item": {"pk": {"S": "A"}}}, "DeleteRequest": {"Key": {"pk": {"S": "B"}}}}]}}),
        )
        .expect("batch");
        assert_eq!(both[0].context[0].1, ["A", "B"]);
    }
}
