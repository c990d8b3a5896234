//! `DELETE /api/account`: removes the caller's profile, every object of its avatar, and
//! then the caller's user in the Cognito user pool.

mod handler;

use avatar_aws::config::Env;
use avatar_aws::{sdk, setup};
use avatar_http::telemetry;
use lambda_http::{Error, run, service_fn};

// Lambda hands an environment one event at a time: worker threads would only add their
// stacks and allocator arenas to the start-up and the memory.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    telemetry::init(env!("CARGO_CRATE_NAME"));
    let sdk = sdk::load_sdk_config().await;
    let deletion = setup::account_deletion(&Env::process(), &sdk)?;
    run(service_fn(|event| handler::handle(&deletion, event))).await
}
