//! The form's POST policy, read as S3 reads it, to word a refusal the way S3 does: the
//! verifier says which rule broke, S3 quotes the broken condition as the policy wrote it.

use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::form::Form;

pub(crate) struct Policy {
    expiration: Option<OffsetDateTime>,
    conditions: Vec<Value>,
}

impl Policy {
    /// The form's `policy` field, base64 JSON; `None` when there is none or it is not a policy.
    pub(crate) fn of(form: &Form) -> Option<Self> {
        let raw = base64::engine::general_purpose::STANDARD
            .decode(form.get("policy")?.trim())
            .ok()?;
        let json: Value = serde_json::from_slice(&raw).ok()?;
        Some(Self {
            expiration: json["expiration"]
                .as_str()
                .and_then(|e| OffsetDateTime::parse(e, &Rfc3339).ok()),
            conditions: json["conditions"].as_array()?.clone(),
        })
    }

    /// The largest file the policy's `content-length-range` allows.
    pub(crate) fn max_length(&self) -> Option<u64> {
        self.conditions
            .iter()
            .find_map(|condition| match condition {
                Value::Array(items)
                    if items.len() == 3
                        && items[0]
                            .as_str()
                            .is_some_and(|op| op.eq_ignore_ascii_case("content-length-range")) =>
                {
                    items[2].as_u64()
                }
                _ => None,
            })
    }

    pub(crate) fn expired(&self, now: OffsetDateTime) -> bool {
        self.expiration.is_some_and(|e| now >= e)
    }

    /// The first `eq` or `starts-with` condition the form breaks, written as S3 quotes it:
    /// `["eq", "$key", "incoming/…"]`. The bucket is the one in the URL.
    pub(crate) fn first_failed(&self, form: &Form, bucket: &str) -> Option<String> {
        self.conditions.iter().find_map(|condition| {
            let (op, field, expected) = match condition {
                Value::Object(map) if map.len() == 1 => {
                    let (field, value) = map.iter().next()?;
                    ("eq", field.as_str(), value.as_str()?)
                }
                Value::Array(items) if items.len() == 3 => {
                    let op = items[0].as_str()?;
                    if !op.eq_ignore_ascii_case("eq") && !op.eq_ignore_ascii_case("starts-with") {
                        return None;
                    }
                    (op, items[1].as_str()?, items[2].as_str()?)
                }
                _ => return None,
            };
            let name = field
                .strip_prefix('$')
                .unwrap_or(field)
                .to_ascii_lowercase();
            let actual = if name == "bucket" {
                Some(bucket)
            } else {
                form.get(&name)
            };
            let holds = if op.eq_ignore_ascii_case("eq") {
                actual == Some(expected)
            } else {
                actual.unwrap_or_default().starts_with(expected)
            };
            (!holds).then(|| {
                let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
                let field = if field.starts_with('$') {
                    field.to_string()
                } else {
                    format!("${field}")
                };
                format!("[{}, {}, {}]", quote(op), quote(&field), quote(expected))
            })
        })
    }

    /// Fields the policy does not cover. S3 exempts only the signature, the file, the
    /// policy itself and `x-ignore-*` (plus the two SigV2 names and a submit button).
    pub(crate) fn extra_fields<'f>(&self, form: &'f Form) -> Vec<&'f str> {
        let exempt = |name: &str| {
            matches!(
                name,
                "x-amz-signature" | "signature" | "awsaccesskeyid" | "file" | "policy" | "submit"
            ) || name.starts_with("x-ignore-")
        };
        form.names()
            .filter(|name| !exempt(name) && !self.covers(name))
            .collect()
    }

    fn covers(&self, name: &str) -> bool {
        let matches = |field: &str| {
            field
                .strip_prefix('$')
                .unwrap_or(field)
                .eq_ignore_ascii_case(name)
        };
        self.conditions.iter().any(|condition| match condition {
            Value::Object(map) => map.keys().any(|k| matches(k)),
            Value::Array(items) => {
                items.len() == 3
                    && items[0].as_str().is_some_and(|op| {
                        op.eq_ignore_ascii_case("eq") || op.eq_ignore_ascii_case("starts-with")
                    })
                    && items[1].as_str().is_some_and(matches)
            }
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(conditions: Value) -> Form {
        let json =
            serde_json::json!({"expiration": "2030-01-01T00:00:00.000Z", "conditions": conditions});
        let b64 = base64::engine::general_purpose::STANDARD.encode(json.to_string());
        Form::from_pairs(&[("policy", &b64)])
    }

    #[test]
    fn names_the_first_broken_condition_as_written() {
        let conditions = serde_json::json!([
            {"bucket": "uploads"},
            ["eq", "$key", "incoming/a.png"],
            ["eq", "$Content-Type", "image/png"],
            ["starts-with", "$x-amz-meta-tag", "ok"],
            ["content-length-range", 1, 10],
        ]);
        let with = |pairs: &[(&str, &str)]| {
            let mut all = vec![(
                "policy",
                policy(conditions.clone())
                    .get("policy")
                    .unwrap()
                    .to_string(),
            )];
            all.extend(pairs.iter().map(|(n, v)| (*n, (*v).to_string())));
            let pairs: Vec<(&str, &str)> = all.iter().map(|(n, v)| (*n, v.as_str())).collect();
            Form::from_pairs(&pairs)
        };
        let ok = [
            ("key", "incoming/a.png"),
            ("Content-Type", "image/png"),
            ("x-amz-meta-tag", "okay"),
        ];
        let form = with(&ok);
        let p = Policy::of(&form).unwrap();
        assert_eq!(p.first_failed(&form, "uploads"), None);
        assert_eq!(
            p.first_failed(&form, "other").as_deref(),
            Some(r#"["eq", "$bucket", "uploads"]"#)
        );
        let form = with(&[("key", "incoming/b.png"), ("Content-Type", "text/html")]);
        assert_eq!(
            p.first_failed(&form, "uploads").as_deref(),
            Some(r#"["eq", "$key", "incoming/a.png"]"#)
        );
        let form = with(&[("key", "incoming/a.png"), ("Content-Type", "text/html")]);
        assert_eq!(
            p.first_failed(&form, "uploads").as_deref(),
            Some(r#"["eq", "$Content-Type", "image/png"]"#)
        );
        let form = with(&[("key", "incoming/a.png"), ("Content-Type", "image/png")]);
        assert_eq!(
            p.first_failed(&form, "uploads").as_deref(),
            Some(r#"["starts-with", "$x-amz-meta-tag", "ok"]"#)
        );
    }

    #[test]
    fn extra_fields_are_the_uncovered_ones() {
        let form = policy(serde_json::json!([["eq", "$key", "k"], {"Content-Type": "x"}]));
        let b64 = form.get("policy").unwrap().to_string();
        let form = Form::from_pairs(&[
            ("key", "k"),
            ("content-type", "x"),
            ("policy", &b64),
            ("x-amz-signature", "s"),
            ("x-ignore-note", "n"),
            ("success_action_status", "201"),
            ("x-amz-server-side-encryption", "AES256"),
        ]);
        let p = Policy::of(&form).unwrap();
        assert_eq!(
            p.extra_fields(&form),
            ["success_action_status", "x-amz-server-side-encryption"]
        );
    }

    #[test]
    fn expiry_and_unreadable_policies() {
        let form = policy(serde_json::json!([]));
        let p = Policy::of(&form).unwrap();
        assert!(!p.expired(OffsetDateTime::UNIX_EPOCH));
        assert!(p.expired(OffsetDateTime::now_utc() + time::Duration::days(365 * 10)));
        for bad in ["", "!!", "bm90IGpzb24="] {
            assert!(Policy::of(&Form::from_pairs(&[("policy", bad)])).is_none());
        }
        assert!(Policy::of(&Form::default()).is_none());
    }
}
