use std::io::Write as _;

use serde::Serialize;
use time::OffsetDateTime;

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// `x-amz-checksum-algorithm`: the only digest the app asks S3 to check.
pub const CHECKSUM_ALGORITHM: &str = "SHA256";

/// The conditions S3 enforces on the browser's POST; nothing in the form may go unsigned.
pub struct PostPolicy<'a> {
    pub expiration: OffsetDateTime,
    pub bucket: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    /// Signed only when the uploader asked for another success answer than S3's 204.
    pub success_action_status: Option<&'a str>,
    /// Base64 SHA-256 of the file: S3 recomputes it and refuses other bytes.
    pub checksum_sha256: Option<&'a str>,
    pub max_bytes: u64,
    pub credential: &'a str,
    pub amz_date: &'a str,
    pub security_token: Option<&'a str>,
}

impl PostPolicy<'_> {
    /// The policy document as UTF-8 JSON bytes, ready for base64.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512 + self.security_token.map_or(0, str::len));
        let e = self.expiration;
        // Writing to a Vec cannot fail; values are escaped straight into the buffer.
        let _ = write!(
            out,
            r#"{{"expiration":"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z","conditions":[{{"bucket":"#,
            e.year(),
            u8::from(e.month()),
            e.day(),
            e.hour(),
            e.minute(),
            e.second(),
        );
        json_str(&mut out, self.bucket);
        out.extend_from_slice(br#"},["eq","$key","#);
        json_str(&mut out, self.key);
        out.extend_from_slice(br#"],["eq","$Content-Type","#);
        json_str(&mut out, self.content_type);
        if let Some(status) = self.success_action_status {
            out.extend_from_slice(br#"],["eq","$success_action_status","#);
            json_str(&mut out, status);
        }
        if let Some(checksum) = self.checksum_sha256 {
            out.extend_from_slice(
                br#"],["eq","$x-amz-checksum-algorithm","SHA256"],["eq","$x-amz-checksum-sha256","#,
            );
            json_str(&mut out, checksum);
        }
        let _ = write!(out, r#"],["content-length-range",1,{}],"#, self.max_bytes);
        out.extend_from_slice(br#"{"x-amz-algorithm":""#);
        out.extend_from_slice(ALGORITHM.as_bytes());
        out.extend_from_slice(br#""},{"x-amz-credential":"#);
        json_str(&mut out, self.credential);
        out.extend_from_slice(br#"},{"x-amz-date":"#);
        json_str(&mut out, self.amz_date);
        out.push(b'}');
        if let Some(token) = self.security_token {
            out.extend_from_slice(br#",{"x-amz-security-token":"#);
            json_str(&mut out, token);
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        out
    }
}

/// Appends `s` as a quoted, escaped JSON string.
fn json_str(out: &mut Vec<u8>, s: &str) {
    // Serializing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_action_status: Option<&'static str>,
    #[serde(
        rename = "x-amz-checksum-algorithm",
        skip_serializing_if = "Option::is_none"
    )]
    pub checksum_algorithm: Option<&'static str>,
    #[serde(
        rename = "x-amz-checksum-sha256",
        skip_serializing_if = "Option::is_none"
    )]
    pub checksum_sha256: Option<String>,
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
        ];
        if let Some(status) = self.success_action_status {
            pairs.push(("success_action_status", status));
        }
        if let (Some(algorithm), Some(checksum)) = (self.checksum_algorithm, &self.checksum_sha256)
        {
            pairs.push(("x-amz-checksum-algorithm", algorithm));
            pairs.push(("x-amz-checksum-sha256", checksum.as_str()));
        }
        pairs.extend([
            ("x-amz-algorithm", self.algorithm),
            ("x-amz-credential", self.credential.as_str()),
            ("x-amz-date", self.date.as_str()),
        ]);
        if let Some(token) = &self.security_token {
            pairs.push(("x-amz-security-token", token.as_str()));
        }
        pairs.push(("policy", self.policy.as_str()));
        pairs.push(("x-amz-signature", self.signature.as_str()));
        pairs
    }
}
