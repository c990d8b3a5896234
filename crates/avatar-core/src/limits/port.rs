//! The port the per-account limits count through; `adapters::DynamoRateLimiter` is the
//! AWS implementation.

use async_trait::async_trait;

use crate::ports::StoreError;

/// One counter: an account, an action and the window it counts in
/// (`LIMIT#{sub}#{action}#{window start}`). A new window is a new key, so no counter is
/// ever reset or read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterKey(String);

impl CounterKey {
    pub(super) fn new(key: String) -> Self {
        Self(key)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CounterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What taking one use from a counter found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// Counted; the action may go ahead.
    Allowed,
    /// The counter already stood at the limit; nothing was counted.
    Exhausted,
}

#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Adds one to `counter` only while it is below `limit`, in one atomic step (racing
    /// callers can never together pass the limit), and stamps the counter with
    /// `expires_at` (Unix seconds, the window's end) so the store can drop it later.
    async fn take(
        &self,
        counter: &CounterKey,
        limit: u32,
        expires_at: u64,
    ) -> Result<Taken, StoreError>;
}
