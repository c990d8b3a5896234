//! The port the per-account limits count through; `avatar_aws`'s `DynamoRateLimiter` is
//! the AWS implementation.

use async_trait::async_trait;

use crate::ports::StoreError;
use crate::values::AccountId;

/// What a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /api/uploads` answered with a signed form.
    SignUpload,
    /// `POST /api/profile` that gets as far as reading the upload or writing.
    ProfileWrite,
}

impl Action {
    /// The action's name in a counter's key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUpload => "uploads",
            Self::ProfileWrite => "profile-writes",
        }
    }

    pub(super) fn refusal(self, wait: &str) -> String {
        match self {
            Self::SignUpload => {
                format!("You've uploaded many pictures in the last hour; try again in {wait}.")
            }
            Self::ProfileWrite => format!(
                "You've saved your profile many times in the last hour; try again in {wait}."
            ),
        }
    }
}

/// One counter: an account, an action and the window it counts in. A new window is a
/// new counter, so no counter is ever reset or read back; how a store names it is the
/// store's (`avatar_aws::schema`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub account: AccountId,
    pub action: Action,
    /// The window's start, in Unix seconds.
    pub window_start: u64,
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
        counter: &Counter,
        limit: u32,
        expires_at: u64,
    ) -> Result<Taken, StoreError>;
}
