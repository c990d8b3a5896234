//! JSON logs, one line per request; `RUST_LOG` filters (default `info`).

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .flatten_event(true)
        // The runtime's invocation span carries the request id.
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .init();
}
