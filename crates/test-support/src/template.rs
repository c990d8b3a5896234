//! The repository's files as the template tests read them: template.yaml through the local
//! stack's one `Template` model, and any other file by its path.

use std::collections::BTreeMap;
use std::path::PathBuf;

use local_stack::template::Template;
use serde_yaml::Value;

/// The repository's root.
pub fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the repository, by its path from the root.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(repository().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// template.yaml, parsed as the local stack parses it.
pub fn template() -> Template {
    Template::load(&repository().join("template.yaml")).expect("template.yaml parses")
}

/// template.yaml's document, for tests that walk it.
pub fn document() -> Value {
    template().document().clone()
}

/// The resources of one type, whole (`Type`, `Properties`, …), by logical id.
pub fn resources(document: &Value, kind: &str) -> BTreeMap<String, Value> {
    document["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(name, r)| (name.as_str().expect("name").to_string(), r.clone()))
        .collect()
}
