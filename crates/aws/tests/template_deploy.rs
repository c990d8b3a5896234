//! What a deployer meets in template.yaml: `sam build` compiles every function for arm64,
//! the sign-in domain cannot collide with another stack's, the user pool's plan and email
//! sender are explicit, the public profile read is shared at the edge for seconds (path
//! only), a WAF web ACL can be attached, the routes are throttled as docs/deploy.md sizes
//! them, and no output hands out a way around CloudFront.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;
use test_support::template::{document as template, read, repository as root, resources};

/// `!Tag value` → ("Tag", value); anything else is not an intrinsic.
fn intrinsic(value: &Value) -> Option<(String, &Value)> {
    match value {
        Value::Tagged(tagged) => Some((
            tagged.tag.to_string().trim_start_matches('!').to_string(),
            &tagged.value,
        )),
        _ => None,
    }
}

fn seq(value: &Value) -> &Vec<Value> {
    value
        .as_sequence()
        .unwrap_or_else(|| panic!("expected a list, got {value:?}"))
}

/// Evaluates the intrinsics the template uses for names (`!Ref`, `!Sub`, `!Select`,
/// `!Split`, `!If`) for one stack, with `params` as the parameters' values and every
/// condition evaluated by `condition`.
struct Stack<'a> {
    stack_id: &'a str,
    params: BTreeMap<&'a str, &'a str>,
    template: &'a Value,
}

impl Stack<'_> {
    /// The value as CloudFormation would see it: every intrinsic resolved, and a key
    /// whose value is `!Ref AWS::NoValue` left out.
    fn eval(&self, value: &Value) -> Value {
        let Some((tag, arg)) = intrinsic(value) else {
            return match value {
                Value::Mapping(map) => Value::Mapping(
                    map.iter()
                        .map(|(k, v)| (k.clone(), self.eval(v)))
                        .filter(|(_, v)| v != "AWS::NoValue")
                        .collect(),
                ),
                Value::Sequence(items) => {
                    Value::Sequence(items.iter().map(|v| self.eval(v)).collect())
                }
                other => other.clone(),
            };
        };
        match tag.as_str() {
            "Ref" => Value::String(self.reference(arg.as_str().expect("!Ref name"), &[])),
            "Select" => {
                let args = seq(arg);
                let index = args[0].as_u64().expect("index") as usize;
                let list = self.eval(&args[1]);
                seq(&list)[index].clone()
            }
            "Split" => {
                let args = seq(arg);
                let separator = args[0].as_str().expect("separator");
                let text = self.eval(&args[1]);
                Value::Sequence(
                    text.as_str()
                        .expect("text to split")
                        .split(separator)
                        .map(|part| Value::String(part.to_string()))
                        .collect(),
                )
            }
            "Sub" => {
                let (template, vars): (&str, Vec<(String, String)>) = match arg {
                    Value::String(s) => (s, vec![]),
                    Value::Sequence(parts) => (
                        parts[0].as_str().expect("!Sub template"),
                        parts[1]
                            .as_mapping()
                            .expect("!Sub variables")
                            .iter()
                            .map(|(k, v)| {
                                let v = self.eval(v);
                                (
                                    k.as_str().expect("name").to_string(),
                                    v.as_str().expect("string").to_string(),
                                )
                            })
                            .collect(),
                    ),
                    other => panic!("unexpected !Sub {other:?}"),
                };
                let vars: Vec<(&str, &str)> =
                    vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                let mut out = String::new();
                let mut rest = template;
                while let Some(at) = rest.find("${") {
                    out.push_str(&rest[..at]);
                    let end = rest[at..].find('}').expect("closing brace") + at;
                    out.push_str(&self.reference(&rest[at + 2..end], &vars));
                    rest = &rest[end + 1..];
                }
                out.push_str(rest);
                Value::String(out)
            }
            "If" => {
                let args = seq(arg);
                let name = args[0].as_str().expect("condition name");
                let chosen = if self.condition(name) {
                    &args[1]
                } else {
                    &args[2]
                };
                self.eval(chosen)
            }
            other => panic!("no evaluator for !{other}"),
        }
    }

    fn reference(&self, name: &str, vars: &[(&str, &str)]) -> String {
        if let Some((_, v)) = vars.iter().find(|(k, _)| *k == name) {
            return v.to_string();
        }
        match name {
            "AWS::StackId" => self.stack_id.to_string(),
            // What CloudFormation leaves out; the tests compare against the name.
            "AWS::NoValue" => "AWS::NoValue".into(),
            "AWS::AccountId" => "123456789012".into(),
            "AWS::Region" => "eu-west-1".into(),
            _ => {
                let default = &self.template["Parameters"][name]["Default"];
                assert!(
                    !default.is_null(),
                    "{name} is neither a parameter nor known"
                );
                self.params
                    .get(name)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| scalar(default))
            }
        }
    }

    /// The template's conditions are all `!Not [!Equals [!Ref P, ""]]` (possibly under
    /// `!And`): "parameter P is set".
    fn condition(&self, name: &str) -> bool {
        let definition = &self.template["Conditions"][name];
        assert!(!definition.is_null(), "no condition {name}");
        self.holds(definition)
    }

    fn holds(&self, expression: &Value) -> bool {
        let (tag, arg) = intrinsic(expression).expect("a condition function");
        match tag.as_str() {
            "Not" => !self.holds(&seq(arg)[0]),
            "And" => seq(arg).iter().all(|e| self.holds(e)),
            "Equals" => {
                let args = seq(arg);
                self.eval(&args[0]) == self.eval(&args[1])
            }
            other => panic!("no evaluator for condition !{other}"),
        }
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

const STACK_A: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/avatar-uploads/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c";
/// The same stack name created again (after a failed first create was deleted).
const STACK_A_AGAIN: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/avatar-uploads/9b2c1f4e-7d3a-4c5b-8e6f-0a1b2c3d4e5f";
/// A second stack in the same account and region.
const STACK_B: &str = "arn:aws:cloudformation:eu-west-1:123456789012:stack/avatars-staging/0d6e2f4a-1b3c-4d5e-8f70-9a8b7c6d5e4f";

fn stack<'a>(template: &'a Value, stack_id: &'a str, params: &[(&'a str, &'a str)]) -> Stack<'a> {
    Stack {
        stack_id,
        params: params.iter().copied().collect(),
        template,
    }
}

// ------------------------------------------------------------------ sam build

#[test]
fn sam_build_compiles_every_function_for_arm64() {
    let template = template();
    let functions = resources(&template, "AWS::Serverless::Function");
    let globals = &template["Globals"]["Function"];
    let crates: BTreeSet<String> = std::fs::read_dir(root().join("functions"))
        .expect("functions/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    assert!(!functions.is_empty());

    let mut built = BTreeSet::new();
    for (id, function) in &functions {
        let metadata = &function["Metadata"];
        assert_eq!(metadata["BuildMethod"], "rust-cargolambda", "{id}");
        assert!(
            metadata["SkipBuild"].is_null(),
            "{id}: SkipBuild would deploy whatever binary lies around"
        );
        let binary = metadata["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: Metadata.BuildProperties.Binary"));
        // SAM runs `cargo lambda build --bin <Binary>` in CodeUri: the function's crate,
        // whose package (and binary) carries the same name.
        let code_uri = function["Properties"]["CodeUri"].as_str().expect("CodeUri");
        assert_eq!(
            code_uri.trim_end_matches('/'),
            format!("functions/{binary}"),
            "{id}"
        );
        let manifest: toml::Table =
            toml::from_str(&read(&format!("functions/{binary}/Cargo.toml"))).expect("Cargo.toml");
        assert_eq!(manifest["package"]["name"].as_str(), Some(binary), "{id}");

        // arm64, and provided.al2023: for provided.al2 SAM would build against glibc 2.26.
        let property = |name: &str| {
            let own = &function["Properties"][name];
            if own.is_null() {
                globals[name].clone()
            } else {
                own.clone()
            }
        };
        assert_eq!(
            property("Architectures"),
            Value::Sequence(vec!["arm64".into()]),
            "{id}"
        );
        assert_eq!(property("Runtime"), "provided.al2023", "{id}");
        assert_eq!(property("Handler"), "bootstrap", "{id}");
        assert!(built.insert(binary.to_string()), "{binary} is built twice");
    }
    assert_eq!(
        built, crates,
        "every crate under functions/ is built and deployed"
    );
}

// ------------------------------------------------------------------ sign-in

/// Cognito's rules for a domain prefix: 1-63 lowercase letters, digits and hyphens, not
/// starting or ending with a hyphen, and none of the reserved words.
fn valid_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix.len() <= 63
        && prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !prefix.starts_with('-')
        && !prefix.ends_with('-')
        && !["aws", "amazon", "cognito"]
            .iter()
            .any(|w| prefix.contains(w))
}

#[test]
fn the_sign_in_domain_is_unique_per_stack() {
    let template = template();
    let domains = resources(&template, "AWS::Cognito::UserPoolDomain");
    let [(_, domain)] = domains.iter().collect::<Vec<_>>()[..] else {
        panic!("one user pool domain")
    };
    let domain = &domain["Properties"]["Domain"];
    let prefix = |stack_id: &str, params: &[(&str, &str)]| {
        scalar(&stack(&template, stack_id, params).eval(domain))
    };

    let a = prefix(STACK_A, &[]);
    assert_eq!(a, "avatars-3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c");
    assert!(valid_prefix(&a), "{a}");
    // Another stack in the account, and the same stack created again after a failed
    // first create, never meet a prefix already taken by this one.
    let others = [prefix(STACK_A_AGAIN, &[]), prefix(STACK_B, &[])];
    for other in &others {
        assert!(valid_prefix(other), "{other}");
        assert_ne!(other, &a);
    }
    assert_ne!(others[0], others[1]);

    // The parameter still wins when set.
    assert_eq!(
        prefix(STACK_A, &[("AuthDomainPrefix", "avatars-example")]),
        "avatars-example"
    );
}

#[test]
fn the_user_pool_plan_is_explicit_and_fits_managed_login() {
    let template = template();
    let pools = resources(&template, "AWS::Cognito::UserPool");
    let [(_, pool)] = pools.iter().collect::<Vec<_>>()[..] else {
        panic!("one user pool")
    };
    // Managed login (version 2) is part of the Essentials and Plus plans, not Lite.
    assert_eq!(pool["Properties"]["UserPoolTier"], "ESSENTIALS");
    for (id, domain) in resources(&template, "AWS::Cognito::UserPoolDomain") {
        assert_eq!(domain["Properties"]["ManagedLoginVersion"], 2, "{id}");
    }
}

#[test]
fn an_ses_sender_is_optional() {
    let template = template();
    let pools = resources(&template, "AWS::Cognito::UserPool");
    let pool = pools.values().next().expect("a user pool");
    let email = &pool["Properties"]["EmailConfiguration"];
    for name in ["SesIdentityArn", "SesFromAddress"] {
        assert_eq!(
            template["Parameters"][name]["Default"], "",
            "{name} is optional"
        );
    }

    let config = |params: &[(&str, &str)]| stack(&template, STACK_A, params).eval(email);
    let unset = config(&[]);
    assert_eq!(unset["EmailSendingAccount"], "COGNITO_DEFAULT");
    assert!(unset["SourceArn"].is_null());

    let arn = "arn:aws:ses:eu-west-1:123456789012:identity/example.com";
    let with_ses = config(&[
        ("SesIdentityArn", arn),
        ("SesFromAddress", "avatars@example.com"),
    ]);
    assert_eq!(with_ses["EmailSendingAccount"], "DEVELOPER");
    assert_eq!(with_ses["SourceArn"], arn);
    assert_eq!(with_ses["From"], "avatars@example.com");
    // An email-address identity sends as itself: no From needed.
    let identity_only = config(&[(
        "SesIdentityArn",
        "arn:aws:ses:eu-west-1:123456789012:identity/avatars@example.com",
    )]);
    assert_eq!(identity_only["EmailSendingAccount"], "DEVELOPER");
    assert!(identity_only["From"].is_null(), "From is left out");
}

// ------------------------------------------------------------------ CloudFront

/// CloudFront's path pattern match (`*` any characters, `?` one), as far as the
/// template's patterns need it.
fn matches(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        Some((prefix, "")) => path.starts_with(prefix),
        Some(_) => panic!("pattern {pattern} needs a fuller matcher"),
        None => pattern == path,
    }
}

fn behaviours(template: &Value) -> Vec<Value> {
    template["Resources"]["Distribution"]["Properties"]["DistributionConfig"]["CacheBehaviors"]
        .as_sequence()
        .expect("cache behaviours")
        .clone()
}

/// The behaviour CloudFront picks for a path: the first whose pattern matches.
fn behaviour_for(template: &Value, path: &str) -> Option<Value> {
    behaviours(template)
        .into_iter()
        .find(|b| matches(b["PathPattern"].as_str().expect("pattern"), path))
}

fn route_keys(template: &Value) -> BTreeMap<String, String> {
    resources(template, "AWS::ApiGatewayV2::Route")
        .into_iter()
        .map(|(id, r)| {
            let key = r["Properties"]["RouteKey"]
                .as_str()
                .expect("key")
                .to_string();
            (key, id)
        })
        .collect()
}

#[test]
fn public_profiles_are_shared_at_the_edge_by_path_only() {
    let template = template();
    let public = behaviour_for(&template, "/api/profile/ada").expect("a behaviour");
    assert_eq!(public["TargetOriginId"], "api");
    assert_eq!(
        public["AllowedMethods"],
        serde_yaml::from_str::<Value>("[GET, HEAD]").unwrap(),
        "only reads are cached"
    );
    // Nothing of the viewer's request but the path reaches the API: no Authorization,
    // no Host (API Gateway routes by its own).
    assert!(public["OriginRequestPolicyId"].is_null());
    let (tag, policy) = intrinsic(&public["CachePolicyId"]).expect("!Ref to the policy");
    assert_eq!(tag, "Ref");
    let policy = &template["Resources"][policy.as_str().unwrap()];
    assert_eq!(policy["Type"], "AWS::CloudFront::CachePolicy");
    let config = &policy["Properties"]["CachePolicyConfig"];
    let key = &config["ParametersInCacheKeyAndForwardedToOrigin"];
    assert_eq!(key["HeadersConfig"]["HeaderBehavior"], "none");
    assert_eq!(key["CookiesConfig"]["CookieBehavior"], "none");
    assert_eq!(key["QueryStringsConfig"]["QueryStringBehavior"], "none");
    // The origin decides: an answer without Cache-Control is not kept (default 0), and
    // its s-maxage=5 falls inside the bounds.
    assert_eq!(config["MinTTL"], 0);
    assert_eq!(config["DefaultTTL"], 0);
    let max = config["MaxTTL"].as_u64().expect("MaxTTL");
    assert!((5..=60).contains(&max), "MaxTTL {max}");

    // Every other API path, the signed-in read included, still goes uncached with the
    // viewer's headers (its token) to the API; of the API's routes only the public read
    // falls under the cached behaviour.
    for (key, id) in route_keys(&template) {
        let (_, path) = key.split_once(' ').expect("METHOD /path");
        let path = path.replace("{username}", "ada");
        let behaviour = behaviour_for(&template, &path).expect("a behaviour");
        let cached = behaviour == public;
        assert_eq!(cached, key == "GET /api/profile/{username}", "{id}: {key}");
        if !cached {
            assert_eq!(behaviour["PathPattern"], "/api/*", "{key}");
            assert_eq!(
                behaviour["CachePolicyId"].as_str(),
                Some("4135ea2d-6df8-44a3-9df3-4b5a84be39ad"),
                "{key}: Managed-CachingDisabled"
            );
        }
    }
}

#[test]
fn a_waf_web_acl_is_optional_and_cloudfront_scoped() {
    let template = template();
    let parameter = &template["Parameters"]["WebAclArn"];
    assert_eq!(parameter["Default"], "");
    let pattern = parameter["AllowedPattern"].as_str().expect("pattern");
    let pattern = regex::Regex::new(pattern).expect("regex");
    assert!(pattern.is_match(""));
    assert!(pattern.is_match(
        "arn:aws:wafv2:us-east-1:123456789012:global/webacl/avatars/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c"
    ));
    // A regional web ACL, or one outside us-east-1, cannot be attached to CloudFront.
    assert!(!pattern.is_match(
        "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/avatars/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c"
    ));
    assert!(!pattern.is_match(
        "arn:aws:wafv2:eu-west-1:123456789012:global/webacl/avatars/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c"
    ));

    let config = &template["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    let acl = |params: &[(&str, &str)]| stack(&template, STACK_A, params).eval(&config["WebACLId"]);
    let arn = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/avatars/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c";
    assert_eq!(acl(&[("WebAclArn", arn)]), arn);
    // Unset: the property is left out altogether.
    let unset = acl(&[]);
    assert_eq!(unset, "AWS::NoValue", "{unset:?}");
}

#[test]
fn no_output_leads_around_cloudfront() {
    let template = template();
    for (name, output) in template["Outputs"].as_mapping().expect("Outputs") {
        let text = serde_yaml::to_string(&output["Value"]).expect("yaml");
        assert!(
            !text.contains("execute-api") && !text.contains("${HttpApi}"),
            "{name:?} publishes the API's own endpoint: {text}"
        );
    }
}

// ------------------------------------------------------------------ throttles

/// Seconds of Lambda time one request of each route takes (docs/deploy.md, "Capacity");
/// a route missing here fails the test below until it is sized.
const SECONDS_PER_REQUEST: [(&str, f64); 7] = [
    ("POST /api/uploads", 0.05),
    ("POST /api/profile", 0.6),
    ("DELETE /api/profile", 0.3),
    ("DELETE /api/account", 0.35),
    ("GET /api/me", 0.02),
    ("GET /api/me/export", 0.02),
    ("GET /api/profile/{username}", 0.02),
];

#[test]
fn every_route_has_its_own_throttle_within_a_new_accounts_concurrency() {
    let template = template();
    let stages = resources(&template, "AWS::ApiGatewayV2::Stage");
    let [(_, stage)] = stages.iter().collect::<Vec<_>>()[..] else {
        panic!("one stage")
    };
    let settings = stage["Properties"]["RouteSettings"]
        .as_mapping()
        .expect("RouteSettings");
    let depends_on: BTreeSet<String> = seq(&stage["DependsOn"])
        .iter()
        .map(|v| v.as_str().expect("name").to_string())
        .collect();
    let seconds: BTreeMap<&str, f64> = SECONDS_PER_REQUEST.into_iter().collect();

    let routes = route_keys(&template);
    let mut concurrency = 0.0;
    for (key, id) in &routes {
        let setting = &settings[&Value::String(key.clone())];
        let rate = setting["ThrottlingRateLimit"]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: no ThrottlingRateLimit"));
        let burst = setting["ThrottlingBurstLimit"]
            .as_f64()
            .unwrap_or_else(|| panic!("{key}: no ThrottlingBurstLimit"));
        assert!(burst >= rate, "{key}: burst {burst} below rate {rate}");
        // A stage's route settings need their routes to exist first.
        assert!(depends_on.contains(id), "the stage must depend on {id}");
        let per_request = seconds
            .get(key.as_str())
            .unwrap_or_else(|| panic!("{key}: size it in docs/deploy.md and here"));
        concurrency += rate * per_request;
    }
    assert_eq!(
        settings.len(),
        routes.len(),
        "no settings for missing routes"
    );
    // Every route at its limit at once fits a new account's Lambda quota of 10.
    assert!(
        concurrency <= 10.0,
        "{concurrency:.1} concurrent executions"
    );
}

/// Only rendered variants are served: CloudFront routes `/avatars/*` alone to the uploads
/// bucket, and the bucket policy lets it read `avatars/*` alone, so neither an original
/// (`originals/`) nor an upload (`incoming/`) has a public path.
#[test]
fn no_public_path_reaches_an_original_or_an_upload() {
    let template = template();
    let to_uploads: Vec<String> = behaviours(&template)
        .into_iter()
        .filter(|b| b["TargetOriginId"] == "uploads")
        .map(|b| b["PathPattern"].as_str().expect("pattern").to_string())
        .collect();
    assert_eq!(to_uploads, ["/avatars/*"]);
    let config = &template["Resources"]["Distribution"]["Properties"]["DistributionConfig"];
    assert_eq!(config["DefaultCacheBehavior"]["TargetOriginId"], "site");
    for path in ["/originals/ada/x.png", "/incoming/x.png"] {
        let behaviour = behaviour_for(&template, path);
        assert!(
            behaviour.is_none_or(|b| b["TargetOriginId"] != "uploads"),
            "{path}"
        );
    }

    let statements =
        template["Resources"]["UploadsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
            .as_sequence()
            .expect("statements")
            .clone();
    let allowed: Vec<&Value> = statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .collect();
    assert_eq!(allowed.len(), 1, "one grant: CloudFront reading avatars");
    let grant = allowed[0];
    assert_eq!(grant["Principal"]["Service"], "cloudfront.amazonaws.com");
    assert_eq!(grant["Action"], "s3:GetObject");
    let (tag, resource) = intrinsic(&grant["Resource"]).expect("!Sub");
    assert_eq!(tag, "Sub");
    assert_eq!(resource.as_str(), Some("${UploadsBucket.Arn}/avatars/*"));
}
