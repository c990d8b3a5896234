//! The smallest `lambda_http` function, built with the same features and release profile as
//! the real ones, so their cold start, memory and size can be read as a ratio to it.

use lambda_http::{Body, Error, Request, Response, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(|_: Request| async {
        Ok::<_, Error>(Response::new(Body::from("hello")))
    }))
    .await
}
