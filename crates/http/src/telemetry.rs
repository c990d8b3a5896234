//! JSON logs, one line per request; `RUST_LOG` sets the level of the app's own crates
//! (default `info`). Every other crate logs at `info` at most, whatever `RUST_LOG` says:
//! at `trace` the Lambda runtime logs each raw event (the bearer token, every header and
//! the verified claims), and the SDK its signed requests. No secret may reach a log line.

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{FilterFn, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, fmt};

/// Installs the JSON logger; `app_crate` is the function's own crate
/// (`env!("CARGO_CRATE_NAME")`), which logs at `RUST_LOG`'s level with the `avatar_*`
/// crates.
pub fn init(app_crate: &'static str) {
    let level = level(std::env::var("RUST_LOG").ok().as_deref());
    tracing_subscriber::registry()
        .with(json_layer(std::io::stdout).with_filter(filter(level, app_crate)))
        .init();
}

/// The one log line format: JSON, flattened, with the invocation span (the request id).
pub fn json_layer<S, W>(writer: W) -> impl Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    fmt::layer()
        .json()
        .flatten_event(true)
        // The runtime's invocation span carries the request id.
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_writer(writer)
}

/// `level` for the app's crates, at most `info` for every other.
pub fn filter(
    level: LevelFilter,
    app_crate: &'static str,
) -> FilterFn<impl Fn(&Metadata<'_>) -> bool> {
    FilterFn::new(move |meta| shown(level, app_crate, meta.target(), *meta.level()))
}

fn shown(level: LevelFilter, app_crate: &str, target: &str, at: Level) -> bool {
    let ours = target.starts_with("avatar_") || target.split("::").next() == Some(app_crate);
    let limit = if ours {
        level
    } else {
        level.min(LevelFilter::INFO)
    };
    limit >= at
}

/// A level, not EnvFilter's per-module directives: a function has one crate of its own,
/// and the directive engine was pages touched at every cold start for nothing (peak RSS
/// 8.4 → 8.2 MiB, BENCHMARKS.md §3). Anything that is not a level logs at `info`.
fn level(rust_log: Option<&str>) -> LevelFilter {
    rust_log
        .map(str::trim)
        // tracing reads an empty string as `error`.
        .filter(|value| !value.is_empty())
        .and_then(|value| value.parse().ok())
        .unwrap_or(LevelFilter::INFO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_never_log_below_info() {
        use tracing::Level;
        for (level, target, at, expected) in [
            (
                LevelFilter::TRACE,
                "lambda_runtime::layers::api_response",
                Level::TRACE,
                false,
            ),
            (
                LevelFilter::TRACE,
                "lambda_runtime::layers::api_response",
                Level::DEBUG,
                false,
            ),
            (
                LevelFilter::TRACE,
                "lambda_runtime::layers::api_response",
                Level::INFO,
                true,
            ),
            (
                LevelFilter::TRACE,
                "aws_smithy_runtime::client",
                Level::DEBUG,
                false,
            ),
            (
                LevelFilter::TRACE,
                "hyper_util::client",
                Level::TRACE,
                false,
            ),
            (
                LevelFilter::TRACE,
                "avatar_domain::service",
                Level::TRACE,
                true,
            ),
            (
                LevelFilter::TRACE,
                "get_profile::handler",
                Level::TRACE,
                true,
            ),
            (LevelFilter::TRACE, "get_profile_other", Level::TRACE, false),
            (LevelFilter::WARN, "avatar_http", Level::INFO, false),
            (LevelFilter::WARN, "lambda_runtime", Level::ERROR, true),
            (LevelFilter::OFF, "avatar_http", Level::ERROR, false),
        ] {
            assert_eq!(
                shown(level, "get_profile", target, at),
                expected,
                "{level} {target} {at}"
            );
        }
    }

    #[test]
    fn rust_log_is_a_level_and_anything_else_is_info() {
        let cases = [
            (Some("debug"), LevelFilter::DEBUG),
            (Some("WARN"), LevelFilter::WARN),
            (Some(" error "), LevelFilter::ERROR),
            (Some("off"), LevelFilter::OFF),
            (Some("trace"), LevelFilter::TRACE),
            (Some("avatar_domain=debug"), LevelFilter::INFO),
            (Some(""), LevelFilter::INFO),
            (None, LevelFilter::INFO),
        ];
        for (value, expected) in cases {
            assert_eq!(level(value), expected, "{value:?}");
        }
    }
}
