use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::ports::StoreError;

/// Counts in memory, exactly as the contract says.
#[derive(Default)]
struct Counting(Mutex<Vec<(Counter, u32, u64)>>);

#[async_trait]
impl RateLimiter for Counting {
    async fn take(
        &self,
        counter: &Counter,
        limit: u32,
        expires_at: u64,
    ) -> Result<Taken, StoreError> {
        let mut counters = self.0.lock().unwrap();
        let used = counters.iter().filter(|(key, ..)| key == counter).count() as u32;
        if used >= limit {
            return Ok(Taken::Exhausted);
        }
        counters.push((*counter, limit, expires_at));
        Ok(Taken::Allowed)
    }
}

fn account() -> AccountId {
    AccountId::try_from("0f8fad5b-d9cb-469f-a165-70867728950e").unwrap()
}

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

#[test]
fn windows_are_whole_hours() {
    let window = Window::containing(at(7200 + 59));
    assert_eq!(
        window,
        Window {
            start: 7200,
            end: 10800
        }
    );
    assert_eq!(window.seconds_left(at(7200 + 59)), 3600 - 59);
    assert_eq!(window.seconds_left(at(10800)), 1, "never zero");
    assert_eq!(Window::containing(at(10800)).start, 10800);
}

#[test]
fn waits_are_rounded_up_to_minutes() {
    assert_eq!(minutes(1), "1 minute");
    assert_eq!(minutes(60), "1 minute");
    assert_eq!(minutes(61), "2 minutes");
    assert_eq!(minutes(3600), "60 minutes");
}

#[tokio::test]
async fn the_limit_refuses_with_the_time_to_the_windows_end() {
    let store = Arc::new(Counting::default());
    let limit = AccountLimit::new(store.clone(), Action::SignUpload, 2);
    let now = at(3600 * 5 + 600);
    limit.spend(&account(), now).await.unwrap();
    limit.spend(&account(), now).await.unwrap();
    let refused = limit.spend(&account(), now).await.unwrap_err();
    assert!(
        matches!(
            refused,
            ServiceError::RateLimited {
                retry_after_secs: 3000,
                ..
            }
        ),
        "{refused:?}"
    );
    assert_eq!(
        refused.to_string(),
        "You've uploaded many pictures in the last hour; try again in 50 minutes."
    );
    let counters = store.0.lock().unwrap();
    assert_eq!(counters.len(), 2, "a refusal counts nothing");
    assert_eq!(
        counters[0].0,
        Counter {
            account: account(),
            action: Action::SignUpload,
            window_start: 3600 * 5
        }
    );
    assert_eq!(counters[0].2, 3600 * 6, "expires at the window's end");
}

#[tokio::test]
async fn the_next_window_starts_afresh() {
    let limit = AccountLimit::new(Arc::new(Counting::default()), Action::ProfileWrite, 1);
    limit.spend(&account(), at(3599)).await.unwrap();
    assert!(limit.spend(&account(), at(3599)).await.is_err());
    limit.spend(&account(), at(3600)).await.unwrap();
}
