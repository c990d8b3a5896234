//! IAM policy evaluation, as AWS does it for one identity-based policy set: an explicit
//! `Deny` wins, then any matching `Allow`, else the implicit deny. Actions match
//! case-insensitively and resources case-sensitively, both with IAM's `*` and `?`.

/// One statement of a function's `Policies:`, with its references resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub allow: bool,
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    pub conditions: Vec<Condition>,
}

/// The condition operators the template uses; anything else fails when the template is
/// read, so a statement is never quietly widened or narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `ForAllValues:StringLike`: every value of the key matches one pattern (and a
    /// request without the key passes, as on AWS).
    ForAllValuesStringLike { key: String, patterns: Vec<String> },
    /// `StringLike`: the key is present and one of its values matches one pattern.
    StringLike { key: String, patterns: Vec<String> },
    /// `StringEquals`: the key is present and one of its values equals one value.
    StringEquals { key: String, values: Vec<String> },
}

/// What one call asks for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `s3:GetObject`, `dynamodb:UpdateItem`, …
    pub action: String,
    /// The ARN of the bucket, object or table.
    pub resource: String,
    /// Condition keys of the request, e.g. `dynamodb:LeadingKeys`.
    pub context: Vec<(String, Vec<String>)>,
}

impl Request {
    pub fn new(action: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            action: action.into(),
            resource: resource.into(),
            context: Vec::new(),
        }
    }

    pub fn with_context(mut self, key: &str, values: Vec<String>) -> Self {
        self.context.push((key.to_string(), values));
        self
    }

    fn values(&self, key: &str) -> Option<&[String]> {
        self.context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_slice())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// No statement allows it.
    ImplicitDeny,
    /// A `Deny` statement matches.
    ExplicitDeny,
}

pub fn evaluate(statements: &[Statement], request: &Request) -> Decision {
    let matching = |s: &&Statement| s.applies_to(request);
    if statements.iter().filter(|s| !s.allow).any(|s| matching(&s)) {
        return Decision::ExplicitDeny;
    }
    if statements.iter().filter(|s| s.allow).any(|s| matching(&s)) {
        return Decision::Allowed;
    }
    Decision::ImplicitDeny
}

impl Statement {
    fn applies_to(&self, request: &Request) -> bool {
        self.actions.iter().any(|a| {
            glob(
                &a.to_ascii_lowercase(),
                &request.action.to_ascii_lowercase(),
            )
        }) && self.resources.iter().any(|r| glob(r, &request.resource))
            && self.conditions.iter().all(|c| c.holds(request))
    }
}

impl Condition {
    fn holds(&self, request: &Request) -> bool {
        match self {
            Self::ForAllValuesStringLike { key, patterns } => request
                .values(key)
                .unwrap_or_default()
                .iter()
                .all(|v| patterns.iter().any(|p| glob(p, v))),
            Self::StringLike { key, patterns } => request
                .values(key)
                .is_some_and(|vs| vs.iter().any(|v| patterns.iter().any(|p| glob(p, v)))),
            Self::StringEquals { key, values } => request
                .values(key)
                .is_some_and(|vs| vs.iter().any(|v| values.contains(v))),
        }
    }
}

/// IAM's wildcards: `*` any run of characters (`/` included), `?` exactly one.
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(actions: &[&str], resources: &[&str]) -> Statement {
        Statement {
            sid: None,
            allow: true,
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            conditions: vec![],
        }
    }

    #[test]
    fn wildcards() {
        for (pattern, text, expected) in [
            (
                "arn:aws:s3:::b/incoming/*",
                "arn:aws:s3:::b/incoming/a/b.png",
                true,
            ),
            (
                "arn:aws:s3:::b/incoming/*",
                "arn:aws:s3:::b/incoming/",
                true,
            ),
            (
                "arn:aws:s3:::b/incoming/*",
                "arn:aws:s3:::b/avatars/x.png",
                false,
            ),
            (
                "arn:aws:s3:::b/incoming/*",
                "arn:aws:s3:::b/incoming",
                false,
            ),
            (
                "arn:aws:s3:::b/incoming/*",
                "arn:aws:s3:::bb/incoming/x",
                false,
            ),
            ("arn:aws:s3:::b", "arn:aws:s3:::b/x", false),
            ("s3:getobject*", "s3:getobjectattributes", true),
            ("s3:get?bject", "s3:getobject", true),
            ("LIMIT#*", "LIMIT#x", true),
            ("LIMIT#*", "PROFILE#x", false),
            ("*", "", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
        ] {
            assert_eq!(glob(pattern, text), expected, "{pattern} vs {text}");
        }
    }

    #[test]
    fn allow_matches_action_and_resource() {
        let statements = [allow(
            &["s3:GetObject", "s3:DeleteObject"],
            &["arn:aws:s3:::b/incoming/*"],
        )];
        let ask = |a: &str, r: &str| evaluate(&statements, &Request::new(a, r));
        assert_eq!(
            ask("s3:GetObject", "arn:aws:s3:::b/incoming/k"),
            Decision::Allowed
        );
        assert_eq!(
            ask("S3:GETOBJECT", "arn:aws:s3:::b/incoming/k"),
            Decision::Allowed
        );
        assert_eq!(
            ask("s3:PutObject", "arn:aws:s3:::b/incoming/k"),
            Decision::ImplicitDeny
        );
        assert_eq!(
            ask("s3:GetObject", "arn:aws:s3:::b/avatars/k"),
            Decision::ImplicitDeny
        );
        // Resources are case-sensitive.
        assert_eq!(
            ask("s3:GetObject", "arn:aws:s3:::b/INCOMING/k"),
            Decision::ImplicitDeny
        );
    }

    #[test]
    fn an_explicit_deny_wins() {
        let mut deny = allow(&["s3:*"], &["arn:aws:s3:::b/avatars/*"]);
        deny.allow = false;
        let statements = [allow(&["s3:*"], &["*"]), deny];
        let ask = |r: &str| evaluate(&statements, &Request::new("s3:PutObject", r));
        assert_eq!(ask("arn:aws:s3:::b/incoming/k"), Decision::Allowed);
        assert_eq!(ask("arn:aws:s3:::b/avatars/k"), Decision::ExplicitDeny);
    }

    #[test]
    fn leading_keys_fence_the_items() {
        let mut counting = allow(&["dynamodb:UpdateItem"], &["arn:t"]);
        counting.conditions = vec![Condition::ForAllValuesStringLike {
            key: "dynamodb:LeadingKeys".into(),
            patterns: vec!["LIMIT#*".into()],
        }];
        let statements = [counting];
        let ask = |keys: &[&str]| {
            evaluate(
                &statements,
                &Request::new("dynamodb:UpdateItem", "arn:t").with_context(
                    "dynamodb:LeadingKeys",
                    keys.iter().map(|k| k.to_string()).collect(),
                ),
            )
        };
        assert_eq!(ask(&["LIMIT#a"]), Decision::Allowed);
        assert_eq!(ask(&["PROFILE#ada"]), Decision::ImplicitDeny);
        assert_eq!(ask(&["LIMIT#a", "PROFILE#ada"]), Decision::ImplicitDeny);
    }

    #[test]
    fn string_like_needs_the_key() {
        let mut s = allow(&["x:Y"], &["*"]);
        s.conditions = vec![Condition::StringLike {
            key: "k".into(),
            patterns: vec!["v*".into()],
        }];
        let statements = [s];
        assert_eq!(
            evaluate(&statements, &Request::new("x:Y", "r")),
            Decision::ImplicitDeny
        );
        assert_eq!(
            evaluate(
                &statements,
                &Request::new("x:Y", "r").with_context("k", vec!["v1".into()])
            ),
            Decision::Allowed
        );
    }
}
