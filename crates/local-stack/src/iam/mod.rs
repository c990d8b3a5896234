//! IAM like AWS, locally: each function signs its calls with its own access key (set for
//! `cargo lambda watch` in its `Cargo.toml`), and the embedded S3 and DynamoDB authorise
//! every call against that function's statements in `template.yaml`. A permission the
//! code needs but the template lacks fails here as it would on AWS. The stack's own key
//! (creating the bucket and table, tests' setup) is an administrator's and no function's.

pub mod policy;
pub mod template;

use std::collections::BTreeMap;
use std::path::Path;

pub use policy::{Decision, Request, Statement};
pub use template::{LOCAL_ACCOUNT, LocalNames};

use crate::StackError;
use crate::template::Template;

/// An access key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPair {
    pub access_key: String,
    pub secret_key: String,
}

impl KeyPair {
    pub fn new(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self {
            access_key: access_key.into(),
            secret_key: secret_key.into(),
        }
    }
}

/// One function as the local stack knows it: its key and its statements.
#[derive(Debug, Clone)]
struct Principal {
    function: String,
    secret_key: String,
    statements: Vec<Statement>,
}

/// Who may do what: the administrator's key, and each function's key with its statements.
#[derive(Debug, Clone)]
pub struct Iam {
    admin: KeyPair,
    names: LocalNames,
    principals: BTreeMap<String, Principal>,
    /// Off (`LOCAL_IAM=off`): every known key may do anything; signatures still count.
    enforcing: bool,
}

/// The answer to one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// AWS's wording: who, which action, which resource, and why not.
    Denied(String),
    /// No such access key.
    UnknownKey,
}

impl Iam {
    /// Each function's key (from `keys`, by crate name) with its statements from
    /// `template`; a function without a key, or a key shared by two, stops the stack.
    pub fn new(
        template: &Template,
        names: LocalNames,
        admin: KeyPair,
        keys: &BTreeMap<String, KeyPair>,
    ) -> Result<Self, StackError> {
        let statements = template::function_statements(template, &names)
            .map_err(|e| StackError::Setup(format!("local IAM: template.yaml: {e}")))?;
        let mut principals = BTreeMap::new();
        for (function, statements) in statements {
            let key = keys.get(&function).ok_or_else(|| {
                StackError::Setup(format!(
                    "local IAM: functions/{function}/Cargo.toml sets no AWS_ACCESS_KEY_ID \
                     under [package.metadata.lambda.watch.env]"
                ))
            })?;
            let shared =
                key.access_key == admin.access_key || principals.contains_key(&key.access_key);
            if shared {
                return Err(StackError::Setup(format!(
                    "local IAM: {function}'s access key {} is not its own",
                    key.access_key
                )));
            }
            principals.insert(
                key.access_key.clone(),
                Principal {
                    function,
                    secret_key: key.secret_key.clone(),
                    statements,
                },
            );
        }
        Ok(Self {
            admin,
            names,
            principals,
            enforcing: true,
        })
    }

    /// The same keys, each allowed everything: the functions still sign with their own
    /// keys, so the stores must keep knowing them.
    pub fn allowing_all(mut self) -> Self {
        self.enforcing = false;
        self
    }

    /// Whether statements are checked (`LOCAL_IAM` on).
    pub fn enforcing(&self) -> bool {
        self.enforcing
    }

    /// `template`'s statements with the keys of every `functions/*/Cargo.toml` under `root`.
    pub fn load(
        template: &Template,
        root: &Path,
        names: LocalNames,
        admin: KeyPair,
    ) -> Result<Self, StackError> {
        Self::new(template, names, admin, &function_keys(root)?)
    }

    pub fn names(&self) -> &LocalNames {
        &self.names
    }

    /// Every key pair the stores accept.
    pub fn key_pairs(&self) -> Vec<KeyPair> {
        std::iter::once(self.admin.clone())
            .chain(
                self.principals
                    .iter()
                    .map(|(key, p)| KeyPair::new(key, &p.secret_key)),
            )
            .collect()
    }

    pub fn secret_of(&self, access_key: &str) -> Option<&str> {
        if access_key == self.admin.access_key {
            return Some(&self.admin.secret_key);
        }
        self.principals
            .get(access_key)
            .map(|p| p.secret_key.as_str())
    }

    pub fn authorise(&self, access_key: &str, request: &Request) -> Verdict {
        if access_key == self.admin.access_key {
            return Verdict::Allowed;
        }
        let Some(principal) = self.principals.get(access_key) else {
            return Verdict::UnknownKey;
        };
        if !self.enforcing {
            return Verdict::Allowed;
        }
        let why = match policy::evaluate(&principal.statements, request) {
            Decision::Allowed => return Verdict::Allowed,
            Decision::ImplicitDeny => "no identity-based policy allows",
            Decision::ExplicitDeny => "an explicit deny in an identity-based policy denies",
        };
        let message = format!(
            "User: arn:aws:sts::{LOCAL_ACCOUNT}:assumed-role/{function}/{function} is not \
             authorized to perform: {action} on resource: \"{resource}\" because {why} the \
             {action} action",
            function = principal.function,
            action = request.action,
            resource = request.resource,
        );
        tracing::warn!(
            function = %principal.function,
            action = %request.action,
            resource = %request.resource,
            "local IAM: access denied (template.yaml does not grant it)"
        );
        Verdict::Denied(message)
    }
}

/// Each function's key pair, from `[package.metadata.lambda.watch.env]` in
/// `functions/<name>/Cargo.toml` — what `cargo lambda watch` gives the function (it wins
/// over `local.env`).
pub fn function_keys(root: &Path) -> Result<BTreeMap<String, KeyPair>, StackError> {
    let dir = root.join("functions");
    let entries = std::fs::read_dir(&dir)
        .map_err(StackError::io(format!("cannot read {}", dir.display())))?;
    let mut keys = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(StackError::io(format!("cannot read {}", dir.display())))?;
        let manifest = entry.path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let parsed: toml::Table = text
            .parse()
            .map_err(|e| StackError::Setup(format!("{}: {e}", manifest.display())))?;
        let env = parsed
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("lambda"))
            .and_then(|l| l.get("watch"))
            .and_then(|w| w.get("env"));
        let var = |name: &str| env.and_then(|e| e.get(name)).and_then(|v| v.as_str());
        if let (Some(access), Some(secret)) =
            (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
        {
            keys.insert(
                entry.file_name().to_string_lossy().to_string(),
                KeyPair::new(access, secret),
            );
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn the_template() -> Template {
        Template::load(&root().join("template.yaml")).unwrap()
    }

    fn admin() -> KeyPair {
        KeyPair::new("AKIDADMIN", "admin-secret")
    }

    fn iam() -> Iam {
        Iam::load(
            &the_template(),
            &root(),
            LocalNames::new("us-east-1", "b", "t"),
            admin(),
        )
        .unwrap()
    }

    #[test]
    fn every_function_has_its_own_key_and_the_admin_key_is_none_of_them() {
        let keys = function_keys(&root()).unwrap();
        assert_eq!(
            keys.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "delete-account",
                "delete-profile",
                "get-profile",
                "save-profile",
                "sign-upload"
            ]
        );
        let iam = iam();
        assert_eq!(
            iam.key_pairs().len(),
            6,
            "admin + five distinct function keys"
        );
        let mut shared = keys.clone();
        shared.insert("get-profile".into(), keys["save-profile"].clone());
        let template = the_template();
        let names = LocalNames::new("us-east-1", "b", "t");
        assert!(Iam::new(&template, names.clone(), admin(), &shared).is_err());
        let as_admin = keys["sign-upload"].clone();
        assert!(Iam::new(&template, names, as_admin, &keys).is_err());
    }

    #[test]
    fn keys_decide() {
        let iam = iam();
        let keys = function_keys(&root()).unwrap();
        let get = Request::new(
            "dynamodb:GetItem",
            "arn:aws:dynamodb:us-east-1:000000000000:table/t",
        );
        assert_eq!(iam.authorise("AKIDADMIN", &get), Verdict::Allowed);
        assert_eq!(iam.authorise("AKIDNOBODY", &get), Verdict::UnknownKey);
        assert_eq!(
            iam.authorise(&keys["get-profile"].access_key, &get),
            Verdict::Allowed
        );
        let put = Request::new("dynamodb:PutItem", get.resource.clone());
        let Verdict::Denied(message) = iam.authorise(&keys["get-profile"].access_key, &put) else {
            panic!("get-profile may not write");
        };
        assert!(message.contains("assumed-role/get-profile/"), "{message}");
        assert!(message.contains("dynamodb:PutItem"), "{message}");

        let off = iam.allowing_all();
        assert_eq!(
            off.authorise(&keys["get-profile"].access_key, &put),
            Verdict::Allowed
        );
        assert_eq!(off.authorise("AKIDNOBODY", &get), Verdict::UnknownKey);
    }
}
