//! `template.yaml`, parsed once: the one model of the SAM template that every reader asks —
//! the gateway's routes and authorizer, local IAM's statements, the page's sign-in
//! settings, and the drift tests that hold the code to the template.

use std::path::Path;
use std::sync::Arc;

use serde_yaml::{Mapping, Value};

use crate::StackError;

/// The parsed template; cheap to clone and share.
#[derive(Debug, Clone)]
pub struct Template {
    doc: Arc<Value>,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, StackError> {
        let text = std::fs::read_to_string(path)
            .map_err(StackError::io(format!("cannot read {}", path.display())))?;
        Self::parse(&text).map_err(|e| StackError::Setup(format!("{}: {e}", path.display())))
    }

    /// A YAML document with a `Resources` mapping; SAM's short-form tags (`!Ref`, `!Sub`)
    /// are kept as tags.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        if doc["Resources"].as_mapping().is_none() {
            return Err("the template has no Resources mapping".into());
        }
        Ok(Self { doc: Arc::new(doc) })
    }

    /// Every resource, by logical id.
    pub fn resources(&self) -> &Mapping {
        // `parse` proved it is a mapping.
        static EMPTY: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
        self.doc["Resources"]
            .as_mapping()
            .unwrap_or_else(|| EMPTY.get_or_init(Mapping::new))
    }

    /// The resource with this logical id (`Type`, `Properties`, `Metadata`, …).
    pub fn resource(&self, id: &str) -> Option<&Value> {
        self.resources().get(id)
    }

    /// The `(logical id, Properties)` of every resource of one type, in template order.
    pub fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> {
        self.resources()
            .iter()
            .filter(move |(_, r)| r["Type"].as_str() == Some(kind))
            .map(|(id, r)| (id.as_str().unwrap_or("?"), &r["Properties"]))
    }

    /// Every `AWS::Serverless::Function` as `(logical id, local name, Properties)`: the
    /// local name is the crate in `CodeUri: functions/<name>/` (also its `Binary`), which
    /// `cargo lambda watch` also knows the function by; `None` when the CodeUri has
    /// another shape.
    pub fn functions(&self) -> impl Iterator<Item = (&str, Option<String>, &Value)> {
        self.of_type("AWS::Serverless::Function")
            .map(|(id, props)| (id, function_name(props), props))
    }

    /// The whole document, for readers that walk it themselves (the drift tests).
    pub fn document(&self) -> &Value {
        &self.doc
    }

    /// A section of the document: `Parameters`, `Outputs`, `Conditions`, …
    pub fn section(&self, name: &str) -> &Value {
        &self.doc[name]
    }
}

/// The resource a reference names: `!Ref X`, `!GetAtt X.Arn`, `!Sub "integrations/${X}"`,
/// in their short or long (`Ref`, `Fn::GetAtt`, `Fn::Sub`) forms.
pub fn referenced(value: &Value) -> Option<String> {
    let (kind, inner) = match value {
        Value::Tagged(tagged) => (tagged.tag.to_string(), &tagged.value),
        Value::Mapping(map) => {
            let (k, v) = map.iter().next()?;
            (k.as_str()?.to_string(), v)
        }
        _ => return None,
    };
    let kind = kind.trim_start_matches('!').trim_start_matches("Fn::");
    match kind {
        "Ref" => inner.as_str().map(str::to_string),
        "GetAtt" => match inner {
            Value::String(s) => s.split('.').next().map(str::to_string),
            Value::Sequence(parts) => parts.first()?.as_str().map(str::to_string),
            _ => None,
        },
        "Sub" => {
            let text = inner.as_str()?;
            let start = text.find("${")? + 2;
            let end = text[start..].find('}')? + start;
            Some(text[start..end].to_string())
        }
        _ => None,
    }
}

/// A list of strings (a lone string is a list of one), or empty.
pub fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn function_name(props: &Value) -> Option<String> {
    let code_uri = props["CodeUri"].as_str()?;
    let name = code_uri.trim_end_matches('/').strip_prefix("functions/")?;
    (!name.is_empty() && !name.contains('/')).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_projects_template_names_its_functions_and_references() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let template = Template::load(&path).unwrap();
        let names: Vec<_> = template
            .functions()
            .filter_map(|(_, name, _)| name)
            .collect();
        assert!(names.contains(&"delete-profile".to_string()), "{names:?}");
        let (_, integration) = template
            .of_type("AWS::ApiGatewayV2::Integration")
            .next()
            .expect("an integration");
        assert!(referenced(&integration["IntegrationUri"]).is_some());
        assert!(Template::parse("Outputs: {}").is_err());
        assert!(Template::parse(": :").is_err());
    }
}
