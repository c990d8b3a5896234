//! Per-account limits (docs/design.md §4): at most N signed uploads and M profile writes
//! per account per fixed hour, counted atomically in the store before anything is signed
//! or written. Over the limit is `ServiceError::RateLimited` with the wait; a count that
//! cannot be made is a refusal too (fail closed), never a free pass.

mod port;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use port::{Action, Counter, RateLimiter, Taken};

use crate::error::ServiceError;
use crate::values::AccountId;

/// Fixed windows aligned to the hour: every account's counters roll over together, and a
/// window's start names its counter without any read.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// The window `now` falls in: `[start, end)` in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: u64,
    pub end: u64,
}

impl Window {
    pub fn containing(now: SystemTime) -> Self {
        let secs = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let start = secs - secs % WINDOW.as_secs();
        Self {
            start,
            end: start + WINDOW.as_secs(),
        }
    }

    /// Whole seconds from `now` to the window's end, at least one (a `Retry-After` of 0
    /// would invite an immediate retry into the same window).
    pub fn seconds_left(&self, now: SystemTime) -> u64 {
        let secs = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        self.end.saturating_sub(secs).max(1)
    }
}

/// One action's allowance per account and window, and the counter store it spends from.
#[derive(Clone)]
pub struct AccountLimit {
    limiter: Arc<dyn RateLimiter>,
    action: Action,
    per_window: u32,
    clock: fn() -> SystemTime,
}

impl AccountLimit {
    pub fn new(limiter: Arc<dyn RateLimiter>, action: Action, per_window: u32) -> Self {
        Self {
            limiter,
            action,
            per_window,
            clock: SystemTime::now,
        }
    }

    /// Tests pin the clock so a run never straddles two windows.
    pub fn with_clock(mut self, clock: fn() -> SystemTime) -> Self {
        self.clock = clock;
        self
    }

    pub fn counter(&self, account: &AccountId, window: Window) -> Counter {
        Counter {
            account: *account,
            action: self.action,
            window_start: window.start,
        }
    }

    /// Spends one use at the limit's own clock.
    pub async fn spend_now(&self, account: &AccountId) -> Result<(), ServiceError> {
        self.spend(account, (self.clock)()).await
    }

    /// Spends one use of `account`'s allowance in the window of `now`, or refuses with
    /// `ServiceError::RateLimited`. A store failure refuses too: the action does not happen.
    pub async fn spend(&self, account: &AccountId, now: SystemTime) -> Result<(), ServiceError> {
        let window = Window::containing(now);
        let counter = self.counter(account, window);
        match self
            .limiter
            .take(&counter, self.per_window, window.end)
            .await?
        {
            Taken::Allowed => Ok(()),
            Taken::Exhausted => {
                let retry_after_secs = window.seconds_left(now);
                Err(ServiceError::RateLimited {
                    message: self.action.refusal(&minutes(retry_after_secs)),
                    retry_after_secs,
                })
            }
        }
    }
}

impl std::fmt::Debug for AccountLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountLimit")
            .field("action", &self.action)
            .field("per_window", &self.per_window)
            .finish_non_exhaustive()
    }
}

/// "1 minute", "42 minutes": rounded up, so the wait is never shorter than said.
fn minutes(seconds: u64) -> String {
    match seconds.div_ceil(60) {
        1 => "1 minute".into(),
        n => format!("{n} minutes"),
    }
}

#[cfg(test)]
mod tests;
