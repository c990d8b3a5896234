//! The API Gateway HTTP API payload (format 2.0) a function receives, built from the
//! request the edge got, the route it matched and, on protected routes, the verified
//! claims. The authorizer's block is filled only from the authorizer; every request
//! header is just a header.

use std::collections::BTreeMap;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderName;
use http::request::Parts;
use serde_json::{Map, Value, json};

use super::authorizer::Authorized;
use super::routes::Route;

/// Locally there is one API in one made-up account.
pub const ACCOUNT_ID: &str = "000000000000";
pub const API_ID: &str = "local";

pub struct EventInput<'a> {
    pub route: &'a Route,
    pub path_parameters: &'a BTreeMap<String, String>,
    pub parts: &'a Parts,
    pub body: &'a [u8],
    pub source_ip: IpAddr,
    /// The edge's own host and port, when the client sent no Host header.
    pub edge_host: &'a str,
    pub request_id: &'a str,
    pub authorized: Option<&'a Authorized>,
    pub now: time::OffsetDateTime,
}

/// Headers that belong to one connection, not to the request a function sees.
pub fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "proxy-authorization"
            | "proxy-authenticate"
            | "proxy-connection"
    )
}

pub fn build(input: &EventInput<'_>) -> Value {
    let parts = input.parts;
    let raw_path = parts.uri.path();
    let raw_query = parts.uri.query().unwrap_or("");
    let route_key = input.route.key();

    // Lower-case names (http already lower-cases them); repeated headers joined by commas.
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies: Vec<String> = Vec::new();
    for (name, value) in &parts.headers {
        if hop_by_hop(name) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            // Format 2.0 moves cookies out of the headers into their own list.
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string),
            );
            continue;
        }
        headers
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }
    // API Gateway appends the client's address to X-Forwarded-For and says how it was reached.
    let ip = input.source_ip.to_string();
    headers
        .entry("x-forwarded-for".into())
        .and_modify(|v| {
            v.push_str(", ");
            v.push_str(&ip);
        })
        .or_insert_with(|| ip.clone());
    headers.insert("x-forwarded-proto".into(), "http".into());
    let domain_name = headers
        .get("host")
        .cloned()
        .unwrap_or_else(|| input.edge_host.to_string());
    if let Some(port) = domain_name.rsplit_once(':').map(|(_, p)| p.to_string()) {
        headers.insert("x-forwarded-port".into(), port);
    }
    let user_agent = headers.get("user-agent").cloned().unwrap_or_default();

    let mut query: BTreeMap<String, String> = BTreeMap::new();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw_query).unwrap_or_default();
    for (name, value) in pairs {
        query
            .entry(name)
            .and_modify(|v| {
                v.push(',');
                v.push_str(&value);
            })
            .or_insert(value);
    }

    let mut context = json!({
        "accountId": ACCOUNT_ID,
        "apiId": API_ID,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(['.', ':']).next().unwrap_or(""),
        "http": {
            "method": parts.method.as_str(),
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": ip,
            "userAgent": user_agent,
        },
        "requestId": input.request_id,
        "routeKey": route_key,
        "stage": "$default",
        "time": format_time(input.now),
        "timeEpoch": i64::try_from(input.now.unix_timestamp_nanos() / 1_000_000).unwrap_or(0),
    });
    if let (Some(authorized), Some(context)) = (input.authorized, context.as_object_mut()) {
        context.insert(
            "authorizer".into(),
            json!({
                "jwt": {
                    "claims": Value::Object(authorized.claims.clone()),
                    "scopes": authorized.scopes,
                }
            }),
        );
    }

    let mut event = Map::new();
    event.insert("version".into(), "2.0".into());
    event.insert("routeKey".into(), route_key.into());
    event.insert("rawPath".into(), raw_path.into());
    event.insert("rawQueryString".into(), raw_query.into());
    if !cookies.is_empty() {
        event.insert("cookies".into(), json!(cookies));
    }
    event.insert("headers".into(), json!(headers));
    if !query.is_empty() {
        event.insert("queryStringParameters".into(), json!(query));
    }
    if !input.path_parameters.is_empty() {
        event.insert("pathParameters".into(), json!(input.path_parameters));
    }
    event.insert("requestContext".into(), context);
    // Text stays text; anything that is not UTF-8 goes base64, so the function decodes the
    // exact bytes (and refuses them itself) instead of the edge failing.
    if !input.body.is_empty() {
        match std::str::from_utf8(input.body) {
            Ok(text) => {
                event.insert("body".into(), text.into());
                event.insert("isBase64Encoded".into(), false.into());
            }
            Err(_) => {
                event.insert("body".into(), STANDARD.encode(input.body).into());
                event.insert("isBase64Encoded".into(), true.into());
            }
        }
    } else {
        event.insert("isBase64Encoded".into(), false.into());
    }
    Value::Object(event)
}

/// `12/Mar/2020:19:03:58 +0000`, API Gateway's `requestContext.time`.
fn format_time(now: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    );
    now.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::format_time;

    #[test]
    fn api_gateway_time() {
        let t = time::macros::datetime!(2020-03-12 19:03:58 UTC);
        assert_eq!(format_time(t), "12/Mar/2020:19:03:58 +0000");
    }
}
