//! `GET /api/profile/{username}`: one consistent read.

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
    let store = setup::profile_store(&Env::process(), &sdk)?;
    run(service_fn(|event| handler::handle(&store, event))).await
}
