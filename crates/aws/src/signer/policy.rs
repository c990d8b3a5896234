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
        use Condition::{Eq, Field, Range};
        let e = self.expiration;
        let mut conditions = vec![
            Field(Member("bucket", self.bucket)),
            Eq("eq", "$key", self.key),
            Eq("eq", "$Content-Type", self.content_type),
        ];
        if let Some(status) = self.success_action_status {
            conditions.push(Eq("eq", "$success_action_status", status));
        }
        if let Some(checksum) = self.checksum_sha256 {
            conditions.push(Eq("eq", "$x-amz-checksum-algorithm", CHECKSUM_ALGORITHM));
            conditions.push(Eq("eq", "$x-amz-checksum-sha256", checksum));
        }
        conditions.extend([
            Range("content-length-range", 1, self.max_bytes),
            Field(Member("x-amz-algorithm", ALGORITHM)),
            Field(Member("x-amz-credential", self.credential)),
            Field(Member("x-amz-date", self.amz_date)),
        ]);
        if let Some(token) = self.security_token {
            conditions.push(Field(Member("x-amz-security-token", token)));
        }
        let document = Document {
            expiration: format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
                e.year(),
                u8::from(e.month()),
                e.day(),
                e.hour(),
                e.minute(),
                e.second(),
            ),
            conditions,
        };
        // Strings and numbers always serialize.
        serde_json::to_vec(&document).unwrap_or_default()
    }
}

/// The policy's two members, in the order S3's documentation writes them.
#[derive(Serialize)]
struct Document<'a> {
    expiration: String,
    conditions: Vec<Condition<'a>>,
}

/// One condition as S3's policy grammar writes it: `["eq", "$key", "…"]`,
/// `["content-length-range", 1, max]` or `{"name": "value"}`.
#[derive(Serialize)]
#[serde(untagged)]
enum Condition<'a> {
    Eq(&'static str, &'static str, &'a str),
    Range(&'static str, u8, u64),
    Field(Member<'a>),
}

/// `{"name": "value"}`: a form field that must equal this value.
struct Member<'a>(&'static str, &'a str);

impl Serialize for Member<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFields {
    pub key: String,
    pub content_type: &'static str,
    pub success_action_status: Option<&'static str>,
    pub checksum_algorithm: Option<&'static str>,
    pub checksum_sha256: Option<String>,
    pub algorithm: &'static str,
    pub credential: String,
    pub date: String,
    pub security_token: Option<String>,
    pub policy: String,
    pub signature: String,
}

impl PostFields {
    /// Name/value pairs in form order.
    pub fn into_pairs(self) -> Vec<(&'static str, String)> {
        self.pairs()
            .into_iter()
            .map(|(name, value)| (name, value.to_string()))
            .collect()
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
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
