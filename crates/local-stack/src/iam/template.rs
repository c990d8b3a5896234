//! Each function's IAM statements as `template.yaml` declares them under `Policies:`,
//! with `!Sub`, `!Ref` and `!GetAtt` resolved for the local stack's names: the partition
//! `aws`, the region, account `000000000000`, and the local bucket and table for the
//! template's `UploadsBucket` and `ProfilesTable`; resources the local stack does not run
//! resolve to names nothing local has. Read once at start.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use super::policy::{Condition, Statement};
use crate::template::Template;

/// The account id the local ARNs carry.
pub const LOCAL_ACCOUNT: &str = "000000000000";

/// What the template's names stand for locally.
#[derive(Debug, Clone)]
pub struct LocalNames {
    pub region: String,
    /// Logical id → physical name: `UploadsBucket` → the local bucket, `ProfilesTable` →
    /// the local table.
    pub resources: BTreeMap<String, String>,
}

impl LocalNames {
    pub fn new(region: &str, bucket: &str, table: &str) -> Self {
        Self {
            region: region.to_string(),
            resources: BTreeMap::from([
                ("UploadsBucket".to_string(), bucket.to_string()),
                ("ProfilesTable".to_string(), table.to_string()),
            ]),
        }
    }

    /// The user pool the development provider plays (`UserPool` in the template).
    pub fn with_user_pool(mut self, id: &str) -> Self {
        self.resources
            .insert("UserPool".to_string(), id.to_string());
        self
    }

    pub fn user_pool_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:cognito-idp:{}:{LOCAL_ACCOUNT}:userpool/{id}",
            self.region
        )
    }

    pub fn bucket_arn(bucket: &str) -> String {
        format!("arn:aws:s3:::{bucket}")
    }

    pub fn table_arn(&self, table: &str) -> String {
        format!(
            "arn:aws:dynamodb:{}:{LOCAL_ACCOUNT}:table/{table}",
            self.region
        )
    }
}

/// The condition keys the local stores put in a request's context; a condition on any
/// other key would be decided on a missing value (for `ForAllValues`, quietly true), so
/// it stops the stack instead.
const KNOWN_CONDITION_KEYS: [&str; 1] = ["dynamodb:LeadingKeys"];

/// Every `AWS::Serverless::Function`'s statements, by the crate its `CodeUri` names.
pub fn function_statements(
    template: &Template,
    names: &LocalNames,
) -> Result<BTreeMap<String, Vec<Statement>>, String> {
    let resolver = Resolver::new(template.resources(), names);
    let mut functions = BTreeMap::new();
    for (id, name, props) in template.functions() {
        let name = name.ok_or(format!("{id}: CodeUri is not functions/<name>/"))?;
        let mut statements = Vec::new();
        for policy in props["Policies"].as_sequence().into_iter().flatten() {
            statements
                .extend(policy_statements(policy, &resolver).map_err(|e| format!("{id}: {e}"))?);
        }
        functions.insert(name, statements);
    }
    Ok(functions)
}

fn policy_statements(policy: &Value, resolver: &Resolver) -> Result<Vec<Statement>, String> {
    // Managed policies and SAM policy templates are not read: locally they grant nothing,
    // which is stricter than AWS, never looser (the app's roles use inline statements
    // only, so that reviewers and the drift test can read every action).
    let Some(statements) = policy["Statement"].as_sequence() else {
        tracing::warn!(
            policy = %serde_yaml::to_string(policy).unwrap_or_default().trim(),
            "local IAM grants nothing for a managed policy or policy template"
        );
        return Ok(Vec::new());
    };
    statements.iter().map(|s| statement(s, resolver)).collect()
}

fn statement(s: &Value, resolver: &Resolver) -> Result<Statement, String> {
    let sid = s["Sid"].as_str().map(str::to_string);
    let at = sid.clone().unwrap_or_else(|| "a statement".into());
    let allow = match s["Effect"].as_str() {
        Some("Allow") => true,
        Some("Deny") => false,
        other => return Err(format!("{at}: Effect {other:?}")),
    };
    if !s["NotAction"].is_null() || !s["NotResource"].is_null() {
        return Err(format!(
            "{at}: NotAction/NotResource are not understood locally"
        ));
    }
    let actions = strings(&s["Action"]).ok_or(format!("{at}: Action"))?;
    let resources = list(&s["Resource"])
        .iter()
        .map(|r| resolver.resolve(r))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{at}: {e}"))?;
    if resources.is_empty() {
        return Err(format!("{at}: no Resource"));
    }
    let mut conditions = Vec::new();
    if let Some(ops) = s["Condition"].as_mapping() {
        for (op, keys) in ops {
            let op = op.as_str().unwrap_or_default();
            for (key, values) in keys.as_mapping().into_iter().flatten() {
                let key = key.as_str().unwrap_or_default().to_string();
                if !KNOWN_CONDITION_KEYS.contains(&key.as_str()) {
                    return Err(format!(
                        "{at}: condition key {key} is not understood locally"
                    ));
                }
                let values = strings(values).ok_or(format!("{at}: {op} {key}"))?;
                conditions.push(match op {
                    "ForAllValues:StringLike" => Condition::ForAllValuesStringLike {
                        key,
                        patterns: values,
                    },
                    "StringLike" => Condition::StringLike {
                        key,
                        patterns: values,
                    },
                    "StringEquals" => Condition::StringEquals { key, values },
                    other => {
                        return Err(format!(
                            "{at}: condition operator {other} is not understood locally"
                        ));
                    }
                });
            }
        }
    }
    Ok(Statement {
        sid,
        allow,
        actions,
        resources,
        conditions,
    })
}

fn list(value: &Value) -> Vec<Value> {
    match value {
        Value::Sequence(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn strings(value: &Value) -> Option<Vec<String>> {
    list(value)
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

struct Resolver<'a> {
    resources: &'a Mapping,
    names: &'a LocalNames,
    /// A bucket's `BucketName` text → its logical id: the functions' ARNs spell the name
    /// out again instead of referencing the bucket.
    bucket_names: Vec<(String, String)>,
}

impl<'a> Resolver<'a> {
    fn new(resources: &'a Mapping, names: &'a LocalNames) -> Self {
        let bucket_names = resources
            .iter()
            .filter(|(_, r)| r["Type"] == "AWS::S3::Bucket")
            .filter_map(|(id, r)| {
                let text = sub_text(&r["Properties"]["BucketName"])?;
                Some((text, id.as_str()?.to_string()))
            })
            .collect();
        Self {
            resources,
            names,
            bucket_names,
        }
    }

    fn resolve(&self, value: &Value) -> Result<String, String> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Tagged(tagged) if tagged.tag == "Ref" => {
                self.reference(tagged.value.as_str().unwrap_or_default())
            }
            Value::Tagged(tagged) if tagged.tag == "GetAtt" => {
                let (id, attribute) = match &tagged.value {
                    Value::String(s) => s.split_once('.').ok_or(format!("!GetAtt {s}"))?,
                    Value::Sequence(parts) => (
                        parts.first().and_then(Value::as_str).unwrap_or_default(),
                        parts.get(1).and_then(Value::as_str).unwrap_or_default(),
                    ),
                    other => return Err(format!("!GetAtt {other:?}")),
                };
                self.attribute(id, attribute)
            }
            Value::Tagged(tagged) if tagged.tag == "Sub" => {
                let (text, vars) = match &tagged.value {
                    Value::String(s) => (s.clone(), None),
                    Value::Sequence(parts) => (
                        parts
                            .first()
                            .and_then(Value::as_str)
                            .ok_or("!Sub without a template")?
                            .to_string(),
                        parts.get(1).and_then(Value::as_mapping),
                    ),
                    other => return Err(format!("!Sub {other:?}")),
                };
                self.substitute(&text, vars)
            }
            other => Err(format!("{other:?} cannot be resolved locally")),
        }
    }

    fn substitute(&self, text: &str, vars: Option<&Mapping>) -> Result<String, String> {
        let mut text = text.to_string();
        for (name, id) in &self.bucket_names {
            text = text.replace(name, &format!("${{{id}}}"));
        }
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or(format!("unclosed ${{ in {text}"))?;
            let name = &after[..end];
            let local = vars.and_then(|v| v.get(name));
            out.push_str(&match local {
                Some(value) => self.resolve(value)?,
                None => match name.split_once('.') {
                    Some((id, attribute)) if !name.starts_with("AWS::") => {
                        self.attribute(id, attribute)?
                    }
                    _ => self.reference(name)?,
                },
            });
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn reference(&self, name: &str) -> Result<String, String> {
        match name {
            "AWS::Partition" => Ok("aws".into()),
            "AWS::Region" => Ok(self.names.region.clone()),
            "AWS::AccountId" => Ok(LOCAL_ACCOUNT.into()),
            "AWS::URLSuffix" => Ok("amazonaws.com".into()),
            // A resource the local stack does not run (a log group, the distribution):
            // a name no local bucket or table has, so the statement grants nothing here.
            id => Ok(self
                .names
                .resources
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("{id}.not-local"))),
        }
    }

    fn attribute(&self, id: &str, attribute: &str) -> Result<String, String> {
        let physical = self.reference(id)?;
        let kind = self
            .resources
            .get(id)
            .and_then(|r| r["Type"].as_str())
            .unwrap_or_default();
        match (kind, attribute) {
            ("AWS::DynamoDB::Table", "Arn") => Ok(self.names.table_arn(&physical)),
            ("AWS::S3::Bucket", "Arn") => Ok(LocalNames::bucket_arn(&physical)),
            ("AWS::Cognito::UserPool", "Arn") => Ok(self.names.user_pool_arn(&physical)),
            _ => Ok(format!("arn:not-local:{id}.{attribute}")),
        }
    }
}

/// A `!Sub`'s template text, or a plain string.
fn sub_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Tagged(tagged) if tagged.tag == "Sub" => match &tagged.value {
            Value::String(s) => Some(s.clone()),
            Value::Sequence(parts) => parts.first()?.as_str().map(str::to_string),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements_of(text: &str) -> Result<BTreeMap<String, Vec<Statement>>, String> {
        function_statements(&Template::parse(text)?, &names())
    }

    const TEMPLATE: &str = r#"
Resources:
  UploadsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub
        - avatar-uploads-${AWS::AccountId}-${AWS::Region}-${StackSuffix}
        - StackSuffix: !Select [4, !Split ["-", !Ref AWS::StackId]]
  ProfilesTable:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/some-fn/
      Policies:
        - AWSLambdaBasicExecutionRole
        - Version: "2012-10-17"
          Statement:
            - Sid: Objects
              Effect: Allow
              Action: [s3:GetObject, s3:DeleteObject]
              Resource: !Sub
                - arn:${AWS::Partition}:s3:::avatar-uploads-${AWS::AccountId}-${AWS::Region}-${StackSuffix}/incoming/*
                - StackSuffix: !Select [4, !Split ["-", !Ref AWS::StackId]]
            - Effect: Allow
              Action: s3:ListBucket
              Resource: !GetAtt UploadsBucket.Arn
            - Sid: Counters
              Effect: Allow
              Action: dynamodb:UpdateItem
              Resource:
                - !GetAtt ProfilesTable.Arn
                - !Sub "${ProfilesTable.Arn}/index/*"
              Condition:
                ForAllValues:StringLike:
                  dynamodb:LeadingKeys: ["LIMIT#*"]
"#;

    fn names() -> LocalNames {
        LocalNames::new("eu-west-1", "avatar-uploads", "profiles")
    }

    #[test]
    fn statements_resolve_to_local_arns() {
        let functions = statements_of(TEMPLATE).unwrap();
        let statements = &functions["some-fn"];
        assert_eq!(statements.len(), 3);
        assert_eq!(statements[0].actions, ["s3:GetObject", "s3:DeleteObject"]);
        assert_eq!(
            statements[0].resources,
            ["arn:aws:s3:::avatar-uploads/incoming/*"]
        );
        assert_eq!(statements[1].resources, ["arn:aws:s3:::avatar-uploads"]);
        assert_eq!(
            statements[2].resources,
            [
                "arn:aws:dynamodb:eu-west-1:000000000000:table/profiles",
                "arn:aws:dynamodb:eu-west-1:000000000000:table/profiles/index/*"
            ]
        );
        assert_eq!(
            statements[2].conditions,
            [Condition::ForAllValuesStringLike {
                key: "dynamodb:LeadingKeys".into(),
                patterns: vec!["LIMIT#*".into()]
            }]
        );
    }

    #[test]
    fn what_the_stack_does_not_run_grants_nothing_locally() {
        let changed = TEMPLATE
            .replacen("- AWSLambdaBasicExecutionRole", "- AmazonS3FullAccess", 1)
            .replacen("!GetAtt UploadsBucket.Arn", "!GetAtt SiteBucket.Arn", 1);
        let functions = statements_of(&changed).unwrap();
        let statements = &functions["some-fn"];
        assert_eq!(statements.len(), 3, "the managed policy adds nothing");
        assert_eq!(statements[1].resources, ["arn:not-local:SiteBucket.Arn"]);
    }

    #[test]
    fn what_cannot_be_read_faithfully_stops_the_stack() {
        for (from, to, says) in [
            (
                "ForAllValues:StringLike",
                "ForAnyValue:StringLike",
                "ForAnyValue",
            ),
            (
                "dynamodb:LeadingKeys",
                "dynamodb:Attributes",
                "dynamodb:Attributes",
            ),
            (
                "Effect: Allow\n              Action: s3:ListBucket",
                "Effect: Allow\n              NotAction: s3:ListBucket\n              Action: s3:x",
                "NotAction",
            ),
        ] {
            assert!(TEMPLATE.contains(from), "{from}");
            let err = statements_of(&TEMPLATE.replacen(from, to, 1)).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
    }

    #[test]
    fn the_real_template_is_understood() {
        let text = include_str!("../../../../template.yaml");
        let functions = statements_of(text).unwrap();
        assert_eq!(
            functions.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "delete-account",
                "delete-profile",
                "get-profile",
                "save-profile",
                "sign-upload"
            ]
        );
        for statements in functions.values() {
            for resource in statements.iter().flat_map(|s| &s.resources) {
                assert!(
                    resource.starts_with("arn:aws:s3:::avatar-uploads")
                        || resource
                            .starts_with("arn:aws:dynamodb:eu-west-1:000000000000:table/profiles")
                        || resource
                            .starts_with("arn:aws:cognito-idp:eu-west-1:000000000000:userpool/"),
                    "{resource}"
                );
            }
        }
    }
}
