//! Settings read once at init from the environment (docs/design.md §4).

use std::time::Duration;

/// A setting that is missing or malformed; the function refuses to start and says which.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024;
/// A form is signed right before its upload starts, so a minute is plenty; a form that
/// leaks (a log, a shared screen) is useless a minute later.
pub const DEFAULT_UPLOAD_URL_TTL: Duration = Duration::from_secs(60);
/// Per-account allowances per hour (`limits`).
pub const DEFAULT_UPLOADS_PER_HOUR: u32 = 30;
pub const DEFAULT_PROFILE_WRITES_PER_HOUR: u32 = 60;
const MAX_PER_HOUR: u64 = 100_000;
/// S3 refuses a single POST larger than 5 GiB.
const S3_POST_LIMIT: u64 = 5 * 1024 * 1024 * 1024;
/// SigV4 signatures are valid for at most seven days.
const SIGV4_MAX_TTL_SECS: u64 = 7 * 24 * 3600;

/// Reads environment variables; generic over the lookup so tests need not touch the process env.
pub struct Env<F>(F);

impl Env<fn(&str) -> Option<String>> {
    pub fn process() -> Self {
        Env(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    pub fn from_fn(lookup: F) -> Self {
        Env(lookup)
    }

    pub fn optional(&self, name: &'static str) -> Option<String> {
        (self.0)(name)
    }

    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or(ConfigError {
            name,
            problem: "must be set".into(),
        })
    }

    fn number(
        &self,
        name: &'static str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<u64, ConfigError> {
        let Some(raw) = self.optional(name) else {
            return Ok(default);
        };
        let value = raw.trim().parse::<u64>().map_err(|_| ConfigError {
            name,
            problem: format!("{raw:?} is not a whole number"),
        })?;
        if !range.contains(&value) {
            return Err(ConfigError {
                name,
                problem: format!("{value} is outside {}..={}", range.start(), range.end()),
            });
        }
        Ok(value)
    }

    pub fn max_upload_bytes(&self) -> Result<u64, ConfigError> {
        self.number(
            "MAX_UPLOAD_BYTES",
            DEFAULT_MAX_UPLOAD_BYTES,
            1..=S3_POST_LIMIT,
        )
    }

    pub fn upload_url_ttl(&self) -> Result<Duration, ConfigError> {
        self.number(
            "UPLOAD_URL_TTL_SECS",
            DEFAULT_UPLOAD_URL_TTL.as_secs(),
            1..=SIGV4_MAX_TTL_SECS,
        )
        .map(Duration::from_secs)
    }

    pub fn uploads_per_hour(&self) -> Result<u32, ConfigError> {
        self.per_hour("UPLOADS_PER_HOUR", DEFAULT_UPLOADS_PER_HOUR)
    }

    pub fn profile_writes_per_hour(&self) -> Result<u32, ConfigError> {
        self.per_hour("PROFILE_WRITES_PER_HOUR", DEFAULT_PROFILE_WRITES_PER_HOUR)
    }

    /// At least one: a limit of zero would lock every account out.
    fn per_hour(&self, name: &'static str, default: u32) -> Result<u32, ConfigError> {
        self.number(name, u64::from(default), 1..=MAX_PER_HOUR)
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The SDK's own precedence: the S3-specific endpoint, then the global one.
    pub fn s3_endpoint(&self) -> Option<String> {
        self.optional("AWS_ENDPOINT_URL_S3")
            .or_else(|| self.optional("AWS_ENDPOINT_URL"))
    }

    pub fn dynamodb_endpoint(&self) -> Option<String> {
        self.optional("AWS_ENDPOINT_URL_DYNAMODB")
            .or_else(|| self.optional("AWS_ENDPOINT_URL"))
    }

    pub fn cognito_endpoint(&self) -> Option<String> {
        self.optional("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
            .or_else(|| self.optional("AWS_ENDPOINT_URL"))
    }

    pub fn region(&self) -> Result<String, ConfigError> {
        self.optional("AWS_REGION")
            .or_else(|| self.optional("AWS_DEFAULT_REGION"))
            .ok_or(ConfigError {
                name: "AWS_REGION",
                problem: "must be set".into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> Env<impl Fn(&str) -> Option<String> + use<>> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env::from_fn(move |name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_unset() {
        let e = env(&[]);
        assert_eq!(e.max_upload_bytes().unwrap(), 5_242_880);
        assert_eq!(e.upload_url_ttl().unwrap(), Duration::from_secs(60));
        assert_eq!(e.uploads_per_hour().unwrap(), 30);
        assert_eq!(e.profile_writes_per_hour().unwrap(), 60);
        assert!(e.required("UPLOADS_BUCKET").is_err());
        assert_eq!(e.s3_endpoint(), None);
    }

    #[test]
    fn malformed_values_name_the_variable() {
        for (name, value) in [
            ("MAX_UPLOAD_BYTES", "five"),
            ("MAX_UPLOAD_BYTES", "0"),
            ("MAX_UPLOAD_BYTES", "-1"),
            ("UPLOAD_URL_TTL_SECS", "0"),
            ("UPLOAD_URL_TTL_SECS", "604801"),
            ("UPLOADS_PER_HOUR", "0"),
            ("PROFILE_WRITES_PER_HOUR", "many"),
        ] {
            let pairs = [(name, value)];
            let e = env(&pairs);
            let err = e
                .max_upload_bytes()
                .err()
                .or_else(|| e.upload_url_ttl().err())
                .or_else(|| e.uploads_per_hour().err())
                .or_else(|| e.profile_writes_per_hour().err())
                .unwrap();
            assert_eq!(err.name, name);
        }
    }

    #[test]
    fn s3_specific_endpoint_wins() {
        let e = env(&[
            ("AWS_ENDPOINT_URL", "http://a"),
            ("AWS_ENDPOINT_URL_S3", "http://b"),
        ]);
        assert_eq!(e.s3_endpoint().as_deref(), Some("http://b"));
        let e = env(&[("AWS_ENDPOINT_URL", "http://a")]);
        assert_eq!(e.s3_endpoint().as_deref(), Some("http://a"));
    }
}
