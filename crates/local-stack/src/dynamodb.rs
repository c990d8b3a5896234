use std::path::PathBuf;

use dynoxide::Database;

use crate::running::{Running, signalled};
use crate::{StackError, bind};

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
        return Ok(());
    }
    let request = serde_json::from_value(serde_json::json!({
        "TableName": table,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }))
    .map_err(|e| setup(&e))?;
    db.create_table(request).map_err(|e| setup(&e))?;
    Ok(())
}
