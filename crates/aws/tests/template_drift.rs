//! template.yaml must describe the code as it is: the same functions, routes the local
//! edge serves from the template itself, exactly the environment variables each function
//! reads, and exactly the IAM actions its SDK calls need.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use avatar_aws::config::Env;
use avatar_aws::{headers, setup};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use serde_yaml::Value;
use test_support::template::{document as template, read, repository as root};

/// The template's functions, by the crate their CodeUri points at.
fn template_functions() -> BTreeMap<String, Value> {
    let template = template();
    let resources = template["Resources"].as_mapping().expect("Resources");
    resources
        .values()
        .filter(|r| r["Type"] == "AWS::Serverless::Function")
        .map(|r| {
            let code_uri = r["Properties"]["CodeUri"].as_str().expect("CodeUri");
            let name = code_uri
                .trim_end_matches('/')
                .strip_prefix("functions/")
                .unwrap_or_else(|| panic!("CodeUri {code_uri} is not functions/<name>/"));
            (name.to_string(), r["Properties"].clone())
        })
        .collect()
}

fn crates_in_functions_dir() -> BTreeSet<String> {
    std::fs::read_dir(root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect()
}

#[test]
fn every_function_crate_is_deployed_and_nothing_else() {
    let deployed: BTreeSet<String> = template_functions().into_keys().collect();
    assert_eq!(deployed, crates_in_functions_dir());
}

/// The API's routes, the function serving each, and whether it needs a signed-in caller.
const ROUTES: [(&str, &str, &str, bool); 7] = [
    ("sign-upload", "POST", "/api/uploads", true),
    ("save-profile", "POST", "/api/profile", true),
    ("delete-profile", "DELETE", "/api/profile", true),
    ("delete-account", "DELETE", "/api/account", true),
    ("get-profile", "GET", "/api/me", true),
    ("get-profile", "GET", "/api/me/export", true),
    ("get-profile", "GET", "/api/profile/{username}", false),
];

fn resources_of_type(template: &Value, kind: &str) -> BTreeMap<String, Value> {
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(name, r)| (name.as_str().unwrap().to_string(), r["Properties"].clone()))
        .collect()
}

/// The resource a `!Ref X` / `!GetAtt X.Arn` / `!Sub "…${X}"` names.
fn referenced(value: &Value) -> String {
    let Value::Tagged(tagged) = value else {
        panic!("expected a reference, got {value:?}")
    };
    let text = tagged.value.as_str().expect("reference text");
    match text.find("${") {
        Some(at) => text[at + 2..].trim_end_matches('}').to_string(),
        None => text.trim_end_matches(".Arn").to_string(),
    }
}

#[test]
fn routes_and_their_authorizer_are_as_documented() {
    let template = template();
    let authorizers = resources_of_type(&template, "AWS::ApiGatewayV2::Authorizer");
    assert_eq!(authorizers.len(), 1, "one authorizer");
    let (authorizer_name, authorizer) = authorizers.iter().next().unwrap();
    assert_eq!(authorizer["AuthorizerType"], "JWT");
    assert_eq!(
        authorizer["IdentitySource"],
        Value::Sequence(vec!["$request.header.Authorization".into()]),
        "bearer tokens"
    );
    let jwt = &authorizer["JwtConfiguration"];
    assert!(
        text(&jwt["Issuer"]).ends_with("/${UserPool}"),
        "issuer is the pool: {:?}",
        jwt["Issuer"]
    );
    let audience = jwt["Audience"].as_sequence().expect("audience");
    assert_eq!(audience.len(), 1);
    assert_eq!(referenced(&audience[0]), "UserPoolClient");

    let integrations = resources_of_type(&template, "AWS::ApiGatewayV2::Integration");
    let functions: BTreeMap<String, String> = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(name, r)| {
            let code_uri = r["Properties"]["CodeUri"].as_str().unwrap();
            let crate_name = code_uri
                .trim_end_matches('/')
                .trim_start_matches("functions/")
                .to_string();
            (name.as_str().unwrap().to_string(), crate_name)
        })
        .collect();
    let deployed: BTreeSet<(String, String, String, bool)> =
        resources_of_type(&template, "AWS::ApiGatewayV2::Route")
            .values()
            .map(|route| {
                let integration = &integrations[&referenced(&route["Target"])];
                assert_eq!(integration["IntegrationType"], "AWS_PROXY");
                assert_eq!(integration["PayloadFormatVersion"], "2.0");
                let function = &functions[&referenced(&integration["IntegrationUri"])];
                let key = route["RouteKey"].as_str().unwrap();
                let (method, path) = key.split_once(' ').unwrap();
                let protected = match route["AuthorizationType"].as_str().unwrap() {
                    "JWT" => {
                        assert_eq!(
                            &referenced(&route["AuthorizerId"]),
                            authorizer_name,
                            "{key}"
                        );
                        assert_eq!(
                            route["AuthorizationScopes"],
                            Value::Sequence(vec!["avatars/profile".into()]),
                            "{key}: the custom scope keeps ID tokens out"
                        );
                        true
                    }
                    "NONE" => false,
                    other => panic!("{key}: {other}"),
                };
                (
                    function.clone(),
                    method.to_string(),
                    path.to_string(),
                    protected,
                )
            })
            .collect();
    let documented = ROUTES
        .iter()
        .map(|(f, m, p, auth)| (f.to_string(), m.to_string(), p.to_string(), *auth))
        .collect();
    assert_eq!(deployed, documented);

    // API Gateway may invoke every function behind a route, and only from this API.
    let permitted: BTreeSet<String> = resources_of_type(&template, "AWS::Lambda::Permission")
        .values()
        .filter(|p| p["Principal"] == "apigateway.amazonaws.com")
        .map(|p| {
            assert!(text(&p["SourceArn"]).contains(":${HttpApi}/"));
            functions[&referenced(&p["FunctionName"])].clone()
        })
        .collect();
    let routed: BTreeSet<String> = ROUTES.iter().map(|(f, ..)| f.to_string()).collect();
    assert_eq!(permitted, routed);
}

/// The local edge serves the API from template.yaml's routes (local-stack's gateway), so
/// there is no second route table to drift: it must read exactly the documented routes,
/// and Cargo.toml must not grow a `cargo lambda watch` router again.
#[test]
fn the_local_gateway_reads_the_same_routes() {
    let cargo: toml::Table = read("Cargo.toml").parse().expect("Cargo.toml");
    assert!(
        cargo["workspace"]["metadata"]["lambda"]["watch"]
            .get("router")
            .is_none(),
        "routes live in template.yaml only"
    );
    let routes = local_stack::gateway::routes::Routes::from_template(
        &local_stack::template::Template::load(&root().join("template.yaml"))
            .expect("template.yaml"),
    )
    .expect("routes");
    let local: BTreeSet<(String, String, String, bool)> = routes
        .iter()
        .map(|r| {
            (
                r.function.clone(),
                r.method.clone(),
                r.path.clone(),
                r.auth.is_some(),
            )
        })
        .collect();
    let documented = ROUTES
        .iter()
        .map(|(f, m, p, auth)| (f.to_string(), m.to_string(), p.to_string(), *auth))
        .collect();
    assert_eq!(local, documented);
    for route in routes.iter().filter_map(|r| r.auth.as_ref()) {
        assert_eq!(route.scopes, vec!["avatars/profile".to_string()]);
    }
}

fn sdk() -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "a", "b", None, None, "t",
        )))
        .build()
}

/// Builds a function's service the way its main.rs does, recording every variable read.
fn variables_read(function: &str) -> BTreeSet<String> {
    let asked = Rc::new(RefCell::new(BTreeSet::new()));
    let record = Rc::clone(&asked);
    let env = Env::from_fn(move |name: &str| {
        record.borrow_mut().insert(name.to_string());
        match name {
            n if n.starts_with("AWS_") => None,
            "MAX_UPLOAD_BYTES" => Some("5242880".into()),
            "UPLOAD_URL_TTL_SECS" => Some("300".into()),
            "UPLOADS_PER_HOUR" => Some("30".into()),
            "PROFILE_WRITES_PER_HOUR" => Some("60".into()),
            _ => Some("x".into()),
        }
    });
    let main = read(&format!("functions/{function}/src/main.rs"));
    let sdk = sdk();
    if main.contains("setup::upload_signer(") {
        setup::upload_signer(&env, &sdk).expect("config");
    } else if main.contains("setup::profile_service(") {
        setup::profile_service(&env, &sdk).expect("config");
    } else if main.contains("setup::account_deletion(") {
        setup::account_deletion(&env, &sdk).expect("config");
    } else if main.contains("setup::profile_deletion(") {
        setup::profile_deletion(&env, &sdk).expect("config");
    } else if main.contains("setup::profile_store(") {
        setup::profile_store(&env, &sdk).expect("config");
    } else {
        panic!("{function}: main.rs builds its service in a way this test does not know");
    }
    let names = asked.borrow().clone();
    // Lambda itself provides AWS_*; endpoints are for local development only.
    names
        .into_iter()
        .filter(|n| !n.starts_with("AWS_"))
        .collect()
}

#[test]
fn each_function_gets_exactly_the_variables_it_reads() {
    for (name, props) in template_functions() {
        let set: BTreeSet<String> = props["Environment"]["Variables"]
            .as_mapping()
            .map(|m| m.keys().map(|k| k.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let mut expected = variables_read(&name);
        expected.insert("RUST_LOG".into());
        assert_eq!(
            set, expected,
            "{name}: template variables vs. what the code reads"
        );
    }
}

/// `self.client.get_object()` → `s3:GetObject`. A transaction is authorised per item
/// (`Put::builder()` → `dynamodb:PutItem`); there is no TransactWriteItems action.
fn sdk_actions(path: &str, service: &str) -> BTreeSet<String> {
    let source = std::fs::read_dir(root().join(path))
        .map(|dir| {
            dir.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect::<String>()
        })
        .unwrap_or_else(|_| read(path));
    let call = regex::Regex::new(r"client\s*\.\s*([a-z_]+)\(\)").unwrap();
    let camel = |op: &str| -> String {
        op.split('_')
            .map(|w| w[..1].to_uppercase() + &w[1..])
            .collect()
    };
    let mut actions: BTreeSet<String> = call
        .captures_iter(&source)
        .map(|c| camel(&c[1]))
        .filter(|op| !op.starts_with("Transact"))
        // S3 has no DeleteObjects permission: it checks s3:DeleteObject for every key.
        .map(|op| match op.as_str() {
            "DeleteObjects" if service == "s3" => "DeleteObject".to_string(),
            _ => op,
        })
        .map(|op| format!("{service}:{op}"))
        .collect();
    let item = regex::Regex::new(r"\b(Get|Put|Update|Delete|ConditionCheck)::builder\(\)").unwrap();
    // Transaction items are DynamoDB's (a `Get` is authorised as `GetItem`); S3's
    // `Delete::builder()` is a DeleteObjects body.
    let items = if service == "dynamodb" {
        item.captures_iter(&source).collect()
    } else {
        Vec::new()
    };
    for c in items {
        let op = if &c[1] == "ConditionCheck" {
            "ConditionCheckItem".to_string()
        } else {
            format!("{}Item", &c[1])
        };
        actions.insert(format!("{service}:{op}"));
    }
    actions
}

fn template_actions(props: &Value) -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for policy in props["Policies"].as_sequence().unwrap() {
        for statement in policy["Statement"].as_sequence().unwrap() {
            assert_eq!(statement["Effect"], "Allow");
            match &statement["Action"] {
                Value::String(a) => {
                    actions.insert(a.clone());
                }
                Value::Sequence(list) => {
                    actions.extend(list.iter().map(|a| a.as_str().unwrap().to_string()))
                }
                other => panic!("unexpected Action {other:?}"),
            }
        }
    }
    actions
}

fn set(lists: &[&[&str]]) -> BTreeSet<String> {
    lists
        .iter()
        .flat_map(|l| l.iter().map(|a| a.to_string()))
        .collect()
}

/// The adapters' action lists say what their SDK calls need (a new call needs its action
/// in `adapters::iam_actions`), and each function's role grants exactly the lists of the
/// service its main.rs builds. tests/local_iam.rs shows the lists suffice: every flow
/// passes with local IAM enforcing the template.
#[test]
fn each_function_may_do_exactly_what_its_code_calls() {
    use avatar_aws::adapters::iam_actions;
    let s3 = sdk_actions("crates/aws/src/adapters/s3.rs", "s3");
    let dynamodb = sdk_actions("crates/aws/src/adapters/dynamodb", "dynamodb");
    let counters = sdk_actions("crates/aws/src/adapters/rate_limits.rs", "dynamodb");
    assert_eq!(
        set(&[iam_actions::OBJECTS]),
        s3.into_iter()
            .chain(["s3:ListBucket".to_string()])
            .collect(),
        "S3Objects' calls (and ListBucket, so a missing upload is 404)"
    );
    assert_eq!(
        set(&[iam_actions::PROFILE_WRITES, iam_actions::PROFILE_DELETES]),
        dynamodb,
        "DynamoProfiles' calls"
    );
    assert!(set(&[iam_actions::PROFILE_READS]).is_subset(&dynamodb));
    assert!(set(&[iam_actions::OBJECT_DELETES]).is_subset(&set(&[iam_actions::OBJECTS])));
    assert_eq!(
        set(&[iam_actions::LIMIT_COUNTERS]),
        counters,
        "the limit counters' calls"
    );
    assert_eq!(
        set(&[iam_actions::ACCOUNT_DELETES]),
        sdk_actions("crates/aws/src/adapters/cognito.rs", "cognito-idp"),
        "CognitoAccounts' calls"
    );
    for (name, props) in template_functions() {
        let main = read(&format!("functions/{name}/src/main.rs"));
        let needs = if main.contains("setup::upload_signer(") {
            setup::UPLOAD_SIGNER_NEEDS
        } else if main.contains("setup::profile_service(") {
            setup::PROFILE_SERVICE_NEEDS
        } else if main.contains("setup::account_deletion(") {
            setup::ACCOUNT_DELETION_NEEDS
        } else if main.contains("setup::profile_deletion(") {
            setup::PROFILE_DELETION_NEEDS
        } else if main.contains("setup::profile_store(") {
            setup::PROFILE_STORE_NEEDS
        } else {
            panic!("{name}: main.rs builds its service in a way this test does not know");
        };
        assert_eq!(template_actions(&props), set(needs), "{name}");
    }
}

/// The route that deletes reaches a function of its own, whose role can delete but write
/// nothing: no object put, no item updated, and a put only of purge records.
#[test]
fn the_deleting_function_can_delete_and_not_write() {
    let template = template();
    let route = resources_of_type(&template, "AWS::ApiGatewayV2::Route")
        .into_values()
        .find(|r| r["RouteKey"] == "DELETE /api/profile")
        .expect("DELETE /api/profile");
    let integrations = resources_of_type(&template, "AWS::ApiGatewayV2::Integration");
    let function = referenced(&integrations[&referenced(&route["Target"])]["IntegrationUri"]);
    assert_eq!(function, "DeleteProfileFunction");
    let props = &template["Resources"][function.as_str()]["Properties"];
    let actions = template_actions(props);
    for write in ["s3:PutObject", "dynamodb:UpdateItem"] {
        assert!(!actions.contains(write), "{write} in {actions:?}");
    }
    for statement in props["Policies"][0]["Statement"].as_sequence().unwrap() {
        if statement["Action"] == "dynamodb:PutItem" {
            assert_eq!(
                statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
                Value::Sequence(vec![
                    avatar_aws::schema::leading_keys_pattern(avatar_aws::schema::ItemKind::Purge)
                        .into()
                ]),
                "puts only purge records"
            );
        }
    }
    // And no other function may delete a profile's items (the account's deletion begins
    // with the profile's).
    for (name, props) in template_functions() {
        if name != "delete-profile" && name != "delete-account" {
            assert!(
                !template_actions(&props).contains("dynamodb:DeleteItem"),
                "{name}"
            );
        }
    }
}

/// Deleting a user is granted once: to the function behind `DELETE /api/account`, on this
/// stack's user pool alone (never `*`, never another pool), and to no other function.
#[test]
fn only_the_account_deleting_function_may_delete_users_in_this_pool() {
    let template = template();
    let route = resources_of_type(&template, "AWS::ApiGatewayV2::Route")
        .into_values()
        .find(|r| r["RouteKey"] == "DELETE /api/account")
        .expect("DELETE /api/account");
    let integrations = resources_of_type(&template, "AWS::ApiGatewayV2::Integration");
    let function = referenced(&integrations[&referenced(&route["Target"])]["IntegrationUri"]);
    assert_eq!(function, "DeleteAccountFunction");
    let mut grants = Vec::new();
    for (id, props) in resources_of_type(&template, "AWS::Serverless::Function") {
        for policy in props["Policies"].as_sequence().unwrap() {
            for statement in policy["Statement"].as_sequence().unwrap() {
                let actions = text_or_list(&statement["Action"]);
                let deletes = actions
                    .iter()
                    .any(|a| a.starts_with("cognito-idp:") || a == "*");
                if deletes {
                    grants.push((id.clone(), actions, statement["Resource"].clone()));
                }
            }
        }
    }
    assert_eq!(grants.len(), 1, "{grants:?}");
    let (id, actions, resource) = &grants[0];
    assert_eq!(id, "DeleteAccountFunction");
    assert_eq!(actions, &["cognito-idp:AdminDeleteUser".to_string()]);
    // `!GetAtt UserPool.Arn`: the one pool of this stack, which its tokens come from.
    let Value::Tagged(tagged) = resource else {
        panic!("the pool's ARN, not {resource:?}");
    };
    assert_eq!(tagged.tag, "GetAtt");
    assert_eq!(tagged.value, Value::String("UserPool.Arn".into()));
    assert_eq!(
        template["Resources"]["UserPool"]["Type"],
        "AWS::Cognito::UserPool"
    );
    // And the pool it deletes from is the one the function is told about.
    let variables = &template["Resources"][id.as_str()]["Properties"]["Environment"]["Variables"];
    assert_eq!(referenced(&variables["USER_POOL_ID"]), "UserPool");
}

/// A `!Sub` string's template, or a plain string, with its folding undone.
fn text(value: &Value) -> String {
    let raw = match value {
        Value::String(s) => s.clone(),
        Value::Tagged(tagged) => match &tagged.value {
            Value::String(s) => s.clone(),
            Value::Sequence(parts) => parts[0].as_str().expect("!Sub template").to_string(),
            other => panic!("unexpected !Sub {other:?}"),
        },
        other => panic!("expected a string, got {other:?}"),
    };
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn custom_header(policy: &Value, name: &str) -> String {
    policy["CustomHeadersConfig"]["Items"]
        .as_sequence()
        .expect("custom headers")
        .iter()
        .find(|h| h["Header"] == name)
        .map(|h| text(&h["Value"]))
        .unwrap_or_else(|| panic!("custom header {name}"))
}

#[test]
fn cloudfront_headers_match_the_code() {
    let template = template();
    let policy = |name: &str| {
        template["Resources"][name]["Properties"]["ResponseHeadersPolicyConfig"].clone()
    };
    let avatars = policy("AvatarHeadersPolicy");
    let security = &avatars["SecurityHeadersConfig"];
    assert_eq!(
        text(&security["ContentSecurityPolicy"]["ContentSecurityPolicy"]),
        headers::AVATAR_CSP
    );
    assert_eq!(security["ContentTypeOptions"]["Override"], true, "nosniff");
    assert_eq!(
        custom_header(&avatars, "Cache-Control"),
        headers::AVATAR_CACHE_CONTROL
    );

    let site = policy("SiteHeadersPolicy");
    let security = &site["SecurityHeadersConfig"];
    let upload_origin = "https://${UploadsBucketName}.s3.${AWS::Region}.${AWS::URLSuffix}";
    let auth_origin = "https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com";
    assert_eq!(
        text(&security["ContentSecurityPolicy"]["ContentSecurityPolicy"]),
        headers::site_csp(upload_origin, auth_origin)
    );
    assert_eq!(security["ContentTypeOptions"]["Override"], true, "nosniff");
    assert_eq!(
        security["FrameOptions"]["FrameOption"],
        headers::SITE_FRAME_OPTIONS
    );
    assert_eq!(
        security["ReferrerPolicy"]["ReferrerPolicy"],
        headers::SITE_REFERRER_POLICY
    );
    assert_eq!(
        custom_header(&site, "Permissions-Policy"),
        headers::SITE_PERMISSIONS_POLICY
    );
    assert_eq!(
        custom_header(&site, "Cross-Origin-Opener-Policy"),
        headers::SITE_OPENER_POLICY
    );
}

/// sign-upload may touch only the limit counters of the table it shares with profiles, and
/// the table expires those counters by the attribute the adapter writes.
#[test]
fn limit_counters_are_fenced_and_expire() {
    let template = template();
    let sign = &template["Resources"]["SignUploadFunction"]["Properties"];
    let statements = sign["Policies"][0]["Statement"].as_sequence().unwrap();
    let counting: Vec<&Value> = statements
        .iter()
        .filter(|s| {
            text_or_list(&s["Action"])
                .iter()
                .any(|a| a.starts_with("dynamodb:"))
        })
        .collect();
    assert_eq!(counting.len(), 1);
    assert_eq!(referenced(&counting[0]["Resource"]), "ProfilesTable");
    assert_eq!(
        counting[0]["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"],
        Value::Sequence(vec!["LIMIT#*".into()]),
        "only LIMIT# items"
    );
    let ttl = &template["Resources"]["ProfilesTable"]["Properties"]["TimeToLiveSpecification"];
    assert_eq!(ttl["Enabled"], true);
    assert_eq!(ttl["AttributeName"], avatar_aws::schema::EXPIRES_AT);

    // The limits are parameters whose defaults are the code's.
    let parameters = &template["Parameters"];
    for (parameter, function, variable, default) in [
        (
            "UploadsPerHour",
            "SignUploadFunction",
            "UPLOADS_PER_HOUR",
            avatar_aws::config::DEFAULT_UPLOADS_PER_HOUR,
        ),
        (
            "ProfileWritesPerHour",
            "SaveProfileFunction",
            "PROFILE_WRITES_PER_HOUR",
            avatar_aws::config::DEFAULT_PROFILE_WRITES_PER_HOUR,
        ),
    ] {
        assert_eq!(parameters[parameter]["Default"], u64::from(default));
        let value =
            &template["Resources"][function]["Properties"]["Environment"]["Variables"][variable];
        assert_eq!(referenced(value), parameter, "{variable}");
    }
}

/// One upload limit for the function that signs and the one that reads: a template
/// parameter whose default is the code's, referenced by both.
#[test]
fn the_upload_limit_is_one_parameter_for_both_functions() {
    let template = template();
    let parameter = &template["Parameters"]["MaxUploadBytes"];
    assert_eq!(
        parameter["Default"],
        avatar_aws::config::DEFAULT_MAX_UPLOAD_BYTES
    );
    assert!(
        parameter["MaxValue"].as_u64() <= Some(5u64 * 1024 * 1024 * 1024),
        "S3's POST limit"
    );
    let readers: Vec<String> = template_functions()
        .into_iter()
        .filter(|(name, _)| variables_read(name).contains("MAX_UPLOAD_BYTES"))
        .map(|(name, properties)| {
            let value = &properties["Environment"]["Variables"]["MAX_UPLOAD_BYTES"];
            assert_eq!(referenced(value), "MaxUploadBytes", "{name}");
            name
        })
        .collect();
    assert_eq!(readers, ["save-profile", "sign-upload"]);
}

/// No role of the stack may create log groups (the stack owns them) or write any log group
/// but its own: SAM's AWSLambdaBasicExecutionRole allows both on "*", so every function
/// carries a permissions boundary that allows neither.
#[test]
fn no_function_can_create_log_groups_or_write_others() {
    let template = template();
    let boundary_ref = &template["Globals"]["Function"]["PermissionsBoundary"];
    assert_eq!(referenced(boundary_ref), "FunctionBoundary");
    for (name, properties) in template_functions() {
        assert!(
            properties.get("PermissionsBoundary").is_none(),
            "{name} keeps the global boundary"
        );
        for statement in properties["Policies"][0]["Statement"]
            .as_sequence()
            .unwrap()
        {
            assert!(
                !text_or_list(&statement["Action"])
                    .iter()
                    .any(|a| a.starts_with("logs:")),
                "{name}: logs only through SAM's managed policy, under the boundary"
            );
        }
    }
    let boundary = &template["Resources"]["FunctionBoundary"];
    assert_eq!(boundary["Type"], "AWS::IAM::ManagedPolicy");
    let statements = boundary["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    let mut log_statements = 0;
    for statement in statements {
        assert_eq!(statement["Effect"], "Allow");
        let actions = text_or_list(&statement["Action"]);
        let not_actions = text_or_list(&statement["NotAction"]);
        // What this statement allows of logs:CreateLogGroup: listed, or not excluded.
        let allows = |action: &str| {
            let (service, _) = action.split_once(':').unwrap();
            let matches = |pattern: &String| {
                pattern == "*" || pattern == action || *pattern == format!("{service}:*")
            };
            if actions.is_empty() {
                !not_actions.iter().any(matches)
            } else {
                actions.iter().any(matches)
            }
        };
        assert!(!allows("logs:CreateLogGroup"), "{statement:?}");
        if allows("logs:PutLogEvents") || allows("logs:CreateLogStream") {
            log_statements += 1;
            assert_eq!(
                actions,
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                "only writing"
            );
            assert!(
                text(&statement["Resource"])
                    .ends_with(":log-group:/aws/lambda/${AWS::StackName}/*"),
                "only this stack's function log groups"
            );
        }
    }
    assert_eq!(log_statements, 1);
    // Each function's log group lies under that prefix, so its logs still arrive.
    for (name, properties) in template_functions() {
        let group = referenced(&properties["LoggingConfig"]["LogGroup"]);
        let group_name = text(&template["Resources"][group.as_str()]["Properties"]["LogGroupName"]);
        assert_eq!(
            group_name,
            format!("/aws/lambda/${{AWS::StackName}}/{name}")
        );
    }
}

fn text_or_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(list) => list
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect(),
        _ => vec![],
    }
}
