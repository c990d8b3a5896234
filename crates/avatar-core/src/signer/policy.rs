use std::fmt::Write as _;

use serde::Serialize;
use time::OffsetDateTime;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The conditions S3 enforces on the browser's POST; nothing in the form may go unsigned.
pub struct PostPolicy<'a> {
    pub expiration: OffsetDateTime,
    pub bucket: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    pub max_bytes: u64,
    pub credential: &'a str,
    pub amz_date: &'a str,
    pub security_token: Option<&'a str>,
}

impl PostPolicy<'_> {
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(512);
        let e = self.expiration;
        // `write!` to a String cannot fail.
        let _ = write!(
            out,
            r#"{{"expiration":"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z","conditions":[{{"bucket":{}}},["eq","$key",{}],["eq","$Content-Type",{}],["content-length-range",1,{}],{{"x-amz-algorithm":"{ALGORITHM}"}},{{"x-amz-credential":{}}},{{"x-amz-date":{}}}"#,
            e.year(),
            u8::from(e.month()),
            e.day(),
            e.hour(),
            e.minute(),
            e.second(),
            json_str(self.bucket),
            json_str(self.key),
            json_str(self.content_type),
            self.max_bytes,
            json_str(self.credential),
            json_str(self.amz_date),
        );
        if let Some(token) = self.security_token {
            let _ = write!(out, r#",{{"x-amz-security-token":{}}}"#, json_str(token));
        }
        out.push_str("]}");
        out
    }
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// `x-amz-date`: `YYYYMMDDTHHMMSSZ`.
pub fn format_amz_date(t: OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The date in the credential scope: `YYYYMMDD`.
pub fn format_credential_date(t: OffsetDateTime) -> String {
    format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day())
}

/// The form fields in the order S3 expects them; the file goes last.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PostFields {
    pub key: String,
    #[serde(rename = "Content-Type")]
    pub content_type: &'static str,
    #[serde(rename = "x-amz-algorithm")]
    pub algorithm: &'static str,
    #[serde(rename = "x-amz-credential")]
    pub credential: String,
    #[serde(rename = "x-amz-date")]
    pub date: String,
    #[serde(
        rename = "x-amz-security-token",
        skip_serializing_if = "Option::is_none"
    )]
    pub security_token: Option<String>,
    pub policy: String,
    #[serde(rename = "x-amz-signature")]
    pub signature: String,
}

impl PostFields {
    /// Name/value pairs in form order, for building the multipart body.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut pairs = vec![
            ("key", self.key.as_str()),
            ("Content-Type", self.content_type),
            ("x-amz-algorithm", self.algorithm),
            ("x-amz-credential", self.credential.as_str()),
            ("x-amz-date", self.date.as_str()),
        ];
        if let Some(token) = &self.security_token {
            pairs.push(("x-amz-security-token", token.as_str()));
        }
        pairs.push(("policy", self.policy.as_str()));
        pairs.push(("x-amz-signature", self.signature.as_str()));
        pairs
    }
}
