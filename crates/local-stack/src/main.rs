//! `local-stack`: the embedded S3, DynamoDB and the local edge for development.
//! Usage: `local-stack [ENV_FILE]` (default `local.env`), run from the repository root.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use local_stack::clock::SystemClock;
use local_stack::dev_config::DevConfig;
use local_stack::iam::{Iam, KeyPair, LocalNames};
use local_stack::template::Template;
use local_stack::{
    DynamoSettings, EdgeSettings, S3Settings, SignInSettings, StackError, start_dynamodb,
    start_edge, start_s3,
};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_target(false)
        .init();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("local-stack: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), StackError> {
    let env_file = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("local.env"), PathBuf::from);
    let root = std::env::current_dir().map_err(StackError::io("current directory"))?;
    let config = DevConfig::load(&root, &env_file)?;
    let s3_root = config.data_dir.join("s3");
    let names = LocalNames::new(&config.region, &config.bucket, &config.table)
        .with_user_pool(&config.user_pool_id);
    let admin = KeyPair::new(&config.access_key, &config.secret_key);
    // Parsed once: the edge's routes and sign-in and local IAM all read this model.
    let template = Template::load(&config.template)?;
    let mut iam = Iam::load(&template, &root, names, admin)?;
    if !config.iam {
        iam = iam.allowing_all();
    }
    let iam = Some(Arc::new(iam));

    let s3 = start_s3(S3Settings {
        addr: config.s3_addr,
        root: s3_root.clone(),
        bucket: config.bucket.clone(),
        access_key: config.access_key.clone(),
        secret_key: config.secret_key.clone(),
        allowed_origins: config.page_origins(),
        max_skew: config.upload_ttl.max(std::time::Duration::from_secs(900)),
        iam: iam.clone(),
    })
    .await?;
    let dynamodb = start_dynamodb(DynamoSettings {
        addr: config.dynamodb_addr,
        path: Some(config.data_dir.join("dynamodb.sqlite")),
        table: config.table.clone(),
        iam: iam.clone(),
    })
    .await?;
    let edge = start_edge(EdgeSettings {
        addr: config.edge_addr,
        site_dir: config.site_dir.clone(),
        api_upstream: config.api_upstream.clone(),
        template: template.clone(),
        s3_root,
        bucket: config.bucket.clone(),
        upload_origin: config.s3_url(),
        sign_in: SignInSettings {
            client_id: config.auth_client_id.clone(),
            key_dir: config.data_dir.join("idp"),
            clock: std::sync::Arc::new(SystemClock),
            user_pool_id: config.user_pool_id.clone(),
            iam: iam.clone(),
        },
    })
    .await?;

    println!("local stack ready (data in {}):", config.data_dir.display());
    println!("  app        {}", edge.url());
    println!("  S3         {} (bucket {})", s3.url(), config.bucket);
    println!("  DynamoDB   {} (table {})", dynamodb.url(), config.table);
    println!("  API via    {}", config.api_upstream);
    println!(
        "  IAM        {}",
        if config.iam {
            "each function's calls are checked against template.yaml (LOCAL_IAM=off to stop)"
        } else {
            "off (LOCAL_IAM=off): every local key may do anything"
        }
    );
    println!(
        "  sign-in    {}/local-idp (development only: any name signs in)",
        edge.url()
    );

    shutdown_signal().await;
    println!("local stack stopping");
    edge.stop().await;
    s3.stop().await;
    dynamodb.stop().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
