use std::path::PathBuf;

use dynoxide::Database;

use crate::running::{Running, signalled};
use crate::{StackError, bind};

/// The table's partition key (docs/design.md §3).
const PARTITION_KEY: &str = "pk";

/// The embedded DynamoDB: a SQLite file (or memory), with the profiles table created if missing.
#[derive(Debug, Clone)]
pub struct DynamoSettings {
    pub addr: std::net::SocketAddr,
    /// `None` keeps everything in memory.
    pub path: Option<PathBuf>,
    pub table: String,
}

pub async fn start_dynamodb(settings: DynamoSettings) -> Result<Running, StackError> {
    let db = match &settings.path {
        Some(path) => {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(StackError::io(format!(
                    "DynamoDB: cannot create {}",
                    dir.display()
                )))?;
            }
            Database::new(&path.to_string_lossy())
        }
        None => Database::memory(),
    }
    .map_err(|e| StackError::Setup(format!("DynamoDB: {e}")))?;
    ensure_table(&db, &settings.table)?;

    let listener = bind(settings.addr, "DynamoDB").await?;
    let addr = listener.local_addr().map_err(StackError::io("DynamoDB"))?;
    Ok(Running::spawn(addr, move |rx| async move {
        if let Err(e) = dynoxide::server::serve_with_shutdown(listener, db, signalled(rx)).await {
            tracing::error!(error = %e, "embedded DynamoDB stopped");
        }
    }))
}

/// The table of docs/design.md §3: partition key `pk` (S), on demand.
fn ensure_table(db: &Database, table: &str) -> Result<(), StackError> {
    let setup =
        |e: &dyn std::fmt::Display| StackError::Setup(format!("DynamoDB table {table}: {e}"));
    let existing = db
        .list_tables(serde_json::from_value(serde_json::json!({})).map_err(|e| setup(&e))?)
        .map_err(|e| setup(&e))?;
    if existing.table_names.iter().any(|t| t == table) {
        return check_key(db, table);
    }
    let request = serde_json::from_value(serde_json::json!({
        "TableName": table,
        "KeySchema": [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }))
    .map_err(|e| setup(&e))?;
    db.create_table(request).map_err(|e| setup(&e))?;
    Ok(())
}

/// A table kept from an older version of the app (keyed by `username`) cannot hold this
/// version's items; say so instead of failing every write.
fn check_key(db: &Database, table: &str) -> Result<(), StackError> {
    let setup =
        |e: &dyn std::fmt::Display| StackError::Setup(format!("DynamoDB table {table}: {e}"));
    let request =
        serde_json::from_value(serde_json::json!({ "TableName": table })).map_err(|e| setup(&e))?;
    let described = db.describe_table(request).map_err(|e| setup(&e))?;
    let described = serde_json::to_value(&described).map_err(|e| setup(&e))?;
    let key = described["Table"]["KeySchema"][0]["AttributeName"].as_str();
    if key == Some(PARTITION_KEY) {
        return Ok(());
    }
    Err(StackError::Setup(format!(
        "DynamoDB table {table} has partition key {key:?}, but profiles are now keyed by \"{PARTITION_KEY}\" \
         (docs/design.md §3). Its data is from an older version of the app: stop scripts/dev, \
         delete the local data file (.local/dynamodb.sqlite; local profiles are lost) and start again."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_from_an_older_version_is_named_with_the_fix() {
        let db = Database::memory().unwrap();
        let old = serde_json::from_value(serde_json::json!({
            "TableName": "profiles",
            "KeySchema": [{"AttributeName": "username", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "username", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }))
        .unwrap();
        db.create_table(old).unwrap();
        let message = ensure_table(&db, "profiles").unwrap_err().to_string();
        assert!(message.contains("\"username\""), "{message}");
        assert!(message.contains(".local/dynamodb.sqlite"), "{message}");

        let fresh = Database::memory().unwrap();
        ensure_table(&fresh, "profiles").unwrap();
        ensure_table(&fresh, "profiles").expect("an up-to-date table is kept");
    }
}
