//! `POST /api/uploads`: signs a short-lived S3 POST for one avatar upload.

mod handler;

use avatar_core::config::Env;
use avatar_core::{aws, setup, telemetry};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init();
    let sdk = aws::load_sdk_config().await;
    let signer = setup::upload_signer(&Env::process(), &sdk)?;
    run(service_fn(|event| handler::handle(&signer, event))).await
}
