//! JSON logs, one line per request; `RUST_LOG` sets the level (default `info`).

use tracing_subscriber::filter::LevelFilter;

pub fn init() {
    tracing_subscriber::fmt()
        .json()
        .with_max_level(level(std::env::var("RUST_LOG").ok().as_deref()))
        .flatten_event(true)
        // The runtime's invocation span carries the request id.
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .init();
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
