//! template.yaml's operations: every alarm watches the metric, namespace and dimensions
//! it claims (the DynamoDB ones every operation the code calls), notifications exist only
//! when `AlarmEmail` is set, the dashboard shows what docs/deploy.md promises, and the
//! functions are traced.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;
use test_support::template::{document as template, read, repository as root, resources};

/// `!Ref X` → `X`; a plain string as it is.
fn name_of(value: &Value) -> String {
    match value {
        Value::Tagged(tagged) if tagged.tag == "!Ref" => {
            tagged.value.as_str().expect("!Ref name").to_string()
        }
        Value::String(s) => s.clone(),
        other => panic!("expected !Ref or a string, got {other:?}"),
    }
}

/// An alarm's dimensions as (name, value), values by the resource they reference.
fn dimensions(metric: &Value) -> BTreeSet<(String, String)> {
    metric["Dimensions"]
        .as_sequence()
        .expect("Dimensions")
        .iter()
        .map(|d| {
            (
                d["Name"].as_str().unwrap().to_string(),
                name_of(&d["Value"]),
            )
        })
        .collect()
}

/// The DynamoDB operations the adapters call: `client.get_item()` → `GetItem`.
fn dynamodb_operations() -> BTreeSet<String> {
    let dir = root().join("crates/aws/src/adapters/dynamodb");
    let mut source: String = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    source.push_str(&read("crates/aws/src/adapters/rate_limits.rs"));
    let call = regex::Regex::new(r"client\s*\.\s*([a-z_]+)\(\)").unwrap();
    call.captures_iter(&source)
        .map(|c| {
            c[1].split('_')
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect()
        })
        .collect()
}

/// An alarm's namespace, metric and dimensions.
type Watched = (String, String, BTreeSet<(String, String)>);

fn is_alarm_email_if(value: &Value) -> bool {
    let Value::Tagged(tagged) = value else {
        return false;
    };
    let Some(args) = tagged.value.as_sequence() else {
        return false;
    };
    tagged.tag == "!If"
        && args.len() == 3
        && args[0] == "HasAlarmEmail"
        && args[1]
            .as_sequence()
            .is_some_and(|topics| topics.len() == 1 && name_of(&topics[0]) == "AlarmTopic")
        && matches!(&args[2], Value::Tagged(t) if t.tag == "!Ref" && t.value == "AWS::NoValue")
}

#[test]
fn every_alarm_watches_the_documented_metric() {
    let template = template();
    let alarms = resources(&template, "AWS::CloudWatch::Alarm");
    // (namespace, metric, dimensions) of the single-metric alarms.
    let mut single: BTreeMap<String, Watched> = BTreeMap::new();
    // (metric, operations) of the per-operation DynamoDB alarms.
    let mut per_operation: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    for (name, alarm) in &alarms {
        let props = &alarm["Properties"];
        assert!(
            is_alarm_email_if(&props["AlarmActions"]),
            "{name}: notifies only when AlarmEmail is set"
        );
        assert!(is_alarm_email_if(&props["OKActions"]), "{name}");
        assert_eq!(props["TreatMissingData"], "notBreaching", "{name}");
        assert_eq!(props["ComparisonOperator"], "GreaterThanOrEqualToThreshold");
        if let Some(metrics) = props["Metrics"].as_sequence() {
            let expression: Vec<&Value> = metrics
                .iter()
                .filter(|m| m.get("Expression").is_some())
                .collect();
            assert_eq!(expression.len(), 1, "{name}: one sum");
            assert_eq!(expression[0]["ReturnData"], true);
            assert_eq!(expression[0]["Expression"], "SUM(FILL(METRICS(), 0))");
            let mut metric_names = BTreeSet::new();
            let mut operations = BTreeSet::new();
            for stat in metrics.iter().filter_map(|m| m.get("MetricStat")) {
                let metric = &stat["Metric"];
                assert_eq!(metric["Namespace"], "AWS/DynamoDB", "{name}");
                metric_names.insert(metric["MetricName"].as_str().unwrap().to_string());
                let dims = dimensions(metric);
                assert_eq!(dims.len(), 2, "{name}: TableName and Operation");
                assert!(dims.contains(&("TableName".into(), "ProfilesTable".into())));
                let operation = dims
                    .iter()
                    .find(|(k, _)| k == "Operation")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("{name}: Operation dimension"));
                operations.insert(operation);
                assert_eq!(stat["Stat"], "Sum");
            }
            assert_eq!(metric_names.len(), 1, "{name}: one metric");
            per_operation.insert(
                name.clone(),
                (metric_names.pop_first().unwrap(), operations),
            );
        } else {
            assert_eq!(props["Statistic"], "Sum", "{name}");
            single.insert(
                name.clone(),
                (
                    props["Namespace"].as_str().unwrap().to_string(),
                    props["MetricName"].as_str().unwrap().to_string(),
                    dimensions(props),
                ),
            );
        }
    }

    let mut expected_single = BTreeMap::new();
    for function in [
        "SignUpload",
        "SaveProfile",
        "DeleteProfile",
        "DeleteAccount",
        "GetProfile",
    ] {
        for metric in ["Errors", "Throttles"] {
            expected_single.insert(
                format!("{function}{metric}Alarm"),
                (
                    "AWS/Lambda".to_string(),
                    metric.to_string(),
                    BTreeSet::from([("FunctionName".to_string(), format!("{function}Function"))]),
                ),
            );
        }
    }
    expected_single.insert(
        "Api5xxAlarm".into(),
        (
            "AWS/ApiGateway".into(),
            "5xx".into(),
            BTreeSet::from([("ApiId".to_string(), "HttpApi".to_string())]),
        ),
    );
    assert_eq!(single, expected_single);

    // DynamoDB reports these per operation only: every operation the code calls is watched.
    let operations = dynamodb_operations();
    assert!(operations.contains("UpdateItem") && operations.contains("GetItem"));
    let expected_per_operation = BTreeMap::from([
        (
            "TableThrottlesAlarm".to_string(),
            ("ThrottledRequests".to_string(), operations.clone()),
        ),
        (
            "TableSystemErrorsAlarm".to_string(),
            ("SystemErrors".to_string(), operations),
        ),
    ]);
    assert_eq!(
        per_operation, expected_per_operation,
        "a new DynamoDB call needs its Operation in both table alarms"
    );

    // Every function has its two alarms.
    let functions = resources(&template, "AWS::Serverless::Function");
    for function in functions.keys() {
        let short = function.trim_end_matches("Function");
        assert!(
            alarms.contains_key(&format!("{short}ErrorsAlarm")),
            "{function}"
        );
        assert!(
            alarms.contains_key(&format!("{short}ThrottlesAlarm")),
            "{function}"
        );
    }
}

#[test]
fn notifications_exist_only_with_an_alarm_email() {
    let template = template();
    assert_eq!(template["Parameters"]["AlarmEmail"]["Default"], "");
    let condition = &template["Conditions"]["HasAlarmEmail"];
    let Value::Tagged(not) = condition else {
        panic!("HasAlarmEmail: {condition:?}")
    };
    assert_eq!(not.tag, "!Not");
    let Value::Tagged(equals) = &not.value[0] else {
        panic!("!Not [!Equals …]")
    };
    assert_eq!(equals.tag, "!Equals");
    assert_eq!(name_of(&equals.value[0]), "AlarmEmail");
    assert_eq!(equals.value[1], "");

    let sns: BTreeMap<String, Value> = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str().unwrap().starts_with("AWS::SNS::"))
        .map(|(n, r)| (n.as_str().unwrap().to_string(), r.clone()))
        .collect();
    assert_eq!(
        sns.keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from(["AlarmSubscription".to_string(), "AlarmTopic".to_string()])
    );
    for (name, resource) in &sns {
        assert_eq!(resource["Condition"], "HasAlarmEmail", "{name}");
    }
    let subscription = &sns["AlarmSubscription"]["Properties"];
    assert_eq!(subscription["Protocol"], "email");
    assert_eq!(name_of(&subscription["Endpoint"]), "AlarmEmail");
    assert_eq!(name_of(&subscription["TopicArn"]), "AlarmTopic");

    // Nothing outside the conditional references names the topic unconditionally.
    for (name, resource) in template["Resources"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        if sns.contains_key(name) || resource["Type"] == "AWS::CloudWatch::Alarm" {
            continue;
        }
        let text = serde_yaml::to_string(resource).unwrap();
        assert!(!text.contains("AlarmTopic"), "{name} names the topic");
    }
}

#[test]
fn the_dashboard_shows_each_function_the_api_and_the_table() {
    let template = template();
    let dashboards = resources(&template, "AWS::CloudWatch::Dashboard");
    assert_eq!(dashboards.len(), 1);
    let body = dashboards.values().next().unwrap()["Properties"]["DashboardBody"].clone();
    let Value::Tagged(sub) = body else {
        panic!("DashboardBody is a !Sub")
    };
    let text = sub.value.as_str().expect("!Sub text").to_string();
    // The body is JSON once CloudFormation substitutes the references.
    let substituted = regex::Regex::new(r"\$\{[^}]+\}")
        .unwrap()
        .replace_all(&text, "x");
    let json: serde_json::Value = serde_json::from_str(&substituted).expect("dashboard JSON");
    let widgets = json["widgets"].as_array().unwrap();
    let all = serde_json::to_string(widgets).unwrap();
    for function in [
        "SignUploadFunction",
        "SaveProfileFunction",
        "GetProfileFunction",
    ] {
        assert_eq!(
            text.matches(&format!("${{{function}}}")).count(),
            4,
            "{function}: invocations, duration, errors, throttles"
        );
    }
    for needed in [
        "Invocations",
        "Duration",
        "\"p50\"",
        "\"p99\"",
        "Errors",
        "Throttles",
        "4xx",
        "5xx",
        "Latency",
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
    ] {
        assert!(all.contains(needed), "dashboard lacks {needed}");
    }
    assert!(text.contains("${HttpApi}") && text.contains("${ProfilesTable}"));
}

#[test]
fn functions_are_traced() {
    assert_eq!(template()["Globals"]["Function"]["Tracing"], "Active");
}
