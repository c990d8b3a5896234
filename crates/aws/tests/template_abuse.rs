//! What template.yaml promises against abuse: the public reader's role reads profiles and
//! their owners and nothing else in the table, the upload limit has a ceiling that
//! save-profile's memory is sized for, and upload forms are short-lived by default.

use serde_yaml::Value;
use test_support::template::{document as template, read, repository as root};

/// The function resource whose CodeUri is `functions/{name}/`.
fn function(template: &Value, name: &str) -> Value {
    let code_uri = format!("functions/{name}/");
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .values()
        .find(|r| r["Properties"]["CodeUri"].as_str() == Some(code_uri.as_str()))
        .unwrap_or_else(|| panic!("function {name}"))
        .clone()
}

fn statements(function: &Value) -> Vec<Value> {
    function["Properties"]["Policies"]
        .as_sequence()
        .expect("Policies")
        .iter()
        .flat_map(|p| p["Statement"].as_sequence().cloned().unwrap_or_default())
        .collect()
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Sequence(list) => list
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn get_profile_reads_only_profile_and_owner_items() {
    let template = template();
    let get_profile = function(&template, "get-profile");
    let table: Vec<Value> = statements(&get_profile)
        .into_iter()
        .filter(|s| actions(s).iter().any(|a| a.starts_with("dynamodb:")))
        .collect();
    assert!(!table.is_empty(), "get-profile reads the table");
    for statement in &table {
        assert_eq!(statement["Effect"], "Allow");
        let condition = &statement["Condition"]["ForAllValues:StringLike"];
        let keys: Vec<&str> = condition["dynamodb:LeadingKeys"]
            .as_sequence()
            .unwrap_or_else(|| panic!("no leading-key condition in {statement:?}"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        // The item layout's prefixes (adapters/dynamodb/item.rs): PROFILE#{username} and
        // OWNER#{sub}; LIMIT# counters and PURGE# records stay out of reach.
        assert_eq!(keys, ["PROFILE#*", "OWNER#*"], "{statement:?}");
        assert_eq!(
            condition.as_mapping().map(|m| m.len()),
            Some(1),
            "one condition key: {condition:?}"
        );
        assert_eq!(
            statement["Condition"].as_mapping().map(|m| m.len()),
            Some(1),
            "ForAllValues only: ForAnyValue would let one matching key in"
        );
        assert_eq!(actions(statement), ["dynamodb:GetItem"], "reads only");
    }
}

#[test]
fn the_upload_limit_has_a_ceiling_save_profile_is_sized_for() {
    let template = template();
    let parameter = &template["Parameters"]["MaxUploadBytes"];
    let ceiling = parameter["MaxValue"]
        .as_u64()
        .expect("MaxUploadBytes has a MaxValue");
    assert!(
        ceiling <= 25 * 1024 * 1024,
        "MaxValue {ceiling} is over 25 MiB"
    );
    assert!(
        parameter["Default"].as_u64() <= Some(ceiling),
        "the default is within the ceiling"
    );
    // save-profile holds the upload and its clean copy beside the decoded picture (at most
    // 128 MiB for 4096×4096): at the ceiling that must stay well inside its memory.
    let memory_mb = function(&template, "save-profile")["Properties"]["MemorySize"]
        .as_u64()
        .expect("save-profile's MemorySize");
    let held = 2 * ceiling + 128 * 1024 * 1024;
    assert!(
        2 * held <= memory_mb * 1_000_000,
        "at the ceiling save-profile would hold {held} bytes of its {memory_mb} MB"
    );
    // The comment that ties the two together sits right above the parameter.
    let text = read("template.yaml");
    let at = text.find("\n  MaxUploadBytes:\n").expect("the parameter");
    let comment: Vec<&str> = text[..at]
        .lines()
        .rev()
        .take_while(|l| l.trim_start().starts_with('#'))
        .collect();
    let comment = comment.join(" ");
    for word in ["save-profile", "MemorySize"] {
        assert!(
            comment.contains(word),
            "the comment above MaxUploadBytes names {word}: {comment:?}"
        );
    }
}

#[test]
fn upload_forms_live_a_minute_by_default() {
    let template = template();
    let parameter = &template["Parameters"]["UploadUrlTtlSeconds"];
    let default = avatar_aws::config::DEFAULT_UPLOAD_URL_TTL.as_secs();
    assert!(default <= 60, "the code's default is {default} s");
    assert_eq!(parameter["Default"].as_u64(), Some(default));
    assert!(parameter["MaxValue"].as_u64().is_some(), "a bounded life");
    let variable = &function(&template, "sign-upload")["Properties"]["Environment"]["Variables"]["UPLOAD_URL_TTL_SECS"];
    let Value::Tagged(reference) = variable else {
        panic!("UPLOAD_URL_TTL_SECS is not a reference: {variable:?}")
    };
    assert_eq!(reference.tag, "!Ref");
    assert_eq!(reference.value, "UploadUrlTtlSeconds");
    // The local stack and the functions under `cargo lambda watch` read local.env.
    let local = std::fs::read_to_string(root().join("local.env")).expect("local.env");
    let local_ttl: u64 = local
        .lines()
        .find_map(|l| l.strip_prefix("UPLOAD_URL_TTL_SECS="))
        .expect("local.env sets UPLOAD_URL_TTL_SECS")
        .trim()
        .parse()
        .expect("a number");
    assert!(local_ttl <= 60, "local.env: {local_ttl} s");
}
