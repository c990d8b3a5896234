mod authorize;
mod front;
pub(crate) mod sigv4;

use std::path::PathBuf;

use std::sync::Arc;

use dynoxide::Database;

use crate::iam::Iam;
use front::{Front, guard};

use crate::running::{Running, signalled};
use crate::{StackError, bind};

// The table's layout is the app's (`avatar_aws::schema`): its partition key, and the TTL
// attribute of the per-account limit counters.
use avatar_aws::schema::{EXPIRES_AT as TTL_ATTRIBUTE, PARTITION_KEY};
/// DynamoDB deletes expired items in the background; locally a sweep this often does.
const TTL_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// The embedded DynamoDB: a SQLite file (or memory), with the profiles table created if missing.
#[derive(Debug, Clone)]
pub struct DynamoSettings {
    pub addr: std::net::SocketAddr,
    /// `None` keeps everything in memory.
    pub path: Option<PathBuf>,
    pub table: String,
    /// Local IAM: every call authorised by the statements of the key that signed it.
    /// `None` lets any signed call through.
    pub iam: Option<Arc<Iam>>,
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
    let Some(iam) = settings.iam else {
        return Ok(Running::spawn(addr, move |rx| async move {
            let sweeper = tokio::spawn(sweep_expired(db.clone()));
            if let Err(e) = dynoxide::server::serve_with_shutdown(listener, db, signalled(rx)).await
            {
                tracing::error!(error = %e, "embedded DynamoDB stopped");
            }
            sweeper.abort();
        }));
    };
    // dynoxide listens on a port of its own; the public port is the IAM front.
    let inner = bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), "DynamoDB").await?;
    let inner_addr = inner.local_addr().map_err(StackError::io("DynamoDB"))?;
    let front = Arc::new(Front {
        iam,
        partition_key: PARTITION_KEY,
        upstream: format!("http://{inner_addr}"),
        client: reqwest::Client::new(),
    });
    let router = axum::Router::new().fallback(guard).with_state(front);
    Ok(Running::spawn(addr, move |rx| async move {
        let sweeper = tokio::spawn(sweep_expired(db.clone()));
        let (stop_inner, inner_rx) = tokio::sync::oneshot::channel::<()>();
        let table = tokio::spawn(async move {
            if let Err(e) =
                dynoxide::server::serve_with_shutdown(inner, db, signalled(inner_rx)).await
            {
                tracing::error!(error = %e, "embedded DynamoDB stopped");
            }
        });
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(signalled(rx))
            .await;
        let _ = stop_inner.send(());
        let _ = table.await;
        sweeper.abort();
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
        check_key(db, table)?;
        return enable_ttl(db, table);
    }
    let request = serde_json::from_value(serde_json::json!({
        "TableName": table,
        "KeySchema": [{"AttributeName": PARTITION_KEY, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": PARTITION_KEY, "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }))
    .map_err(|e| setup(&e))?;
    db.create_table(request).map_err(|e| setup(&e))?;
    enable_ttl(db, table)
}

/// As template.yaml does: spent limit counters expire at `expiresAt`.
fn enable_ttl(db: &Database, table: &str) -> Result<(), StackError> {
    let setup =
        |e: &dyn std::fmt::Display| StackError::Setup(format!("DynamoDB table {table} TTL: {e}"));
    let request = serde_json::from_value(serde_json::json!({
        "TableName": table,
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": true},
    }))
    .map_err(|e| setup(&e))?;
    db.update_time_to_live(request).map_err(|e| setup(&e))?;
    Ok(())
}

/// dynoxide deletes expired items only when asked; a sweep blocks its lock page by page.
async fn sweep_expired(db: Database) {
    let mut every = tokio::time::interval(TTL_SWEEP_EVERY);
    every.tick().await;
    loop {
        every.tick().await;
        let db = db.clone();
        match tokio::task::spawn_blocking(move || db.sweep_ttl()).await {
            Ok(Ok(deleted)) if deleted > 0 => tracing::debug!(deleted, "expired items swept"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "TTL sweep failed"),
            Err(e) => tracing::warn!(error = %e, "TTL sweep stopped"),
        }
    }
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
        let ttl = fresh
            .describe_time_to_live(
                serde_json::from_value(serde_json::json!({"TableName": "profiles"})).unwrap(),
            )
            .unwrap();
        let ttl = serde_json::to_value(&ttl).unwrap();
        assert_eq!(
            ttl["TimeToLiveDescription"]["AttributeName"], TTL_ATTRIBUTE,
            "{ttl}"
        );
        assert_eq!(ttl["TimeToLiveDescription"]["TimeToLiveStatus"], "ENABLED");
    }
}
